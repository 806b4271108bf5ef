//! The signed links in newsletter mails (`masthead_core::link_token` under the site's
//! `newsletter` key): confirming a signup (good for [`CONFIRM_AGE`]), the preferences page
//! (good for [`PREFERENCES_AGE`]; an expired one offers a fresh link by mail), and leaving
//! one list (never expires: it only takes mail away). Each names the reader's row and is
//! bound to their link epoch: erasing a reader deletes the row, so every link mailed to
//! them leads nowhere, and raising the epoch would revoke them all while keeping the row.

use crate::{AppState, WebError};
use chrono::{DateTime, Duration, Utc};
use masthead_core::link_token::{self, LinkProblem};
use masthead_core::{ListId, SubscriberId};
use masthead_store::Subscriber;

/// How long a confirmation link is good.
pub const CONFIRM_AGE: Duration = Duration::hours(48);
/// How long a preferences link is good.
pub const PREFERENCES_AGE: Duration = Duration::days(60);

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirming a signup.
    Confirm,
    /// The reader's preferences page.
    Preferences,
    /// Leaving one list.
    Leave(ListId),
}

impl Purpose {
    fn scope(self, epoch: i64) -> String {
        match self {
            Self::Confirm => format!("nl-confirm:{epoch}"),
            Self::Preferences => format!("nl-prefs:{epoch}"),
            Self::Leave(list) => format!("nl-leave:{list}:{epoch}"),
        }
    }

    fn max_age(self) -> Option<Duration> {
        match self {
            Self::Confirm => Some(CONFIRM_AGE),
            Self::Preferences => Some(PREFERENCES_AGE),
            Self::Leave(_) => None,
        }
    }

    /// The page's path, token last.
    fn path(self, token: &str) -> String {
        match self {
            Self::Confirm => format!("/newsletter/confirm/{token}"),
            Self::Preferences => format!("/newsletter/preferences/{token}"),
            Self::Leave(list) => format!("/newsletter/unsubscribe/{list}/{token}"),
        }
    }
}

/// The absolute address of `purpose`'s page for reader `id` at link epoch `epoch`.
pub fn url(
    base_url: &str,
    key: &str,
    purpose: Purpose,
    id: SubscriberId,
    epoch: i64,
    now: DateTime<Utc>,
) -> String {
    let token = link_token::issue(key.as_bytes(), &purpose.scope(epoch), id.0, now);
    format!("{base_url}{}", purpose.path(&token))
}

/// Why a link leads nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Altered, cut short, revoked, or its reader is gone.
    Invalid,
    /// Good, but too old; the reader it names, for offering a fresh one.
    Expired(SubscriberId),
}

/// The reader `token` names for `purpose`, if it is good now.
pub async fn reader(
    state: &AppState,
    purpose: Purpose,
    token: &str,
) -> Result<Result<Subscriber, Refused>, WebError> {
    let Some(id) = link_token::subject(token) else {
        return Ok(Err(Refused::Invalid));
    };
    let Some(reader) = state.store.subscriber(SubscriberId(id)).await? else {
        return Ok(Err(Refused::Invalid));
    };
    let key = state.store.newsletter_key().await?;
    let checked = link_token::check(
        key.as_bytes(),
        &purpose.scope(reader.link_epoch),
        token,
        state.clock.now(),
        purpose.max_age(),
    );
    Ok(match checked {
        Ok(c) if c.subject == id => Ok(reader),
        Ok(_) | Err(LinkProblem::Invalid) => Err(Refused::Invalid),
        Err(LinkProblem::Expired) => Err(Refused::Expired(reader.id)),
    })
}
