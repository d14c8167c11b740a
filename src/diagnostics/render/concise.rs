use std::io::{self, Write};

use crate::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        let file = &report.files[d.file];
        let (start, _) = super::positions(file, d.span);
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            file.path, start.line, start.column, d.severity, d.rule, d.message
        )?;
    }
    Ok(())
}
