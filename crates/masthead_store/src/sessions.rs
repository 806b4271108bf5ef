//! Login sessions, kept in the database so every app server behind a load balancer knows
//! them. The cookie carries a random id; the table keeps only its SHA-256, so a copy of the
//! table logs no one in.

use crate::users::{USER_COLUMNS, User, user_from_row};
use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::UserId;
use sqlx::Row;

/// How far a session has got through login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// The password was right; a two-factor code is still owed.
    Password,
    /// Fully logged in.
    Full,
}

impl SessionStage {
    fn as_str(self) -> &'static str {
        match self {
            SessionStage::Password => "password",
            SessionStage::Full => "full",
        }
    }
}

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub user: User,
    /// The token every state-changing form of this session must carry.
    pub csrf_token: String,
    /// How far login has got.
    pub stage: SessionStage,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// SHA-256 of the cookie value.
    pub id_hash: &'a str,
    /// The account.
    pub user: UserId,
    /// The CSRF token.
    pub csrf_token: &'a str,
    /// How far login has got.
    pub stage: SessionStage,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Stores a new session; when `replaces` names an old one (login's next step), that one
    /// is deleted in the same transaction, so the id rotates.
    pub async fn create_session(
        &self,
        new: &NewSession<'_>,
        replaces: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, stage, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new.id_hash)
        .bind(new.user.0)
        .bind(new.csrf_token)
        .bind(new.stage.as_str())
        .bind(to_micros(now))
        .bind(to_micros(new.expires_at))
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The live session with this id hash: not expired, and its account not disabled.
    pub async fn session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token AS csrf_token, s.stage AS stage, \
             s.expires_at AS expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_hash)
            .bind(to_micros(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let stage: String = row.try_get("stage")?;
            Ok(Session {
                user: user_from_row(&row)?,
                csrf_token: row.try_get("csrf_token")?,
                stage: if stage == "full" {
                    SessionStage::Full
                } else {
                    SessionStage::Password
                },
                expires_at: from_micros(row.try_get("expires_at")?),
            })
        })
        .transpose()
    }

    /// Ends one session (logout).
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Deletes sessions (and remembered login devices) that have expired; returns how many
    /// sessions.
    pub async fn purge_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(to_micros(now))
            .execute(&self.writer)
            .await?;
        sqlx::query("DELETE FROM login_devices WHERE expires_at <= $1")
            .bind(to_micros(now))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// How many sessions an account has (for tests of revocation).
    pub async fn session_count(&self, user: UserId) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
