//! `masthead serve`: open the database, optionally load the demo, and serve until SIGTERM or
//! Ctrl-C, letting in-flight requests finish within `shutdown_timeout` (see [`masthead_web::listen`]).

use crate::config::Config;
use crate::demo;
use anyhow::{Context, anyhow};
use masthead_core::{Clock, SystemClock};
use masthead_render::Theme;
use masthead_store::Store;
use masthead_web::{AppState, SiteConfig, housekeeping, listen, media_upkeep, metrics};
use std::sync::Arc;
use tokio::net::TcpListener;

/// Serves the site with `config`; with `demo`, loads the demo newsroom into an empty database.
/// `allow_local_fetch` is the operator's `--allow-local-fetch`: the wire worker may fetch
/// from loopback and private addresses.
/// `load` reads the configuration again on SIGHUP (see `reload.rs`).
pub async fn run(
    config: Config,
    demo: bool,
    allow_local_fetch: bool,
    load: crate::reload::Loader,
) -> anyhow::Result<()> {
    let media_dir = config.prepare_data_dir()?;
    let store = Store::connect(&config.database_url())
        .await
        .map_err(|e| anyhow!("{e}"))?
        .with_replicas(&config.database_read_url.0)
        .map_err(|e| anyhow!("{e}"))?;
    crate::user::at_current_rendering(&store).await?;
    if let Some(replicas) = store.replicas() {
        let names: Vec<&str> = replicas.list().iter().map(|r| r.label.as_str()).collect();
        tracing::info!(replicas = ?names, "anonymous public reads use the read replicas that are caught up");
    }
    let checked =
        crate::check::at_start(&store, crate::backup::sqlite_file(&config).as_deref()).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    let demo_site = if demo { Some(demo::site()?) } else { None };
    if demo {
        let media = crate::media_store::open(&config)?;
        match demo::load(&store, media.as_ref(), clock.now())
            .await
            .context("loading the demo newsroom")?
        {
            demo::Loaded::Stories(n) => tracing::info!("loaded the demo newsroom: {n} stories"),
            demo::Loaded::Skipped => {
                tracing::info!(
                    "the database already has content, so the demo was not loaded; serving what is there"
                )
            }
        }
    }

    let listener = TcpListener::bind(&config.addr).await.with_context(|| {
        format!(
            "cannot listen on {}: is another program using it? Choose another with --addr",
            config.addr
        )
    })?;
    let local = listener.local_addr()?;
    let https = crate::https::setup(&config, &config.data_dir)?;
    let base_url = match (config.base_url.is_empty(), &https) {
        (false, _) => config.base_url(),
        (true, None) => format!("http://{local}"),
        (true, Some(_)) => {
            let host = crate::https::domains(&config)
                .into_iter()
                .next()
                .unwrap_or_default();
            match local.port() {
                443 => format!("https://{host}"),
                port => format!("https://{host}:{port}"),
            }
        }
    };

    let fallback = crate::reload::Fallback {
        name: demo_site
            .as_ref()
            .map_or_else(|| "Local News".to_owned(), |d| d.name.clone()),
        tagline: demo_site
            .as_ref()
            .map_or_else(String::new, |d| d.tagline.clone()),
    };
    let (name, tagline) = fallback.name_and_tagline(&config);
    let state = app_state(
        &config,
        store.clone(),
        clock.clone(),
        &base_url,
        name,
        tagline,
        media_dir,
    )?;
    // One outbound client for the program: the worker and the desk's "Pull now" share it.
    let fetcher = crate::wire::fetcher(&base_url, allow_local_fetch)?;
    let state = state
        .with_fetcher(fetcher.clone())
        .with_pdf_reader(std::sync::Arc::new(crate::meeting::ChildReader));
    let state = match prose_helper(&config)? {
        Some(helper) => state.with_prose_helper(helper),
        None => state,
    };
    let state = match crate::newsletter::mail(&config)? {
        Some(mail) => state.with_mail(mail),
        None => state,
    };
    let state = if config.metrics_token.is_empty() {
        state
    } else {
        state.with_metrics_token(&config.metrics_token)
    };
    let metrics = match config.metrics_addr.trim() {
        "" => None,
        addr => {
            let listener = TcpListener::bind(addr).await.with_context(|| {
                format!(
                    "cannot listen for /metrics on {addr}: is another program using it? \
                     Choose another metrics_addr (MASTHEAD_METRICS_ADDR)"
                )
            })?;
            let local = listener.local_addr()?;
            let serving = state.clone();
            Some((
                local,
                tokio::spawn(async move {
                    let forever = std::future::pending::<()>();
                    if let Err(e) = metrics::endpoint::serve(listener, serving, forever).await {
                        tracing::error!(error = %e, "the /metrics listener stopped");
                    }
                }),
            ))
        }
    };
    state.refresh().await.map_err(|e| anyhow!("{e}"))?;
    // Catch up on stories that came due while no server was running, then keep at it.
    housekeeping::promote_due(&state).await;
    match media_upkeep::sweep_at_start(&state).await {
        Ok(_) => {}
        // An object store that is down must not keep the site from serving its pages: the
        // records the sweep took are put back, and the upkeep sweeps again within the hour.
        Err(e) if crate::media_store::is_s3(&config) => {
            tracing::warn!(error = %e, media = %config.media_url,
                "media storage did not answer the start-up sweep; serving anyway, images answer 503 until it does")
        }
        Err(e) => return Err(anyhow!("{e}")),
    }
    if !checked {
        tokio::spawn(crate::check::in_background(store.clone()));
    }
    tokio::spawn(index_search_backlog(store.clone()));
    let poller = tokio::spawn(state.clone().poll());
    let replica_watch = tokio::spawn(state.clone().watch_replicas());
    let upkeep = tokio::spawn(housekeeping::run(state.clone()));
    // The newsletter's sender: works the send queue in the database with every other server.
    let newsletter = tokio::spawn(masthead_web::newsletter::worker::run(state.clone()));
    // The wire desk's worker: claims due sources (one server each, see masthead_wire::worker).
    let wire = tokio::spawn(masthead_wire::worker::run(
        masthead_wire::Ingest {
            store: store.clone(),
            fetcher,
            media: Some(state.media.clone()),
            clock: clock.clone(),
        },
        state.metrics.jobs.wire.clone(),
    ));

    let shutdown = shutdown_signal();
    let certificate_files = https
        .as_ref()
        .filter(|_| config.tls == "files")
        .map(|h| h.tls.clone());
    let reloader = crate::reload::listen(
        state.clone(),
        config.clone(),
        load,
        fallback,
        certificate_files,
    )?;
    // Printed after the "listening" line, which scripts read first; tests read this one to
    // find the port when metrics_addr ends in :0.
    let metrics_line = metrics
        .as_ref()
        .map(|(addr, _)| format!("masthead: metrics on http://{addr}/metrics"));
    match https {
        None => {
            // The smoke test and scripts read this line to find the port when --addr ends in :0.
            println!("masthead: listening on http://{local} (site {base_url})");
            if let Some(line) = metrics_line {
                println!("{line}");
            }
            listen::serve(listener, state, config.limits(), shutdown).await;
        }
        Some(https) => {
            serve_https(
                listener,
                state,
                &config,
                https,
                &base_url,
                metrics_line,
                shutdown,
            )
            .await?
        }
    }
    poller.abort();
    replica_watch.abort();
    reloader.abort();
    upkeep.abort();
    wire.abort();
    newsletter.abort();
    if let Some((_, metrics)) = metrics {
        metrics.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Serves HTTPS on `listener`, with its plain-HTTP companion (redirects and ACME's HTTP-01
/// answers) on `http_addr`, and the ACME loop beside them, until `shutdown`.
async fn serve_https(
    listener: TcpListener,
    state: AppState,
    config: &Config,
    https: crate::https::Https,
    base_url: &str,
    metrics_line: Option<String>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let local = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let mut companion = None;
    if let Some(addr) = &https.http_addr {
        let plain = TcpListener::bind(addr).await.with_context(|| {
            format!(
                "cannot listen on {addr} for plain HTTP (redirects to HTTPS and ACME's http-01                  check): is another program using it, or is the port below 1024 without the                  right to bind it? Choose another with http_addr, or http_addr = \"off\""
            )
        })?;
        println!(
            "masthead: listening on http://{} (redirects to HTTPS)",
            plain.local_addr()?
        );
        let hosts = match local.port() {
            443 => crate::https::domains(config),
            port => crate::https::domains(config)
                .into_iter()
                .map(|d| format!("{d}:{port}"))
                .collect(),
        };
        let hosts = if hosts.is_empty() {
            vec![base_url.trim_start_matches("https://").to_owned()]
        } else {
            hosts
        };
        companion = Some(tokio::spawn(listen::serve_redirect(
            plain,
            https.tls.clone(),
            hosts,
            config.limits(),
            until_stopped(),
        )));
    }
    let acme = https.acme.map(tokio::spawn);
    println!("masthead: listening on https://{local} (site {base_url})");
    if let Some(line) = metrics_line {
        println!("{line}");
    }
    let served = listen::serve_https(listener, state, config.limits(), https.tls, async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    served.await;
    if let Some(companion) = companion {
        let _ = companion.await;
    }
    if let Some(acme) = acme {
        acme.abort();
    }
    Ok(())
}

/// The application state for `config` over `store`: the theme, and the site's settings as
/// configured (the desk's stored settings are laid over them by `AppState::refresh`).
pub fn app_state(
    config: &Config,
    store: Store,
    clock: Arc<dyn Clock>,
    base_url: &str,
    name: String,
    tagline: String,
    media_dir: std::path::PathBuf,
) -> anyhow::Result<AppState> {
    let timezone = config
        .timezone
        .parse()
        .map_err(|e| anyhow!("timezone: {e}"))?;
    let theme = Theme::load(config.theme_dir.as_deref(), timezone)
        .with_context(|| format!("cannot read the theme directory {:?}", config.theme_dir))?;
    let site = SiteConfig {
        name,
        tagline,
        base_url: base_url.to_owned(),
        timezone,
        language: config.language.clone(),
        page_size: config.page_size,
        logo: String::new(),
        identity: Default::default(),
        page_cache: config.page_cache == "on",
        http_caching: config.http_caching(),
        trust_forwarded_for: config.trust_forwarded_for,
        media_dir,
    };
    let media = crate::media_store::open(config)?;
    tracing::info!(media = %crate::media_store::describe(config), "media storage");
    Ok(AppState::new(store, theme, site, clock).with_media(media))
}

/// Indexes for search the stories stored before search existed (a database upgraded by the
/// search migration), newest first, while the site serves; until it is done, older stories
/// are missing from search results. Interrupted, the next start goes on from where it was.
async fn index_search_backlog(store: Store) {
    match store.search_backlog().await {
        Ok(None) => return,
        Ok(Some(_)) => tracing::info!("indexing for search the stories stored before it existed"),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the search backlog; restart to retry");
            return;
        }
    }
    match masthead_desk::index_backlog(&store).await {
        Ok(n) => tracing::info!(stories = n, "every story is indexed for search"),
        Err(e) => {
            tracing::error!(error = %e, "indexing older stories for search stopped; the next start goes on")
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM. SIGTERM is registered when this is called, before the
/// "listening" line: registered at the server loop's first poll instead, a SIGTERM sent as
/// soon as a supervisor read the line could meet the default action and kill the process
/// without draining (seen in the backup tests under load).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let term = async move {
            match term {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = term => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}

/// The meeting desk's prose helper, when `prose_url` is set: its model from `prose_model`,
/// its key from `MASTHEAD_PROSE_KEY` (never from a file, never logged).
fn prose_helper(
    config: &Config,
) -> anyhow::Result<Option<masthead_web::prose_helper::ProseHelper>> {
    if config.prose_url.trim().is_empty() {
        return Ok(None);
    }
    if config.prose_model.trim().is_empty() {
        anyhow::bail!(
            "prose_url is set but prose_model is not: name the model the prose helper should \
             use (prose_model in masthead.toml or MASTHEAD_PROSE_MODEL), or unset prose_url"
        );
    }
    let key = std::env::var("MASTHEAD_PROSE_KEY").ok();
    let helper = masthead_web::prose_helper::ProseHelper::new(
        config.prose_url.trim(),
        config.prose_model.trim(),
        key,
    )
    .map_err(|e| anyhow!("the prose helper at {}: {e}", config.prose_url))?;
    tracing::info!(url = %config.prose_url, model = %config.prose_model, "the meeting desk's prose helper is on");
    Ok(Some(helper))
}
