//! API tokens and one-time password-reset links. Both are random secrets shown once; only
//! their SHA-256 is stored.
//!
//! A token ends with the credentials it was made under: a password change, a password reset
//! and any two-factor change delete the account's tokens in the same transaction (see
//! [`end_tokens`]), so a token copied by someone who knew the old password stops working.
//! A new reset link cancels the account's older unused ones.
//!
//! Checking a token never writes: a read must not wait for the write lock (on SQLite a busy
//! or full database would stall every API read for the busy timeout). A token's
//! `last_used_at` is best effort instead: [`Store::token_owner`] says when it is due (not
//! written for [`LAST_USED_EVERY`], and not already claimed by this process), and the caller
//! writes it with [`Store::touch_token`] off the request path, logging a failure.

use crate::audit::{Actor, record};
use crate::users::{USER_COLUMNS, User, end_sessions, user_from_row};
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{Role, TokenId, UserId};
use sqlx::Any;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token's `last_used_at` is written at most this often.
pub const LAST_USED_EVERY: Duration = Duration::from_secs(60);

/// An API token as listed (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiToken {
    /// The token's id.
    pub id: TokenId,
    /// What the owner called it.
    pub name: String,
    /// The widest role it acts with.
    pub scope: Role,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Reads a row of `api_tokens` by column name.
    fn from_row(row: &AnyRow) -> Result<Self> {
        let scope: String = row.try_get("scope")?;
        Ok(ApiToken {
            id: TokenId(row.try_get("id")?),
            name: row.try_get("name")?,
            scope: Role::parse(&scope).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            created_at: from_micros(row.try_get("created_at")?),
            last_used_at: row
                .try_get::<Option<i64>, _>("last_used_at")?
                .map(from_micros),
        })
    }
}

/// The account behind a presented token and the role the request acts with.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    /// The owner, as it is now.
    pub user: User,
    /// The narrower of the token's scope and the owner's current role.
    pub role: Role,
    /// The token's id.
    pub token: TokenId,
    /// Whether the caller should record this use with [`Store::touch_token`] (off the
    /// request path): the stored `last_used_at` is over a minute old and no other request
    /// of this process has taken the job in the last minute.
    pub last_used_due: bool,
}

/// Which tokens this process is recording a use of, so a burst of requests with one token
/// writes `last_used_at` once, not once each.
#[derive(Debug, Default)]
pub(crate) struct TokenTouches(Mutex<HashMap<i64, Instant>>);

impl TokenTouches {
    /// Claims the write of `id`'s `last_used_at`, unless it was claimed within a minute.
    fn claim(&self, id: i64) -> bool {
        let mut claimed = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if claimed.len() > 4096 {
            claimed.retain(|_, at| now.duration_since(*at) < LAST_USED_EVERY);
        }
        match claimed.get(&id) {
            Some(at) if now.duration_since(*at) < LAST_USED_EVERY => false,
            _ => {
                claimed.insert(id, now);
                true
            }
        }
    }
}

impl Store {
    /// Stores a new token for `user`. The caller made sure `scope` is no wider than the
    /// owner's role.
    pub async fn create_token(
        &self,
        user: UserId,
        name: &str,
        token_hash: &str,
        scope: Role,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<TokenId> {
        let mut tx = self.write_tx().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user.0)
        .bind(name)
        .bind(token_hash)
        .bind(scope.as_str())
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "token.create",
            &format!("user {}", user.0),
            name,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(TokenId(id))
    }

    /// The owner of the token with this hash, unless the owner is disabled. Reads only; see
    /// [`TokenOwner::last_used_due`] for recording the use.
    pub async fn token_owner(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenOwner>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.scope AS token_scope, t.id AS token_id, \
             t.last_used_at AS token_last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND u.disabled = 0"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let user = user_from_row(&row)?;
        let scope: String = row.try_get("token_scope")?;
        let scope = Role::parse(&scope).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id: i64 = row.try_get("token_id")?;
        let last_used: Option<i64> = row.try_get("token_last_used_at")?;
        let stale = last_used.is_none_or(|at| at < to_micros(now) - last_used_every_micros());
        Ok(Some(TokenOwner {
            role: scope.min(user.role),
            user,
            token: TokenId(id),
            last_used_due: stale && self.token_touches.claim(id),
        }))
    }

    /// Records that the token was used at `now`, unless a use within the last minute is
    /// already recorded (by this or another app server).
    pub async fn touch_token(&self, id: TokenId, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 \
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(to_micros(now))
        .bind(id.0)
        .bind(to_micros(now) - last_used_every_micros())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// An account's tokens, newest first.
    pub async fn list_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        sqlx::query(
            "SELECT id, name, scope, created_at, last_used_at FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(ApiToken::from_row)
        .collect()
    }

    /// Revokes one of `user`'s tokens.
    pub async fn revoke_token(
        &self,
        user: UserId,
        id: TokenId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id.0)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        record(
            &mut tx,
            actor,
            "token.revoke",
            &format!("user {}", user.0),
            &id.to_string(),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Stores a one-time password-reset link for `user`, valid until `expires_at`.
    pub async fn create_reset(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // One live link per account: an older one (perhaps sent to the wrong place) ends.
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_by, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(actor.user.map(|u| u.0))
        .bind(to_micros(expires_at))
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "user.reset_link",
            &format!("user {}", user.0),
            "",
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The account a reset link is for, if the link is unused and unexpired.
    pub async fn reset_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM password_resets r JOIN users u ON u.id = r.user_id \
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.disabled = 0"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(to_micros(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    /// Uses a reset link: sets the new password hash and ends the account's sessions, once.
    /// A used or expired link is `NotFound`.
    pub async fn consume_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<UserId> {
        let mut tx = self.write_tx().await?;
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(to_micros(now))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let (user,) = row.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        end_sessions(&mut tx, UserId(user)).await?;
        let ended = end_tokens(&mut tx, UserId(user)).await?;
        crate::devices::end_devices(&mut tx, UserId(user)).await?;
        let actor = Actor::user(UserId(user), "reset link");
        record(
            &mut tx,
            &actor,
            "user.password",
            &format!("user {user}"),
            &format!("by reset link; API tokens revoked: {ended}"),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(UserId(user))
    }
}

/// Deletes every API token of an account (its credentials changed); returns how many.
pub(crate) async fn end_tokens(tx: &mut sqlx::Transaction<'_, Any>, id: UserId) -> Result<u64> {
    let done = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

fn last_used_every_micros() -> i64 {
    i64::try_from(LAST_USED_EVERY.as_micros()).unwrap_or(i64::MAX)
}
