//! Reminders: when a campaign opens, and 7 days before it ends, the owner of each vehicle that
//! owes a vignette for it and has none gets a message by the channels they chose on the
//! notifications page (e-mail, SMS or both), each exactly once per vehicle, campaign and kind.
//! "Once" is a row of `vignette_reminders`, written in the transaction that queues the message,
//! whose primary key refuses a second: every app server may run the job at the same moment.
//! Every reminder carries a link that stops them, no sign-in needed; the notifications page
//! turns them back on.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    domain::{reference::Campaign, tariff::LocalMinute},
    error::AppError,
    i18n::*,
    ui::form::{BackLink, Button},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

/// The two reminders of a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The campaign has opened (for vehicles the account had before it opened).
    Opened,
    /// The campaign ends within `ENDING_NOTICE_DAYS`.
    Ending,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Opened => "opened",
            Kind::Ending => "ending",
        }
    }
}

pub const ENDING_NOTICE_DAYS: i64 = 7;

/// Which reminder of `campaign` is due at `at`, if any: none before it opens or once it has
/// ended (a late payment is the owner's to make), "ending" in its last seven days, "opened"
/// before that.
pub fn due(campaign: &Campaign, at: LocalMinute) -> Option<Kind> {
    let start = LocalMinute::parse(&campaign.starts_at)?;
    let end = LocalMinute::parse(&campaign.ends_at)?;
    if at < start || at >= end {
        None
    } else if at.0 >= end.0 - ENDING_NOTICE_DAYS * 24 * 60 {
        Some(Kind::Ending)
    } else {
        Some(Kind::Opened)
    }
}

pub const STOP_PATH: &str = "/vignette/reminders/stop";

/// The page a reminder's "stop" link opens: the account and a signature of it by the server.
pub fn stop_path(account_id: &str, signature: &str) -> String {
    format!("{STOP_PATH}/{account_id}.{signature}")
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::{
        features::{
            accounts::notifications::enqueue_chosen,
            vignette::{form::TariffData, purchase::server::assess, store},
        },
        platform::{db::DbError, secrets::SecretKey},
    };
    use hmac::{Hmac, Mac};

    /// Vehicles handled per transaction batch: a campaign opening for many owners is sent in
    /// slices, each committed, so a crash loses nothing and repeats nothing.
    const BATCH: i64 = 200;

    /// What `run` did, for the log and the tests.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Sent {
        pub reminded: usize,
        /// Vehicles that owe nothing (exempt, not subject): marked, nothing sent.
        pub nothing_owed: usize,
    }

    /// The stop link's signature: HMAC of the account id under a key derived for this one use,
    /// so a link cannot be made for someone else's account.
    pub fn stop_signature(secret: &SecretKey, account_id: &str) -> String {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.bytes()).expect("any key length");
        mac.update(b"bawaba/vignette-reminders/stop/v1\0");
        mac.update(account_id.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The account a stop token names, if its signature is ours.
    pub fn account_of_token(secret: &SecretKey, token: &str) -> Option<String> {
        let (account, signature) = token.rsplit_once('.')?;
        let expected = stop_signature(secret, account);
        // Compared in constant time: the signature is a secret's output.
        let same = expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        same.then(|| account.to_string())
    }

    /// Sends the reminders due at `now`. Idempotent: run it as often as you like, from as many
    /// servers as you like.
    pub async fn run(
        db: &crate::platform::db::Db,
        secret: &SecretKey,
        public_url: &str,
        data: &TariffData,
        now: i64,
    ) -> Result<Sent, DbError> {
        let at = LocalMinute::from_unix(now);
        let mut sent = Sent::default();
        for campaign in &data.campaigns {
            let Some(kind) = due(campaign, at) else {
                continue;
            };
            // "It has opened" is news only for vehicles the account had before it opened.
            let added_before = match kind {
                Kind::Opened => LocalMinute::parse(&campaign.starts_at).map(|m| m.unix()),
                Kind::Ending => None,
            };
            let ends = LocalMinute::parse(&campaign.ends_at)
                .map(|m| m.date().iso())
                .unwrap_or_default();
            loop {
                let vehicles =
                    store::vehicles_to_remind(db, campaign.year, kind.code(), added_before, BATCH)
                        .await?;
                if vehicles.is_empty() {
                    break;
                }
                let mut tx = db.begin_write().await?;
                for v in &vehicles {
                    // What it owes now (exempt and not-subject vehicles are marked, not told).
                    let (_, outcome) = assess(data, &v.declared.facts, now);
                    let owes = match outcome {
                        Some(crate::domain::tariff::Outcome::Due(q)) => Some(q.total),
                        _ => None,
                    };
                    if !store::mark_reminded(&mut tx, &v.id, campaign.year, kind.code(), now)
                        .await?
                    {
                        continue;
                    }
                    let Some(amount) = owes else {
                        sent.nothing_owed += 1;
                        continue;
                    };
                    let base = public_url.trim_end_matches('/');
                    let params = serde_json::json!({
                        "kind": kind.code(),
                        "plate": v.declared.plate.to_string(),
                        "year": campaign.year,
                        "ends": ends,
                        "amount_minor": amount.minor,
                        "currency": amount.currency.code(),
                        "buy": format!("{base}{}", super::super::purchase::quote_path(&v.id)),
                        "stop": format!(
                            "{base}{}",
                            stop_path(&v.account_id, &stop_signature(secret, &v.account_id))
                        ),
                    });
                    let language = store::language_of(&mut tx, &v.account_id).await?;
                    enqueue_chosen(
                        &mut tx,
                        &v.account_id,
                        super::super::messages::REMINDER,
                        super::super::messages::REMINDER_SMS,
                        &language,
                        params,
                        now,
                    )
                    .await?;
                    sent.reminded += 1;
                }
                tx.commit().await?;
                if (vehicles.len() as i64) < BATCH {
                    break;
                }
            }
        }
        Ok(sent)
    }

    /// The background loop every app server runs (the database keeps it to once).
    pub fn spawn(
        state: crate::platform::state::AppState,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        crate::platform::housekeeping::repeat(every, move || {
            let state = state.clone();
            async move {
                let now = crate::platform::session::now_secs();
                let result = async {
                    let data = crate::features::vignette::form::read_tariff_data(&state).await?;
                    let url = &state.config.public_url;
                    run(&state.db, &state.secret, url, &data, now).await
                }
                .await;
                match result {
                    Ok(Sent {
                        reminded: 0,
                        nothing_owed: 0,
                    }) => {}
                    Ok(s) => tracing::info!(
                        reminded = s.reminded,
                        nothing_owed = s.nothing_owed,
                        "vignette reminders queued"
                    ),
                    Err(e) => tracing::warn!(error = %e, "vignette reminders not sent this time"),
                }
            }
        })
    }
}

/// Whether the token is genuine, for the stop page.
#[server(endpoint = "vignette/reminders/check-stop")]
pub async fn check_stop(token: String) -> Result<bool, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    Ok(server::account_of_token(&state.secret, &token).is_some())
}

/// Stops the reminders of the account the token names.
#[server(endpoint = "vignette/reminders/stop")]
pub async fn stop_reminders(token: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = server::account_of_token(&state.secret, &token)
        .ok_or_else(|| AppError::refused("reminder stop link"))?;
    crate::features::accounts::store::set_reminders(&state.db, &account, false)
        .await
        .or_unavailable()?;
    leptos_axum::redirect(&format!("{STOP_PATH}/{token}?stopped=1"));
    Ok(())
}

/// `/vignette/reminders/stop/{token}`: a button, not the link itself, stops them (mail scanners
/// open links; they do not press buttons).
#[component]
pub fn StopPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let stopped = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("stopped")
        .is_some();
    let genuine = Resource::new(|| (), {
        let token = token.clone();
        move |_| check_stop(token.clone())
    });
    let title = td_string!(locale, reminders.stop_title).to_string();
    view! {
        <PageTitle text=title.clone() />
        <BackLink href="/" />
        <h1>{title}</h1>
        <Suspense>
            {move || Suspend::new({
                let token = token.clone();
                async move {
                    match genuine.await {
                        Ok(true) if stopped => view! {
                            <div class="panel panel--info" role="status"><p>{t!(i18n, reminders.stopped)}</p></div>
                            <p><a href=crate::features::accounts::notifications::PATH>{t!(i18n, reminders.turn_back_on)}</a></p>
                        }
                        .into_any(),
                        Ok(true) => view! {
                            <p>{t!(i18n, reminders.stop_lead)}</p>
                            <form method="post" action=StopReminders::url()>
                                <input type="hidden" name="token" value=token />
                                <Button>{t!(i18n, reminders.stop_button)}</Button>
                            </form>
                        }
                        .into_any(),
                        _ => view! { <p>{t!(i18n, reminders.bad_link)}</p> }.into_any(),
                    }
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign() -> Campaign {
        Campaign {
            year: 2026,
            starts_at: "2026-03-01T00:00".into(),
            ends_at: "2026-05-31T16:00".into(),
            extended_from: None,
            late_surcharge_pct: 50,
            enforcement_surcharge_pct: 100,
            new_vehicle_days: 30,
        }
    }

    fn at(text: &str) -> LocalMinute {
        LocalMinute::parse(text).unwrap()
    }

    #[test]
    fn opened_then_ending_in_the_last_seven_days_then_nothing() {
        let c = campaign();
        assert_eq!(due(&c, at("2026-02-28T23:59")), None);
        assert_eq!(due(&c, at("2026-03-01T00:00")), Some(Kind::Opened));
        assert_eq!(due(&c, at("2026-05-24T15:59")), Some(Kind::Opened));
        assert_eq!(due(&c, at("2026-05-24T16:00")), Some(Kind::Ending));
        assert_eq!(due(&c, at("2026-05-31T15:59")), Some(Kind::Ending));
        assert_eq!(due(&c, at("2026-05-31T16:00")), None, "ended");
        let mut broken = campaign();
        broken.ends_at = "soon".into();
        assert_eq!(due(&broken, at("2026-03-02T00:00")), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_stop_link_names_its_account_and_cannot_be_made_for_another() {
        use crate::platform::secrets::SecretKey;
        let secret = SecretKey::from_bytes([5; 32]);
        let token = format!("acc-1.{}", server::stop_signature(&secret, "acc-1"));
        assert_eq!(
            server::account_of_token(&secret, &token).as_deref(),
            Some("acc-1")
        );
        let moved = token.replacen("acc-1", "acc-2", 1);
        assert_eq!(server::account_of_token(&secret, &moved), None);
        let other = SecretKey::from_bytes([6; 32]);
        assert_eq!(server::account_of_token(&other, &token), None);
        assert_eq!(server::account_of_token(&secret, "acc-1"), None);
        assert_eq!(server::account_of_token(&secret, "acc-1.00"), None);
    }
}
