//! Remembered login devices: browsers that completed a login to an account. The cookie
//! carries a random id; the table keeps its SHA-256 and the account, so the login throttle
//! can tell the owner's own browser from an attacker's (see the web crate's
//! `admin/throttle.rs`). They end with a password or two-factor change, like sessions.

use crate::{Result, Store, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::UserId;
use sqlx::Any;

impl Store {
    /// Remembers a device for `user` until `expires_at`.
    pub async fn remember_device(
        &self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_devices (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(to_micros(now))
        .bind(to_micros(expires_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The account a remembered device belongs to, if it is still remembered and the account
    /// is not disabled.
    pub async fn device_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT d.user_id FROM login_devices d JOIN users u ON u.id = d.user_id \
             WHERE d.token_hash = $1 AND d.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(to_micros(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| UserId(id)))
    }

    /// How many devices an account has remembered (for tests of revocation).
    pub async fn device_count(&self, user: UserId) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_devices WHERE user_id = $1")
            .bind(user.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}

/// Forgets every remembered device of an account (its credentials changed).
pub(crate) async fn end_devices(tx: &mut sqlx::Transaction<'_, Any>, id: UserId) -> Result<()> {
    sqlx::query("DELETE FROM login_devices WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
