//! The resident smart ID card service (Qatar): the start page, the eligibility check, and the
//! application (request, task list, form pages), each in its own file.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageHeading;
use crate::{
    domain::{
        idcard::Terms,
        reference::{IdCardFee, ServiceCentre},
    },
    error::AppError,
    i18n::*,
    ui::problem::loaded,
    ui::{
        form::StartButton,
        text::{Ltr, MoneyText},
    },
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod apply;
pub mod appointment;
pub mod check;
pub mod documents;
pub mod eligibility;
pub mod list;
pub mod messages;
#[cfg(feature = "ssr")]
pub mod notices;
pub mod pages;
pub mod pay;
pub mod progress;
#[cfg(feature = "ssr")]
pub mod store;
pub mod tasks;

pub const PATH: &str = "/id-card";
/// Choosing the request, which starts an application.
pub const APPLY_PATH: &str = "/id-card/apply";
pub const APPLICATIONS_PATH: &str = "/id-card/applications";

/// The service's own routes besides its pages: a document's upload, its file read back by its
/// owner, the appointment's slip (PDF and calendar file), and the SMS provider's webhook for
/// replies to reminders.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::platform::http::PlainRoute> {
    use crate::platform::http::PlainRoute;
    vec![
        PlainRoute::post(
            "/id-card/applications/{id}/documents/{kind}",
            documents::upload::upload,
        )
        // The upload counts its own bytes against the data's limit, as they arrive, and may
        // take minutes on a weak network.
        .upload(),
        PlainRoute::get(
            "/id-card/applications/{id}/documents/{kind}/{document}",
            documents::file,
        ),
        PlainRoute::get(
            "/id-card/applications/{id}/appointment/slip.pdf",
            appointment::slip::download_pdf,
        ),
        PlainRoute::get(
            "/id-card/applications/{id}/appointment/slip.ics",
            appointment::slip::download_ics,
        ),
        PlainRoute::post(appointment::replies::PATH, appointment::replies::inbound)
            .server_to_server(),
    ]
}

/// The service's background jobs: the appointment reminders (every five minutes, so a
/// reminder is never much later than its hour) and the waiting list (every minute; requests
/// that free a place also run it at once).
#[cfg(feature = "ssr")]
pub fn workers(state: &crate::platform::state::AppState) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        appointment::reminders::spawn(state.clone(), std::time::Duration::from_secs(5 * 60)),
        appointment::waitlist::worker::spawn(state.clone(), std::time::Duration::from_secs(60)),
    ]
}

/// An application's page: its task list while it is filled in.
pub fn application_path(id: &str) -> String {
    format!("{APPLICATIONS_PATH}/{id}")
}

/// An application as a list or a heading shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    pub id: String,
    pub reference: String,
    /// `RequestType::code`.
    pub request: String,
    /// `State::code`.
    pub state: String,
    pub created_at: i64,
}

#[cfg(feature = "ssr")]
impl From<store::ApplicationRecord> for ApplicationSummary {
    fn from(r: store::ApplicationRecord) -> Self {
        Self {
            id: r.id,
            reference: r.reference,
            request: r.request_type,
            state: r.state,
            created_at: r.created_at,
        }
    }
}

/// Qatar is UTC+3 all year: "today" for an age or an expiry is the date in Doha.
#[cfg(feature = "ssr")]
pub(crate) fn today_in_qatar() -> crate::domain::date::Date {
    use crate::platform::session::now_secs;
    crate::domain::date::Date::from_days_since_epoch((now_secs() + 3 * 3600).div_euclid(86_400))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdCardInfo {
    pub fees: Vec<IdCardFee>,
    pub centres: Vec<ServiceCentre>,
    pub terms: Terms,
    /// The signed-in visitor's open application, to continue.
    pub open: Option<ApplicationSummary>,
}

#[server(endpoint = "id-card/info")]
pub async fn load_idcard_info() -> Result<IdCardInfo, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let fees = store::fees(&state.db).await.or_unavailable()?;
    let centres = store::centres(&state.db).await.or_unavailable()?;
    let terms = store::terms(&state.db).await.or_unavailable()?;
    let open = match crate::platform::request::account() {
        Some(account) => store::open_application(&state.db, &account)
            .await
            .or_unavailable()?
            .map(Into::into),
        None => None,
    };
    Ok(IdCardInfo {
        fees,
        centres,
        terms,
        open,
    })
}

/// `/id-card`. It says what the portal does today, step by step, and nothing it does not:
/// every step listed has its pages, and the figures come from data.
#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading
            title=td_string!(i18n.get_locale_untracked(), idcard.title)
            description=td_string!(i18n.get_locale_untracked(), idcard.lead)
        />
        <p class="lead">{t!(i18n, idcard.lead)}</p>
        {loaded(load_idcard_info, |info: IdCardInfo| view! { <StartBody info /> })}
    }
}

#[component]
fn StartBody(info: IdCardInfo) -> impl IntoView {
    let i18n = use_i18n();
    let terms = info.terms;
    let continue_open = info.open.clone().map(|open| {
        let href = application_path(&open.id);
        view! {
            <div class="panel panel--info">
                <p>
                    {t!(i18n, idcard.open_application, reference = move || {
                        let r = open.reference.clone();
                        view! { <Ltr>{r}</Ltr> }
                    })}
                </p>
                <p><StartButton href>{t!(i18n, idcard.continue_application)}</StartButton></p>
            </div>
        }
    });
    view! {
        {continue_open}
        <p>{t!(i18n, eligibility.start_lead)}</p>
        <p>
            <StartButton href=eligibility::first_page()>{t!(i18n, eligibility.start_button)}</StartButton>
        </p>

        <h2>{t!(i18n, common.what_you_need)}</h2>
        <ul class="list">
            <li>{t!(i18n, idcard.need_age)}</li>
            <li>{t!(i18n, idcard.need_visa)}</li>
            <li>{t!(i18n, idcard.need_passport, count = move || terms.passport_valid_months)}</li>
            <li>{t!(i18n, idcard.need_address)}</li>
            <li>{t!(i18n, idcard.need_employer)}</li>
            <li>{t!(i18n, idcard.need_account)}</li>
        </ul>

        <h2>{t!(i18n, common.steps)}</h2>
        <ol class="steps-list">
            <li>{t!(i18n, idcard.step_eligibility)}</li>
            <li>{t!(i18n, idcard.step_request)}</li>
            <li>{t!(i18n, idcard.step_form)}</li>
            <li>{t!(i18n, idcard.step_documents)}</li>
            <li>{t!(i18n, idcard.step_submit)}</li>
            <li>{t!(i18n, idcard.step_pay)}</li>
            <li>{t!(i18n, idcard.step_book, hours = move || terms.appointment_change_cutoff_hours)}</li>
            <li>{t!(i18n, idcard.step_follow)}</li>
        </ol>

        <h2>{t!(i18n, common.how_long)}</h2>
        <p>{t!(i18n, idcard.apply_time, count = move || terms.minutes_to_apply)}</p>
        <p>{t!(i18n, idcard.card_ready, count = move || terms.production_working_days)}</p>

        <InfoSection info />
    }
}

#[component]
fn InfoSection(info: IdCardInfo) -> impl IntoView {
    let i18n = use_i18n();
    let fee_rows = info
        .fees
        .into_iter()
        .map(|fee| {
            let item = fee.item.clone();
            let label = move || messages::fee_item(i18n.get_locale(), &item);
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="num"><MoneyText amount=fee.amount /></td>
                </tr>
            }
        })
        .collect_view();
    let centres = info
        .centres
        .into_iter()
        .map(|c| {
            let (name_ar, name_en) = (c.name_ar.clone(), c.name_en.clone());
            let name = move || {
                if i18n.get_locale() == Locale::ar {
                    name_ar.clone()
                } else {
                    name_en.clone()
                }
            };
            let (opens, closes) = (c.opens.clone(), c.closes.clone());
            view! {
                <li>
                    <strong>{name}</strong>
                    " — "
                    {t!(
                        i18n,
                        idcard.centre_hours,
                        opens = move || { let o = opens.clone(); view! { <Ltr>{o}</Ltr> } },
                        closes = move || { let c = closes.clone(); view! { <Ltr>{c}</Ltr> } }
                    )}
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{t!(i18n, common.fees)}</h2>
        <p>{t!(i18n, idcard.fees_lead)}</p>
        <div class="table-wrap">
            <table class="table">
                <tbody>{fee_rows}</tbody>
            </table>
        </div>
        <h2>{t!(i18n, idcard.centres_heading)}</h2>
        <ul class="list">{centres}</ul>
    }
}
