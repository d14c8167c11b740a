//! `KUBEVET_TIMINGS`: per-stage wall times and memory, for benchmarking.

/// Per-stage wall times on stderr when `KUBEVET_TIMINGS` is set: for benchmarking, not output.
pub(crate) struct StageTimer(Option<std::time::Instant>);

/// `, RSS 120 MB (peak 150 MB)` where the kernel tells (Linux), for finding the stage that
/// holds the memory.
fn memory_note() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let mb = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb / 1024)
    };
    match (mb("VmRSS:"), mb("VmHWM:")) {
        (Some(rss), Some(peak)) => format!(", RSS {rss} MB (peak {peak} MB)"),
        _ => String::new(),
    }
}

impl StageTimer {
    pub(crate) fn from_env() -> Self {
        StageTimer(std::env::var_os("KUBEVET_TIMINGS").map(|_| std::time::Instant::now()))
    }

    pub(crate) fn stage(&mut self, name: &str) {
        if let Some(t) = self.0 {
            eprintln!(
                "kubevet timing: {name:>7} {:8.1} ms{}",
                t.elapsed().as_secs_f64() * 1e3,
                memory_note()
            );
            self.0 = Some(std::time::Instant::now());
        }
    }
}
