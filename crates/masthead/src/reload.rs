//! SIGHUP in `masthead serve` (`systemctl reload`): re-reads the configuration (file,
//! environment and the command line's flags, as at start) and applies what can change
//! while serving: the site's name and tagline, time zone, language, page size and
//! `trust_forwarded_for`. Cached pages made with the old settings turn over at once.
//!
//! With `tls = "files"`, the certificate and key files are read again too (a renewal made by
//! another tool is served from the next handshake); a pair that cannot be used is logged and
//! the one in use stays.
//!
//! Every other changed key (the listen address, database, data directory, TLS, timeouts,
//! mail, the cache policy…) is logged as needing a restart and left as it was. A file that
//! does not load or check is logged with its error, and the settings in effect stay.

use crate::config::Config;
use masthead_web::AppState;
use std::collections::BTreeMap;

/// The keys a reload applies; every other changed key needs a restart.
pub const RELOADABLE: &[&str] = &[
    "site_name",
    "tagline",
    "timezone",
    "language",
    "page_size",
    "trust_forwarded_for",
];

/// Loads the configuration as at start.
pub type Loader = Box<dyn Fn() -> anyhow::Result<Config> + Send + Sync>;

/// The site's name and tagline when the configuration leaves them empty (the demo's, or
/// "Local News").
#[derive(Debug, Clone)]
pub struct Fallback {
    pub name: String,
    pub tagline: String,
}

impl Fallback {
    /// The name and tagline in effect for `config`.
    pub fn name_and_tagline(&self, config: &Config) -> (String, String) {
        let name = if config.site_name.is_empty() {
            self.name.clone()
        } else {
            config.site_name.clone()
        };
        let tagline = if config.tagline.is_empty() {
            self.tagline.clone()
        } else {
            config.tagline.clone()
        };
        (name, tagline)
    }
}

/// Listens for SIGHUP from now on (call it before saying "listening", so an early SIGHUP
/// is not the default action, which ends the process), reloading on each one.
pub fn listen(
    state: AppState,
    current: Config,
    load: Loader,
    fallback: Fallback,
    tls: Option<masthead_tls::Tls>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup())
            .map_err(|e| anyhow::anyhow!("cannot listen for SIGHUP: {e}"))?;
        Ok(tokio::spawn(async move {
            let mut current = current;
            while hangups.recv().await.is_some() {
                if let Some(tls) = &tls {
                    reload_certificate(tls, &current);
                }
                if let Some(next) = reload(&state, &current, &load, &fallback).await {
                    current = next;
                }
            }
        }))
    }
    #[cfg(not(unix))]
    {
        let _ = (state, current, load, fallback, tls);
        Ok(tokio::spawn(async {}))
    }
}

/// Reads `tls_cert` and `tls_key` again (`tls = "files"`).
fn reload_certificate(tls: &masthead_tls::Tls, current: &Config) {
    let (Some(cert), Some(key)) = (&current.tls_cert, &current.tls_key) else {
        return;
    };
    match tls.reload_files(cert, key) {
        Ok(()) => tracing::info!(certificate = %cert.display(), "read the certificate files again"),
        Err(e) => tracing::error!(
            error = %e,
            "cannot use the certificate files; the certificate in use stays"
        ),
    }
}

/// One reload: the new configuration when it was applied, `None` when it was refused.
async fn reload(
    state: &AppState,
    current: &Config,
    load: &Loader,
    fallback: &Fallback,
) -> Option<Config> {
    let next = match load() {
        Ok(next) => next,
        Err(e) => {
            tracing::error!(
                error = %format!("{e:#}"),
                "cannot reload the configuration; the settings in effect stay"
            );
            return None;
        }
    };
    let changed = changed_keys(current, &next);
    let (applied, restart): (Vec<&str>, Vec<&str>) = changed
        .iter()
        .map(String::as_str)
        .partition(|key| RELOADABLE.contains(key));
    if !applied.is_empty() {
        let mut site = (*state.base_config()).clone();
        let (name, tagline) = fallback.name_and_tagline(&next);
        site.name = name;
        site.tagline = tagline;
        site.language = next.language.clone();
        site.page_size = next.page_size;
        site.trust_forwarded_for = next.trust_forwarded_for;
        match next.timezone.parse() {
            Ok(tz) => site.timezone = tz,
            Err(e) => {
                tracing::error!(error = %e, "cannot reload the configuration; the settings in effect stay");
                return None;
            }
        }
        let wanted = site.clone();
        if let Err(e) = state.reconfigure(site).await {
            tracing::error!(error = %e, "cannot reload the configuration (the database did not answer); the settings in effect stay");
            return None;
        }
        let live = state.config();
        let overridden: Vec<&str> = [
            ("site_name", live.name != wanted.name),
            ("tagline", live.tagline != wanted.tagline),
            ("timezone", live.timezone != wanted.timezone),
            ("page_size", live.page_size != wanted.page_size),
        ]
        .into_iter()
        .filter(|&(key, differs)| differs && applied.contains(&key))
        .map(|(key, _)| key)
        .collect();
        if !overridden.is_empty() {
            tracing::warn!(
                keys = %overridden.join(", "),
                "the desk's settings (/admin/settings) set these too, and win over the file"
            );
        }
    }
    if !restart.is_empty() {
        tracing::warn!(
            keys = %restart.join(", "),
            "these settings changed but take effect only after a restart"
        );
    }
    tracing::info!(
        applied = %if applied.is_empty() { "nothing".to_owned() } else { applied.join(", ") },
        "reloaded the configuration"
    );
    // The keys needing a restart keep their old values, so the next reload names them again.
    let mut kept = next;
    for key in &restart {
        copy_key(current, &mut kept, key);
    }
    Some(kept)
}

/// The keys whose values differ between `a` and `b`, in order.
fn changed_keys(a: &Config, b: &Config) -> Vec<String> {
    let (a, b) = (as_map(a), as_map(b));
    let mut keys: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn as_map(config: &Config) -> BTreeMap<String, serde_json::Value> {
    match serde_json::to_value(config) {
        Ok(serde_json::Value::Object(map)) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

/// Sets `key` of `to` to its value in `from` (through their serialized form).
fn copy_key(from: &Config, to: &mut Config, key: &str) {
    let mut map = as_map(to);
    if let Some(v) = as_map(from).get(key) {
        map.insert(key.to_owned(), v.clone());
    }
    if let Ok(config) = serde_json::from_value(serde_json::Value::Object(map.into_iter().collect()))
    {
        *to = config;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_keys_are_named_and_restart_keys_keep_their_old_values() {
        let a = Config::default();
        let mut b = a.clone();
        b.site_name = "New".into();
        b.addr = "0.0.0.0:443".into();
        assert_eq!(changed_keys(&a, &b), ["addr", "site_name"]);
        copy_key(&a, &mut b, "addr");
        assert_eq!(b.addr, a.addr);
        assert_eq!(changed_keys(&a, &b), ["site_name"]);
    }
}
