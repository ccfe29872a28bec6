//! The public check, no account: by plate ("does this vehicle have its vignette?") or by the
//! code read from a vignette's QR code ("is this vignette genuine?"). It says valid, not
//! bought, expired or signature invalid, and never who owns the vehicle. Rate-limited per
//! address, counted in the database. The QR code holds this page's address with the seal, so
//! any phone camera opens the answer.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::FormHeading;
use crate::ui::form::PageTitle;
use crate::{
    domain::{
        date::Date,
        seal::{PublicKey, Sealed},
    },
    error::AppError,
    i18n::*,
    ui::problem::ServiceProblem,
    ui::{
        form::{BackLink, Button, FieldError, InputKind, TextField},
        island_data::{IslandData, WithIslandData, island_data},
        text::{Ltr, SummaryRow},
    },
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/vignette/verify";

/// What a vignette's QR code says: this page's address on `public_url`, with the seal.
pub fn address(public_url: &str, seal: &str) -> String {
    format!("{}{PATH}?seal={seal}", public_url.trim_end_matches('/'))
}

/// What the seal of a genuine vignette says, for the page (no personal data is in a seal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealFacts {
    pub number: String,
    pub plate: String,
    pub campaign_year: i32,
    /// YYYY-MM-DD.
    pub valid_until: String,
    pub issued_at: i64,
}

impl From<&Sealed> for SealFacts {
    fn from(s: &Sealed) -> Self {
        Self {
            number: s.number.clone(),
            plate: s.plate.clone(),
            campaign_year: s.campaign_year,
            valid_until: s.valid_until.iso(),
            issued_at: s.issued_at,
        }
    }
}

/// The answer to a check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Check {
    /// Nothing asked yet: the two forms.
    Ask,
    /// The plate has a vignette for the year, valid today.
    PlateValid {
        plate: String,
        year: i32,
        valid_until: String,
    },
    /// No vignette for the year bought on the portal (or one that has expired).
    PlateNone { plate: String, year: i32 },
    /// A genuine seal, of a vignette on record, valid today.
    SealValid(SealFacts),
    /// A genuine seal whose validity has ended.
    SealExpired(SealFacts),
    /// The signature does not match, its key is not ours, or the vignette it names is not on
    /// record: not a vignette the portal issued as it reads.
    SealInvalid,
    /// What was typed cannot be read: (field, problem), shown at the field.
    Refused { field: String, problem: String },
    /// Too many checks from this address: minutes to wait.
    TooMany { minutes: i64 },
}

/// A vignette valid until `valid_until` is valid on `today`.
pub fn in_force(valid_until: Date, today: Date) -> bool {
    today <= valid_until
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::error::OrUnavailable;
    use crate::{
        domain::{seal::Verdict, tariff::LocalMinute, vehicle::Plate},
        features::vignette::store,
        platform::{
            session::now_secs,
            state::AppState,
            throttle::{self, Limit},
        },
    };

    /// A person checking a few vehicles is never stopped; a script reading the whole register
    /// plate by plate is.
    pub const CHECKS_PER_IP: Limit = Limit {
        max: 60,
        window_secs: 10 * 60,
    };

    pub(super) fn today(now: i64) -> Date {
        Date::from_days_since_epoch(LocalMinute::from_unix(now).0.div_euclid(24 * 60))
    }

    pub async fn check(state: &AppState, plate: &str, seal: &str) -> Result<Check, AppError> {
        let (plate, seal) = (plate.trim(), seal.trim());
        if plate.is_empty() && seal.is_empty() {
            return Ok(Check::Ask);
        }
        let now = now_secs();
        let ip = crate::platform::security::client_ip(&state.config);
        if let Err(wait) = throttle::hit(&state.db, &format!("verify-ip:{ip}"), CHECKS_PER_IP, now)
            .await
            .or_unavailable()?
        {
            return Ok(Check::TooMany {
                minutes: (wait + 59) / 60,
            });
        }
        let refused = |field: &str, problem: &str| Check::Refused {
            field: field.into(),
            problem: problem.into(),
        };
        if !seal.is_empty() {
            let keys = crate::platform::signing::public_keys(&state.db)
                .await
                .or_unavailable()?;
            return Ok(match crate::domain::seal::verify::<Sealed>(seal, &keys) {
                Verdict::Unreadable => refused("seal", "seal_unreadable"),
                Verdict::BadSignature | Verdict::UnknownKey(_) => Check::SealInvalid,
                Verdict::Genuine(sealed) => {
                    // Signed by us, and still on record as it was signed.
                    let on_record = store::sealed_vignette(&state.db, &sealed.number)
                        .await
                        .or_unavailable()?
                        .is_some_and(|(plate, year)| {
                            plate == sealed.plate && year == sealed.campaign_year
                        });
                    if !on_record {
                        Check::SealInvalid
                    } else if in_force(sealed.valid_until, today(now)) {
                        Check::SealValid(SealFacts::from(&sealed))
                    } else {
                        Check::SealExpired(SealFacts::from(&sealed))
                    }
                }
            });
        }
        let wilayas = store::wilaya_codes(&state.db, true)
            .await
            .or_unavailable()?;
        let wilayas: Vec<&str> = wilayas.iter().map(String::as_str).collect();
        let plate = match Plate::parse(plate, &wilayas) {
            Ok(p) => p.to_string(),
            Err(problem) => return Ok(refused("plate", problem)),
        };
        let campaigns = store::campaigns(&state.db).await.or_unavailable()?;
        let year =
            crate::domain::vignette::current_campaign(&campaigns, LocalMinute::from_unix(now))
                .map(|c| c.year)
                .unwrap_or(today(now).year);
        let valid_until = store::plate_valid_until(&state.db, &plate, year)
            .await
            .or_unavailable()?
            .filter(|until| in_force(*until, today(now)));
        Ok(match valid_until {
            Some(until) => Check::PlateValid {
                plate,
                year,
                valid_until: until.iso(),
            },
            None => Check::PlateNone { plate, year },
        })
    }
}

/// The check behind the page (and for a script that posts to it: the same limit applies).
#[server(endpoint = "vignette/verify")]
pub async fn check_vignette(plate: String, seal: String) -> Result<Check, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    server::check(&state, &plate, &seal).await
}

fn day_month_year(iso: &str) -> String {
    Date::parse_iso(iso)
        .map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
        .unwrap_or_else(|| iso.to_string())
}

/// `/vignette/verify`: two GET forms (a plate; a code pasted from a QR code) and the answer.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    let plate = query.read_untracked().get("plate").unwrap_or_default();
    let seal = query.read_untracked().get("seal").unwrap_or_default();
    let answer = Resource::new(|| (), {
        let (plate, seal) = (plate.clone(), seal.clone());
        move |_| check_vignette(plate.clone(), seal.clone())
    });
    let title = td_string!(locale, verify.title).to_string();
    view! {
        <BackLink href="/vignette" />
        <Suspense>
            {move || Suspend::new({
                let (title, plate, seal) = (title.clone(), plate.clone(), seal.clone());
                async move {
                    let Ok(answer) = answer.await else {
                        return view! { <PageTitle text=title.clone() /> <h1>{title}</h1> <ServiceProblem /> }.into_any();
                    };
                    let error = |field: &str| match &answer {
                        Check::Refused { field: f, problem } if f == field => Some(problem_text(locale, problem)),
                        _ => None,
                    };
                    let (plate_error, seal_error) = (error("plate"), error("seal"));
                    let errors: Vec<FieldError> = [("plate", &plate_error), ("seal", &seal_error)]
                        .into_iter()
                        .filter_map(|(id, e)| e.clone().map(|message| FieldError { field_id: id.into(), message }))
                        .collect();
                    view! {
                        <FormHeading title errors description=Some(td_string!(locale, verify.lead).to_string()) />
                        <p class="lead">{t!(i18n, verify.lead)}</p>
                        <Answer answer=answer.clone() />
                        <form method="get" action=PATH class="verify-form">
                            <TextField
                                id="plate"
                                name="plate"
                                label=td_string!(locale, verify.plate_label).to_string()
                                hint=td_string!(locale, vehicles.plate_hint).to_string()
                                error=plate_error
                                value=plate
                                kind=InputKind::CODE
                            />
                            <Button>{t!(i18n, verify.check_plate)}</Button>
                        </form>
                        <form method="get" action=PATH class="verify-form">
                            <SealField
                                label=td_string!(locale, verify.seal_label)
                                hint=td_string!(locale, verify.seal_hint)
                                error=Signal::stored(seal_error.clone())
                                value=seal
                                entered=NodeRef::new()
                            />
                            <Button kind=crate::ui::form::ButtonKind::Secondary>{t!(i18n, verify.check_seal)}</Button>
                        </form>
                        <p>{t!(i18n, verify.privacy_note)}</p>
                        <p><a href=OFFLINE_PATH>{t!(i18n, verify.offline_link)}</a></p>
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}

fn problem_text(locale: Locale, problem: &str) -> String {
    match problem {
        "seal_unreadable" => td_string!(locale, verify.err_seal_unreadable),
        "plate_missing" => td_string!(locale, vehicles.err_plate_missing),
        "plate_wilaya_unknown" => td_string!(locale, vehicles.err_plate_wilaya_unknown),
        "plate_format" => td_string!(locale, vehicles.err_plate_format),
        unknown => return crate::ui::form::unknown_problem(locale, unknown),
    }
    .to_string()
}

/// The seal's text area (left to right, no spelling help), on the online page and in the
/// offline island: label, hint, and the message when the text is not a seal.
#[component]
fn SealField(
    #[prop(into)] label: String,
    #[prop(into)] hint: String,
    error: Signal<Option<String>>,
    #[prop(optional)] value: String,
    entered: NodeRef<leptos::html::Textarea>,
) -> impl IntoView {
    let refused = move || error.with(Option::is_some);
    view! {
        <div class="field" class:field--error=refused>
            <label class="field__label" for="seal">{label}</label>
            <p class="field__hint" id="seal-hint">{hint}</p>
            {move || error.get().map(|e| view! { <p class="field__error" id="seal-error">{e}</p> })}
            <textarea
                class="field__input field__input--code"
                id="seal"
                name="seal"
                rows="4"
                dir="ltr"
                spellcheck="false"
                autocomplete="off"
                node_ref=entered
                aria-invalid=move || refused().then_some("true")
                aria-describedby=move || if refused() { "seal-hint seal-error" } else { "seal-hint" }
            >{value}</textarea>
        </div>
    }
}

/// The answer, announced (a status region) above the forms.
#[component]
fn Answer(answer: Check) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let panel = |class: &'static str, heading: String, body: AnyView| {
        view! {
            <section class=format!("verdict {class}") role="status" aria-labelledby="verdict-title">
                <h2 id="verdict-title" class="verdict__title">{heading}</h2>
                {body}
            </section>
        }
        .into_any()
    };
    let facts = |f: SealFacts| {
        let issued = crate::domain::date::utc_time(f.issued_at);
        let valid_until = day_month_year(&f.valid_until);
        view! {
            <dl class="summary-list summary-list--compact">
                <SummaryRow label={t!(i18n, purchase.number_label)}><Ltr>{f.number}</Ltr></SummaryRow>
                <SummaryRow label={t!(i18n, vehicles.plate_label)}><Ltr>{f.plate}</Ltr></SummaryRow>
                <SummaryRow label={t!(i18n, purchase.row_valid_until)}><Ltr>{valid_until}</Ltr></SummaryRow>
                <SummaryRow label={t!(i18n, purchase.row_issued)}><Ltr>{issued}</Ltr></SummaryRow>
            </dl>
        }
        .into_any()
    };
    match answer {
        Check::Ask | Check::Refused { .. } => ().into_any(),
        Check::PlateValid { plate, year, valid_until } => panel(
            "verdict--valid",
            td_string!(locale, verify.valid_for, year = year).to_string(),
            view! {
                <dl class="summary-list summary-list--compact">
                    <SummaryRow label={t!(i18n, vehicles.plate_label)}><Ltr>{plate}</Ltr></SummaryRow>
                    <SummaryRow label={t!(i18n, purchase.row_valid_until)}><Ltr>{day_month_year(&valid_until)}</Ltr></SummaryRow>
                </dl>
            }
            .into_any(),
        ),
        Check::PlateNone { plate, year } => panel(
            "verdict--none",
            td_string!(locale, verify.none_for, year = year).to_string(),
            view! {
                <dl class="summary-list summary-list--compact">
                    <SummaryRow label={t!(i18n, vehicles.plate_label)}><Ltr>{plate}</Ltr></SummaryRow>
                </dl>
                <p>{t!(i18n, verify.none_explained)}</p>
            }
            .into_any(),
        ),
        Check::SealValid(f) => panel(
            "verdict--valid",
            td_string!(locale, verify.valid_for, year = f.campaign_year).to_string(),
            view! { <p>{t!(i18n, verify.seal_genuine)}</p> {facts(f)} }.into_any(),
        ),
        Check::SealExpired(f) => panel(
            "verdict--none",
            td_string!(locale, verify.expired, year = f.campaign_year).to_string(),
            view! { <p>{t!(i18n, verify.seal_genuine)}</p> {facts(f)} }.into_any(),
        ),
        Check::SealInvalid => panel(
            "verdict--invalid",
            td_string!(locale, verify.invalid).to_string(),
            view! { <p>{t!(i18n, verify.invalid_explained)}</p> }.into_any(),
        ),
        Check::TooMany { minutes } => panel(
            "verdict--none",
            td_string!(locale, verify.too_many_title).to_string(),
            view! { <p>{t!(i18n, verify.too_many, minutes = move || minutes)}</p> }.into_any(),
        ),
    }
}

// ---- Offline ---------------------------------------------------------------------------------

/// The roadside officer's page: it checks a seal in the browser, with the public keys it was
/// served with, and works with no network once visited (the service worker keeps it).
pub const OFFLINE_PATH: &str = "/vignette/verify/offline";

/// The offline verifier's sentences (islands carry no translation tables).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfflineText {
    pub seal_label: String,
    pub seal_hint: String,
    pub check: String,
    /// "Valid for {year}".
    pub valid_for: String,
    /// "Expired: it was valid for {year}".
    pub expired: String,
    pub genuine: String,
    pub invalid: String,
    pub invalid_explained: String,
    pub unreadable: String,
    pub number: String,
    pub plate: String,
    pub valid_until: String,
    pub issued: String,
    pub error_summary_title: String,
}

crate::island_texts!(
    OfflineText,
    "offline-text",
    [
        seal_label,
        seal_hint,
        check,
        valid_for,
        expired,
        genuine,
        invalid,
        invalid_explained,
        unreadable,
        number,
        plate,
        valid_until,
        issued,
        error_summary_title,
    ]
);

/// The published keys, for the island: a line per key, its id and its bytes in base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Keys(Vec<PublicKey>);

impl IslandData for Keys {
    const ID: &'static str = "offline-keys";

    fn write(&self) -> Vec<(&'static str, String)> {
        let lines = self
            .0
            .iter()
            .map(|k| format!("{}\t{}\n", k.key_id, URL_SAFE_NO_PAD.encode(k.key)))
            .collect();
        vec![("keys", lines)]
    }

    fn read(text: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        let lines = text("keys")?;
        let key = |line: &str| {
            let (key_id, bytes) = line.split_once('\t')?;
            Some(PublicKey {
                key_id: key_id.to_string(),
                key: URL_SAFE_NO_PAD.decode(bytes).ok()?.try_into().ok()?,
            })
        };
        lines.lines().map(key).collect::<Option<_>>().map(Keys)
    }
}

impl OfflineText {
    fn build(locale: Locale) -> Self {
        let s = |t: &str| t.to_string();
        Self {
            seal_label: s(td_string!(locale, verify.seal_label)),
            seal_hint: s(td_string!(locale, verify.offline_seal_hint)),
            check: s(td_string!(locale, verify.check_seal)),
            valid_for: td_string!(locale, verify.valid_for, year = "{year}").to_string(),
            expired: td_string!(locale, verify.expired, year = "{year}").to_string(),
            genuine: s(td_string!(locale, verify.offline_genuine)),
            invalid: s(td_string!(locale, verify.invalid)),
            invalid_explained: s(td_string!(locale, verify.invalid_explained)),
            unreadable: s(td_string!(locale, verify.err_seal_unreadable)),
            number: s(td_string!(locale, purchase.number_label)),
            plate: s(td_string!(locale, vehicles.plate_label)),
            valid_until: s(td_string!(locale, purchase.row_valid_until)),
            issued: s(td_string!(locale, purchase.row_issued)),
            error_summary_title: s(td_string!(locale, common.error_summary_title)),
        }
    }
}

/// `/vignette/verify/offline`: the keys as of this page's making, and the verifier.
#[component]
pub fn OfflinePage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let keys = Resource::new(|| (), |_| published_keys());
    let title = td_string!(locale, verify.offline_title).to_string();
    view! {
        <PageTitle text=title.clone() description=Some(td_string!(locale, verify.offline_lead).to_string()) />
        <BackLink href=PATH />
        <h1>{title}</h1>
        <p class="lead">{t!(i18n, verify.offline_lead)}</p>
        <Suspense>
            {move || Suspend::new(async move {
                match keys.await {
                    Ok(keys) => view! {
                        <WithIslandData data=Keys(keys)>
                            <WithIslandData data=OfflineText::build(locale)>
                                <OfflineVerifier />
                            </WithIslandData>
                        </WithIslandData>
                    }
                    .into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                }
            })}
        </Suspense>
        <p>{t!(i18n, verify.offline_keys_note)}</p>
    }
}

/// The public keys, for the offline verifier.
#[server(endpoint = "vignette/verify/keys")]
pub async fn published_keys() -> Result<Vec<PublicKey>, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    crate::platform::signing::public_keys(&state.db)
        .await
        .or_unavailable()
}

/// The check, in WebAssembly. Without JavaScript the form is the online check's (same field).
#[island(lazy)]
fn OfflineVerifier() -> impl IntoView {
    crate::ui::hydration::needed("OfflineVerifier");
    use crate::domain::seal::{Sealed, Verdict, verify};
    // Without them (never on a page the server made) the page keeps its explanation only.
    let (Some(Keys(keys)), Some(text)) = (island_data::<Keys>(), island_data::<OfflineText>())
    else {
        return None;
    };
    let verdict = RwSignal::new(None::<Verdict>);
    let entered = NodeRef::<leptos::html::Textarea>::new();
    let text = StoredValue::new(text);
    let keys = StoredValue::new(keys);

    #[cfg(feature = "hydrate")]
    let on_submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let seal = entered
            .get_untracked()
            .map(|t| t.value())
            .unwrap_or_default();
        verdict.set(Some(keys.with_value(|k| verify::<Sealed>(&seal, k))));
        request_animation_frame(|| {
            use wasm_bindgen::JsCast;
            let target = document()
                .get_element_by_id("error-summary")
                .or_else(|| document().get_element_by_id("verdict-title"));
            if let Some(el) = target.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        });
    };
    #[cfg(not(feature = "hydrate"))]
    let on_submit = {
        let _ = (verify::<Sealed>, keys);
        |_: leptos::ev::SubmitEvent| {}
    };

    let unreadable = move || matches!(verdict.get(), Some(Verdict::Unreadable));
    let t = move |f: fn(&OfflineText) -> String| text.with_value(f);
    let result = move || {
        let v = verdict.get()?;
        let panel = |class: &'static str, heading: String, body: AnyView| {
            view! {
                <section class=format!("verdict {class}") role="status" aria-labelledby="verdict-title">
                    <h2 id="verdict-title" class="verdict__title" tabindex="-1">{heading}</h2>
                    {body}
                </section>
            }
            .into_any()
        };
        Some(match v {
            Verdict::Unreadable => view! {
                <div class="error-summary" id="error-summary" role="alert" tabindex="-1">
                    <h2 class="error-summary__title">{t(|t| t.error_summary_title.clone())}</h2>
                    <ul class="error-summary__list">
                        <li><a href="#seal">{t(|t| t.unreadable.clone())}</a></li>
                    </ul>
                </div>
            }
            .into_any(),
            Verdict::BadSignature | Verdict::UnknownKey(_) => panel(
                "verdict--invalid",
                t(|t| t.invalid.clone()),
                view! { <p>{t(|t| t.invalid_explained.clone())}</p> }.into_any(),
            ),
            Verdict::Genuine(s) => {
                let valid = in_force(s.valid_until, browser_today());
                let heading = if valid {
                    t(|t| t.valid_for.clone())
                } else {
                    t(|t| t.expired.clone())
                }
                .replace("{year}", &s.campaign_year.to_string());
                let row = |label: String, value: String| {
                    view! {
                        <SummaryRow label={label}><span dir="ltr" class="ltr">{value}</span></SummaryRow>
                    }
                };
                panel(
                    if valid { "verdict--valid" } else { "verdict--none" },
                    heading,
                    view! {
                        <p>{t(|t| t.genuine.clone())}</p>
                        <dl class="summary-list summary-list--compact">
                            {row(t(|t| t.number.clone()), s.number.clone())}
                            {row(t(|t| t.plate.clone()), s.plate.clone())}
                            {row(t(|t| t.valid_until.clone()), format!("{:02}/{:02}/{}", s.valid_until.day, s.valid_until.month, s.valid_until.year))}
                            {row(t(|t| t.issued.clone()), crate::domain::date::utc_time(s.issued_at))}
                        </dl>
                    }
                    .into_any(),
                )
            }
        })
    };
    Some(view! {
        <div aria-live="polite">{result}</div>
        <form method="get" action=PATH class="verify-form" on:submit=on_submit>
            <SealField
                label=t(|t| t.seal_label.clone())
                hint=t(|t| t.seal_hint.clone())
                error=Signal::derive(move || unreadable().then(|| t(|t| t.unreadable.clone())))
                entered
            />
            <button type="submit" class="button">{t(|t| t.check.clone())}</button>
        </form>
    })
}

/// Today in the browser's clock (the officer's phone), as a date.
#[cfg(feature = "hydrate")]
fn browser_today() -> Date {
    let now = js_sys::Date::new_0();
    Date {
        year: now.get_full_year() as i32,
        month: now.get_month() + 1,
        day: now.get_date(),
    }
}

#[cfg(not(feature = "hydrate"))]
fn browser_today() -> Date {
    Date {
        year: 1970,
        month: 1,
        day: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::island_data::through_page;

    #[test]
    fn the_published_keys_reach_the_offline_verifier_unchanged() {
        let key = |id: &str, byte: u8| PublicKey {
            key_id: id.into(),
            key: [byte; 32],
        };
        let keys = Keys(vec![key("k1", 7), key("k2", 255)]);
        assert_eq!(through_page(&keys), Some(keys));
        assert_eq!(through_page(&Keys(vec![])), Some(Keys(vec![])));
        assert_eq!(Keys::read(&|_| Some("k1\tAAAA".into())), None, "short key");
        assert_eq!(Keys::read(&|_| Some("k1 no tab".into())), None);
    }

    #[test]
    fn the_offline_sentences_reach_the_island_unchanged() {
        let text = OfflineText::build(Locale::ar);
        assert!(!text.valid_for.is_empty());
        assert_eq!(through_page(&text), Some(text));
    }
}
