//! The session's CSRF token as handlers and templates see it.
//!
//! `session::start` makes the token with the session; the guard (`guard`) checks that every
//! state-changing request carries it and puts it in the request's extensions, from where
//! `DeskUser` hands it to the handler and `view` to the page's
//! forms. A type of its own, so the pages that print it need not depend on the session code.

/// The session's CSRF token, for forms.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);
