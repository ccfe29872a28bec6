//! Buying the vignette: choose a vehicle → the quote with its explanation and the vehicle's
//! answers to check → pay (the payments engine) → the vignette, number in large type.
//!
//! The amount is computed on the server from the database's rows at every step; the pay form
//! carries the amount the page showed, and the server refuses to charge anything else (the
//! campaign's end may pass between the two): the quote shown is the amount charged. The
//! vignette is written by `fulfil`, in the transaction that records the successful payment,
//! and the database allows one per vehicle (and plate) and campaign year.

use super::{
    calculator::result_view,
    form::FormText,
    vehicles::{VehicleView, vehicle_path},
};
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::{money::Money, reference::Campaign, tariff::Outcome},
    error::AppError,
    features::{
        errors::{NotFound, ServiceProblem},
        payments::pages::{Waiting, order_path},
    },
    i18n::*,
    ui::{
        form::{BackLink, Button, StartButton},
        text::{Ltr, LtrLong, MoneyText, SummaryRow},
    },
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/vignette/buy";
/// The payment orders this service fulfils.
pub const KIND: &str = "vignette";

pub fn quote_path(vehicle_id: &str) -> String {
    format!("{PATH}/{vehicle_id}")
}

/// The vignette an order bought: the confirmation page, and the page kept afterwards.
pub fn bought_path(order_id: &str) -> String {
    format!("/vignette/bought/{order_id}")
}

/// The vignette and its receipt as a PDF.
pub fn pdf_path(order_id: &str) -> String {
    format!("/vignette/bought/{order_id}/pdf")
}

/// Where a vehicle stands for the current campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Standing {
    Bought {
        order_id: String,
        number: String,
    },
    Due(Money),
    /// Exempt or not subject: nothing to buy.
    NoVignette,
    /// No amount can be worked out (no campaign open, no tariff row).
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    pub year: Option<i32>,
    pub vehicles: Vec<(VehicleView, Standing)>,
}

/// The quote page: the vehicle, where it stands, and the outcome explained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteView {
    pub verified: bool,
    pub vehicle: VehicleView,
    /// The answers the amount depends on, as (FormText key of the label, shown value).
    pub answers: Vec<(String, String)>,
    pub campaign: Option<Campaign>,
    pub outcome: Option<Outcome>,
    pub standing: Standing,
    /// The pay form's idempotency key.
    pub key: String,
}

/// A vignette as its owner's page shows it: what its PDF shows, and where its e-mail went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VignetteView {
    pub order_id: String,
    pub document: super::document::VignetteDocument,
    pub email: String,
    /// The QR code as SVG (the address it holds is `document.qr`).
    pub qr_svg: Option<String>,
}

/// What the confirmation address shows: the vignette, or that the payment is not through yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Bought {
    Vignette(Box<VignetteView>),
    /// Paid but not confirmed by the bank yet, or not paid: the order's page says which.
    NotYet {
        order_id: String,
    },
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::Standing;
    use crate::error::OrUnavailable;
    use crate::{
        domain::{
            reference::Campaign,
            tariff::{self, LocalMinute, Outcome, VehicleFacts},
            vignette,
        },
        error::AppError,
        features::vignette::{
            form::{TariffData, load_tariff_data},
            store::{self, VehicleRecord, VignetteRecord},
        },
        platform::server::AppState,
    };

    /// The current campaign at `now`, and what `facts` owe for it.
    pub fn assess(
        data: &TariffData,
        facts: &VehicleFacts,
        now: i64,
    ) -> (Option<Campaign>, Option<Outcome>) {
        let at = LocalMinute::from_unix(now);
        let Some(campaign) = vignette::current_campaign(&data.campaigns, at) else {
            return (None, None);
        };
        let outcome = tariff::assess(
            facts,
            campaign.year,
            at,
            &data.tariffs,
            &data.exemptions,
            &data.campaigns,
        );
        (Some(campaign.clone()), Some(outcome))
    }

    /// One of `account`'s active vehicles (anyone else's, or an archived one, is not found),
    /// the reference rows, and what it owes at `now`: what the quote page shows and "Pay"
    /// checks again.
    pub struct Quoted {
        pub record: VehicleRecord,
        pub data: TariffData,
        pub campaign: Option<Campaign>,
        pub outcome: Option<Outcome>,
    }

    pub async fn quoted(
        state: &AppState,
        account: &str,
        vehicle_id: &str,
        now: i64,
    ) -> Result<Quoted, AppError> {
        let record = store::vehicle(&state.db, account, vehicle_id)
            .await
            .or_unavailable()?
            .filter(|r| r.archived_at.is_none())
            .ok_or_else(|| AppError::refused("vignette order"))?;
        let data = load_tariff_data(state).await.or_unavailable()?;
        let (campaign, outcome) = assess(&data, &record.declared.facts, now);
        Ok(Quoted {
            record,
            data,
            campaign,
            outcome,
        })
    }

    pub fn standing(outcome: Option<&Outcome>, bought: Option<&VignetteRecord>) -> Standing {
        match (bought, outcome) {
            (Some(v), _) => Standing::Bought {
                order_id: v.order_id.clone(),
                number: v.number.clone(),
            },
            (None, Some(Outcome::Due(q))) => Standing::Due(q.total),
            (None, Some(Outcome::NoVignette { .. })) => Standing::NoVignette,
            _ => Standing::Unknown,
        }
    }
}

/// The account's active vehicles and where each stands for the current campaign.
#[server(endpoint = "vignette/choices")]
pub async fn load_choices() -> Result<Choices, AppError> {
    use super::{store, vehicles::server as vehicles};
    use crate::{domain::tariff::LocalMinute, platform::session};
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = session::now_secs();
    let data = super::form::load_tariff_data(&state)
        .await
        .or_unavailable()?;
    let year =
        crate::domain::vignette::current_campaign(&data.campaigns, LocalMinute::from_unix(now))
            .map(|c| c.year);
    let bought = match year {
        Some(y) => store::vignettes_of(&state.db, &account, y)
            .await
            .or_unavailable()?,
        None => Vec::new(),
    };
    let records = store::vehicles_of(&state.db, &account)
        .await
        .or_unavailable()?;
    let vehicles = records
        .iter()
        .filter(|r| r.archived_at.is_none())
        .map(|r| {
            let (_, outcome) = server::assess(&data, &r.declared.facts, now);
            let plate = r.declared.plate.to_string();
            let vignette = bought
                .iter()
                .find(|v| v.vehicle_id == r.id || v.plate == plate);
            (
                vehicles::view(r),
                server::standing(outcome.as_ref(), vignette),
            )
        })
        .collect();
    Ok(Choices { year, vehicles })
}

#[server(endpoint = "vignette/quote")]
pub async fn load_quote(vehicle_id: String) -> Result<QuoteView, AppError> {
    use super::{store, vehicles::server as vehicles};
    use crate::{domain::reference::format_milli, platform::session};
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = session::now_secs();
    let server::Quoted {
        record,
        data,
        campaign,
        outcome,
    } = server::quoted(&state, &account, &vehicle_id, now).await?;
    let bought = match &campaign {
        Some(c) => {
            let mut conn = state.db.pool().acquire().await.or_unavailable()?;
            store::vignette_for_vehicle(
                &mut conn,
                &record.id,
                &record.declared.plate.to_string(),
                c.year,
            )
            .await
            .or_unavailable()?
        }
        None => None,
    };
    let f = &record.declared.facts;
    let language = crate::platform::request::language();
    let measure = [
        ("hp_label", f.fiscal_hp.map(|v| v.to_string())),
        (
            "weight_label",
            f.gross_weight_kg.map(|kg| {
                let decimal = if language == "en" { '.' } else { ',' };
                format_milli(kg, decimal)
            }),
        ),
        ("seats_label", f.seats.map(|v| v.to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)));
    let mut answers = vec![(
        "category_label".to_string(),
        format!("category_{}", f.plate_category),
    )];
    // A trailer has no fuel (it is not asked).
    if !f.fuel.is_empty() {
        answers.push(("fuel_label".to_string(), format!("fuel_{}", f.fuel)));
    }
    answers.push((
        "year_label".to_string(),
        f.first_registration_year.to_string(),
    ));
    answers.extend(measure);
    // A special status is named by its exemption row, in the reader's language.
    let status = match &f.status {
        None => "status_none".to_string(),
        Some(value) => data
            .statuses()
            .into_iter()
            .find(|e| &e.value == value)
            .map(|e| e.reason.get(language).to_string())
            .unwrap_or_else(|| value.clone()),
    };
    answers.push(("status_label".to_string(), status));
    Ok(QuoteView {
        verified: vehicles::verified(&state, &account).await?,
        vehicle: vehicles::view(&record),
        answers,
        standing: server::standing(outcome.as_ref(), bought.as_ref()),
        campaign,
        outcome,
        key: uuid::Uuid::new_v4().to_string(),
    })
}

/// "Pay": the vignette's order (a new one, or the unpaid one for the same vehicle, campaign and
/// amount), then the payment at the gateway. `amount` is what the page showed, in minor units:
/// if the server's amount differs now, nothing is charged and the page says so.
#[server(endpoint = "vignette/buy")]
pub async fn buy(vehicle_id: String, amount: String, key: String) -> Result<(), AppError> {
    use super::store;
    use crate::{
        domain::vignette::Subject,
        features::payments::{engine, pages::server::start_payment},
        platform::session,
    };
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = session::now_secs();
    let server::Quoted {
        record,
        campaign,
        outcome,
        ..
    } = server::quoted(&state, &account, &vehicle_id, now).await?;
    let back = quote_path(&vehicle_id);
    let (Some(campaign), Some(Outcome::Due(quote))) = (campaign, outcome) else {
        // Exempt, not subject, or no campaign: the quote page says which.
        leptos_axum::redirect(&back);
        return Ok(());
    };
    let plate = record.declared.plate.to_string();
    let mut conn = state.db.pool().acquire().await.or_unavailable()?;
    if let Some(v) = store::vignette_for_vehicle(&mut conn, &record.id, &plate, campaign.year)
        .await
        .or_unavailable()?
    {
        // Bought already (here or by the plate's previous owner): show it, charge nothing.
        leptos_axum::redirect(&if v.account_id == account {
            bought_path(&v.order_id)
        } else {
            back
        });
        return Ok(());
    }
    if amount.trim().parse::<i64>().ok() != Some(quote.total.minor) {
        leptos_axum::redirect(&format!("{back}?changed=1"));
        return Ok(());
    }
    let subject = Subject {
        vehicle_id: record.id.clone(),
        campaign_year: campaign.year,
    }
    .encode();
    let order_id = match store::open_order(&state.db, &account, &subject, quote.total)
        .await
        .or_unavailable()?
    {
        Some(id) => id,
        None => {
            let description = |l: Locale| {
                td_string!(
                    l,
                    purchase.order_description,
                    year = campaign.year,
                    plate = plate.as_str()
                )
                .to_string()
            };
            engine::create_order(
                &mut conn,
                &engine::NewOrder {
                    account_id: &account,
                    kind: KIND,
                    subject: &subject,
                    description: [
                        ("ar", description(Locale::ar)),
                        ("fr", description(Locale::fr)),
                        ("en", description(Locale::en)),
                    ],
                    amount: quote.total,
                },
                now,
            )
            .await
            .or_unavailable()?
        }
    };
    drop(conn);
    let to = start_payment(&state, &account, &order_id, key).await?;
    leptos_axum::redirect(&to);
    Ok(())
}

/// The payment's fulfilment: the vignette, sealed with the active signing key, in the
/// transaction that records the success.
#[cfg(feature = "ssr")]
pub struct IssueVignette {
    /// Opens the signing key (sealed under the server's secret in the database).
    pub secret: crate::platform::secrets::SecretKey,
    /// Where the QR code's public check is.
    pub public_url: String,
}

#[cfg(feature = "ssr")]
impl crate::features::payments::engine::Fulfil for IssueVignette {
    fn fulfil<'c>(
        &'c self,
        conn: &'c mut sqlx::AnyConnection,
        order: &'c crate::features::payments::store::Order,
        now: i64,
    ) -> crate::features::payments::engine::FulfilFuture<'c> {
        use super::store::{self, Issue};
        use crate::{domain::vignette::Subject, features::payments::engine::Fulfilled};
        Box::pin(async move {
            let Some(subject) = Subject::parse(&order.subject) else {
                return Ok(Fulfilled::Refused(format!(
                    "unreadable vignette subject {:?}",
                    order.subject
                )));
            };
            let signer = crate::platform::signing::active(conn, &self.secret, now).await?;
            Ok(
                match store::issue_vignette(conn, order, &subject, &signer, now).await? {
                    Issue::Issued(vignette) => {
                        tracing::info!(order = %order.id, number = %vignette.number, "vignette issued");
                        send_vignette(conn, order, &vignette, &self.public_url, now).await?;
                        Fulfilled::Done
                    }
                    Issue::AlreadyHas(number) => Fulfilled::Refused(format!(
                        "the vehicle already has vignette {number} for {}",
                        subject.campaign_year
                    )),
                    Issue::NoSuchVehicle => {
                        Fulfilled::Refused("the order's vehicle is gone".into())
                    }
                },
            )
        })
    }
}

/// Queues the vignette's e-mail (the PDF attached) in the issuing transaction, in the
/// language the payer paid in.
#[cfg(feature = "ssr")]
async fn send_vignette(
    conn: &mut sqlx::AnyConnection,
    order: &crate::features::payments::store::Order,
    vignette: &super::store::VignetteRecord,
    public_url: &str,
    now: i64,
) -> Result<(), crate::platform::db::DbError> {
    use crate::platform::outbox::{self, Channel, Notification};
    let payer: Option<(String, String)> = sqlx::query_as(
        "SELECT a.email, p.language FROM payments p JOIN accounts a ON a.id = p.account_id
         WHERE p.order_id = $1 AND p.state = 'succeeded'
         ORDER BY p.succeeded_at DESC LIMIT 1",
    )
    .bind(&order.id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((email, language)) = payer else {
        return Ok(());
    };
    let params = serde_json::to_value(super::document::VignetteDocument::new(vignette, public_url))
        .unwrap_or_default();
    outbox::enqueue(
        conn,
        &Notification {
            account_id: Some(&order.account_id),
            channel: Channel::Email,
            recipient: &email,
            template: super::messages::VIGNETTE_ISSUED,
            language: &language,
            params,
        },
        now,
    )
    .await?;
    Ok(())
}

/// "I lost my vignette": a duplicate, free, with the same number and marked with its date,
/// e-mailed again (the PDF attached) in the transaction that marks it.
#[server(endpoint = "vignette/reissue")]
pub async fn reissue(order_id: String) -> Result<(), AppError> {
    use super::store;
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = crate::platform::session::now_secs();
    let order = crate::features::payments::engine::owned_order(&state.db, &account, &order_id)
        .await
        .map_err(crate::features::payments::pages::server::not_found)?;
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    let Some(vignette) = store::mark_duplicate(&mut tx, &account, &order_id, now)
        .await
        .or_unavailable()?
    else {
        return Err(AppError::refused("vignette order"));
    };
    send_vignette(&mut tx, &order, &vignette, &state.config.public_url, now)
        .await
        .or_unavailable()?;
    tx.commit().await.or_unavailable()?;
    leptos_axum::redirect(&format!("{}?reissued=1", bought_path(&order_id)));
    Ok(())
}

#[server(endpoint = "vignette/bought")]
pub async fn load_bought(order_id: String) -> Result<Bought, AppError> {
    use super::store;
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    // Someone else's order is "not found", like one that does not exist.
    crate::features::payments::engine::owned_order(&state.db, &account, &order_id)
        .await
        .map_err(crate::features::payments::pages::server::not_found)?;
    let Some(v) = store::vignette_of_order(&state.db, &account, &order_id)
        .await
        .or_unavailable()?
    else {
        return Ok(Bought::NotYet { order_id });
    };
    let (email,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
        .bind(&account)
        .fetch_one(state.db.pool())
        .await
        .or_unavailable()?;
    let document = super::document::VignetteDocument::new(&v, &state.config.public_url);
    Ok(Bought::Vignette(Box::new(VignetteView {
        order_id: v.order_id,
        qr_svg: document.qr.as_deref().and_then(crate::platform::qr::svg),
        document,
        email,
    })))
}

/// `GET /vignette/bought/{order}/pdf`: the vignette and its receipt as a PDF, in the reader's
/// language, for its owner only (anyone else: 404, as for the page).
#[cfg(feature = "ssr")]
pub async fn download(
    axum::extract::State(state): axum::extract::State<crate::platform::server::AppState>,
    axum::extract::Path(order_id): axum::extract::Path<String>,
    req: axum::extract::Request,
) -> Result<axum::response::Response, AppError> {
    use super::document::{VignetteDocument, pdf};
    let account = crate::platform::session::account_of(&req).ok_or(AppError::NotFound)?;
    let vignette = super::store::vignette_of_order(&state.db, &account, &order_id)
        .await
        .or_unavailable()?
        .ok_or(AppError::NotFound)?;
    let doc = VignetteDocument::new(&vignette, &state.config.public_url);
    let locale = crate::platform::locale::from_headers(req.headers());
    let bytes = pdf(&doc, locale).or_unavailable()?;
    Ok(crate::platform::http::attachment(
        "application/pdf",
        &doc.file_name(),
        bytes,
    ))
}

/// `/vignette/buy`: which vehicle.
#[component]
pub fn ChoosePage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let choices = Resource::new(|| (), |_| load_choices());
    let title = td_string!(locale, purchase.choose_title).to_string();
    view! {
        <Title text=title.clone() />
        <BackLink href="/vignette" />
        <h1>{title}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                let Ok(c) = choices.await else { return view! { <ServiceProblem /> }.into_any() };
                let Some(year) = c.year else {
                    return view! { <p>{t!(i18n, purchase.no_campaign)}</p> }.into_any();
                };
                let text = StoredValue::new(FormText::build(locale));
                let none = c.vehicles.is_empty();
                let items = c
                    .vehicles
                    .into_iter()
                    .map(|(v, standing)| view! { <ChoiceCard vehicle=v standing year text /> })
                    .collect_view();
                view! {
                    <p class="lead">{td_string!(locale, purchase.choose_lead, year = year).to_string()}</p>
                    {none.then(|| view! { <p>{t!(i18n, vehicles.none)}</p> })}
                    <ul class="vehicle-list">{items}</ul>
                    <p><StartButton href=super::vehicles::ADD_PATH>{t!(i18n, purchase.add_vehicle)}</StartButton></p>
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn ChoiceCard(
    vehicle: VehicleView,
    standing: Standing,
    year: i32,
    text: StoredValue<FormText>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let t = move |key: String| text.with_value(|t| t.get(&key));
    let plate = vehicle.plate.clone();
    let action = match standing {
        Standing::Bought { order_id, number } => view! {
            <p class="tag tag--success">{td_string!(locale, purchase.has_vignette, year = year).to_string()} " " <Ltr>{number}</Ltr></p>
            <p><a href=bought_path(&order_id)>{t!(i18n, purchase.see_vignette)}<span class="visually-hidden">" " {plate.clone()}</span></a></p>
        }
        .into_any(),
        Standing::Due(amount) => view! {
            <p>{t!(i18n, purchase.amount_due)} " " <strong><MoneyText amount /></strong></p>
            <p><a class="button" href=quote_path(&vehicle.id)>{td_string!(locale, purchase.buy_for, year = year).to_string()}<span class="visually-hidden">" " {plate.clone()}</span></a></p>
        }
        .into_any(),
        Standing::NoVignette => view! {
            <p>{t!(i18n, purchase.nothing_to_pay)}</p>
            <p><a href=quote_path(&vehicle.id)>{t!(i18n, purchase.see_why)}<span class="visually-hidden">" " {plate.clone()}</span></a></p>
        }
        .into_any(),
        Standing::Unknown => view! {
            <p><a href=quote_path(&vehicle.id)>{t!(i18n, purchase.see_why)}<span class="visually-hidden">" " {plate.clone()}</span></a></p>
        }
        .into_any(),
    };
    view! {
        <li class="vehicle-card">
            <h2 class="vehicle-card__plate"><Ltr>{vehicle.plate.clone()}</Ltr></h2>
            <p>{t(format!("category_{}", vehicle.category))} " · " {vehicle.first_year}</p>
            {action}
        </li>
    }
}

/// `/vignette/buy/:vehicle`: the quote explained, the answers it rests on, and "Pay".
#[component]
pub fn QuotePage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("vehicle").unwrap_or_default();
    let quote = Resource::new(move || id.clone(), load_quote);
    view! {
        <BackLink href=PATH />
        <Suspense>
            {move || Suspend::new(async move {
                let q = match quote.await {
                    Ok(q) => q,
                    Err(AppError::NotFound) => return view! { <NotFound /> }.into_any(),
                    Err(_) => return view! { <ServiceProblem /> }.into_any(),
                };
                let changed = query.read_untracked().get("changed").is_some();
                view! { <Quote q changed locale /> }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn Quote(q: QuoteView, changed: bool, locale: Locale) -> impl IntoView {
    let i18n = use_i18n();
    let text = FormText::build(locale);
    let year = q.campaign.as_ref().map(|c| c.year).unwrap_or_default();
    let title = td_string!(locale, purchase.quote_title, year = year).to_string();
    let explained = q
        .outcome
        .as_ref()
        .map(|o| result_view(o, year, q.campaign.as_ref(), &text, false));
    let answers = q
        .answers
        .iter()
        .map(|(label, value)| {
            // Category, fuel and status values are keys of the form's sentences; a status is
            // named by its exemption row.
            let shown = if value.starts_with("category_")
                || value.starts_with("fuel_")
                || value == "status_none"
            {
                text.get(value)
            } else {
                value.clone()
            };
            view! {
                <SummaryRow label={text.get(label)}>{shown}</SummaryRow>
            }
        })
        .collect_view();
    let plate = q.vehicle.plate.clone();
    let next = match (q.standing.clone(), q.verified) {
        (Standing::Bought { order_id, number }, _) => view! {
            <div class="panel panel--success" role="status">
                <p>{td_string!(locale, purchase.has_vignette, year = year).to_string()} " " <strong><Ltr>{number}</Ltr></strong></p>
                <p><a href=bought_path(&order_id)>{t!(i18n, purchase.see_vignette)}</a></p>
            </div>
        }
        .into_any(),
        (Standing::Due(amount), true) => {
            view! {
                <form method="post" action=Buy::url() class="pay-form">
                    <input type="hidden" name="vehicle_id" value=q.vehicle.id.clone() />
                    <input type="hidden" name="amount" value=amount.minor.to_string() />
                    <input type="hidden" name="key" value=q.key.clone() />
                    <p>{t!(i18n, payments.pay_lead)}</p>
                    <Button>{t!(i18n, payments.pay)} " " <MoneyText amount /></Button>
                </form>
            }
            .into_any()
        }
        (Standing::Due(_), false) => view! {
            <div class="panel panel--info">
                <p>{t!(i18n, vehicles.verify_first)}</p>
                <p><a href=crate::features::accounts::verify::PATH>{t!(i18n, vehicles.verify_link)}</a></p>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        <Title text=title.clone() />
        <h1>{title} " " <span class="visually-hidden">{plate.clone()}</span></h1>
        {changed.then(|| view! {
            <div class="panel panel--warning" role="alert"><p>{t!(i18n, purchase.amount_changed)}</p></div>
        })}
        {q.outcome.is_none().then(|| view! { <p>{t!(i18n, purchase.no_campaign)}</p> })}
        {explained}
        <h2>{t!(i18n, purchase.check_title)}</h2>
        <dl class="summary-list">
            <SummaryRow label={text.get("plate_label")}><Ltr>{plate.clone()}</Ltr></SummaryRow>
            <SummaryRow label={text.get("vin_label")}><LtrLong>{q.vehicle.vin.clone()}</LtrLong></SummaryRow>
            {answers}
        </dl>
        <p><a href=vehicle_path(&q.vehicle.id)>{t!(i18n, purchase.change_answers)}</a></p>
        {next}
    }
}

/// `/vignette/bought/:order`: the vignette, number in large type (the confirmation page after
/// paying, and the vignette's page afterwards).
#[component]
pub fn BoughtPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("order").unwrap_or_default();
    let bought = Resource::new(move || id.clone(), load_bought);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match bought.await {
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(Bought::NotYet { order_id }) => view! {
                        <Waiting>
                            <p>{t!(i18n, purchase.not_yet)}</p>
                            <p><a href=order_path(&order_id)>{t!(i18n, payments.back_to_order)}</a></p>
                        </Waiting>
                    }
                    .into_any(),
                    Ok(Bought::Vignette(v)) => {
                        let reissued = query.read_untracked().get("reissued").is_some();
                        view! { <VignetteDetails v=*v locale reissued /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn VignetteDetails(v: VignetteView, locale: Locale, reissued: bool) -> impl IntoView {
    let i18n = use_i18n();
    let text = FormText::build(locale);
    let d = v.document;
    let title = td_string!(locale, purchase.bought_title, year = d.campaign_year).to_string();
    let valid_until = crate::domain::date::Date::parse_iso(&d.valid_until)
        .map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
        .unwrap_or_else(|| d.valid_until.clone());
    let issued = crate::domain::date::utc_time(d.issued_at);
    let category = text.get(&format!("category_{}", d.category));
    let amount = d.amount();
    let duplicate = d.duplicate_issued_at.map(|at| {
        let text = td_string!(
            locale,
            purchase.pdf_duplicate,
            date = crate::domain::date::utc_time(at)
        )
        .to_string();
        view! { <p class="tag">{text}</p> }
    });
    let qr = v.qr_svg.zip(d.qr.clone()).map(|(svg, address)| view! {
        <figure class="vignette-qr">
            <div role="img" aria-label=td_string!(locale, purchase.qr_label) inner_html=svg></div>
            <figcaption>
                {t!(i18n, purchase.qr_caption)} " "
                <a href=address>{t!(i18n, purchase.qr_check_link)}</a>
            </figcaption>
        </figure>
    });
    view! {
        <Title text=title.clone() />
        {reissued.then(|| view! {
            <div class="panel panel--info" role="status"><p>{t!(i18n, purchase.reissued)}</p></div>
        })}
        <div class="panel panel--success vignette-issued">
            <h1>{title}</h1>
            <p>{t!(i18n, purchase.number_label)}</p>
            <p class="vignette-number" dir="ltr">{d.number}</p>
        </div>
        {duplicate}
        <dl class="summary-list">
            <SummaryRow label=text.get("plate_label")><Ltr>{d.plate}</Ltr></SummaryRow>
            <SummaryRow label=text.get("vin_label")><LtrLong>{d.vin}</LtrLong></SummaryRow>
            <SummaryRow label=text.get("category_label")>{category}</SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_campaign)}>{d.campaign_year}</SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_valid_until)}><Ltr>{valid_until}</Ltr></SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_amount)}>{amount.map(|amount| view! { <MoneyText amount /> })}</SummaryRow>
            <SummaryRow label={t!(i18n, payments.reference)}><LtrLong>{d.payment_reference}</LtrLong></SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_issued)}><Ltr>{issued}</Ltr></SummaryRow>
        </dl>
        {qr}
        <p><a class="button" href=pdf_path(&v.order_id) download="">{t!(i18n, purchase.download_pdf)}</a></p>
        <p>{t!(i18n, purchase.receipt_emailed)} " " <LtrLong>{v.email.clone()}</LtrLong></p>
        <h2>{t!(i18n, purchase.lost_title)}</h2>
        <p>{t!(i18n, purchase.lost_lead)}</p>
        <form method="post" action=Reissue::url()>
            <input type="hidden" name="order_id" value=v.order_id.clone() />
            <button type="submit" class="button button--secondary">{t!(i18n, purchase.reissue)}</button>
        </form>
        <p><a href=PATH>{t!(i18n, purchase.back_to_vehicles)}</a></p>
    }
}
