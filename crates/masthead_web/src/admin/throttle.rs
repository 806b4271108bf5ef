//! Login throttling: attempts counted per client address and per account in one-minute
//! windows, in the database, so every app server enforces the same limits (app servers stay
//! stateless).
//!
//! Every attempt (right or wrong) counts against both; an attempt over a limit is answered
//! 429 with Retry-After before any password is checked. The account's window is a minute,
//! so an attacker can slow an account's logins but never lock it for longer than they keep
//! trying, and each address they try from is limited too.

use crate::WebError;
use chrono::{DateTime, Duration, Utc};
use masthead_store::Store;

/// The limits on login, two-factor and reset attempts.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    per_address: i64,
    per_account: i64,
    window: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            per_address: 10,
            per_account: 5,
            window: Duration::minutes(1),
        }
    }
}

impl Throttle {
    /// Counts one attempt from `address` on `account` (empty: none); `Ok(Err(seconds))` when
    /// either is over its limit, with how long until the later window ends.
    pub async fn check(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        address: &str,
        account: &str,
    ) -> Result<Result<(), u64>, WebError> {
        let mut wait = None;
        let mut count = async |key: String, limit: i64| -> Result<(), WebError> {
            let (attempts, start) = store.count_attempt(&key, self.window, now).await?;
            if attempts > limit {
                let secs = (start + self.window - now).num_seconds().max(1) as u64;
                wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
            }
            Ok(())
        };
        count(format!("address:{address}"), self.per_address).await?;
        if !account.is_empty() {
            count(format!("account:{account}"), self.per_account).await?;
        }
        Ok(wait.map_or(Ok(()), Err))
    }
}
