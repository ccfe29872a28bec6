//! The application state: what every request handler, server function and worker may use,
//! built once per process from the configuration. App servers keep no other state: sessions,
//! drafts and jobs live in the database, so several can run side by side.

use crate::platform::{
    config::{Config, GatewayChoice},
    db::{Db, DbError},
    mail::{MailConfigError, MailTransport, SmsTransport},
    orders::{Fulfilments, Payments},
    outbox::Transports,
    secrets::{SecretError, SecretKey},
};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::{net::SocketAddr, sync::Arc};

/// Everything a request handler or a server function may need. App servers keep no other
/// state: sessions, drafts and jobs live in the database, so several can run side by side.
///
/// One allocation shared by every clone: axum clones the state into each request's handler
/// and layers, and Leptos into each page's context, so a clone must cost one reference count
/// (cloning the parts one by one was 2 % of a purchase's CPU, issue 23).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What `AppState` holds (read through it: `state.db`, `state.config`).
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub secret: SecretKey,
    /// The keys documents are signed with (opened once per process).
    pub keys: Arc<crate::platform::signing::Keyring>,
    /// Where the outbox worker sends e-mail and SMS.
    pub transports: Transports,
    /// The payment engine's gateway and the services' fulfilments.
    pub payments: Payments,
    /// The merchant key the sandbox gateway shares with the portal.
    pub sandbox_key: [u8; 32],
    /// Uploaded documents (a directory or an S3 bucket).
    pub files: crate::platform::files::Files,
    /// Reference data kept in memory for as long as the public page cache keeps a page.
    pub kept: Arc<crate::platform::kept::Kept>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// leptos_axum's file and error handlers take the Leptos options from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Mail(#[from] MailConfigError),
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error(transparent)]
    Files(#[from] crate::platform::files::FileError),
    #[error("BAWABA_SANDBOX_KEY must be 64 hex digits (32 bytes)")]
    SandboxKey,
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(std::io::Error),
}

/// Leptos's own settings. cargo-leptos passes them as environment variables; a binary started
/// any other way (tests, a deployment) gets the same values as defaults.
fn leptos_options(bind: SocketAddr) -> LeptosOptions {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    // With hashed file names the hash file sits next to the binary (cargo-leptos writes it).
    let hash_file_present = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("hash.txt").exists()))
        .unwrap_or(false);
    let hash_files = std::env::var("LEPTOS_HASH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(hash_file_present);
    LeptosOptions::builder()
        .output_name(env("LEPTOS_OUTPUT_NAME", "bawaba"))
        .site_root(env("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(env("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(bind)
        .hash_files(hash_files)
        .build()
}

/// Opens the database, applies migrations and loads the secret key. `fulfilments` registers
/// what each service delivers once paid (the composition root knows the services).
pub async fn build_state(
    config: Config,
    fulfilments: impl FnOnce(&Arc<crate::platform::signing::Keyring>, &str) -> Fulfilments,
) -> Result<AppState, StartupError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartupError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let secret = SecretKey::load_or_create(config.secret_key_hex.as_deref(), &config.data_dir)?;
    let keys = Arc::new(crate::platform::signing::Keyring::new(secret.clone()));
    let transports = Transports {
        mail: MailTransport::from_config(
            config.smtp_url.as_deref(),
            &config.mail_from,
            &config.data_dir,
        )?,
        sms: match &config.sms_url {
            Some(url) => SmsTransport::Http(crate::platform::mail::SmsHttp::new(
                url,
                config.sms_token.as_deref(),
                config
                    .sms_body
                    .as_deref()
                    .unwrap_or(crate::platform::mail::DEFAULT_SMS_BODY),
            )?),
            None => SmsTransport::files(config.data_dir.join("sms")),
        },
    };
    let sandbox_key = match &config.sandbox_key_hex {
        Some(hex_str) => hex::decode(hex_str.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(StartupError::SandboxKey)?,
        None => derive_key(&secret, b"sandbox gateway merchant key"),
    };
    let local = crate::platform::gateway::sandbox::LocalUrl::default();
    let payments = Payments {
        gateway: match &config.gateway {
            GatewayChoice::Sandbox => crate::platform::gateway::Gateway::Sandbox(
                crate::platform::gateway::sandbox::SandboxClient::new(
                    config.sandbox_url.clone(),
                    local.clone(),
                    sandbox_key,
                ),
            ),
            GatewayChoice::Epay {
                url,
                user,
                password,
            } => crate::platform::gateway::Gateway::Epay(
                crate::platform::gateway::epay::EpayClient::new(
                    url.clone(),
                    user.clone(),
                    password.clone(),
                ),
            ),
        },
        fulfilments: fulfilments(&keys, &config.public_url),
        ttl_secs: config.payment_ttl_secs,
        public_url: config.public_url.clone(),
        local,
    };
    let db = Db::connect(&config.database_url, config.db_max_connections).await?;
    db.migrate().await?;
    tracing::info!(backend = ?db.backend(), "database ready, migrations applied");
    // The vignette signing key exists before the first sale (made on the first run).
    let key_id =
        crate::platform::signing::ensure(&db, &secret, crate::platform::session::now_secs())
            .await?;
    tracing::info!(key = %key_id, "signing key ready");
    let files = crate::platform::files::Files::open(&config.file_store)?;
    tracing::info!(store = %files.describe, "file store ready");
    let kept =
        crate::platform::kept::Kept::new(std::time::Duration::from_secs(config.page_cache_secs));
    Ok(AppState(Arc::new(Shared {
        files,
        kept: Arc::new(kept),
        leptos_options: leptos_options(config.bind),
        db,
        config: Arc::new(config),
        secret,
        keys,
        transports,
        payments,
        sandbox_key,
    })))
}

/// A key for one purpose, derived from the server's secret (HMAC-SHA256 with a label), so one
/// configured secret serves every purpose without reusing it directly.
pub fn derive_key(secret: &SecretKey, label: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.bytes())
        .expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}
