//! Autosaved text of stories on the site: what an editor typed into a published (or
//! scheduled) story, kept apart from it so an autosave never changes what readers see. One
//! row per story and staff member, the editor's form as posted; the desk's rules
//! (`masthead_desk::autosave`) decide when text is kept here rather than saved as a draft
//! revision, and the editor offers it back until that person saves or discards it.

use crate::{Result, Store, StoryWrite, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, UserId};

/// Text autosaved over a story on the site, not yet saved into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autosave {
    /// The story's version the text was typed over.
    pub base_version: i64,
    /// When it was kept.
    pub saved_at: DateTime<Utc>,
    /// The editor's form, urlencoded (without the CSRF token).
    pub form: String,
}

impl Store {
    /// What `user` autosaved over story `id`, if anything is waiting.
    pub async fn autosave(&self, id: ArticleId, user: UserId) -> Result<Option<Autosave>> {
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT base_version, saved_at, form FROM autosaves \
             WHERE article_id = $1 AND user_id = $2",
        )
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(base_version, saved_at, form)| Autosave {
            base_version,
            saved_at: from_micros(saved_at),
            form,
        }))
    }
}

/// How long a run of autosaves by one person stays one revision: a longer stretch of
/// typing leaves a revision every this often.
pub const AUTOSAVE_RUN: chrono::Duration = chrono::Duration::minutes(10);

impl StoryWrite<'_> {
    /// Marks revision `version` of story `id`, just written by an autosave of `user`'s, as
    /// one, and folds the revision before it into it when that one was an autosave of the
    /// same person's whose run began less than [`AUTOSAVE_RUN`] before `now`.
    pub async fn fold_autosave(
        &mut self,
        id: ArticleId,
        version: i64,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let earlier: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT saved_by, autosave_run_started FROM revisions \
             WHERE article_id = $1 AND version = $2",
        )
        .bind(id.0)
        .bind(version - 1)
        .fetch_optional(&mut *self.tx)
        .await?;
        let run_started = match earlier {
            Some((Some(by), Some(started)))
                if by == user.0 && started >= to_micros(now - AUTOSAVE_RUN) =>
            {
                sqlx::query("DELETE FROM revisions WHERE article_id = $1 AND version = $2")
                    .bind(id.0)
                    .bind(version - 1)
                    .execute(&mut *self.tx)
                    .await?;
                started
            }
            _ => to_micros(now),
        };
        sqlx::query(
            "UPDATE revisions SET autosave_run_started = $1 WHERE article_id = $2 AND version = $3",
        )
        .bind(run_started)
        .bind(id.0)
        .bind(version)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Keeps `autosave` as what `user` typed over story `id`, replacing what was kept.
    pub async fn keep_autosave(
        &mut self,
        id: ArticleId,
        user: UserId,
        autosave: &Autosave,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO autosaves (article_id, user_id, base_version, saved_at, form) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (article_id, user_id) DO UPDATE SET \
             base_version = excluded.base_version, saved_at = excluded.saved_at, \
             form = excluded.form",
        )
        .bind(id.0)
        .bind(user.0)
        .bind(autosave.base_version)
        .bind(to_micros(autosave.saved_at))
        .bind(&autosave.form)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Forgets what `user` autosaved over story `id` (they saved it, or discarded it).
    pub async fn drop_autosave(&mut self, id: ArticleId, user: UserId) -> Result<()> {
        sqlx::query("DELETE FROM autosaves WHERE article_id = $1 AND user_id = $2")
            .bind(id.0)
            .bind(user.0)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
