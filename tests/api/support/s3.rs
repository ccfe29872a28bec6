//! A real S3-compatible server for the tests of the S3 file store: s3s-fs (the s3s project's
//! file-system backend) on a free port of loopback, with signature checking on, files under a
//! directory of its own. Started by the test that needs it, stopped when it is dropped.

use std::path::PathBuf;

pub const BUCKET: &str = "bawaba-documents";
const ACCESS_KEY: &str = "test-access-key";
const SECRET_KEY: &str = "test-secret-key-0123456789";

pub struct S3Server {
    pub endpoint: String,
    /// Where the server keeps the bucket's objects (`<root>/<bucket>/<key>`).
    pub root: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl S3Server {
    pub async fn start() -> Self {
        use hyper_util::{rt::TokioExecutor, rt::TokioIo, server::conn::auto::Builder};
        let root = std::env::temp_dir().join(format!("bawaba-s3-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        let fs = s3s_fs::FileSystem::new(&root).unwrap();
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let service = service.clone();
                tokio::spawn(async move {
                    let _ = Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(socket), service)
                        .await;
                });
            }
        });
        Self {
            endpoint,
            root,
            task,
        }
    }

    /// The app's settings for this server.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BAWABA_FILE_STORE", format!("s3://{BUCKET}")),
            ("BAWABA_S3_ENDPOINT", self.endpoint.clone()),
            ("BAWABA_S3_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
            ("BAWABA_S3_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
        ]
    }

    /// Every object key the server holds.
    pub fn keys(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    let key = path.strip_prefix(base).unwrap().display().to_string();
                    // s3s-fs keeps its own metadata next to the objects.
                    if !key.contains(".s3s") && !key.starts_with(".") {
                        out.push(key);
                    }
                }
            }
        }
        let base = self.root.join(BUCKET);
        let mut out = Vec::new();
        walk(&base, &base, &mut out);
        out
    }
}
