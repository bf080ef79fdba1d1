//! What the engine's examples share: where the data is, and the process's memory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The data folder: the first argument, else `../shared/data` beside the workspace.
pub fn data_dir() -> PathBuf {
    std::env::args()
        .nth(1)
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"), PathBuf::from)
}

/// A line of `/proc/self/status` in MB (`VmRSS`, `VmHWM` …); NaN when it cannot be read.
fn status_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The memory the process holds now, in MB.
pub fn rss_mb() -> f64 {
    status_mb("VmRSS:")
}

/// The most memory the process has held, in MB.
pub fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

/// A small fixed-seed generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
