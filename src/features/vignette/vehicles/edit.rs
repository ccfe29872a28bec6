//! `/vehicles/add` and `/vehicles/:id`: the vehicle form (plate and chassis number, then the
//! vehicle's facts), checked as it is typed and again on the server, and "this vehicle is now
//! mine" under a plate another account holds.

// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::*;

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::vignette::form::{
    FollowedForm, FormState, FormText, IslandForm, Pairs, Shown, TariffData, fact_fields,
};
use crate::ui::form::PageTitle;
use crate::{
    domain::vehicle::{self, field},
    error::AppError,
    ui::{
        form::{BackLink, Button, ButtonKind},
        island_data::{WithIslandData, island_data},
        keep_unsent::KeepUnsent,
    },
};
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The form's fields, in its order.
const FIELDS: [&str; 11] = crate::features::vignette::form::facts_after([field::PLATE, field::VIN]);

/// What the add/change page needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleFormData {
    pub verified: bool,
    pub data: TariffData,
    pub now: i64,
    /// The vehicle being changed (none when adding).
    pub vehicle: Option<VehicleView>,
    /// The vehicle has had a vignette: it can be archived, not removed.
    pub has_vignette: bool,
    /// What the form shows: a refused submission as typed, else the vehicle's answers.
    pub values: Vec<(String, String)>,
    /// The refused submission's problems.
    pub problems: Vec<(String, String)>,
}

/// The add form (`id` empty) or the change form of one of the account's vehicles.
#[server(endpoint = "vehicles/form")]
pub async fn load_vehicle_form(id: String) -> Result<VehicleFormData, AppError> {
    use crate::platform::drafts;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let record = if id.is_empty() {
        None
    } else {
        let r = crate::features::vignette::store::vehicle(&state.db, &account, &id)
            .await
            .or_unavailable()?
            .ok_or_else(|| AppError::refused("vehicle"))?;
        Some(r)
    };
    let draft = drafts::load_answers(&state.db, &server::draft_name(&id))
        .await
        .or_unavailable()?;
    let has_vignette = match &record {
        Some(r) => crate::features::vignette::store::has_vignette(&state.db, &r.id)
            .await
            .or_unavailable()?,
        None => false,
    };
    let (values, problems) = match (draft.rejected, &record) {
        (Some(r), _) => (r.values.into_iter().collect(), r.problems),
        (None, Some(r)) => (answers_of(&r.declared), Vec::new()),
        (None, None) => (Vec::new(), Vec::new()),
    };
    Ok(VehicleFormData {
        verified: crate::platform::request::address_confirmed(),
        data: std::sync::Arc::unwrap_or_clone(
            crate::features::vignette::form::load_tariff_data(&state)
                .await
                .or_unavailable()?,
        ),
        now: crate::platform::session::now_secs(),
        vehicle: record.as_ref().map(server::view),
        has_vignette,
        values,
        problems,
    })
}

/// A stored vehicle as the form's answers.
#[cfg(feature = "ssr")]
fn answers_of(d: &crate::domain::vehicle::Declared) -> Vec<(String, String)> {
    let f = &d.facts;
    let date = f.first_registration_date;
    [
        (field::PLATE, Some(d.plate.to_string())),
        (field::VIN, Some(d.vin.clone())),
        (field::CATEGORY, Some(f.plate_category.to_string())),
        (field::FUEL, Some(f.fuel.clone())),
        (field::YEAR, Some(f.first_registration_year.to_string())),
        (field::REG_DAY, date.map(|d| d.day.to_string())),
        (field::REG_MONTH, date.map(|d| d.month.to_string())),
        (field::HP, f.fiscal_hp.map(|v| v.to_string())),
        (
            field::WEIGHT,
            f.gross_weight_kg
                .map(|kg| crate::domain::reference::format_milli(kg, '.')),
        ),
        (field::SEATS, f.seats.map(|v| v.to_string())),
        (field::STATUS, f.status.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
    .collect()
}

/// Adds a vehicle (`id` empty) or changes one of the account's. Refused answers are kept in
/// the draft and the form is shown again with its problems; nothing is written.
#[server(endpoint = "vehicles/save")]
pub async fn save_vehicle(
    id: String,
    plate: Option<String>,
    vin: Option<String>,
    category: Option<String>,
    fuel: Option<String>,
    first_year: Option<String>,
    reg_day: Option<String>,
    reg_month: Option<String>,
    fiscal_hp: Option<String>,
    gross_weight: Option<String>,
    seats: Option<String>,
    status: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::vehicle::vehicle_from_form;
    use crate::features::vignette::store::{self, SaveError};
    use crate::platform::{drafts, session};
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    // A service starts only from a confirmed address: checked at its first step.
    if !crate::platform::request::address_confirmed() {
        leptos_axum::redirect(crate::features::accounts::verify::PATH);
        return Ok(());
    }
    if !id.is_empty()
        && store::vehicle(&state.db, &account, &id)
            .await
            .or_unavailable()?
            .is_none_or(|v| v.archived_at.is_some())
    {
        return Err(AppError::refused("vehicle"));
    }
    let typed: BTreeMap<String, String> = [
        (field::PLATE, plate),
        (field::VIN, vin),
        (field::CATEGORY, category),
        (field::FUEL, fuel),
        (field::YEAR, first_year),
        (field::REG_DAY, reg_day),
        (field::REG_MONTH, reg_month),
        (field::HP, fiscal_hp),
        (field::WEIGHT, gross_weight),
        (field::SEATS, seats),
        (field::STATUS, status),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
    .collect();
    let data = crate::features::vignette::form::load_tariff_data(&state)
        .await
        .or_unavailable()?;
    let now = session::now_secs();
    let here = if id.is_empty() {
        ADD_PATH.to_string()
    } else {
        vehicle_path(&id)
    };
    // The form's answers belong to the account (`owner` above means signed in).
    let keeper = drafts::Keeper::Account(account.clone());
    let refuse = |problems: Vec<(String, String)>| {
        let (db, name, typed, here) = (&state.db, server::draft_name(&id), &typed, &here);
        let keeper = keeper.clone();
        async move {
            drafts::keep_refused(db, keeper, &name, typed, problems, now)
                .await
                .or_unavailable()?;
            leptos_axum::redirect(here);
            Ok(())
        }
    };
    let latest = data
        .latest_year()
        .unwrap_or(crate::features::vignette::form::year_at(now));
    let wilayas: Vec<&str> = data.wilayas.iter().map(String::as_str).collect();
    let declared = match vehicle_from_form(
        |k| typed.get(k).cloned().unwrap_or_default(),
        crate::features::vignette::form::year_at(now),
        |c| data.asked(c, latest),
        &data.status_values(),
        &wilayas,
    ) {
        Ok(d) => d,
        Err(problems) => {
            return refuse(
                problems
                    .into_iter()
                    .map(|(f, c)| (f.to_string(), c.to_string()))
                    .collect(),
            )
            .await;
        }
    };
    let saved = if id.is_empty() {
        store::add_vehicle(&state.db, &account, &declared, now).await
    } else {
        store::update_vehicle(&state.db, &account, &id, &declared, now)
            .await
            .map(|_| id.clone())
    };
    let plate_problem = |code: &str| vec![(field::PLATE.to_string(), code.to_string())];
    match saved {
        Ok(saved_id) => {
            drafts::discard(&state.db, keeper.clone(), &server::draft_name(&id))
                .await
                .or_unavailable()?;
            let flag = if id.is_empty() { "added" } else { "saved" };
            leptos_axum::redirect(&format!("{PATH}?{flag}={saved_id}"));
            Ok(())
        }
        Err(SaveError::PlateHeldElsewhere) => refuse(plate_problem("plate_held_elsewhere")).await,
        Err(SaveError::PlateAlreadyYours) => refuse(plate_problem("plate_already_yours")).await,
        Err(SaveError::Db(e)) => Err(AppError::internal(e)),
    }
}

/// "This vehicle is now mine": recorded for administrators next to the plate's holder.
#[server(endpoint = "vehicles/report-transfer")]
pub async fn report_transfer(plate: String, note: Option<String>) -> Result<(), AppError> {
    use crate::domain::vehicle::Plate;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let plate = Plate::parse_shape(&plate).map_err(|_| AppError::refused("vehicle"))?;
    let note = note
        .map(|n| {
            crate::domain::text::cut(&crate::domain::text::clean_line(n.trim()), 1000).to_string()
        })
        .filter(|n| !n.is_empty());
    let now = crate::platform::session::now_secs();
    crate::features::vignette::store::report_transfer(
        &state.db,
        &account,
        &plate.to_string(),
        note.as_deref(),
        now,
    )
    .await
    .or_unavailable()?;
    leptos_axum::redirect(&format!("{PATH}?reported=1"));
    Ok(())
}

/// `/vehicles/add` and `/vehicles/:id`.
#[component]
pub fn VehicleFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let locale = i18n.get_locale_untracked();
    crate::ui::problem::loaded_for(id, load_vehicle_form, move |form| {
        let title = match &form.vehicle {
            None => td_string!(locale, vehicles.add_title).to_string(),
            Some(_) => td_string!(locale, vehicles.edit_title).to_string(),
        };
        let page_title = crate::ui::form::page_title(locale, &title, !form.problems.is_empty());
        if !form.verified {
            return view! {
                <PageTitle text=page_title />
                <BackLink href=PATH />
                <h1>{title}</h1>
                <VerifyFirst />
            }
            .into_any();
        }
        let held_elsewhere = form
            .problems
            .iter()
            .any(|(_, code)| code == "plate_held_elsewhere")
            .then(|| {
                form.values
                    .iter()
                    .find(|(k, _)| k == field::PLATE)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            });
        let vehicle = form.vehicle.clone();
        let vehicle_id = vehicle.as_ref().map(|v| v.id.clone()).unwrap_or_default();
        let kept = td_string!(locale, common.answer_kept_offline).to_string();
        let text = FormText::build(locale);
        let values = crate::features::vignette::form::answers(form.values.clone());
        let shown = Shown {
            text: &text,
            data: &form.data,
            values: &values,
            problems: &form.problems,
        };
        let fields = view! {
            <form method="post" action=SaveVehicle::url() novalidate="">
                <input type="hidden" name="id" value=vehicle_id />
                {shown.input(field::PLATE, "plate", "plate", "text")}
                {shown.input(field::VIN, "vin", "vin", "text")}
                {fact_fields(&shown)}
                <button type="submit" class="button">{td_string!(locale, vehicles.save).to_string()}</button>
            </form>
        };
        view! {
            <PageTitle text=page_title />
            <BackLink href=PATH />
            <h1>{title}</h1>
            {vehicle.is_none().then(|| view! { <p class="lead">{t!(i18n, vehicles.add_lead)}</p> })}
            <KeepUnsent message=kept>
                <WithIslandData data=IslandForm {
                    submitted: !form.problems.is_empty(),
                    data: form.data,
                    text,
                    values: Pairs(form.values),
                    now: form.now,
                    server_problems: Pairs(form.problems),
                }>
                    <VehicleFormIsland>{fields}</VehicleFormIsland>
                </WithIslandData>
            </KeepUnsent>
            {held_elsewhere.map(|plate| view! { <TransferReport plate /> })}
            {vehicle.map(|v| view! { <super::remove::ArchiveOrRemove vehicle=v removable=!form.has_vignette /> })}
        }
        .into_any()
    })
}

/// Checks the answers as they are given and keeps a form with problems from being sent.
#[island(lazy)]
fn VehicleFormIsland(children: Children) -> impl IntoView {
    crate::ui::hydration::needed("VehicleFormIsland");
    use leptos::either::Either;
    let Some(form) = island_data::<IslandForm>() else {
        return Either::Left(children());
    };
    let data = StoredValue::new(form.data);
    let initial = crate::features::vignette::form::answers(form.values.0);
    let server_problems = form.server_problems.0;
    let values = RwSignal::new(initial.clone());
    let this_year = crate::features::vignette::form::year_at(form.now);
    let checked = Memo::new(move |_| data.with_value(|d| values.with(|v| check(v, d, this_year))));
    let problems = Signal::derive(move || {
        let mut problems = checked.get();
        for (f, code) in &server_problems {
            let unchanged = values.with(|v| v.get(f) == initial.get(f));
            if unchanged && !problems.iter().any(|(p, _)| p == f) {
                problems.push((f.clone(), code.clone()));
            }
        }
        vehicle::in_order(problems, &FIELDS)
    });
    let state = FormState::new(
        data,
        StoredValue::new(form.text),
        values,
        form.submitted,
        Signal::derive(move || data.with_value(|d| d.latest_year())),
        problems,
    );
    // Sent only when every answer holds; else the problems show and focus goes to them.
    let after_submit = move |e: leptos::ev::SubmitEvent| {
        if !state.problems.with_untracked(Vec::is_empty) {
            e.prevent_default();
            e.stop_propagation();
            #[cfg(feature = "hydrate")]
            crate::features::vignette::form::browser::focus_after_submit("error-summary");
        }
    };

    Either::Right(view! {
        <FollowedForm state fields=&FIELDS after_submit>
            {children()}
        </FollowedForm>
    })
}

/// The answers' problems, as the server will find them (except what only the database knows).
fn check(
    values: &BTreeMap<String, String>,
    d: &TariffData,
    this_year: i32,
) -> Vec<(String, String)> {
    let latest = d.latest_year().unwrap_or(this_year);
    let wilayas: Vec<&str> = d.wilayas.iter().map(String::as_str).collect();
    crate::domain::vehicle::vehicle_from_form(
        |k| values.get(k).cloned().unwrap_or_default(),
        this_year,
        |c| d.asked(c, latest),
        &d.status_values(),
        &wilayas,
    )
    .err()
    .unwrap_or_default()
    .into_iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect()
}

/// Under a plate refused because another account holds it: "this vehicle is now mine".
#[component]
fn TransferReport(plate: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel panel--info" aria-labelledby="transfer-title">
            <h2 id="transfer-title">{t!(i18n, vehicles.transfer_title)}</h2>
            <p>{t!(i18n, vehicles.transfer_lead)}</p>
            <form method="post" action=ReportTransfer::url()>
                <input type="hidden" name="plate" value=plate />
                <div class="field">
                    <label class="field__label" for="transfer-note">{t!(i18n, vehicles.transfer_note_label)}</label>
                    <textarea class="field__input field__textarea" id="transfer-note" name="note" rows="3" maxlength="1000"></textarea>
                </div>
                <Button kind=ButtonKind::Secondary>{t!(i18n, vehicles.transfer_submit)}</Button>
            </form>
        </section>
    }
}
