//! Community calendar events. An event is upcoming until it ends (or, with no end time,
//! until it starts); only approved events are shown.

use crate::articles::{page_window, paged};
use crate::model::{Event, ListPage, NewEvent};
use crate::{Result, Store, from_micros, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{EventId, PageNumber, WebUrl};
use sqlx::Row;
use sqlx::any::AnyRow;

impl Store {
    /// Approved events that have not ended by `now`, soonest first.
    pub async fn upcoming_events(
        &self,
        now: DateTime<Utc>,
        page: PageNumber,
        per_page: u32,
    ) -> Result<ListPage<Event>> {
        const SQL: &str = concat!(
            "SELECT id, title, starts_at, ends_at, all_day, timezone, location, description, link FROM events \
             WHERE status = 'approved' AND COALESCE(ends_at, starts_at) >= $1 ORDER BY starts_at, id",
            page_window!()
        );
        let rows = sqlx::query(paged(SQL, per_page + 1, page.offset(per_page)))
            .bind(to_micros(now))
            .fetch_all(&self.pool)
            .await?;
        let mut items = rows
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>>>()?;
        let has_more = items.len() > per_page as usize;
        items.truncate(per_page as usize);
        Ok(ListPage { items, has_more })
    }

    /// Adds an event. Its link, if any, must be an http(s) address.
    pub async fn insert_event(&self, event: &NewEvent, now: DateTime<Utc>) -> Result<EventId> {
        let link = WebUrl::parse_optional("Event link", &event.link)?
            .map(|u| u.to_string())
            .unwrap_or_default();
        let mut tx = self.write_tx().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO events (title, starts_at, ends_at, all_day, timezone, location, description, link, \
             status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&event.title)
        .bind(to_micros(event.starts_at))
        .bind(event.ends_at.map(to_micros))
        .bind(i64::from(event.all_day))
        .bind(&event.timezone)
        .bind(&event.location)
        .bind(&event.description)
        .bind(link)
        .bind(event.status.as_str())
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(EventId(id))
    }
}

/// Reads a row of `events` by column name.
fn event_from_row(row: &AnyRow) -> Result<Event> {
    Ok(Event {
        id: EventId(row.try_get("id")?),
        title: row.try_get("title")?,
        starts_at: from_micros(row.try_get("starts_at")?),
        ends_at: row.try_get::<Option<i64>, _>("ends_at")?.map(from_micros),
        all_day: row.try_get::<i64, _>("all_day")? != 0,
        timezone: row.try_get("timezone")?,
        location: row.try_get("location")?,
        description: row.try_get("description")?,
        link: web_link(row.try_get("link")?),
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
