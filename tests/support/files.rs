//! Looking for a secret in everything Switchboard wrote.

use std::path::{Path, PathBuf};

/// The files under `dir` (recursively) whose bytes contain `needle`, and how many were read.
pub fn files_containing(dir: &Path, needle: &str) -> (Vec<PathBuf>, usize) {
    let mut hits = Vec::new();
    let mut read = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                read += 1;
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    hits.push(path);
                }
            }
        }
    }
    (hits, read)
}
