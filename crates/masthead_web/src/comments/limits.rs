//! How fast comments may arrive: per client address and per email in ten-minute windows,
//! and for the whole site in one-minute windows (the numbers are comment settings). Every
//! post counts, refused ones too, so a flood is stopped before it reaches the database.
//!
//! The counts live in this process, not the database: a post is already one write, and
//! three more for counters would halve how many the SQLite writer takes. With several app
//! servers each enforces the limits on what it receives (a balancer spreading one client's
//! posts over N servers lets N times through), which is the price of that choice.

use masthead_core::CommentSettings;
use std::collections::HashMap;
use std::sync::Mutex;

/// Microseconds in the address and email windows (ten minutes).
const LONG_WINDOW: i64 = 600 * 1_000_000;
/// Microseconds in the site-wide window (a minute).
const SITE_WINDOW: i64 = 60 * 1_000_000;
/// Past this many keys, expired ones are dropped.
const MAX_KEYS: usize = 50_000;

/// Counters by key (`a:ADDRESS`, `e:EMAIL`, `site`): window start and posts in it.
#[derive(Debug, Default)]
pub(crate) struct CommentLimits {
    counts: Mutex<HashMap<String, (i64, u32)>>,
}

impl CommentLimits {
    /// Counts one post from `address` (and `email`, once known: empty before) at `now_us`;
    /// `Err(seconds)` to wait when any limit is passed.
    pub fn check(
        &self,
        settings: &CommentSettings,
        address: &str,
        email: &str,
        now_us: i64,
    ) -> Result<(), u64> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() > MAX_KEYS {
            counts.retain(|_, (start, _)| now_us - *start < LONG_WINDOW);
        }
        let mut wait = 0u64;
        let mut count = |key: String, window: i64, limit: u32| {
            let entry = counts.entry(key).or_insert((now_us, 0));
            if now_us - entry.0 >= window {
                *entry = (now_us, 0);
            }
            entry.1 = entry.1.saturating_add(1);
            if entry.1 > limit {
                let left = (entry.0 + window - now_us).max(1_000_000) / 1_000_000;
                wait = wait.max(left as u64);
            }
        };
        count("site".into(), SITE_WINDOW, settings.site_per_minute);
        count(format!("a:{address}"), LONG_WINDOW, settings.per_address);
        if !email.is_empty() {
            count(format!("e:{email}"), LONG_WINDOW, settings.per_email);
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_email_and_site() {
        let s = CommentSettings {
            per_address: 2,
            per_email: 3,
            site_per_minute: 5,
            ..CommentSettings::default()
        };
        let l = CommentLimits::default();
        assert!(l.check(&s, "1.1.1.1", "", 0).is_ok());
        assert!(l.check(&s, "1.1.1.1", "", 0).is_ok());
        assert_eq!(l.check(&s, "1.1.1.1", "", 0), Err(600));
        assert!(l.check(&s, "2.2.2.2", "a@x.org", 0).is_ok());
        assert!(l.check(&s, "3.3.3.3", "a@x.org", 0).is_ok());
        assert!(l.check(&s, "4.4.4.4", "a@x.org", 0).is_err(), "email");
        assert!(l.check(&s, "5.5.5.5", "", 0).is_err(), "site");
        assert!(
            l.check(&s, "6.6.6.6", "", 61_000_000).is_ok(),
            "a new minute"
        );
    }
}
