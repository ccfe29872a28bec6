//! Sessions: a random token in an HttpOnly cookie, its SHA-256 in the database. An anonymous
//! session is created only when there is something to keep (the first saved answer), so
//! browsing the portal writes nothing. Signing in replaces it with a new one that belongs to
//! the account (a new token: a session id planted before sign-in is worth nothing after it),
//! idle for at most 30 minutes and alive for at most 12 hours.

use super::db::{Db, DbError};
use crate::domain::account::Role;
use http::HeaderMap;
use sha2::{Digest, Sha256};

/// How long an idle anonymous session (and so its drafts) is kept.
pub const LIFETIME_SECS: i64 = 30 * 24 * 3600;
/// A signed-in session ends after this long without a request (UX.md warns 2 minutes before).
pub const IDLE_SECS: i64 = 30 * 60;
/// A signed-in session ends this long after sign-in, however active.
pub const ABSOLUTE_SECS: i64 = 12 * 3600;

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

/// A live session, as the request that carries its cookie sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    /// The account signed in with it, if any.
    pub account_id: Option<String>,
    /// When it ends unless another request comes first (Unix seconds).
    pub expires_at: i64,
    /// The signed-in account's role, whether its second sign-in step is confirmed and whether
    /// its e-mail address is: the sign-in gate (`accounts::require_sign_in`) needs the first
    /// two on every protected page, and a service asks the third before it sells, so they come
    /// with the session's row instead of further reads (issue 23).
    pub standing: Option<Standing>,
}

impl Session {
    /// Whether its account has confirmed its e-mail address (never, signed out).
    pub fn address_confirmed(&self) -> bool {
        self.standing.is_some_and(|s| s.address_confirmed)
    }
}

/// What the session's row says of its account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub second_step: bool,
    pub address_confirmed: bool,
}

/// A session's expiry is moved forward only when that gains at least this much: most requests
/// then only read their session, and a write per request (on SQLite, one writer at a time)
/// becomes one per minute. The idle end is so between 29 and 30 minutes after the last
/// request, never later; pages are told the stored expiry, so the warning stays exact.
pub const SLIDE_STEP_SECS: i64 = 60;

/// The live session the request belongs to, if any; its expiry slides forward (an anonymous
/// session by 30 days, a signed-in one by 30 minutes but never past its absolute end), at most
/// once per `SLIDE_STEP_SECS`.
pub async fn current(
    db: &Db,
    headers: &HeaderMap,
    https: bool,
    now: i64,
) -> Result<Option<Session>, DbError> {
    let Some(token) = token_from(headers, https) else {
        return Ok(None);
    };
    let id = SessionId::from_token(&token);
    type Row = (
        Option<String>,
        i64,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT s.account_id, s.expires_at, s.absolute_expires_at, a.role, f.confirmed_at,
                a.email_verified_at
         FROM sessions s
         LEFT JOIN accounts a ON a.id = s.account_id
         LEFT JOIN second_factors f ON f.account_id = s.account_id
         WHERE s.id_hash = $1 AND s.expires_at > $2",
    )
    .bind(id.hash())
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    let Some((account_id, stored, absolute, role, step, address)) = row else {
        return Ok(None);
    };
    let standing = role
        .map(|code| {
            let role = Role::from_code(&code).ok_or_else(|| {
                DbError::Sqlx(sqlx::Error::Decode(
                    format!("unexpected value {code:?} in accounts.role").into(),
                ))
            })?;
            Ok::<_, DbError>(Standing {
                role,
                second_step: step.is_some(),
                address_confirmed: address.is_some(),
            })
        })
        .transpose()?;
    let slid = match (&account_id, absolute) {
        (None, _) => now + LIFETIME_SECS,
        (Some(_), Some(end)) => (now + IDLE_SECS).min(end),
        (Some(_), None) => now + IDLE_SECS,
    };
    if slid - stored < SLIDE_STEP_SECS {
        return Ok(Some(Session {
            id,
            account_id,
            expires_at: stored,
            standing,
        }));
    }
    // Still alive when written: a sign-out between the read and here wins.
    let moved = sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3 AND expires_at > $1",
    )
    .bind(now)
    .bind(slid)
    .bind(id.hash())
    .execute(db.writer())
    .await?;
    Ok((moved.rows_affected() == 1).then_some(Session {
        id,
        account_id,
        expires_at: slid,
        standing,
    }))
}

fn new_token() -> (String, SessionId) {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token = hex::encode(bytes);
    let id = SessionId::from_token(&token);
    (token, id)
}

/// The `Set-Cookie` value carrying a session token.
pub fn cookie(token: &str, https: bool, max_age: i64) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        cookie_name(https)
    )
}

/// The `Set-Cookie` value that makes the browser forget its session cookie.
pub fn removal_cookie(https: bool) -> String {
    cookie("", https, 0)
}

/// The request's session, created when there is none (or it expired). Returns the
/// `Set-Cookie` value to send when a new one was made.
pub async fn ensure(
    db: &Db,
    headers: &HeaderMap,
    https: bool,
    now: i64,
) -> Result<(SessionId, Option<String>), DbError> {
    if let Some(session) = current(db, headers, https, now).await? {
        return Ok((session.id, None));
    }
    let (token, id) = new_token();
    sqlx::query("INSERT INTO sessions (id_hash, created_at, last_seen_at, expires_at) VALUES ($1, $2, $2, $3)")
        .bind(id.hash())
        .bind(now)
        .bind(now + LIFETIME_SECS)
        .execute(db.writer())
        .await?;
    Ok((id, Some(cookie(&token, https, LIFETIME_SECS))))
}

/// Signs `account_id` in: a new session (new token) that owns the session drafts of the old
/// one, which is deleted; the visitor's answers move to the account (`drafts::Keeper`). Returns the new session and its `Set-Cookie` value.
pub async fn sign_in(
    db: &Db,
    previous: Option<&SessionId>,
    account_id: &str,
    user_agent: Option<&str>,
    https: bool,
    now: i64,
) -> Result<(SessionId, String), DbError> {
    let (token, id) = new_token();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, created_at, last_seen_at, expires_at, account_id, \
         absolute_expires_at, signed_in_at, user_agent) VALUES ($1, $2, $2, $3, $4, $5, $2, $6)",
    )
    .bind(id.hash())
    .bind(now)
    .bind(now + IDLE_SECS)
    .bind(account_id)
    .bind(now + ABSOLUTE_SECS)
    .bind(user_agent.map(|ua| ua.chars().take(200).collect::<String>()))
    .execute(&mut *tx)
    .await?;
    if let Some(old) = previous {
        // A visitor's answers now belong to the account; what they just typed wins over an
        // older draft of the same journey. (`WHERE true` lets SQLite parse the upsert.)
        sqlx::query(
            "INSERT INTO account_drafts (account_id, journey, answers, updated_at)
             SELECT $1, journey, answers, updated_at FROM drafts
             WHERE session_id_hash = $2 AND follows_account = 1 AND true
             ON CONFLICT (account_id, journey)
             DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at",
        )
        .bind(account_id)
        .bind(old.hash())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM drafts WHERE session_id_hash = $1 AND follows_account = 1")
            .bind(old.hash())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE drafts SET session_id_hash = $1 WHERE session_id_hash = $2")
            .bind(id.hash())
            .bind(old.hash())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(old.hash())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok((id, cookie(&token, https, ABSOLUTE_SECS)))
}

/// Ends one session (sign out) with its own drafts; the account's answers stay.
pub async fn end(db: &Db, id: &SessionId) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM drafts WHERE session_id_hash = $1")
        .bind(id.hash())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id.hash())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of an account (sign out everywhere, a new password). Returns how many.
pub async fn end_all_for(db: &Db, account_id: &str) -> Result<u64, DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "DELETE FROM drafts WHERE session_id_hash IN (SELECT id_hash FROM sessions WHERE account_id = $1)",
    )
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    let gone = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone.rows_affected())
}

/// Deletes expired sessions and, with them, their drafts (a visitor's answers among them:
/// kept 30 days, as the privacy notice says; an account's are not touched).
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

/// The request's session, resolved once per request by `resolve` (a layer) and kept in the
/// request's extensions, where pages and server functions read it through `Parts`.
#[derive(Clone, Debug, Default)]
pub struct Resolved(pub Option<Session>);

/// The session of a request, for plain axum handlers (downloads, uploads, the gateway's
/// return): what the session layer resolved.
pub fn of(req: &axum::extract::Request) -> Option<&Session> {
    req.extensions()
        .get::<Resolved>()
        .and_then(|r| r.0.as_ref())
}

/// The signed-in account of a request, for plain axum handlers.
pub fn account_of(req: &axum::extract::Request) -> Option<String> {
    of(req).and_then(|s| s.account_id.clone())
}

/// A layer: looks up the session of every request that carries a session cookie (and slides
/// its expiry). Requests for files never carry work for it, so they skip the lookup, and so do
/// the sandbox gateway's pages: it stands for another company's site, which never sees the
/// portal's session (the browser sends the cookie only because it shares our address). So do
/// the routes `server_to_server` lists (by their route, `MatchedPath`): another company's
/// server has no session and cannot start one, so its posts are not counted as new sessions
/// either (a read for each gateway notification, issue 23). When the lookup fails (the
/// database is down or too busy) the request is answered 503.
pub async fn resolve(
    state: axum::extract::State<super::state::AppState>,
    server_to_server: std::sync::Arc<[&'static str]>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let from_a_server = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .is_some_and(|m| server_to_server.contains(&m.as_str()));
    if !is_file(path) && !is_sandbox(path) && !from_a_server {
        let now = now_secs();
        match current(&state.db, req.headers(), state.config.is_https(), now).await {
            Ok(session) => {
                // Only a post can start a session (pages never do): reading pages costs nothing.
                let may_start = session.is_none() && req.method() == http::Method::POST;
                req.extensions_mut().insert(Resolved(session));
                if may_start {
                    return count_new_session(&state, req, next, now).await;
                }
            }
            // Who is asking is unknown: answering as for a visitor would send a signed-in
            // person to sign in (or show them a page without their data), so say we are busy.
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed: answered 503");
                return super::plain_pages::unavailable_response();
            }
        }
    }
    next.run(req).await
}

/// Files are the same for everyone: no lookup, so they are served even when sessions cannot be
/// read (the busy page's own stylesheet among them).
fn is_file(path: &str) -> bool {
    ["/pkg/", "/icons/"].iter().any(|p| path.starts_with(p))
        || [
            "/static.css",
            "/offline.html",
            "/manifest.webmanifest",
            "/sw.js",
            "/favicon.ico",
        ]
        .contains(&path)
}

fn is_sandbox(path: &str) -> bool {
    path.strip_prefix(super::gateway::sandbox::PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// New sessions one address may start (issue 18, finding 3): a session is started by the first
/// answer saved without one, and each may keep drafts for 30 days. Generous for many people
/// behind one carrier's address, slow for a script.
pub const NEW_SESSIONS_PER_ADDRESS: super::throttle::Limit = super::throttle::Limit {
    max: 200,
    window_secs: 10 * 60,
};

/// A request without a live session: refused with 429 when its address has started
/// `NEW_SESSIONS_PER_ADDRESS` already, else served, and counted if it started one.
async fn count_new_session(
    state: &super::state::AppState,
    req: axum::extract::Request,
    next: axum::middleware::Next,
    now: i64,
) -> axum::response::Response {
    use super::throttle;
    let ip = super::security::client_ip_from(
        req.headers(),
        req.extensions(),
        state.config.client_ip_header.as_deref(),
    );
    let key = format!("new-session-ip:{ip}");
    let limit = NEW_SESSIONS_PER_ADDRESS;
    match throttle::spent(&state.db, &key, limit, now).await {
        Ok(Some(wait)) => {
            tracing::warn!(wait, "too many new sessions from one address");
            return super::plain_pages::too_many_response(wait);
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "could not read the new-session count"),
    }
    let cookie = format!("{}=", cookie_name(state.config.is_https()));
    let res = next.run(req).await;
    let started = res
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&cookie) && !v.contains("Max-Age=0"));
    if started && let Err(e) = throttle::hit(&state.db, &key, limit, now).await {
        tracing::error!(error = %e, "could not count a new session");
    }
    res
}

/// In a server function or a page render: the caller's live session, if any.
pub fn for_request() -> Option<Session> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<Resolved>().cloned())
        .and_then(|r| r.0)
}

/// Adds a `Set-Cookie` header to the response of the current server function or page.
pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        res.append_header(http::header::SET_COOKIE, value);
    }
}

/// In a server function: the caller's session, created (and its cookie added to the
/// response) if there is none yet.
pub async fn ensure_for_request(state: &super::state::AppState) -> Result<SessionId, DbError> {
    if let Some(session) = for_request() {
        return Ok(session.id);
    }
    let headers = leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default();
    let (id, cookie) = ensure(&state.db, &headers, state.config.is_https(), now_secs()).await?;
    if let Some(cookie) = cookie {
        set_cookie(&cookie);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_need_no_session_and_pages_do() {
        for file in ["/pkg/bawaba.js", "/icons/icon.svg", "/static.css", "/sw.js"] {
            assert!(is_file(file), "{file}");
        }
        for page in ["/", "/account", "/static.css.html", "/api/account/sign-out"] {
            assert!(!is_file(page), "{page}");
        }
    }

    #[test]
    fn the_sandbox_gateway_never_reads_the_portal_session() {
        for path in [
            "/sandbox-pay",
            "/sandbox-pay/pay/x",
            "/sandbox-pay/pay/x/card",
        ] {
            assert!(is_sandbox(path), "{path}");
        }
        for path in [
            "/sandbox-payments",
            "/payments/x/return",
            "/",
            "/x/sandbox-pay",
        ] {
            assert!(!is_sandbox(path), "{path}");
        }
    }

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
