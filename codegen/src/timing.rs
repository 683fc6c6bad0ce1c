//! Wall time of each phase of a run, for `uapigen generate --timings`: where the time of
//! a large spec goes, without a profiler. Off unless [`enable`] was called; then each
//! [`phase`] guard adds its wall time to a per-name total when it is dropped.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static ON: AtomicBool = AtomicBool::new(false);
static TOTALS: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// Start recording phases.
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// Records the wall time from its creation to its drop under `name`.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

/// Time a phase until the returned guard is dropped (nothing when timings are off).
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: ON.load(Ordering::Relaxed).then(Instant::now),
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        let Some(start) = self.start else { return };
        let took = start.elapsed();
        let mut t = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
        match t.iter_mut().find(|(n, _)| *n == self.name) {
            Some((_, d)) => *d += took,
            None => t.push((self.name, took)),
        }
    }
}

/// Phases in the order they first ended, with their total wall time.
pub fn totals() -> Vec<(&'static str, Duration)> {
    TOTALS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
