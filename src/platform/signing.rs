//! The keys that sign official documents (the vignette's seal, `domain::seal`). One key is
//! active at a time; it is made on first run, and replaced by `bawaba keys rotate` (retired keys
//! stay published, so what they signed still verifies). Private keys live in the database
//! sealed under the server's secret, so every app server signs with the same active key and
//! none keeps one of its own. Public keys are published as a JSON Web Key Set.

use super::{
    db::{Db, DbError},
    secrets::{self, SecretKey},
};
use crate::domain::seal::{self, PublicKey};
use ed25519_dalek::SigningKey;
use sqlx::AnyConnection;
use std::sync::{Arc, Mutex, PoisonError};

const SEAL_PURPOSE: &str = "bawaba/signing-key/seal/v1";

/// Where the public keys are published (the offline verifier caches this address).
pub const KEYS_PATH: &str = "/.well-known/jwks.json";

/// The key documents are signed with now.
pub struct ActiveKey {
    pub key_id: String,
    pub key: SigningKey,
}

/// A key as listed by the operator's command and the key set.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    pub public: PublicKey,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// The active key's id, as a subquery: a document selects it beside the columns of a read it
/// makes anyway, and hands it to `Keyring::active`.
pub const ACTIVE_KEY_ID: &str = "(SELECT key_id FROM signing_keys WHERE active = 1)";

/// The keys as documents are signed with them, one per app server. Which key is active is read
/// in each document's own transaction (`ACTIVE_KEY_ID`), so a rotation takes effect at once on
/// every server; the key itself is opened (its seal, then its public half from the private)
/// once per process and kept, where every document did that work again on the same bytes,
/// after a statement of its own in the success's transaction (issue 23).
pub struct Keyring {
    secret: SecretKey,
    opened: Mutex<Option<Arc<ActiveKey>>>,
}

impl Keyring {
    pub fn new(secret: SecretKey) -> Self {
        Self {
            secret,
            opened: Mutex::new(None),
        }
    }

    /// The active key, `active_id` being the id this transaction read (`None`: no key yet, or
    /// not read): the kept key when it is that one, else read, opened (or made) and kept.
    pub async fn active(
        &self,
        conn: &mut AnyConnection,
        active_id: Option<&str>,
        now: i64,
    ) -> Result<Arc<ActiveKey>, DbError> {
        if let Some(id) = active_id
            && let Some(key) = self.kept().as_ref().filter(|k| k.key_id == id)
        {
            return Ok(key.clone());
        }
        let key = Arc::new(active(conn, &self.secret, now).await?);
        *self.kept() = Some(key.clone());
        Ok(key)
    }

    /// A panic while the lock was held leaves at worst no key kept.
    fn kept(&self) -> std::sync::MutexGuard<'_, Option<Arc<ActiveKey>>> {
        self.opened.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The active key, made if there is none yet. A key the secret no longer opens (the secret was
/// replaced) is retired and a new one made: documents keep being issued, and what the old key
/// signed still verifies with its published public half.
async fn active(
    conn: &mut AnyConnection,
    secret: &SecretKey,
    now: i64,
) -> Result<ActiveKey, DbError> {
    for _ in 0..3 {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT key_id, private_sealed FROM signing_keys WHERE active = 1")
                .fetch_optional(&mut *conn)
                .await?;
        match row {
            Some((key_id, sealed)) => {
                let opened = secrets::open(secret, SEAL_PURPOSE, &sealed)
                    .and_then(|b| <[u8; 32]>::try_from(b).ok());
                if let Some(bytes) = opened {
                    return Ok(ActiveKey {
                        key_id,
                        key: SigningKey::from_bytes(&bytes),
                    });
                }
                tracing::error!(key = %key_id, "the active signing key does not open with this server's secret: retiring it");
                retire_active(conn, now).await?;
            }
            None => {
                insert_new(conn, secret, now).await?;
            }
        }
    }
    Err(DbError::Sqlx(sqlx::Error::Protocol(
        "no usable signing key after 3 tries".into(),
    )))
}

/// Makes sure a key exists, at start-up (so the key set is published before the first sale).
pub async fn ensure(db: &Db, secret: &SecretKey, now: i64) -> Result<String, DbError> {
    let mut tx = db.begin_write().await?;
    let key = active(&mut tx, secret, now).await?;
    tx.commit().await?;
    Ok(key.key_id)
}

/// Retires the active key and makes a new one, in one transaction; returns the new key's id.
pub async fn rotate(db: &Db, secret: &SecretKey, now: i64) -> Result<String, DbError> {
    let mut tx = db.begin_write().await?;
    retire_active(&mut tx, now).await?;
    let key = active(&mut tx, secret, now).await?;
    tx.commit().await?;
    Ok(key.key_id)
}

/// Every key ever used, newest first (retired ones too: what they signed is still genuine).
pub async fn keys(db: &Db) -> Result<Vec<KeyInfo>, DbError> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT key_id, public_key, created_at, retired_at FROM signing_keys
         ORDER BY created_at DESC, key_id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(key_id, public_key, created_at, retired_at)| {
            let key = hex::decode(public_key).ok()?.try_into().ok()?;
            Some(KeyInfo {
                public: PublicKey { key_id, key },
                created_at,
                retired_at,
            })
        })
        .collect())
}

/// The public keys, for a verifier.
pub async fn public_keys(db: &Db) -> Result<Vec<PublicKey>, DbError> {
    Ok(keys(db).await?.into_iter().map(|k| k.public).collect())
}

async fn retire_active(conn: &mut AnyConnection, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE signing_keys SET active = NULL, retired_at = $1 WHERE active = 1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new active key; does nothing if another server made one at the same moment (the unique
/// `active` column lets only one in), and the caller reads whichever won.
async fn insert_new(conn: &mut AnyConnection, secret: &SecretKey, now: i64) -> Result<(), DbError> {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let key = SigningKey::from_bytes(&bytes);
    let public = key.verifying_key();
    sqlx::query(
        "INSERT INTO signing_keys (key_id, public_key, private_sealed, created_at, active)
         VALUES ($1, $2, $3, $4, 1) ON CONFLICT DO NOTHING",
    )
    .bind(seal::key_id(&public))
    .bind(hex::encode(public.as_bytes()))
    .bind(secrets::seal(secret, SEAL_PURPOSE, &bytes))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The public keys as a JSON Web Key Set (RFC 7517, Ed25519 keys as RFC 8037 writes them), with
/// each key's dates so a verifier can tell which was active when.
pub fn key_set(keys: &[KeyInfo]) -> serde_json::Value {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    serde_json::json!({
        "keys": keys.iter().map(|k| serde_json::json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": k.public.key_id,
            "x": URL_SAFE_NO_PAD.encode(k.public.key),
            "created_at": k.created_at,
            "retired_at": k.retired_at,
        })).collect::<Vec<_>>()
    })
}

/// `GET /.well-known/jwks.json`: public, cached for five minutes (a rotation reaches verifiers
/// within that; retired keys never leave the set).
pub async fn key_set_handler(
    axum::extract::State(state): axum::extract::State<super::state::AppState>,
) -> Result<axum::response::Response, crate::error::AppError> {
    use crate::error::OrUnavailable;
    use axum::response::IntoResponse;
    let keys = keys(&state.db).await.or_unavailable()?;
    Ok((
        [
            (http::header::CACHE_CONTROL, "public, max-age=300"),
            (http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        axum::Json(key_set(&keys)),
    )
        .into_response())
}

/// `bawaba keys list|rotate`: the operator's commands.
pub async fn run(args: &[String]) -> std::process::ExitCode {
    use std::process::ExitCode;
    const USAGE: &str = "Usage: bawaba keys <command>\n\n\
        Commands:\n  \
        list     the signing keys, newest first (id, made, retired)\n  \
        rotate   retire the active key and make a new one (what the old one signed still verifies)\n\n\
        The settings are the server's (bawaba --help): the same database and secret key.\n";
    let command = args.first().map(String::as_str);
    if !matches!(command, Some("list" | "rotate")) {
        if let Some(other) = command.filter(|c| !matches!(*c, "--help" | "-h")) {
            eprintln!("bawaba keys: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = async {
        let config = super::config::Config::from_env().map_err(|e| e.to_string())?;
        let state = super::state::build_state(config, |_, _| Default::default())
            .await
            .map_err(|e| e.to_string())?;
        let now = super::session::now_secs();
        if command == Some("rotate") {
            let key_id = rotate(&state.db, &state.secret, now)
                .await
                .map_err(|e| e.to_string())?;
            println!("New signing key {key_id} is active; the previous one is retired and stays published.");
        } else {
            ensure(&state.db, &state.secret, now)
                .await
                .map_err(|e| e.to_string())?;
        }
        for k in keys(&state.db).await.map_err(|e| e.to_string())? {
            let made = crate::domain::date::Date::from_days_since_epoch(k.created_at / 86_400);
            let state = match k.retired_at {
                None => "active".to_string(),
                Some(at) => format!(
                    "retired {}",
                    crate::domain::date::Date::from_days_since_epoch(at / 86_400).iso()
                ),
            };
            println!("{}  made {}  {state}", k.public.key_id, made.iso());
        }
        Ok::<_, String>(())
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bawaba keys: {message}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_set_carries_each_key_as_rfc_8037_writes_it() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let public = PublicKey {
            key_id: seal::key_id(&key.verifying_key()),
            key: key.verifying_key().to_bytes(),
        };
        let set = key_set(&[KeyInfo {
            public: public.clone(),
            created_at: 1,
            retired_at: None,
        }]);
        let k = &set["keys"][0];
        assert_eq!(k["kty"], "OKP");
        assert_eq!(k["crv"], "Ed25519");
        assert_eq!(k["kid"], public.key_id.as_str());
        assert_eq!(k["x"].as_str().unwrap().len(), 43);
    }
}
