//! The editor's autosave, through the same rules as a press of Save: a draft (or a story in
//! review, or taken down) is saved as its next version, a revision like any other; a story
//! on the site or scheduled is never written over by one: the text is kept beside it
//! ([`masthead_store::Autosave`]) for the editor to restore, and readers see nothing of it.
//! A new story's first autosave creates it as a draft, so the editor's page can go on
//! from its id and version.

use crate::stories::{Via, create, is_public, load, save_as};
use crate::{Command, DeskError, SaveOutcome, Staff};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleAction, ArticleId};
use masthead_store::{ArticleFields, Autosave, Store};

/// What the editor typed, as the autosave sends it.
#[derive(Debug)]
pub struct Typed {
    /// The fields, or why the form does not make a story yet (a draft cannot be saved
    /// without a headline or section; text kept beside a story on the site can).
    pub fields: Result<ArticleFields, DeskError>,
    /// The form as posted (urlencoded, without the CSRF token), kept as typed.
    pub form: String,
}

/// What came of an autosave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Autosaved {
    /// Saved as the draft's next version (a new story: created, at version 1).
    Draft {
        /// The story.
        id: ArticleId,
        /// Its version now: the form's next save goes over it.
        version: i64,
    },
    /// Kept beside a story on the site (or scheduled), which stays as it was.
    Kept {
        /// The story's version, unchanged.
        version: i64,
    },
    /// Someone saved the draft since `base`; nothing was written.
    Conflict {
        /// The stored version.
        version: i64,
    },
}

/// Autosaves what `staff` typed into story `id` (`None`: a new story) over version `base`.
pub async fn autosave(
    store: &Store,
    staff: &Staff,
    id: Option<ArticleId>,
    base: i64,
    typed: Typed,
    now: DateTime<Utc>,
) -> Result<Autosaved, DeskError> {
    let Some(id) = id else {
        let id = create(store, staff, typed.fields?, Command::Save, now).await?;
        return Ok(Autosaved::Draft { id, version: 1 });
    };
    let current = load(store, staff, id).await?;
    if !staff.may(ArticleAction::Edit, Some(&current)) {
        return Err(DeskError::Forbidden(
            "You may not change this story, so nothing was autosaved.".into(),
        ));
    }
    if is_public(current.status) {
        let kept = Autosave {
            base_version: base,
            saved_at: now,
            form: typed.form,
        };
        let mut write = store.write_story().await?;
        write.keep_autosave(id, staff.user.id, &kept).await?;
        write.commit().await?;
        return Ok(Autosaved::Kept {
            version: current.version,
        });
    }
    let fields = typed.fields?;
    match save_as(
        store,
        staff,
        id,
        base,
        fields,
        Command::Save,
        Via::Autosave,
        now,
    )
    .await?
    {
        SaveOutcome::Saved { version } => Ok(Autosaved::Draft { id, version }),
        SaveOutcome::Conflict(current) => Ok(Autosaved::Conflict {
            version: current.version,
        }),
    }
}

/// Forgets what `staff` autosaved beside story `id` (the editor chose not to restore it).
pub async fn discard_autosave(
    store: &Store,
    staff: &Staff,
    id: ArticleId,
) -> Result<(), DeskError> {
    load(store, staff, id).await?;
    let mut write = store.write_story().await?;
    write.drop_autosave(id, staff.user.id).await?;
    write.commit().await?;
    Ok(())
}
