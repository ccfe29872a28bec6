//! The form's fields as the server renders them (`Shown`, `fact_fields`): every field with
//! its label, hint and problem, so the form works without JavaScript.

use super::*;
use crate::{
    domain::vehicle::{self, FUELS, field},
    ui::form::described_by,
};
use std::collections::BTreeMap;

/// What the server renders a form with: the answers as they stand and the problems shown (the
/// form was sent; none before).
pub struct Shown<'a> {
    pub text: &'a FormText,
    pub data: &'a TariffData,
    pub values: &'a BTreeMap<String, String>,
    pub problems: &'a [(String, String)],
}

impl Shown<'_> {
    pub fn t(&self, key: &str) -> String {
        self.text.get(key)
    }

    pub fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// The sentence for a field's problem, if it has one.
    pub fn problem(&self, name: &str) -> Option<String> {
        self.problems
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, code)| self.t(&format!("err_{code}")))
    }

    /// A text box for `name`, with its label and hint (`{key}_label`, `{key}_hint`) and its
    /// problem.
    pub fn input(
        &self,
        name: &'static str,
        key: &str,
        width: &'static str,
        inputmode: &'static str,
    ) -> impl IntoView + use<> {
        view! {
            <InputField name label=self.t(&format!("{key}_label")) hint=Some(self.t(&format!("{key}_hint")))
                problem=self.problem(name) value=self.value(name) width inputmode />
        }
    }
}

/// Whether a value sent names an option, read as the rules read it: trimmed, in any digits.
pub fn names(chosen: &str, option: &str) -> bool {
    crate::domain::digits::normalise_digits(chosen.trim()) == option
}

/// For a list whose options do not include `chosen` (a year the data lacks, a category typed in
/// an address): that value as one more option, selected, so that the browser shows and reads
/// what the server judged and refused, instead of silently its first option (issue 19).
pub fn kept_option(chosen: &str, offered: bool) -> Option<impl IntoView + use<>> {
    (!chosen.trim().is_empty() && !offered).then(|| {
        let (value, shown) = (chosen.to_string(), chosen.to_string());
        view! { <option value=value selected=true>{shown}</option> }
    })
}

/// The element that shows a field's problem (a group's is named after the group).
pub fn error_id(name: &str) -> String {
    match name {
        field::FUEL => "fuel-error".to_string(),
        field::REG_DAY => "reg-date-error".to_string(),
        _ => format!("{name}-error"),
    }
}

/// Category, fuel, year and day of first registration, the measured fact, special status: as
/// the server renders them (every field visible: without JavaScript nothing can hide them).
pub fn fact_fields(f: &Shown) -> impl IntoView + use<> {
    let chosen_category = f.value(field::CATEGORY);
    let unknown_category = kept_option(
        &chosen_category,
        vehicle::CATEGORIES
            .clone()
            .any(|c| names(&chosen_category, &c.to_string())),
    );
    let category_options = vehicle::CATEGORIES
        .map(|c| {
            let selected = names(&chosen_category, &c.to_string());
            view! { <option value=c.to_string() selected=selected>{f.t(&format!("category_{c}"))}</option> }
        })
        .collect_view();
    let chosen_fuel = f.value(field::FUEL);
    let fuel_problem = f.problem(field::FUEL);
    let fuels = FUELS
        .iter()
        .enumerate()
        .map(|(i, fuel)| {
            // The first radio carries the field's name as its id: the summary links to it.
            let id = if i == 0 { field::FUEL.to_string() } else { format!("fuel-{fuel}") };
            let checked = names(&chosen_fuel, fuel);
            view! {
                <div class="radios__item">
                    <input class="radios__input" type="radio" id=id.clone() name=field::FUEL value=*fuel checked=checked />
                    <label class="radios__label" for=id>{f.t(&format!("fuel_{fuel}"))}</label>
                </div>
            }
        })
        .collect_view();
    // A fuel the list does not have stays chosen, as one more choice, and refused (as
    // `kept_option` does for lists).
    let unknown_fuel = (!chosen_fuel.trim().is_empty() && !FUELS.iter().any(|fuel| names(&chosen_fuel, fuel)))
        .then(|| {
            let (value, shown) = (chosen_fuel.clone(), chosen_fuel.clone());
            view! {
                <div class="radios__item">
                    <input class="radios__input" type="radio" id="fuel-kept" name=field::FUEL value=value checked=true />
                    <label class="radios__label" for="fuel-kept" dir="auto">{shown}</label>
                </div>
            }
        });
    let chosen_status = f.value(field::STATUS);
    let unknown_status = kept_option(
        &chosen_status,
        names(&chosen_status, "none")
            || f.data
                .statuses()
                .iter()
                .any(|e| names(&chosen_status, &e.value)),
    );
    let status_options = f
        .data
        .statuses()
        .into_iter()
        .map(|e| {
            let selected = names(&chosen_status, &e.value);
            view! { <option value=e.value.clone() selected=selected>{e.reason.get(&f.text.lang).to_string()}</option> }
        })
        .collect_view();
    // Children are closures: what they show is read here, not from `f` inside them.
    let (choose, status_none) = (f.t("choose"), f.t("status_none"));
    let reg_problem = f.problem(field::REG_DAY);
    let reg_invalid = reg_problem.as_ref().map(|_| "true");
    view! {
        <SelectField name=field::CATEGORY label=f.t("category_label") hint=Some(f.t("category_hint")) problem=f.problem(field::CATEGORY)>
            <option value="">{choose}</option>
            {unknown_category}
            {category_options}
        </SelectField>
        <div class="field" class:field--error=fuel_problem.is_some()>
            <fieldset class="fieldset" aria-describedby=fuel_problem.as_ref().map(|_| "fuel-error")>
                <legend class="fieldset__legend"><span class="field__label">{f.t("fuel_label")}</span></legend>
                <p class="field__error" id="fuel-error" hidden=fuel_problem.is_none()>{fuel_problem.clone()}</p>
                <div class="radios">{fuels}{unknown_fuel}</div>
            </fieldset>
        </div>
        {f.input(field::YEAR, "year", "4", "numeric")}
        <div class="field" class:field--error=reg_problem.is_some()>
            <fieldset class="fieldset" role="group" aria-describedby=described_by(true, reg_problem.is_some(), "reg-date")>
                <legend class="fieldset__legend"><span class="field__label">{f.t("reg_date_legend")}</span></legend>
                <p class="field__hint" id="reg-date-hint">{f.t("reg_date_hint")}</p>
                <p class="field__error" id="reg-date-error" hidden=reg_problem.is_none()>{reg_problem.clone()}</p>
                <div class="date-input">
                    <div class="date-input__item">
                        <label class="field__label" for=field::REG_DAY>{f.t("day")}</label>
                        <input class="field__input field__input--2" id=field::REG_DAY name=field::REG_DAY type="text" inputmode="numeric" dir="ltr" value=f.value(field::REG_DAY) aria-invalid=reg_invalid />
                    </div>
                    <div class="date-input__item">
                        <label class="field__label" for=field::REG_MONTH>{f.t("month")}</label>
                        <input class="field__input field__input--2" id=field::REG_MONTH name=field::REG_MONTH type="text" inputmode="numeric" dir="ltr" value=f.value(field::REG_MONTH) aria-invalid=reg_invalid />
                    </div>
                </div>
            </fieldset>
        </div>
        {f.input(field::HP, "hp", "2", "numeric")}
        {f.input(field::WEIGHT, "weight", "4", "decimal")}
        {f.input(field::SEATS, "seats", "3", "numeric")}
        <SelectField name=field::STATUS label=f.t("status_label") hint=Some(f.t("status_hint")) problem=f.problem(field::STATUS)>
            <option value="">{status_none}</option>
            {unknown_status}
            {status_options}
        </SelectField>
    }
}

/// A labelled text box, as the server renders it.
#[component]
pub fn InputField(
    name: &'static str,
    label: String,
    hint: Option<String>,
    problem: Option<String>,
    value: String,
    /// The box's width in characters (`field__input--{width}`).
    width: &'static str,
    /// The keyboard: `numeric`, `decimal` (tonnes) or `text` (plate, VIN).
    inputmode: &'static str,
) -> impl IntoView {
    let described = described_by(hint.is_some(), problem.is_some(), name);
    let invalid = problem.as_ref().map(|_| "true");
    let text = inputmode == "text";
    view! {
        <div class="field" class:field--error=problem.is_some()>
            <label class="field__label" for=name>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=format!("{name}-hint")>{h}</p> })}
            <p class="field__error" id=error_id(name) hidden=problem.is_none()>{problem.clone()}</p>
            <input
                class=format!("field__input field__input--{width}")
                id=name
                name=name
                type="text"
                inputmode=inputmode
                autocapitalize=text.then_some("characters")
                spellcheck=text.then_some("false")
                autocomplete="off"
                dir="ltr"
                value=value
                aria-invalid=invalid
                aria-describedby=described
            />
        </div>
    }
}

/// A labelled drop-down list, as the server renders it.
#[component]
pub fn SelectField(
    name: &'static str,
    label: String,
    hint: Option<String>,
    problem: Option<String>,
    children: Children,
) -> impl IntoView {
    let described = described_by(hint.is_some(), problem.is_some(), name);
    let invalid = problem.as_ref().map(|_| "true");
    view! {
        <div class="field" class:field--error=problem.is_some()>
            <label class="field__label" for=name>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=format!("{name}-hint")>{h}</p> })}
            <p class="field__error" id=error_id(name) hidden=problem.is_none()>{problem.clone()}</p>
            <select class="field__select" id=name name=name aria-invalid=invalid aria-describedby=described>
                {children()}
            </select>
        </div>
    }
}
