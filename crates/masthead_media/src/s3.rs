//! [`S3Storage`]: media on S3-compatible object storage (Amazon S3, Garage, MinIO,
//! Cloudflare R2, ...), so every app server reads and writes the same files.
//!
//! One object per name, under `s3://BUCKET/PREFIX/NAME`, written with a single PUT: an
//! object store makes a PUT visible whole or not at all, so there are no temporary files
//! (`list` marks none, `sweep_temporary` removes none). The client is `object_store`'s,
//! over the reqwest + rustls stack the rest of the program uses.
//!
//! Every call is bounded in time ([`S3Limits`]): a connection that cannot be made within
//! the connect limit, a request that takes longer than the request limit, and the few
//! retries the client makes on a transient error all end in
//! [`MediaError::Unreachable`], which the web layer answers with 503. A dead or
//! black-holed store therefore costs a request seconds, never a hung worker.

use crate::storage::{MediaStorage, StorageFuture, StoredFile};
use crate::{MediaError, is_valid_name};
use futures_util::StreamExt as _;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt as _, PutPayload, RetryConfig,
};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Where the objects are and how to reach them. The secret key is never printed
/// (`Debug` leaves it out).
#[derive(Clone)]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// The prefix inside the bucket, without leading or trailing slashes; empty for none.
    pub prefix: String,
    /// The store's address, e.g. `http://127.0.0.1:3900`; empty means Amazon S3 itself.
    pub endpoint: String,
    /// The region the store signs requests for (Garage's `s3_region`, e.g. "garage").
    pub region: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The time limits of every call.
    pub limits: S3Limits,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

/// The time limits of calls to the object store.
#[derive(Debug, Clone, Copy)]
pub struct S3Limits {
    /// To open a connection.
    pub connect: Duration,
    /// For one request, from sending it to the end of its response body.
    pub request: Duration,
    /// Retries of a request that failed in a way worth retrying (a 5xx, a reset).
    pub retries: usize,
    /// The whole call, retries included; the call fails after this whatever else happens.
    pub call: Duration,
}

impl Default for S3Limits {
    /// 3 s to connect, 20 s a request, one retry, 30 s a call: an image is at most
    /// 20 MB, and on a loopback Garage a request takes milliseconds.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            request: Duration::from_secs(20),
            retries: 1,
            call: Duration::from_secs(30),
        }
    }
}

/// [`MediaStorage`] on an S3-compatible bucket; see the module documentation.
#[derive(Clone)]
pub struct S3Storage {
    store: Arc<AmazonS3>,
    prefix: ObjectPath,
    /// `s3://bucket/prefix`, for messages.
    url: Arc<str>,
    limits: S3Limits,
}

impl fmt::Debug for S3Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Storage").field("url", &self.url).finish()
    }
}

impl S3Storage {
    /// A client for `settings`. Nothing is sent yet: a wrong address or key shows at the
    /// first call (`masthead serve` makes one at start, see `check`).
    ///
    /// # Errors
    ///
    /// [`MediaError::Unreachable`] if the settings cannot make a client (a malformed
    /// endpoint address, an empty bucket name).
    pub fn new(settings: &S3Settings) -> Result<Self, MediaError> {
        let url = if settings.prefix.is_empty() {
            format!("s3://{}", settings.bucket)
        } else {
            format!("s3://{}/{}", settings.bucket, settings.prefix)
        };
        let limits = settings.limits;
        let options = ClientOptions::new()
            .with_connect_timeout(limits.connect)
            .with_timeout(limits.request)
            .with_allow_http(settings.endpoint.starts_with("http://"));
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: limits.retries,
            retry_timeout: limits.call,
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_client_options(options)
            .with_retry(retry);
        if !settings.endpoint.is_empty() {
            // Path-style addressing (`endpoint/bucket/key`): a custom endpoint such as
            // Garage or MinIO on one address has no per-bucket host names.
            builder = builder
                .with_endpoint(settings.endpoint.trim_end_matches('/'))
                .with_virtual_hosted_style_request(false)
                .with_allow_http(settings.endpoint.starts_with("http://"));
        }
        let store = builder.build().map_err(|e| MediaError::Unreachable {
            action: format!("start a client for {url}"),
            source: Box::new(e),
        })?;
        Ok(Self {
            store: Arc::new(store),
            prefix: ObjectPath::from(settings.prefix.as_str()),
            url: url.into(),
            limits,
        })
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The object's path for `name`, or `InvalidName` if it isn't one we generate.
    fn path(&self, name: &str) -> Result<ObjectPath, MediaError> {
        if !is_valid_name(name) {
            return Err(MediaError::InvalidName {
                name: name.to_owned(),
            });
        }
        Ok(self.prefix.clone().join(name))
    }

    /// Runs one call under the whole-call time limit, turning its error into
    /// [`MediaError::Unreachable`] naming `action`.
    async fn bounded<T>(
        &self,
        action: impl FnOnce() -> String,
        call: impl Future<Output = Result<T, object_store::Error>>,
    ) -> Result<T, object_store::Error> {
        match tokio::time::timeout(self.limits.call, call).await {
            Ok(result) => result,
            Err(_) => Err(object_store::Error::Generic {
                store: "S3",
                source: format!("{} took longer than {:?}", action(), self.limits.call).into(),
            }),
        }
    }

    fn unreachable(&self, action: &str, name: &str, error: object_store::Error) -> MediaError {
        MediaError::Unreachable {
            action: format!("{action} {name} in {}", self.url),
            source: Box::new(error),
        }
    }
}

impl MediaStorage for S3Storage {
    fn put<'a>(&'a self, name: &'a str, bytes: Vec<u8>) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(name)?;
            let call = self.store.put(&path, PutPayload::from(bytes));
            self.bounded(|| format!("storing {name}"), call)
                .await
                .map(|_| ())
                .map_err(|e| self.unreachable("store", name, e))
        })
    }

    fn get<'a>(&'a self, name: &'a str) -> StorageFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            let Ok(path) = self.path(name) else {
                return Ok(None);
            };
            let call = async {
                let result = self.store.get(&path).await?;
                result.bytes().await
            };
            match self.bounded(|| format!("reading {name}"), call).await {
                Ok(bytes) => Ok(Some(bytes.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(self.unreachable("read", name, e)),
            }
        })
    }

    fn delete<'a>(&'a self, name: &'a str) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(name)?;
            let call = self.store.delete(&path);
            match self.bounded(|| format!("deleting {name}"), call).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(self.unreachable("delete", name, e)),
            }
        })
    }

    fn local_path(&self, _name: &str) -> Option<std::path::PathBuf> {
        None
    }

    fn list(&self) -> StorageFuture<'_, Vec<StoredFile>> {
        Box::pin(async move {
            let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
            let mut objects = self.store.list(prefix);
            let mut files = Vec::new();
            // One time limit per page of the listing, not for all of it: a large bucket
            // takes many pages.
            while let Some(next) = self
                .bounded(|| "listing".to_owned(), async {
                    objects.next().await.transpose()
                })
                .await
                .map_err(|e| self.unreachable("list", "the objects", e))?
            {
                let name = match next.location.prefix_match(&self.prefix) {
                    Some(parts) => parts
                        .map(|p| p.as_ref().to_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                    None => next.location.to_string(),
                };
                files.push(StoredFile {
                    name,
                    size: next.size,
                    temporary: false,
                });
            }
            files.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(files)
        })
    }

    fn sweep_temporary(&self, _older_than: Duration) -> StorageFuture<'_, usize> {
        // A PUT is atomic: there are no temporary objects to sweep.
        Box::pin(async { Ok(0) })
    }
}
