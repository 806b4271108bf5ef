//! Notes between editors and writers on a story: a thread per story, each note with its
//! author and time, and the one that sends a story back to its writer marked as such.
//! Desk-only: no public page, feed, sitemap or API reads this table. The rules (who may
//! write one, how long it may be) live in `masthead_desk`.

use crate::audit::Actor;
use crate::story_write::StoryWrite;
use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleStatus, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

/// One note on a story.
#[derive(Debug, Clone, Serialize)]
pub struct DeskNote {
    /// Its id: notes of one story are shown in id order.
    pub id: i64,
    /// The account that wrote it, if it still exists.
    pub user: Option<UserId>,
    /// Who wrote it, as named at the time.
    pub author: String,
    /// What it says (plain text).
    pub body: String,
    /// Whether this note sent the story back to its writer.
    pub sent_back: bool,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A story whose latest note someone else wrote, for the dashboard of a staff member who
/// owns the story or took part in its thread.
#[derive(Debug, Clone, Serialize)]
pub struct NoteWaiting {
    /// The story.
    pub article_id: ArticleId,
    /// Its headline.
    pub title: String,
    /// Its status.
    pub status: ArticleStatus,
    /// The latest note.
    pub note: DeskNote,
}

const NOTE_COLUMNS: &str = "n.id, n.user_id, n.author, n.body, n.sent_back, n.created_at";

fn note_from_row(row: &AnyRow) -> Result<DeskNote> {
    Ok(DeskNote {
        id: row.try_get("id")?,
        user: row.try_get::<Option<i64>, _>("user_id")?.map(UserId),
        author: row.try_get("author")?,
        body: row.try_get("body")?,
        sent_back: row.try_get::<i64, _>("sent_back")? != 0,
        created_at: from_micros(row.try_get("created_at")?),
    })
}

async fn insert(
    conn: &mut sqlx::AnyConnection,
    id: ArticleId,
    actor: &Actor,
    body: &str,
    sent_back: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO desk_notes (article_id, user_id, author, body, sent_back, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(actor.user.map(|u| u.0))
    .bind(&actor.name)
    .bind(body)
    .bind(i64::from(sent_back))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The notes on story `id`, oldest first.
    pub async fn desk_notes(&self, id: ArticleId) -> Result<Vec<DeskNote>> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM desk_notes n WHERE n.article_id = $1 ORDER BY n.id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(note_from_row)
            .collect()
    }

    /// Adds a note (already checked by the caller) to story `id`'s thread.
    pub async fn add_desk_note(
        &self,
        id: ArticleId,
        actor: &Actor,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx: sqlx::Transaction<'static, Any> = self.write_tx().await?;
        insert(&mut tx, id, actor, body, false, now).await?;
        self.commit(tx).await
    }

    /// The stories, newest note first (at most `limit`), whose latest note was written by
    /// someone other than `user`, among those `user` started or wrote a note on, and (for a
    /// `reviewer`, an editor) every story in review: what is waiting for their answer.
    pub async fn notes_waiting(
        &self,
        user: UserId,
        reviewer: bool,
        limit: u32,
    ) -> Result<Vec<NoteWaiting>> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS}, a.id AS article_id, a.title, a.status \
             FROM desk_notes n JOIN articles a ON a.id = n.article_id \
             WHERE n.id = (SELECT MAX(m.id) FROM desk_notes m WHERE m.article_id = n.article_id) \
             AND (n.user_id IS NULL OR n.user_id <> $1) \
             AND (a.owner_id = $1 OR ($2 = 1 AND a.status = 'review') \
                  OR EXISTS (SELECT 1 FROM desk_notes o \
                  WHERE o.article_id = n.article_id AND o.user_id = $1)) \
             ORDER BY n.id DESC LIMIT {limit}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user.0)
            .bind(i64::from(reviewer))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(NoteWaiting {
                    article_id: ArticleId(row.try_get("article_id")?),
                    title: row.try_get("title")?,
                    status: ArticleStatus::parse(&row.try_get::<String, _>("status")?)?,
                    note: note_from_row(row)?,
                })
            })
            .collect()
    }
}

impl StoryWrite<'_> {
    /// Adds the note that sends story `id` back to its writer, in this write's transaction.
    pub async fn send_back_note(
        &mut self,
        id: ArticleId,
        actor: &Actor,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        insert(self.conn(), id, actor, body, true, now).await
    }
}
