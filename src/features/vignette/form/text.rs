//! The sentences a page hands its island (`FormText`): the keys a form uses, read from the
//! locale files on the server, looked up in the browser.

use super::*;
use crate::domain::money::Money;
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    sync::{Arc, OnceLock},
};

/// A page's sentences for an island, by key (sent as text lines, as `TariffData` is).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct FormText {
    pub lang: String,
    /// Shared: a page's copy is one language's table, made once (`build`).
    pub t: Arc<BTreeMap<String, String>>,
}

impl FormText {
    /// The sentence `key`. A key missing from the page's table is a mistake in the code (the
    /// table is `build`'s list): it fails every debug build, tests included, where it is asked
    /// for; a release shows the key rather than nothing.
    pub fn get(&self, key: &str) -> String {
        match self.t.get(key) {
            Some(text) => text.clone(),
            None => {
                debug_assert!(self.t.is_empty(), "no sentence `{key}` in FormText::build");
                key.to_string()
            }
        }
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

    /// The page's sentences, from the locale files: made once a language, then shared. The
    /// quote and the vignette's page each made all of them on every request (about 0.5 % of a
    /// purchase's CPU in `payments_bench vignette`, issue 23).
    pub fn build(locale: Locale) -> Self {
        static MADE: [OnceLock<FormText>; 3] = [const { OnceLock::new() }; 3];
        let slot = match locale {
            Locale::ar => 0,
            Locale::fr => 1,
            Locale::en => 2,
        };
        MADE[slot].get_or_init(|| Self::make(locale)).clone()
    }

    fn make(locale: Locale) -> Self {
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
            t: Arc::new(t.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
        }
    }
}
