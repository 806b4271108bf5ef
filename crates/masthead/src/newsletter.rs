//! The newsletter from the command line and the operator's mail settings:
//! - [`mail`] reads `smtp_url`, `mail_from` and the DKIM key once, at start, so a mistake
//!   stops the server with a message naming the setting rather than failing at send time;
//! - `masthead newsletter send --list SLUG [--now]` makes a send of a list from the
//!   automatic selection (for cron and scripts) and schedules it at once for the running
//!   servers to send; with `--now` this process sends it itself, showing progress, and
//!   returns when every reader is settled.

use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use masthead_core::{Clock, SystemClock};
use masthead_mail::{Dkim, SmtpSettings};
use masthead_store::{Actor, SendContent, SendState, Store};
use masthead_web::newsletter::{Mail, compose, worker};
use std::sync::Arc;

/// The mail settings of `config`, or `None` when `smtp_url` is empty.
pub fn mail(config: &Config) -> anyhow::Result<Option<Mail>> {
    if config.smtp_url.trim().is_empty() {
        return Ok(None);
    }
    let mut smtp =
        SmtpSettings::parse(config.smtp_url.trim()).map_err(|e| anyhow!("smtp_url: {e}"))?;
    if let Some(path) = &config.smtp_ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("smtp_ca_file: cannot read {}", path.display()))?;
        smtp = smtp
            .with_root_certificate(&pem)
            .map_err(|e| anyhow!("smtp_ca_file {}: {e}", path.display()))?;
    }
    let from = config.mail_from.trim();
    if masthead_core::EmailAddress::parse(from).is_err() {
        bail!(
            "mail_from must be the address newsletter mail comes from, like news@example.org \
             (it is needed when smtp_url is set), not {from:?}"
        );
    }
    let dkim = match &config.dkim_key_file {
        None => None,
        Some(path) => {
            if config.dkim_domain.trim().is_empty() || config.dkim_selector.trim().is_empty() {
                bail!("dkim_key_file is set: set dkim_domain and dkim_selector too");
            }
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("dkim_key_file: cannot read {}", path.display()))?;
            let key = Dkim::load(config.dkim_domain.trim(), config.dkim_selector.trim(), &pem)
                .map_err(|e| anyhow!("dkim_key_file {}: {e}", path.display()))?;
            Some(key)
        }
    };
    tracing::info!(server = %smtp, from, dkim = dkim.is_some(), "the newsletter sends mail");
    Ok(Some(Mail {
        smtp,
        from_address: from.to_owned(),
        dkim,
        per_minute: i64::from(config.smtp_per_minute),
        connections: config.smtp_connections as usize,
        click_counts: config.newsletter_click_counts,
    }))
}

/// `masthead newsletter send --list SLUG [--now]`.
pub async fn send(config: &Config, list: &str, now_here: bool) -> anyhow::Result<()> {
    let media_dir = config.prepare_data_dir()?;
    let store = Store::connect(&config.database_url())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let mail = mail(config)?;
    if mail.is_none() {
        bail!("smtp_url is not set, so nothing can be sent: set smtp_url and mail_from first");
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let name = if config.site_name.is_empty() {
        "Local News".to_owned()
    } else {
        config.site_name.clone()
    };
    let state = crate::serve::app_state(
        config,
        store.clone(),
        clock.clone(),
        &config.base_url(),
        name,
        config.tagline.clone(),
        media_dir,
    )?;
    let state = match mail {
        Some(m) => state.with_mail(m),
        None => state,
    };
    state.refresh().await.map_err(|e| anyhow!("{e}"))?;
    let lists = store.newsletter_lists().await?;
    let Some(list) = lists.iter().find(|l| l.slug == list) else {
        let names: Vec<&str> = lists.iter().map(|l| l.slug.as_str()).collect();
        bail!(
            "there is no list {list:?}; the lists are {}",
            names.join(", ")
        );
    };
    let now = clock.now();
    let items = compose::selection(&state, list, now)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if items.is_empty() {
        println!(
            "Nothing was published since {} was last sent: nothing to send.",
            list.name
        );
        return Ok(());
    }
    let date = now
        .with_timezone(&state.config().timezone)
        .format("%B %-d, %Y");
    let subject = format!("{}: {date}", list.name);
    let (html, text) =
        compose::render_send(&state, list, &subject, "", &items).map_err(|e| anyhow!("{e}"))?;
    let content = SendContent {
        subject,
        intro: String::new(),
        items_json: serde_json::to_string(&items)?,
        article: None,
        html,
        text,
    };
    let actor = Actor::system("masthead newsletter send");
    let id = store
        .create_send(list.id, list.kind, &content, &actor, now)
        .await?;
    store
        .move_send(
            id,
            &[SendState::Draft],
            SendState::Scheduled,
            Some(now),
            &actor,
            now,
        )
        .await?;
    println!(
        "Send {id}: {} with {} stories to {} confirmed readers, scheduled now.",
        list.name,
        items.len(),
        list.readers
    );
    if !now_here {
        println!("A running masthead server sends it; follow it in the desk (Newsletter).");
        return Ok(());
    }
    let Some(mail) = state.mail.clone() else {
        return Ok(());
    };
    let me = worker::worker_id();
    let bar = indicatif::ProgressBar::new(list.readers.max(0).unsigned_abs());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} mails settled, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    loop {
        worker::round(&state, &mail, &me)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let Some(send) = store.send(id).await? else {
            bail!("the send disappeared")
        };
        let c = send.counts;
        bar.set_length(c.total().max(0).unsigned_abs());
        bar.set_position((c.total() - c.waiting - c.sending).max(0).unsigned_abs());
        match send.state {
            SendState::Done | SendState::Cancelled => {
                bar.finish_and_clear();
                println!(
                    "Done: {} sent, {} skipped, {} bounced, {} failed, {} uncertain.",
                    c.sent, c.skipped, c.bounced, c.failed, c.uncertain
                );
                return Ok(());
            }
            SendState::Paused => {
                bar.abandon();
                bail!(
                    "the send is paused after repeated mail server failures ({}); fix the \
                     server or smtp_url, then resume it in the desk",
                    send.last_error
                );
            }
            _ => tokio::time::sleep(worker::TICK).await,
        }
    }
}
