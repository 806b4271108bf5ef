//! `masthead init [DIR]`: sets a new site up in DIR (default: the current directory). It
//! asks on a terminal for what flags did not give (the site's name, address and time zone,
//! the first admin's email and password), then writes `masthead.toml` and the data
//! directory, creates the database and the admin account, and prints the command that
//! serves the site.
//!
//! It never overwrites: an existing `masthead.toml`, a data directory with anything in it,
//! or a database with masthead's schema stops it before anything is written. Everything is
//! checked before the first write, and a failure after it removes what this run made, so a
//! failed init leaves no half-made configuration behind. The configuration file is linked
//! into place last, and only if none appeared meanwhile.

use crate::config::{Config, Overrides};
use crate::user;
use anyhow::{Context, anyhow, bail};
use masthead_core::Role;
use masthead_core::password::Password;
use masthead_store::Store;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The configuration file's name in DIR.
const CONFIG_FILE: &str = "masthead.toml";
/// The data directory's name in DIR.
const DATA_DIR: &str = "masthead-data";
/// The time zone offered when asking.
const DEFAULT_TIMEZONE: &str = "America/Chicago";

/// The flags of `masthead init`; each one answers a question that is otherwise asked.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The directory to set the site up in: masthead.toml and masthead-data/ are made
    /// there (it is created if missing). [default: the current directory]
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The site's name, e.g. "Riverside Ledger".
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The site's address, e.g. https://news.example.org (every absolute link starts with it).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The IANA time zone dates are shown in, e.g. America/Chicago.
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// The first admin's login address.
    #[arg(long, value_name = "EMAIL")]
    admin_email: Option<String>,
    /// The first admin's name, shown in the desk. [default: the part of the email before @]
    #[arg(long, value_name = "NAME")]
    admin_name: Option<String>,
    /// A file whose first line is the first admin's password (`-` for standard input);
    /// without it the password is asked twice on the terminal, without echo.
    #[arg(long, value_name = "FILE")]
    admin_password_file: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST/DB (an empty database).
    /// [default: SQLite in the data directory]
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

/// The answers, checked.
struct Answers {
    name: String,
    url: String,
    timezone: String,
    email: String,
    admin_name: String,
    password: Password,
    database: Option<String>,
}

/// Runs `masthead init`; `config` is the global `--config`, which init does not take.
pub async fn run(config: Option<&Path>, args: InitArgs) -> anyhow::Result<()> {
    if config.is_some() {
        bail!(
            "masthead init writes DIR/masthead.toml itself: leave out --config and give the \
             directory, e.g. masthead init /srv/news"
        );
    }
    let dir = std::path::absolute(args.dir.clone().unwrap_or_else(|| PathBuf::from(".")))
        .context("cannot tell the current directory")?;
    let config_path = dir.join(CONFIG_FILE);
    let data_dir = dir.join(DATA_DIR);
    refuse_existing(&config_path, &data_dir)?;
    let answers = ask(args)?;
    if let Some(url) = &answers.database {
        refuse_used_database(url).await?;
    }

    let made = Made::new(&dir, &data_dir, answers.database.as_deref());
    match write_site(&dir, &config_path, &data_dir, &answers).await {
        Ok(()) => {}
        Err(e) => {
            made.undo();
            return Err(e.context("nothing was kept: fix the above and run masthead init again"));
        }
    }
    println!("wrote {}", config_path.display());
    println!(
        "created the data directory {} and the database",
        data_dir.display()
    );
    println!("created the admin account for {}", answers.email);
    println!();
    println!("Serve the site with:");
    println!("  masthead serve --config {}", config_path.display());
    println!(
        "For HTTPS, see the tls lines in {}; to run it as a service: \
         masthead service install --config {}",
        config_path.display(),
        config_path.display()
    );
    Ok(())
}

/// Stops before anything is written when a configuration or data is already there.
fn refuse_existing(config_path: &Path, data_dir: &Path) -> anyhow::Result<()> {
    if config_path.exists() {
        bail!(
            "{} already exists, and masthead init never overwrites it: to change a setting, \
             edit that file; to set up another site, run masthead init in another directory",
            config_path.display()
        );
    }
    if data_dir.exists() {
        let empty = std::fs::read_dir(data_dir)
            .with_context(|| format!("cannot read {}", data_dir.display()))?
            .next()
            .is_none();
        if !empty {
            bail!(
                "the data directory {} already has files in it, and masthead init never \
                 overwrites data: move it away, or run masthead init in another directory",
                data_dir.display()
            );
        }
    }
    Ok(())
}

/// A database named by `--database` must hold no masthead schema (and an SQLite one must
/// not exist yet).
async fn refuse_used_database(url: &str) -> anyhow::Result<()> {
    let redacted = masthead_store::redact_url(url);
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = Path::new(path.split('?').next().unwrap_or(path));
        if path.exists() {
            bail!(
                "--database: {} already exists, and masthead init never overwrites a \
                 database: name a new file, or leave --database out for SQLite in the data \
                 directory",
                path.display()
            );
        }
        return Ok(());
    }
    let store = Store::connect_unmigrated(url)
        .await
        .map_err(|e| anyhow!("--database: {e}"))?;
    let status = masthead_store::migrate::status(&store).await;
    store.close().await;
    let status = status.map_err(|e| anyhow!("--database: {e}"))?;
    if !status.applied.is_empty() || !status.newer.is_empty() {
        bail!(
            "--database: {redacted} already holds a masthead site, and masthead init never \
             overwrites one: create an empty database for the new site, or point an existing \
             masthead.toml at this one"
        );
    }
    Ok(())
}

/// Checks every flag given and asks for the rest on the terminal; without a terminal, a
/// missing flag is an error naming it.
fn ask(args: InitArgs) -> anyhow::Result<Answers> {
    let terminal = std::io::stdin().is_terminal();
    if !terminal {
        let missing: Vec<&str> = [
            ("--name", args.name.is_none()),
            ("--url", args.url.is_none()),
            ("--timezone", args.timezone.is_none()),
            ("--admin-email", args.admin_email.is_none()),
            ("--admin-password-file", args.admin_password_file.is_none()),
        ]
        .into_iter()
        .filter_map(|(flag, missing)| missing.then_some(flag))
        .collect();
        if !missing.is_empty() {
            bail!(
                "standard input is not a terminal, so masthead init cannot ask; give {} \
                 (see masthead init --help)",
                missing.join(", ")
            );
        }
    }
    let name = answer(args.name, "--name", "The site's name", None, check_name)?;
    let url = answer(
        args.url,
        "--url",
        "The site's address (https://…)",
        None,
        check_url,
    )?;
    let timezone = answer(
        args.timezone,
        "--timezone",
        "Time zone",
        Some(DEFAULT_TIMEZONE),
        check_timezone,
    )?;
    let email = answer(
        args.admin_email,
        "--admin-email",
        "The first admin's email",
        None,
        |e| user::check_email_flag("--admin-email", e),
    )?;
    let admin_name = match args.admin_name {
        Some(n) if n.trim().is_empty() => bail!("--admin-name must not be empty"),
        Some(n) => n.trim().to_owned(),
        None => email.split('@').next().unwrap_or("admin").to_owned(),
    };
    let context = [email.as_str(), admin_name.as_str(), name.as_str()];
    let password = match &args.admin_password_file {
        Some(file) => {
            let text = user::read_password_file("--admin-password-file", file)?;
            Password::parse(&text, &context).map_err(|e| anyhow!("--admin-password-file: {e}"))?
        }
        None => user::prompt_password(&email, &context)?,
    };
    let database = match args.database {
        None => None,
        Some(url) if url.starts_with("sqlite:") || url.starts_with("postgres://") => Some(url),
        Some(_) => bail!(
            "--database must be sqlite://PATH or postgres://USER:PASSWORD@HOST/DB; leave it \
             out for SQLite in the data directory"
        ),
    };
    Ok(Answers {
        name,
        url,
        timezone,
        email,
        admin_name,
        password,
        database,
    })
}

/// The flag's value checked by `check`, or, when it is missing, the answer to `question`
/// asked until `check` takes it (an empty answer takes `default`).
fn answer(
    given: Option<String>,
    flag: &str,
    question: &str,
    default: Option<&str>,
    check: impl Fn(&str) -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    if let Some(value) = given {
        return check(&value).with_context(|| flag.to_owned());
    }
    let stdin = std::io::stdin();
    loop {
        match default {
            Some(d) => eprint!("{question} [{d}]: "),
            None => eprint!("{question}: "),
        }
        std::io::stderr().flush().ok();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            bail!("no answer for {flag}: standard input ended");
        }
        let line = match line.trim() {
            "" => default.unwrap_or(""),
            typed => typed,
        };
        match check(line) {
            Ok(value) => return Ok(value),
            Err(e) => eprintln!("{e:#}"),
        }
    }
}

fn check_name(name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        bail!("the site's name must not be empty, e.g. \"Riverside Ledger\"");
    }
    Ok(name.to_owned())
}

fn check_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    let host_ok = !host.is_empty()
        && !host.contains(['/', '?', '#', '@'])
        && !host.chars().any(|c| c.is_whitespace() || c.is_control());
    if !host_ok {
        bail!(
            "the site's address must be https:// and a host name, such as \
             \"https://news.example.org\", not {url:?}"
        );
    }
    Ok(url.to_owned())
}

fn check_timezone(zone: &str) -> anyhow::Result<String> {
    let zone = zone.trim();
    zone.parse::<chrono_tz::Tz>().map_err(|_| {
        anyhow!(
            "{zone:?} is not an IANA time zone name such as \"America/Chicago\" or \
             \"Europe/Berlin\" (the list: `timedatectl list-timezones`)"
        )
    })?;
    Ok(zone.to_owned())
}

/// What this run made, so a failure can take it back: DIR and the data directory when they
/// did not exist (or the data directory's contents when it was empty), and a new SQLite file
/// named by `--database`.
struct Made {
    dir: Option<PathBuf>,
    data_dir: PathBuf,
    data_dir_existed: bool,
    sqlite_file: Option<PathBuf>,
}

impl Made {
    fn new(dir: &Path, data_dir: &Path, database: Option<&str>) -> Self {
        let sqlite_file = database
            .and_then(|u| u.strip_prefix("sqlite://").or(u.strip_prefix("sqlite:")))
            .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)));
        Self {
            dir: (!dir.exists()).then(|| dir.to_path_buf()),
            data_dir: data_dir.to_path_buf(),
            data_dir_existed: data_dir.exists(),
            sqlite_file,
        }
    }

    /// Removes what was made; best effort, since it runs after another error.
    fn undo(&self) {
        if let Some(file) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut name = file.clone().into_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(name);
            }
        }
        if self.data_dir_existed {
            if let Ok(entries) = std::fs::read_dir(&self.data_dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
        } else {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Writes the configuration to a temporary file and loads it back (so it is exactly what
/// `serve` will read), makes the data directory, the database and the admin, and then links
/// the configuration into place.
async fn write_site(
    dir: &Path,
    config_path: &Path,
    data_dir: &Path,
    answers: &Answers,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temporary = dir.join(format!(".{CONFIG_FILE}.init-{}", std::process::id()));
    let written = write_private(&temporary, &config_text(answers, data_dir));
    let result = match written {
        Ok(()) => make_site(&temporary, config_path, answers).await,
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&temporary);
    result
}

async fn make_site(temporary: &Path, config_path: &Path, answers: &Answers) -> anyhow::Result<()> {
    let config = Config::load(Some(temporary), Overrides::default())
        .context("the configuration masthead init wrote does not load")?;
    let store = user::open_store(&config).await?;
    let created = user::create(
        &store,
        &answers.email,
        &answers.admin_name,
        Role::Admin,
        &answers.password,
    )
    .await;
    store.close().await;
    created?;
    // A hard link fails if the name exists: a file made meanwhile is never replaced.
    std::fs::hard_link(temporary, config_path).with_context(|| {
        format!(
            "cannot write {} (did another program create it meanwhile?)",
            config_path.display()
        )
    })
}

/// Creates `path` readable by its owner only (it may come to hold passwords, such as the
/// SMTP server's) and writes `text` to disk.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A TOML string, quoted and escaped.
fn quoted(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// The text of `masthead.toml`: every key init sets, and the HTTPS keys commented out.
fn config_text(answers: &Answers, data_dir: &Path) -> String {
    let host = answers
        .url
        .split_once("://")
        .map_or("news.example.org", |(_, host)| host);
    let host = host.split(':').next().unwrap_or(host);
    let database = match &answers.database {
        Some(url) => format!("database_url = {}\n", quoted(url)),
        None => "# database_url = \"postgres://USER:PASSWORD@HOST/DB\"   \
                 (unset: SQLite in data_dir)\n"
            .to_owned(),
    };
    format!(
        "# masthead's configuration, written by `masthead init`. Every setting can also be set\n\
         # with an environment variable MASTHEAD_<KEY> (e.g. MASTHEAD_ADDR), which wins over\n\
         # this file. After editing, `systemctl reload masthead` (SIGHUP) applies the site's\n\
         # name, tagline, time zone, language and page size; other keys need a restart.\n\
         \n\
         site_name = {name}\n\
         base_url = {url}\n\
         timezone = {timezone}\n\
         \n\
         # The address to listen on. Behind a reverse proxy keep it on loopback.\n\
         addr = \"127.0.0.1:8080\"\n\
         # The database and media files (back it up with `masthead backup`).\n\
         data_dir = {data_dir}\n\
         {database}\
         \n\
         # HTTPS without a reverse proxy: masthead gets certificates itself over ACME.\n\
         # tls = \"acme\"\n\
         # tls_domains = [{host}]\n\
         # tls_email = {email}\n\
         # (and addr above set to \"0.0.0.0:443\")\n\
         # Or with a certificate and key of your own:\n\
         # tls = \"files\"\n\
         # tls_cert = \"/etc/masthead/cert.pem\"\n\
         # tls_key = \"/etc/masthead/key.pem\"\n",
        name = quoted(&answers.name),
        url = quoted(&answers.url),
        timezone = quoted(&answers.timezone),
        data_dir = quoted(&data_dir.display().to_string()),
        host = quoted(host),
        email = quoted(&answers.email),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_scheme_and_a_host_only() {
        assert_eq!(
            check_url("https://news.example.org/").ok().as_deref(),
            Some("https://news.example.org")
        );
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        for bad in [
            "",
            "news.example.org",
            "ftp://x.org",
            "https://",
            "https://a b.org",
            "https://x.org/news",
            "https://u@x.org",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(check_timezone("Europe/Berlin").is_ok());
        assert!(check_timezone("Mars/Olympus_Mons").is_err());
    }
}
