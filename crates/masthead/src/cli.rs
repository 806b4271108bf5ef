//! The command line: subcommands and their flags. Every flag also has a `masthead.toml` key
//! and a `MASTHEAD_*` environment variable (see `config.rs`).

use crate::config::{Config, Overrides};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

/// masthead: a publishing platform for local newsrooms.
#[derive(Debug, Parser)]
#[command(name = "masthead", version, about)]
pub struct Cli {
    /// A configuration file (TOML). Default: ./masthead.toml when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Set a new site up: write masthead.toml and the data directory, create the database
    /// and the first admin. Asks on a terminal for what the flags do not give.
    Init(crate::init::InitArgs),
    /// Serve the site.
    Serve(ServeArgs),
    /// List the database's applied and pending migrations and apply the pending ones.
    Migrate(MigrateArgs),
    /// The systemd service that serves the site.
    #[command(subcommand)]
    Service(ServiceCommand),
    /// Fill the database with N generated stories, for benchmarks.
    Generate(GenerateArgs),
    /// Add, list and change staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Create API tokens for staff accounts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a consistent backup of the site (database and media) into a new directory,
    /// while it serves.
    Backup(BackupArgs),
    /// Bring a backup back into an empty data directory (and empty database).
    Restore(RestoreArgs),
    /// Check the database and the media files; exits non-zero if anything is wrong.
    Check(CheckArgs),
    /// Wire feeds: add, list, pull now, remove.
    #[command(subcommand)]
    Wire(WireCommand),
    /// Bring in another site's archive.
    #[command(subcommand)]
    Import(ImportCommand),
    /// The meeting desk's tools.
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// The newsletter: send a list's digest from cron or a script.
    #[command(subcommand)]
    Newsletter(NewsletterCommand),
}

#[derive(Debug, Args)]
struct MigrateArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Print what would be applied (versions, names, expand or contract); change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum ServiceCommand {
    /// Write a hardened systemd unit for the site named by --config.
    Install(crate::service::InstallArgs),
}

#[derive(Debug, Subcommand)]
enum NewsletterCommand {
    /// Make a send of a list from the stories published since its last send, and schedule
    /// it now: the running servers send it. With --now, this process sends it and returns
    /// when every reader is settled.
    Send(NewsletterSendArgs),
}

#[derive(Debug, Args)]
struct NewsletterSendArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The list's slug (daily, weekly, …; see the desk's Newsletter page).
    #[arg(long, value_name = "SLUG")]
    list: String,
    /// Send from this process now, with progress, instead of leaving it to the servers.
    #[arg(long)]
    now: bool,
}

#[derive(Debug, Subcommand)]
enum MeetingCommand {
    /// Print what the meeting desk reads from a public body's minutes (PDF or text), as JSON:
    /// attendance;
    /// each motion with its wording, mover, seconder, votes, tally, outcome, amounts and
    /// numbers; public comment speakers; adjournment. Every fact has the byte span of the
    /// text it came from, and says whether the record states it or it was worked out.
    Extract(ExtractArgs),
    /// Reads a PDF from standard input and prints its text, under memory and CPU limits:
    /// the child process `extract` runs for a PDF.
    #[command(hide = true)]
    PdfText,
}

#[derive(Debug, Args)]
struct ExtractArgs {
    /// The minutes, as a PDF with a text layer or plain text (UTF-8); `-` reads standard
    /// input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import a WordPress export (Tools → Export → All content in WordPress): posts, pages,
    /// comments, images, bylines, sections and tags, and every old address as a redirect.
    /// Safe to run again: nothing is created twice, and what changed at the source is updated.
    Wordpress(WordpressArgs),
}

#[derive(Debug, Args)]
struct WordpressArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    fetch: FetchArgs,
    /// The export file (WXR, .xml).
    #[arg(value_name = "FILE.xml")]
    file: PathBuf,
    /// A copy of the old site's wp-content/uploads folder: images are read from it instead
    /// of being fetched from the old site.
    #[arg(long, value_name = "DIR")]
    uploads: Option<PathBuf>,
    /// Read everything and print the report, writing nothing.
    #[arg(long)]
    dry_run: bool,
    /// Continue an import that stopped half-way (killed, or the database failed).
    #[arg(long)]
    resume: bool,
    /// The categories (slugs, comma-separated) that become sections; every other category
    /// becomes a tag. [default: the top-level categories]
    #[arg(long, value_name = "SLUG,SLUG", value_delimiter = ',')]
    sections: Option<Vec<String>>,
    /// Never fetch images from the old site; only --uploads is read.
    #[arg(long)]
    no_fetch: bool,
}

/// The operator's setting for outbound fetches; never stored, never settable from the desk.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct FetchArgs {
    /// Let masthead fetch feeds and images from loopback, private and carrier-grade NAT
    /// addresses (intranets, tests). Off by default.
    #[arg(long, env = "MASTHEAD_ALLOW_LOCAL_FETCH")]
    pub allow_local_fetch: bool,
}

#[derive(Debug, Subcommand)]
enum WireCommand {
    /// Add a feed (RSS, Atom or JSON Feed). Refuses private and loopback addresses unless
    /// --allow-local-fetch.
    Add(WireAddArgs),
    /// List the sources with their last fetch, last error and counts.
    List(DataOnly),
    /// Pull one source (--source ID) or every enabled one now.
    Pull(WirePullArgs),
    /// Forget a source; the stories it brought stay.
    Remove(WireRemoveArgs),
}

#[derive(Debug, Args)]
struct WireAddArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    fetch: FetchArgs,
    /// The feed's address.
    #[arg(value_name = "URL")]
    url: String,
    /// The wire's name, shown in the desk and credited on its stories.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// The section (slug) its stories go to. [default: the site's first section]
    #[arg(long, value_name = "SLUG")]
    section: Option<String>,
    /// auto (publish as they arrive) or review (queue for an editor).
    #[arg(long, value_name = "auto|review", default_value = "review")]
    mode: String,
    /// Minutes between pulls (1 to 360).
    #[arg(long, value_name = "MIN", default_value_t = 15,
          value_parser = clap::value_parser!(u32).range(1..=360))]
    interval: u32,
}

#[derive(Debug, Args)]
struct WirePullArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    fetch: FetchArgs,
    /// The source's id (see `masthead wire list`). [default: every enabled source]
    #[arg(long, value_name = "ID")]
    source: Option<i64>,
}

#[derive(Debug, Args)]
struct WireRemoveArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The source's id (see `masthead wire list`).
    #[arg(value_name = "ID")]
    id: i64,
}

#[derive(Debug, Args)]
struct BackupArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The directory to write the backup into; it must not exist or be empty.
    #[arg(value_name = "DEST")]
    dest: PathBuf,
}

#[derive(Debug, Args)]
struct RestoreArgs {
    #[command(flatten)]
    data: DataArgs,
    /// A directory written by `masthead backup`.
    #[arg(value_name = "BACKUP")]
    from: PathBuf,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Delete media files that no image in the library names.
    #[arg(long)]
    remove_orphans: bool,
}

/// Where the data lives; every subcommand that touches data takes these.
#[derive(Debug, Args, Clone, Default)]
pub struct DataArgs {
    /// The data directory (database, media). [env: MASTHEAD_DATA_DIR] [default: ./masthead-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST/DB. [env: MASTHEAD_DATABASE_URL]
    /// [default: SQLite in the data directory]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Address to listen on. [env: MASTHEAD_ADDR] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// The site's public URL, used for every absolute link. [env: MASTHEAD_BASE_URL]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The site's name. [env: MASTHEAD_SITE_NAME]
    #[arg(long, value_name = "NAME")]
    site_name: Option<String>,
    /// A theme directory whose templates/ and static/site.css override the built-in theme.
    /// [env: MASTHEAD_THEME_DIR]
    #[arg(long, value_name = "DIR")]
    theme_dir: Option<PathBuf>,
    /// A PostgreSQL read replica for anonymous public reads; repeat for several.
    /// [env: MASTHEAD_DATABASE_READ_URL, URLs separated by commas] [default: none]
    #[arg(long, value_name = "URL")]
    database_read_url: Vec<String>,
    /// Keep rendered pages in memory: on or off. [env: MASTHEAD_PAGE_CACHE] [default: on]
    #[arg(long, value_name = "on|off")]
    page_cache: Option<String>,
    /// Load the demo newsroom if the database is empty.
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    fetch: FetchArgs,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    #[command(flatten)]
    data: DataArgs,
    /// How many stories to add.
    #[arg(long, value_name = "N")]
    stories: u64,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a staff account. Asks for the password twice on the terminal.
    Add(UserAddArgs),
    /// List the staff accounts.
    List(DataOnly),
    /// Change an account's role; its sessions end.
    SetRole(SetRoleArgs),
    /// Shut an account out: its sessions end and its API tokens stop working.
    Disable(EmailArgs),
    /// Let a disabled account back in.
    Enable(EmailArgs),
    /// Print a one-time link at which the account's owner chooses a new password.
    ResetPassword(ResetArgs),
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token and print it once.
    Create(TokenCreateArgs),
}

#[derive(Debug, Args)]
struct DataOnly {
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Debug, Args)]
struct UserAddArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The login address.
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// The name shown in the desk and the audit log.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// contributor, author, editor or admin.
    #[arg(long, value_name = "ROLE")]
    role: String,
    /// Read the password from the first line of standard input instead of the terminal.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
struct EmailArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The account's login address.
    #[arg(long, value_name = "EMAIL")]
    email: String,
}

#[derive(Debug, Args)]
struct SetRoleArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The account's login address.
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// contributor, author, editor or admin.
    #[arg(long, value_name = "ROLE")]
    role: String,
}

#[derive(Debug, Args)]
struct ResetArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The account's login address.
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// How long the link works, in hours (1 to 168).
    #[arg(long, value_name = "HOURS", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=168))]
    expires_hours: u32,
    /// The site's public URL, which the link starts with. [env: MASTHEAD_BASE_URL]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
}

#[derive(Debug, Args)]
struct TokenCreateArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The login address of the account the token acts for.
    #[arg(long, value_name = "EMAIL")]
    user: String,
    /// A name to recognise the token by, e.g. the program that uses it.
    #[arg(long, value_name = "NAME", default_value = "command line")]
    name: String,
    /// The widest role the token acts with: contributor, author, editor or admin.
    /// [default: the account's role]
    #[arg(long, value_name = "ROLE")]
    scope: Option<String>,
}

/// Loads the configuration for a command that only needs the data flags.
fn data_config(file: Option<&Path>, data: DataArgs) -> anyhow::Result<Config> {
    let overrides = Overrides {
        data_dir: data.data_dir,
        database_url: data.database_url,
        ..Overrides::default()
    };
    Config::load(file, overrides)
}

/// Runs the chosen subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init(args) => crate::init::run(cli.config.as_deref(), args).await,
        Command::Migrate(args) => {
            let config = data_config(cli.config.as_deref(), args.data)?;
            crate::migrate::run(&config, args.dry_run).await
        }
        Command::Service(ServiceCommand::Install(args)) => {
            crate::service::install(cli.config.as_deref(), args)
        }
        Command::Serve(args) => {
            let overrides = Overrides {
                data_dir: args.data.data_dir,
                database_url: args.data.database_url,
                database_read_url: (!args.database_read_url.is_empty())
                    .then_some(args.database_read_url),
                addr: args.addr,
                base_url: args.base_url,
                site_name: args.site_name,
                theme_dir: args.theme_dir,
                page_cache: args.page_cache,
            };
            let config = Config::load(cli.config.as_deref(), overrides.clone())?;
            let file = cli.config.clone();
            let load = Box::new(move || Config::load(file.as_deref(), overrides.clone()));
            crate::serve::run(config, args.demo, args.fetch.allow_local_fetch, load).await
        }
        Command::Generate(args) => {
            let overrides = Overrides {
                data_dir: args.data.data_dir,
                database_url: args.data.database_url,
                ..Overrides::default()
            };
            let config = Config::load(cli.config.as_deref(), overrides)?;
            crate::generate::run(&config, args.stories).await
        }
        Command::User(command) => run_user(cli.config.as_deref(), command).await,
        Command::Backup(args) => {
            let config = data_config(cli.config.as_deref(), args.data)?;
            crate::backup::run(&config, &args.dest).await
        }
        Command::Restore(args) => {
            let config = data_config(cli.config.as_deref(), args.data)?;
            crate::restore::run(&config, &args.from).await
        }
        Command::Check(args) => {
            let config = data_config(cli.config.as_deref(), args.data)?;
            crate::check::run(&config, args.remove_orphans).await
        }
        Command::Wire(command) => run_wire(cli.config.as_deref(), command).await,
        Command::Meeting(MeetingCommand::Extract(args)) => {
            crate::meeting::extract(&args.file).await
        }
        Command::Meeting(MeetingCommand::PdfText) => crate::meeting::pdf_text_child(),
        Command::Newsletter(NewsletterCommand::Send(args)) => {
            let config = data_config(cli.config.as_deref(), args.data)?;
            crate::newsletter::send(&config, &args.list, args.now).await
        }
        Command::Import(ImportCommand::Wordpress(args)) => {
            let config = data_config(cli.config.as_deref(), args.data)?;
            let import = crate::import::WordpressImport {
                file: args.file,
                uploads: args.uploads,
                dry_run: args.dry_run,
                resume: args.resume,
                sections: args.sections,
                fetch: !args.no_fetch,
                allow_local_fetch: args.fetch.allow_local_fetch,
            };
            crate::import::wordpress(&config, import).await
        }
        Command::Token(TokenCommand::Create(args)) => {
            let config = data_config(cli.config.as_deref(), args.data)?;
            crate::token::create(&config, &args.user, &args.name, args.scope.as_deref()).await
        }
    }
}

async fn run_wire(file: Option<&Path>, command: WireCommand) -> anyhow::Result<()> {
    match command {
        WireCommand::Add(args) => {
            let config = data_config(file, args.data)?;
            let add = crate::wire::AddArgs {
                url: &args.url,
                name: &args.name,
                section: args.section.as_deref(),
                mode: &args.mode,
                interval_minutes: args.interval,
                allow_local_fetch: args.fetch.allow_local_fetch,
            };
            crate::wire::add(&config, add).await
        }
        WireCommand::List(args) => crate::wire::list(&data_config(file, args.data)?).await,
        WireCommand::Pull(args) => {
            let config = data_config(file, args.data)?;
            crate::wire::pull(&config, args.source, args.fetch.allow_local_fetch).await
        }
        WireCommand::Remove(args) => {
            crate::wire::remove(&data_config(file, args.data)?, args.id).await
        }
    }
}

async fn run_user(file: Option<&Path>, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => {
            let config = data_config(file, args.data)?;
            let password = if args.password_stdin {
                crate::user::PasswordFrom::Stdin
            } else {
                crate::user::PasswordFrom::Terminal
            };
            crate::user::add(&config, &args.email, &args.name, &args.role, password).await
        }
        UserCommand::List(args) => crate::user::list(&data_config(file, args.data)?).await,
        UserCommand::SetRole(args) => {
            let config = data_config(file, args.data)?;
            crate::user::set_role(&config, &args.email, &args.role).await
        }
        UserCommand::Disable(args) => {
            crate::user::set_disabled(&data_config(file, args.data)?, &args.email, true).await
        }
        UserCommand::Enable(args) => {
            crate::user::set_disabled(&data_config(file, args.data)?, &args.email, false).await
        }
        UserCommand::ResetPassword(args) => {
            let overrides = Overrides {
                data_dir: args.data.data_dir,
                database_url: args.data.database_url,
                base_url: args.base_url,
                ..Overrides::default()
            };
            let config = Config::load(file, overrides)?;
            crate::user::reset_password(&config, &args.email, args.expires_hours).await
        }
    }
}
