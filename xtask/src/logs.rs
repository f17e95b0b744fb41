//! The daemon logs `up` writes, and printing their tails when something fails.

use gostage_support::config::{buildkitd_log, log_dir};
use std::path::PathBuf;

pub fn registry() -> PathBuf {
    log_dir().join("registry.log")
}
pub fn dockerd() -> PathBuf {
    log_dir().join("dockerd.log")
}
pub fn buildkitd() -> PathBuf {
    buildkitd_log()
}

/// Prints the last `lines` lines of each daemon log to stderr.
pub fn print_tails(lines: usize) {
    for log in [registry(), dockerd(), buildkitd()] {
        eprintln!("===== last {lines} lines of {} =====", log.display());
        match std::fs::read(&log) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let all: Vec<&str> = text.lines().collect();
                for line in &all[all.len().saturating_sub(lines)..] {
                    eprintln!("{line}");
                }
            }
            Err(e) => eprintln!("(cannot read: {e})"),
        }
    }
}
