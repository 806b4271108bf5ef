//! Review between editors and writers: notes on a story (a thread anyone who may see the
//! story may add to) and sending a story in review back to its writer with a note, which
//! moves it to draft through the same status rule as every other change
//! ([`Command::SendBack`]). Notes are desk-only: nothing public reads them.

use crate::stories::{finish, forbidden};
use crate::{Command, DeskError, SaveOutcome, Staff, load, render};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleAction, ArticleId, InvalidInput};
use masthead_store::{Store, StoryWrite};

/// Longest note, in characters.
pub const MAX_NOTE: usize = 2_000;

/// A note's text, trimmed, or why it cannot be posted; `empty` is the fix for no text.
fn check_note(text: &str, empty: &str) -> Result<String, InvalidInput> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidInput::new("Note", empty));
    }
    if text.chars().count() > MAX_NOTE {
        return Err(InvalidInput::new(
            "Note",
            "keep it under 2,000 characters; put longer changes in the story itself.",
        ));
    }
    if text.contains('\0') {
        return Err(InvalidInput::new(
            "Note",
            "it holds a NUL character (often pasted from a binary file); delete it and post again.",
        ));
    }
    Ok(text.to_owned())
}

/// Adds a note to story `id`'s thread, if this staff member may see the story (otherwise
/// "not found").
pub async fn add_note(
    store: &Store,
    staff: &Staff,
    id: ArticleId,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    let text = check_note(text, "write the note before posting it.")?;
    load(store, staff, id).await?;
    store.add_desk_note(id, &staff.actor(), &text, now).await?;
    Ok(())
}

/// Sends story `id` (in review, at version `base`) back to its writer as a draft with
/// `note`, if this staff member may (editors and admins): the status change, the note and
/// the audit entry in one transaction. If someone saved since `base`, nothing is written.
pub async fn send_back(
    store: &Store,
    staff: &Staff,
    id: ArticleId,
    base: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<SaveOutcome, DeskError> {
    let note = check_note(
        note,
        "tell the writer what to change before sending the story back.",
    )?;
    let mut write = store.write_story().await?;
    let written = send_back_in(&mut write, staff, id, base, &note, now).await;
    finish(store, staff, id, write, written).await
}

async fn send_back_in(
    write: &mut StoryWrite<'_>,
    staff: &Staff,
    id: ArticleId,
    base: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DeskError> {
    let Some(current) = write.claim(id, base).await? else {
        return Ok(None);
    };
    if !staff.can(ArticleAction::View, &current) {
        return Err(DeskError::NotFound);
    }
    let command = Command::SendBack;
    if !staff.may(command.action(), Some(&current)) {
        return Err(forbidden(staff.role, command.action(), current.status));
    }
    let placement = command.placement(Some(&current), now)?;
    // The story is stored as it is (a revision records who sent it back and when).
    let mut fields = current.fields.clone();
    let text = render(&mut fields);
    let actor = staff.actor();
    let version = write
        .update(&current, &fields, &text, placement, &actor, now)
        .await?;
    write.send_back_note(id, &actor, note, now).await?;
    let detail = format!("{}: {note}", fields.title);
    write
        .record(&actor, command.audit_action(), id, &detail, now)
        .await?;
    Ok(Some(version))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_trimmed_and_bounded() {
        assert_eq!(
            check_note("  fix the lede \n", "x").unwrap(),
            "fix the lede"
        );
        let empty = check_note(" \n ", "write it.").unwrap_err();
        assert_eq!(empty.field, "Note");
        assert!(empty.message.contains("write it"));
        assert!(check_note(&"a".repeat(MAX_NOTE), "x").is_ok());
        assert!(check_note(&"a".repeat(MAX_NOTE + 1), "x").is_err());
        assert!(check_note("a\0b", "x").unwrap_err().message.contains("NUL"));
    }
}
