//! Community calendar events. An event is upcoming until it ends (or, with no end time,
//! until it starts); only approved events are shown.

use crate::articles::{page_window, paged};
use crate::model::{Event, ListPage, NewEvent};
use crate::{Result, Store, from_micros, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{EventId, PageNumber, WebUrl};

type EventRow = (
    i64,
    String,
    i64,
    Option<i64>,
    i64,
    String,
    String,
    String,
    String,
);

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
        let rows: Vec<EventRow> = sqlx::query_as(paged(SQL, per_page + 1, page.offset(per_page)))
            .bind(to_micros(now))
            .fetch_all(&self.pool)
            .await?;
        let mut items: Vec<Event> = rows.into_iter().map(event_from_row).collect();
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

fn event_from_row(row: EventRow) -> Event {
    let (id, title, starts_at, ends_at, all_day, timezone, location, description, link) = row;
    Event {
        id: EventId(id),
        title,
        starts_at: from_micros(starts_at),
        ends_at: ends_at.map(from_micros),
        all_day: all_day != 0,
        timezone,
        location,
        description,
        // Only web addresses become links, whatever an older version stored.
        link: if WebUrl::is_web_url(&link) {
            link
        } else {
            String::new()
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn stored_links_that_are_not_web_addresses_are_dropped_on_read() {
        let row = |link: &str| {
            (
                1,
                "Fair".to_owned(),
                0,
                None,
                0,
                "UTC".to_owned(),
                String::new(),
                String::new(),
                link.to_owned(),
            )
        };
        assert_eq!(event_from_row(row("javascript:alert(1)")).link, "");
        assert_eq!(
            event_from_row(row("https://fair.example/")).link,
            "https://fair.example/"
        );
    }
}
