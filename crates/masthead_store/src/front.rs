//! The front page as the editor arranges it: a pinned top story and an ordered set of
//! featured stories (`front_slots`, each with an optional expiry), and a breaking-news
//! banner (`front_banner`). The home page reads which stories it shows, with its latest
//! stories, in one query ([`Store::front_page`]); the desk changes it through a [`FrontWrite`], which
//! serialises every change of the front (see there). The rules (who may, which stories may
//! lead) live in `masthead_desk::front`.

use crate::articles::{page_window, visible};
use crate::audit::{Actor, record};
use crate::columns::Columns;
use crate::dialect::per_backend;
use crate::direct::Bind;
use crate::listed::{Listed, listed_columns, listed_from_json, listed_object};
use crate::model::ListPage;
use crate::{Backend, Result, Store, StoreError, from_micros, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::ArticleId;
use serde::Serialize;
use sqlx::{Any, Row, Transaction};
use std::sync::LazyLock;

/// One story on the front: which, and until when (`None`: until the editor changes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontSlot {
    /// The story.
    pub article: ArticleId,
    /// When it leaves the front by itself.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The editor's arrangement of the front page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontArrangement {
    /// The story that leads, instead of the newest.
    pub top: Option<FrontSlot>,
    /// The featured stories, in order.
    pub featured: Vec<FrontSlot>,
}

impl FrontArrangement {
    /// Whether `article` is on the front (as top story or featured).
    pub fn holds(&self, article: ArticleId) -> bool {
        self.top
            .iter()
            .chain(&self.featured)
            .any(|s| s.article == article)
    }

    /// Takes `article` off the front, wherever it is; whether it was there.
    pub fn remove(&mut self, article: ArticleId) -> bool {
        let before = self.featured.len() + usize::from(self.top.is_some());
        if self.top.is_some_and(|s| s.article == article) {
            self.top = None;
        }
        self.featured.retain(|s| s.article != article);
        before != self.featured.len() + usize::from(self.top.is_some())
    }
}

/// A slot as the desk lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DeskSlot {
    /// The story.
    pub id: ArticleId,
    /// Its headline.
    pub title: String,
    /// Its address.
    pub slug: String,
    /// 0 for the top story, then 1, 2, … for the featured ones.
    pub position: i64,
    /// When it leaves the front by itself.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The breaking-news banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Banner {
    /// What it says.
    pub text: String,
    /// Where it links (empty: nowhere).
    pub link: String,
    /// When it goes away by itself.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Which stories the home page shows, read in one query; their teasers are read by id, only
/// for those the server does not keep rendered (see `listed.rs`).
#[derive(Debug, Clone)]
pub struct FrontPage {
    /// The pinned top story, if one is pinned, visible and not expired.
    pub top: Option<Listed>,
    /// The featured stories that are visible and not expired, in order.
    pub featured: Vec<Listed>,
    /// The newest visible stories that are not on the front in a slot.
    pub latest: ListPage<Listed>,
}

/// A slot's stories (`$pos` picks the top story or the featured ones), each a [`Listed`]
/// JSON object, as one JSON array in position order: only visible stories whose slot has
/// not expired at `$1`.
macro_rules! slots_query {
    ($pos:literal, $arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            "SELECT COALESCE((SELECT ",
            $arr,
            listed_object!($arr, $end, $obj, $js, $je),
            " ORDER BY t.p",
            $end,
            " FROM (SELECT ",
            listed_columns!($arr, $end, $obj, $js, $je),
            ", f.position AS p",
            " FROM front_slots f JOIN articles ar ON ar.id = f.article_id",
            " JOIN sections s ON s.id = ar.section_id LEFT JOIN media m ON m.id = ar.image_id",
            " WHERE",
            visible!(),
            "AND ",
            $pos,
            " AND (f.expires_at IS NULL OR f.expires_at > $1)) t), '[]')"
        )
    };
}

/// The newest visible stories not held in a live slot, each a [`Listed`] JSON object, as one
/// JSON array.
macro_rules! rest_query {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            "SELECT COALESCE((SELECT ", $arr, listed_object!($arr, $end, $obj, $js, $je),
            " ORDER BY t.k1 DESC, t.k2 DESC", $end,
            " FROM (SELECT ", listed_columns!($arr, $end, $obj, $js, $je),
            ", ar.published_at AS k1, ar.id AS k2",
            " FROM articles ar JOIN sections s ON s.id = ar.section_id LEFT JOIN media m ON m.id = ar.image_id",
            " WHERE", visible!(),
            "AND ar.id NOT IN (SELECT f.article_id FROM front_slots f",
            " WHERE f.expires_at IS NULL OR f.expires_at > $1)",
            " ORDER BY ar.published_at DESC, ar.id DESC", page_window!(), ") t), '[]')"
        )
    };
}

/// The home page's one statement per backend: the top story, the featured ones and the
/// latest, each a JSON array in its own column.
static FRONT_SQL: LazyLock<[String; 2]> = LazyLock::new(|| {
    [Backend::Sqlite, Backend::Postgres].map(|backend| {
        format!(
            "SELECT ({}) AS top, ({}) AS featured, ({}) AS latest",
            per_backend!(backend, slots_query, "f.position = 0"),
            per_backend!(backend, slots_query, "f.position > 0"),
            per_backend!(backend, rest_query),
        )
    })
});

/// The front query's three lists: the top story (none or one), the featured ones and the
/// latest, as read.
type FrontLists = (Vec<Listed>, Vec<Listed>, Vec<Listed>);

/// [`FrontLists`] from the front query's row, read through either driver.
fn front_lists(row: &impl Columns) -> Result<FrontLists> {
    Ok((
        listed_from_json(&row.text("top")?)?,
        listed_from_json(&row.text("featured")?)?,
        listed_from_json(&row.text("latest")?)?,
    ))
}

/// The home page's statement on `backend` for `latest` stories besides the front's (one
/// more is read, to know whether there are more). The limit is an integer we chose, never
/// request text (see `articles::paged`).
pub(crate) fn front_statement(backend: Backend, latest: u32) -> sqlx::AssertSqlSafe<String> {
    let sql = &FRONT_SQL[usize::from(backend == Backend::Postgres)];
    crate::articles::paged(sql.as_str(), latest + 1, 0)
}

impl Store {
    /// The front page at `now` in one query: the pinned and featured stories that are
    /// visible and not expired, and the `latest` newest visible stories besides them.
    pub async fn front_page(&self, now: DateTime<Utc>, latest: u32) -> Result<FrontPage> {
        let statement = front_statement(self.backend(), latest);
        let binds = [Bind::Int(to_micros(now))];
        let (top, featured, mut items) =
            match self.direct_row(&statement.0, &binds, |row| front_lists(row)) {
                Some(lists) => lists?.ok_or(StoreError::NotFound)?,
                None => {
                    let mut lease = self.lease().await?;
                    let row = sqlx::query(statement)
                        .bind(to_micros(now))
                        .fetch_one(lease.conn())
                        .await?;
                    lease.finished();
                    front_lists(&row)?
                }
            };
        let has_more = items.len() > latest as usize;
        items.truncate(latest as usize);
        Ok(FrontPage {
            top: top.into_iter().next(),
            featured,
            latest: ListPage { items, has_more },
        })
    }

    /// Every slot of the front as stored, top story first, with the stories' headlines
    /// (expired slots too, until the next change of the front drops them).
    pub async fn front_slots(&self) -> Result<Vec<DeskSlot>> {
        let rows = sqlx::query(
            "SELECT f.article_id, f.position, f.expires_at, ar.title, ar.slug \
             FROM front_slots f JOIN articles ar ON ar.id = f.article_id ORDER BY f.position",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeskSlot {
                    id: ArticleId(row.try_get("article_id")?),
                    title: row.try_get("title")?,
                    slug: row.try_get("slug")?,
                    position: row.try_get("position")?,
                    expires_at: row
                        .try_get::<Option<i64>, _>("expires_at")?
                        .map(from_micros),
                })
            })
            .collect()
    }

    /// The banner as stored (the desk shows it even once expired).
    pub async fn stored_banner(&self) -> Result<Option<Banner>> {
        let mut conn = self.pool.acquire().await?;
        read_banner(&mut conn).await
    }

    /// The banner readers see at `now`: stored and not expired.
    pub async fn banner(&self, now: DateTime<Utc>) -> Result<Option<Banner>> {
        Ok(self
            .stored_banner()
            .await?
            .filter(|b| b.expires_at.is_none_or(|at| at > now)))
    }

    /// Starts a change of the front page (see [`FrontWrite`]).
    pub async fn write_front(&self) -> Result<FrontWrite<'_>> {
        let mut tx = self.write_tx().await?;
        // First, so it is also the lock: on PostgreSQL the row lock on `site_state` makes
        // every change of the front wait for the one before it, and each then reads the
        // arrangement that one committed (READ COMMITTED reads afresh per statement).
        site::bump_version(&mut tx).await?;
        Ok(FrontWrite { store: self, tx })
    }
}

async fn read_banner(conn: &mut sqlx::AnyConnection) -> Result<Option<Banner>> {
    let row = sqlx::query("SELECT text, link, expires_at FROM front_banner WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(Banner {
            text: row.try_get("text")?,
            link: row.try_get("link")?,
            expires_at: row
                .try_get::<Option<i64>, _>("expires_at")?
                .map(from_micros),
        })
    })
    .transpose()
}

/// A change of the front page in progress: one write transaction that has already moved
/// the content version (so every cache turns over when it commits) and holds the lock every
/// other change of the front waits for (SQLite's one writer; on PostgreSQL the
/// `site_state` row). Read the arrangement, change it, [`FrontWrite::replace`] it whole:
/// two editors changing the front at once each apply their change to what the other left,
/// never to a copy the other is also changing. Rolled back if dropped.
pub struct FrontWrite<'s> {
    store: &'s Store,
    tx: Transaction<'static, Any>,
}

impl FrontWrite<'_> {
    /// The arrangement at `now`, without slots that have expired.
    pub async fn arrangement(&mut self, now: DateTime<Utc>) -> Result<FrontArrangement> {
        let rows: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT article_id, position, expires_at FROM front_slots \
             WHERE expires_at IS NULL OR expires_at > $1 ORDER BY position",
        )
        .bind(to_micros(now))
        .fetch_all(&mut *self.tx)
        .await?;
        let mut front = FrontArrangement::default();
        for (article, position, expires_at) in rows {
            let slot = FrontSlot {
                article: ArticleId(article),
                expires_at: expires_at.map(from_micros),
            };
            if position == 0 {
                front.top = Some(slot);
            } else {
                front.featured.push(slot);
            }
        }
        Ok(front)
    }

    /// The headline of story `id` if readers can see it at `now` and it is published (not
    /// merely scheduled); `None` otherwise, or if there is no such story.
    pub async fn live_story(
        &mut self,
        id: ArticleId,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(concat!(
            "SELECT ar.title FROM articles ar WHERE ar.id = $2 AND ar.status = 'published' AND",
            visible!()
        ))
        .bind(to_micros(now))
        .bind(id.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.map(|(title,)| title))
    }

    /// Stores `front` in place of the arrangement: the top story at position 0, the
    /// featured ones from 1 in order.
    pub async fn replace(&mut self, front: &FrontArrangement) -> Result<()> {
        sqlx::query("DELETE FROM front_slots")
            .execute(&mut *self.tx)
            .await?;
        let top = front.top.iter().map(|s| (0_i64, s));
        let featured = front.featured.iter().zip(1_i64..).map(|(s, p)| (p, s));
        for (position, slot) in top.chain(featured) {
            sqlx::query(
                "INSERT INTO front_slots (article_id, position, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(slot.article.0)
            .bind(position)
            .bind(slot.expires_at.map(to_micros))
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Puts up `banner` (replacing any), or takes it down with `None`.
    pub async fn set_banner(&mut self, banner: Option<&Banner>, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("DELETE FROM front_banner")
            .execute(&mut *self.tx)
            .await?;
        if let Some(b) = banner {
            sqlx::query(
                "INSERT INTO front_banner (id, text, link, expires_at, updated_at) \
                 VALUES (1, $1, $2, $3, $4)",
            )
            .bind(&b.text)
            .bind(&b.link)
            .bind(b.expires_at.map(to_micros))
            .bind(to_micros(now))
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Adds an entry to the audit log, in this transaction.
    pub async fn record(
        &mut self,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        record(&mut self.tx, actor, action, target, detail, now).await
    }

    /// Commits the change.
    pub async fn commit(self) -> Result<()> {
        self.store.commit(self.tx).await
    }

    /// Ends the change without writing anything.
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
