//! A drafted meeting brief beside its record (`/admin/briefs/{id}`): on one side the text
//! of the document with every passage a fact came from marked, on the other each fact
//! marked **recorded** (the record says it in those words) or **inferred** (worked out:
//! a tally counted from a roll call), each linked to its passage, and the draft's
//! decisions as they stand now, a row that differs from the record flagged. An editor who
//! may publish the story signs the facts off here (audit-logged); until then the story
//! refuses to publish.

use super::desk_user::DeskUser;
use super::view;
use crate::meeting_record::pieces;
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::ArticleId;
use masthead_meeting::{Extraction, Fact, How, Motion};
use masthead_render::{Value, context, ser};
use serde::Deserialize;

/// The review page's query.
#[derive(Debug, Default, Deserialize)]
pub struct Said {
    #[serde(default)]
    signed: String,
    #[serde(default)]
    prose: String,
}

/// `GET /admin/briefs/{id}`
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    Query(said): Query<Said>,
) -> Result<Response, WebError> {
    let id = ArticleId(id);
    let story = masthead_desk::load(&state.store, &staff, id).await?;
    let brief = state
        .store
        .meeting_brief(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let meeting = state
        .store
        .meeting(brief.meeting_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let extraction: Extraction = serde_json::from_str(&brief.facts)
        .map_err(|e| WebError::internal("reading a brief's stored facts", e))?;
    let record = match brief.document_id {
        Some(doc) => state.store.meeting_document(doc).await?,
        None => None,
    };
    let (document, text) = match record {
        Some((d, t)) => (Some(d), t),
        None => (None, String::new()),
    };
    let signer = match brief.signed_off_by {
        Some(user) => state.store.user(user).await.ok().map(|u| u.name),
        None => None,
    };
    let tz = state.config().timezone;
    // The record's decisions, the rows the draft's table was made from, in order.
    let decided: Vec<&Motion> = extraction
        .motions
        .iter()
        .filter(|m| m.outcome.is_some())
        .collect();
    let drafted: Vec<Value> = story
        .fields
        .parts
        .meeting()
        .map(|m| m.decisions.clone())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let read = decided.get(i).copied();
            let tally = read
                .and_then(|m| m.tally.as_ref())
                .map(|t| t.value.display());
            let differs = tally.as_ref().is_some_and(|t| *t != d.vote)
                || read
                    .and_then(|m| m.outcome.as_ref())
                    .is_some_and(|o| o.value != d.outcome);
            context! {
                motion => &d.motion, vote => &d.vote, outcome => d.outcome.as_str(),
                differs, read_tally => tally,
                anchor => read.map(|m| m.span.start),
            }
        })
        .collect();
    let ctx = context! {
        id => id.0,
        title => &story.fields.title,
        meeting => context! {
            id => meeting.id.0, body => &meeting.body_name,
            when => meeting.starts_at.with_timezone(&tz).format("%A, %B %-d, %Y").to_string(),
        },
        document => document.as_ref().map(|d| context! {
            id => d.id.0, kind => &d.kind, file_name => &d.file_name,
        }),
        record => ser(&pieces(&text, &extraction)),
        motions => extraction.motions.iter().map(motion_facts).collect::<Vec<_>>(),
        present => facts(&extraction.present),
        absent => facts(&extraction.absent),
        speakers => facts(&extraction.speakers),
        adjourned => extraction.adjourned.as_ref().map(fact),
        drafted,
        signed => brief.signed_off_at.map(|t| t.with_timezone(&tz).format("%B %-d, %Y, %-I:%M %p").to_string()),
        signer,
        just_signed => !said.signed.is_empty(),
        prose_failed => said.prose == "failed",
        can_sign => masthead_desk::meeting_brief::may_sign_off(&staff, &story),
    };
    view::page(&state, &staff, &csrf, "brief_review.html", ctx)
}

/// `POST /admin/briefs/{id}/sign-off`
pub async fn sign_off(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    masthead_desk::meeting_brief::sign_off(&state.store, &staff, ArticleId(id), now).await?;
    Ok(Redirect::to(&format!("/admin/briefs/{id}?signed=1")).into_response())
}

fn how(how: How) -> &'static str {
    match how {
        How::Recorded => "recorded",
        How::Inferred => "inferred",
    }
}

fn fact<T: ToString>(f: &Fact<T>) -> Value {
    context! { value => f.value.to_string(), how => how(f.how), anchor => f.span.start }
}

fn facts(list: &[Fact<String>]) -> Vec<Value> {
    list.iter().map(fact).collect()
}

fn motion_facts(m: &Motion) -> Value {
    let named = |label: &str, f: &Fact<String>| {
        context! { label, value => &f.value, how => how(f.how) }
    };
    let mut rows = vec![named("Motion", &m.text)];
    rows.extend(m.mover.as_ref().map(|f| named("Moved by", f)));
    rows.extend(m.seconder.as_ref().map(|f| named("Seconded by", f)));
    if let Some(t) = &m.tally {
        rows.push(context! { label => "Vote", value => t.value.display(), how => how(t.how) });
    }
    if let Some(w) = &m.vote_words {
        rows.push(named("Vote", w));
    }
    if let Some(o) = &m.outcome {
        rows.push(context! { label => "Outcome", value => o.value.as_str(), how => how(o.how) });
    }
    for v in &m.votes {
        let value = format!("{}: {}", v.value.member, v.value.vote.as_str());
        rows.push(context! { label => "Member's vote", value, how => how(v.how) });
    }
    for a in m.amounts.iter().chain(&m.references) {
        rows.push(named("Named", a));
    }
    context! { anchor => m.span.start, rows }
}
