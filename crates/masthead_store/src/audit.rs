//! The audit log: who did what to which thing, and when. Written in the same transaction as
//! the change it records, so the log never claims a change that did not happen.

use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::UserId;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

/// Who is acting: a staff account, or the system itself (the scheduler, the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account, if a person is acting.
    pub user: Option<UserId>,
    /// The name recorded in the log.
    pub name: String,
}

impl Actor {
    /// A staff member acting through the desk or the API.
    pub fn user(id: UserId, name: &str) -> Self {
        Self {
            user: Some(id),
            name: name.to_owned(),
        }
    }

    /// masthead acting on its own (`"scheduler"`) or an operator at the command line.
    pub fn system(name: &str) -> Self {
        Self {
            user: None,
            name: name.to_owned(),
        }
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// What was done, e.g. `article.publish`.
    pub action: String,
    /// What it was done to, e.g. `article 12`.
    pub target: String,
    /// Anything else worth knowing, e.g. the new role.
    pub detail: String,
}

pub(crate) async fn record(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(to_micros(now))
    .bind(actor.user.map(|u| u.0))
    .bind(&actor.name)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Records an action that changes nothing else in the database (a login, a logout).
    pub async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        record(&mut tx, actor, action, target, detail, now).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The newest `limit` entries of the audit log, skipping `offset`.
    pub async fn audit_log(&self, limit: u32, offset: u64) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT at, actor, action, target, detail FROM audit_log ORDER BY at DESC, id DESC \
             LIMIT {limit} OFFSET {offset}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(AuditEntry::from_row)
            .collect()
    }
}

impl AuditEntry {
    /// Reads a row of `audit_log` by column name.
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(AuditEntry {
            at: from_micros(row.try_get("at")?),
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            target: row.try_get("target")?,
            detail: row.try_get("detail")?,
        })
    }
}
