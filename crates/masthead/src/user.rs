//! `masthead user ...`: staff accounts from the command line — add, list, change role,
//! disable and enable, and one-time password-reset links. This is how the first admin is
//! made and how an admin locked out of the desk gets back in.
//!
//! Every change is recorded in the audit log as done by "command line". Output meant for a
//! script (the reset link) goes alone to standard output; explanations go to standard error.

use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use chrono::Duration;
use masthead_core::password::{Password, hash_password};
use masthead_core::secret::{new_token, token_hash};
use masthead_core::{Clock, SystemClock};
use masthead_core::{EmailAddress, Role};
use masthead_store::{Actor, NewUser, Store, User};
use std::io::{BufRead, IsTerminal};

/// How many times a password typed at the terminal may be refused before giving up.
const TERMINAL_TRIES: u32 = 3;

/// The name the audit log records for changes made here.
pub const ACTOR: &str = "command line";

/// Where `user add` reads the new password from.
#[derive(Debug, Clone, Copy)]
pub enum PasswordFrom {
    /// Typed twice at the terminal, without echo.
    Terminal,
    /// The first line of standard input, for scripts.
    Stdin,
}

/// Opens the configured database and applies any pending migrations, creating the data
/// directory first when the database lives in it.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.database_url.is_empty() {
        config.prepare_data_dir()?;
    }
    // The store's errors already name the URL (password hidden) and what to check.
    let store = Store::connect(&config.database_url())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    at_current_rendering(&store).await?;
    Ok(store)
}

/// Records, on a database with no story or page yet, that its HTML is at this build's
/// rendering (see `Store::start_at_rendering`), so stories written now are not rendered
/// again by the first server.
pub async fn at_current_rendering(store: &Store) -> anyhow::Result<()> {
    store
        .start_at_rendering(masthead_render::RENDER_VERSION)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

/// Parses a role given on the command line; the error names the flag and the accepted roles.
pub fn parse_role(flag: &str, text: &str) -> anyhow::Result<Role> {
    Role::parse(&text.trim().to_lowercase()).map_err(|e| anyhow!("{flag} {}", e.message))
}

/// Finds the account with this login address; a missing one is an error saying how to list
/// the accounts.
pub async fn find(store: &Store, email: &str) -> anyhow::Result<User> {
    Ok(store.user_by_email(email).await?)
}

/// `masthead user add`: creates an account and prints `created ROLE account for EMAIL`.
pub async fn add(
    config: &Config,
    email: &str,
    name: &str,
    role: &str,
    from: PasswordFrom,
) -> anyhow::Result<()> {
    // Everything that can be checked without the password is checked first, so nobody types
    // a password only to hear that the role was misspelt.
    let role = parse_role("--role", role)?;
    let email = check_email(email)?;
    let name = name.trim();
    if name.is_empty() {
        bail!(
            "--name must not be empty: give the name shown in the desk, e.g. --name \"Jane Doe\""
        );
    }
    let store = open_store(config).await?;
    if store.credentials(&email).await?.is_some() {
        bail!("an account for {email} already exists; see it with `masthead user list`");
    }
    let mut context = vec![email.as_str(), name];
    if !config.site_name.is_empty() {
        context.push(config.site_name.as_str());
    }
    let password = match from {
        PasswordFrom::Stdin => Password::parse(&read_stdin_line()?, &context)?,
        PasswordFrom::Terminal => prompt_password(&email, &context)?,
    };
    create(&store, &email, name, role, &password).await?;
    store.close().await;
    println!("created {role} account for {email}");
    Ok(())
}

/// Stores a new account with `password` hashed (Argon2id), recorded in the audit log as
/// made by the command line. `email` must already be checked ([`check_email`]).
pub async fn create(
    store: &Store,
    email: &str,
    name: &str,
    role: Role,
    password: &Password,
) -> anyhow::Result<()> {
    let new = NewUser {
        email: email.to_owned(),
        name: name.to_owned(),
        role,
        password_hash: hash_password(password)?,
    };
    store
        .create_user(&new, &Actor::system(ACTOR), SystemClock.now())
        .await?;
    Ok(())
}

/// `masthead user list`: one row per account.
pub async fn list(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let users = store.list_users().await?;
    store.close().await;
    if users.is_empty() {
        eprintln!(
            "there are no staff accounts yet; create the first with \
             `masthead user add --email EMAIL --name NAME --role admin`"
        );
        return Ok(());
    }
    print!("{}", table(&users));
    Ok(())
}

/// The account table: email, name, role, 2FA, disabled, in columns padded to fit.
fn table(users: &[User]) -> String {
    let header = ["EMAIL", "NAME", "ROLE", "2FA", "DISABLED"];
    let rows: Vec<[String; 5]> = users
        .iter()
        .map(|u| {
            [
                u.email.clone(),
                u.name.clone(),
                u.role.to_string(),
                if u.totp_enabled { "on" } else { "off" }.to_owned(),
                if u.disabled { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header = header.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `masthead user set-role`: changes the role; the account's sessions end.
pub async fn set_role(config: &Config, email: &str, role: &str) -> anyhow::Result<()> {
    let role = parse_role("--role", role)?;
    let store = open_store(config).await?;
    let user = find(&store, email).await?;
    store
        .set_user_role(user.id, role, &Actor::system(ACTOR), SystemClock.now())
        .await?;
    store.close().await;
    println!(
        "{} is now {} (was {}); their sessions have ended",
        user.email,
        article(role),
        user.role
    );
    Ok(())
}

/// `masthead user disable` / `enable`.
pub async fn set_disabled(config: &Config, email: &str, disabled: bool) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let user = find(&store, email).await?;
    store
        .set_user_disabled(user.id, disabled, &Actor::system(ACTOR), SystemClock.now())
        .await?;
    store.close().await;
    if disabled {
        println!(
            "disabled {}: their sessions have ended and their API tokens no longer work",
            user.email
        );
    } else {
        println!("enabled {}: they can log in again", user.email);
    }
    Ok(())
}

/// `masthead user reset-password`: prints a link that lets the account's owner choose a new
/// password, once, for `hours` hours.
pub async fn reset_password(config: &Config, email: &str, hours: u32) -> anyhow::Result<()> {
    let tz: chrono_tz::Tz = config.timezone.parse().map_err(|_| {
        anyhow!(
            "timezone {:?} is not an IANA time zone name",
            config.timezone
        )
    })?;
    let store = open_store(config).await?;
    let user = find(&store, email).await?;
    if user.disabled {
        bail!(
            "the account for {} is disabled, so a reset link would not work; enable it first \
             with `masthead user enable --email {}`",
            user.email,
            user.email
        );
    }
    let now = SystemClock.now();
    let expires_at = now + Duration::hours(i64::from(hours));
    let token = new_token("");
    store
        .create_reset(
            user.id,
            &token_hash(&token),
            expires_at,
            &Actor::system(ACTOR),
            now,
        )
        .await?;
    store.close().await;
    if config.base_url.is_empty() {
        eprintln!(
            "note: base_url is not set, so the link starts with the listen address; set it with \
             --base-url, MASTHEAD_BASE_URL or base_url in masthead.toml"
        );
    }
    eprintln!("password-reset link for {}:", user.email);
    println!("{}/admin/reset/{token}", config.base_url());
    eprintln!(
        "It works once, until {}. Send it to them privately; it is not stored and cannot be \
         shown again.",
        expires_at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
    );
    Ok(())
}

/// "an editor", "an admin", "a contributor".
pub fn article(role: Role) -> String {
    let a = if matches!(role, Role::Author | Role::Editor | Role::Admin) {
        "an"
    } else {
        "a"
    };
    format!("{a} {role}")
}

/// Checks and normalises an address with the one rule the store and the desk use.
fn check_email(email: &str) -> anyhow::Result<String> {
    check_email_flag("--email", email)
}

/// [`check_email`] for the flag named `flag`.
pub fn check_email_flag(flag: &str, email: &str) -> anyhow::Result<String> {
    EmailAddress::parse(email)
        .map(|e| e.to_string())
        .map_err(|e| anyhow::anyhow!("{flag} {}", e.message))
}

/// The first line of `file` (standard input for `-`) without its line ending, as a password;
/// nothing else is trimmed, since spaces may be part of it. `flag` names the option in errors.
pub fn read_password_file(flag: &str, file: &std::path::Path) -> anyhow::Result<String> {
    if file == std::path::Path::new("-") {
        return read_stdin_line();
    }
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("{flag}: cannot read {}", file.display()))?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        bail!(
            "{flag}: the first line of {} is empty; write the password on it",
            file.display()
        );
    }
    Ok(line.to_owned())
}

/// The first line of standard input without its line ending; nothing else is trimmed, since
/// spaces may be part of the password.
fn read_stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    if read == 0 {
        bail!(
            "--password-stdin was given but standard input is empty: pipe the password in, \
             e.g. `printf '%s\\n' \"$PASSWORD\" | masthead user add ... --password-stdin`"
        );
    }
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    Ok(line)
}

/// Asks for the password twice at the terminal, without echo, explaining a refusal and
/// asking again up to [`TERMINAL_TRIES`] times.
pub fn prompt_password(email: &str, context: &[&str]) -> anyhow::Result<Password> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "standard input is not a terminal, so the password cannot be typed; \
             pipe it in with --password-stdin"
        );
    }
    let mut tries = 0;
    loop {
        tries += 1;
        let first = rpassword::prompt_password(format!("Password for {email}: "))
            .context("cannot read the password from the terminal")?;
        let refusal = match Password::parse(&first, context) {
            Ok(password) => {
                let again = rpassword::prompt_password("Type it again: ")
                    .context("cannot read the password from the terminal")?;
                if again == first {
                    return Ok(password);
                }
                anyhow!("The two passwords differ.")
            }
            Err(e) => e.into(),
        };
        if tries >= TERMINAL_TRIES {
            return Err(refusal);
        }
        eprintln!("{refusal:#} Try again.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            check_email(" Jane@Example.org ").ok().as_deref(),
            Some("jane@example.org")
        );
        for bad in [
            "",
            "jane",
            "@example.org",
            "jane@example",
            "ja ne@example.org",
            "a@b@c.org",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_are_parsed_ignoring_case_and_errors_list_them() {
        assert_eq!(parse_role("--role", "Editor").ok(), Some(Role::Editor));
        let err = parse_role("--role", "boss").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("--role \"boss\" is not one of: contributor, author, editor, admin")
        );
    }
}
