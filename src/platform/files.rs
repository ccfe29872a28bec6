//! Where uploaded files live: a directory under the data directory (the default, nothing to
//! install) or an S3-compatible bucket (the scale-out option: every app server sees the same
//! files), behind one small interface. Both are `object_store` implementations, so the code
//! above never knows which. Files are never under the web root: every read goes through a
//! handler that checks who is asking.

use object_store::{ObjectStore, PutPayload, path::Path};
use std::sync::Arc;

#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// What the configuration says, for the start-up log line (never a secret).
    pub describe: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file store: {0}")]
    Store(#[from] object_store::Error),
    #[error("cannot create the files directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Config(String),
}

/// Where the configuration puts the files.
#[derive(Clone, PartialEq, Eq)]
pub enum FileStoreChoice {
    /// A directory (by default `<data dir>/files`).
    Local(std::path::PathBuf),
    S3 {
        bucket: String,
        /// `http://127.0.0.1:9000` for a server of one's own; `None` for AWS itself.
        endpoint: Option<String>,
        region: String,
        access_key_id: String,
        secret_access_key: String,
    },
}

impl std::fmt::Debug for FileStoreChoice {
    // The secret key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(dir) => write!(f, "Local({})", dir.display()),
            Self::S3 {
                bucket, endpoint, ..
            } => write!(f, "S3({bucket} at {endpoint:?})"),
        }
    }
}

impl Files {
    pub fn open(choice: &FileStoreChoice) -> Result<Self, FileError> {
        match choice {
            FileStoreChoice::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| FileError::Directory {
                    path: dir.display().to_string(),
                    source,
                })?;
                let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
                Ok(Self {
                    store: Arc::new(store),
                    describe: format!("directory {}", dir.display()),
                })
            }
            FileStoreChoice::S3 {
                bucket,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key);
                if let Some(endpoint) = endpoint {
                    // A server of one's own: path-style addresses, plain HTTP allowed on a
                    // private network.
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_virtual_hosted_style_request(false)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                Ok(Self {
                    store: Arc::new(builder.build()?),
                    describe: format!("S3 bucket {bucket}"),
                })
            }
        }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), FileError> {
        self.store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, FileError> {
        let found = self.store.get(&Path::from(key)).await?;
        Ok(found.bytes().await?.to_vec())
    }

    /// Removes a file; one already gone is not an error (a retried removal).
    pub async fn delete(&self, key: &str) -> Result<(), FileError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
