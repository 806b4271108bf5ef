//! API tokens and one-time password-reset links. Both are random secrets shown once; only
//! their SHA-256 is stored.
//!
//! A token ends with the credentials it was made under: a password change, a password reset
//! and any two-factor change delete the account's tokens in the same transaction (see
//! [`end_tokens`]), so a token copied by someone who knew the old password stops working.
//! A new reset link cancels the account's older unused ones.

use crate::audit::{Actor, record};
use crate::users::{USER_COLUMNS, User, end_sessions, user_from_row};
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{Role, TokenId, UserId};
use sqlx::Any;
use sqlx::Row;

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

/// The account behind a presented token and the role the request acts with.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    /// The owner, as it is now.
    pub user: User,
    /// The narrower of the token's scope and the owner's current role.
    pub role: Role,
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
        let mut tx = self.pool.begin().await?;
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
        tx.commit().await?;
        Ok(TokenId(id))
    }

    /// The owner of the token with this hash, unless the owner is disabled; marks it used.
    pub async fn token_owner(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenOwner>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.scope, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND u.disabled = 0"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let user = user_from_row(&row, 0)?;
        let scope: String = row.try_get(7)?;
        let scope = Role::parse(&scope).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id: i64 = row.try_get(8)?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(to_micros(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(Some(TokenOwner {
            role: scope.min(user.role),
            user,
        }))
    }

    /// An account's tokens, newest first.
    pub async fn list_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows: Vec<(i64, String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, name, scope, created_at, last_used_at FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, scope, created, used)| {
                Ok(ApiToken {
                    id: TokenId(id),
                    name,
                    scope: Role::parse(&scope).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    created_at: from_micros(created),
                    last_used_at: used.map(from_micros),
                })
            })
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
        let mut tx = self.pool.begin().await?;
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
        tx.commit().await?;
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
        let mut tx = self.pool.begin().await?;
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
        tx.commit().await?;
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
        row.map(|r| user_from_row(&r, 0)).transpose()
    }

    /// Uses a reset link: sets the new password hash and ends the account's sessions, once.
    /// A used or expired link is `NotFound`.
    pub async fn consume_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<UserId> {
        let mut tx = self.pool.begin().await?;
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
        tx.commit().await?;
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
