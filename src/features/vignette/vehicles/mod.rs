//! `/vehicles`: the vehicles an owner pays the vignette for. Add (one form, the questions of
//! the registration card), change, archive (sold, scrapped: the plate is freed, the row kept)
//! or remove (added by mistake). A plate is active in one account at most; the second owner
//! is refused with a way to report a transferred vehicle, and administrators see the conflict.
//!
//! The server renders the form; an island around it adds behaviour: with JavaScript, every
//! answer is checked as it is given (the same `vehicle::vehicle_from_form` the server runs)
//! and only the fields the category needs are shown; without it, the form posts to
//! `save_vehicle`, which keeps a refused submission in a draft and shows the page again with
//! its problems.
// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::form::FormText;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageHeading;
use crate::{
    error::AppError,
    i18n::*,
    ui::problem::ServiceProblem,
    ui::{
        form::StartButton,
        text::{Ltr, LtrLong, SummaryRow},
    },
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

pub mod edit;
pub mod remove;

pub const PATH: &str = "/vehicles";
pub const ADD_PATH: &str = "/vehicles/add";

pub fn vehicle_path(id: &str) -> String {
    format!("{PATH}/{id}")
}

fn remove_path(id: &str) -> String {
    format!("{PATH}/{id}/remove")
}

/// A vehicle as its owner's pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleView {
    pub id: String,
    pub plate: String,
    pub vin: String,
    pub vin_non_standard: bool,
    pub category: u8,
    pub fuel: String,
    pub first_year: i32,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleList {
    /// The account's e-mail address is confirmed (a service may start).
    pub verified: bool,
    pub vehicles: Vec<VehicleView>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::VehicleView;
    use crate::features::vignette::store::VehicleRecord;

    /// The draft a refused form is kept in: one per vehicle (and one for a new vehicle).
    pub fn draft_name(id: &str) -> String {
        format!("vehicle:{}", if id.is_empty() { "new" } else { id })
    }

    pub fn view(r: &VehicleRecord) -> VehicleView {
        let d = &r.declared;
        VehicleView {
            id: r.id.clone(),
            plate: d.plate.to_string(),
            vin: d.vin.clone(),
            vin_non_standard: d.vin_non_standard,
            category: d.facts.plate_category,
            fuel: d.facts.fuel.clone(),
            first_year: d.facts.first_registration_year,
            archived: r.archived_at.is_some(),
        }
    }
}

#[server(endpoint = "vehicles/list")]
pub async fn list_vehicles() -> Result<VehicleList, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let vehicles = super::store::vehicles_of(&state.db, &account)
        .await
        .or_unavailable()?;
    Ok(VehicleList {
        verified: crate::platform::request::address_confirmed(),
        vehicles: vehicles.iter().map(server::view).collect(),
    })
}

/// `/vehicles`.
#[component]
pub fn VehiclesPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| list_vehicles());
    let query = use_query_map();
    let locale = i18n.get_locale_untracked();
    view! {
        <PageHeading title=td_string!(locale, vehicles.title) />
        <Suspense>
            {move || Suspend::new(async move {
                let Ok(list) = list.await else { return view! { <ServiceProblem /> }.into_any() };
                let text = FormText::build(locale);
                let q = query.read_untracked();
                let plate_of = |id: Option<String>| {
                    id.and_then(|id| list.vehicles.iter().find(|v| v.id == id).map(|v| v.plate.clone()))
                };
                let flash = [("added", "added"), ("saved", "saved"), ("archived", "archived")]
                    .into_iter()
                    .find_map(|(flag, key)| plate_of(q.get(flag)).map(|plate| (key, plate)))
                    .map(|(key, plate)| {
                        let sentence = match key {
                            "added" => td_string!(locale, vehicles.added),
                            "saved" => td_string!(locale, vehicles.saved),
                            _ => td_string!(locale, vehicles.archived),
                        };
                        sentence_with_plate(sentence, plate)
                    })
                    .or_else(|| q.get("removed").map(|_| view! { {td_string!(locale, vehicles.removed)} }.into_any()))
                    .or_else(|| q.get("reported").map(|_| view! { {td_string!(locale, vehicles.transfer_sent)} }.into_any()))
                    .map(|message| view! { <div class="panel panel--success" role="status"><p>{message}</p></div> });
                let (active, archived): (Vec<_>, Vec<_>) = list.vehicles.into_iter().partition(|v| !v.archived);
                let has_archived = !archived.is_empty();
                let text = StoredValue::new(text);
                let cards = |vehicles: Vec<VehicleView>| {
                    vehicles
                        .into_iter()
                        .map(|v| view! { <VehicleCard vehicle=v text /> })
                        .collect_view()
                };
                view! {
                    {flash}
                    <p class="lead">{t!(i18n, vehicles.lead)}</p>
                    {(!list.verified).then(|| view! { <VerifyFirst /> })}
                    {active.is_empty().then(|| view! { <p>{t!(i18n, vehicles.none)}</p> })}
                    <ul class="vehicle-list">{cards(active)}</ul>
                    {list.verified.then(|| view! {
                        <StartButton href=ADD_PATH>{t!(i18n, vehicles.add)}</StartButton>
                        <p><a href=super::import::PATH>{t!(i18n, vehicle_import.link)}</a></p>
                    })}
                    {has_archived.then(|| view! {
                        <h2>{t!(i18n, vehicles.archived_heading)}</h2>
                        <ul class="vehicle-list">{cards(archived)}</ul>
                    })}
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// A sentence with `{plate}` in it, the plate kept left to right.
fn sentence_with_plate(sentence: &str, plate: String) -> AnyView {
    let (before, after) = sentence.split_once("{plate}").unwrap_or((sentence, ""));
    let (before, after) = (before.to_string(), after.to_string());
    view! { {before} <Ltr>{plate}</Ltr> {after} }.into_any()
}

#[component]
fn VehicleCard(vehicle: VehicleView, text: StoredValue<FormText>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move |key: String| text.with_value(|t| t.get(&key));
    let plate = vehicle.plate.clone();
    let shown_plate = plate.clone();
    let vin = vehicle.vin.clone();
    view! {
        <li class="vehicle-card">
            <h2 class="vehicle-card__plate"><Ltr>{shown_plate.clone()}</Ltr></h2>
            {vehicle.archived.then(|| view! { <p class="tag">{t!(i18n, vehicles.archived_badge)}</p> })}
            <dl class="summary-list summary-list--compact">
                <SummaryRow label={t!(i18n, vehicles.row_category)}>{t(format!("category_{}", vehicle.category))}</SummaryRow>
                // A trailer has no fuel (it is not asked).
                {(!vehicle.fuel.is_empty()).then(|| view! { <SummaryRow label={t!(i18n, vehicles.row_fuel)}>{t(format!("fuel_{}", vehicle.fuel))}</SummaryRow> })}
                <SummaryRow label={t!(i18n, vehicles.row_year)}>{vehicle.first_year}</SummaryRow>
                <SummaryRow label={t!(i18n, vehicles.row_vin)}><LtrLong>{vin.clone()}</LtrLong></SummaryRow>
            </dl>
            {(!vehicle.archived).then(|| view! {
                <p>
                    <a href=vehicle_path(&vehicle.id)>
                        {t!(i18n, vehicles.change)}
                        <span class="visually-hidden">" " {plate.clone()}</span>
                    </a>
                </p>
                <p>
                    <a href=super::purchase::quote_path(&vehicle.id)>
                        {t!(i18n, calculator.buy)}
                        <span class="visually-hidden">" " {plate.clone()}</span>
                    </a>
                </p>
            })}
        </li>
    }
}

/// "Confirm your e-mail address first", with the way to do it.
#[component]
fn VerifyFirst() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="panel panel--info">
            <p>{t!(i18n, vehicles.verify_first)}</p>
            <p><a href=crate::features::accounts::verify::PATH>{t!(i18n, vehicles.verify_link)}</a></p>
        </div>
    }
}
