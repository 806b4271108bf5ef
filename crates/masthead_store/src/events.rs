//! Community calendar events: the event rows, their dates (`event_occurrences`, one row per
//! date of a series, written with the event), moderation, and the used nonces of the public
//! form. Readers see approved and cancelled events (cancelled ones marked); pending and
//! rejected ones only the desk sees. A date is upcoming until it ends (or, with no end time,
//! until it starts).
//!
//! A held submission changes nothing readers see, so it does not bump the content version;
//! every write that does (staff saves, status changes of a visible event) bumps it in its
//! transaction, which turns over every cached page that shows events.

use crate::articles::{page_window, paged};
use crate::audit::{Actor, record};
use crate::db::Backend;
use crate::model::{DeskEvent, Event, ListPage, NewEvent};
use crate::{Result, Store, StoreError, from_micros, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{EventFields, EventId, EventStatus, Occurrence, PageNumber, Slug, WebUrl};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

/// The columns of [`Event`] for a date of a series (`o` the date, `e` the event); a macro so
/// the constant queries can `concat!` it.
macro_rules! occurrence_columns {
    () => {
        "e.id, e.slug, e.title, o.starts_at, \
         CASE WHEN e.ends_at IS NULL THEN NULL ELSE o.ends_at END AS ends_at, e.all_day, \
         e.timezone, e.location, e.description, e.link, e.status, e.rrule, e.created_at, \
         e.updated_at"
    };
}
const OCCURRENCE_COLUMNS: &str = occurrence_columns!();

/// The columns of [`Event`] for an event itself (its first date).
const EVENT_COLUMNS: &str = "e.id, e.slug, e.title, e.starts_at, e.ends_at, e.all_day, e.timezone, \
     e.location, e.description, e.link, e.status, e.rrule, e.created_at, e.updated_at";

/// What readers may see.
const PUBLIC: &str = "e.status IN ('approved', 'cancelled')";

/// The most dates one day, week or month view lists.
pub const MAX_RANGE_EVENTS: u32 = 500;

/// Paths under `/events/` that are pages of their own, so never an event's slug.
const RESERVED: &[&str] = &[
    "archive", "past", "submit", "thanks", "day", "week", "month", "calendar", "new",
];

/// An event as the store writes it.
struct EventRow<'a> {
    title: &'a str,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    all_day: bool,
    timezone: &'a str,
    location: &'a str,
    description: &'a str,
    link: String,
    contact: &'a str,
    rrule: String,
    occurrences: Vec<Occurrence>,
}

impl<'a> EventRow<'a> {
    fn of(fields: &'a EventFields) -> Self {
        let occurrences = fields.occurrences();
        let first = occurrences.first().copied();
        Self {
            title: &fields.title,
            starts_at: first.map_or_else(
                || masthead_core::recurrence::place(fields.start, fields.timezone),
                |o| o.starts_at,
            ),
            ends_at: fields.end.and(first.map(|o| o.ends_at)),
            all_day: fields.all_day,
            timezone: fields.timezone.name(),
            location: &fields.location,
            description: &fields.description,
            link: fields
                .link
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_default(),
            contact: &fields.contact,
            rrule: fields
                .rule
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            occurrences,
        }
    }
}

impl Store {
    /// Approved and cancelled events' dates that have not ended by `now`, soonest first.
    pub async fn upcoming_events(
        &self,
        now: DateTime<Utc>,
        page: PageNumber,
        per_page: u32,
    ) -> Result<ListPage<Event>> {
        const SQL: &str = concat!(
            "SELECT ",
            occurrence_columns!(),
            " FROM event_occurrences o JOIN events e ON e.id = o.event_id \
             WHERE o.ends_at >= $1 AND e.status IN ('approved', 'cancelled') ORDER BY o.starts_at, e.id",
            page_window!()
        );
        let rows = sqlx::query(paged(SQL, per_page + 1, page.offset(per_page)))
            .bind(to_micros(now))
            .fetch_all(&self.pool)
            .await?;
        list_page(&rows, per_page)
    }

    /// Dates that ended before `now`, the latest first: the archive of past events.
    pub async fn past_events(
        &self,
        now: DateTime<Utc>,
        page: PageNumber,
        per_page: u32,
    ) -> Result<ListPage<Event>> {
        const SQL: &str = concat!(
            "SELECT ",
            occurrence_columns!(),
            " FROM event_occurrences o JOIN events e ON e.id = o.event_id \
             WHERE o.ends_at < $1 AND e.status IN ('approved', 'cancelled') \
             ORDER BY o.starts_at DESC, e.id DESC",
            page_window!()
        );
        let rows = sqlx::query(paged(SQL, per_page + 1, page.offset(per_page)))
            .bind(to_micros(now))
            .fetch_all(&self.pool)
            .await?;
        list_page(&rows, per_page)
    }

    /// Dates that overlap `[from, to)`, soonest first, at most [`MAX_RANGE_EVENTS`]. An event
    /// lasts at most 31 days, so the scan of the start index is bounded.
    pub async fn events_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {OCCURRENCE_COLUMNS} FROM event_occurrences o JOIN events e ON e.id = o.event_id \
             WHERE o.starts_at >= $1 AND o.starts_at < $2 AND o.ends_at >= $3 AND {PUBLIC} \
             ORDER BY o.starts_at, e.id LIMIT {MAX_RANGE_EVENTS}"
        );
        let earliest = from - chrono::Duration::days(masthead_core::event_fields::MAX_DAYS + 1);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(earliest))
            .bind(to_micros(to))
            .bind(to_micros(from))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// An event readers may see, by slug (its first date).
    pub async fn event_by_slug(&self, slug: &Slug) -> Result<Option<Event>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.slug = $1 AND {PUBLIC}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(event_from_row).transpose()
    }

    /// An event's dates, in order, as `(start, end)`.
    pub async fn event_dates(&self, id: EventId) -> Result<Vec<Occurrence>> {
        let rows = sqlx::query(
            "SELECT starts_at, ends_at FROM event_occurrences WHERE event_id = $1 ORDER BY starts_at",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Occurrence {
                    starts_at: from_micros(r.try_get("starts_at")?),
                    ends_at: from_micros(r.try_get("ends_at")?),
                })
            })
            .collect()
    }

    /// The dates of each of `ids`, in order, as `(event, date)` pairs: one query for a list
    /// of events (the moderation queue) rather than one per event.
    pub async fn events_dates(&self, ids: &[EventId]) -> Result<Vec<(EventId, Occurrence)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT event_id, starts_at, ends_at FROM event_occurrences WHERE event_id IN ({}) \
             ORDER BY event_id, starts_at",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.0);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    EventId(r.try_get("event_id")?),
                    Occurrence {
                        starts_at: from_micros(r.try_get("starts_at")?),
                        ends_at: from_micros(r.try_get("ends_at")?),
                    },
                ))
            })
            .collect()
    }

    /// Events readers may see with a date ending at or after `since`, for the calendar feed:
    /// each with its first date (a series is one entry with its rule), soonest first.
    pub async fn calendar_events(&self, since: DateTime<Utc>, limit: u32) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE {PUBLIC} AND e.id IN \
             (SELECT o.event_id FROM event_occurrences o WHERE o.ends_at >= $1) \
             ORDER BY e.starts_at, e.id LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(since))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Any event by id, with what only the desk sees.
    pub async fn desk_event(&self, id: EventId) -> Result<Option<DeskEvent>> {
        let sql = format!("SELECT {EVENT_COLUMNS}, e.contact FROM events e WHERE e.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(desk_event_from_row).transpose()
    }

    /// Events in `status`, newest first (the moderation queue), at most `limit`.
    pub async fn desk_events(&self, status: EventStatus, limit: u32) -> Result<Vec<DeskEvent>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, e.contact FROM events e WHERE e.status = $1 \
             ORDER BY e.created_at DESC, e.id DESC LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(desk_event_from_row).collect()
    }

    /// How many events wait for moderation.
    pub async fn pending_event_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE status = 'pending'")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Adds an event already approved (the demo, fixtures): one date, the given times.
    pub async fn insert_event(&self, event: &NewEvent, now: DateTime<Utc>) -> Result<EventId> {
        let link = WebUrl::parse_optional("Event link", &event.link)?
            .map(|u| u.to_string())
            .unwrap_or_default();
        let row = EventRow {
            title: &event.title,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            all_day: event.all_day,
            timezone: &event.timezone,
            location: &event.location,
            description: &event.description,
            link,
            contact: "",
            rrule: String::new(),
            occurrences: vec![Occurrence {
                starts_at: event.starts_at,
                ends_at: event
                    .ends_at
                    .unwrap_or(event.starts_at)
                    .max(event.starts_at),
            }],
        };
        let (id, _) = self.write_new(&row, event.status, None, None, now).await?;
        Ok(id)
    }

    /// Adds an event made by staff, in `status` (approved, usually), audit-logged.
    pub async fn create_event(
        &self,
        fields: &EventFields,
        status: EventStatus,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(EventId, Slug)> {
        self.write_new(&EventRow::of(fields), status, Some(actor), None, now)
            .await
    }

    /// Adds a reader's submission, pending, if the form's nonce was not used before: `None`
    /// means it was (a replayed form), and nothing was written.
    pub async fn submit_event(
        &self,
        fields: &EventFields,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<EventId>> {
        match self
            .write_new(
                &EventRow::of(fields),
                EventStatus::Pending,
                None,
                Some(nonce),
                now,
            )
            .await
        {
            Ok((id, _)) => Ok(Some(id)),
            Err(StoreError::Conflict(c)) if c == REPLAYED => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes a new event and its dates in one transaction, with a free slug.
    async fn write_new(
        &self,
        row: &EventRow<'_>,
        status: EventStatus,
        actor: Option<&Actor>,
        nonce: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(EventId, Slug)> {
        let mut tx = self.write_tx().await?;
        if let Some(nonce) = nonce {
            let used = sqlx::query(
                "INSERT INTO form_nonces (nonce, used_at) VALUES ($1, $2) \
                 ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
            )
            .bind(nonce)
            .bind(to_micros(now))
            .fetch_optional(&mut *tx)
            .await?;
            if used.is_none() {
                return Err(StoreError::Conflict(REPLAYED.to_owned()));
            }
        }
        let made = insert_in(&mut tx, self.backend(), row, status, actor, now).await?;
        self.commit(tx).await?;
        Ok(made)
    }

    /// Replaces an event's fields and dates (its slug and status stay).
    pub async fn update_event(
        &self,
        id: EventId,
        fields: &EventFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        update_in(&mut tx, id, &EventRow::of(fields), None, actor, now).await?;
        self.commit(tx).await
    }

    /// Moves an event to `status` (approve, reject, cancel, or back) from any status, as the
    /// desk's status form does: [`Store::move_event_status`] from every status, so the desk
    /// and the API make one write. An event already in `status` is left as it is.
    pub async fn set_event_status(
        &self,
        id: EventId,
        status: EventStatus,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.move_event_status(id, EventStatus::ALL, status, actor, now)
            .await
            .map(|_| ())
    }

    /// Moves an event to `to`, but only from one of `from` (the API's named actions: approve,
    /// reject, cancel, restore; the desk's form allows every status), in one transaction with
    /// its audit entry (`event.<status>`); pages turn over when the event was or becomes
    /// visible. An event already in `to` is left alone (nothing written, nothing logged), so
    /// a repeated or concurrent request is harmless: of many moderators approving one event
    /// at once, one moves it and the others find it moved.
    /// The update names the status it read, so on PostgreSQL a second writer waits on the
    /// row, finds it changed and reads again; SQLite's single writer takes them in turn.
    pub async fn move_event_status(
        &self,
        id: EventId,
        from: &[EventStatus],
        to: EventStatus,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<StatusMove> {
        // Each retry means another writer moved the event between our read and our write;
        // the next read sees where it went, so a few are plenty.
        for _ in 0..4 {
            let mut tx = self.write_tx().await?;
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT status, title FROM events WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (old, title) = row.ok_or(StoreError::NotFound)?;
            let old = EventStatus::parse(&old)?;
            if old == to || !from.contains(&old) {
                tx.rollback().await?;
                return Ok(if old == to {
                    StatusMove::Already
                } else {
                    StatusMove::Refused(old)
                });
            }
            let done = sqlx::query(
                "UPDATE events SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            )
            .bind(to.as_str())
            .bind(to_micros(now))
            .bind(id.0)
            .bind(old.as_str())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                tx.rollback().await?;
                continue;
            }
            let action = format!("event.{}", to.as_str());
            record(
                &mut tx,
                actor,
                &action,
                &format!("event {}", id.0),
                &title,
                now,
            )
            .await?;
            if visible(to) || visible(old) {
                site::bump_version(&mut tx).await?;
            }
            self.commit(tx).await?;
            return Ok(StatusMove::Moved(old));
        }
        Err(StoreError::Conflict(
            "The event's status kept changing under other moderators; read it again and retry."
                .to_owned(),
        ))
    }

    /// The key public forms' tokens are signed with, made on first use.
    pub async fn form_key(&self) -> Result<String> {
        self.named_form_key("forms").await
    }

    /// The site key named `name`, made on first use by whichever server asks first (the
    /// others read the one it stored).
    pub(crate) async fn named_form_key(&self, name: &str) -> Result<String> {
        let read = || {
            sqlx::query_as::<_, (String,)>("SELECT secret FROM form_keys WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
        };
        if let Some((key,)) = read().await? {
            return Ok(key);
        }
        sqlx::query(
            "INSERT INTO form_keys (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(masthead_core::secret::new_token("fk_"))
        .execute(&self.writer)
        .await?;
        read().await?.map(|(k,)| k).ok_or(StoreError::NotFound)
    }

    /// Forgets the nonces of forms used before `before` (their tokens have expired anyway).
    pub async fn purge_form_nonces(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM form_nonces WHERE used_at < $1")
            .bind(to_micros(before))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

/// What [`Store::move_event_status`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMove {
    /// Moved from this status, audit-logged.
    Moved(EventStatus),
    /// Already in the status asked for: nothing written.
    Already,
    /// In this status, which is not one it may move from: nothing written.
    Refused(EventStatus),
}

/// The conflict a replayed form's nonce raises inside [`Store::write_new`].
const REPLAYED: &str = "this form was already sent";

fn visible(status: EventStatus) -> bool {
    matches!(status, EventStatus::Approved | EventStatus::Cancelled)
}

/// Writes a new event and its dates inside `tx`, with a free slug, audit-logged when an
/// `actor` made it; a visible one bumps the content version.
async fn insert_in(
    tx: &mut sqlx::Transaction<'static, Any>,
    backend: Backend,
    row: &EventRow<'_>,
    status: EventStatus,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> Result<(EventId, Slug)> {
    if backend == Backend::Postgres {
        // Writers of new events take turns, so two with one title get two slugs (SQLite's
        // single writer already does this).
        sqlx::query("SELECT pg_advisory_xact_lock(1101)")
            .execute(&mut **tx)
            .await?;
    }
    let slug = free_slug(tx, row.title).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO events (title, starts_at, ends_at, all_day, timezone, location, description, link, \
         status, created_at, slug, rrule, contact, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $10) RETURNING id",
    )
    .bind(row.title)
    .bind(to_micros(row.starts_at))
    .bind(row.ends_at.map(to_micros))
    .bind(i64::from(row.all_day))
    .bind(row.timezone)
    .bind(row.location)
    .bind(row.description)
    .bind(&row.link)
    .bind(status.as_str())
    .bind(to_micros(now))
    .bind(slug.as_str())
    .bind(&row.rrule)
    .bind(row.contact)
    .fetch_one(&mut **tx)
    .await?;
    write_dates(tx, id, &row.occurrences).await?;
    if let Some(actor) = actor {
        record(
            tx,
            actor,
            "event.create",
            &format!("event {id}"),
            row.title,
            now,
        )
        .await?;
    }
    if visible(status) {
        site::bump_version(tx).await?;
    }
    Ok((EventId(id), slug))
}

/// Replaces an event's fields and dates inside `tx` (its slug stays; its status too, unless
/// `status` names a new one), audit-logged.
async fn update_in(
    tx: &mut sqlx::Transaction<'static, Any>,
    id: EventId,
    row: &EventRow<'_>,
    status: Option<EventStatus>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let old: Option<(String,)> = sqlx::query_as(
        "UPDATE events SET title = $1, starts_at = $2, ends_at = $3, all_day = $4, timezone = $5, \
         location = $6, description = $7, link = $8, rrule = $9, contact = $10, updated_at = $11, \
         status = COALESCE($13, status) WHERE id = $12 RETURNING status",
    )
    .bind(row.title)
    .bind(to_micros(row.starts_at))
    .bind(row.ends_at.map(to_micros))
    .bind(i64::from(row.all_day))
    .bind(row.timezone)
    .bind(row.location)
    .bind(row.description)
    .bind(&row.link)
    .bind(&row.rrule)
    .bind(row.contact)
    .bind(to_micros(now))
    .bind(id.0)
    .bind(status.map(EventStatus::as_str))
    .fetch_optional(&mut **tx)
    .await?;
    let (now_status,) = old.ok_or(StoreError::NotFound)?;
    sqlx::query("DELETE FROM event_occurrences WHERE event_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    write_dates(tx, id.0, &row.occurrences).await?;
    record(
        tx,
        actor,
        "event.edit",
        &format!("event {}", id.0),
        row.title,
        now,
    )
    .await?;
    if visible(EventStatus::parse(&now_status)?) || status.is_some() {
        site::bump_version(tx).await?;
    }
    Ok(())
}

/// A public body's meeting as its calendar event, written in the meeting's transaction:
/// a new approved event, or `event` brought up to date (cancelled with the meeting).
pub(crate) async fn write_meeting_event(
    tx: &mut sqlx::Transaction<'static, Any>,
    backend: Backend,
    event: Option<EventId>,
    fields: &EventFields,
    cancelled: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<EventId> {
    let status = if cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Approved
    };
    let row = EventRow::of(fields);
    match event {
        Some(id) => match update_in(tx, id, &row, Some(status), actor, now).await {
            Ok(()) => Ok(id),
            // Deleted on the desk's calendar page meanwhile: announce it again.
            Err(StoreError::NotFound) => Ok(insert_in(tx, backend, &row, status, Some(actor), now)
                .await?
                .0),
            Err(e) => Err(e),
        },
        None => Ok(insert_in(tx, backend, &row, status, Some(actor), now)
            .await?
            .0),
    }
}

/// The title's slug, or with `-2`, `-3`, … when taken; never a page of the calendar's own.
async fn free_slug(tx: &mut sqlx::Transaction<'_, Any>, title: &str) -> Result<Slug> {
    let mut base = Slug::from_title(title).as_str().to_owned();
    base.truncate(100);
    let base = base.trim_end_matches('-').to_owned();
    let base = if RESERVED.contains(&base.as_str()) {
        format!("{base}-event")
    } else {
        base
    };
    let taken = taken_slugs(
        tx,
        "SELECT slug FROM events WHERE slug = $1 OR slug LIKE $2",
        &base,
    )
    .await?;
    first_free(&base, &taken)
}

/// The slugs a query of `sql` (`$1` the base, `$2` the base and `-%`) finds taken.
pub(crate) async fn taken_slugs(
    tx: &mut sqlx::Transaction<'_, Any>,
    sql: &'static str,
    base: &str,
) -> Result<std::collections::HashSet<String>> {
    let taken: Vec<(String,)> = sqlx::query_as(sql)
        .bind(base)
        .bind(format!("{base}-%"))
        .fetch_all(&mut **tx)
        .await?;
    Ok(taken.into_iter().map(|(s,)| s).collect())
}

/// `base`, or `base-2`, `base-3`, … : the first that `taken` does not hold.
pub(crate) fn first_free(base: &str, taken: &std::collections::HashSet<String>) -> Result<Slug> {
    let mut candidate = base.to_owned();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(Slug::parse(&candidate)?)
}

async fn write_dates(
    tx: &mut sqlx::Transaction<'_, Any>,
    id: i64,
    dates: &[Occurrence],
) -> Result<()> {
    for d in dates {
        sqlx::query(
            "INSERT INTO event_occurrences (event_id, starts_at, ends_at) VALUES ($1, $2, $3) \
             ON CONFLICT (event_id, starts_at) DO NOTHING",
        )
        .bind(id)
        .bind(to_micros(d.starts_at))
        .bind(to_micros(d.ends_at))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn list_page(rows: &[AnyRow], per_page: u32) -> Result<ListPage<Event>> {
    let mut items = rows
        .iter()
        .map(event_from_row)
        .collect::<Result<Vec<_>>>()?;
    let has_more = items.len() > per_page as usize;
    items.truncate(per_page as usize);
    Ok(ListPage { items, has_more })
}

/// Reads an [`Event`] by column name.
fn event_from_row(row: &AnyRow) -> Result<Event> {
    let status = EventStatus::parse(&row.try_get::<String, _>("status")?)?;
    Ok(Event {
        id: EventId(row.try_get("id")?),
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        starts_at: from_micros(row.try_get("starts_at")?),
        ends_at: row.try_get::<Option<i64>, _>("ends_at")?.map(from_micros),
        all_day: row.try_get::<i64, _>("all_day")? != 0,
        timezone: row.try_get("timezone")?,
        location: row.try_get("location")?,
        description: row.try_get("description")?,
        link: web_link(row.try_get("link")?),
        status,
        cancelled: status == EventStatus::Cancelled,
        rrule: row.try_get("rrule")?,
        created_at: from_micros(row.try_get("created_at")?),
        updated_at: from_micros(row.try_get("updated_at")?),
    })
}

fn desk_event_from_row(row: &AnyRow) -> Result<DeskEvent> {
    Ok(DeskEvent {
        event: event_from_row(row)?,
        contact: row.try_get("contact")?,
    })
}

/// Only web addresses become links, whatever an older version stored.
fn web_link(link: String) -> String {
    if WebUrl::is_web_url(&link) {
        link
    } else {
        String::new()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn stored_links_that_are_not_web_addresses_are_dropped_on_read() {
        assert_eq!(web_link("javascript:alert(1)".to_owned()), "");
        assert_eq!(
            web_link("https://fair.example/".to_owned()),
            "https://fair.example/"
        );
    }
}
