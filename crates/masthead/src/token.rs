//! `masthead token create`: API tokens for staff accounts. A token acts with its scope or
//! its owner's current role, whichever is narrower; it is printed once and only its hash is
//! stored, so a lost token is replaced, never recovered.

use crate::config::Config;
use crate::user::{ACTOR, article, find, open_store, parse_role};
use anyhow::bail;
use masthead_core::secret::{new_token, token_hash};
use masthead_core::{Clock, SystemClock};
use masthead_store::Actor;

/// The most characters a token's name may have.
const MAX_NAME_CHARS: usize = 100;

/// Creates a token for the account `email` and prints it alone on standard output, with
/// what to do with it on standard error.
pub async fn create(
    config: &Config,
    email: &str,
    name: &str,
    scope: Option<&str>,
) -> anyhow::Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        bail!(
            "--name must be 1 to {MAX_NAME_CHARS} characters, e.g. the program that will use the token"
        );
    }
    let scope = scope.map(|s| parse_role("--scope", s)).transpose()?;
    let store = open_store(config).await?;
    let user = find(&store, email).await?;
    if user.disabled {
        bail!(
            "the account for {} is disabled and cannot have API tokens; enable it first with \
             `masthead user enable --email {}`",
            user.email,
            user.email
        );
    }
    if !user.totp_enabled && store.two_factor_required(user.role).await? {
        bail!(
            "this site requires two-factor login for {}s and {} has not set it up, so a token \
             would not work; they set it up on their account page in the desk (/admin/account), \
             then run this again",
            user.role,
            user.email
        );
    }
    let scope = scope.unwrap_or(user.role);
    if !user.role.at_least(scope) {
        bail!(
            "--scope {scope} is wider than the account's role: {} is {}, so choose a scope up to \
             {}, or change the role first with `masthead user set-role`",
            user.email,
            article(user.role),
            user.role
        );
    }
    let token = new_token("mh_");
    store
        .create_token(
            user.id,
            name,
            &token_hash(&token),
            scope,
            &Actor::system(ACTOR),
            SystemClock.now(),
        )
        .await?;
    store.close().await;
    eprintln!(
        "created {} token {name:?} for {}:",
        article(scope),
        user.email
    );
    println!("{token}");
    eprintln!(
        "Copy it now: it is not stored and cannot be shown again. Programs send it in the \
         header `Authorization: Bearer mh_…`."
    );
    Ok(())
}
