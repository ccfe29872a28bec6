//! Anonymous sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.
//! Created only when there is something to keep (the first saved answer), so browsing the
//! portal writes nothing. The accounts feature will attach a user to the same sessions.

use super::db::{Db, DbError};
use http::HeaderMap;
use sha2::{Digest, Sha256};

/// How long an idle anonymous session (and so its drafts) is kept.
pub const LIFETIME_SECS: i64 = 30 * 24 * 3600;

/// Over HTTPS the `__Host-` prefix makes the browser refuse the cookie unless it is Secure,
/// host-only and for Path=/.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-bawaba_session"
    } else {
        "bawaba_session"
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionId {
    hash: String,
}

impl SessionId {
    pub fn hash(&self) -> &str {
        &self.hash
    }

    fn from_token(token: &str) -> Self {
        Self {
            hash: hex::encode(Sha256::digest(token.as_bytes())),
        }
    }
}

/// The cookie's token, if the request carries one of ours.
pub fn token_from(headers: &HeaderMap, https: bool) -> Option<String> {
    let name = cookie_name(https);
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|(_, v)| v.to_string())
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The live session the request belongs to, if any; its expiry slides forward.
pub async fn current(
    db: &Db,
    headers: &HeaderMap,
    https: bool,
    now: i64,
) -> Result<Option<SessionId>, DbError> {
    let Some(token) = token_from(headers, https) else {
        return Ok(None);
    };
    let id = SessionId::from_token(&token);
    let updated = sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3 AND expires_at > $1")
        .bind(now)
        .bind(now + LIFETIME_SECS)
        .bind(id.hash())
        .execute(db.pool())
        .await?;
    Ok((updated.rows_affected() == 1).then_some(id))
}

/// The request's session, created when there is none (or it expired). Returns the
/// `Set-Cookie` value to send when a new one was made.
pub async fn ensure(
    db: &Db,
    headers: &HeaderMap,
    https: bool,
    now: i64,
) -> Result<(SessionId, Option<String>), DbError> {
    if let Some(id) = current(db, headers, https, now).await? {
        return Ok((id, None));
    }
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token = hex::encode(bytes);
    let id = SessionId::from_token(&token);
    sqlx::query("INSERT INTO sessions (id_hash, created_at, last_seen_at, expires_at) VALUES ($1, $2, $2, $3)")
        .bind(id.hash())
        .bind(now)
        .bind(now + LIFETIME_SECS)
        .execute(db.pool())
        .await?;
    let secure = if https { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/; Max-Age={LIFETIME_SECS}; HttpOnly; SameSite=Lax{secure}",
        cookie_name(https)
    );
    Ok((id, Some(cookie)))
}

/// Deletes expired sessions and, with them, their drafts.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM drafts WHERE session_id_hash IN (SELECT id_hash FROM sessions WHERE expires_at <= $1)")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let gone = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone.rows_affected())
}

/// In a server function or a page render: the caller's live session, if any.
pub async fn current_for_request(
    state: &super::server::AppState,
) -> Result<Option<SessionId>, DbError> {
    let headers = leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default();
    current(&state.db, &headers, state.config.is_https(), now_secs()).await
}

/// In a server function: the caller's session, created (and its cookie added to the
/// response) if there is none yet.
pub async fn ensure_for_request(state: &super::server::AppState) -> Result<SessionId, DbError> {
    let headers = leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default();
    let (id, cookie) = ensure(&state.db, &headers, state.config.is_https(), now_secs()).await?;
    if let (Some(cookie), Some(res)) = (
        cookie,
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = http::HeaderValue::from_str(&cookie)
    {
        res.append_header(http::header::SET_COOKIE, value);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_token_of_our_cookie_is_read() {
        let token = "ab".repeat(32);
        let mut h = HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            format!("other=1; bawaba_session={token}").parse().unwrap(),
        );
        assert_eq!(token_from(&h, false), Some(token.clone()));
        assert_eq!(
            token_from(&h, true),
            None,
            "over HTTPS only the __Host- cookie counts"
        );
        h.insert(
            http::header::COOKIE,
            "bawaba_session=short".parse().unwrap(),
        );
        assert_eq!(token_from(&h, false), None);
    }

    #[test]
    fn the_database_sees_only_a_hash_of_the_token() {
        let id = SessionId::from_token(&"ab".repeat(32));
        assert_eq!(id.hash().len(), 64);
        assert_ne!(id.hash(), "ab".repeat(32));
    }
}
