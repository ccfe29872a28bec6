//! The vehicle questions, shared by the fee calculator and the vehicle form (both islands):
//! plate category, fuel, year and day of first registration, the fact the category's tariff
//! is measured on, special status. Problems show once the form is sent (then they follow what
//! is typed); with JavaScript, a field the chosen category does not need is hidden.
//!
//! Islands carry no translations: the page passes its sentences in (`FormText`), with the
//! reference rows the rules read (`TariffData`).

use crate::{
    domain::{
        money::Money,
        reference::{Campaign, TariffBasis, TariffRow},
        tariff::{self, Criterion, Exemption},
        vehicle::{self, FUELS, field},
    },
    i18n::*,
    ui::form::described_by,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The reference rows the rules read: tariffs, exemptions, campaigns, and the wilaya codes a
/// plate may end with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TariffData {
    pub tariffs: Vec<TariffRow>,
    pub exemptions: Vec<Exemption>,
    pub campaigns: Vec<Campaign>,
    pub wilayas: Vec<String>,
}

impl TariffData {
    pub fn latest_year(&self) -> Option<i32> {
        self.campaigns.iter().map(|c| c.year).max()
    }

    /// The special statuses the exemption rows name, in their order.
    pub fn statuses(&self) -> Vec<&Exemption> {
        self.exemptions
            .iter()
            .filter(|e| e.criterion == Criterion::Status)
            .collect()
    }

    pub fn status_values(&self) -> Vec<&str> {
        self.statuses().iter().map(|e| e.value.as_str()).collect()
    }
}

#[cfg(feature = "ssr")]
pub(crate) async fn load_tariff_data(
    state: &crate::platform::server::AppState,
) -> Result<TariffData, crate::platform::db::DbError> {
    use super::store;
    let db = &state.db;
    Ok(TariffData {
        tariffs: store::tariffs(db).await?,
        exemptions: store::exemptions(db).await?,
        campaigns: store::campaigns(db).await?,
        wilayas: store::wilaya_codes(db, state.config.announced_wilayas).await?,
    })
}

/// Answers as a map. Built by inserting, not `collect()`: collecting into a `BTreeMap` sorts,
/// and a slice sort adds 20 KB to the browser's WebAssembly.
pub fn answers(pairs: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// The Algiers calendar year at a Unix time.
pub fn year_at(now_unix: i64) -> i32 {
    let at = tariff::LocalMinute::from_unix(now_unix);
    crate::domain::date::Date::from_days_since_epoch(at.0.div_euclid(1440)).year
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormText {
    pub lang: String,
    pub t: BTreeMap<String, String>,
}

impl FormText {
    pub fn get(&self, key: &str) -> String {
        self.t.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    pub fn fill(&self, key: &str, args: &[(&str, String)]) -> String {
        args.iter().fold(self.get(key), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
    }

    pub fn money(&self, m: Money) -> String {
        m.format(&self.lang)
    }

    pub fn decimal(&self) -> char {
        if self.lang == "en" { '.' } else { ',' }
    }

    /// The page's sentences, from the locale files.
    pub fn build(locale: Locale) -> Self {
        macro_rules! texts {
            ($($key:literal => $($path:ident).+),* $(,)?) => {
                [$(($key, td_string!(locale, $($path).+).to_string())),*]
            };
        }
        let t = texts![
            "summary_title" => common.error_summary_title,
            "day" => common.day,
            "month" => common.month,
            "campaign_label" => calculator.campaign_label,
            "category_label" => calculator.category_label,
            "category_hint" => calculator.category_hint,
            "choose" => calculator.choose,
            "category_1" => calculator.category_1,
            "category_2" => calculator.category_2,
            "category_3" => calculator.category_3,
            "category_4" => calculator.category_4,
            "category_5" => calculator.category_5,
            "category_6" => calculator.category_6,
            "category_7" => calculator.category_7,
            "category_8" => calculator.category_8,
            "category_9" => calculator.category_9,
            "fuel_label" => calculator.fuel_label,
            "fuel_petrol" => calculator.fuel_petrol,
            "fuel_diesel" => calculator.fuel_diesel,
            "fuel_lpg" => calculator.fuel_lpg,
            "fuel_cng" => calculator.fuel_cng,
            "fuel_electric" => calculator.fuel_electric,
            "fuel_hybrid" => calculator.fuel_hybrid,
            "year_label" => calculator.year_label,
            "year_hint" => calculator.year_hint,
            "reg_date_legend" => calculator.reg_date_legend,
            "reg_date_hint" => calculator.reg_date_hint,
            "hp_label" => calculator.hp_label,
            "hp_hint" => calculator.hp_hint,
            "weight_label" => calculator.weight_label,
            "weight_hint" => calculator.weight_hint,
            "seats_label" => calculator.seats_label,
            "seats_hint" => calculator.seats_hint,
            "status_label" => calculator.status_label,
            "status_hint" => calculator.status_hint,
            "status_none" => calculator.status_none,
            "submit" => calculator.submit,
            "result_title" => calculator.result_title,
            "due_heading" => calculator.due_heading,
            "row_family" => calculator.row_family,
            "row_band" => calculator.row_band,
            "row_age" => calculator.row_age,
            "age_value" => calculator.age_value,
            "row_base" => calculator.row_base,
            "row_surcharge" => calculator.row_surcharge,
            "row_total" => calculator.row_total,
            "late_note" => calculator.late_note,
            "open_note" => calculator.open_note,
            "new_vehicle_note" => calculator.new_vehicle_note,
            "exempt_heading" => calculator.exempt_heading,
            "not_subject_heading" => calculator.not_subject_heading,
            "row_reason" => calculator.row_reason,
            "row_legal_basis" => calculator.row_legal_basis,
            "no_vignette_note" => calculator.no_vignette_note,
            "no_campaign" => calculator.no_campaign,
            "not_yet_registered" => calculator.not_yet_registered,
            "no_tariff" => calculator.no_tariff,
            "buy" => calculator.buy,
            "family_tourism" => vignette.family_tourism,
            "family_utility" => vignette.family_utility,
            "family_passenger" => vignette.family_passenger,
            "basis_cv" => vignette.basis_cv,
            "basis_ptc_t" => vignette.basis_ptc_t,
            "basis_seats" => vignette.basis_seats,
            "band_range" => calculator.band_range,
            "band_from" => calculator.band_from,
            "err_category_missing" => calculator.err_category_missing,
            "err_category_unknown" => calculator.err_category_unknown,
            "err_fuel_missing" => calculator.err_fuel_missing,
            "err_fuel_unknown" => calculator.err_fuel_unknown,
            "err_year_missing" => calculator.err_year_missing,
            "err_year_not_number" => calculator.err_year_not_number,
            "err_year_future" => calculator.err_year_future,
            "err_year_too_old" => calculator.err_year_too_old,
            "err_reg_date_incomplete" => calculator.err_reg_date_incomplete,
            "err_reg_date_not_real" => calculator.err_reg_date_not_real,
            "err_hp_missing" => calculator.err_hp_missing,
            "err_hp_not_whole" => calculator.err_hp_not_whole,
            "err_hp_out_of_range" => calculator.err_hp_out_of_range,
            "err_weight_missing" => calculator.err_weight_missing,
            "err_weight_not_number" => calculator.err_weight_not_number,
            "err_weight_out_of_range" => calculator.err_weight_out_of_range,
            "err_seats_missing" => calculator.err_seats_missing,
            "err_seats_not_whole" => calculator.err_seats_not_whole,
            "err_seats_out_of_range" => calculator.err_seats_out_of_range,
            "err_status_unknown" => calculator.err_status_unknown,
            "err_campaign_unknown" => calculator.err_campaign_unknown,
            "plate_label" => vehicles.plate_label,
            "plate_hint" => vehicles.plate_hint,
            "vin_label" => vehicles.vin_label,
            "vin_hint" => vehicles.vin_hint,
            "err_plate_missing" => vehicles.err_plate_missing,
            "err_plate_format" => vehicles.err_plate_format,
            "err_plate_wilaya_unknown" => vehicles.err_plate_wilaya_unknown,
            "err_plate_category_mismatch" => vehicles.err_plate_category_mismatch,
            "err_plate_year_mismatch" => vehicles.err_plate_year_mismatch,
            "err_plate_held_elsewhere" => vehicles.err_plate_held_elsewhere,
            "err_plate_already_yours" => vehicles.err_plate_already_yours,
            "err_plate_twice_in_file" => vehicles.err_plate_twice_in_file,
            "err_vin_missing" => vehicles.err_vin_missing,
            "err_vin_characters" => vehicles.err_vin_characters,
            "err_vin_length" => vehicles.err_vin_length,
            "err_vin_letters" => vehicles.err_vin_letters,
        ];
        Self {
            lang: leptos_i18n::Locale::as_str(locale).to_string(),
            t: t.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }
}

/// The state of a vehicle form in an island (all handles: `Copy`).
#[derive(Clone, Copy)]
pub struct FormState {
    pub data: StoredValue<TariffData>,
    pub text: StoredValue<FormText>,
    /// The answers as the browser holds them (as the server received them, before).
    pub values: RwSignal<BTreeMap<String, String>>,
    pub submitted: RwSignal<bool>,
    /// False on the server and during hydration (the same HTML); then true: fields the chosen
    /// category does not need are hidden. Without JavaScript every field stays visible.
    pub live: RwSignal<bool>,
    /// The campaign year the category's tariff is read for.
    pub year: Signal<Option<i32>>,
    /// Every (field, problem code) of the answers, as they stand.
    pub problems: Signal<Vec<(String, String)>>,
    /// The problems when the form was last sent: the summary lists these and changes only
    /// when the form is sent again (a summary growing or shrinking as fields are left would
    /// move the button from under the user's finger).
    pub summary: RwSignal<Vec<(String, String)>>,
}

impl FormState {
    pub fn new(
        data: StoredValue<TariffData>,
        text: StoredValue<FormText>,
        values: RwSignal<BTreeMap<String, String>>,
        submitted: bool,
        year: Signal<Option<i32>>,
        problems: Signal<Vec<(String, String)>>,
    ) -> Self {
        let live = RwSignal::new(false);
        Effect::new(move |_| live.set(true));
        let summary = if submitted {
            problems.get_untracked()
        } else {
            Vec::new()
        };
        Self {
            data,
            text,
            values,
            submitted: RwSignal::new(submitted),
            live,
            year,
            problems,
            summary: RwSignal::new(summary),
        }
    }

    /// The form was sent: every problem shows, and the summary lists them.
    pub fn sent(self) {
        if !self.submitted.get_untracked() {
            self.submitted.set(true);
        }
        self.summary.set(self.problems.get_untracked());
    }

    pub fn t(self, key: &str) -> String {
        self.text.with_value(|t| t.get(key))
    }

    /// A field's value when the page was made.
    pub fn initial(self, name: &str) -> String {
        self.values
            .with_untracked(|v| v.get(name).cloned().unwrap_or_default())
    }

    /// The sentence for a field's problem, once the form has been sent (from then on it
    /// follows what is typed). Not before: a message appearing when a field is left would move
    /// the button from under the finger about to press it.
    pub fn problem(self, name: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            if !self.submitted.get() {
                return None;
            }
            self.problems.with(|p| {
                p.iter()
                    .find(|(f, _)| f == name)
                    .map(|(_, code)| self.t(&format!("err_{code}")))
            })
        })
    }

    /// Whether the chosen category's tariff is measured on `basis`.
    fn needs(self, basis: TariffBasis) -> bool {
        let category = self
            .values
            .with(|v| v.get(field::CATEGORY).and_then(|c| c.trim().parse().ok()));
        match (category, self.year.get()) {
            (Some(c), Some(y)) => {
                self.data
                    .with_value(|d| tariff::basis_for(c, y, &d.tariffs))
                    == Some(basis)
            }
            _ => false,
        }
    }

    /// Hidden once live unless the category needs `basis`.
    fn hidden_unless(self, basis: TariffBasis) -> Signal<bool> {
        Signal::derive(move || self.live.get() && !self.needs(basis))
    }
}

/// Category, fuel, year and day of first registration, the measured fact, special status.
#[component]
pub fn FactFields(state: FormState) -> impl IntoView {
    let t = move |key: &str| state.t(key);
    let chosen_category = state.initial(field::CATEGORY);
    let category_options = vehicle::CATEGORIES
        .map(|c| {
            let selected = chosen_category == c.to_string();
            view! { <option value=c.to_string() selected=selected>{t(&format!("category_{c}"))}</option> }
        })
        .collect_view();
    let chosen_fuel = state.initial(field::FUEL);
    let fuel_problem = state.problem(field::FUEL);
    let fuels = FUELS
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // The first radio carries the field's name as its id: the summary links to it.
            let id = if i == 0 { field::FUEL.to_string() } else { format!("fuel-{f}") };
            let checked = chosen_fuel == *f;
            view! {
                <div class="radios__item">
                    <input class="radios__input" type="radio" id=id.clone() name=field::FUEL value=*f checked=checked />
                    <label class="radios__label" for=id>{t(&format!("fuel_{f}"))}</label>
                </div>
            }
        })
        .collect_view();
    let chosen_status = state.initial(field::STATUS);
    let status_options = state.data.with_value(|d| {
        let lang = state.text.with_value(|t| t.lang.clone());
        d.statuses()
            .into_iter()
            .map(|e| {
                let selected = chosen_status == e.value;
                view! { <option value=e.value.clone() selected=selected>{e.reason.get(&lang).to_string()}</option> }
            })
            .collect_view()
    });
    let reg_problem = state.problem(field::REG_DAY);
    let registered_in_campaign_year = move || {
        let year = state
            .values
            .with(|v| v.get(field::YEAR).map(|y| y.trim().to_string()));
        year.zip(state.year.get())
            .is_some_and(|(y, c)| y == c.to_string())
    };
    let live = state.live;
    view! {
        <SelectField name=field::CATEGORY label=t("category_label") hint=Some(t("category_hint")) problem=state.problem(field::CATEGORY) hidden=Signal::from(false)>
            <option value="">{t("choose")}</option>
            {category_options}
        </SelectField>
        <div class="field" class:field--error=move || fuel_problem.get().is_some()>
            <fieldset class="fieldset" aria-describedby=move || fuel_problem.get().map(|_| "fuel-error")>
                <legend class="fieldset__legend"><span class="field__label">{t("fuel_label")}</span></legend>
                <p class="field__error" id="fuel-error" hidden=move || fuel_problem.get().is_none()>{move || fuel_problem.get()}</p>
                <div class="radios">{fuels}</div>
            </fieldset>
        </div>
        <InputField name=field::YEAR label=t("year_label") hint=Some(t("year_hint")) problem=state.problem(field::YEAR) value=state.initial(field::YEAR) width="4" hidden=Signal::from(false) />
        <div class="field" class:field--error=move || reg_problem.get().is_some() hidden=move || live.get() && !registered_in_campaign_year()>
            <fieldset class="fieldset" role="group" aria-describedby=move || if reg_problem.get().is_some() { "reg-date-hint reg-date-error" } else { "reg-date-hint" }>
                <legend class="fieldset__legend"><span class="field__label">{t("reg_date_legend")}</span></legend>
                <p class="field__hint" id="reg-date-hint">{t("reg_date_hint")}</p>
                <p class="field__error" id="reg-date-error" hidden=move || reg_problem.get().is_none()>{move || reg_problem.get()}</p>
                <div class="date-input">
                    <div class="date-input__item">
                        <label class="field__label" for=field::REG_DAY>{t("day")}</label>
                        <input class="field__input field__input--2" id=field::REG_DAY name=field::REG_DAY type="text" inputmode="numeric" dir="ltr" value=state.initial(field::REG_DAY) aria-invalid=move || reg_problem.get().map(|_| "true") />
                    </div>
                    <div class="date-input__item">
                        <label class="field__label" for=field::REG_MONTH>{t("month")}</label>
                        <input class="field__input field__input--2" id=field::REG_MONTH name=field::REG_MONTH type="text" inputmode="numeric" dir="ltr" value=state.initial(field::REG_MONTH) aria-invalid=move || reg_problem.get().map(|_| "true") />
                    </div>
                </div>
            </fieldset>
        </div>
        <InputField name=field::HP label=t("hp_label") hint=Some(t("hp_hint")) problem=state.problem(field::HP) value=state.initial(field::HP) width="2"
            hidden=state.hidden_unless(TariffBasis::Cv) />
        <InputField name=field::WEIGHT label=t("weight_label") hint=Some(t("weight_hint")) problem=state.problem(field::WEIGHT) value=state.initial(field::WEIGHT) width="4"
            hidden=state.hidden_unless(TariffBasis::PtcT) inputmode="decimal" />
        <InputField name=field::SEATS label=t("seats_label") hint=Some(t("seats_hint")) problem=state.problem(field::SEATS) value=state.initial(field::SEATS) width="3"
            hidden=state.hidden_unless(TariffBasis::Seats) />
        <SelectField name=field::STATUS label=t("status_label") hint=Some(t("status_hint")) problem=state.problem(field::STATUS) hidden=Signal::from(false)>
            <option value="">{t("status_none")}</option>
            {status_options}
        </SelectField>
    }
}

/// The problems when the form was last sent, above it, each linking to its field.
#[component]
pub fn ProblemSummary(state: FormState) -> impl IntoView {
    let autofocus = state.submitted.get_untracked();
    move || {
        let problems = state.summary.get();
        (!problems.is_empty()).then(|| {
            let items = problems
                .into_iter()
                .map(|(field, code)| {
                    let message = state.t(&format!("err_{code}"));
                    view! { <li><a href=format!("#{field}")>{message}</a></li> }
                })
                .collect_view();
            view! {
                <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus=autofocus id="error-summary">
                    <h2 id="error-summary-title" class="error-summary__title">{state.t("summary_title")}</h2>
                    <ul class="error-summary__list">{items}</ul>
                </div>
            }
        })
    }
}

/// A labelled text box whose problem and visibility follow the answers.
#[component]
pub fn InputField(
    name: &'static str,
    label: String,
    hint: Option<String>,
    problem: Signal<Option<String>>,
    value: String,
    /// The box's width in characters (`field__input--{width}`).
    width: &'static str,
    hidden: Signal<bool>,
    /// The keyboard: `numeric` (the default), `decimal` (tonnes) or `text` (plate, VIN).
    #[prop(default = "numeric")]
    inputmode: &'static str,
) -> impl IntoView {
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let has_hint = hint.is_some();
    let described = move || described_by(has_hint, problem.get().is_some(), name);
    view! {
        <div class="field" class:field--error=move || problem.get().is_some() hidden=move || hidden.get()>
            <label class="field__label" for=name>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id>{h}</p> })}
            <p class="field__error" id=error_id hidden=move || problem.get().is_none()>{move || problem.get()}</p>
            <input
                class=format!("field__input field__input--{width}")
                id=name
                name=name
                type="text"
                inputmode=inputmode
                autocapitalize=(inputmode == "text").then_some("characters")
                spellcheck=(inputmode == "text").then_some("false")
                autocomplete="off"
                dir="ltr"
                value=value
                aria-invalid=move || problem.get().map(|_| "true")
                aria-describedby=described
            />
        </div>
    }
}

/// A labelled drop-down list.
#[component]
pub fn SelectField(
    name: &'static str,
    label: String,
    hint: Option<String>,
    problem: Signal<Option<String>>,
    hidden: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let has_hint = hint.is_some();
    let described = move || described_by(has_hint, problem.get().is_some(), name);
    view! {
        <div class="field" class:field--error=move || problem.get().is_some() hidden=move || hidden.get()>
            <label class="field__label" for=name>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id>{h}</p> })}
            <p class="field__error" id=error_id hidden=move || problem.get().is_none()>{move || problem.get()}</p>
            <select class="field__select" id=name name=name aria-invalid=move || problem.get().map(|_| "true") aria-describedby=described>
                {children()}
            </select>
        </div>
    }
}

#[cfg(feature = "hydrate")]
pub mod browser {
    use super::FormState;
    use leptos::prelude::*;
    use std::collections::BTreeMap;
    use wasm_bindgen::JsCast;
    use web_sys::{FormData, HtmlElement};

    /// The form's answers as the browser holds them (`names`: the fields to read).
    pub fn read(form: &web_sys::HtmlFormElement, names: &[&str]) -> BTreeMap<String, String> {
        let Ok(data) = FormData::new_with_form(form) else {
            return BTreeMap::new();
        };
        super::answers(
            names
                .iter()
                .filter_map(|f| data.get(f).as_string().map(|v| (f.to_string(), v))),
        )
    }

    /// An answer was typed or chosen: the answers are read again (what depends on them, the
    /// fields shown and the calculator's result, follows as the user types).
    pub fn changed(state: FormState, form: &web_sys::HtmlFormElement, names: &[&str]) {
        state.values.set(read(form, names));
    }

    /// After the page follows a submission: focus the summary if there is one, else `fallback`.
    pub fn focus_after_submit(fallback: &'static str) {
        request_animation_frame(move || {
            let doc = document();
            let target = doc
                .get_element_by_id("error-summary")
                .or_else(|| doc.get_element_by_id(fallback));
            if let Some(el) = target.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        });
    }
}
