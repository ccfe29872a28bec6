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
        "../../../migrations/reference/vignette-tariffs-dz.csv"
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
        "../../../migrations/reference/vignette-exemptions-dz.csv"
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
        "../../../migrations/reference/vignette-campaigns-dz.csv"
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
