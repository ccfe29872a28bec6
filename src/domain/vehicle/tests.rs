use super::*;
use std::collections::HashMap;

fn basis(c: u8) -> Asked {
    Asked {
        basis: match c {
            1 => Some(TariffBasis::Cv),
            2 | 3 | 5 => Some(TariffBasis::PtcT),
            4 => Some(TariffBasis::Seats),
            _ => None,
        },
        // 6, 8 and 9 are outside the tax, as the shipped exemption rows say.
        fuel: !matches!(c, 6 | 8 | 9),
    }
}

#[test]
fn a_trailer_is_not_asked_its_fuel() {
    let trailer = check(&[("category", "8"), ("first_year", "2015")]).unwrap();
    assert_eq!(trailer.fuel, "");
    let trailer = check(&[("category", "8"), ("fuel", "coal"), ("first_year", "2015")]);
    assert_eq!(
        trailer.unwrap().fuel,
        "",
        "what a hidden field still held is dropped"
    );
    // Category 7 has no tariff rows, but an exemption by fuel could still apply.
    assert_eq!(
        codes(check(&[("category", "7"), ("first_year", "2015")])),
        ["fuel_missing"]
    );
}

fn check(fields: &[(&str, &str)]) -> Result<VehicleFacts, Vec<Problem>> {
    let map: HashMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    facts_from_form(
        |k| map.get(k).cloned().unwrap_or_default(),
        2026,
        basis,
        &["ambulance", "diplomatic"],
    )
}

fn codes(r: Result<VehicleFacts, Vec<Problem>>) -> Vec<&'static str> {
    r.expect_err("refused")
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

#[test]
fn a_car_is_read_with_arabic_digits() {
    let car = check(&[
        ("category", "١"),
        ("fuel", "petrol"),
        ("first_year", "٢٠١٩"),
        ("fiscal_hp", " 7 "),
        ("gross_weight", "ignored: not asked for a car"),
        ("status", "none"),
    ])
    .unwrap();
    assert_eq!(car.plate_category, 1);
    assert_eq!(car.first_registration_year, 2019);
    assert_eq!(car.fiscal_hp, Some(7));
    assert_eq!(
        (car.gross_weight_kg, car.seats, car.status),
        (None, None, None)
    );
}

#[test]
fn weights_are_tonnes_with_a_comma_or_a_point() {
    for (typed, kg) in [
        ("2,5", 2500),
        ("2.5", 2500),
        ("٢٫٥", 2500),
        ("19", 19_000),
        ("0.001", 1),
    ] {
        let van = check(&[
            ("category", "3"),
            ("fuel", "diesel"),
            ("first_year", "2020"),
            ("gross_weight", typed),
        ])
        .unwrap();
        assert_eq!(van.gross_weight_kg, Some(kg), "{typed}");
    }
}

#[test]
fn every_problem_is_named_in_the_order_of_the_form() {
    assert_eq!(
        codes(check(&[])),
        ["category_missing", "fuel_missing", "year_missing"]
    );
    assert_eq!(
        codes(check(&[
            ("category", "0"),
            ("fuel", "coal"),
            ("first_year", "2027"),
            ("status", "king")
        ])),
        [
            "category_unknown",
            "fuel_unknown",
            "year_future",
            "status_unknown"
        ]
    );
    assert_eq!(
        codes(check(&[
            ("category", "1"),
            ("fuel", "lpg"),
            ("first_year", "1899")
        ])),
        ["year_too_old", "hp_missing"]
    );
}

#[test]
fn absurd_or_negative_measures_are_refused() {
    let with = |category: &str, name: &str, value: &str| {
        codes(check(&[
            ("category", category),
            ("fuel", "diesel"),
            ("first_year", "2020"),
            (name, value),
        ]))
    };
    assert_eq!(with("1", "fiscal_hp", "-5"), ["hp_out_of_range"]);
    assert_eq!(with("1", "fiscal_hp", "0"), ["hp_out_of_range"]);
    assert_eq!(with("1", "fiscal_hp", "750"), ["hp_out_of_range"]);
    assert_eq!(with("1", "fiscal_hp", "7.5"), ["hp_not_whole"]);
    assert_eq!(with("3", "gross_weight", "3500"), ["weight_out_of_range"]);
    assert_eq!(with("3", "gross_weight", "0"), ["weight_out_of_range"]);
    assert_eq!(with("3", "gross_weight", "-2"), ["weight_not_number"]);
    assert_eq!(with("3", "gross_weight", "2.5555"), ["weight_not_number"]);
    assert_eq!(with("4", "seats", "0"), ["seats_out_of_range"]);
    assert_eq!(with("4", "seats", "1000"), ["seats_out_of_range"]);
    assert_eq!(with("4", "seats", "many"), ["seats_not_whole"]);
}

#[test]
fn a_category_without_a_tariff_needs_no_measure() {
    let moped = check(&[
        ("category", "9"),
        ("fuel", "petrol"),
        ("first_year", "2024"),
    ])
    .unwrap();
    assert_eq!(
        (moped.fiscal_hp, moped.gross_weight_kg, moped.seats),
        (None, None, None)
    );
}

#[test]
fn the_registration_day_is_optional_but_must_be_real() {
    let base = [
        ("category", "9"),
        ("fuel", "petrol"),
        ("first_year", "2026"),
    ];
    let with = |day: &str, month: &str| {
        let mut f = base.to_vec();
        f.extend([("reg_day", day), ("reg_month", month)]);
        check(&f)
    };
    assert_eq!(with("", "").unwrap().first_registration_date, None);
    assert_eq!(
        with("١٥", "6").unwrap().first_registration_date,
        Some(Date {
            year: 2026,
            month: 6,
            day: 15
        })
    );
    assert_eq!(codes(with("15", "")), ["reg_date_incomplete"]);
    assert_eq!(codes(with("31", "4")), ["reg_date_not_real"]);
}
const WILAYAS: [&str; 3] = ["01", "16", "58"];

#[test]
fn plates_are_read_in_every_usual_form() {
    let expected = Plate {
        serial: "12345".into(),
        category: 1,
        year2: 19,
        wilaya: "16".into(),
    };
    for typed in [
        "12345 119 16",
        "12345-119-16",
        " 12345  119 16 ",
        "1234511916",
        "١٢٣٤٥ ١١٩ ١٦",
    ] {
        assert_eq!(
            Plate::parse(typed, &WILAYAS),
            Ok(expected.clone()),
            "{typed}"
        );
    }
    assert_eq!(expected.to_string(), "12345 119 16");
    assert_eq!(
        Plate::parse("123 205 01", &WILAYAS).unwrap().to_string(),
        "123 205 01"
    );
}

#[test]
fn malformed_plates_say_why() {
    for (typed, code) in [
        ("", "plate_missing"),
        ("12 119 16", "plate_format"),
        ("1234567 119 16", "plate_format"),
        ("12345 19 16", "plate_format"),
        ("12345 019 16", "plate_format"),
        ("12345 119 6", "plate_format"),
        ("AB123 119 16", "plate_format"),
        ("12345 119 99", "plate_wilaya_unknown"),
        ("12345 119 00", "plate_wilaya_unknown"),
    ] {
        assert_eq!(Plate::parse(typed, &WILAYAS), Err(code), "{typed:?}");
    }
}

#[test]
fn vins_follow_the_standard_except_on_old_vehicles() {
    assert_eq!(
        parse_vin(" vf1rfb00x56123456 ", Some(2015)),
        Ok(("VF1RFB00X56123456".into(), false))
    );
    assert_eq!(parse_vin("", Some(2015)), Err("vin_missing"));
    assert_eq!(parse_vin("VF1RFB00X5612345", Some(2015)), Err("vin_length"));
    assert_eq!(
        parse_vin("VF1RFBO0X56123456", Some(2015)),
        Err("vin_letters")
    );
    assert_eq!(
        parse_vin("VF1RFB00X5612345#", Some(2015)),
        Err("vin_characters")
    );
    // Before 1981 anything the maker stamped is accepted, flagged as non-standard.
    assert_eq!(
        parse_vin("R1150123", Some(1978)),
        Ok(("R1150123".into(), true))
    );
    assert_eq!(parse_vin("R1150123", None), Err("vin_length"));
}

fn declare(fields: &[(&str, &str)]) -> Result<Declared, Vec<Problem>> {
    let map: HashMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    vehicle_from_form(
        |k| map.get(k).cloned().unwrap_or_default(),
        2026,
        basis,
        &[],
        &WILAYAS,
    )
}

#[test]
fn the_plate_must_agree_with_the_declared_category_and_year() {
    let car = [
        ("plate", "12345 119 16"),
        ("vin", "VF1RFB00X56123456"),
        ("category", "1"),
        ("fuel", "diesel"),
        ("first_year", "2019"),
        ("fiscal_hp", "6"),
    ];
    let ok = declare(&car).unwrap();
    assert_eq!(
        (ok.plate.to_string(), ok.facts.fiscal_hp),
        ("12345 119 16".into(), Some(6))
    );
    let with = |name: &str, value: &str| {
        let mut f = car.to_vec();
        f.retain(|(k, _)| *k != name);
        f.push((name, value));
        codes(declare(&f).map(|d| d.facts))
    };
    assert_eq!(
        with("category", "3"),
        ["plate_category_mismatch", "weight_missing"]
    );
    assert_eq!(with("first_year", "2018"), ["plate_year_mismatch"]);
    assert_eq!(
        with("first_year", "2030"),
        ["plate_year_mismatch", "year_future"]
    );
    assert_eq!(with("plate", "12345 119 77"), ["plate_wilaya_unknown"]);
    assert_eq!(with("vin", "VF1"), ["vin_length"]);
}
