//! The vignette tariff engine: what a vehicle owes for a campaign, decided from the reference
//! rows alone (tariffs, exemptions, campaigns, as loaded from `migrations/reference/`). No
//! amount, band, year or exemption is written here; the code only says how rows are read:
//!
//! - a vehicle outside the tax (plate category) or exempted (fuel, special status) owes nothing,
//!   with the row's reason; "not subject" is checked before "exempt";
//! - otherwise its family (from the plate category) gives the rows, whose basis says which fact
//!   is measured (fiscal horsepower, gross weight, seats); bands are inclusive at both ends, and
//!   a value on a shared bound (2.5 t) belongs to the lower band, whose maximum it is;
//! - age = campaign year − year of first registration, in half-open age bands;
//! - a payment after the campaign's end adds the late surcharge, except for a vehicle first
//!   registered in the campaign's year and paid within the new-vehicle delay.
//!
//! Shared by the browser (the fee calculator) and the server (the quote that is charged).

use super::{
    date::Date,
    money::Money,
    reference::{Campaign, Localized, TariffBasis, TariffFamily, TariffRow},
};
use serde::{Deserialize, Serialize};

/// An exemption row: who owes no vignette, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    pub criterion: Criterion,
    /// The fuel, the status or the plate category it applies to (`lpg`, `ambulance`, `6`).
    pub value: String,
    pub kind: ExemptionKind,
    pub valid_from_year: i32,
    pub valid_to_year: Option<i32>,
    /// Who it covers, in words (also the label of a special status in forms).
    pub reason: Localized,
    /// The text that grants it.
    pub legal_basis: Localized,
}

impl Exemption {
    pub fn in_force(&self, year: i32) -> bool {
        self.valid_from_year <= year && self.valid_to_year.is_none_or(|to| year <= to)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Criterion {
    Fuel,
    Status,
    PlateCategory,
}

impl Criterion {
    /// The reference files' spelling (what `parse` reads).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fuel => "fuel",
            Self::Status => "status",
            Self::PlateCategory => "plate_category",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fuel" => Some(Self::Fuel),
            "status" => Some(Self::Status),
            "plate_category" => Some(Self::PlateCategory),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExemptionKind {
    /// Subject to the tax, but exempted.
    Exempt,
    /// Outside the tax altogether.
    NotSubject,
}

impl ExemptionKind {
    /// The reference files' spelling (what `parse` reads).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exempt => "exempt",
            Self::NotSubject => "not_subject",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "exempt" => Some(Self::Exempt),
            "not_subject" => Some(Self::NotSubject),
            _ => None,
        }
    }
}

/// What the tariff needs to know about a vehicle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleFacts {
    /// The plate's category digit.
    pub plate_category: u8,
    /// `petrol`, `diesel`, `lpg`, `cng`, `electric`, `hybrid`.
    pub fuel: String,
    pub first_registration_year: i32,
    /// The day of first registration, known for a vehicle registered in the campaign's year
    /// (it starts the new-vehicle delay).
    pub first_registration_date: Option<Date>,
    pub fiscal_hp: Option<i64>,
    /// Gross vehicle weight in kilograms (= thousandths of a tonne, the bands' unit).
    pub gross_weight_kg: Option<i64>,
    pub seats: Option<i64>,
    /// A special status (`ambulance`, `diplomatic`, …), if any.
    pub status: Option<String>,
}

/// A moment in Africa/Algiers local time, in minutes since 1970-01-01T00:00 local: campaigns
/// are published in local time. Algeria keeps UTC+1 all year (no daylight saving since 1981).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalMinute(pub i64);

impl LocalMinute {
    const ALGIERS_OFFSET_MINUTES: i64 = 60;

    pub fn from_unix(secs: i64) -> Self {
        Self(secs.div_euclid(60) + Self::ALGIERS_OFFSET_MINUTES)
    }

    /// `YYYY-MM-DDTHH:MM`, as the campaign file writes times.
    pub fn parse(text: &str) -> Option<Self> {
        let (date, time) = text.split_once('T')?;
        let date = Date::parse_iso(date)?;
        let (h, m) = time.split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        if !(0..24).contains(&h) || !(0..60).contains(&m) {
            return None;
        }
        Some(Self(date.days_since_epoch() * 1440 + h * 60 + m))
    }

    /// The last minute of a day.
    pub fn end_of(date: Date) -> Self {
        Self(date.days_since_epoch() * 1440 + 1439)
    }

    /// The Unix time of the start of this minute.
    pub fn unix(self) -> i64 {
        (self.0 - Self::ALGIERS_OFFSET_MINUTES) * 60
    }

    /// The local day this minute is in.
    pub fn date(self) -> Date {
        Date::from_days_since_epoch(self.0.div_euclid(1440))
    }
}

/// Why a surcharge is added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SurchargeReason {
    /// Paid after the campaign's end.
    Late,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surcharge {
    pub reason: SurchargeReason,
    pub pct: i32,
    pub amount: Money,
}

/// An amount due, with what it was computed from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub year: i32,
    pub family: TariffFamily,
    pub basis: TariffBasis,
    pub band_min_milli: i64,
    pub band_max_milli: Option<i64>,
    pub age: i32,
    pub age_from: i32,
    pub age_to: Option<i32>,
    pub base: Money,
    pub surcharge: Option<Surcharge>,
    pub total: Money,
    /// For a vehicle first registered in the campaign's year: the last day to pay without a
    /// surcharge.
    pub new_vehicle_due_by: Option<Date>,
}

/// The one outcome every vehicle gets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Due(Quote),
    /// Nothing to pay (`Exempt` or `NotSubject`), with the row that says so.
    NoVignette {
        kind: ExemptionKind,
        criterion: Criterion,
        value: String,
        reason: Localized,
        legal_basis: Localized,
    },
    /// No campaign has been published for that year.
    NoCampaign,
    /// The vehicle was first registered after the campaign's year.
    NotYetRegistered,
    /// The fact its family's tariff is measured on was not given.
    MissingFact(TariffBasis),
    /// No tariff row covers the vehicle (a plate category outside the three families, or a
    /// value outside every band): the tax office decides.
    NoTariff,
}

/// The family a plate category pays under. The mapping is the one the tariff file states in its
/// header (tourism 1; utility 2, 3, 5; passenger transport 4); other categories are either
/// listed in the exemptions or have no tariff.
pub fn family_of(plate_category: u8) -> Option<TariffFamily> {
    match plate_category {
        1 => Some(TariffFamily::Tourism),
        2 | 3 | 5 => Some(TariffFamily::Utility),
        4 => Some(TariffFamily::Passenger),
        _ => None,
    }
}

/// The fact a plate category's tariff is measured on for a campaign year (what a form must ask
/// for), or `None` when the category has no tariff rows that year.
pub fn basis_for(plate_category: u8, year: i32, tariffs: &[TariffRow]) -> Option<TariffBasis> {
    let family = family_of(plate_category)?;
    tariffs
        .iter()
        .find(|r| r.family == family && r.in_force(year))
        .map(|r| r.basis)
}

/// What a form must ask about a vehicle of a plate category for a campaign year: only the
/// questions whose answer can change the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asked {
    /// The fact its tariff is measured on (none when the category has no tariff rows).
    pub basis: Option<TariffBasis>,
    /// Its fuel: not for a category outside the tax (a trailer owes nothing whatever it
    /// would burn, and has no fuel at all: issue 19).
    pub fuel: bool,
}

pub fn asked(
    plate_category: u8,
    year: i32,
    tariffs: &[TariffRow],
    exemptions: &[Exemption],
) -> Asked {
    let outside = exemptions.iter().any(|e| {
        e.kind == ExemptionKind::NotSubject
            && e.criterion == Criterion::PlateCategory
            && e.value == plate_category.to_string()
            && e.in_force(year)
    });
    Asked {
        basis: basis_for(plate_category, year, tariffs),
        fuel: !outside,
    }
}

/// The fact a basis measures, in thousandths of its unit.
fn measure(v: &VehicleFacts, basis: TariffBasis) -> Option<i64> {
    match basis {
        TariffBasis::Cv => v.fiscal_hp.map(|x| x * 1000),
        TariffBasis::PtcT => v.gross_weight_kg,
        TariffBasis::Seats => v.seats.map(|x| x * 1000),
    }
}

/// What `v` owes for campaign `year` if paid at `paid_at`.
pub fn assess(
    v: &VehicleFacts,
    year: i32,
    paid_at: LocalMinute,
    tariffs: &[TariffRow],
    exemptions: &[Exemption],
    campaigns: &[Campaign],
) -> Outcome {
    let Some(campaign) = campaigns.iter().find(|c| c.year == year) else {
        return Outcome::NoCampaign;
    };
    let age = year - v.first_registration_year;
    if age < 0 {
        return Outcome::NotYetRegistered;
    }
    if let Some(e) = exemption(v, year, exemptions) {
        return Outcome::NoVignette {
            kind: e.kind,
            criterion: e.criterion,
            value: e.value.clone(),
            reason: e.reason.clone(),
            legal_basis: e.legal_basis.clone(),
        };
    }
    let Some(family) = family_of(v.plate_category) else {
        return Outcome::NoTariff;
    };
    let rows: Vec<&TariffRow> = tariffs
        .iter()
        .filter(|r| r.family == family && r.in_force(year))
        .collect();
    let Some(basis) = rows.first().map(|r| r.basis) else {
        return Outcome::NoTariff;
    };
    let Some(value) = measure(v, basis) else {
        return Outcome::MissingFact(basis);
    };
    // Inclusive bounds: of the bands holding the value, the one with the lowest maximum.
    let Some(row) = rows
        .iter()
        .filter(|r| r.basis == basis)
        .filter(|r| r.band_min_milli <= value && r.band_max_milli.is_none_or(|m| value <= m))
        .filter(|r| r.age_from <= age && r.age_to.is_none_or(|to| age < to))
        .min_by_key(|r| r.band_max_milli.unwrap_or(i64::MAX))
    else {
        return Outcome::NoTariff;
    };
    let new_vehicle_due_by = (v.first_registration_year == year)
        .then_some(v.first_registration_date)
        .flatten()
        .filter(|d| d.year == year)
        .map(|d| {
            Date::from_days_since_epoch(d.days_since_epoch() + i64::from(campaign.new_vehicle_days))
        });
    let late = LocalMinute::parse(&campaign.ends_at).is_some_and(|end| paid_at > end);
    let within_new_vehicle_delay =
        new_vehicle_due_by.is_some_and(|due| paid_at <= LocalMinute::end_of(due));
    let base = row.amount;
    let surcharge = (late && !within_new_vehicle_delay).then(|| Surcharge {
        reason: SurchargeReason::Late,
        pct: campaign.late_surcharge_pct,
        // Amounts are whole dinars and the rates whole percents; any fraction of a centime
        // is dropped, never charged.
        amount: Money::new(
            base.minor * i64::from(campaign.late_surcharge_pct) / 100,
            base.currency,
        ),
    });
    let total = Money::new(
        base.minor + surcharge.as_ref().map_or(0, |s| s.amount.minor),
        base.currency,
    );
    Outcome::Due(Quote {
        year,
        family,
        basis,
        band_min_milli: row.band_min_milli,
        band_max_milli: row.band_max_milli,
        age,
        age_from: row.age_from,
        age_to: row.age_to,
        base,
        surcharge,
        total,
        new_vehicle_due_by,
    })
}

/// The exemption that applies, "not subject" first, then in the rows' order.
fn exemption<'a>(v: &VehicleFacts, year: i32, rows: &'a [Exemption]) -> Option<&'a Exemption> {
    let applies = |e: &&Exemption| {
        e.in_force(year)
            && match e.criterion {
                Criterion::Fuel => e.value == v.fuel,
                Criterion::Status => v.status.as_deref() == Some(e.value.as_str()),
                Criterion::PlateCategory => e.value == v.plate_category.to_string(),
            }
    };
    rows.iter()
        .filter(applies)
        .find(|e| e.kind == ExemptionKind::NotSubject)
        .or_else(|| rows.iter().find(applies))
}

/// The shipped reference rows and the generators of the property tests, for every test that
/// needs them (the calculator's browser-and-server comparison reuses the same vehicles).
#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
