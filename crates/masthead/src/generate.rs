//! `masthead generate --stories N`: fills a database with realistic generated stories for
//! benchmarks (1k, 100k, 1M), with a progress bar. Running it again adds more.

use crate::config::Config;
use anyhow::anyhow;
use chrono::Duration;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use masthead_core::{ArticleStatus, AuthorId, SectionId, Slug};
use masthead_core::{Clock, SystemClock};
use masthead_desk::Imported;
use masthead_store::{Actor, ArticleFields, KindParts, Placement, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const WORDS: &[&str] = &[
    "village",
    "board",
    "approved",
    "budget",
    "residents",
    "school",
    "district",
    "council",
    "meeting",
    "road",
    "repairs",
    "water",
    "library",
    "trustees",
    "voted",
    "plan",
    "county",
    "sheriff",
    "farmers",
    "harvest",
    "downtown",
    "business",
    "owners",
    "festival",
    "parade",
    "students",
    "teachers",
    "park",
    "district",
    "grant",
    "state",
    "funding",
    "property",
    "taxes",
    "levy",
    "hearing",
    "public",
    "comment",
    "mayor",
    "commissioners",
    "the",
    "a",
    "and",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "after",
    "before",
    "during",
    "said",
    "would",
    "could",
    "will",
    "new",
    "local",
    "last",
    "week",
    "Tuesday",
    "night",
    "morning",
    "officials",
    "project",
];

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
/// Distinct bodies written up front and reused (each story is still rendered and checked by
/// the desk's rules, like any other).
const BODY_VARIANTS: usize = 64;
const BATCH: u64 = 500;

fn sentence(rng: &mut StdRng, words: usize) -> String {
    let mut s: Vec<&str> = (0..words)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect();
    let first = s[0];
    let capital = format!("{}{}", first[..1].to_uppercase(), &first[1..]);
    s[0] = &capital;
    format!("{}.", s.join(" "))
}

/// Adds `count` published stories spread over the past years, across sections and authors.
pub async fn run(config: &Config, count: u64) -> anyhow::Result<()> {
    config.prepare_data_dir()?;
    let store = Store::connect(&config.database_url())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let (sections, authors) = ensure_desks(&store).await?;
    let mut rng = StdRng::seed_from_u64(count ^ store.count_articles().await? as u64);
    let bodies: Vec<_> = (0..BODY_VARIANTS)
        .map(|_| {
            (0..8)
                .map(|_| sentence(&mut rng, 60))
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .collect();
    let start = store.count_articles().await?;
    let progress =
        ProgressBar::with_draw_target(Some(count), ProgressDrawTarget::stderr_with_hz(4));
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} stories, {per_sec}, eta {eta}")
            .map_err(|e| anyhow!("progress template: {e}"))?,
    );
    let now = SystemClock.now();
    let actor = Actor::system("generator");
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut batch = Vec::with_capacity(n as usize);
        for i in 0..n {
            let serial = start as u64 + done + i + 1;
            let title = sentence(&mut rng, 8).trim_end_matches('.').to_owned();
            let md = &bodies[rng.random_range(0..bodies.len())];
            // Spread stories back from now, one every 15 minutes on average.
            let published_at = now
                - Duration::minutes((serial * 15) as i64)
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
                sentence(&mut rng, 30)
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
                    body_md: md.clone(),
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
        masthead_desk::import(&store, batch, &actor, now)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        done += n;
        progress.set_position(done);
    }
    progress.finish();
    eprintln!(
        "added {count} stories; the database now holds {}",
        store.count_articles().await?
    );
    store.close().await;
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
