//! The meeting desk's public bodies (a village board, a school board, …) and their meetings
//! (migration 0025). A body has a public page by slug; each meeting has a date, a place and
//! a status, and while it is upcoming a calendar event announces it, written in the
//! meeting's own transaction ([`crate::events`]), so the events calendar, its feeds and its
//! `.ics` list it with no second writer. Every write bumps the content version (the body's
//! page shows it) and is audit-logged. The documents of a meeting and the briefs drafted
//! from them are in `meeting_documents.rs`.

use crate::audit::{Actor, record};
use crate::events::{first_free, taken_slugs, write_meeting_event};
use crate::site::bump_version;
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, NaiveDate, Utc};
use masthead_core::{BodyId, EventFields, EventId, InvalidInput, MeetingId, Slug};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// The most public bodies a site keeps (the desk and the public index list them on one page;
/// the literal in the list's SQL).
pub const MAX_BODIES: i64 = 500;

/// The most meetings one list reads (a body's page, the desk's list; the literal in their SQL).
pub const MEETINGS_PAGE: u32 = 200;

/// A member of a public body, with the title and term the body's page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyMember {
    /// Their name as the minutes write it ("Dana Ortiz").
    pub name: String,
    /// Their seat ("Trustee", "President", "Member"); may be empty.
    #[serde(default)]
    pub title: String,
    /// When the term began, if known.
    #[serde(default)]
    pub term_start: Option<NaiveDate>,
    /// When the term ends, if known.
    #[serde(default)]
    pub term_end: Option<NaiveDate>,
}

/// What a body is made of, as the desk writes it (checked by `masthead_desk::meetings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyFields {
    /// Its name ("Cedar Hollow Village Board").
    pub name: String,
    /// What kind of body it is ("village board", "school board", …).
    pub kind: String,
    /// Where it usually meets.
    pub place: String,
    /// A few words about it for its page.
    pub about: String,
    /// Its members.
    pub members: Vec<BodyMember>,
}

/// A public body as stored.
#[derive(Debug, Clone, Serialize)]
pub struct PublicBody {
    /// Its id.
    pub id: BodyId,
    /// Its page's address under `/bodies/`.
    pub slug: String,
    /// What it is.
    #[serde(flatten)]
    pub fields: BodyFields,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeetingStatus {
    /// Announced, not yet held.
    Scheduled,
    /// Held (its documents and brief follow).
    Held,
    /// Called off.
    Cancelled,
}

impl MeetingStatus {
    /// Every status, in the desk's order.
    pub const ALL: [MeetingStatus; 3] = [Self::Scheduled, Self::Held, Self::Cancelled];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status named `s`, or an error naming the choices.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                InvalidInput::new("Status", "must be one of scheduled, held or cancelled")
            })
    }
}

/// What a meeting is, as the desk writes it.
#[derive(Debug, Clone)]
pub struct MeetingFields {
    /// The body that meets.
    pub body: BodyId,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// Where (the body's usual place when the desk leaves it empty).
    pub place: String,
    /// Where it stands.
    pub status: MeetingStatus,
    /// The calendar event that announces it, when it is upcoming (built by the desk in the
    /// site's time zone); `None` leaves an existing event as it was.
    pub event: Option<EventFields>,
}

/// A meeting as stored, with its body's name and page.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRecord {
    /// Its id.
    pub id: MeetingId,
    /// The body that meets.
    pub body_id: BodyId,
    /// That body's name.
    pub body_name: String,
    /// That body's page under `/bodies/`.
    pub body_slug: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// Where.
    pub place: String,
    /// Where it stands.
    pub status: MeetingStatus,
    /// The calendar event announcing it, if any.
    pub event_id: Option<EventId>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// The columns [`body`] reads; a macro so the queries can `concat!` it.
macro_rules! body_columns {
    () => {
        "id, slug, name, kind, place, about, members, created_at, updated_at"
    };
}

/// The columns [`meeting`] reads, `m` the meeting and `b` its body.
macro_rules! meeting_columns {
    () => {
        "m.id, m.body_id, b.name AS body_name, b.slug AS body_slug, m.starts_at, m.place, \
         m.status, m.event_id, m.updated_at FROM meetings m JOIN public_bodies b ON b.id = m.body_id"
    };
}

impl Store {
    /// Every public body, by name.
    pub async fn public_bodies(&self) -> Result<Vec<PublicBody>> {
        let sql = concat!(
            "SELECT ",
            body_columns!(),
            " FROM public_bodies ORDER BY name, id LIMIT 500"
        );
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(body).collect()
    }

    /// The body with id `id`.
    pub async fn public_body(&self, id: BodyId) -> Result<Option<PublicBody>> {
        let sql = concat!(
            "SELECT ",
            body_columns!(),
            " FROM public_bodies WHERE id = $1"
        );
        let row = sqlx::query(sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(body).transpose()
    }

    /// The body whose page is `/bodies/{slug}`.
    pub async fn public_body_by_slug(&self, slug: &str) -> Result<Option<PublicBody>> {
        let sql = concat!(
            "SELECT ",
            body_columns!(),
            " FROM public_bodies WHERE slug = $1"
        );
        let row = sqlx::query(sql)
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(body).transpose()
    }

    /// Adds a body with a free slug made from its name, audit-logged.
    pub async fn create_public_body(
        &self,
        fields: &BodyFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(BodyId, Slug)> {
        let mut tx = self.write_tx().await?;
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM public_bodies")
            .fetch_one(&mut *tx)
            .await?;
        if count >= MAX_BODIES {
            return Err(StoreError::Conflict(format!(
                "a site keeps at most {MAX_BODIES} public bodies; edit one that is no longer covered"
            )));
        }
        if self.backend() == crate::Backend::Postgres {
            // Writers of new bodies take turns, so two with one name get two slugs.
            sqlx::query("SELECT pg_advisory_xact_lock(1102)")
                .execute(&mut *tx)
                .await?;
        }
        let slug = free_slug(&mut tx, &fields.name).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO public_bodies (slug, name, kind, place, about, members, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(slug.as_str())
        .bind(&fields.name)
        .bind(&fields.kind)
        .bind(&fields.place)
        .bind(&fields.about)
        .bind(members_json(&fields.members)?)
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "body.create",
            &format!("body {id}"),
            &fields.name,
            now,
        )
        .await?;
        bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok((BodyId(id), slug))
    }

    /// Replaces a body's fields (its slug stays, so its page keeps its address).
    pub async fn update_public_body(
        &self,
        id: BodyId,
        fields: &BodyFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE public_bodies SET name = $1, kind = $2, place = $3, about = $4, members = $5, \
             updated_at = $6 WHERE id = $7",
        )
        .bind(&fields.name)
        .bind(&fields.kind)
        .bind(&fields.place)
        .bind(&fields.about)
        .bind(members_json(&fields.members)?)
        .bind(to_micros(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        record(
            &mut tx,
            actor,
            "body.edit",
            &format!("body {}", id.0),
            &fields.name,
            now,
        )
        .await?;
        bump_version(&mut tx).await?;
        self.commit(tx).await
    }

    /// A body's meetings, newest first.
    pub async fn body_meetings(&self, id: BodyId) -> Result<Vec<MeetingRecord>> {
        let sql = concat!(
            "SELECT ",
            meeting_columns!(),
            " WHERE m.body_id = $1 ORDER BY m.starts_at DESC, m.id DESC LIMIT 200"
        );
        let rows = sqlx::query(sql).bind(id.0).fetch_all(&self.pool).await?;
        rows.iter().map(meeting).collect()
    }

    /// Every body's meetings, newest first (the desk's list).
    pub async fn recent_meetings(&self) -> Result<Vec<MeetingRecord>> {
        let sql = concat!(
            "SELECT ",
            meeting_columns!(),
            " ORDER BY m.starts_at DESC, m.id DESC LIMIT 200"
        );
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(meeting).collect()
    }

    /// The meeting with id `id`.
    pub async fn meeting(&self, id: MeetingId) -> Result<Option<MeetingRecord>> {
        let sql = concat!("SELECT ", meeting_columns!(), " WHERE m.id = $1");
        let row = sqlx::query(sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(meeting).transpose()
    }

    /// Adds a meeting, and its calendar event when `fields.event` is given, in one
    /// transaction.
    pub async fn create_meeting(
        &self,
        fields: &MeetingFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MeetingId> {
        let mut tx = self.write_tx().await?;
        check_body(&mut tx, fields.body).await?;
        let event = match &fields.event {
            Some(e) => Some(
                self.announce(&mut tx, None, e, fields.status, actor, now)
                    .await?,
            ),
            None => None,
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meetings (body_id, starts_at, place, status, event_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(fields.body.0)
        .bind(to_micros(fields.starts_at))
        .bind(&fields.place)
        .bind(fields.status.as_str())
        .bind(event.map(|e| e.0))
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "meeting.create",
            &format!("meeting {id}"),
            fields.status.as_str(),
            now,
        )
        .await?;
        bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(MeetingId(id))
    }

    /// Replaces a meeting's date, place and status, and brings its calendar event up to date
    /// (or adds one) when `fields.event` is given.
    pub async fn update_meeting(
        &self,
        id: MeetingId,
        fields: &MeetingFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let old: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT event_id FROM meetings WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        let (old_event,) = old.ok_or(StoreError::NotFound)?;
        check_body(&mut tx, fields.body).await?;
        let event = match &fields.event {
            Some(e) => Some(
                self.announce(
                    &mut tx,
                    old_event.map(EventId),
                    e,
                    fields.status,
                    actor,
                    now,
                )
                .await?,
            ),
            None => old_event.map(EventId),
        };
        sqlx::query(
            "UPDATE meetings SET body_id = $1, starts_at = $2, place = $3, status = $4, \
             event_id = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(fields.body.0)
        .bind(to_micros(fields.starts_at))
        .bind(&fields.place)
        .bind(fields.status.as_str())
        .bind(event.map(|e| e.0))
        .bind(to_micros(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "meeting.edit",
            &format!("meeting {}", id.0),
            fields.status.as_str(),
            now,
        )
        .await?;
        bump_version(&mut tx).await?;
        self.commit(tx).await
    }

    async fn announce(
        &self,
        tx: &mut Transaction<'static, Any>,
        event: Option<EventId>,
        fields: &EventFields,
        status: MeetingStatus,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<EventId> {
        let cancelled = status == MeetingStatus::Cancelled;
        write_meeting_event(tx, self.backend(), event, fields, cancelled, actor, now).await
    }
}

/// Refuses a meeting naming a body that does not exist, in the meeting's transaction.
async fn check_body(tx: &mut Transaction<'static, Any>, body: BodyId) -> Result<()> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM public_bodies WHERE id = $1")
        .bind(body.0)
        .fetch_optional(&mut **tx)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Invalid(InvalidInput::new(
            "Body",
            "is not a public body of this site; choose one from the list",
        ))),
    }
}

fn members_json(members: &[BodyMember]) -> Result<String> {
    serde_json::to_string(members)
        .map_err(|e| StoreError::Corrupt(format!("a body's members could not be written: {e}")))
}

fn body(row: &AnyRow) -> Result<PublicBody> {
    let members: String = row.try_get("members")?;
    Ok(PublicBody {
        id: BodyId(row.try_get("id")?),
        slug: row.try_get("slug")?,
        fields: BodyFields {
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            place: row.try_get("place")?,
            about: row.try_get("about")?,
            members: serde_json::from_str(&members).map_err(|e| {
                StoreError::Corrupt(format!("a body's stored members are not valid JSON: {e}"))
            })?,
        },
        created_at: from_micros(row.try_get("created_at")?),
        updated_at: from_micros(row.try_get("updated_at")?),
    })
}

fn meeting(row: &AnyRow) -> Result<MeetingRecord> {
    let status: String = row.try_get("status")?;
    Ok(MeetingRecord {
        id: MeetingId(row.try_get("id")?),
        body_id: BodyId(row.try_get("body_id")?),
        body_name: row.try_get("body_name")?,
        body_slug: row.try_get("body_slug")?,
        starts_at: from_micros(row.try_get("starts_at")?),
        place: row.try_get("place")?,
        status: MeetingStatus::parse(&status)?,
        event_id: row.try_get::<Option<i64>, _>("event_id")?.map(EventId),
        updated_at: from_micros(row.try_get("updated_at")?),
    })
}

/// The name's slug, or with `-2`, `-3`, … when taken.
async fn free_slug(tx: &mut Transaction<'static, Any>, name: &str) -> Result<Slug> {
    let mut base = Slug::from_title(name).as_str().to_owned();
    base.truncate(80);
    let base = base.trim_end_matches('-').to_owned();
    let sql = "SELECT slug FROM public_bodies WHERE slug = $1 OR slug LIKE $2";
    let taken = taken_slugs(tx, sql, &base).await?;
    first_free(&base, &taken)
}
