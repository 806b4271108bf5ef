//! `masthead wire …`: the wire desk's sources from the command line — add a feed, list the
//! sources with their last fetch and counts, pull now, remove.
//!
//! Whether local and private addresses may be fetched is the operator's setting
//! (`--allow-local-fetch` / `MASTHEAD_ALLOW_LOCAL_FETCH=true`), given here and to `serve`,
//! never stored in the database: `wire add` refuses a feed on such an address with the
//! fetcher's reason unless it is given.

use crate::config::Config;
use crate::user::open_store;
use anyhow::{anyhow, bail};
use chrono::Duration;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use masthead_core::{Clock, Slug, SystemClock, WireSourceId};
use masthead_fetch::{FetchPolicy, Fetcher};
use masthead_media::MediaStorage;
use masthead_store::{Store, StoreError, WireMode, WireSource, WireSourceSettings};
use masthead_wire::{Ingest, SourceRules};
use std::sync::Arc;

/// The fetcher the operator's setting allows.
pub fn fetcher(base_url: &str, allow_local_fetch: bool) -> anyhow::Result<Fetcher> {
    Fetcher::new(FetchPolicy {
        allow_local: allow_local_fetch,
        ..FetchPolicy::new(base_url)
    })
    .map_err(|e| anyhow!("{e}"))
}

/// What `wire add` was given.
pub struct AddArgs<'a> {
    /// The feed's address.
    pub url: &'a str,
    /// The name shown in the desk and credited by default.
    pub name: &'a str,
    /// The section its stories go to unless a rule says otherwise.
    pub section: Option<&'a str>,
    /// `auto` or `review`.
    pub mode: &'a str,
    /// Minutes between pulls.
    pub interval_minutes: u32,
    /// The operator's setting.
    pub allow_local_fetch: bool,
}

/// `masthead wire add`: checks the address as a fetch would and the section, and stores the
/// source, due at once.
pub async fn add(config: &Config, args: AddArgs<'_>) -> anyhow::Result<()> {
    let mode = WireMode::parse(args.mode).map_err(|e| anyhow!("--mode: {}", e.message))?;
    let fetcher = fetcher(&config.base_url(), args.allow_local_fetch)?;
    if let Err(e) = fetcher.check_address(args.url).await {
        let hint = if e.refusal().is_some() && !args.allow_local_fetch {
            "\nIf this feed really is on your own network, the operator can allow local \
             addresses with --allow-local-fetch (or MASTHEAD_ALLOW_LOCAL_FETCH=true)."
        } else {
            ""
        };
        bail!("refused {}: {e}{hint}", args.url);
    }
    let store = open_store(config).await?;
    let sections = store.sections().await?;
    if sections.is_empty() {
        bail!("the site has no sections yet: add one in the desk first, then add the source");
    }
    let section = match args.section {
        None => None,
        Some(text) => {
            let slug = Slug::parse(text.trim()).map_err(|e| anyhow!("--section: {}", e.message))?;
            if !sections.iter().any(|s| s.slug == slug.as_str()) {
                let known: Vec<String> = sections.iter().map(|s| s.slug.clone()).collect();
                bail!(
                    "--section: there is no section \"{slug}\"; the sections are: {}",
                    known.join(", ")
                );
            }
            Some(slug)
        }
    };
    let rules = SourceRules {
        wire_name: args.name.trim().to_owned(),
        default_section: section,
        ..SourceRules::default()
    };
    let settings = WireSourceSettings {
        name: args.name.to_owned(),
        url: args.url.trim().to_owned(),
        rules_json: serde_json::to_string(&rules)?,
        mode,
        interval: Duration::minutes(i64::from(args.interval_minutes)),
        enabled: true,
    };
    let id = store
        .add_wire_source(&settings, SystemClock.now())
        .await
        .map_err(|e| match e {
            StoreError::Invalid(i) => anyhow!("--{}: {}", flag_of(i.field), i.message),
            other => anyhow!("{other}"),
        })?;
    println!(
        "added source {id}: {} ({}), {} mode, every {} minutes",
        settings.name.trim(),
        settings.url,
        mode.as_str(),
        args.interval_minutes
    );
    eprintln!(
        "`masthead wire pull --source {id}` pulls it now; a running server pulls it within a minute."
    );
    Ok(())
}

fn flag_of(field: &str) -> &'static str {
    match field {
        "Interval" => "interval",
        "Name" => "name",
        "Address" => "url",
        _ => "rules",
    }
}

/// `masthead wire list`: a table of the sources.
pub async fn list(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let sources = store.wire_sources().await?;
    if sources.is_empty() {
        println!("no wire sources; add one with `masthead wire add URL --name NAME`");
        return Ok(());
    }
    println!(
        "{:>4}  {:<24} {:<6} {:>5}  {:<20} {:>6} {:>7} {:>7} {:>7}  LAST ERROR",
        "ID",
        "NAME",
        "MODE",
        "EVERY",
        "LAST FETCH (UTC)",
        "STATUS",
        "CREATED",
        "UPDATED",
        "WAITING"
    );
    for s in &sources {
        let last = s
            .last_fetch_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "never".into());
        let status = s
            .last_status
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into());
        let error = if !s.enabled {
            format!("DISABLED: {}", or_dash(&s.disabled_reason))
        } else {
            or_dash(&s.last_error).to_owned()
        };
        println!(
            "{:>4}  {:<24} {:<6} {:>4}m  {:<20} {:>6} {:>7} {:>7} {:>7}  {}",
            s.id.0,
            cut(&s.name, 24),
            s.mode.as_str(),
            s.interval_secs / 60,
            last,
            status,
            s.items_created,
            s.items_updated,
            s.waiting,
            error
        );
    }
    Ok(())
}

fn or_dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

fn cut(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}

/// `masthead wire pull`: pulls one source, or every enabled one, now, with a progress bar
/// over the items (hidden when standard error is not a terminal).
pub async fn pull(
    config: &Config,
    source: Option<i64>,
    allow_local_fetch: bool,
) -> anyhow::Result<()> {
    config.prepare_data_dir()?;
    let store = open_store(config).await?;
    let sources: Vec<WireSource> = match source {
        Some(id) => vec![find(&store, id).await?],
        None => store
            .wire_sources()
            .await?
            .into_iter()
            .filter(|s| s.enabled)
            .collect(),
    };
    if sources.is_empty() {
        println!("no enabled wire sources to pull");
        return Ok(());
    }
    let media: Arc<dyn MediaStorage> = crate::media_store::open(config)?;
    let ingest = Ingest {
        store: store.clone(),
        fetcher: fetcher(&config.base_url(), allow_local_fetch)?,
        media: Some(media),
        clock: Arc::new(SystemClock),
    };
    let mut failed = 0;
    for source in &sources {
        let now = SystemClock.now();
        let Some(claimed) = store
            .claim_wire_source(source.id, now, masthead_wire::worker::LEASE)
            .await?
        else {
            eprintln!(
                "{}: a server is pulling it right now; try again in a minute",
                source.name
            );
            failed += 1;
            continue;
        };
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
        bar.set_style(
            ProgressStyle::with_template("{prefix} {bar:40} {pos}/{len} items, {per_sec}")
                .map_err(|e| anyhow!("progress template: {e}"))?,
        );
        bar.set_prefix(cut(&source.name, 20));
        let progress = |done: usize, total: usize| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        };
        let report = ingest
            .pull(&claimed, Some(&progress))
            .await
            .map_err(|e| anyhow!("{}: {e}", source.name))?;
        bar.finish_and_clear();
        let status = report
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "no response".into());
        if report.not_modified {
            println!("{}: {status}, not modified", source.name);
        } else {
            println!(
                "{}: {status}, {} created ({} queued for review), {} updated, {} flagged as updated at the source, {} unchanged, {} skipped",
                source.name,
                report.created,
                report.queued,
                report.updated,
                report.flagged,
                report.unchanged,
                report.skipped
            );
        }
        for e in &report.errors {
            eprintln!("  {e}");
        }
        if let Some(reason) = &report.failure {
            eprintln!("{}: failed: {reason}", source.name);
            failed += 1;
        }
    }
    if failed > 0 {
        bail!("{failed} of {} sources failed", sources.len());
    }
    Ok(())
}

/// `masthead wire remove`: forgets a source; its stories stay.
pub async fn remove(config: &Config, id: i64) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let source = find(&store, id).await?;
    store
        .remove_wire_source(source.id, SystemClock.now())
        .await?;
    println!(
        "removed source {id} ({}); the stories it brought stay on the site and in the desk, \
         under its licence (adding the same address again brings the source back)",
        source.name
    );
    Ok(())
}

async fn find(store: &Store, id: i64) -> anyhow::Result<WireSource> {
    match store.wire_source(WireSourceId(id)).await {
        Ok(s) => Ok(s),
        Err(StoreError::NotFound) => {
            bail!("there is no wire source {id}; `masthead wire list` shows the sources")
        }
        Err(e) => Err(e.into()),
    }
}
