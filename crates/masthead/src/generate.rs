//! `masthead generate --stories N`: fills a database with realistic generated stories for
//! benchmarks (1k, 100k, 1M), with a progress bar. Running it again adds more. Their text is
//! real English words in their natural proportions, so searching it means something. At the
//! end the full-text index is merged into one segment, as a running server keeps it.

use crate::config::Config;
use anyhow::anyhow;
use chrono::Duration;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use masthead_core::{ArticleStatus, AuthorId, SectionId, Slug};
use masthead_core::{Clock, SystemClock};
use masthead_desk::Imported;
use masthead_store::{
    Actor, ArticleFields, Backend, KindParts, MERGE_PAGES, MergeStep, Placement, Store,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::task::JoinSet;

/// The vocabulary, most frequent first (a word list of English Wikipedia; see the file).
const WORD_LIST: &str = include_str!("generate_words.txt");

/// Real words drawn with Zipf's law (the word of rank r with weight 1/r), as in real text: a
/// few words are in nearly every story, most in few. Search benchmarks need that spread; a
/// small vocabulary drawn evenly puts every word in every story.
struct Words {
    words: Vec<&'static str>,
    /// Cumulative weights, for drawing by binary search.
    cumulative: Vec<f64>,
}

impl Words {
    fn new() -> Self {
        let words: Vec<&'static str> = WORD_LIST
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Words { words, cumulative }
    }

    /// A word of rank `from` or rarer (headlines skip the commonest words).
    fn draw(&self, rng: &mut StdRng, from: usize) -> &'static str {
        let low = self.cumulative[from.min(self.words.len() - 1)];
        let high = self.cumulative[self.cumulative.len() - 1];
        let x = rng.random_range(low..high);
        let i = self.cumulative.partition_point(|&c| c < x);
        self.words[i.min(self.words.len() - 1)]
    }

    /// A sentence of `n` words from rank `from` on, capitalised, with a full stop.
    fn sentence(&self, rng: &mut StdRng, n: usize, from: usize) -> String {
        let mut s = String::with_capacity(n * 8);
        for i in 0..n {
            let word = self.draw(rng, from);
            if i == 0 {
                s.push_str(&word[..1].to_uppercase());
                s.push_str(&word[1..]);
            } else {
                s.push(' ');
                s.push_str(word);
            }
        }
        s.push('.');
        s
    }
}

const SECTIONS: &[&str] = &[
    "Local News",
    "Government",
    "Schools",
    "Business",
    "Sports",
    "Opinion",
];
const AUTHORS: &[&str] = &[
    "Avery Stone",
    "Jordan Reyes",
    "Casey Brandt",
    "Morgan Ellis",
    "Riley Novak",
];
const BATCH: u64 = 500;
/// Headlines draw from this rank on: they have few of the commonest words.
const HEADLINE_FROM: usize = 50;

/// Adds `count` published stories spread over the past years, across sections and authors.
pub async fn run(config: &Config, count: u64) -> anyhow::Result<()> {
    config.prepare_data_dir()?;
    let store = Store::connect(&config.database_url())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    crate::user::at_current_rendering(&store).await?;
    let (sections, authors) = ensure_desks(&store).await?;
    let mut rng = StdRng::seed_from_u64(count ^ store.count_articles().await? as u64);
    let words = Words::new();
    let start = store.count_articles().await?;
    let progress =
        ProgressBar::with_draw_target(Some(count), ProgressDrawTarget::stderr_with_hz(4));
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} stories, {per_sec}, eta {eta}")
            .map_err(|e| anyhow!("progress template: {e}"))?,
    );
    let now = SystemClock.now();
    let actor = Actor::system("generator");
    // PostgreSQL writes each batch in a backend of its own, which does most of the work (the
    // search index's words): two batches at a time keep two cores busy. SQLite writes one at
    // a time anyway.
    let in_flight = match store.backend() {
        Backend::Postgres => 2,
        Backend::Sqlite => 1,
    };
    let mut writing = JoinSet::new();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut batch = Vec::with_capacity(n as usize);
        for i in 0..n {
            let serial = start as u64 + done + i + 1;
            let title = words
                .sentence(&mut rng, 8, HEADLINE_FROM)
                .trim_end_matches('.')
                .to_owned();
            // Eight paragraphs of about 50 words, each story its own.
            let md = (0..8)
                .map(|_| {
                    let n = rng.random_range(40..60);
                    words.sentence(&mut rng, n, 0)
                })
                .collect::<Vec<_>>()
                .join("\n\n");
            // One story every 15 minutes on average, oldest first, up to now: ids grow with
            // publication time, as on a real site.
            let back = start as u64 + count - serial;
            let published_at = now
                - Duration::minutes((back * 15) as i64)
                - Duration::seconds(rng.random_range(0..600));
            let slug = Slug::parse(&format!(
                "{}-{serial}",
                Slug::from_title(&title)
                    .as_str()
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .trim_end_matches('-')
            ))?;
            let summary = if serial.is_multiple_of(3) {
                words.sentence(&mut rng, 30, 0)
            } else {
                String::new()
            };
            let author = authors[rng.random_range(0..authors.len())];
            let section = sections[rng.random_range(0..sections.len())];
            let tags = vec![format!("topic {}", rng.random_range(0..200))];
            batch.push(Imported {
                fields: ArticleFields {
                    parts: if serial.is_multiple_of(10) {
                        KindParts::Opinion
                    } else {
                        KindParts::News
                    },
                    summary,
                    body_md: md,
                    authors: vec![author],
                    tags,
                    ..ArticleFields::news(&title, slug, section)
                },
                placement: Placement {
                    status: ArticleStatus::Published,
                    published_at: Some(published_at),
                    updated_at: None,
                },
            });
        }
        if writing.len() >= in_flight {
            wrote(writing.join_next().await, &progress)?;
        }
        let (store, actor) = (store.clone(), actor.clone());
        writing.spawn(async move {
            masthead_desk::import(&store, batch, &actor, now)
                .await
                .map(|_| n)
                .map_err(|e| anyhow!("{e}"))
        });
        done += n;
    }
    while let Some(joined) = writing.join_next().await {
        wrote(Some(joined), &progress)?;
    }
    progress.finish();
    eprintln!(
        "added {count} stories; the database now holds {}",
        store.count_articles().await?
    );
    merge_search_index(&store).await?;
    store.refresh_statistics().await?;
    store.close().await;
    Ok(())
}

/// Counts a written batch of stories, or stops at its error.
fn wrote(
    joined: Option<Result<anyhow::Result<u64>, tokio::task::JoinError>>,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    if let Some(joined) = joined {
        progress.inc(joined.map_err(|e| anyhow!("a batch's writer stopped: {e}"))??);
    }
    Ok(())
}

/// Merges the full-text index into one segment (SQLite; nothing to do on PostgreSQL), in
/// the bounded steps the server's upkeep uses, with a progress bar over the index's pages:
/// a generated archive is benchmarked as a running server keeps it, not with one segment
/// per batch written.
async fn merge_search_index(store: &Store) -> anyhow::Result<()> {
    let pages = store.search_index_pages().await?;
    if pages == 0 {
        return Ok(());
    }
    let progress =
        ProgressBar::with_draw_target(Some(pages), ProgressDrawTarget::stderr_with_hz(4));
    progress.set_style(
        ProgressStyle::with_template(
            "{bar:40} merging the search index: {pos}/{len} pages, eta {eta} ({msg} segments)",
        )
        .map_err(|e| anyhow!("progress template: {e}"))?,
    );
    progress.set_message(store.search_index_segments().await?.to_string());
    // Larger steps than the server's: nothing else writes meanwhile.
    let step = MERGE_PAGES * 16;
    while store.optimize_search_index_step(step).await? == MergeStep::Worked {
        progress.set_position((progress.position() + u64::from(step)).min(pages));
    }
    progress.set_message(store.search_index_segments().await?.to_string());
    progress.finish();
    Ok(())
}

async fn ensure_desks(store: &Store) -> anyhow::Result<(Vec<SectionId>, Vec<AuthorId>)> {
    let mut sections: Vec<SectionId> = store.sections().await?.into_iter().map(|s| s.id).collect();
    if sections.is_empty() {
        for name in SECTIONS {
            sections.push(
                store
                    .insert_section(&Slug::from_title(name), name, "")
                    .await?,
            );
        }
    }
    let mut authors = Vec::new();
    for name in AUTHORS {
        let slug = Slug::from_title(name);
        let id = match store.author_by_slug(slug.as_str()).await? {
            Some(a) => a.id,
            None => {
                store
                    .insert_author(&slug, name, "A reporter for the benchmark newsroom.", None)
                    .await?
            }
        };
        authors.push(id);
    }
    Ok((sections, authors))
}
