//! A meeting's documents (an agenda, minutes) and the briefs drafted from them (migration
//! 0025). A document keeps its original bytes (`meeting_document_files`, read only when the
//! original is asked for) beside the text the extractor read, so the brief can link to both
//! and every span stays valid. A brief's row ties a meeting-brief story to its meeting and
//! document, keeps the facts it was drafted from, and records the editor's sign-off: the
//! desk refuses to publish a story whose row has none (checked in the save's own
//! transaction through [`StoryWrite::brief_signed_off`]).

use crate::articles::visible;
use crate::audit::{Actor, record};
use crate::site::bump_version;
use crate::{Result, Store, StoreError, StoryWrite, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, BodyId, DocumentId, InvalidInput, MeetingId, UserId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The most documents one meeting keeps (and briefs a meeting lists; the literal in the SQL).
pub const MAX_DOCUMENTS: i64 = 50;

/// A document as the desk adds it (checked by `masthead_desk::meetings`).
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// "agenda", "minutes" or "other".
    pub kind: String,
    /// The file's name as uploaded ("minutes-2026-11-04.pdf"), or one the desk made.
    pub file_name: String,
    /// `application/pdf` or `text/plain; charset=utf-8`.
    pub content_type: String,
    /// The original, as uploaded or fetched.
    pub bytes: Vec<u8>,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Where it was fetched from, if it was.
    pub source_url: String,
    /// The text the extractor reads (a PDF's text layer, or the text itself).
    pub text: String,
    /// Whether readers may see it (linked from the body's page and the brief).
    pub public: bool,
}

/// A document as stored, without its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingDocument {
    /// Its id.
    pub id: DocumentId,
    /// Its meeting.
    pub meeting_id: MeetingId,
    /// "agenda", "minutes" or "other".
    pub kind: String,
    /// The file's name.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub byte_size: i64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Where it was fetched from, if it was.
    pub source_url: String,
    /// Whether readers may see it.
    pub public: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// A meeting-brief story's tie to the record.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingBrief {
    /// The story.
    pub article_id: ArticleId,
    /// Its meeting.
    pub meeting_id: MeetingId,
    /// The document it was drafted from, while it is kept.
    pub document_id: Option<DocumentId>,
    /// The facts it was drafted from, as JSON (`masthead_meeting::Extraction`).
    pub facts: String,
    /// Who signed the facts off, if anyone has.
    pub signed_off_by: Option<UserId>,
    /// When.
    pub signed_off_at: Option<DateTime<Utc>>,
}

/// The columns [`document`] reads; a macro so the queries can `concat!` it.
macro_rules! document_columns {
    () => {
        "id, meeting_id, kind, file_name, content_type, byte_size, sha256, source_url, public, \
         created_at"
    };
}

/// The columns [`brief`] reads.
macro_rules! brief_columns {
    () => {
        "article_id, meeting_id, document_id, facts, signed_off_by, signed_off_at FROM meeting_briefs"
    };
}

impl Store {
    /// Keeps a document and its original for `meeting`, audit-logged, in one transaction.
    pub async fn add_meeting_document(
        &self,
        meeting: MeetingId,
        doc: &NewDocument,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<DocumentId> {
        let mut tx = self.write_tx().await?;
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM meeting_documents WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_one(&mut *tx)
                .await?;
        if count >= MAX_DOCUMENTS {
            return Err(StoreError::Invalid(InvalidInput::new(
                "Document",
                format!("a meeting keeps at most {MAX_DOCUMENTS} documents"),
            )));
        }
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM meetings WHERE id = $1")
            .bind(meeting.0)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meeting_documents (meeting_id, kind, file_name, content_type, byte_size, \
             sha256, source_url, text, public, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(meeting.0)
        .bind(&doc.kind)
        .bind(&doc.file_name)
        .bind(&doc.content_type)
        .bind(i64::try_from(doc.bytes.len()).unwrap_or(i64::MAX))
        .bind(&doc.sha256)
        .bind(&doc.source_url)
        .bind(&doc.text)
        .bind(i64::from(doc.public))
        .bind(actor.user.map(|u| u.0))
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO meeting_document_files (document_id, bytes) VALUES ($1, $2)")
            .bind(id)
            .bind(doc.bytes.as_slice())
            .execute(&mut *tx)
            .await?;
        let target = format!("meeting {} document {id}", meeting.0);
        record(
            &mut tx,
            actor,
            "meeting.document",
            &target,
            &doc.file_name,
            now,
        )
        .await?;
        if doc.public {
            bump_version(&mut tx).await?;
        }
        self.commit(tx).await?;
        Ok(DocumentId(id))
    }

    /// A meeting's documents, oldest first, without their text or bytes.
    pub async fn meeting_documents(&self, meeting: MeetingId) -> Result<Vec<MeetingDocument>> {
        let sql = concat!(
            "SELECT ",
            document_columns!(),
            " FROM meeting_documents WHERE meeting_id = $1 ORDER BY id LIMIT 50"
        );
        let rows = sqlx::query(sql)
            .bind(meeting.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(document).collect()
    }

    /// A document with the text the extractor reads.
    pub async fn meeting_document(
        &self,
        id: DocumentId,
    ) -> Result<Option<(MeetingDocument, String)>> {
        let sql = concat!(
            "SELECT ",
            document_columns!(),
            ", text FROM meeting_documents WHERE id = $1"
        );
        let row = sqlx::query(sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((document(&r)?, r.try_get("text")?)))
            .transpose()
    }

    /// A document's original bytes.
    pub async fn meeting_document_bytes(&self, id: DocumentId) -> Result<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT bytes FROM meeting_document_files WHERE document_id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(b,)| b))
    }

    /// The public documents of every meeting of `body`, oldest first (its page lists them
    /// under their meetings).
    pub async fn body_documents(&self, body: BodyId) -> Result<Vec<MeetingDocument>> {
        let sql = concat!(
            "SELECT ",
            document_columns!(),
            " FROM meeting_documents WHERE public = 1 AND meeting_id IN \
             (SELECT id FROM meetings WHERE body_id = $1) ORDER BY id LIMIT 2000"
        );
        let rows = sqlx::query(sql).bind(body.0).fetch_all(&self.pool).await?;
        rows.iter().map(document).collect()
    }

    /// The briefs of `body`'s meetings that readers can see at `now`, as (meeting, headline,
    /// slug), oldest first.
    pub async fn body_briefs(
        &self,
        body: BodyId,
        now: DateTime<Utc>,
    ) -> Result<Vec<(MeetingId, String, String)>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(concat!(
            "SELECT mb.meeting_id, ar.title, ar.slug FROM meeting_briefs mb \
             JOIN articles ar ON ar.id = mb.article_id \
             JOIN meetings m ON m.id = mb.meeting_id WHERE m.body_id = $2 AND",
            visible!(),
            "ORDER BY ar.id LIMIT 2000"
        ))
        .bind(to_micros(now))
        .bind(body.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(m, title, slug)| (MeetingId(m), title, slug))
            .collect())
    }

    /// The brief drafted for story `article`, if it is one.
    pub async fn meeting_brief(&self, article: ArticleId) -> Result<Option<MeetingBrief>> {
        let sql = concat!("SELECT ", brief_columns!(), " WHERE article_id = $1");
        let row = sqlx::query(sql)
            .bind(article.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(brief).transpose()
    }

    /// The briefs drafted for `meeting`, oldest first.
    pub async fn meeting_briefs(&self, meeting: MeetingId) -> Result<Vec<MeetingBrief>> {
        let sql = concat!(
            "SELECT ",
            brief_columns!(),
            " WHERE meeting_id = $1 ORDER BY article_id LIMIT 50"
        );
        let rows = sqlx::query(sql)
            .bind(meeting.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(brief).collect()
    }

    /// Records that `actor` (an editor) checked the brief's facts against the record, with an
    /// audit entry, in one transaction. Signing again moves the time and keeps one row.
    pub async fn sign_off_brief(
        &self,
        article: ArticleId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE meeting_briefs SET signed_off_by = $1, signed_off_at = $2 WHERE article_id = $3",
        )
        .bind(actor.user.map(|u| u.0))
        .bind(to_micros(now))
        .bind(article.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let target = format!("article {}", article.0);
        record(
            &mut tx,
            actor,
            "meeting.sign_off",
            &target,
            "facts checked against the record",
            now,
        )
        .await?;
        self.commit(tx).await
    }
}

impl StoryWrite<'_> {
    /// Ties story `article`, inserted in this write, to its meeting, the document it was
    /// drafted from and those facts, unsigned.
    pub async fn add_meeting_brief(
        &mut self,
        article: ArticleId,
        meeting: MeetingId,
        document: Option<DocumentId>,
        facts: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO meeting_briefs (article_id, meeting_id, document_id, facts) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(article.0)
        .bind(meeting.0)
        .bind(document.map(|d| d.0))
        .bind(facts)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Whether story `article` may publish as far as the meeting desk goes: `false` only for
    /// a brief drafted from a record whose facts no editor has signed off.
    pub async fn brief_signed_off(&mut self, article: ArticleId) -> Result<bool> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT signed_off_at FROM meeting_briefs WHERE article_id = $1")
                .bind(article.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(!matches!(row, Some((None,))))
    }
}

fn document(row: &AnyRow) -> Result<MeetingDocument> {
    Ok(MeetingDocument {
        id: DocumentId(row.try_get("id")?),
        meeting_id: MeetingId(row.try_get("meeting_id")?),
        kind: row.try_get("kind")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        byte_size: row.try_get("byte_size")?,
        sha256: row.try_get("sha256")?,
        source_url: row.try_get("source_url")?,
        public: row.try_get::<i64, _>("public")? != 0,
        created_at: from_micros(row.try_get("created_at")?),
    })
}

fn brief(row: &AnyRow) -> Result<MeetingBrief> {
    Ok(MeetingBrief {
        article_id: ArticleId(row.try_get("article_id")?),
        meeting_id: MeetingId(row.try_get("meeting_id")?),
        document_id: row
            .try_get::<Option<i64>, _>("document_id")?
            .map(DocumentId),
        facts: row.try_get("facts")?,
        signed_off_by: row.try_get::<Option<i64>, _>("signed_off_by")?.map(UserId),
        signed_off_at: row
            .try_get::<Option<i64>, _>("signed_off_at")?
            .map(from_micros),
    })
}
