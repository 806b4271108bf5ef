//! The front page's rules: who may arrange it (editors and admins), which stories may lead
//! (published ones readers can see now), how many may be featured, what a banner may say.
//! Each change runs in one [`masthead_store::FrontWrite`]: read the arrangement, apply the
//! command, store it whole, record it in the audit log, all under the lock every other
//! change of the front waits for.

use crate::{DeskError, Staff};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, InvalidInput, SiteAction, WebUrl};
use masthead_store::{Banner, FrontArrangement, FrontSlot, Store};

/// How many stories may be featured below the top story.
pub const MAX_FEATURED: usize = 6;
/// The longest banner text, in characters.
pub const MAX_BANNER: usize = 200;

/// A change of the front page's stories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontCommand {
    /// Make the story the top story, until the time given (the previous one leaves).
    Pin(ArticleId, Option<DateTime<Utc>>),
    /// Add the story to the end of the featured ones (or change its time, if featured).
    Feature(ArticleId, Option<DateTime<Utc>>),
    /// Take the story off the front.
    Remove(ArticleId),
    /// Move a featured story one place up.
    Up(ArticleId),
    /// Move a featured story one place down.
    Down(ArticleId),
    /// Change when the story leaves the front (`None`: when an editor takes it off).
    Until(ArticleId, Option<DateTime<Utc>>),
}

impl FrontCommand {
    fn article(self) -> ArticleId {
        match self {
            FrontCommand::Pin(a, _)
            | FrontCommand::Feature(a, _)
            | FrontCommand::Remove(a)
            | FrontCommand::Up(a)
            | FrontCommand::Down(a)
            | FrontCommand::Until(a, _) => a,
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            FrontCommand::Pin(..) => "front.pin",
            FrontCommand::Feature(..) => "front.feature",
            FrontCommand::Remove(_) => "front.remove",
            FrontCommand::Up(_) | FrontCommand::Down(_) => "front.move",
            FrontCommand::Until(..) => "front.until",
        }
    }
}

/// Applies `command` to the front page as it stands when the change gets its turn, and
/// returns what happened, for the editor's notice.
pub async fn arrange(
    store: &Store,
    staff: &Staff,
    command: FrontCommand,
    now: DateTime<Utc>,
) -> Result<String, DeskError> {
    staff.require(SiteAction::ArrangeFront)?;
    if let FrontCommand::Pin(_, Some(at))
    | FrontCommand::Feature(_, Some(at))
    | FrontCommand::Until(_, Some(at)) = command
        && at <= now
    {
        return Err(in_the_past());
    }
    let mut write = store.write_front().await?;
    let id = command.article();
    let changed = async {
        let mut front = write.arrangement(now).await?;
        let title = match command {
            FrontCommand::Pin(..) | FrontCommand::Feature(..) => {
                write.live_story(id, now).await?.ok_or_else(not_live)?
            }
            _ => String::new(),
        };
        let notice = apply(&mut front, command, &title)?;
        write.replace(&front).await?;
        let detail = match command {
            FrontCommand::Up(_) | FrontCommand::Down(_) => notice.clone(),
            _ => title,
        };
        write
            .record(
                &staff.actor(),
                command.audit_action(),
                &format!("article {}", id.0),
                &detail,
                now,
            )
            .await?;
        Ok::<_, DeskError>(notice)
    }
    .await;
    match changed {
        Ok(notice) => {
            write.commit().await?;
            Ok(notice)
        }
        Err(e) => {
            if let Err(rollback) = write.rollback().await {
                tracing::warn!(error = %rollback, "could not roll back a refused front-page change");
            }
            Err(e)
        }
    }
}

/// The command's change to `front`, or why it cannot be made; `title` is the story's
/// headline for a pin or a feature.
fn apply(
    front: &mut FrontArrangement,
    command: FrontCommand,
    title: &str,
) -> Result<String, DeskError> {
    let on_front = |front: &FrontArrangement, id| {
        if front.holds(id) {
            Ok(())
        } else {
            Err(DeskError::Invalid(InvalidInput::new(
                "Story",
                "that story is not on the front page (any more); reload the page to see it as it is now.",
            )))
        }
    };
    Ok(match command {
        FrontCommand::Pin(id, until) => {
            front.remove(id);
            front.top = Some(FrontSlot {
                article: id,
                expires_at: until,
            });
            format!("\"{title}\" is the top story now.")
        }
        FrontCommand::Feature(id, until) => {
            if let Some(slot) = front.featured.iter_mut().find(|s| s.article == id) {
                slot.expires_at = until;
                return Ok(format!("\"{title}\" stays featured, with the new time."));
            }
            if front.featured.len() >= MAX_FEATURED {
                return Err(InvalidInput::new(
                    "Story",
                    format!(
                        "the front page already features {MAX_FEATURED} stories, the most it shows; \
                         take one off first."
                    ),
                )
                .into());
            }
            front.remove(id);
            front.featured.push(FrontSlot {
                article: id,
                expires_at: until,
            });
            format!("\"{title}\" is featured on the front page now.")
        }
        FrontCommand::Remove(id) => {
            on_front(front, id)?;
            front.remove(id);
            "Taken off the front page.".to_owned()
        }
        FrontCommand::Up(id) | FrontCommand::Down(id) => {
            on_front(front, id)?;
            let Some(at) = front.featured.iter().position(|s| s.article == id) else {
                return Ok("The top story stays on top.".to_owned());
            };
            let to = match command {
                FrontCommand::Up(_) => at.checked_sub(1),
                _ => Some(at + 1).filter(|&to| to < front.featured.len()),
            };
            match to {
                Some(to) => {
                    front.featured.swap(at, to);
                    format!("Moved to place {} of the featured stories.", to + 1)
                }
                None => "It is already at that end of the featured stories.".to_owned(),
            }
        }
        FrontCommand::Until(id, until) => {
            on_front(front, id)?;
            for slot in front.top.iter_mut().chain(front.featured.iter_mut()) {
                if slot.article == id {
                    slot.expires_at = until;
                }
            }
            match until {
                Some(_) => "It leaves the front page at the time given.".to_owned(),
                None => "It stays on the front page until an editor takes it off.".to_owned(),
            }
        }
    })
}

/// Puts up the breaking-news banner (replacing any): `text` is required, `link` may be
/// empty, a path on this site (`/stories/…`) or a full web address.
pub async fn set_banner(
    store: &Store,
    staff: &Staff,
    text: &str,
    link: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    staff.require(SiteAction::ArrangeFront)?;
    let banner = Banner {
        text: banner_text(text)?,
        link: banner_link(link)?,
        expires_at,
    };
    if expires_at.is_some_and(|at| at <= now) {
        return Err(in_the_past());
    }
    let mut write = store.write_front().await?;
    write.set_banner(Some(&banner), now).await?;
    write
        .record(&staff.actor(), "front.banner", "banner", &banner.text, now)
        .await?;
    write.commit().await?;
    Ok(())
}

/// Takes the banner down.
pub async fn clear_banner(
    store: &Store,
    staff: &Staff,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    staff.require(SiteAction::ArrangeFront)?;
    let mut write = store.write_front().await?;
    write.set_banner(None, now).await?;
    write
        .record(&staff.actor(), "front.banner_remove", "banner", "", now)
        .await?;
    write.commit().await?;
    Ok(())
}

fn banner_text(text: &str) -> Result<String, DeskError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(InvalidInput::new("Banner text", "write what the banner should say.").into());
    }
    if text.chars().count() > MAX_BANNER {
        return Err(InvalidInput::new(
            "Banner text",
            format!("keep it to {MAX_BANNER} characters; link to the story for the rest."),
        )
        .into());
    }
    if text.chars().any(char::is_control) {
        return Err(InvalidInput::new("Banner text", "remove the control characters.").into());
    }
    Ok(text)
}

fn banner_link(link: &str) -> Result<String, DeskError> {
    let link = link.trim();
    if link.is_empty() {
        return Ok(String::new());
    }
    let local = link.starts_with('/')
        && !link.starts_with("//")
        && link.len() <= 2000
        && !link
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
    if local {
        return Ok(link.to_owned());
    }
    Ok(WebUrl::parse("Banner link", link)
        .map_err(|_| {
            InvalidInput::new(
                "Banner link",
                "use a path on this site such as /stories/road-closed, or a full address \
                 starting with https://, or leave it empty.",
            )
        })?
        .as_str()
        .to_owned())
}

fn in_the_past() -> DeskError {
    InvalidInput::new(
        "Until",
        "choose a time in the future, or leave it empty to keep it until an editor changes it.",
    )
    .into()
}

fn not_live() -> DeskError {
    InvalidInput::new(
        "Story",
        "only a published story readers can see now can be on the front page; publish it first.",
    )
    .into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn slot(id: i64) -> FrontSlot {
        FrontSlot {
            article: ArticleId(id),
            expires_at: None,
        }
    }

    fn ids(front: &FrontArrangement) -> (Option<i64>, Vec<i64>) {
        (
            front.top.map(|s| s.article.0),
            front.featured.iter().map(|s| s.article.0).collect(),
        )
    }

    #[test]
    fn a_story_is_on_the_front_once_whatever_the_commands() {
        let mut front = FrontArrangement {
            top: Some(slot(1)),
            featured: vec![slot(2), slot(3)],
        };
        apply(&mut front, FrontCommand::Pin(ArticleId(3), None), "").unwrap();
        assert_eq!(ids(&front), (Some(3), vec![2]));
        apply(&mut front, FrontCommand::Feature(ArticleId(3), None), "").unwrap();
        assert_eq!(ids(&front), (None, vec![2, 3]));
        apply(&mut front, FrontCommand::Up(ArticleId(3)), "").unwrap();
        assert_eq!(ids(&front), (None, vec![3, 2]));
        apply(&mut front, FrontCommand::Up(ArticleId(3)), "").unwrap();
        assert_eq!(ids(&front), (None, vec![3, 2]));
        apply(&mut front, FrontCommand::Down(ArticleId(3)), "").unwrap();
        apply(&mut front, FrontCommand::Down(ArticleId(3)), "").unwrap();
        assert_eq!(ids(&front), (None, vec![2, 3]));
        assert!(apply(&mut front, FrontCommand::Remove(ArticleId(9)), "").is_err());
        for id in 10..14 {
            apply(&mut front, FrontCommand::Feature(ArticleId(id), None), "").unwrap();
        }
        assert!(apply(&mut front, FrontCommand::Feature(ArticleId(20), None), "").is_err());
    }

    #[test]
    fn banner_links_are_site_paths_or_web_addresses() {
        assert_eq!(banner_link(" /stories/x ").unwrap(), "/stories/x");
        assert!(banner_link("//evil.example").is_err());
        assert!(banner_link("javascript:alert(1)").is_err());
        assert!(banner_link("https://example.org/a").is_ok());
        assert_eq!(banner_text("  Road\n closed  ").unwrap(), "Road closed");
        assert!(banner_text(" ").is_err());
    }
}
