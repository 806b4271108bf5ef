//! Staff accounts: creating them, finding them at login, and changing their role, password,
//! two-factor secret or disabled flag. Every change that alters what an account may do ends
//! its sessions in the same transaction, so no old cookie outlives it; a password or
//! two-factor change also ends its API tokens and remembered login devices.

use crate::audit::{Actor, record};
use crate::devices::end_devices;
use crate::tokens::end_tokens;
use crate::{Result, Store, StoreError, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{AuthorId, EmailAddress, Role, UserId};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

/// A staff account as the rest of the program sees it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// The account's id.
    pub id: UserId,
    /// The login address, lowercased.
    pub email: String,
    /// The name shown in the desk and the audit log.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// Whether the account is shut out.
    pub disabled: bool,
    /// Whether two-factor login is set up.
    pub totp_enabled: bool,
    /// The byline profile the account writes under, if any.
    pub author: Option<AuthorId>,
}

/// An account with what login needs to check it.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub user: User,
    /// The Argon2id PHC string.
    pub password_hash: String,
    /// The base32 TOTP secret, when two-factor login is set up.
    pub totp_secret: Option<String>,
}

/// A new staff account; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login address; stored lowercased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// The account's columns of `users u`, each under a `user_` alias so a query can join them
/// with another table's `id` or `name`; [`user_from_row`] reads them by these names.
pub(crate) const USER_COLUMNS: &str = "u.id AS user_id, u.email AS user_email, \
     u.name AS user_name, u.role AS user_role, u.disabled AS user_disabled, \
     u.totp_secret IS NOT NULL AS user_totp_enabled, u.author_id AS user_author_id";

/// Reads the [`USER_COLUMNS`] of a row, by name.
pub(crate) fn user_from_row(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("user_role")?;
    Ok(User {
        id: UserId(row.try_get("user_id")?),
        email: row.try_get("user_email")?,
        name: row.try_get("user_name")?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        disabled: row.try_get::<i64, _>("user_disabled")? != 0,
        totp_enabled: bool_col(row, "user_totp_enabled")?,
        author: row
            .try_get::<Option<i64>, _>("user_author_id")?
            .map(AuthorId),
    })
}

/// Reads a boolean expression's result, which SQLite returns as an integer and PostgreSQL as
/// a boolean.
fn bool_col(row: &AnyRow, column: &str) -> Result<bool> {
    match row.try_get::<i64, _>(column) {
        Ok(v) => Ok(v != 0),
        Err(_) => Ok(row.try_get::<bool, _>(column)?),
    }
}

/// Normalises a login address: trimmed and lowercased ([`EmailAddress::normalize`]).
pub fn normalize_email(email: &str) -> String {
    EmailAddress::normalize(email)
}

impl Store {
    /// Creates a staff account; an address already in use is a `Conflict`.
    pub async fn create_user(
        &self,
        new: &NewUser,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<UserId> {
        // The one rule for addresses, whichever door the account comes through.
        let email = EmailAddress::parse(&new.email)?.to_string();
        let mut tx = self.write_tx().await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "an account for {email} already exists; use `masthead user list` to see it"
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (email, name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&email)
        .bind(new.name.trim())
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "user.create",
            &format!("user {email}"),
            new.role.as_str(),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(UserId(id))
    }

    /// The account with this login address, with its secrets, for login.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash AS password_hash, u.totp_secret AS totp_secret \
             FROM users u WHERE u.email = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(normalize_email(email))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Credentials {
                user: user_from_row(&row)?,
                password_hash: row.try_get("password_hash")?,
                totp_secret: row.try_get("totp_secret")?,
            })
        })
        .transpose()
    }

    /// The account with this id.
    pub async fn user(&self, id: UserId) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    /// The account with this login address.
    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        Ok(self
            .credentials(email)
            .await?
            .ok_or_else(|| {
                StoreError::Conflict(format!(
                    "there is no account for {}; `masthead user list` shows them",
                    normalize_email(email)
                ))
            })?
            .user)
    }

    /// Every account, by name.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name, u.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Changes an account's role and ends its sessions.
    pub async fn set_user_role(
        &self,
        id: UserId,
        role: Role,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.change_user(
            id,
            "UPDATE users SET role = $1 WHERE id = $2",
            role.as_str(),
            actor,
            "user.role",
            now,
        )
        .await
    }

    /// Shuts an account out (or lets it back in) and ends its sessions.
    pub async fn set_user_disabled(
        &self,
        id: UserId,
        disabled: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (flag, action) = if disabled {
            ("1", "user.disable")
        } else {
            ("0", "user.enable")
        };
        self.change_user(
            id,
            "UPDATE users SET disabled = CAST($1 AS INTEGER) WHERE id = $2",
            flag,
            actor,
            action,
            now,
        )
        .await
    }

    /// Sets a new password hash and ends the account's sessions and API tokens.
    pub async fn set_user_password(
        &self,
        id: UserId,
        password_hash: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.change_user(
            id,
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            password_hash,
            actor,
            "user.password",
            now,
        )
        .await
    }

    /// Sets up, replaces or (with `None`) removes two-factor login and ends the account's
    /// sessions and API tokens.
    pub async fn set_user_totp(
        &self,
        id: UserId,
        secret: Option<&str>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done =
            sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2")
                .bind(secret)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        end_sessions(&mut tx, id).await?;
        let detail = end_credentials(&mut tx, id).await?;
        let action = if secret.is_some() {
            "user.totp.enable"
        } else {
            "user.totp.disable"
        };
        record(
            &mut tx,
            actor,
            action,
            &format!("user {}", id.0),
            &detail,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Links an account to the byline profile it writes under.
    pub async fn set_user_author(&self, id: UserId, author: Option<AuthorId>) -> Result<()> {
        sqlx::query("UPDATE users SET author_id = $1 WHERE id = $2")
            .bind(author.map(|a| a.0))
            .bind(id.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Records that the TOTP time step `step` was used, unless it (or a later one) already
    /// was: a code works once. Returns whether the step was accepted.
    pub async fn use_totp_step(&self, id: UserId, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The last TOTP step an account used, if any.
    pub async fn totp_last_step(&self, id: UserId) -> Result<Option<i64>> {
        let (step,): (Option<i64>,) =
            sqlx::query_as("SELECT totp_last_step FROM users WHERE id = $1")
                .bind(id.0)
                .fetch_one(&self.pool)
                .await?;
        Ok(step)
    }

    async fn change_user(
        &self,
        id: UserId,
        sql: &'static str,
        value: &str,
        actor: &Actor,
        action: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(sql)
            .bind(value)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        end_sessions(&mut tx, id).await?;
        let detail = if action == "user.password" {
            end_credentials(&mut tx, id).await?
        } else {
            value.to_owned()
        };
        record(
            &mut tx,
            actor,
            action,
            &format!("user {}", id.0),
            &detail,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}

/// Ends every session of an account.
pub(crate) async fn end_sessions(tx: &mut sqlx::Transaction<'_, Any>, id: UserId) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// New credentials: the API tokens and remembered devices issued under the old ones end
/// with them, in the caller's transaction. Returns the audit detail.
async fn end_credentials(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: UserId) -> Result<String> {
    let ended = end_tokens(tx, id).await?;
    end_devices(tx, id).await?;
    Ok(format!("API tokens revoked: {ended}"))
}
