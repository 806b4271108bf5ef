//! Login throttling: token buckets per client address and per account, so guessing is slow
//! from one address and slow against one account from many.
//!
//! Every attempt (right or wrong) spends from both buckets; a refused attempt is answered
//! 429 with Retry-After before any password is checked. The account bucket refills quickly
//! (a few attempts a minute), so an attacker can slow an account's login but not lock it
//! for long. Buckets live in each app server's memory: with several servers the limits
//! apply per server.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

/// The limits on login, reset and two-factor attempts.
pub struct Throttle {
    by_ip: DefaultKeyedRateLimiter<String>,
    by_account: DefaultKeyedRateLimiter<String>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(10, Duration::from_secs(6), 5, Duration::from_secs(12))
    }
}

impl Throttle {
    /// `ip_burst` attempts per address, one more every `ip_every`; likewise per account.
    pub fn new(
        ip_burst: u32,
        ip_every: Duration,
        account_burst: u32,
        account_every: Duration,
    ) -> Self {
        let quota = |burst: u32, every: Duration| {
            Quota::with_period(every)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        Self {
            by_ip: RateLimiter::keyed(quota(ip_burst, ip_every)),
            by_account: RateLimiter::keyed(quota(account_burst, account_every)),
        }
    }

    /// Spends one attempt for `ip` and `account`; `Err(seconds)` when either is exhausted.
    pub fn check(&self, ip: &str, account: &str) -> Result<(), u64> {
        if self.by_ip.len() + self.by_account.len() > 100_000 {
            self.shrink();
        }
        let now = DefaultClock::default().now();
        let wait = |limiter: &DefaultKeyedRateLimiter<String>, key: &str| {
            limiter
                .check_key(&key.to_owned())
                .err()
                .map(|not_until| not_until.wait_time_from(now).as_secs() + 1)
        };
        let ip_wait = wait(&self.by_ip, ip);
        let account_wait = if account.is_empty() {
            None
        } else {
            wait(&self.by_account, account)
        };
        match ip_wait.max(account_wait) {
            Some(secs) => Err(secs),
            None => Ok(()),
        }
    }

    /// Drops buckets that have refilled, so memory stays bounded.
    pub fn shrink(&self) {
        self.by_ip.retain_recent();
        self.by_account.retain_recent();
    }
}
