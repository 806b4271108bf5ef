//! Site settings an admin changes in the desk (name, tagline, address, time zone, page
//! size, the site's identity), stored as name/value pairs so every app server reads the
//! same ones, and the sections' navigation order (their `position`). Values set here
//! override the configuration file; an empty table means the configuration applies.

use crate::audit::{Actor, record};
use crate::{Result, Store, site};
use chrono::{DateTime, Utc};
use masthead_core::SectionId;
use sqlx::Row;
use std::collections::BTreeMap;

impl Store {
    /// Every stored setting.
    pub async fn settings(&self) -> Result<BTreeMap<String, String>> {
        sqlx::query("SELECT name, value FROM settings")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("name")?, row.try_get("value")?)))
            .collect()
    }

    /// Whether staff with `role` must use two-factor login on this site: an admin can require
    /// it for editors and admins (the `require_2fa` setting).
    pub async fn two_factor_required(&self, role: masthead_core::Role) -> Result<bool> {
        if !role.at_least(masthead_core::Role::Editor) {
            return Ok(false);
        }
        let (on,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM settings WHERE name = 'require_2fa' AND value = '1'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(on > 0)
    }

    /// Stores settings (already validated by the caller) in one transaction.
    pub async fn save_settings(
        &self,
        values: &[(&str, String)],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.save_settings_and_order(values, &[], actor, now).await
    }

    /// Stores settings (already validated by the caller) and the sections' navigation order
    /// (each section's new position; sections not named keep theirs) in one transaction.
    pub async fn save_settings_and_order(
        &self,
        values: &[(&str, String)],
        order: &[(SectionId, i64)],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        for (section, position) in order {
            sqlx::query("UPDATE sections SET position = $1 WHERE id = $2")
                .bind(*position)
                .bind(section.0)
                .execute(&mut *tx)
                .await?;
        }
        for (name, value) in values {
            sqlx::query(
                "INSERT INTO settings (name, value) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )
            .bind(*name)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        let mut names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
        if !order.is_empty() {
            names.push("section order");
        }
        record(
            &mut tx,
            actor,
            "settings.save",
            "site",
            &names.join(", "),
            now,
        )
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
