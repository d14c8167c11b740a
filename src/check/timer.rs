//! `KUBEVET_TIMINGS`: per-stage wall times and memory, for benchmarking.

/// Per-stage wall times on stderr when `KUBEVET_TIMINGS` is set: for benchmarking, not output.
pub(crate) struct StageTimer(Option<(std::time::Instant, (f64, i64))>);

/// The process's CPU time so far (user + system) in ms, where the platform tells: set
/// beside a stage's wall time, it shows how many cores the stage kept busy.
fn cpu_ms() -> (f64, i64) {
    #[cfg(unix)]
    {
        // SAFETY: `getrusage` only writes the struct it is given.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } == 0 {
            let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
            return (ms(ru.ru_utime) + ms(ru.ru_stime), ru.ru_minflt);
        }
    }
    (f64::NAN, 0)
}

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
    // Anonymous memory is what the run allocated (each new page zeroed by the kernel, a
    // cost that shows); file-backed memory is the binary's pages, read from the page cache.
    match (mb("VmRSS:"), mb("VmHWM:"), mb("RssAnon:"), mb("RssFile:")) {
        (Some(rss), Some(peak), Some(anon), Some(file)) => {
            format!(", RSS {rss} MB (anon {anon}, file {file}; peak {peak} MB)")
        }
        (Some(rss), Some(peak), ..) => format!(", RSS {rss} MB (peak {peak} MB)"),
        _ => String::new(),
    }
}

impl StageTimer {
    pub(crate) fn from_env() -> Self {
        StageTimer(
            std::env::var_os("KUBEVET_TIMINGS").map(|_| (std::time::Instant::now(), cpu_ms())),
        )
    }

    pub(crate) fn stage(&mut self, name: &str) {
        if let Some((t, cpu)) = self.0 {
            let now = cpu_ms();
            eprintln!(
                "kubevet timing: {name:>7} {:8.1} ms, CPU {:6.1} ms, {} faults{}",
                t.elapsed().as_secs_f64() * 1e3,
                now.0 - cpu.0,
                now.1 - cpu.1,
                memory_note()
            );
            self.0 = Some((std::time::Instant::now(), now));
        }
    }
}
