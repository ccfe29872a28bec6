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
pub(crate) mod testing {
    use super::*;
    use crate::domain::money::Currency;
    use proptest::prelude::*;

    /// The shipped reference files, read as the migration loads them.
    pub(crate) fn lines(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .skip(1)
            .map(|l| {
                let mut fields = Vec::new();
                let (mut field, mut quoted) = (String::new(), false);
                for c in l.chars() {
                    match c {
                        '"' => quoted = !quoted,
                        ',' if !quoted => fields.push(std::mem::take(&mut field)),
                        c => field.push(c),
                    }
                }
                fields.push(field);
                fields
            })
            .collect()
    }

    pub(crate) fn opt<T: std::str::FromStr>(s: &str) -> Option<T> {
        (!s.is_empty()).then(|| s.parse().ok()).flatten()
    }

    pub(crate) fn milli(s: &str) -> i64 {
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        whole.parse::<i64>().unwrap() * 1000 + format!("{frac:0<3}").parse::<i64>().unwrap()
    }

    pub(crate) fn tariffs() -> Vec<TariffRow> {
        lines(include_str!(
            "../../migrations/reference/vignette-tariffs-dz.csv"
        ))
        .into_iter()
        .map(|f| TariffRow {
            family: TariffFamily::parse(&f[0]).unwrap(),
            basis: TariffBasis::parse(&f[1]).unwrap(),
            band_min_milli: milli(&f[2]),
            band_max_milli: (!f[3].is_empty()).then(|| milli(&f[3])),
            age_from: f[4].parse().unwrap(),
            age_to: opt(&f[5]),
            amount: Money::from_major(f[6].parse().unwrap(), Currency::Dzd),
            valid_from_year: f[7].parse().unwrap(),
            valid_to_year: opt(&f[8]),
        })
        .collect()
    }

    pub(crate) fn exemptions() -> Vec<Exemption> {
        lines(include_str!(
            "../../migrations/reference/vignette-exemptions-dz.csv"
        ))
        .into_iter()
        .map(|f| Exemption {
            criterion: Criterion::parse(&f[0]).unwrap(),
            value: f[1].clone(),
            kind: ExemptionKind::parse(&f[2]).unwrap(),
            valid_from_year: f[3].parse().unwrap(),
            valid_to_year: opt(&f[4]),
            // The last column is free text with an unquoted comma in one row.
            reason: Localized {
                en: f[5..].join(","),
                ..Localized::default()
            },
            legal_basis: Localized::default(),
        })
        .collect()
    }

    pub(crate) fn campaigns() -> Vec<Campaign> {
        lines(include_str!(
            "../../migrations/reference/vignette-campaigns-dz.csv"
        ))
        .into_iter()
        .map(|f| Campaign {
            year: f[0].parse().unwrap(),
            starts_at: f[1].clone(),
            ends_at: f[2].clone(),
            extended_from: opt(&f[3]),
            late_surcharge_pct: f[4].parse().unwrap(),
            enforcement_surcharge_pct: f[5].parse().unwrap(),
            new_vehicle_days: f[6].parse().unwrap(),
        })
        .collect()
    }

    pub(crate) fn any_vehicle() -> impl Strategy<Value = VehicleFacts> {
        (
            1u8..=9,
            prop::sample::select(vec!["petrol", "diesel", "lpg", "cng", "electric", "hybrid"]),
            1960i32..=2026,
            (
                prop::option::weighted(0.95, 1i64..=60),
                prop::option::weighted(0.95, 100i64..=60_000),
                prop::option::weighted(0.95, 1i64..=120),
            ),
            prop::option::weighted(
                0.1,
                prop::sample::select(vec!["ambulance", "diplomatic", "fire_fighting", "unknown"]),
            ),
        )
            .prop_map(
                |(category, fuel, year, (hp, kg, seats), status)| VehicleFacts {
                    plate_category: category,
                    fuel: fuel.into(),
                    first_registration_year: year,
                    first_registration_date: None,
                    fiscal_hp: hp,
                    gross_weight_kg: kg,
                    seats,
                    status: status.map(String::from),
                },
            )
    }

    pub(crate) fn any_moment() -> impl Strategy<Value = (i32, LocalMinute)> {
        (2025i32..=2026, 0i64..(2 * 365 * 1440)).prop_map(|(year, m)| {
            let start = Date {
                year,
                month: 1,
                day: 1,
            }
            .days_since_epoch()
                * 1440;
            (year, LocalMinute(start + m))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use proptest::prelude::*;

    /// A campaign for any year, shaped like the published ones (for rows in force in years
    /// whose campaign file is not shipped).
    fn campaign_for(year: i32) -> Campaign {
        Campaign {
            year,
            starts_at: format!("{year}-03-01T00:00"),
            ends_at: format!("{year}-05-31T16:00"),
            extended_from: None,
            late_surcharge_pct: 50,
            enforcement_surcharge_pct: 100,
            new_vehicle_days: 30,
        }
    }

    fn during(year: i32) -> LocalMinute {
        LocalMinute::parse(&format!("{year}-04-15T10:00")).unwrap()
    }

    fn car(category: u8, first_year: i32) -> VehicleFacts {
        VehicleFacts {
            plate_category: category,
            fuel: "petrol".into(),
            first_registration_year: first_year,
            first_registration_date: None,
            fiscal_hp: Some(5),
            gross_weight_kg: Some(2000),
            seats: Some(5),
            status: None,
        }
    }

    fn due(o: &Outcome) -> &Quote {
        match o {
            Outcome::Due(q) => q,
            other => panic!("expected an amount, got {other:?}"),
        }
    }

    #[test]
    fn every_row_of_the_reference_tariff_is_reproduced() {
        let (rows, exemptions) = (tariffs(), exemptions());
        let category = |f| match f {
            TariffFamily::Tourism => 1,
            TariffFamily::Utility => 2,
            TariffFamily::Passenger => 4,
        };
        let mut checked = 0;
        for row in &rows {
            for year in row.valid_from_year..=row.valid_to_year.unwrap_or(2030) {
                // The band's maximum (a shared bound belongs to the lower band), or just above
                // an open band's minimum; the first and last age of the age band.
                let value = row.band_max_milli.unwrap_or(row.band_min_milli + 1000);
                let last_age = row.age_to.map_or(row.age_from + 20, |to| to - 1);
                for age in [row.age_from, last_age] {
                    let mut v = car(category(row.family), year - age);
                    v.fiscal_hp = Some(value / 1000);
                    v.gross_weight_kg = Some(value);
                    v.seats = Some(value / 1000);
                    let campaigns = [campaign_for(year)];
                    let q = due(&assess(
                        &v,
                        year,
                        during(year),
                        &rows,
                        &exemptions,
                        &campaigns,
                    ))
                    .clone();
                    assert_eq!(q.base, row.amount, "{row:?} in {year} at age {age}");
                    assert_eq!(q.total, row.amount, "no surcharge during the campaign");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 30 * 2, "{checked}");
    }

    #[test]
    fn weights_on_a_shared_bound_belong_to_the_lower_band() {
        let (rows, ex, camp) = (tariffs(), exemptions(), campaigns());
        let weigh = |kg: i64| {
            let mut v = car(2, 2024);
            v.gross_weight_kg = Some(kg);
            due(&assess(&v, 2026, during(2026), &rows, &ex, &camp))
                .base
                .minor
                / 100
        };
        assert_eq!(weigh(2500), 6000, "2.5 t is the first band");
        assert_eq!(weigh(2501), 12_000);
        assert_eq!(weigh(5500), 12_000);
        assert_eq!(weigh(5501), 18_000);
    }

    #[test]
    fn fuel_status_and_category_decide_exemptions_by_year() {
        let (rows, ex, camp) = (tariffs(), exemptions(), campaigns());
        let outcome = |v: &VehicleFacts, year| assess(v, year, during(year), &rows, &ex, &camp);
        let mut lpg = car(1, 2020);
        lpg.fuel = "lpg".into();
        assert!(matches!(
            outcome(&lpg, 2025),
            Outcome::NoVignette {
                kind: ExemptionKind::Exempt,
                ..
            }
        ));
        assert!(
            matches!(outcome(&lpg, 2026), Outcome::Due(_)),
            "LPG taxable from 2026"
        );
        let mut electric = car(1, 2020);
        electric.fuel = "electric".into();
        assert!(matches!(outcome(&electric, 2025), Outcome::Due(_)));
        assert!(matches!(
            outcome(&electric, 2026),
            Outcome::NoVignette { .. }
        ));
        let mut cng = car(1, 2020);
        cng.fuel = "cng".into();
        assert!(matches!(outcome(&cng, 2025), Outcome::NoVignette { .. }));
        let mut ambulance = car(2, 2020);
        ambulance.status = Some("ambulance".into());
        assert!(matches!(
            outcome(&ambulance, 2026),
            Outcome::NoVignette {
                kind: ExemptionKind::Exempt,
                ..
            }
        ));
        for category in [6, 8, 9] {
            let mut v = car(category, 2020);
            v.fuel = "electric".into();
            let o = outcome(&v, 2026);
            assert!(
                matches!(
                    o,
                    Outcome::NoVignette {
                        kind: ExemptionKind::NotSubject,
                        criterion: Criterion::PlateCategory,
                        ..
                    }
                ),
                "not subject wins over exempt: {o:?}"
            );
        }
        assert_eq!(outcome(&car(7, 2020), 2026), Outcome::NoTariff);
        assert_eq!(outcome(&car(1, 2020), 2024), Outcome::NoCampaign);
        assert_eq!(outcome(&car(1, 2027), 2026), Outcome::NotYetRegistered);
        let mut no_hp = car(1, 2020);
        no_hp.fiscal_hp = None;
        assert_eq!(outcome(&no_hp, 2026), Outcome::MissingFact(TariffBasis::Cv));
    }

    #[test]
    fn late_payment_adds_the_surcharge_except_within_the_new_vehicle_delay() {
        let (rows, ex, camp) = (tariffs(), exemptions(), campaigns());
        let at = |t: &str| LocalMinute::parse(t).unwrap();
        let v = car(1, 2020);
        let on_time = due(&assess(&v, 2026, at("2026-05-31T16:00"), &rows, &ex, &camp)).clone();
        assert_eq!(on_time.surcharge, None);
        let late = due(&assess(&v, 2026, at("2026-05-31T16:01"), &rows, &ex, &camp)).clone();
        let s = late.surcharge.clone().expect("late");
        assert_eq!((s.pct, s.amount.minor), (50, on_time.base.minor / 2));
        assert_eq!(late.total.minor, on_time.base.minor * 3 / 2);

        // First registered on 20 June 2026: due by 20 July without surcharge, late after.
        let mut new = car(1, 2026);
        new.first_registration_date = Some(Date {
            year: 2026,
            month: 6,
            day: 20,
        });
        let q = due(&assess(
            &new,
            2026,
            at("2026-07-20T23:59"),
            &rows,
            &ex,
            &camp,
        ))
        .clone();
        assert_eq!(
            q.new_vehicle_due_by,
            Some(Date {
                year: 2026,
                month: 7,
                day: 20
            })
        );
        assert_eq!((q.age, q.surcharge.clone()), (0, None));
        let q = due(&assess(
            &new,
            2026,
            at("2026-07-21T00:00"),
            &rows,
            &ex,
            &camp,
        ))
        .clone();
        assert!(q.surcharge.is_some());
    }

    #[test]
    fn payment_times_are_read_in_algiers_time() {
        // 2026-05-31 15:00 UTC is 16:00 in Algiers: the campaign's last minute.
        let utc = Date {
            year: 2026,
            month: 5,
            day: 31,
        }
        .days_since_epoch()
            * 86_400
            + 15 * 3600;
        assert_eq!(
            LocalMinute::from_unix(utc),
            LocalMinute::parse("2026-05-31T16:00").unwrap()
        );
        assert_eq!(LocalMinute::parse("2026-05-31T24:00"), None);
        assert_eq!(LocalMinute::parse("2026-05-31"), None);
    }

    proptest! {
        #[test]
        fn every_vehicle_gets_one_outcome_and_never_a_negative_amount(
            v in any_vehicle(), (year, at) in any_moment()
        ) {
            let o = assess(&v, year, at, &tariffs(), &exemptions(), &campaigns());
            // A complete vehicle of a taxed family always finds exactly one row.
            if family_of(v.plate_category).is_some()
                && v.fiscal_hp.is_some() && v.gross_weight_kg.is_some() && v.seats.is_some()
                && v.first_registration_year <= year
            {
                prop_assert!(!matches!(o, Outcome::NoTariff | Outcome::MissingFact(_)), "{o:?}");
            }
            if let Outcome::Due(q) = &o {
                prop_assert!(q.base.minor >= 0 && q.total.minor >= q.base.minor);
                prop_assert_eq!(q.total.minor, q.base.minor + q.surcharge.as_ref().map_or(0, |s| s.amount.minor));
            }
        }

        #[test]
        fn a_newer_vehicle_never_pays_less_than_an_older_one(
            v in any_vehicle(), (year, at) in any_moment(), older_by in 1i32..40
        ) {
            let (rows, ex, camp) = (tariffs(), exemptions(), campaigns());
            let mut older = v.clone();
            older.first_registration_year -= older_by;
            let newer = assess(&v, year, at, &rows, &ex, &camp);
            let old = assess(&older, year, at, &rows, &ex, &camp);
            if let (Outcome::Due(n), Outcome::Due(o)) = (&newer, &old) {
                prop_assert!(n.total.minor >= o.total.minor, "{n:?} < {o:?}");
            }
        }
    }
}
