//! On PostgreSQL, loaded with an archive of 30,000 stories and analyzed, every list (and the
//! home page's latest stories) reads an index in order: no plan sorts the archive. SQLite's
//! plans are checked in `store_story.rs` and `list_depth.rs`; its planner picks one index per table, PostgreSQL's weighs costs, so
//! its plans are only meaningful on a database of a realistic size and shape.
//!
//! The plans checked are the generic ones the server runs (its sessions force them; see
//! `Store::postgres_list_plans`). Two kinds of list may sort, and only what they are bound
//! to: a page newer than a cursor (the generic plan expects a two-sided range on the time to
//! match few rows, so it fetches the stories between the cursor and now and sorts them), and
//! a desk queue (drafts, review, scheduled), which holds at most the stories in that state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::{ArticleStatus, ListCursor, PageNumber, Role, SectionId, Slug, TagId, UserId};
use masthead_desk::Imported;
use masthead_store::{
    Actor, ArticleFields, ArticleFilter, ListWindow, NewUser, Placement, Store, to_micros,
};
use masthead_testkit::{Desk, TestDb, insert_all_at, t0};
use sqlx::Connection;

/// Stories loaded through the desk's import (the one way stories are written).
const BASE: u64 = 1800;
/// Copies of each published one, for older years.
const COPIES: u64 = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_reads_an_index_in_order_on_postgres() {
    let db = TestDb::postgres().await;
    let a = archive(&db).await;
    let filters = [
        ("all", ArticleFilter::All),
        ("section", ArticleFilter::Section(a.section)),
        ("author", ArticleFilter::Author(a.desk.reporter)),
        ("tag", ArticleFilter::Tag(a.tag)),
    ];
    let public = db
        .store
        .postgres_list_plans(&filters, t0(), a.middle, 20)
        .await
        .unwrap();
    assert_eq!(
        public.len(),
        2 * 4 * 3,
        "(teasers, keys) × filters × (page, before, after)"
    );
    let desk = db
        .store
        .postgres_desk_plans(a.owner, a.desk_middle)
        .await
        .unwrap();
    assert_eq!(
        desk.len(),
        5 * 4,
        "statuses × (everyone's, own) × (top, before)"
    );

    let front = db.store.postgres_front_plan(t0(), 20).await.unwrap();

    let mut failures = Vec::new();
    // The home page: its latest stories read the archive's index in order, and the top
    // and featured stories are found from their slots, never by reading every story.
    failures.extend(check("front latest", &front, &["articles_published"], None));
    if front.contains("Seq Scan on articles ") {
        failures.push(format!("front reads the whole archive:\n{front}"));
    }
    for (name, plan) in &public {
        let mut words = name.split(' ');
        // A section holds many stories, so walking the whole archive's index and skipping the
        // other sections' stories reads in order as well as the section's own index does.
        let indexes: &[&str] = match words.next() {
            Some("all") => &["articles_published"],
            Some("section") => &["articles_section_published", "articles_published"],
            Some("author") => &["article_authors_author"],
            Some("tag") => &["article_tags_tag"],
            other => panic!("unexpected list {other:?}"),
        };
        // Between the cursor and now: the cursor's bound is a condition of the index read.
        let may_sort = words.next() == Some("after");
        failures.extend(check(name, plan, indexes, may_sort.then_some(">= $")));
    }
    for (name, plan) in &desk {
        let queue = ["Draft", "Review", "Scheduled"]
            .into_iter()
            .find(|state| name.starts_with(&format!("Some({state})")));
        // A queue: the rows sorted are found through the queue's index, by state.
        let bound = queue.map(|state| {
            format!(
                "NULLIF(status, 'published'::text) = '{}'::text",
                state.to_lowercase()
            )
        });
        let indexes = ["articles_modified", "articles_owner", "articles_desk"];
        failures.extend(check(name, plan, &indexes, bound.as_deref()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What is wrong with `plan`, if anything. Under its `Limit` (what finds the page's rows) it
/// must never scan a whole table of stories, and must read one of `indexes` in order without
/// sorting; or, when `sorted_bound` is given, it may sort the rows it found through an index
/// condition containing that text.
fn check(name: &str, plan: &str, indexes: &[&str], sorted_bound: Option<&str>) -> Option<String> {
    let nodes = under_limit(plan);
    let problem = if let Some(scan) = nodes.iter().find(|node| {
        ["articles ", "article_authors ", "article_tags "]
            .iter()
            .any(|table| node.starts_with(&format!("Seq Scan on {table}")))
    }) {
        format!("reads a whole table ({scan})")
    } else if !nodes.iter().any(|node| node.contains("Sort")) {
        let driving = nodes.iter().find(|node| node.contains(" Scan"));
        let ordered = driving.is_some_and(|scan| {
            (scan.starts_with("Index Scan") || scan.starts_with("Index Only Scan"))
                && indexes
                    .iter()
                    .any(|index| scan.contains(&format!(" using {index} on ")))
        });
        if ordered {
            return None;
        }
        format!("does not read {indexes:?} in order")
    } else {
        match sorted_bound {
            Some(bound) if index_conditions(plan).any(|cond| cond.contains(bound)) => return None,
            Some(bound) => format!("sorts rows not bounded by an index condition on {bound:?}"),
            None => "sorts".to_owned(),
        }
    };
    Some(format!("{name} {problem}:\n{plan}"))
}

/// The nodes of an EXPLAIN text plan under its first `Limit`, each as its text without the
/// arrow. Panics when the plan has no `Limit`.
fn under_limit(plan: &str) -> Vec<&str> {
    let nodes: Vec<(usize, &str)> = plan
        .lines()
        .enumerate()
        .filter_map(|(i, line)| match line.find("->  ") {
            Some(at) => Some((at, line[at + 4..].trim())),
            None if i == 0 => Some((0, line.trim())),
            None => None,
        })
        .collect();
    let (at, (depth, _)) = nodes
        .iter()
        .enumerate()
        .find(|(_, (_, node))| node.starts_with("Limit"))
        .unwrap_or_else(|| panic!("no Limit in the plan:\n{plan}"));
    nodes[at + 1..]
        .iter()
        .take_while(|(d, _)| d > depth)
        .map(|(_, node)| *node)
        .collect()
}

/// The conditions the plan's index reads start from (`Index Cond`, and a bitmap heap scan's
/// `Recheck Cond`, which repeats its index's).
fn index_conditions(plan: &str) -> impl Iterator<Item = &str> {
    plan.lines().map(str::trim).filter_map(|line| {
        line.strip_prefix("Index Cond: ")
            .or_else(|| line.strip_prefix("Recheck Cond: "))
    })
}

/// A newsroom's archive: 1,800 stories published a minute apart before `t0`, in six sections
/// of uneven size, by twelve authors (some stories by two), each with up to three of sixty
/// tags (a few on many stories, most on few), with 270 drafts and stories in review and 18
/// scheduled, loaded through the store; then each published story copied for fifteen older
/// years. Every story is owned by one of eight staff and saved a minute after the last.
struct Archive {
    desk: Desk,
    section: SectionId,
    tag: TagId,
    owner: UserId,
    /// A story half way down the public archive.
    middle: ListCursor,
    /// A story half way down the desk's lists (in save order).
    desk_middle: ListCursor,
}

async fn archive(db: &TestDb) -> Archive {
    let store = &db.store;
    let desk = Desk::create(store).await;
    let (sections, authors) = desks(store, &desk).await;
    // A fixed pseudo-random sequence (an LCG), so every run loads the same archive.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut story = |i: u64, status: ArticleStatus| {
        let title = format!("{status:?} story {i}");
        let mut story = ArticleFields::news(
            &title,
            Slug::from_title(&title),
            sections[next(10) as usize],
        );
        story.authors = vec![authors[next(12) as usize]];
        let second = authors[next(12) as usize];
        if next(5) == 0 && !story.authors.contains(&second) {
            story.authors.push(second);
        }
        for _ in 0..next(4) {
            // Tag k is about 1/(k+1) as common as tag 0.
            let k = 60_f64.powf(next(1000) as f64 / 1000.0) as u64 - 1;
            let tag = format!("Topic {k}");
            if !story.tags.contains(&tag) {
                story.tags.push(tag);
            }
        }
        let published_at = match status {
            ArticleStatus::Draft | ArticleStatus::Review => None,
            ArticleStatus::Scheduled => Some(t0() + Duration::hours(i as i64)),
            _ => Some(t0() - Duration::minutes((BASE - i) as i64)),
        };
        Imported {
            fields: story,
            placement: Placement {
                status,
                published_at,
                updated_at: None,
            },
        }
    };
    let mut batch = Vec::new();
    for i in 0..BASE {
        batch.push(story(i, ArticleStatus::Published));
        let unpublished = match i % 20 {
            0 | 7 => Some(ArticleStatus::Draft),
            3 => Some(ArticleStatus::Review),
            _ if i % 100 == 9 => Some(ArticleStatus::Scheduled),
            _ => None,
        };
        batch.extend(unpublished.map(|status| story(i, status)));
        if batch.len() >= 500 {
            insert_all_at(store, std::mem::take(&mut batch), t0()).await;
        }
    }
    insert_all_at(store, batch, t0()).await;
    let mut owners = Vec::new();
    for n in 0..8 {
        owners.push(staff(store, n).await);
    }
    assert_eq!(owners[7].0, owners[0].0 + 7, "owner ids are consecutive");
    copy_and_analyze(db, owners[0]).await;

    let tag = store
        .tag_by_slug("topic-0")
        .await
        .unwrap()
        .expect("the commonest tag")
        .id;
    let half = BASE * (COPIES + 1) / 2;
    let middle = store
        .list_window(
            ArticleFilter::All,
            t0(),
            ListWindow::Page(PageNumber::parse(&(half / 20).to_string()).unwrap()),
            20,
        )
        .await
        .unwrap()
        .items
        .first()
        .map(|t| ListCursor {
            at: to_micros(t.published_at),
            id: t.id.0,
        })
        .expect("a story half way down the archive");
    let row = store
        .desk_list(None, None, 1, half)
        .await
        .unwrap()
        .pop()
        .expect("a story half way down the desk's list");
    Archive {
        section: sections[9],
        desk,
        tag,
        owner: owners[1],
        middle,
        desk_middle: ListCursor {
            at: to_micros(row.modified_at),
            id: row.id.0,
        },
    }
}

/// Ten picks of a section (four of the news, two of sports, one each of four more) and
/// twelve authors.
async fn desks(store: &Store, desk: &Desk) -> (Vec<SectionId>, Vec<masthead_core::AuthorId>) {
    let slug = |s: String| Slug::parse(&s).unwrap();
    let mut sections = vec![desk.news; 4];
    sections.extend([desk.sports; 2]);
    for n in 0..4 {
        let name = format!("Section {n}");
        let id = store
            .insert_section(&slug(format!("section-{n}")), &name, "")
            .await
            .unwrap();
        sections.push(id);
    }
    let mut authors = vec![desk.reporter, desk.editor];
    for n in 0..10 {
        let name = format!("Writer {n}");
        let id = store
            .insert_author(&slug(format!("writer-{n}")), &name, "", None)
            .await
            .unwrap();
        authors.push(id);
    }
    (sections, authors)
}

/// Copies each published story [`COPIES`] times, each copy [`BASE`] minutes before the last,
/// with its authors and tags (and their copies of `published_at`), whatever the columns are;
/// spreads owners (from `first_owner` on) and save times; then `VACUUM ANALYZE`. The store's
/// inserts take about a millisecond a story in a debug build, so only the first years go
/// through them.
async fn copy_and_analyze(db: &TestDb, first_owner: UserId) {
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let shift = BASE as i64 * 60_000_000;
    let copy = |table: &str, key: &str| {
        format!(
            "INSERT INTO {table} SELECT r.* FROM {table} x JOIN copies c ON c.old_id = x.{key}, \
             LATERAL jsonb_populate_record(NULL::{table}, to_jsonb(x) || jsonb_build_object(\
             '{key}', c.new_id, 'published_at', x.published_at - c.n * $1{slug})) r",
            slug = if table == "articles" {
                ", 'slug', x.slug || '-' || c.n"
            } else {
                ""
            }
        )
    };
    let statements: [(String, Option<i64>); 6] = [
        (
            "CREATE TEMPORARY TABLE copies AS SELECT a.id AS old_id, g AS n, \
             nextval(pg_get_serial_sequence('articles', 'id')) AS new_id \
             FROM articles a CROSS JOIN generate_series(1, $1) g WHERE a.status = 'published'"
                .into(),
            Some(COPIES as i64),
        ),
        ("ANALYZE copies".into(), None),
        (copy("articles", "id"), Some(shift)),
        (copy("article_authors", "article_id"), Some(shift)),
        (copy("article_tags", "article_id"), Some(shift)),
        (
            "UPDATE articles SET owner_id = $1 + id % 8, modified_at = created_at + id * 60000000"
                .into(),
            Some(first_owner.0),
        ),
    ];
    for (statement, value) in statements {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        if let Some(value) = value {
            query = query.bind(value);
        }
        query.execute(&mut conn).await.unwrap();
    }
    let (published, drafts, tags): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*) FILTER (WHERE status = 'published'), \
         COUNT(*) FILTER (WHERE status = 'draft'), \
         (SELECT COUNT(DISTINCT tag_id) FROM article_tags) FROM articles",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        (published, drafts),
        ((BASE * (COPIES + 1)) as i64, (BASE / 10) as i64)
    );
    assert!(tags > 40, "{tags} tags in use");
    // As autovacuum does soon after a bulk load: statistics for the planner, and the
    // visibility map that lets it answer from an index alone. A statistics target above the
    // table sizes makes ANALYZE read every row rather than a random sample, so each run
    // plans alike.
    sqlx::query("SET default_statistics_target = 1000")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("VACUUM ANALYZE")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn staff(store: &Store, n: usize) -> UserId {
    store
        .create_user(
            &NewUser {
                email: format!("staff{n}@example.org"),
                name: format!("Staff {n}"),
                role: Role::Author,
                password_hash: "!".into(),
            },
            &Actor::system("test"),
            t0(),
        )
        .await
        .unwrap()
}
