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

use super::form::{
    FormState, FormText, IslandForm, Pairs, ProblemSummary, Shown, TariffData, fact_fields,
};
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::vehicle::{self, field},
    error::AppError,
    features::errors::{NotFound, ServiceProblem},
    i18n::*,
    ui::{
        form::{BackLink, Button, ButtonKind, StartButton},
        island_data::{WithIslandData, island_data},
        keep_unsent::KeepUnsent,
        text::{Ltr, LtrLong, SummaryRow},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const PATH: &str = "/vehicles";
pub const ADD_PATH: &str = "/vehicles/add";

pub fn vehicle_path(id: &str) -> String {
    format!("{PATH}/{id}")
}

fn remove_path(id: &str) -> String {
    format!("{PATH}/{id}/remove")
}

/// The form's fields, in its order.
const FIELDS: [&str; 11] = [
    field::PLATE,
    field::VIN,
    field::CATEGORY,
    field::FUEL,
    field::YEAR,
    field::REG_DAY,
    field::REG_MONTH,
    field::HP,
    field::WEIGHT,
    field::SEATS,
    field::STATUS,
];

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

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::VehicleView;
    use crate::error::OrUnavailable;
    use crate::{
        error::AppError, features::vignette::store::VehicleRecord, platform::server::AppState,
    };

    pub async fn verified(state: &AppState, account: &str) -> Result<bool, AppError> {
        let (at,): (Option<i64>,) =
            sqlx::query_as("SELECT email_verified_at FROM accounts WHERE id = $1")
                .bind(account)
                .fetch_one(state.db.pool())
                .await
                .or_unavailable()?;
        Ok(at.is_some())
    }

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
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let vehicles = super::store::vehicles_of(&state.db, &account)
        .await
        .or_unavailable()?;
    Ok(VehicleList {
        verified: server::verified(&state, &account).await?,
        vehicles: vehicles.iter().map(server::view).collect(),
    })
}

/// The add form (`id` empty) or the change form of one of the account's vehicles.
#[server(endpoint = "vehicles/form")]
pub async fn load_vehicle_form(id: String) -> Result<VehicleFormData, AppError> {
    use crate::platform::{drafts, session};
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let record = if id.is_empty() {
        None
    } else {
        let r = super::store::vehicle(&state.db, &account, &id)
            .await
            .or_unavailable()?
            .ok_or_else(|| AppError::refused("vehicle"))?;
        Some(r)
    };
    let draft = match session::for_request() {
        Some(s) => drafts::load(&state.db, &s.id, &server::draft_name(&id))
            .await
            .or_unavailable()?,
        None => Default::default(),
    };
    let has_vignette = match &record {
        Some(r) => super::store::has_vignette(&state.db, &r.id)
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
        verified: server::verified(&state, &account).await?,
        data: super::form::load_tariff_data(&state)
            .await
            .or_unavailable()?,
        now: session::now_secs(),
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
    use super::store::{self, SaveError};
    use crate::domain::vehicle::vehicle_from_form;
    use crate::platform::{drafts, session};
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    // A service starts only from a confirmed address: checked at its first step.
    if !server::verified(&state, &account).await? {
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
    let data = super::form::load_tariff_data(&state)
        .await
        .or_unavailable()?;
    let now = session::now_secs();
    let here = if id.is_empty() {
        ADD_PATH.to_string()
    } else {
        vehicle_path(&id)
    };
    let session_id = session::for_request()
        .map(|s| s.id)
        .ok_or_else(|| AppError::internal("no session"))?;
    let refuse = |problems: Vec<(String, String)>| {
        let (db, name, typed, here) = (&state.db, server::draft_name(&id), &typed, &here);
        let session_id = &session_id;
        async move {
            drafts::keep_refused(db, session_id, &name, typed, problems, now)
                .await
                .or_unavailable()?;
            leptos_axum::redirect(here);
            Ok(())
        }
    };
    let latest = data.latest_year().unwrap_or(super::form::year_at(now));
    let wilayas: Vec<&str> = data.wilayas.iter().map(String::as_str).collect();
    let declared = match vehicle_from_form(
        |k| typed.get(k).cloned().unwrap_or_default(),
        super::form::year_at(now),
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
            drafts::discard(&state.db, &session_id, &server::draft_name(&id))
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

/// Archives one of the account's vehicles: it leaves the list and frees its plate.
#[server(endpoint = "vehicles/archive")]
pub async fn archive_vehicle(id: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let now = crate::platform::session::now_secs();
    if !super::store::archive_vehicle(&state.db, &account, &id, now)
        .await
        .or_unavailable()?
    {
        return Err(AppError::refused("vehicle"));
    }
    leptos_axum::redirect(&format!("{PATH}?archived={id}"));
    Ok(())
}

/// Deletes one of the account's vehicles (added by mistake). A vehicle that has had a
/// vignette is archived instead: the vignette stays valid and checkable by its plate.
#[server(endpoint = "vehicles/remove")]
pub async fn remove_vehicle(id: String) -> Result<(), AppError> {
    use super::store;
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    if store::remove_vehicle(&state.db, &account, &id)
        .await
        .or_unavailable()?
    {
        leptos_axum::redirect(&format!("{PATH}?removed=1"));
        return Ok(());
    }
    let now = crate::platform::session::now_secs();
    if !store::archive_vehicle(&state.db, &account, &id, now)
        .await
        .or_unavailable()?
    {
        return Err(AppError::refused("vehicle"));
    }
    leptos_axum::redirect(&format!("{PATH}?archived={id}"));
    Ok(())
}

/// "This vehicle is now mine": recorded for administrators next to the plate's holder.
#[server(endpoint = "vehicles/report-transfer")]
pub async fn report_transfer(plate: String, note: Option<String>) -> Result<(), AppError> {
    use crate::domain::vehicle::Plate;
    let state = expect_context::<crate::platform::server::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let plate = Plate::parse_shape(&plate).map_err(|_| AppError::refused("vehicle"))?;
    let note = note
        .map(|n| {
            crate::domain::text::cut(&crate::domain::text::clean_line(n.trim()), 1000).to_string()
        })
        .filter(|n| !n.is_empty());
    let now = crate::platform::session::now_secs();
    super::store::report_transfer(
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

/// `/vehicles`.
#[component]
pub fn VehiclesPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| list_vehicles());
    let query = use_query_map();
    let locale = i18n.get_locale_untracked();
    view! {
        <Title text=td_string!(locale, vehicles.title).to_string() />
        <h1>{t!(i18n, vehicles.title)}</h1>
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

/// `/vehicles/add` and `/vehicles/:id`.
#[component]
pub fn VehicleFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let form = Resource::new(move || id.clone(), load_vehicle_form);
    let locale = i18n.get_locale_untracked();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let form = match form.await {
                    Ok(f) => f,
                    Err(AppError::NotFound) => return view! { <NotFound /> }.into_any(),
                    Err(_) => return view! { <ServiceProblem /> }.into_any(),
                };
                let title = match &form.vehicle {
                    None => td_string!(locale, vehicles.add_title).to_string(),
                    Some(_) => td_string!(locale, vehicles.edit_title).to_string(),
                };
                let page_title = if form.problems.is_empty() {
                    title.clone()
                } else {
                    format!("{} {title}", td_string!(locale, common.error_prefix))
                };
                if !form.verified {
                    return view! {
                        <Title text=page_title />
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
                let values = super::form::answers(form.values.clone());
                let shown = Shown { text: &text, data: &form.data, values: &values, problems: &form.problems };
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
                    <Title text=page_title />
                    <BackLink href=PATH />
                    <h1>{title}</h1>
                    {vehicle.is_none().then(|| view! { <p class="lead">{t!(i18n, vehicles.add_lead)}</p> })}
                    <KeepUnsent message=kept>
                        <VehicleForm form=IslandForm {
                            submitted: !form.problems.is_empty(),
                            data: form.data,
                            text,
                            values: Pairs(form.values),
                            now: form.now,
                            server_problems: Pairs(form.problems),
                        }>
                            {fields}
                        </VehicleForm>
                    </KeepUnsent>
                    {held_elsewhere.map(|plate| view! { <TransferReport plate /> })}
                    {vehicle.map(|v| view! { <ArchiveOrRemove vehicle=v removable=!form.has_vignette /> })}
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// The server's form (plate and chassis number, then the vehicle's facts), in its island.
#[component]
fn VehicleForm(form: IslandForm, children: Children) -> impl IntoView {
    view! {
        <WithIslandData data=form>
            <VehicleFormIsland>{children()}</VehicleFormIsland>
        </WithIslandData>
    }
}

/// Checks the answers as they are given and keeps a form with problems from being sent.
#[island(lazy)]
fn VehicleFormIsland(children: Children) -> impl IntoView {
    crate::ui::hydration::needed();
    use leptos::either::Either;
    let Some(form) = island_data::<IslandForm>() else {
        return Either::Left(children());
    };
    let data = StoredValue::new(form.data);
    let initial = super::form::answers(form.values.0);
    let server_problems = form.server_problems.0;
    let values = RwSignal::new(initial.clone());
    let this_year = super::form::year_at(form.now);
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
    let root = NodeRef::<leptos::html::Div>::new();

    #[cfg(feature = "hydrate")]
    let (on_change, on_submit) = {
        use super::form::browser;
        browser::follow(state, &FIELDS);
        let read = move || {
            if let Some(f) = root.get_untracked().and_then(|r| browser::form_in(&r)) {
                state.values.set(browser::read(&f, &FIELDS));
            }
        };
        // Sent only when every answer holds; else the problems show and focus goes to them.
        let on_submit = move |e: leptos::ev::SubmitEvent| {
            read();
            state.sent();
            if !state.problems.with_untracked(Vec::is_empty) {
                e.prevent_default();
                e.stop_propagation();
                browser::focus_after_submit("error-summary");
            }
        };
        (move |_: leptos::ev::Event| read(), on_submit)
    };
    #[cfg(not(feature = "hydrate"))]
    let (on_change, on_submit) = (|_: leptos::ev::Event| {}, |_: leptos::ev::SubmitEvent| {});

    Either::Right(view! {
        <ProblemSummary state />
        <div node_ref=root on:input=on_change on:change=on_change on:submit=on_submit>
            {children()}
        </div>
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

/// Archive (sold, scrapped) or remove (added by mistake: asks first). A vehicle that has had a
/// vignette is only archived: the vignette stays valid and checkable by its plate.
#[component]
fn ArchiveOrRemove(vehicle: VehicleView, removable: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="vehicle-actions">
            <form method="post" action=ArchiveVehicle::url()>
                <input type="hidden" name="id" value=vehicle.id.clone() />
                <p class="field__hint">{t!(i18n, vehicles.archive_hint)}</p>
                <Button kind=ButtonKind::Secondary>{t!(i18n, vehicles.archive)}</Button>
            </form>
            {if removable {
                view! { <p><a href=remove_path(&vehicle.id)>{t!(i18n, vehicles.remove)}</a></p> }.into_any()
            } else {
                view! { <p class="field__hint">{t!(i18n, vehicles.kept_for_vignette)}</p> }.into_any()
            }}
        </section>
    }
}

/// `/vehicles/:id/remove`: asks before deleting.
#[component]
pub fn RemovePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let form = Resource::new(move || id.clone(), load_vehicle_form);
    let locale = i18n.get_locale_untracked();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let (vehicle, kept) = match form.await {
                    Ok(VehicleFormData { vehicle: Some(v), has_vignette, .. }) if !v.archived => (v, has_vignette),
                    Ok(_) | Err(AppError::NotFound) => return view! { <NotFound /> }.into_any(),
                    Err(_) => return view! { <ServiceProblem /> }.into_any(),
                };
                // A vehicle that has had a vignette is kept (its vignette stays checkable by
                // its plate): the page says so and archives it.
                let sentence = if kept {
                    td_string!(locale, vehicles.archive_title)
                } else {
                    td_string!(locale, vehicles.remove_title)
                };
                let title = sentence.replace("{plate}", &vehicle.plate);
                let heading = sentence_with_plate(sentence, vehicle.plate.clone());
                let (lead, action, kind, confirm) = if kept {
                    (td_string!(locale, vehicles.archive_lead), ArchiveVehicle::url(), ButtonKind::Secondary, td_string!(locale, vehicles.archive_confirm))
                } else {
                    (td_string!(locale, vehicles.remove_lead), RemoveVehicle::url(), ButtonKind::Warning, td_string!(locale, vehicles.remove_confirm))
                };
                view! {
                    <Title text=title />
                    <BackLink href=vehicle_path(&vehicle.id) />
                    <h1>{heading}</h1>
                    <p>{lead.to_string()}</p>
                    <form method="post" action=action>
                        <input type="hidden" name="id" value=vehicle.id.clone() />
                        <Button kind>{confirm.to_string()}</Button>
                    </form>
                    <p><a href=vehicle_path(&vehicle.id)>{t!(i18n, vehicles.cancel)}</a></p>
                }
                .into_any()
            })}
        </Suspense>
    }
}
