//! `masthead import wordpress FILE.xml`: a WordPress site's archive brought in, with a
//! progress bar over each phase (hidden when standard error is not a terminal) and the
//! report printed at the end, also kept for the desk.

use crate::config::Config;
use crate::user::open_store;
use crate::wire::fetcher;
use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use masthead_core::{Clock, SystemClock};
use masthead_media::MediaStorage;
use masthead_wordpress::import::{Options, Progress, import};
use masthead_wordpress::wxr::WxrLimits;
use std::path::PathBuf;
use std::sync::Arc;

/// What `import wordpress` was given.
pub struct WordpressImport {
    /// The export.
    pub file: PathBuf,
    /// A copy of `wp-content/uploads`.
    pub uploads: Option<PathBuf>,
    /// Report only.
    pub dry_run: bool,
    /// Continue a run that stopped.
    pub resume: bool,
    /// The categories that become sections.
    pub sections: Option<Vec<String>>,
    /// Whether images not in the uploads folder are fetched from the old site.
    pub fetch: bool,
    /// The operator's setting for local addresses.
    pub allow_local_fetch: bool,
}

/// A progress bar for each phase.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        self.0.set_prefix(name.to_owned());
        self.0.set_length(total);
        self.0.set_position(0);
    }

    fn at(&self, done: u64) {
        self.0.set_position(done);
    }
}

/// `masthead import wordpress`.
pub async fn wordpress(config: &Config, args: WordpressImport) -> anyhow::Result<()> {
    if let Some(dir) = &args.uploads
        && !dir.is_dir()
    {
        anyhow::bail!(
            "--uploads {}: no such folder; give a copy of the old site's wp-content/uploads",
            dir.display()
        );
    }
    let time_zone = config.timezone.parse().map_err(|_| {
        anyhow!(
            "the timezone setting {:?} is not a time zone",
            config.timezone
        )
    })?;
    config.prepare_data_dir()?;
    let store = open_store(config).await?;
    let media: Arc<dyn MediaStorage> = crate::media_store::open(config)?;
    let fetcher = if args.fetch {
        Some(fetcher(&config.base_url(), args.allow_local_fetch)?)
    } else {
        None
    };
    let options = Options {
        file: args.file,
        uploads: args.uploads,
        dry_run: args.dry_run,
        resume: args.resume,
        sections: args.sections,
        time_zone,
        limits: WxrLimits::default(),
    };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template("{prefix:20} {bar:40} {percent:>3}% {msg}")
            .map_err(|e| anyhow!("progress template: {e}"))?,
    );
    let outcome = import(
        &store,
        fetcher.as_ref(),
        media,
        &options,
        SystemClock.now(),
        &Bar(bar.clone()),
    )
    .await;
    bar.finish_and_clear();
    if outcome.is_ok() && !options.dry_run {
        store.refresh_statistics().await?;
    }
    store.close().await;
    let report = outcome.map_err(|e| anyhow!("{e}"))?;
    print!("{report}");
    Ok(())
}
