//! The holder's way past a lock that someone else caused (issue 18, finding 4).
//!
//! Anyone who knows an account's e-mail address or identity number can lock it by typing wrong
//! passwords. The lock stays, because it is what stops guessing; but when a lock begins, the
//! holder is e-mailed a one-time link (at most one an hour). Opening it and pressing the button
//! gives that browser a pass for a day: its sign-ins to that account count on a lockout of
//! their own, so strangers' guesses elsewhere do not block it. The password, and the second
//! step if the account has one, are still asked.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageHeading;
use crate::{error::AppError, i18n::*, ui::form::Button};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

/// `/sign-in/pass/{token}`: the link's page.
pub const PATH: &str = "/sign-in/pass";

#[cfg(feature = "ssr")]
pub mod server {
    use crate::error::OrUnavailable;
    use crate::{
        error::AppError,
        features::accounts::{messages, store},
        platform::{
            drafts,
            outbox::{self, Notification},
            session,
            state::AppState,
            throttle,
        },
    };

    /// How long the link works, and how long the pass it gives lasts.
    pub const LIFETIME_SECS: i64 = 24 * 3600;
    /// The draft of an anonymous session that holds its pass.
    pub const DRAFT: &str = "sign-in-pass";
    /// One link per account per hour, however often it is locked.
    pub const MAILS: throttle::Limit = throttle::Limit {
        max: 1,
        window_secs: 3600,
    };

    pub fn account_key(account_id: &str) -> String {
        format!("sign-in:account:{account_id}")
    }

    /// The lockout that sign-in attempts for `account_id` count on from this browser: its own
    /// pass's when it holds a live one for the account, else the account's.
    pub async fn lock_key(
        state: &AppState,
        account_id: &str,
        now: i64,
    ) -> Result<String, AppError> {
        if let Some(s) = session::for_request() {
            let draft = drafts::load(&state.db, &s.id, DRAFT)
                .await
                .or_unavailable()?;
            let until = draft
                .answers
                .get("until")
                .and_then(|u| u.parse::<i64>().ok())
                .unwrap_or(0);
            if draft.answers.get("account").map(String::as_str) == Some(account_id) && until > now {
                return Ok(format!("sign-in:pass:{}", s.id.hash()));
            }
        }
        Ok(account_key(account_id))
    }

    /// A lock has just begun on `account_id`: its holder gets a link (at most one an hour), in
    /// the language the portal last wrote to them in (the request is probably a stranger's).
    pub async fn offer(state: &AppState, account_id: &str, now: i64) -> Result<(), AppError> {
        let first = throttle::hit(
            &state.db,
            &format!("sign-in-pass-mail:{account_id}"),
            MAILS,
            now,
        )
        .await
        .or_unavailable()?;
        if first.is_err() {
            return Ok(());
        }
        let Some(account) = store::by_id(&state.db, account_id).await.or_unavailable()? else {
            return Ok(());
        };
        let language: Option<(String,)> = sqlx::query_as(
            "SELECT language FROM outbox WHERE account_id = $1 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(account_id)
        .fetch_optional(state.db.pool())
        .await
        .or_unavailable()?;
        let language = match language.as_ref().map(|(l,)| l.as_str()) {
            Some("fr") => "fr",
            Some("en") => "en",
            _ => "ar",
        };
        let mut token = [0u8; 32];
        rand::fill(&mut token);
        let token = hex::encode(token);
        let link = format!("{}{}/{token}", state.config.public_url, super::PATH);
        let mut tx = state.db.begin_write().await.or_unavailable()?;
        sqlx::query(
            "INSERT INTO sign_in_passes (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(super::super::recovery::server::token_hash(&token))
        .bind(account_id)
        .bind(now)
        .bind(now + LIFETIME_SECS)
        .execute(&mut *tx)
        .await
        .or_unavailable()?;
        outbox::enqueue(
            &mut tx,
            &Notification::email(messages::ACCOUNT_LOCKED, &account.email, language)
                .account(account_id)
                .params(serde_json::json!({ "link": link })),
            now,
        )
        .await
        .or_unavailable()?;
        tx.commit().await.or_unavailable()?;
        Ok(())
    }
}

/// The link's button: a live link gives this browser its pass and leads to the sign-in page.
#[server(endpoint = "account/sign-in/pass")]
pub async fn use_pass(token: String) -> Result<(), AppError> {
    use crate::domain::journey::Draft;
    use crate::platform::{drafts, session, state::AppState};
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let token = crate::domain::digits::link_token(&token);
    // Only the first of two posts of the same link gives a pass.
    let live: Option<(String,)> = sqlx::query_as(
        "UPDATE sign_in_passes SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING account_id",
    )
    .bind(now)
    .bind(super::recovery::server::token_hash(&token))
    .fetch_optional(state.db.writer())
    .await
    .or_unavailable()?;
    let Some((account_id,)) = live else {
        leptos_axum::redirect(&format!("{}?pass=dead", super::sign_in::PATH));
        return Ok(());
    };
    let id = session::ensure_for_request(&state).await.or_unavailable()?;
    let draft = Draft {
        answers: [
            ("account".to_string(), account_id.clone()),
            (
                "until".to_string(),
                (now + server::LIFETIME_SECS).to_string(),
            ),
        ]
        .into(),
        rejected: None,
    };
    drafts::save(&state.db, &id, server::DRAFT, &draft, now)
        .await
        .or_unavailable()?;
    crate::features::accounts::record_here(&state, &account_id, "sign_in_pass_used", now).await?;
    leptos_axum::redirect(&format!("{}?pass=1", super::sign_in::PATH));
    Ok(())
}

/// `/sign-in/pass/{token}`: what the link is for, and the button (a mail scanner that opens
/// the link uses nothing).
#[component]
pub fn PassPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let locale = i18n.get_locale_untracked();
    view! {
        <PageHeading title=td_string!(locale, account.pass_title) />
        <p>{t!(i18n, account.pass_body)}</p>
        <form method="post" action=UsePass::url()>
            <input type="hidden" name="token" value=token />
            <Button>{t!(i18n, account.pass_button)}</Button>
        </form>
    }
}
