//! The old site's images into the media library, each once: read from a copy of
//! `wp-content/uploads` when the operator gives one (`--uploads DIR`), else fetched from
//! the old site through the one guarded fetcher (private and local addresses refused),
//! then stored by [`add_image`] through the upload pipeline. Each image stored is recorded
//! under its old address, so a second run, or a run resumed, uses it again instead of
//! storing it twice.

use crate::import::report::{Report, reason};
use chrono::{DateTime, Utc};
use masthead_core::MediaId;
use masthead_desk::library::add_image;
use masthead_fetch::{Conditional, Fetcher};
use masthead_media::MediaStorage;
use masthead_store::{NewImportRecord, Store, StoreError};
use percent_encoding::percent_decode_str;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// An image in the library: its id and address here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Its id.
    pub id: MediaId,
    /// Its address on this site (`/media/…`).
    pub address: String,
}

/// Where images come from, and what has been stored so far in this run.
pub struct Images<'a> {
    store: &'a Store,
    source: &'a str,
    fetcher: Option<&'a Fetcher>,
    media: Arc<dyn MediaStorage>,
    uploads: Option<PathBuf>,
    dry_run: bool,
    /// Every address asked for in this run: what it became (`None`: it could not be had).
    seen: HashMap<String, Option<Stored>>,
}

impl<'a> Images<'a> {
    /// Images for an import of `source`, read from `uploads` when given, else fetched by
    /// `fetcher` (none: only the uploads folder is used).
    pub fn new(
        store: &'a Store,
        source: &'a str,
        fetcher: Option<&'a Fetcher>,
        media: Arc<dyn MediaStorage>,
        uploads: Option<PathBuf>,
        dry_run: bool,
    ) -> Self {
        Images {
            store,
            source,
            fetcher,
            media,
            uploads,
            dry_run,
            seen: HashMap::new(),
        }
    }

    /// Every image address of this run that is in the library, with its address here.
    pub fn moved(&self) -> impl Iterator<Item = (&str, &str)> {
        self.seen.iter().filter_map(|(old, stored)| {
            stored
                .as_ref()
                .filter(|s| !s.address.is_empty())
                .map(|s| (old.as_str(), s.address.as_str()))
        })
    }

    /// Looks up, all at once, which of `addresses` earlier runs stored.
    pub async fn recall(&mut self, addresses: &[&str]) -> Result<(), StoreError> {
        let wanted: Vec<&str> = addresses
            .iter()
            .copied()
            .filter(|a| !self.seen.contains_key(*a))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        for (address, record) in self
            .store
            .import_records(self.source, "image", &wanted)
            .await?
        {
            let stored = Stored {
                id: MediaId(record.local_id),
                address: record.content_hash,
            };
            self.seen.insert(address, Some(stored));
        }
        Ok(())
    }

    /// The image at `address` in the library, storing it first if no run has; `None` when
    /// it cannot be had (noted in `report` with the reason, once). `alt` and `caption` are
    /// what the old site said of it; `old` names the item for the report.
    pub async fn get(
        &mut self,
        address: &str,
        alt: &str,
        old: &str,
        report: &mut Report,
        now: DateTime<Utc>,
    ) -> Result<Option<Stored>, StoreError> {
        if let Some(known) = self.seen.get(address) {
            return Ok(known.clone());
        }
        if self.dry_run {
            // A dry run fetches nothing: an image the uploads folder lacks is noted only
            // when nothing could fetch it either.
            let found = match self.read_local(address).await {
                Some(Err(e)) if self.fetcher.is_none() => {
                    report.note(reason::IMAGE, old, format!("{address}: {e}"));
                    None
                }
                _ => Some(Stored {
                    id: MediaId(0),
                    address: String::new(),
                }),
            };
            if found.is_some() {
                report.created("images", 1);
            }
            self.seen.insert(address.to_owned(), found.clone());
            return Ok(found);
        }
        let stored = match self.bring(address, alt, now).await {
            Ok(stored) => {
                report.created("images", 1);
                self.store
                    .put_import_records(
                        self.source,
                        &[NewImportRecord {
                            kind: "image",
                            old_id: address.to_owned(),
                            local_id: stored.id.0,
                            content_hash: stored.address.clone(),
                            version: 0,
                            data: String::new(),
                        }],
                    )
                    .await?;
                Some(stored)
            }
            Err(e) => {
                report.note(reason::IMAGE, old, format!("{address}: {e}"));
                None
            }
        };
        self.seen.insert(address.to_owned(), stored.clone());
        Ok(stored)
    }

    /// Reads (from the uploads folder) or fetches (from the old site, when the folder does
    /// not have it) the image, and stores it.
    async fn bring(&self, address: &str, alt: &str, now: DateTime<Utc>) -> Result<Stored, String> {
        let bytes = match self.read_local(address).await {
            Some(Ok(bytes)) => bytes,
            Some(Err(missing)) => self
                .fetch(address)
                .await
                .map_err(|fetch| format!("{missing}, and fetching it failed: {fetch}"))?,
            None => self.fetch(address).await?,
        };
        let original = file_name(address);
        let added = add_image(
            self.store,
            self.media.as_ref(),
            bytes,
            &original,
            alt,
            "",
            now,
        )
        .await?;
        Ok(Stored {
            id: added.id,
            address: format!("/media/{}", added.storage_name),
        })
    }

    /// The file of `address` in the uploads folder, when one was given and the address is
    /// under `wp-content/uploads/`; `None` when the folder does not apply.
    async fn read_local(&self, address: &str) -> Option<Result<Vec<u8>, String>> {
        let root = self.uploads.as_ref()?;
        let relative = uploads_path(address)?;
        let path = root.join(&relative);
        Some(
            tokio::fs::read(&path)
                .await
                .map_err(|e| format!("{} is not in the uploads folder ({e})", relative.display())),
        )
    }

    async fn fetch(&self, address: &str) -> Result<Vec<u8>, String> {
        let Some(fetcher) = self.fetcher else {
            return Err("it is not in the uploads folder given, and fetching is off".to_owned());
        };
        let response = fetcher
            .get(address, &Conditional::default())
            .await
            .map_err(|e| e.to_string())?;
        if !response.status.is_success() {
            return Err(format!("the old site answered {}", response.status));
        }
        Ok(response.body.to_vec())
    }
}

/// The path of `address` below `wp-content/uploads/`, decoded, if it is there and stays
/// inside (no `..`, no root).
pub fn uploads_path(address: &str) -> Option<PathBuf> {
    let path = match Url::parse(address) {
        Ok(url) => url.path().to_owned(),
        Err(_) => address.split(['?', '#']).next()?.to_owned(),
    };
    let (_, rest) = path.split_once("/wp-content/uploads/")?;
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    let relative = Path::new(decoded.as_ref());
    if relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        Some(relative.to_path_buf())
    } else {
        None
    }
}

/// The last part of an address's path, for the library's "original name".
fn file_name(address: &str) -> String {
    let path = Url::parse(address).map_or_else(|_| address.to_owned(), |u| u.path().to_owned());
    let last = path.rsplit('/').next().unwrap_or("");
    percent_decode_str(last).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_uploads_folder_are_read() {
        assert_eq!(
            uploads_path("https://old.example/wp-content/uploads/2024/01/a%20b.jpg"),
            Some(PathBuf::from("2024/01/a b.jpg"))
        );
        assert_eq!(
            uploads_path("https://old.example/wp-content/uploads/../../etc/passwd"),
            None
        );
        assert_eq!(
            uploads_path("https://old.example/wp-content/uploads/2024/%2e%2e/%2e%2e/x"),
            None
        );
        assert_eq!(uploads_path("https://old.example/images/a.jpg"), None);
    }
}
