//! `/vignette/buy`: which vehicle, each with where it stands for the current campaign.

use super::*;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::vignette::{form::FormText, vehicles::VehicleView};
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    ui::problem::ServiceProblem,
    ui::{
        form::{BackLink, StartButton},
        text::{Ltr, MoneyText},
    },
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    pub year: Option<i32>,
    pub vehicles: Vec<(VehicleView, Standing)>,
}

/// The account's active vehicles and where each stands for the current campaign.
#[server(endpoint = "vignette/choices")]
pub async fn load_choices() -> Result<Choices, AppError> {
    use crate::features::vignette::{store, vehicles::server as vehicles};
    use crate::{domain::tariff::LocalMinute, platform::session};
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = session::now_secs();
    let data = crate::features::vignette::form::load_tariff_data(&state)
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

/// `/vignette/buy`: which vehicle.
#[component]
pub fn ChoosePage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let choices = Resource::new(|| (), |_| load_choices());
    let title = td_string!(locale, purchase.choose_title).to_string();
    view! {
        <PageTitle text=title.clone() />
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
                    <p><StartButton href=crate::features::vignette::vehicles::ADD_PATH>{t!(i18n, purchase.add_vehicle)}</StartButton></p>
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
