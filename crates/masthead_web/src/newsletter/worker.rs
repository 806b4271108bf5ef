//! The send worker, on every app server: each round it settles leases that ran out,
//! starts due sends (one server each), mails the queued one-off mails (confirmations,
//! preferences links), and works through every going send on
//! [`Mail::connections`](super::Mail) SMTP sessions at once, [`BATCH`] readers per claim,
//! within the per-minute budget all servers share. The queue's rules are in
//! `masthead_store::newsletter_sends`; what this adds is what each SMTP answer means:
//!
//! | where | answer | the item | the send |
//! |---|---|---|---|
//! | connect, TLS, login | any failure | back to the queue, later | paused after [`PAUSE_AFTER`] in a row, the reason shown |
//! | MAIL FROM | 5xx | back to the queue | as above |
//! | RCPT | 5.1.x, 5.2.1, bare 550/551/553 | `bounced`, the reader never mailed again | — |
//! | RCPT | other 5xx (policy) | `failed` | — |
//! | RCPT or DATA | 4xx, lost before the body | retried with backoff, `failed` after [`MAX_ATTEMPTS`] | — |
//! | DATA | 5xx | `failed` | — |
//! | DATA | no answer (timeout, lost) after the body | `uncertain`: never resent on its own | — |
//!
//! Each message is built and signed before its envelope, so the time between marking an
//! item `sending` and the server's answer is one SMTP exchange.

use super::Mail;
use super::compose::personalise;
use super::links::{self, Purpose};
use crate::newsletter::compose::render_reader_mail;
use crate::{AppState, WebError};
use chrono::{DateTime, Duration, Utc};
use masthead_core::jobs::JobRuns;
use masthead_core::{SendId, SubscriberId};
use masthead_mail::{
    ListHeaders, OutgoingMessage, SmtpConnection, SmtpError, Verdict, build_message,
};
use masthead_store::{Backend, ClaimedItem, ItemOutcome, NewsletterList, Send, SendState};
use std::sync::Arc;
use std::time::Duration as StdDuration;

/// How often an idle worker looks for work (a signup or the desk wakes it sooner).
pub const TICK: StdDuration = StdDuration::from_secs(1);
/// How long a claim holds; renewed every round while held, so only a dead worker's lapse.
pub const LEASE: Duration = Duration::minutes(10);
/// Readers claimed at once by one SMTP session.
pub const BATCH: i64 = 20;
/// Server failures in a row that pause a send.
pub const PAUSE_AFTER: i64 = 5;
/// Tries of one reader before giving up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Runs the worker for as long as the server does; returns at once without mail settings.
pub async fn run(state: AppState) {
    let Some(mail) = state.mail.clone() else {
        return;
    };
    let worker = worker_id();
    if state.store.backend() == Backend::Sqlite {
        // One server: whatever a previous process held, it holds no more.
        match state.store.sweep_leases(None).await {
            Ok((0, 0)) => {}
            Ok((requeued, uncertain)) => tracing::warn!(
                requeued,
                uncertain,
                "newsletter: the last run stopped mid-send; unsent mails are queued again, \
                 those the server may have taken are marked uncertain (see the desk)"
            ),
            Err(e) => {
                tracing::error!(error = %e, "newsletter: cannot settle the last run's claims")
            }
        }
    }
    // One-off mails (a reader waiting for a confirmation) go on their own loop, so a long
    // send on this server never holds them up.
    let mails = {
        let (state, mail, worker) = (state.clone(), mail.clone(), worker.clone());
        tokio::spawn(async move {
            let runs = state.metrics.jobs.newsletter_mails.clone();
            repeat(&state, &runs, || one_off_mails(&state, &mail, &worker)).await;
        })
    };
    let runs = state.metrics.jobs.newsletter_sends.clone();
    repeat(&state, &runs, || sends_round(&state, &mail, &worker)).await;
    mails.abort();
}

/// Runs `part` every [`TICK`], or sooner when the bell rings, logging its failures and
/// recording its rounds in `runs` (for `/metrics`).
async fn repeat<F, Fut>(state: &AppState, runs: &JobRuns, mut part: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), WebError>>,
{
    loop {
        let result = part().await;
        runs.record(result.is_ok(), state.clock.now());
        if let Err(e) = result {
            tracing::warn!(error = %e, "newsletter: a round of sending failed; will retry");
        }
        tokio::select! {
            () = tokio::time::sleep(TICK) => {},
            () = state.newsletter_bell.notified() => {},
        }
    }
}

/// A name for this process's claims: unique per start.
pub fn worker_id() -> String {
    format!("w{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// One round of the worker as `worker` (one-off mails, then sends); returns once nothing it
/// can send now is left. The server runs the two parts on loops of their own ([`run`]);
/// tests and `masthead newsletter send --now` run rounds.
pub async fn round(state: &AppState, mail: &Arc<Mail>, worker: &str) -> Result<(), WebError> {
    one_off_mails(state, mail, worker).await?;
    sends_round(state, mail, worker).await
}

/// Settles run-out leases, starts due sends and works through every going send.
async fn sends_round(state: &AppState, mail: &Arc<Mail>, worker: &str) -> Result<(), WebError> {
    let now = state.clock.now();
    state.store.renew_leases(worker, now + LEASE).await?;
    let (requeued, uncertain) = state.store.sweep_leases(Some(now)).await?;
    if uncertain > 0 {
        tracing::warn!(
            requeued,
            uncertain,
            "newsletter: claims of a stopped server settled"
        );
    }
    while let Some(send) = state.store.start_due_send(state.clock.now()).await? {
        tracing::info!(send = %send, "newsletter: a send started");
    }
    for send in state.store.sends_going_out().await? {
        deliver_send(state, mail, worker, send).await?;
    }
    for send in state.store.finish_sends(state.clock.now()).await? {
        tracing::info!(send = %send, "newsletter: a send is done");
    }
    Ok(())
}

/// Takes up to `n` messages from this minute's budget, shared by every server: as many as
/// are left, down to none (a later round, in the next minute, goes on).
async fn budget(state: &AppState, mail: &Mail, n: usize) -> Result<usize, WebError> {
    let minute = state.clock.now().timestamp().div_euclid(60);
    for k in (1..=n).rev() {
        if state
            .store
            .take_smtp_budget(minute, k as i64, mail.per_minute)
            .await?
        {
            return Ok(k);
        }
    }
    Ok(0)
}

/// How many readers one claim takes: a batch, or the whole minute's budget if smaller.
fn claim_size(mail: &Mail) -> i64 {
    BATCH.min(mail.per_minute).max(1)
}

/// The host part of the site's address (for Message-IDs, List-Id and EHLO).
fn site_host(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .map_or(host, |h| h.trim_start_matches('['))
    } else {
        host.split(':').next().unwrap_or(host)
    };
    if host.is_empty() {
        "localhost".to_owned()
    } else {
        host.to_owned()
    }
}

/// When to try a reader again after `attempts` tries: a minute, doubling to six hours,
/// give or take a fifth so retries spread out.
fn backoff(attempts: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    let base = 60_i64
        .saturating_mul(1 << attempts.clamp(0, 9))
        .min(6 * 3600);
    let jitter = rand::random_range(-(base / 5)..=(base / 5));
    now + Duration::seconds(base + jitter)
}

/// What a mail to one reader needs besides the reader.
struct Letter {
    send: Send,
    list: NewsletterList,
    html: String,
    text: String,
    key: String,
    host: String,
    site_name: String,
    base_url: String,
}

impl Letter {
    /// The message for `item`, built and signed; a `test` one says so in its subject.
    fn message(
        &self,
        mail: &Mail,
        item: &ClaimedItem,
        test: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, String> {
        let leave = links::url(
            &self.base_url,
            &self.key,
            Purpose::Leave(self.list.id),
            item.reader,
            item.link_epoch,
            now,
        );
        let preferences = links::url(
            &self.base_url,
            &self.key,
            Purpose::Preferences,
            item.reader,
            item.link_epoch,
            now,
        );
        let message = OutgoingMessage {
            from_name: self.site_name.clone(),
            from_address: mail.from_address.clone(),
            to_name: item.name.clone(),
            to_address: item.email.clone(),
            subject: if test {
                format!("[Test] {}", self.send.subject)
            } else {
                self.send.subject.clone()
            },
            text: personalise(&self.text, self.send.id, &leave, &preferences),
            html: personalise(&self.html, self.send.id, &leave, &preferences),
            message_id: format!("s{}.i{}@{}", self.send.id, item.id, self.host),
            list: Some(ListHeaders {
                list_id: format!("{} <{}.{}>", self.list.name, self.list.slug, self.host),
                unsubscribe_url: leave,
            }),
        };
        build_message(&message, mail.dkim.as_ref())
    }
}

async fn letter(state: &AppState, send: SendId) -> Result<Option<Letter>, WebError> {
    let Some(send) = state.store.send(send).await? else {
        return Ok(None);
    };
    let Some((html, text)) = state.store.send_body(send.id).await? else {
        return Ok(None);
    };
    let lists = state.store.newsletter_lists().await?;
    let Some(list) = lists.into_iter().find(|l| l.id == send.list_id) else {
        return Ok(None);
    };
    let config = state.config();
    Ok(Some(Letter {
        send,
        list,
        html,
        text,
        key: state.store.newsletter_key().await?,
        host: site_host(&config.base_url),
        site_name: config.name.clone(),
        base_url: config.base_url.clone(),
    }))
}

/// Works through `send` on the configured number of sessions until nothing claimable is
/// left (or the send is paused).
async fn deliver_send(
    state: &AppState,
    mail: &Arc<Mail>,
    worker: &str,
    send: SendId,
) -> Result<(), WebError> {
    let Some(letter) = letter(state, send).await? else {
        return Ok(());
    };
    let letter = Arc::new(letter);
    let lanes: Vec<_> = (0..mail.connections.max(1))
        .map(|_| {
            let (state, mail, letter) = (state.clone(), mail.clone(), letter.clone());
            let worker = worker.to_owned();
            tokio::spawn(async move { lane(&state, &mail, &worker, &letter).await })
        })
        .collect();
    for lane in lanes {
        match lane.await {
            Ok(result) => result?,
            Err(e) => tracing::error!(error = %e, "newsletter: a sending lane stopped"),
        }
    }
    Ok(())
}

/// One SMTP session's share of a send.
async fn lane(
    state: &AppState,
    mail: &Arc<Mail>,
    worker: &str,
    letter: &Arc<Letter>,
) -> Result<(), WebError> {
    let send = letter.send.id;
    let mut conn: Option<SmtpConnection> = None;
    let mut handled = 0_usize;
    loop {
        if state.store.send_state(send).await? != Some(SendState::Sending) {
            break;
        }
        let now = state.clock.now();
        let items = state
            .store
            .claim_send_items(send, worker, claim_size(mail), now + LEASE, now)
            .await?;
        if items.is_empty() {
            break;
        }
        let granted = budget(state, mail, items.len()).await?;
        if granted < items.len() {
            // Over this minute's budget: back to the queue, for the next minute.
            let over: Vec<i64> = items[granted..].iter().map(|i| i.id).collect();
            state.store.release_items(&over, worker, now, now).await?;
        }
        let items = &items[..granted];
        if items.is_empty() {
            break;
        }
        if conn.is_none() {
            match SmtpConnection::open(&mail.smtp, &letter.host).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    server_failed(state, worker, send, items, &e).await?;
                    break;
                }
            }
        }
        let mut rest = items;
        while let Some((item, after)) = rest.split_first() {
            rest = after;
            let Some(c) = conn.as_mut() else { break };
            match deliver_item(state, mail, worker, letter, c, item).await? {
                Ok(()) => handled += 1,
                Err(e) => {
                    // The server refused the sender or went away: give back what is left.
                    let mut left = vec![item.clone()];
                    left.extend_from_slice(rest);
                    server_failed(state, worker, send, &left, &e).await?;
                    conn = None;
                    break;
                }
            }
            if conn.as_ref().is_some_and(SmtpConnection::is_broken) {
                conn = None;
                let ids: Vec<i64> = rest.iter().map(|i| i.id).collect();
                let now = state.clock.now();
                state.store.release_items(&ids, worker, now, now).await?;
                break;
            }
        }
        state
            .store
            .note_send_failure(send, None, PAUSE_AFTER, state.clock.now())
            .await?;
    }
    if let Some(c) = conn {
        c.quit().await;
    }
    if handled > 0 {
        tracing::info!(send = %send, worker, readers = handled, "newsletter: a session's share of a send is handled");
    }
    Ok(())
}

/// The server could not be reached or refused us: `items` go back to the queue for later,
/// and the send is paused after [`PAUSE_AFTER`] such failures in a row.
async fn server_failed(
    state: &AppState,
    worker: &str,
    send: SendId,
    items: &[ClaimedItem],
    error: &SmtpError,
) -> Result<(), WebError> {
    let now = state.clock.now();
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    state
        .store
        .release_items(&ids, worker, now + Duration::seconds(30), now)
        .await?;
    let paused = state
        .store
        .note_send_failure(send, Some(&error.to_string()), PAUSE_AFTER, now)
        .await?;
    if paused {
        tracing::error!(send = %send, error = %error, "newsletter: send paused after repeated SMTP failures");
    } else {
        tracing::warn!(send = %send, error = %error, "newsletter: SMTP server failed; will retry");
    }
    Ok(())
}

/// Sends `letter` to one reader on `conn`. The outer error is the database's; the inner
/// one a failure of the server (not of this reader) that ends the session.
async fn deliver_item(
    state: &AppState,
    mail: &Arc<Mail>,
    worker: &str,
    letter: &Arc<Letter>,
    conn: &mut SmtpConnection,
    item: &ClaimedItem,
) -> Result<Result<(), SmtpError>, WebError> {
    let store = &state.store;
    let built = {
        let (mail, item, letter) = (mail.clone(), item.clone(), letter.clone());
        let now = state.clock.now();
        // Signing is CPU work (RSA): off the threads that serve pages.
        tokio::task::spawn_blocking(move || letter.message(&mail, &item, false, now))
            .await
            .unwrap_or_else(|e| Err(format!("building stopped: {e}")))
    };
    let now = state.clock.now();
    let bytes = match built {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "newsletter: a message could not be built");
            let outcome = ItemOutcome::Failed(format!("could not build the message: {e}"));
            store.settle_item(item.id, worker, &outcome, now).await?;
            return Ok(Ok(()));
        }
    };
    if let Err(e) = conn.envelope(&mail.from_address, &item.email).await {
        let outcome = match e.verdict() {
            Verdict::HardBounce => ItemOutcome::Bounced(e.to_string()),
            Verdict::Refused => ItemOutcome::Failed(e.to_string()),
            Verdict::ServerProblem => return Ok(Err(e)),
            Verdict::Retry | Verdict::Uncertain => retry(item, &e, now),
        };
        store.settle_item(item.id, worker, &outcome, now).await?;
        if !conn.is_broken() && conn.reset().await.is_err() {
            return Ok(Err(e));
        }
        return Ok(Ok(()));
    }
    if !store.item_sending(item.id, worker, now).await? {
        // Left the list (or the send was stopped) since the claim: not going.
        if conn.reset().await.is_err() {
            tracing::debug!("newsletter: RSET failed after a skipped reader");
        }
        return Ok(Ok(()));
    }
    let outcome = match conn.data(&bytes).await {
        Ok(reply) => ItemOutcome::Sent(reply),
        Err(e) => match e.verdict() {
            Verdict::Uncertain => ItemOutcome::Uncertain(e.to_string()),
            Verdict::Retry => retry(item, &e, now),
            _ => ItemOutcome::Failed(e.to_string()),
        },
    };
    store
        .settle_item(item.id, worker, &outcome, state.clock.now())
        .await?;
    Ok(Ok(()))
}

fn retry(item: &ClaimedItem, e: &SmtpError, now: DateTime<Utc>) -> ItemOutcome {
    if item.attempts + 1 >= MAX_ATTEMPTS {
        ItemOutcome::Failed(format!("gave up after {MAX_ATTEMPTS} tries: {e}"))
    } else {
        ItemOutcome::Retry(backoff(item.attempts, now), e.to_string())
    }
}

/// Mails the queued one-off mails (confirmation and preferences links).
async fn one_off_mails(state: &AppState, mail: &Arc<Mail>, worker: &str) -> Result<(), WebError> {
    let now = state.clock.now();
    let mails = state
        .store
        .claim_outbox(worker, claim_size(mail), now + LEASE, now)
        .await?;
    if mails.is_empty() {
        return Ok(());
    }
    let granted = budget(state, mail, mails.len()).await?;
    for one in &mails[granted..] {
        // Over this minute's budget: back to the queue, for the next minute.
        let id = one.item.id;
        state
            .store
            .settle_outbox(id, worker, "queued", Some(now), "", now)
            .await?;
    }
    let mails: Vec<_> = mails.into_iter().take(granted).collect();
    let config = state.config();
    let host = site_host(&config.base_url);
    let key = state.store.newsletter_key().await?;
    let mut conn: Option<SmtpConnection> = None;
    for one in mails {
        let item = &one.item;
        let now = state.clock.now();
        let purpose = if one.kind == "confirm" {
            Purpose::Confirm
        } else {
            Purpose::Preferences
        };
        let link = links::url(
            &config.base_url,
            &key,
            purpose,
            item.reader,
            item.link_epoch,
            now,
        );
        let (subject, html, text) = render_reader_mail(state, &one.kind, &link)?;
        let message = OutgoingMessage {
            from_name: config.name.clone(),
            from_address: mail.from_address.clone(),
            to_name: item.name.clone(),
            to_address: item.email.clone(),
            subject,
            text,
            html,
            message_id: format!("o{}.{:08x}@{host}", item.id, rand::random::<u32>()),
            list: None,
        };
        let bytes = match build_message(&message, mail.dkim.as_ref()) {
            Ok(b) => b,
            Err(e) => {
                state
                    .store
                    .settle_outbox(item.id, worker, "failed", None, &e, now)
                    .await?;
                continue;
            }
        };
        if conn.is_none() {
            match SmtpConnection::open(&mail.smtp, &host).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "newsletter: cannot reach the SMTP server for confirmations; will retry");
                    let later = now + Duration::seconds(30);
                    state
                        .store
                        .settle_outbox(item.id, worker, "queued", Some(later), &e.to_string(), now)
                        .await?;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        let (state_word, next, note) = match c.envelope(&mail.from_address, &item.email).await {
            Err(e) => {
                let _ = c.reset().await;
                match e.verdict() {
                    Verdict::Retry if item.attempts + 1 < MAX_ATTEMPTS => {
                        ("queued", Some(backoff(item.attempts, now)), e.to_string())
                    }
                    Verdict::HardBounce => {
                        mark_bounced(state, item.reader, &e).await?;
                        ("failed", None, e.to_string())
                    }
                    _ => ("failed", None, e.to_string()),
                }
            }
            Ok(()) => {
                if !state.store.outbox_sending(item.id, worker, now).await? {
                    let _ = c.reset().await;
                    continue;
                }
                match c.data(&bytes).await {
                    Ok(reply) => ("sent", None, reply),
                    Err(e) if e.verdict() == Verdict::Uncertain => {
                        ("uncertain", None, e.to_string())
                    }
                    Err(e) if e.verdict() == Verdict::Retry && item.attempts + 1 < MAX_ATTEMPTS => {
                        ("queued", Some(backoff(item.attempts, now)), e.to_string())
                    }
                    Err(e) => ("failed", None, e.to_string()),
                }
            }
        };
        state
            .store
            .settle_outbox(item.id, worker, state_word, next, &note, state.clock.now())
            .await?;
        if c.is_broken() {
            conn = None;
        }
    }
    if let Some(c) = conn {
        c.quit().await;
    }
    Ok(())
}

async fn mark_bounced(
    state: &AppState,
    reader: SubscriberId,
    e: &SmtpError,
) -> Result<(), WebError> {
    state
        .store
        .mark_bounced(reader, &e.to_string(), state.clock.now())
        .await?;
    Ok(())
}

/// The editor's test: `send`'s mail to `to` alone, now, in a session of its own, with
/// links that lead to a "this link does not work" page. The server's reply, or what went
/// wrong in words for the editor.
pub async fn test_send(
    state: &AppState,
    send: SendId,
    to: &str,
) -> Result<Result<String, String>, WebError> {
    let Some(mail) = state.mail.clone() else {
        return Ok(Err(
            "No SMTP server is set up: set smtp_url and mail_from (see the README).".into(),
        ));
    };
    let Some(letter) = letter(state, send).await? else {
        return Err(WebError::NotFound);
    };
    let item = ClaimedItem {
        id: 0,
        reader: SubscriberId(0),
        email: to.to_owned(),
        name: String::new(),
        link_epoch: 0,
        attempts: 0,
    };
    let bytes = match letter.message(&mail, &item, true, state.clock.now()) {
        Ok(b) => b,
        Err(e) => return Ok(Err(format!("could not build the message: {e}"))),
    };
    Ok(
        masthead_mail::send_one(&mail.smtp, &letter.host, &mail.from_address, to, &bytes)
            .await
            .map_err(|e| e.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_host_comes_from_its_address() {
        assert_eq!(site_host("https://news.example.org"), "news.example.org");
        assert_eq!(site_host("http://127.0.0.1:8080/x"), "127.0.0.1");
        assert_eq!(site_host("http://[::1]:80"), "::1");
        assert_eq!(site_host(""), "localhost");
    }

    #[test]
    fn retries_back_off_to_six_hours() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let first = backoff(0, now) - now;
        assert!(first >= Duration::seconds(48) && first <= Duration::seconds(72));
        let late = backoff(20, now) - now;
        assert!(late <= Duration::seconds(6 * 3600 + 6 * 720));
    }
}
