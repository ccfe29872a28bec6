//! The vehicle questions, shared by the fee calculator and the vehicle form: plate category,
//! fuel, year and day of first registration, the fact the category's tariff is measured on,
//! special status. Problems show once the form is sent (then they follow what is typed); with
//! JavaScript, a field the chosen category does not need is hidden.
//!
//! The server renders the whole form (`Shown`, `fact_fields`), with the problems of a refused
//! submission. Each form is the child of an island that only adds behaviour (`FormState`,
//! `browser`): it re-checks the answers as they are typed with the same pure rules, then sets
//! the problems and the visibility on the server's elements. The fields' markup is never
//! hydrated, so none of it is in the browser's WebAssembly; only the error summary is a view.
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
    ui::{form::described_by, island_data::IslandData},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The reference rows the rules read: tariffs, exemptions, campaigns, and the wilaya codes a
/// plate may end with. Handed to the islands as one line-based text (`wire`), which the
/// browser reads with code it has anyway (no JSON library); server functions send the same
/// text as a JSON string.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct TariffData {
    pub tariffs: Vec<TariffRow>,
    pub exemptions: Vec<Exemption>,
    pub campaigns: Vec<Campaign>,
    pub wilayas: Vec<String>,
}

impl TariffData {
    /// What a form asks about a plate category for a campaign year (`tariff::asked`).
    pub fn asked(&self, plate_category: u8, year: i32) -> crate::domain::tariff::Asked {
        crate::domain::tariff::asked(plate_category, year, &self.tariffs, &self.exemptions)
    }

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

/// A page's sentences for an island, by key (sent as text lines, as `TariffData` is).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
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

/// A form's (field, value) pairs for an island (sent as text lines, as `TariffData` is).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Pairs(pub Vec<(String, String)>);

/// What a vehicle form's island is given, through the page (`ui::island_data`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IslandForm {
    pub data: TariffData,
    pub text: FormText,
    /// The answers the form shows, in its order.
    pub values: Pairs,
    /// The server's clock when the page was made (Unix seconds).
    pub now: i64,
    /// Whether the form was sent: its problems show, and the summary lists them.
    pub submitted: bool,
    /// Problems only the server can find (a plate held in another account), and the refused
    /// submission's: shown until the field is changed.
    pub server_problems: Pairs,
}

impl IslandData for IslandForm {
    const ID: &'static str = "form-data";

    fn write(&self) -> Vec<(&'static str, String)> {
        vec![
            ("tariffs", self.data.clone().into()),
            ("text", self.text.clone().into()),
            ("values", self.values.clone().into()),
            ("now", self.now.to_string()),
            ("submitted", self.submitted.to_string()),
            ("problems", self.server_problems.clone().into()),
        ]
    }

    fn read(text: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        Some(Self {
            data: text("tariffs")?.try_into().ok()?,
            text: text("text")?.try_into().ok()?,
            values: text("values")?.try_into().ok()?,
            now: text("now")?.parse().ok()?,
            submitted: text("submitted")? == "true",
            server_problems: text("problems")?.try_into().ok()?,
        })
    }
}

/// The line-based text the islands' data travels in: one record per line, fields separated by
/// tabs, an absent value empty. The texts are single lines (a tab or a line break in one
/// becomes a space). Decoding uses `str::split` and integer parsing, code the browser has
/// anyway.
mod wire {
    use super::{FormText, Pairs, TariffData};
    use crate::domain::{
        money::{Currency, Money},
        reference::{Campaign, Localized, TariffBasis, TariffFamily, TariffRow},
        tariff::{Criterion, Exemption, ExemptionKind},
    };
    use std::str::FromStr;

    pub type Error = &'static str;

    fn push(out: &mut String, fields: &[&str]) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            out.extend(
                f.chars()
                    .map(|c| if c == '\t' || c == '\n' { ' ' } else { c }),
            );
        }
        out.push('\n');
    }

    fn opt<T: ToString>(v: Option<T>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }

    fn num<T: FromStr>(s: &str) -> Result<T, Error> {
        s.parse().map_err(|_| "a number")
    }

    fn opt_num<T: FromStr>(s: &str) -> Result<Option<T>, Error> {
        if s.is_empty() {
            Ok(None)
        } else {
            num(s).map(Some)
        }
    }

    fn opt_text(s: &str) -> Option<String> {
        (!s.is_empty()).then(|| s.to_string())
    }

    impl From<TariffData> for String {
        fn from(d: TariffData) -> String {
            let mut out = String::new();
            for r in &d.tariffs {
                let fields = [
                    r.family.as_str().to_string(),
                    r.basis.as_str().to_string(),
                    r.band_min_milli.to_string(),
                    opt(r.band_max_milli),
                    r.age_from.to_string(),
                    opt(r.age_to),
                    r.amount.minor.to_string(),
                    r.amount.currency.code().to_string(),
                    r.valid_from_year.to_string(),
                    opt(r.valid_to_year),
                ];
                let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
                push(&mut out, &[&["t"], &refs[..]].concat());
            }
            for e in &d.exemptions {
                let (from, to) = (e.valid_from_year.to_string(), opt(e.valid_to_year));
                let (r, l) = (&e.reason, &e.legal_basis);
                push(
                    &mut out,
                    &[
                        "e",
                        e.criterion.as_str(),
                        &e.value,
                        e.kind.as_str(),
                        &from,
                        &to,
                        &r.ar,
                        &r.fr,
                        &r.en,
                        &l.ar,
                        &l.fr,
                        &l.en,
                    ],
                );
            }
            for c in &d.campaigns {
                let ints = [
                    c.year.to_string(),
                    c.late_surcharge_pct.to_string(),
                    c.enforcement_surcharge_pct.to_string(),
                    c.new_vehicle_days.to_string(),
                ];
                let extended = c.extended_from.clone().unwrap_or_default();
                push(
                    &mut out,
                    &[
                        "c",
                        &ints[0],
                        &c.starts_at,
                        &c.ends_at,
                        &extended,
                        &ints[1],
                        &ints[2],
                        &ints[3],
                    ],
                );
            }
            for w in &d.wilayas {
                push(&mut out, &["w", w]);
            }
            out
        }
    }

    impl TryFrom<String> for TariffData {
        type Error = Error;

        fn try_from(text: String) -> Result<Self, Error> {
            let mut d = TariffData::default();
            for line in text.lines() {
                let f: Vec<&str> = line.split('\t').collect();
                match f[..] {
                    [
                        "t",
                        family,
                        basis,
                        min,
                        max,
                        age_from,
                        age_to,
                        minor,
                        currency,
                        from,
                        to,
                    ] => d.tariffs.push(TariffRow {
                        family: TariffFamily::parse(family).ok_or("a tariff family")?,
                        basis: TariffBasis::parse(basis).ok_or("a tariff basis")?,
                        band_min_milli: num(min)?,
                        band_max_milli: opt_num(max)?,
                        age_from: num(age_from)?,
                        age_to: opt_num(age_to)?,
                        amount: Money {
                            minor: num(minor)?,
                            currency: Currency::parse(currency).ok_or("a currency")?,
                        },
                        valid_from_year: num(from)?,
                        valid_to_year: opt_num(to)?,
                    }),
                    [
                        "e",
                        criterion,
                        value,
                        kind,
                        from,
                        to,
                        r_ar,
                        r_fr,
                        r_en,
                        l_ar,
                        l_fr,
                        l_en,
                    ] => {
                        let text = |ar: &str, fr: &str, en: &str| Localized {
                            ar: ar.to_string(),
                            fr: fr.to_string(),
                            en: en.to_string(),
                        };
                        d.exemptions.push(Exemption {
                            criterion: Criterion::parse(criterion).ok_or("a criterion")?,
                            value: value.to_string(),
                            kind: ExemptionKind::parse(kind).ok_or("an exemption kind")?,
                            valid_from_year: num(from)?,
                            valid_to_year: opt_num(to)?,
                            reason: text(r_ar, r_fr, r_en),
                            legal_basis: text(l_ar, l_fr, l_en),
                        })
                    }
                    [
                        "c",
                        year,
                        starts,
                        ends,
                        extended,
                        late,
                        enforcement,
                        new_days,
                    ] => d.campaigns.push(Campaign {
                        year: num(year)?,
                        starts_at: starts.to_string(),
                        ends_at: ends.to_string(),
                        extended_from: opt_text(extended),
                        late_surcharge_pct: num(late)?,
                        enforcement_surcharge_pct: num(enforcement)?,
                        new_vehicle_days: num(new_days)?,
                    }),
                    ["w", code] => d.wilayas.push(code.to_string()),
                    _ => return Err("a reference row"),
                }
            }
            Ok(d)
        }
    }

    /// Lines of `key<TAB>value` (a sentence map, a form's answers), and their encoding.
    fn push_pairs<'a>(out: &mut String, pairs: impl IntoIterator<Item = (&'a String, &'a String)>) {
        for (k, v) in pairs {
            push(out, &[k, v]);
        }
    }

    fn read_pairs<'a>(
        lines: impl Iterator<Item = &'a str>,
    ) -> Result<Vec<(String, String)>, Error> {
        lines
            .map(|line| {
                let (k, v) = line.split_once('\t').ok_or("a key and its value")?;
                Ok((k.to_string(), v.to_string()))
            })
            .collect()
    }

    impl From<FormText> for String {
        fn from(t: FormText) -> String {
            let mut out = String::new();
            push(&mut out, &[&t.lang]);
            push_pairs(&mut out, &t.t);
            out
        }
    }

    impl TryFrom<String> for FormText {
        type Error = Error;

        fn try_from(text: String) -> Result<Self, Error> {
            let mut lines = text.lines();
            let lang = lines.next().unwrap_or_default().to_string();
            Ok(FormText {
                lang,
                t: super::answers(read_pairs(lines)?),
            })
        }
    }

    impl From<Pairs> for String {
        fn from(p: Pairs) -> String {
            let mut out = String::new();
            push_pairs(&mut out, p.0.iter().map(|(k, v)| (k, v)));
            out
        }
    }

    impl TryFrom<String> for Pairs {
        type Error = Error;

        fn try_from(text: String) -> Result<Self, Error> {
            read_pairs(text.lines()).map(Pairs)
        }
    }
}

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

/// The state of a vehicle form's island (all handles: `Copy`).
#[derive(Clone, Copy)]
pub struct FormState {
    pub data: StoredValue<TariffData>,
    pub text: StoredValue<FormText>,
    /// The answers as the browser holds them (as the server received them, before).
    pub values: RwSignal<BTreeMap<String, String>>,
    pub submitted: RwSignal<bool>,
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

    /// What the chosen category's outcome depends on, once a category and a campaign are known.
    fn asked(self) -> Option<tariff::Asked> {
        let category = self
            .values
            .with(|v| v.get(field::CATEGORY).and_then(|c| c.trim().parse().ok()));
        let (c, y) = category.zip(self.year.get())?;
        Some(self.data.with_value(|d| d.asked(c, y)))
    }

    /// Whether the chosen category's tariff is measured on `basis`.
    pub fn needs(self, basis: TariffBasis) -> bool {
        self.asked().is_some_and(|a| a.basis == Some(basis))
    }

    /// Whether the fuel can change the outcome (asked until a category says otherwise).
    pub fn asks_fuel(self) -> bool {
        self.asked().is_none_or(|a| a.fuel)
    }

    /// Whether the first registration is in the campaign's year (then its day is asked).
    pub fn registered_in_campaign_year(self) -> bool {
        let year = self
            .values
            .with(|v| v.get(field::YEAR).map(|y| y.trim().to_string()));
        year.zip(self.year.get())
            .is_some_and(|(y, c)| y == c.to_string())
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

#[cfg(feature = "hydrate")]
pub mod browser {
    use super::{FormState, error_id};
    use crate::domain::{reference::TariffBasis, vehicle::field};
    use leptos::prelude::*;
    use std::collections::BTreeMap;
    use wasm_bindgen::JsCast;
    use web_sys::{Document, Element, FormData, HtmlElement};

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

    /// The form inside an island's element.
    pub fn form_in(root: &Element) -> Option<web_sys::HtmlFormElement> {
        root.query_selector("form").ok().flatten()?.dyn_into().ok()
    }

    /// From now on the server's fields follow the state: each shows its problem once the form
    /// has been sent, and a field the chosen category does not need is hidden.
    pub fn follow(state: FormState, names: &'static [&'static str]) {
        Effect::new(move |_| {
            let submitted = state.submitted.get();
            let doc = document();
            state.problems.with(|problems| {
                for name in names {
                    let message = problems
                        .iter()
                        .find(|(f, _)| f == name)
                        .filter(|_| submitted)
                        .map(|(_, code)| state.t(&format!("err_{code}")));
                    show_problem(&doc, name, message);
                }
            });
            show_field(&doc, field::FUEL, state.asks_fuel());
            show_field(&doc, field::HP, state.needs(TariffBasis::Cv));
            show_field(&doc, field::WEIGHT, state.needs(TariffBasis::PtcT));
            show_field(&doc, field::SEATS, state.needs(TariffBasis::Seats));
            show_field(&doc, field::REG_DAY, state.registered_in_campaign_year());
        });
    }

    /// Sets a field's problem on the server's markup: the message, the field's error style,
    /// and what assistive technology is told (`aria-invalid`, `aria-describedby`).
    fn show_problem(doc: &Document, name: &str, message: Option<String>) {
        let Some(error) = doc.get_element_by_id(&error_id(name)) else {
            return;
        };
        let has = message.is_some();
        if error.text_content() != message {
            error.set_text_content(message.as_deref());
        }
        let _ = error.toggle_attribute_with_force("hidden", !has);
        if let Ok(Some(wrapper)) = error.closest(".field") {
            let _ = wrapper.class_list().toggle_with_force("field--error", has);
        }
        // A group (fuel, day of registration) is described on its fieldset; a box on itself.
        let itself = [name];
        let (described, base, invalid): (Option<Element>, &str, &[&str]) = match name {
            field::FUEL => (error.closest("fieldset").ok().flatten(), "fuel", &[]),
            field::REG_DAY => (
                error.closest("fieldset").ok().flatten(),
                "reg-date",
                &[field::REG_DAY, field::REG_MONTH],
            ),
            _ => (doc.get_element_by_id(name), name, &itself),
        };
        if let Some(el) = described {
            let hint = doc.get_element_by_id(&format!("{base}-hint")).is_some();
            set(
                &el,
                "aria-describedby",
                crate::ui::form::described_by(hint, has, base),
            );
        }
        for id in invalid {
            if let Some(el) = doc.get_element_by_id(id) {
                set(&el, "aria-invalid", has.then(|| "true".to_string()));
            }
        }
    }

    fn set(el: &Element, attribute: &str, value: Option<String>) {
        let _ = match value {
            Some(v) => el.set_attribute(attribute, &v),
            None => el.remove_attribute(attribute),
        };
    }

    /// Shows or hides the field around the element named `name`.
    fn show_field(doc: &Document, name: &str, shown: bool) {
        if let Some(Ok(Some(wrapper))) = doc.get_element_by_id(name).map(|el| el.closest(".field"))
        {
            let _ = wrapper.toggle_attribute_with_force("hidden", !shown);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        money::{Currency, Money},
        reference::{Campaign, Localized, TariffFamily},
        tariff::ExemptionKind,
    };

    fn localized(s: &str) -> Localized {
        Localized {
            ar: format!("{s} بالعربية"),
            fr: format!("{s} en français"),
            en: s.to_string(),
        }
    }

    /// What the islands receive is what the server sent, through the texts in the page.
    fn through_page(v: &IslandForm) -> IslandForm {
        crate::ui::island_data::through_page(v).expect("read back")
    }

    /// Server functions send the same texts as JSON strings.
    fn through_json<T: Serialize + serde::de::DeserializeOwned>(v: &T) -> T {
        serde_json::from_str(&serde_json::to_string(v).unwrap()).unwrap()
    }

    fn form_with(data: TariffData, text: FormText, values: Pairs) -> IslandForm {
        IslandForm {
            data,
            text,
            values,
            now: 1_780_000_000,
            submitted: true,
            server_problems: Pairs(vec![("plate".into(), "plate_held_elsewhere".into())]),
        }
    }

    #[test]
    fn the_reference_rows_reach_the_islands_unchanged() {
        let data = TariffData {
            tariffs: vec![
                TariffRow {
                    family: TariffFamily::Utility,
                    basis: TariffBasis::PtcT,
                    band_min_milli: 0,
                    band_max_milli: Some(2_500),
                    age_from: 0,
                    age_to: Some(3),
                    amount: Money {
                        minor: 1_200_000,
                        currency: Currency::Dzd,
                    },
                    valid_from_year: 2020,
                    valid_to_year: None,
                },
                TariffRow {
                    family: TariffFamily::Passenger,
                    basis: TariffBasis::Seats,
                    band_min_milli: 10_000,
                    band_max_milli: None,
                    age_from: 10,
                    age_to: None,
                    amount: Money {
                        minor: 500_000,
                        currency: Currency::Dzd,
                    },
                    valid_from_year: 2015,
                    valid_to_year: Some(2025),
                },
            ],
            exemptions: vec![Exemption {
                criterion: Criterion::Status,
                value: "ambulance".into(),
                kind: ExemptionKind::Exempt,
                valid_from_year: 2000,
                valid_to_year: None,
                reason: localized("Ambulance"),
                legal_basis: localized("Finance law, art. 1"),
            }],
            campaigns: vec![Campaign {
                year: 2026,
                starts_at: "2026-03-01T00:00".into(),
                ends_at: "2026-05-31T16:00".into(),
                extended_from: Some("2026-04-30T16:00".into()),
                late_surcharge_pct: 50,
                enforcement_surcharge_pct: 100,
                new_vehicle_days: 30,
            }],
            wilayas: vec!["01".into(), "16".into(), "58".into()],
        };
        let form = form_with(data.clone(), FormText::default(), Pairs::default());
        assert_eq!(through_page(&form), form);
        assert_eq!(through_page(&IslandForm::default()), IslandForm::default());
        assert_eq!(through_json(&data), data);
    }

    #[test]
    fn sentences_and_answers_reach_the_islands_as_single_lines() {
        let text = FormText {
            lang: "ar".into(),
            t: answers([
                ("due_heading".to_string(), "المبلغ {amount}".to_string()),
                ("empty".to_string(), String::new()),
                ("two_lines".to_string(), "one\ttwo\nthree".to_string()),
            ]),
        };
        let pairs = Pairs(vec![
            ("plate".into(), "12345-116-16".into()),
            ("first_year".into(), String::new()),
        ]);
        let form = through_page(&form_with(TariffData::default(), text, pairs.clone()));
        assert_eq!(form.values, pairs);
        let back = form.text;
        assert_eq!(back.lang, "ar");
        assert_eq!(back.get("due_heading"), "المبلغ {amount}");
        assert_eq!(back.get("empty"), "");
        assert_eq!(back.get("two_lines"), "one two three");
        assert_eq!(through_json(&pairs), pairs);
    }

    #[test]
    fn damaged_data_is_refused_not_half_read() {
        let good = form_with(TariffData::default(), FormText::default(), Pairs::default());
        let texts = good.write();
        let damaged = |broken: &str, with: &str| {
            IslandForm::read(&|name| match name {
                n if n == broken => (!with.is_empty()).then(|| with.to_string()),
                _ => texts
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| t.clone()),
            })
        };
        assert_eq!(damaged("now", "soon"), None);
        assert_eq!(damaged("tariffs", "t\tcar\tcv\t0"), None);
        assert_eq!(damaged("values", "no tab here"), None);
        assert_eq!(damaged("problems", ""), None, "missing");
        let bad = serde_json::to_string("t\tcar\tcv\t0").unwrap();
        assert!(serde_json::from_str::<TariffData>(&bad).is_err());
        let bad = serde_json::to_string("ar\nno tab here").unwrap();
        assert!(serde_json::from_str::<FormText>(&bad).is_err());
    }
}
