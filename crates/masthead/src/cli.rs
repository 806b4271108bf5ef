//! The command line: subcommands and their flags. Every flag also has a `masthead.toml` key
//! and a `MASTHEAD_*` environment variable (see `config.rs`).

use crate::config::{Config, Overrides};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
    /// Serve the site.
    Serve(ServeArgs),
    /// Fill the database with N generated stories, for benchmarks.
    Generate(GenerateArgs),
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
    /// Keep rendered pages in memory: on or off. [env: MASTHEAD_PAGE_CACHE] [default: on]
    #[arg(long, value_name = "on|off")]
    page_cache: Option<String>,
    /// Load the demo newsroom if the database is empty.
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    #[command(flatten)]
    data: DataArgs,
    /// How many stories to add.
    #[arg(long, value_name = "N")]
    stories: u64,
}

/// Runs the chosen subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let overrides = Overrides {
                data_dir: args.data.data_dir,
                database_url: args.data.database_url,
                addr: args.addr,
                base_url: args.base_url,
                site_name: args.site_name,
                theme_dir: args.theme_dir,
                page_cache: args.page_cache,
            };
            let config = Config::load(cli.config.as_deref(), overrides)?;
            crate::serve::run(config, args.demo).await
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
    }
}
