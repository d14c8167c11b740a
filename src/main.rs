//! The `kubevet` binary: parses the command line, runs the library, maps the outcome to an
//! exit code (0 clean, 1 findings, 2 usage or internal error).

mod cli;

// The loader and the validator allocate many small strings and vectors; mimalloc is markedly
// faster at that than the system allocator (ruff and oxc make the same choice).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{CheckArgs, Cli, ColorChoice, Command, FailOn, OutputFormat, RulesFormat};
use kubevet::diagnostics::render::{render_styled, Format};
use kubevet::diagnostics::Severity;
use kubevet::{config::Config, rules, Options};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => run_check(args),
        Command::Rules { format } => print_rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::Version => print_version(),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`kubevet rules | head`) is not an error of ours. (`check` keeps its
        // findings' exit code itself.)
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kubevet: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage_error(msg: impl std::fmt::Display) -> io::Result<ExitCode> {
    eprintln!("error: {msg}");
    Ok(ExitCode::from(2))
}

fn severity(s: FailOn) -> Severity {
    match s {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    }
}

fn run_check(args: CheckArgs) -> io::Result<ExitCode> {
    for id in args.select.iter().chain(&args.ignore) {
        if rules::find(id).is_none() {
            let best = rules::ALL
                .iter()
                .map(|r| (strsim::jaro_winkler(id, r.id), r.id))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(s, _)| *s > 0.8);
            let hint = best.map_or(String::new(), |(_, r)| format!("; did you mean `{r}`?"));
            return usage_error(format!("unknown rule `{id}`{hint} (see `kubevet rules`)"));
        }
    }
    let config = Config {
        default_namespace: args.namespace,
        fail_on: severity(args.fail_on),
        node_port_range: args.node_port_range,
        kubernetes_version: args.kubernetes_version,
        strict_kinds: args.strict_kinds,
        disabled: args.ignore.into_iter().collect(),
        only: args.select.into_iter().collect(),
        no_ignore: args.no_ignore,
    };
    let paths = if args.paths.is_empty() {
        vec![".".into()]
    } else {
        args.paths
    };
    let opts = Options {
        paths,
        max_file_size: args.max_file_size,
        crd_paths: args.crd,
        config,
        stdin_filename: args.stdin_filename,
        ..Options::default()
    };
    let mut report = match kubevet::check(&opts) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Concise => Format::Concise,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Github => Format::Github,
        OutputFormat::Gitlab => Format::Gitlab,
        OutputFormat::Junit => Format::Junit,
    };
    let failed = report
        .diagnostics
        .iter()
        .any(|d| d.severity >= opts.config.fail_on);
    let code = if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // Hiding is display only: the exit code above counted everything.
    let shown = if args.quiet {
        Severity::Error
    } else {
        severity(args.show)
    };
    report.diagnostics.retain(|d| d.severity >= shown);
    let stdout = io::stdout();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    if let Some(path) = &args.output {
        let file = std::fs::File::create(path).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        })?;
        let mut w = io::BufWriter::new(file);
        render_styled(&report, format, false, !args.quiet, &mut w)?;
        w.flush()?;
    }
    // With `--output`, the terminal gets the human report (unless that is what the file got).
    let terminal_format = match (&args.output, format) {
        (None, f) => Some(f),
        (Some(_), Format::Human) => None,
        (Some(_), _) => Some(Format::Human),
    };
    if let Some(f) = terminal_format {
        let mut out = io::BufWriter::new(stdout.lock());
        let written =
            render_styled(&report, f, color, !args.quiet, &mut out).and_then(|()| out.flush());
        match written {
            // `kubevet check . | head`: the reader left, the findings still decide the code.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(code),
            r => r?,
        }
    }
    Ok(code)
}

fn print_rules(format: RulesFormat) -> io::Result<ExitCode> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        RulesFormat::Text => {
            let w = rules::ALL.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in rules::ALL {
                writeln!(
                    out,
                    "{:w$}  {:7}  {:10}  {}",
                    r.id,
                    r.severity.as_str(),
                    r.category.as_str(),
                    r.summary
                )?;
            }
        }
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = rules::ALL
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "severity": r.severity.as_str(),
                        "category": r.category.as_str(),
                        "summary": r.summary,
                        "fix": r.fix,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn explain(id: &str) -> io::Result<ExitCode> {
    match rules::find(id) {
        Some(r) => {
            let mut out = io::stdout().lock();
            out.write_all(r.doc.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        None => usage_error(format!("unknown rule `{id}` (see `kubevet rules`)")),
    }
}

fn print_version() -> io::Result<ExitCode> {
    let mut out = io::stdout().lock();
    writeln!(out, "kubevet {}", env!("CARGO_PKG_VERSION"))?;
    let versions = kubevet::schema::bundled_versions();
    writeln!(
        out,
        "Kubernetes schemas: {} (default {})",
        versions.join(", "),
        kubevet::schema::default_version().unwrap_or("none")
    )?;
    if let Some(src) = kubevet::schema::bundle_source() {
        writeln!(out, "schema source: {} {}", src.package, src.version)?;
    }
    Ok(ExitCode::SUCCESS)
}
