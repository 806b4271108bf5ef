//! `/events` and `/moderation/events`: the community calendar in the API, one file per
//! surface.
//!
//! - [`public`]: what readers see, open without a token like the site's own calendar:
//!   upcoming dates a page at a time, and one event by slug with its dates and rule. Only
//!   approved and cancelled events (cancelled ones marked); a held or rejected event does
//!   not exist here (404), and the organiser's contact is in no public schema.
//! - [`moderation`]: the desk's event queue for editors and admins
//!   (`SiteAction::ModerateEvents`, the desk's own permission): events by status with the
//!   organiser's contact, and approve, reject, cancel and restore. Each action goes through
//!   the store's one status write with its audit entry (`event.approved`, …), as the desk's
//!   buttons do; an event already where the action would put it is answered as it is,
//!   nothing written, so a repeated or concurrent request is harmless.

pub(crate) mod moderation;
pub(crate) mod public;
pub(crate) mod schema;

/// The documentation tag of these endpoints.
pub(crate) const TAG: &str = "events";
