//! Where this site's media lives, from the configuration: files under `DATA_DIR/media` (the
//! default), or an S3-compatible bucket when `media_url = "s3://BUCKET/PREFIX"`, which every
//! app server of a site can share.
//!
//! Every command that touches media (`serve`, `backup`, `restore`, `check`, `import`, `wire`,
//! the demo) opens it here, so they all agree. The S3 secret key is read from the
//! environment (`MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY`, else `AWS_SECRET_ACCESS_KEY`) or from
//! the file `media_s3_secret_access_key_file` names: never from `masthead.toml` itself, and
//! never printed.

use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use masthead_media::{FileStorage, MediaStorage, S3Limits, S3Settings, S3Storage};
use std::path::PathBuf;
use std::sync::Arc;

/// The bucket and prefix of an `s3://` media URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    /// The bucket.
    pub bucket: String,
    /// The prefix inside it, without leading or trailing slashes; empty for none.
    pub prefix: String,
}

/// Reads `media_url`: `None` for local files (empty), the bucket and prefix for
/// `s3://BUCKET[/PREFIX]`.
///
/// # Errors
///
/// A message naming `media_url` and what a good one looks like.
pub fn parse_url(url: &str) -> anyhow::Result<Option<S3Url>> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let example = "media_url must be empty (files under DATA_DIR/media) or name an S3 bucket \
                   and an optional prefix, like \"s3://news-media\" or \"s3://news-media/site\"";
    let Some(rest) = url.strip_prefix("s3://") else {
        bail!("{example}, not {url:?}");
    };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !bucket.starts_with(['-', '.'])
        && !bucket.ends_with(['-', '.']);
    if !bucket_ok {
        bail!(
            "{example}, not {url:?}: a bucket name is 3 to 63 lower-case letters, digits, \
             dots and hyphens"
        );
    }
    let prefix = prefix.trim_matches('/');
    let prefix_ok = prefix.is_empty()
        || prefix.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        });
    if !prefix_ok {
        bail!(
            "{example}, not {url:?}: a prefix is folder names of letters, digits, '-', '_' \
             and '.', separated by '/'"
        );
    }
    Ok(Some(S3Url {
        bucket: bucket.to_owned(),
        prefix: prefix.to_owned(),
    }))
}

/// The S3 settings the configuration gives, or `None` for local files.
///
/// # Errors
///
/// A bad `media_url`, or an S3 URL without credentials, with what to set.
pub fn s3_settings(config: &Config) -> anyhow::Result<Option<S3Settings>> {
    let Some(url) = parse_url(&config.media_url)? else {
        return Ok(None);
    };
    let access_key_id = match config.media_s3_access_key_id.trim() {
        "" => std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default(),
        id => id.to_owned(),
    };
    let secret_access_key = secret(config)?;
    if access_key_id.is_empty() || secret_access_key.is_empty() {
        bail!(
            "media_url is {:?} but the credentials are missing: set media_s3_access_key_id \
             (or AWS_ACCESS_KEY_ID) and the secret in MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY \
             (or AWS_SECRET_ACCESS_KEY, or a file named by media_s3_secret_access_key_file)",
            config.media_url
        );
    }
    let endpoint = config.media_s3_endpoint.trim().trim_end_matches('/');
    let scheme_ok = endpoint.starts_with("http://") || endpoint.starts_with("https://");
    if !endpoint.is_empty() && !scheme_ok {
        bail!(
            "media_s3_endpoint must be the object store's address starting with http:// or \
             https://, like \"http://127.0.0.1:3900\", not {endpoint:?}"
        );
    }
    Ok(Some(S3Settings {
        bucket: url.bucket,
        prefix: url.prefix,
        endpoint: endpoint.to_owned(),
        region: config.media_s3_region.trim().to_owned(),
        access_key_id,
        secret_access_key,
        limits: S3Limits::default(),
    }))
}

/// The secret key: the environment first, then the file.
fn secret(config: &Config) -> anyhow::Result<String> {
    for var in [
        "MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        if let Ok(value) = std::env::var(var)
            && !value.trim().is_empty()
        {
            return Ok(value.trim().to_owned());
        }
    }
    match &config.media_s3_secret_access_key_file {
        Some(file) => Ok(std::fs::read_to_string(file)
            .with_context(|| {
                format!(
                    "cannot read media_s3_secret_access_key_file {}",
                    file.display()
                )
            })?
            .trim()
            .to_owned()),
        None => Ok(String::new()),
    }
}

/// The media storage the configuration names. Local files are under `DATA_DIR/media`,
/// which the caller has prepared (`Config::prepare_data_dir`) if it writes.
///
/// # Errors
///
/// Bad S3 settings, with what to fix.
pub fn open(config: &Config) -> anyhow::Result<Arc<dyn MediaStorage>> {
    Ok(match s3_settings(config)? {
        None => Arc::new(FileStorage::at(local_dir(config))),
        Some(settings) => Arc::new(
            S3Storage::new(&settings)
                .map_err(|e| anyhow!("media_url {:?}: {e}", config.media_url))?,
        ),
    })
}

/// The local media directory (used when `media_url` is empty).
pub fn local_dir(config: &Config) -> PathBuf {
    config.data_dir.join("media")
}

/// Whether media is on object storage.
pub fn is_s3(config: &Config) -> bool {
    !config.media_url.trim().is_empty()
}

/// Where media is, for messages: the directory or the `s3://` URL.
pub fn describe(config: &Config) -> String {
    if is_s3(config) {
        config.media_url.trim().to_owned()
    } else {
        local_dir(config).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn media_urls_name_a_bucket_and_a_prefix_or_nothing() {
        assert_eq!(parse_url("").unwrap(), None);
        assert_eq!(
            parse_url("s3://news-media").unwrap(),
            Some(S3Url {
                bucket: "news-media".into(),
                prefix: String::new()
            })
        );
        assert_eq!(
            parse_url("s3://news.media/site/images/").unwrap(),
            Some(S3Url {
                bucket: "news.media".into(),
                prefix: "site/images".into()
            })
        );
        for bad in [
            "/srv/media",
            "http://bucket/x",
            "s3://",
            "s3://ab",
            "s3://Upper",
            "s3://b_u",
            "s3://bucket/../x",
            "s3://bucket/a//b",
            "s3://bucket/a b",
        ] {
            let error = parse_url(bad).unwrap_err().to_string();
            assert!(error.contains("media_url"), "{bad}: {error}");
        }
    }
}
