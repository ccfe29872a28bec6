//! `/vignette/calculator`: what a vehicle owes for a campaign, and why, for anyone (no account,
//! nothing stored).
//!
//! One form, one result, computed by the same two pure functions everywhere
//! (`vehicle::facts_from_form`, then `tariff::assess`) on the reference rows. Without
//! JavaScript the form is a GET to the page itself and the server renders the result. With it,
//! the island around the server's form has the rows (they are small) and recomputes in the
//! browser as the answers change, with no request at all; only the fields the plate category
//! needs are shown.

use super::form::{
    FollowedForm, FormState, FormText, IslandForm, Pairs, SelectField, Shown, TariffData,
    fact_fields,
};
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    domain::{
        date::Date,
        money::Money,
        reference::{Campaign, TariffBasis, TariffFamily, format_milli},
        tariff::{self, ExemptionKind, LocalMinute, Outcome, Quote},
        vehicle::{self, Problem},
    },
    error::AppError,
    i18n::*,
    ui::problem::ServiceProblem,
    ui::{
        form::BackLink,
        island_data::{WithIslandData, island_data},
        text::SummaryRow,
    },
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

pub const PATH: &str = "/vignette/calculator";
/// The query field naming the campaign year.
const CAMPAIGN: &str = "campaign";
/// Every field of the form, in its order (what the query and the browser's form data carry).
const FIELDS: [&str; 10] = super::form::facts_after([CAMPAIGN]);

/// The reference rows and the server's clock (Unix seconds, at the start of the minute: the
/// rules read minutes, and the page is the same for everyone within one, so the page cache may
/// keep it).
#[server(endpoint = "vignette/calculator")]
pub async fn load_calculator() -> Result<(TariffData, i64), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let data = super::form::load_tariff_data(&state)
        .await
        .or_unavailable()?;
    let now = crate::platform::session::now_secs();
    Ok((
        std::sync::Arc::unwrap_or_clone(data),
        now - now.rem_euclid(60),
    ))
}

/// The result of a form: the campaign year it is for, and either the problems or the outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub year: Option<i32>,
    pub problems: Vec<Problem>,
    pub outcome: Option<Outcome>,
}

/// What the answers give at `now_unix`.
pub fn evaluate(values: &BTreeMap<String, String>, data: &TariffData, now_unix: i64) -> Evaluation {
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let at = LocalMinute::from_unix(now_unix);
    let this_year = super::form::year_at(now_unix);
    let chosen = get(CAMPAIGN);
    let year = if chosen.trim().is_empty() {
        data.latest_year()
    } else {
        crate::domain::digits::normalise_digits(chosen.trim())
            .parse::<i32>()
            .ok()
            .filter(|y| data.campaigns.iter().any(|c| c.year == *y))
    };
    let statuses = data.status_values();
    let basis_year = year.or(data.latest_year()).unwrap_or(this_year);
    let facts = vehicle::facts_from_form(get, this_year, |c| data.asked(c, basis_year), &statuses);
    let mut problems = match &facts {
        Ok(_) => Vec::new(),
        Err(p) => p.clone(),
    };
    if year.is_none() {
        problems.insert(0, (CAMPAIGN, "campaign_unknown"));
    }
    let outcome = match (year, facts) {
        (Some(year), Ok(facts)) if problems.is_empty() => Some(tariff::assess(
            &facts,
            year,
            at,
            &data.tariffs,
            &data.exemptions,
            &data.campaigns,
        )),
        _ => None,
    };
    Evaluation {
        year,
        problems,
        outcome,
    }
}

/// The page's sentences, in its language, for the island (islands carry no translations).
/// Placeholders are `{name}`.
fn form_values(query: &leptos_router::params::ParamsMap) -> BTreeMap<String, String> {
    FIELDS
        .iter()
        .filter_map(|f| query.get(f).map(|v| (f.to_string(), v)))
        .collect()
}

#[component]
pub fn CalculatorPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let loaded = Resource::new(|| (), |_| load_calculator());
    let locale = i18n.get_locale_untracked();
    let title = td_string!(locale, calculator.title).to_string();
    view! {
        <BackLink href="/vignette" />
        <h1>{title.clone()}</h1>
        <p class="lead">{t!(i18n, calculator.lead)}</p>
        <Suspense>
            {move || Suspend::new({
                let title = title.clone();
                async move {
                    let Ok((data, now)) = loaded.await else {
                        return view! { <PageTitle text=title /> <ServiceProblem /> }.into_any();
                    };
                    let values = form_values(&query.read_untracked());
                    let submitted = !values.is_empty();
                    let refused = submitted && !evaluate(&values, &data, now).problems.is_empty();
                    let page_title = crate::ui::form::page_title(locale, &title, refused);
                    let text = FormText::build(locale);
                    let form = calculator_form(&text, &data, &values, submitted, now);
                    view! {
                        <PageTitle text=page_title description=Some(td_string!(locale, calculator.lead).to_string()) />
                        <WithIslandData data=IslandForm {
                            data,
                            text,
                            values: Pairs(values.into_iter().collect()),
                            now,
                            submitted,
                            server_problems: Pairs::default(),
                        }>
                            <FeeCalculatorIsland>{form}</FeeCalculatorIsland>
                        </WithIslandData>
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}

/// The form as the server renders it: the campaign, then the vehicle's facts; with the
/// problems once it has been sent.
fn calculator_form(
    text: &FormText,
    data: &TariffData,
    values: &BTreeMap<String, String>,
    submitted: bool,
    now: i64,
) -> impl IntoView + use<> {
    let problems = if submitted {
        evaluate(values, data, now)
            .problems
            .into_iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let shown = Shown {
        text,
        data,
        values,
        problems: &problems,
    };
    let latest = data.latest_year();
    let chosen = shown.value(CAMPAIGN);
    // Newest first (the rows come in year order: store::campaigns).
    let campaign_options = data
        .campaigns
        .iter()
        .rev()
        .map(|c| {
            let y = c.year;
            let selected = if chosen.trim().is_empty() {
                Some(y) == latest
            } else {
                super::form::names(&chosen, &y.to_string())
            };
            view! { <option value=y.to_string() selected=selected>{y}</option> }
        })
        .collect_view();
    // A year asked for that the data does not have stays chosen, and refused next to the field.
    let unknown = super::form::kept_option(
        &chosen,
        data.campaigns
            .iter()
            .any(|c| super::form::names(&chosen, &c.year.to_string())),
    );
    view! {
        <form class="calculator" method="get" action=PATH novalidate="">
            <SelectField name=CAMPAIGN label=shown.t("campaign_label") hint=None problem=shown.problem(CAMPAIGN)>
                {unknown}
                {campaign_options}
            </SelectField>
            {fact_fields(&shown)}
            <button type="submit" class="button">{shown.t("submit")}</button>
        </form>
    }
}

/// Around the server's form: the result, recomputed in the browser on every change. Rendered
/// on the server too (the answers come from the query).
///
/// Not lazy: its code is in the main module. Lazy, it came in 25 WebAssembly chunks (the
/// split step makes one per set of lazy islands sharing code), and the browser's work to
/// fetch, compile and instantiate each one was most of the calculator's blocking time
/// (Lighthouse TBT 71-206 ms, 9-48 ms eager). It also gathers the code it shares with the
/// other islands into the main module: the vehicle form's chunks went from 16 to 2, every
/// other lazy island's from 15-18 to 5. Pages with islands pay for it in bytes (the main
/// module 65 → 95 KiB brotli), all still within their 150 KiB (docs/BENCHMARKS.md,
/// 2026-12-05).
#[island]
fn FeeCalculatorIsland(children: Children) -> impl IntoView {
    crate::ui::hydration::needed_eager();
    use leptos::either::Either;
    let Some(form) = island_data::<IslandForm>() else {
        return Either::Left(children());
    };
    let data = StoredValue::new(form.data);
    let values = RwSignal::new(super::form::answers(form.values.0));
    let clock = RwSignal::new(form.now);
    let evaluation =
        Memo::new(move |_| data.with_value(|d| values.with(|v| evaluate(v, d, clock.get()))));
    let state = FormState::new(
        data,
        StoredValue::new(form.text),
        values,
        form.submitted,
        Signal::derive(move || evaluation.with(|e| e.year)),
        Signal::derive(move || {
            evaluation.with(|e| {
                e.problems
                    .iter()
                    .map(|(f, c)| (f.to_string(), c.to_string()))
                    .collect()
            })
        }),
    );
    // The answers are read at the time they are given (a campaign may close meanwhile).
    let before_read = Callback::new(move |()| {
        #[cfg(feature = "hydrate")]
        clock.set((js_sys::Date::now() / 1000.0) as i64);
    });
    // "Calculate": every problem or the result shows, the answers go into the address (a
    // reload or a shared link gives the same page), and focus moves to what is shown.
    let after_submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            if let Ok(query) = web_sys::UrlSearchParams::new() {
                for (k, v) in state.values.get_untracked() {
                    query.append(&k, &v);
                }
                let url = format!("{PATH}?{}", String::from(query.to_string()));
                if let Ok(history) = window().history() {
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&url),
                    );
                }
            }
            super::form::browser::focus_after_submit("result-title");
        }
    };

    let result = move || {
        let outcome = evaluation.with(|e| e.outcome.clone())?;
        let year = evaluation.with(|e| e.year).unwrap_or_default();
        Some(state.text.with_value(|t| {
            state.data.with_value(|d| {
                let campaign = d.campaigns.iter().find(|c| c.year == year);
                result_view(&outcome, year, campaign, t, true)
            })
        }))
    };

    Either::Right(view! {
        <FollowedForm state fields=&FIELDS before_read after_submit>
            {children()}
        </FollowedForm>
        <section class="calculator__result" aria-labelledby="result-title" aria-live="polite">
            {result}
        </section>
    })
}

fn local_time(text: &str) -> String {
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let shown = Date::parse_iso(date)
        .map(day_month_year)
        .unwrap_or_else(|| date.to_string());
    format!("{shown} {time}").trim().to_string()
}

fn day_month_year(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day, d.month, d.year)
}

/// The outcome, explained.
/// Branches are an `EitherOf3`, not `into_any()`: an erased view carries every way of being
/// rendered (the asynchronous hydration among them, never used here) into the WebAssembly.
/// `buy_link`: the calculator ends a due amount with "Buy"; the purchase page has its own form.
pub fn result_view(
    outcome: &Outcome,
    year: i32,
    campaign: Option<&Campaign>,
    t: &FormText,
    buy_link: bool,
) -> impl IntoView + use<> {
    use leptos::either::EitherOf3;
    match outcome {
        Outcome::Due(q) => EitherOf3::A(due_view(q, campaign, t, buy_link)),
        Outcome::NoVignette {
            kind,
            reason,
            legal_basis,
            ..
        } => {
            let heading = match kind {
                ExemptionKind::Exempt => t.get("exempt_heading"),
                ExemptionKind::NotSubject => t.get("not_subject_heading"),
            };
            let reason = reason.get(&t.lang).to_string();
            let legal_basis = legal_basis.get(&t.lang).to_string();
            EitherOf3::B(view! {
                <div class="panel panel--success">
                    <h2 id="result-title" tabindex="-1">{heading}</h2>
                </div>
                <dl class="summary-list">
                    <SummaryRow label={t.get("row_reason")}>{reason}</SummaryRow>
                    <SummaryRow label={t.get("row_legal_basis")}>{legal_basis}</SummaryRow>
                </dl>
                <p>{t.get("no_vignette_note")}</p>
            })
        }
        other => {
            let year_text = year.to_string();
            let message = match other {
                Outcome::NoCampaign => t.fill("no_campaign", &[("year", year_text)]),
                Outcome::NotYetRegistered => t.fill("not_yet_registered", &[("year", year_text)]),
                _ => t.get("no_tariff"),
            };
            EitherOf3::C(view! {
                <h2 id="result-title" tabindex="-1">{t.get("result_title")}</h2>
                <p class="notice">{message}</p>
            })
        }
    }
}

fn due_view(
    q: &Quote,
    campaign: Option<&Campaign>,
    t: &FormText,
    buy_link: bool,
) -> impl IntoView + use<> {
    let money = |m: Money| {
        let dir = if t.lang == "ar" { "rtl" } else { "ltr" };
        view! { <bdi dir=dir class="money">{t.money(m)}</bdi> }
    };
    let family = match q.family {
        TariffFamily::Tourism => t.get("family_tourism"),
        TariffFamily::Utility => t.get("family_utility"),
        TariffFamily::Passenger => t.get("family_passenger"),
    };
    let basis = match q.basis {
        TariffBasis::Cv => t.get("basis_cv"),
        TariffBasis::PtcT => t.get("basis_ptc_t"),
        TariffBasis::Seats => t.get("basis_seats"),
    };
    let min = format_milli(q.band_min_milli, t.decimal());
    let band = match q.band_max_milli {
        Some(max) => t.fill(
            "band_range",
            &[("min", min), ("max", format_milli(max, t.decimal()))],
        ),
        None => t.fill("band_from", &[("min", min)]),
    };
    let age = t.fill(
        "age_value",
        &[
            ("age", q.age.to_string()),
            ("first", (q.year - q.age).to_string()),
        ],
    );
    let heading = t.get("due_heading");
    let (before, after) = heading.split_once("{amount}").unwrap_or((&heading, ""));
    let (before, after) = (before.to_string(), after.to_string());
    let surcharge = q.surcharge.as_ref().map(|s| {
        let amount = money(s.amount);
        view! {
            <SummaryRow label={t.fill("row_surcharge", &[("pct", s.pct.to_string())])}>{amount}</SummaryRow>
        }
    });
    let note = campaign.map(|c| {
        let end = local_time(&c.ends_at);
        let key = if q.surcharge.is_some() {
            "late_note"
        } else {
            "open_note"
        };
        let text = t.fill(
            key,
            &[
                ("year", c.year.to_string()),
                ("end", end),
                ("pct", c.late_surcharge_pct.to_string()),
            ],
        );
        view! { <p>{text}</p> }
    });
    let new_vehicle = q.new_vehicle_due_by.map(|due| {
        view! { <p>{t.fill("new_vehicle_note", &[("due", day_month_year(due))])}</p> }
    });
    // Children are closures: what they show is made here, not borrowed.
    let (base, total) = (money(q.base), money(q.total));
    view! {
        <div class="panel panel--info">
            <h2 id="result-title" tabindex="-1">{before}{money(q.total)}{after}</h2>
        </div>
        <dl class="summary-list">
            <SummaryRow label={t.get("row_family")}>{family}</SummaryRow>
            <SummaryRow label={t.fill("row_band", &[("basis", basis)])}>{band}</SummaryRow>
            <SummaryRow label={t.fill("row_age", &[("year", q.year.to_string())])}>{age}</SummaryRow>
            <SummaryRow label={t.get("row_base")}>{base}</SummaryRow>
            {surcharge}
            <SummaryRow label={t.get("row_total")}><strong>{total}</strong></SummaryRow>
        </dl>
        {note}
        {new_vehicle}
        {buy_link.then(|| view! { <p><a class="button" href=super::purchase::PATH>{t.get("buy")}</a></p> })}
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::tariff::VehicleFacts;
    use crate::domain::tariff::testing::{any_vehicle, campaigns, exemptions, tariffs};
    use proptest::prelude::*;

    fn data() -> TariffData {
        TariffData {
            tariffs: tariffs(),
            exemptions: exemptions(),
            campaigns: campaigns(),
            wilayas: Vec::new(),
        }
    }

    /// One field's answer: mostly the vehicle's own, else nothing, else something a person
    /// could type or an address could carry.
    fn answer(own: String, odd: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop_oneof![
            6 => Just(own),
            1 => Just(String::new()),
            2 => prop::sample::select(odd).prop_map(String::from),
        ]
    }

    /// The calculator's form for a generated vehicle (the tariff's own generator), with its
    /// answers sometimes missing, padded, in Arabic-Indic digits or wrong.
    fn any_form() -> impl Strategy<Value = BTreeMap<String, String>> {
        (any_vehicle(), prop::option::of((1u32..=31, 1u32..=12))).prop_flat_map(
            |(v, day): (VehicleFacts, _)| {
                let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
                let tonnes = v
                    .gross_weight_kg
                    .map(|kg| format!("{}.{:03}", kg / 1000, kg % 1000))
                    .unwrap_or_default();
                let (d, m) = day.map_or((String::new(), String::new()), |(d, m)| {
                    (d.to_string(), m.to_string())
                });
                (
                    (
                        answer(
                            String::new(),
                            &["2025", "2026", "2024", "2027", "abc", " 2026", "٢٠٢٦"],
                        ),
                        answer(
                            v.plate_category.to_string(),
                            &["0", "10", "x", " 3", "٣", "8 "],
                        ),
                        answer(
                            v.fuel.clone(),
                            &["xyz", "Diesel", " diesel", "electric ", "petrol"],
                        ),
                        answer(
                            v.first_registration_year.to_string(),
                            &["19x", "2030", "1800", "٢٠١٠", " 2015 "],
                        ),
                        answer(d, &["31", "2", "x", "0", "٥"]),
                    ),
                    (
                        answer(m, &["13", "2", "x", "0", "١٢"]),
                        answer(text(v.fiscal_hp), &["-1", "abc", "1.5", "0", "٧", " 12"]),
                        answer(tonnes, &["3,5", "abc", "0", "-2", "3.5 t", "٣٫٥"]),
                        answer(text(v.seats), &["0", "abc", "500", " 30 "]),
                        answer(
                            v.status.clone().unwrap_or_default(),
                            &["unknown", "none", "ambulance ", "x", "diplomatic"],
                        ),
                    ),
                )
                    .prop_map(
                        |((c, cat, fuel, year, day), (month, hp, weight, seats, status))| {
                            FIELDS
                                .iter()
                                .zip([c, cat, fuel, year, day, month, hp, weight, seats, status])
                                .filter(|(_, v)| !v.is_empty())
                                .map(|(k, v)| (k.to_string(), v))
                                .collect()
                        },
                    )
            },
        )
    }

    proptest! {
        /// The server judges the answers it was sent; the browser judges what it reads back
        /// from the form the server rendered for them. Same answers, same judgement: the same
        /// outcome, or the same problems on the same fields (issue 19).
        #[test]
        fn the_browser_reads_back_what_the_server_judged(
            values in any_form(),
            // 2025-01-01 to 2026-12-31, Algiers.
            now in 1_735_686_000i64..1_798_758_000,
        ) {
            let data = data();
            let text = FormText::build(Locale::en);
            let server = evaluate(&values, &data, now);
            let html = Owner::new()
                .with(|| calculator_form(&text, &data, &values, true, now).to_html());
            let read = super::super::form::answers(crate::ui::form_data::entries(&html));
            let browser = evaluate(&read, &data, now);
            prop_assert_eq!(&server, &browser, "sent {:?}, read back {:?}", values, read);
        }
    }
}
