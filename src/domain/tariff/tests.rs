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
