//! Waiting for what another process does that it does not announce (a server's background
//! poll, a replica's replay, a CLI whose node is settling): ask until the answer is the one
//! wanted, with a deadline. What announces itself (a "listening" line, a log line) is
//! waited for on that instead (`RunningBinary::wait_for_log`).

use std::time::{Duration, Instant};

/// How long to leave between two looks: long enough not to keep a core asking, short enough
/// that a wait measured with it (how long until a page shows a change) stays close.
const BETWEEN_LOOKS: Duration = Duration::from_millis(20);

/// Asks `ready` until it says yes, for up to `patience`: how long it took, or `None` when
/// the deadline passed first (the caller says what never happened, with what it saw).
pub fn wait_until(patience: Duration, mut ready: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    let deadline = start + patience;
    loop {
        if ready() {
            return Some(start.elapsed());
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        pause(BETWEEN_LOOKS.min(deadline - now));
    }
}

/// The one pause between looks in the test kit.
#[allow(
    clippy::disallowed_methods,
    reason = "a plain test thread asking another process; no runtime is blocked"
)]
fn pause(time: Duration) {
    std::thread::sleep(time);
}
