//! The processes of an app under test and their memory, read from `/proc` (Linux), for the
//! memory and UI benchmarks.

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
