//! The resident smart ID card service (Qatar). This slice: the start page, with the fees and
//! the service centres read from the database.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageHeading;
use crate::{
    domain::reference::{IdCardFee, ServiceCentre},
    error::AppError,
    i18n::*,
    ui::problem::ServiceProblem,
    ui::{
        form::StartButton,
        text::{Ltr, MoneyText},
    },
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod eligibility;
#[cfg(feature = "ssr")]
pub mod store;

/// Minutes an applicant with the documents at hand needs to apply online.
const MINUTES_TO_APPLY: u32 = 15;
/// Working days from the appointment until the card is ready (PRODUCT.md, service 2, step 7).
pub const CARD_PRODUCTION_WORKING_DAYS: u32 = 5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdCardInfo {
    pub fees: Vec<IdCardFee>,
    pub centres: Vec<ServiceCentre>,
}

#[server(endpoint = "id-card/info")]
pub async fn load_idcard_info() -> Result<IdCardInfo, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let fees = store::fees(&state.db).await.or_unavailable()?;
    let centres = store::centres(&state.db).await.or_unavailable()?;
    Ok(IdCardInfo { fees, centres })
}

#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| load_idcard_info());
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), idcard.title) />
        <p class="lead">{t!(i18n, idcard.lead)}</p>

        <p>{t!(i18n, eligibility.start_lead)}</p>
        <p>
            <StartButton href=eligibility::first_page()>{t!(i18n, eligibility.start_button)}</StartButton>
        </p>

        <h2>{t!(i18n, common.what_you_need)}</h2>
        <ul class="list">
            <li>{t!(i18n, idcard.need_age)}</li>
            <li>{t!(i18n, idcard.need_visa)}</li>
            <li>{t!(i18n, idcard.need_passport)}</li>
            <li>{t!(i18n, idcard.need_address)}</li>
            <li>{t!(i18n, idcard.need_employer)}</li>
        </ul>

        <h2>{t!(i18n, common.steps)}</h2>
        <ol class="steps-list">
            <li>{t!(i18n, idcard.step_eligibility)}</li>
            <li>{t!(i18n, idcard.step_request)}</li>
            <li>{t!(i18n, idcard.step_form)}</li>
            <li>{t!(i18n, idcard.step_documents)}</li>
            <li>{t!(i18n, idcard.step_appointment)}</li>
            <li>{t!(i18n, idcard.step_pay)}</li>
            <li>{t!(i18n, idcard.step_centre)}</li>
        </ol>

        <h2>{t!(i18n, common.how_long)}</h2>
        <p>{t!(i18n, idcard.apply_time, count = move || MINUTES_TO_APPLY)}</p>
        <p>{t!(i18n, idcard.card_ready, count = move || CARD_PRODUCTION_WORKING_DAYS)}</p>

        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => view! { <InfoSection info /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                }
            })}
        </Suspense>
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
            let label = move || match item.as_str() {
                "card_new" => t_string!(i18n, idcard.fee_card_new).to_string(),
                "card_replacement_lost" => {
                    t_string!(i18n, idcard.fee_card_replacement_lost).to_string()
                }
                "card_replacement_damaged" => {
                    t_string!(i18n, idcard.fee_card_replacement_damaged).to_string()
                }
                "delivery_by_post" => t_string!(i18n, idcard.fee_delivery_by_post).to_string(),
                other => other.to_string(),
            };
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
