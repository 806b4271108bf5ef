//! Where processed media lives: the [`MediaStorage`] interface and [`FileStorage`],
//! its implementation on a local directory.
//!
//! The trait uses boxed futures rather than `async fn` so that it stays object-safe:
//! the app holds an `Arc<dyn MediaStorage>` chosen from config at run time: this
//! [`FileStorage`], or [`S3Storage`](crate::S3Storage) on an object store.
//!
//! Every name must pass [`is_valid_name`], which is the path-traversal guard: a
//! name can't contain a path separator or `..`, so it always resolves to a file
//! directly inside the storage directory.

use std::fs::{self, File, OpenOptions};
use std::future::Future;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use crate::{MediaError, ProcessedImage, is_valid_name, storage_name, variant_name};
use std::time::{Duration, SystemTime};

/// The future every [`MediaStorage`] method returns.
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, MediaError>> + Send + 'a>>;

/// A place to keep media files by name. Names are always ones [`is_valid_name`]
/// accepts; implementations must refuse others.
pub trait MediaStorage: Send + Sync {
    /// Stores `bytes` under `name`, replacing any file of that name. When the future
    /// resolves `Ok`, the file is durable and readers see either nothing or all of it.
    fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> StorageFuture<'a, ()>;

    /// The file stored under `name`, or `None` if there is none. A name that fails
    /// [`is_valid_name`] (such as `../etc/passwd`) could never have been stored and
    /// is also `None`, so callers can pass a name taken from a URL straight through.
    fn get<'a>(&'a self, name: &'a str) -> StorageFuture<'a, Option<Vec<u8>>>;

    /// Removes the file stored under `name`; removing a missing file is not an error.
    fn delete<'a>(&'a self, name: &'a str) -> StorageFuture<'a, ()>;

    /// Where the file stored under `name` is on this machine's disk, so the server can stream
    /// it with ranges instead of reading it whole; `None` for a name [`is_valid_name`]
    /// refuses, or for storage that keeps files elsewhere (then readers use [`Self::get`]).
    fn local_path(&self, name: &str) -> Option<PathBuf>;

    /// Every stored file, with its size, for `masthead check` and `masthead backup`,
    /// including temporary files of writes in progress (or interrupted), marked as such.
    fn list(&self) -> StorageFuture<'_, Vec<StoredFile>>;

    /// Removes temporary files of writes that began more than `older_than` ago (a write
    /// takes well under a second; older ones were interrupted by a crash). Returns how
    /// many were removed.
    fn sweep_temporary(&self, older_than: Duration) -> StorageFuture<'_, usize>;
}

/// A file in media storage, as [`MediaStorage::list`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Its name; names [`is_valid_name`] refuses are listed too (something other than
    /// masthead put them there), so a check can report them.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Whether it is the temporary file of a write in progress, or of one a crash
    /// interrupted ([`MediaStorage::sweep_temporary`] removes those).
    pub temporary: bool,
}

/// Stores a processed image as `name` (a fresh [`storage_name`](crate::storage_name)) with
/// its variants. Variants are written first and the original last, so if the original
/// exists its variants do too (`{stem}-{width}w.{ext}`, see [`variant_name`]) and its social
/// card (`{stem}-c50-50.{ext}`, see [`card_name`](crate::card_name)). If a write
/// fails, the files already written are deleted (best effort) and the error returned.
///
/// The caller records the upload as begun in the database *before* calling this and
/// finishes it (the media row) after, so a crash in between leaves a record that the
/// start-up sweep follows to these files (see the web crate's `media_upkeep`).
///
/// # Errors
///
/// The first [`MediaError::Storage`] from `storage`.
pub async fn save_image(
    storage: &dyn MediaStorage,
    name: &str,
    image: ProcessedImage,
) -> Result<(), MediaError> {
    let mut written = Vec::new();
    for variant in image.variants {
        let variant_name = variant_name(name, variant.width);
        if let Err(error) = storage.put(&variant_name, variant.bytes).await {
            remove_all(storage, &written).await;
            return Err(error);
        }
        written.push(variant_name);
    }
    let card = crate::card_name(name, crate::Focus::CENTER);
    if let Err(error) = storage.put(&card, image.card.bytes).await {
        remove_all(storage, &written).await;
        return Err(error);
    }
    written.push(card);
    if let Err(error) = storage.put(name, image.original).await {
        remove_all(storage, &written).await;
        return Err(error);
    }
    Ok(())
}

async fn remove_all(storage: &dyn MediaStorage, names: &[String]) {
    for name in names {
        // Best effort: the write error is the one worth reporting, and an orphaned
        // variant under a random name is harmless.
        let _ = storage.delete(name).await;
    }
}

/// [`MediaStorage`] on a local directory, one file per name.
///
/// Writes go to a hidden temporary file in the same directory, which is synced and
/// then renamed over the final name (and the directory synced), so a crash leaves
/// either the old state or the complete new file, never a torn one. A crash between
/// write and rename can leave a `.tmp-…` file behind; those never pass
/// [`is_valid_name`], so they are never served, and are safe to delete.
///
/// File operations run on tokio's blocking pool, so the methods must be awaited
/// inside a tokio runtime.
#[derive(Debug, Clone)]
pub struct FileStorage {
    dir: Arc<PathBuf>,
}

impl FileStorage {
    /// Storage under `dir`, which is created (with its parents) if missing.
    ///
    /// # Errors
    ///
    /// [`MediaError::Storage`] if the directory can't be created.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, MediaError> {
        let dir = dir.into();
        fs::create_dir_all(&dir)
            .map_err(|e| MediaError::storage(format!("create {}", dir.display()), e))?;
        Ok(Self { dir: Arc::new(dir) })
    }

    /// Storage under `dir` without touching the disk, for callers that create the
    /// directory themselves (the server prepares its data directory at start). Writes
    /// fail with [`MediaError::Storage`] naming the path if it is missing.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: Arc::new(dir.into()),
        }
    }

    /// The directory files are stored in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path for `name`, or `InvalidName` if it isn't one we generate.
    fn path(&self, name: &str) -> Result<PathBuf, MediaError> {
        if is_valid_name(name) {
            Ok(self.dir.join(name))
        } else {
            Err(MediaError::InvalidName {
                name: name.to_owned(),
            })
        }
    }
}

/// Runs blocking file I/O on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    action: String,
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, MediaError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(MediaError::storage(action, error)),
        Err(join) => Err(MediaError::storage(action, io::Error::other(join))),
    }
}

impl MediaStorage for FileStorage {
    fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(name)?;
            let dir = Arc::clone(&self.dir);
            blocking(format!("write {}", path.display()), move || {
                write_atomically(&dir, &path, &bytes)
            })
            .await
        })
    }

    fn get<'a>(&'a self, name: &'a str) -> StorageFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let Ok(path) = self.path(name) else {
                return Ok(None);
            };
            blocking(format!("read {}", path.display()), move || {
                match fs::read(&path) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
        })
    }

    fn local_path(&self, name: &str) -> Option<PathBuf> {
        self.path(name).ok()
    }

    fn delete<'a>(&'a self, name: &'a str) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(name)?;
            blocking(
                format!("delete {}", path.display()),
                move || match fs::remove_file(&path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                    _ => Ok(()),
                },
            )
            .await
        })
    }

    fn list(&self) -> StorageFuture<'_, Vec<StoredFile>> {
        Box::pin(async move {
            let dir = Arc::clone(&self.dir);
            blocking(format!("list {}", dir.display()), move || list_dir(&dir)).await
        })
    }

    fn sweep_temporary(&self, older_than: Duration) -> StorageFuture<'_, usize> {
        Box::pin(async move {
            let dir = Arc::clone(&self.dir);
            blocking(format!("sweep {}", dir.display()), move || {
                sweep_dir(&dir, older_than)
            })
            .await
        })
    }
}

/// The prefix of temporary files; the leading dot keeps them from ever passing
/// [`is_valid_name`], so they are never served.
const TEMP_PREFIX: &str = ".tmp-";

fn list_dir(dir: &Path) -> io::Result<Vec<StoredFile>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        files.push(StoredFile {
            temporary: name.starts_with(TEMP_PREFIX),
            name,
            size: meta.len(),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

fn sweep_dir(dir: &Path, older_than: Duration) -> io::Result<usize> {
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let modified = entry.metadata()?.modified()?;
        // A clock that went backwards makes the file look new: keep it for now.
        let age = now.duration_since(modified).unwrap_or(Duration::ZERO);
        if age >= older_than {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

/// Writes `bytes` to a temporary file in `dir`, syncs it, renames it to `path` and
/// syncs `dir` so the rename itself survives a crash.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("{TEMP_PREFIX}{}", storage_name("part")));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // The original error matters more than a failed cleanup.
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Directories can't be opened for syncing on Windows; NTFS journals the rename.
    Ok(())
}
