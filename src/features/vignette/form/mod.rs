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
        reference::{Campaign, TariffRow},
        tariff::{self, Criterion, Exemption},
    },
    i18n::*,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "hydrate")]
pub mod browser;
pub mod fields;
pub mod state;
pub mod text;
pub mod wire;

pub use fields::*;
pub use state::*;
pub use text::FormText;
pub use wire::{IslandForm, Pairs};

/// The vehicle's facts, in the order the forms ask them.
pub const FACTS: [&str; 9] = [
    crate::domain::vehicle::field::CATEGORY,
    crate::domain::vehicle::field::FUEL,
    crate::domain::vehicle::field::YEAR,
    crate::domain::vehicle::field::REG_DAY,
    crate::domain::vehicle::field::REG_MONTH,
    crate::domain::vehicle::field::HP,
    crate::domain::vehicle::field::WEIGHT,
    crate::domain::vehicle::field::SEATS,
    crate::domain::vehicle::field::STATUS,
];

/// A form's fields: `first` (what it asks before the vehicle's facts), then [`FACTS`]. `M`,
/// the total, is checked when the constant is built.
pub const fn facts_after<const N: usize, const M: usize>(
    first: [&'static str; N],
) -> [&'static str; M] {
    assert!(
        N + FACTS.len() == M,
        "a form's field count is its own fields plus the facts"
    );
    let mut out = [""; M];
    let mut i = 0;
    while i < M {
        out[i] = if i < N { first[i] } else { FACTS[i - N] };
        i += 1;
    }
    out
}

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

/// The reference data, as kept by this process for a minute (`platform::kept`): read on every
/// quote and every "Pay", changed only with a release or by an administrator.
#[cfg(feature = "ssr")]
pub(crate) async fn load_tariff_data(
    state: &crate::platform::state::AppState,
) -> Result<std::sync::Arc<TariffData>, crate::platform::db::DbError> {
    state.kept.get_or_load(|| read_tariff_data(state)).await
}

/// The reference data as the database has it now (for the background jobs, which run seldom).
#[cfg(feature = "ssr")]
pub(crate) async fn read_tariff_data(
    state: &crate::platform::state::AppState,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        money::{Currency, Money},
        reference::{Campaign, Localized, TariffBasis, TariffFamily},
        tariff::ExemptionKind,
    };
    use crate::ui::island_data::IslandData;

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
            ])
            .into(),
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
