//! The processes of an app under test and their memory, read from `/proc` (Linux), for the
//! launch (start-up and memory) and UI benchmarks.

/// A process's proportional set size, KiB (0 when it is gone).
pub fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The process whose name (as `/proc/<pid>/stat` truncates it, to 15 bytes) starts with
/// `name` and whose environment holds `marker`, and every process under it (WebKit's web and
/// network processes are children): `(pid, name)` pairs.
pub fn tree(marker: &str, name: &str) -> Vec<(u32, String)> {
    let mut procs = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new(); // not Linux: nothing to measure
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let comm = stat.split(['(', ')']).nth(1).unwrap_or("").to_owned();
        let ppid: u32 = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0);
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let ours = env.split(|b| *b == 0).any(|kv| kv == marker.as_bytes());
        procs.push((pid, ppid, comm, ours));
    }
    let Some(root) = procs
        .iter()
        .find(|p| p.3 && p.2.starts_with(name))
        .map(|p| p.0)
    else {
        return Vec::new();
    };
    let mut members = vec![root];
    let mut i = 0;
    while i < members.len() {
        let parent = members[i];
        members.extend(procs.iter().filter(|p| p.1 == parent).map(|p| p.0));
        i += 1;
    }
    procs
        .into_iter()
        .filter(|p| members.contains(&p.0))
        .map(|p| (p.0, p.2))
        .collect()
}

/// When a process started, as milliseconds since the Unix epoch (`None` when it is gone).
///
/// `/proc/<pid>/stat` gives the start in clock ticks since boot, and `/proc/uptime` the time
/// since boot now; both count from the same boot, so the start is `now - uptime + start`,
/// to about 10 ms (one tick), which is fine for launches that take hundreds of ms.
#[allow(
    clippy::disallowed_methods,
    reason = "anchors /proc's boot-relative start time to the epoch, which only the wall clock can do"
)]
pub fn started_epoch_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the `(comm)`: state is field 3, starttime field 22.
    let ticks: f64 = stat
        .rsplit(')')
        .next()?
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Some((now - uptime + ticks / clock_ticks_per_second()) * 1000.0)
}

/// `sysconf(_SC_CLK_TCK)`, asked of `getconf` rather than through libc for one number; Linux
/// has used 100 on every architecture for years, which is the fallback.
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A process's PSS split into anonymous memory, file-backed pages and shared memory, KiB
/// (`Pss_Anon`, `Pss_File`, `Pss_Shmem` of `/proc/<pid>/smaps_rollup`; zeros when it is gone).
pub fn pss_parts_kib(pid: u32) -> [u64; 3] {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    [field("Pss_Anon:"), field("Pss_File:"), field("Pss_Shmem:")]
}
