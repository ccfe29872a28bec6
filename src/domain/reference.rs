//! Reference data as the services read it from the database (loaded there by migrations from the
//! files in `migrations/reference/`). Shared so that the pages can render what the server sends.

use super::money::Money;
use serde::{Deserialize, Serialize};

/// The tariff family a plate category belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TariffFamily {
    Tourism,
    Utility,
    Passenger,
}

impl TariffFamily {
    pub const ALL: [TariffFamily; 3] = [Self::Tourism, Self::Utility, Self::Passenger];

    /// The reference files' spelling (what `parse` reads).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tourism => "tourism",
            Self::Utility => "utility",
            Self::Passenger => "passenger",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "tourism" => Some(Self::Tourism),
            "utility" => Some(Self::Utility),
            "passenger" => Some(Self::Passenger),
            _ => None,
        }
    }
}

/// What a tariff band is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TariffBasis {
    /// Fiscal horsepower.
    Cv,
    /// Gross vehicle weight in tonnes.
    PtcT,
    Seats,
}

impl TariffBasis {
    /// The reference files' spelling (what `parse` reads).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cv => "cv",
            Self::PtcT => "ptc_t",
            Self::Seats => "seats",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cv" => Some(Self::Cv),
            "ptc_t" => Some(Self::PtcT),
            "seats" => Some(Self::Seats),
            _ => None,
        }
    }
}

/// One row of the vignette tariff. Band bounds are stored in thousandths of the basis unit
/// (2.5 t = 2500) so that they stay exact integers; both bounds are inclusive.
/// Age bands are half-open: `age_from <= age < age_to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffRow {
    pub family: TariffFamily,
    pub basis: TariffBasis,
    pub band_min_milli: i64,
    pub band_max_milli: Option<i64>,
    pub age_from: i32,
    pub age_to: Option<i32>,
    pub amount: Money,
    pub valid_from_year: i32,
    pub valid_to_year: Option<i32>,
}

impl TariffRow {
    /// Whether the row is in force for a campaign year.
    pub fn in_force(&self, year: i32) -> bool {
        self.valid_from_year <= year && self.valid_to_year.is_none_or(|to| year <= to)
    }
}

/// A vignette campaign. Times are Africa/Algiers local time, `YYYY-MM-DDTHH:MM`, as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub year: i32,
    pub starts_at: String,
    pub ends_at: String,
    pub extended_from: Option<String>,
    pub late_surcharge_pct: i32,
    pub enforcement_surcharge_pct: i32,
    pub new_vehicle_days: i32,
}

/// A text of the reference data in the portal's three languages (exemption reasons, legal
/// bases): data, not translations in the code, so that a new row brings its own texts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub ar: String,
    pub fr: String,
    pub en: String,
}

impl Localized {
    /// The text for a language code (`ar`, `fr`, `en`); English for any other.
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "ar" => &self.ar,
            "fr" => &self.fr,
            _ => &self.en,
        }
    }

    /// Whether every language has its text.
    pub fn is_complete(&self) -> bool {
        ![&self.ar, &self.fr, &self.en]
            .iter()
            .any(|t| t.trim().is_empty())
    }
}

/// A fee of the resident ID card service (`card_new`, `delivery_by_post`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardFee {
    pub item: String,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCentre {
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    /// In English, as the reference file gives it.
    pub municipality: String,
    pub municipality_ar: String,
    pub opens: String,
    pub closes: String,
    pub counters: i32,
    /// Where it is (nearest first when the browser shares its position); `None` if the data
    /// does not say.
    pub position: Option<crate::domain::geo::Point>,
}

impl ServiceCentre {
    /// The name in Arabic, or else in English (the data has those two).
    pub fn name_in(&self, arabic: bool) -> String {
        if arabic {
            self.name_ar.clone()
        } else {
            self.name_en.clone()
        }
    }

    pub fn municipality_in(&self, arabic: bool) -> String {
        if arabic && !self.municipality_ar.is_empty() {
            self.municipality_ar.clone()
        } else {
            self.municipality.clone()
        }
    }
}

/// A quantity in thousandths as a short decimal: 7000 → `7`, 2500 → `2.5` (or `2,5`).
pub fn format_milli(value: i64, decimal_separator: char) -> String {
    let whole = value / 1000;
    let frac = (value % 1000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        let frac = format!("{frac:03}");
        format!("{whole}{decimal_separator}{}", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn row(from: i32, to: Option<i32>) -> TariffRow {
        TariffRow {
            family: TariffFamily::Tourism,
            basis: TariffBasis::Cv,
            band_min_milli: 10_000,
            band_max_milli: None,
            age_from: 0,
            age_to: Some(3),
            amount: Money::from_major(25_000, Currency::Dzd),
            valid_from_year: from,
            valid_to_year: to,
        }
    }

    #[test]
    fn a_row_is_in_force_between_its_years_inclusive() {
        let r = row(2016, Some(2024));
        assert!(!r.in_force(2015));
        assert!(r.in_force(2016));
        assert!(r.in_force(2024));
        assert!(!r.in_force(2025));
    }

    #[test]
    fn families_and_bases_read_back_what_they_write() {
        for f in TariffFamily::ALL {
            assert_eq!(TariffFamily::parse(f.as_str()), Some(f));
        }
        for b in [TariffBasis::Cv, TariffBasis::PtcT, TariffBasis::Seats] {
            assert_eq!(TariffBasis::parse(b.as_str()), Some(b));
        }
    }

    #[test]
    fn a_row_without_an_end_year_stays_in_force() {
        assert!(row(2025, None).in_force(2040));
    }

    #[test]
    fn thousandths_print_as_short_decimals() {
        assert_eq!(format_milli(7000, '.'), "7");
        assert_eq!(format_milli(2500, '.'), "2.5");
        assert_eq!(format_milli(5500, ','), "5,5");
        assert_eq!(format_milli(0, '.'), "0");
        assert_eq!(format_milli(1250, '.'), "1.25");
    }

    #[test]
    fn unknown_family_or_basis_is_rejected() {
        assert_eq!(TariffFamily::parse("tourism"), Some(TariffFamily::Tourism));
        assert_eq!(TariffFamily::parse("boat"), None);
        assert_eq!(TariffBasis::parse("ptc_t"), Some(TariffBasis::PtcT));
        assert_eq!(TariffBasis::parse("kw"), None);
    }
}
