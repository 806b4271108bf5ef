//! What login costs an attacker, and what it cannot cost the owner.
//!
//! - **Attempt limits**: attempts are counted per client address and per account in one-minute
//!   windows, in the database, so every app server enforces the same limits (app servers stay
//!   stateless). Every attempt (right or wrong) counts; an attempt over a limit is answered 429
//!   with Retry-After before any password is checked. IPv6 clients are counted by their /64
//!   (one subscriber usually holds a whole /64, so counting single addresses would give an
//!   attacker 2^64 buckets).
//! - **Remembered devices**: a browser that completed a login gets a device cookie (random,
//!   stored hashed, bound to that account, 90 days). When it logs in to that same account it
//!   is counted in its own bucket instead of the address's and the account's, so an attacker
//!   who floods an account (or shares the owner's address, an office NAT) cannot keep the
//!   owner out of the browsers they already use. The cookie grants nothing else: the password
//!   and the code are still checked, and it ends with a password or two-factor change.
//! - **Password work**: each Argon2id check holds 19 MiB and about 50 ms of a core. At most
//!   [`PasswordWork`]'s parallel limit run at once (one per core, at most four), a short
//!   queue waits for a slot, and beyond that the answer is 503 with Retry-After at once, so a
//!   flood of logins costs bounded memory and never starves the site's other requests. Each
//!   slot keeps its 19 MiB of Argon2 memory and reuses it: allocating it per check let the
//!   allocator's arenas hold on to freed blocks (1.1 GB resident after a flood of 400
//!   logins, two checks at a time), so the cap alone did not bound memory.

use crate::WebError;
use chrono::{DateTime, Duration, Utc};
use masthead_core::password::HashMemory;
use masthead_store::Store;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a remembered device is exempt from the address and account limits.
pub const DEVICE_DAYS: i64 = 90;

/// Seconds a client is asked to wait when password work is at capacity.
pub const BUSY_RETRY_SECS: u64 = 2;

/// The limits on login, two-factor and reset attempts, and the cap on password hashing.
#[derive(Debug, Clone)]
pub struct Throttle {
    per_address: i64,
    per_account: i64,
    per_device: i64,
    window: Duration,
    pub(crate) work: PasswordWork,
}

impl Default for Throttle {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let parallel = cores.clamp(1, 4);
        Self {
            per_address: 10,
            per_account: 5,
            per_device: 5,
            window: Duration::minutes(1),
            work: PasswordWork::new(parallel, 8 * parallel),
        }
    }
}

pub use crate::client::address_key;

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
            if let Err(secs) = self.count(store, now, &key, limit).await? {
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

    /// Counts one login attempt from a remembered device (by its cookie's hash), in place of
    /// the address and account limits.
    pub async fn check_device(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        device_hash: &str,
    ) -> Result<Result<(), u64>, WebError> {
        self.count(
            store,
            now,
            &format!("device:{device_hash}"),
            self.per_device,
        )
        .await
    }

    async fn count(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        key: &str,
        limit: i64,
    ) -> Result<Result<(), u64>, WebError> {
        let (attempts, start) = store.count_attempt(key, self.window, now).await?;
        if attempts > limit {
            let secs = (start + self.window - now).num_seconds().max(1) as u64;
            return Ok(Err(secs));
        }
        Ok(Ok(()))
    }
}

/// The cap on Argon2 work running at once: `parallel` checks run, up to `queue` more wait
/// for a slot, and any beyond those are refused at once with [`WebError::Busy`].
#[derive(Debug, Clone)]
pub struct PasswordWork {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    /// Argon2 memory of slots not running now; at most `parallel` exist, made on first use.
    memory: Arc<Mutex<Vec<HashMemory>>>,
    parallel: usize,
    capacity: usize,
}

impl PasswordWork {
    /// A cap of `parallel` running checks and `queue` waiting ones.
    pub fn new(parallel: usize, queue: usize) -> Self {
        let parallel = parallel.max(1);
        Self {
            running: Arc::new(Semaphore::new(parallel)),
            admitted: Arc::new(Semaphore::new(parallel + queue)),
            memory: Arc::new(Mutex::new(Vec::new())),
            parallel,
            capacity: parallel + queue,
        }
    }

    /// Runs `work` (an Argon2 hash or check) on the blocking pool within the cap, with the
    /// slot's Argon2 memory. The slot is held until the work ends, even if the request is
    /// dropped meanwhile, so the cap counts the memory really in use.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut HashMemory) -> T + Send + 'static,
    ) -> Result<T, WebError> {
        let Ok(admitted) = self.admitted.clone().try_acquire_owned() else {
            tracing::warn!("password checks at capacity; answering 503");
            return Err(WebError::Busy(BUSY_RETRY_SECS));
        };
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| WebError::internal("password work semaphore closed", e))?;
        let pool = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            let _slots = (admitted, running);
            let taken = match pool.lock() {
                Ok(mut free) => free.pop(),
                Err(poisoned) => poisoned.into_inner().pop(),
            };
            let mut memory = taken.unwrap_or_default();
            let out = work(&mut memory);
            match pool.lock() {
                Ok(mut free) => free.push(memory),
                Err(poisoned) => poisoned.into_inner().push(memory),
            }
            out
        })
        .await
        .map_err(|e| WebError::internal("password work failed", e))
    }

    /// How many checks are running or waiting now.
    pub fn in_flight(&self) -> usize {
        self.capacity - self.admitted.available_permits()
    }

    /// How many checks run at once.
    pub fn parallel(&self) -> usize {
        self.parallel
    }

    /// How many 19 MiB Argon2 memories exist (idle now); never more than [`Self::parallel`].
    pub fn memories(&self) -> usize {
        match self.memory.lock() {
            Ok(free) => free.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    /// How many checks may run or wait at once before the answer is 503.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Takes every running slot until the permit is dropped, as a long burst of checks would
    /// (for tests of the cap).
    #[doc(hidden)]
    pub fn occupy_all(&self) -> Option<OwnedSemaphorePermit> {
        u32::try_from(self.parallel)
            .ok()
            .and_then(|n| self.running.clone().try_acquire_many_owned(n).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let key = |s: &str| address_key(s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
    }
}
