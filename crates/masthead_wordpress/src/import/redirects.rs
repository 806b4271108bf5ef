//! Old addresses turned into redirects: each is normalised as the site looks it up
//! ([`NewRedirect::from_address`], the one normal form), one that would lead to itself is
//! left out, and what cannot be stored is noted. Written in the caller's transaction, so a
//! story and the addresses that lead to it commit together.

use crate::import::report::{Report, reason};
use chrono::{DateTime, Utc};
use masthead_store::{NewRedirect, RedirectOrigin, StoreError, StoryWrite};

/// Adds to `out` a redirect from each of `old` to `target`; `item` names the thing for the
/// report.
pub fn collect(
    out: &mut Vec<NewRedirect>,
    old: &[String],
    target: &str,
    item: &str,
    report: &mut Report,
) {
    let target_key = masthead_core::old_address::address_key(target);
    for address in old {
        match NewRedirect::from_address(address, target, RedirectOrigin::Import) {
            Ok(redirect) if Some(&redirect.key) == target_key.as_ref() => {}
            Ok(redirect) => out.push(redirect),
            Err(e) => report.note(reason::ADDRESS, item, format!("{address}: {}", e.message)),
        }
    }
}

/// Writes `redirects` in `write`, counting them and noting loops.
pub async fn write(
    write: &mut StoryWrite<'_>,
    redirects: &[NewRedirect],
    now: DateTime<Utc>,
    report: &mut Report,
) -> Result<(), StoreError> {
    if redirects.is_empty() {
        return Ok(());
    }
    let added = write.add_redirects(redirects, now).await?;
    report.created("redirects", added.written as u64);
    for key in added.loops {
        report.note(reason::ADDRESS, &key, "it would lead round in a loop");
    }
    Ok(())
}
