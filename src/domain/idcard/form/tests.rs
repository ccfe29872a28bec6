use super::*;
use proptest::prelude::*;

fn today() -> Date {
    Date {
        year: 2026,
        month: 12,
        day: 3,
    }
}

fn is_country(code: &str) -> bool {
    ["12", "50", "356", "634"].contains(&code)
}

fn ctx() -> Context<'static> {
    Context {
        today: today(),
        passport_valid_months: 6,
        is_country: &is_country,
    }
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn codes(step: &str, pairs: &[(&str, &str)]) -> Vec<String> {
    validate(step, &answers(pairs), &ctx())
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

fn passport(day: &str, month: &str, year: &str) -> Vec<String> {
    codes(
        "passport",
        &[
            ("passport_number", "N1234567"),
            ("passport_country", "356"),
            ("passport_expiry_day", day),
            ("passport_expiry_month", month),
            ("passport_expiry_year", year),
        ],
    )
}

#[test]
fn a_passport_must_be_valid_six_months_after_today() {
    assert_eq!(
        passport("3", "5", "2027"),
        vec!["passport_expires_too_soon"]
    );
    assert_eq!(
        passport("2", "6", "2027"),
        vec!["passport_expires_too_soon"]
    );
    assert!(passport("3", "6", "2027").is_empty(), "exactly six months");
    assert!(passport("1", "1", "2030").is_empty());
    assert_eq!(passport("2", "12", "2026"), vec!["passport_expired"]);
    assert_eq!(
        passport("31", "2", "2028"),
        vec!["passport_expiry_not_real"]
    );
    assert_eq!(passport("", "", ""), vec!["passport_expiry_missing"]);
    assert_eq!(
        passport("1", "", "2028"),
        vec!["passport_expiry_incomplete"]
    );
    // Arabic-Indic digits are read as digits.
    assert!(passport("١", "١", "٢٠٣٠").is_empty());
}

#[test]
fn the_validity_is_counted_in_calendar_months() {
    let d = |y, m, day| Date {
        year: y,
        month: m,
        day,
    };
    assert_eq!(add_months(d(2026, 8, 31), 6), d(2027, 2, 28));
    assert_eq!(add_months(d(2027, 8, 31), 6), d(2028, 2, 29));
    assert_eq!(add_months(d(2026, 12, 3), 6), d(2027, 6, 3));
    assert_eq!(add_months(d(2026, 12, 3), 0), d(2026, 12, 3));
    assert_eq!(add_months(d(2026, 1, 15), 24), d(2028, 1, 15));
}

#[test]
fn the_address_is_numbers_in_their_ranges_and_the_unit_is_optional() {
    let addr = |zone: &str, street: &str, building: &str, unit: &str| {
        codes(
            "address",
            &[
                ("zone", zone),
                ("street", street),
                ("building", building),
                ("unit", unit),
            ],
        )
    };
    assert!(addr("56", "950", "12", "").is_empty());
    assert!(addr("٥٦", " 950 ", "12", "4").is_empty());
    assert_eq!(addr("5a", "950", "12", ""), vec!["zone_not_number"]);
    assert_eq!(addr("99", "950", "12", ""), vec!["zone_range"]);
    assert_eq!(
        addr("0", "1000", "", "x"),
        vec![
            "zone_range",
            "street_range",
            "building_missing",
            "unit_not_number"
        ]
    );
    assert_eq!(
        addr("-3", "", "99999999", "0"),
        vec![
            "zone_not_number",
            "street_missing",
            "building_not_number",
            "unit_range"
        ]
    );
}

#[test]
fn names_are_in_their_own_script() {
    let names = |ar: &str, latin: &str| codes("names", &[("name_ar", ar), ("name_latin", latin)]);
    assert!(names("أمينة بن علي", "Amina Ben Ali").is_empty());
    assert!(names("عبد\u{200C}الله", "O'Neil-Smith").is_empty());
    assert_eq!(
        names("Amina", "أمينة"),
        vec!["name_ar_script", "name_latin_script"]
    );
    assert_eq!(names("", ""), vec!["name_ar_missing", "name_latin_missing"]);
    assert_eq!(
        names("   ", "- '"),
        vec!["name_ar_missing", "name_latin_script"]
    );
    let long = "ب".repeat(101);
    assert_eq!(names(&long, "Amina"), vec!["name_ar_too_long"]);
}

#[test]
fn an_applicant_is_an_adult_born_in_the_past() {
    let dob = |d: &str, m: &str, y: &str| {
        codes(
            "date-of-birth",
            &[("dob_day", d), ("dob_month", m), ("dob_year", y)],
        )
    };
    assert!(dob("3", "12", "2008").is_empty(), "18 today");
    assert_eq!(dob("4", "12", "2008"), vec!["dob_under_18"]);
    assert_eq!(dob("1", "1", "2027"), vec!["dob_future"]);
    assert_eq!(dob("", "", ""), vec!["dob_missing"]);
}

#[test]
fn choices_are_from_their_lists() {
    assert_eq!(
        codes("nationality", &[("nationality", "999"), ("sex", "x")]),
        vec!["choose_nationality", "choose_sex"]
    );
    assert!(codes("nationality", &[("nationality", "356"), ("sex", "female")]).is_empty());
    assert_eq!(
        codes("delivery", &[("delivery", "drone")]),
        vec!["choose_delivery"]
    );
    assert_eq!(
        codes("request", &[("request_type", "renewal")]),
        vec!["choose_request"]
    );
    assert!(codes("request", &[("request_type", "lost")]).is_empty());
    assert_eq!(codes("nope", &[]), vec!["unknown_page"]);
}

#[test]
fn a_loss_is_declared_in_the_past_and_the_report_number_is_optional() {
    let loss = |d: &str, place: &str, report: &str| {
        codes(
            "loss",
            &[
                ("loss_day", d),
                ("loss_month", "11"),
                ("loss_year", "2026"),
                ("loss_place", place),
                ("police_report", report),
            ],
        )
    };
    assert!(loss("20", "Souq Waqif", "").is_empty());
    assert!(loss("20", "سوق واقف", "2026-DOH-1234").is_empty());
    assert_eq!(
        loss("20", "", "#!"),
        vec!["loss_place_missing", "police_report_format"]
    );
    assert_eq!(
        codes(
            "loss",
            &[
                ("loss_day", "1"),
                ("loss_month", "1"),
                ("loss_year", "2027"),
                ("loss_place", "Doha")
            ]
        ),
        vec!["loss_future"]
    );
}

#[test]
fn the_employer_has_a_name_and_an_establishment_number() {
    let employer = |name: &str, number: &str| {
        codes(
            "employer",
            &[("employer_name", name), ("establishment_number", number)],
        )
    };
    assert!(employer("Qatar Airways", "12-345678").is_empty());
    assert_eq!(
        employer("", "12a45"),
        vec!["employer_name_missing", "establishment_format"]
    );
    assert_eq!(employer("X", "1234"), vec!["establishment_format"]);
    assert_eq!(employer("X", ""), vec!["establishment_missing"]);
}

/// A complete new-card application.
fn complete() -> Answers {
    answers(&[
        ("request_type", "new"),
        ("name_ar", "أمينة بن علي"),
        ("name_latin", "Amina Ben Ali"),
        ("dob_day", "4"),
        ("dob_month", "7"),
        ("dob_year", "1988"),
        ("nationality", "12"),
        ("sex", "female"),
        ("passport_number", "N1234567"),
        ("passport_country", "12"),
        ("passport_expiry_day", "1"),
        ("passport_expiry_month", "1"),
        ("passport_expiry_year", "2030"),
        ("permit_number", "28801234567"),
        ("permit_expiry_day", "1"),
        ("permit_expiry_month", "1"),
        ("permit_expiry_year", "2028"),
        ("zone", "56"),
        ("street", "950"),
        ("building", "12"),
        ("unit", ""),
        ("employer_name", "Qatar Airways"),
        ("establishment_number", "12345678"),
        ("delivery", "post"),
    ])
}

fn status_of(id: &str, a: &Answers) -> Status {
    status(section(id).unwrap(), a)
}

#[test]
fn a_section_is_not_started_in_progress_or_completed_and_delivery_waits_for_the_address() {
    let mut a = answers(&[("request_type", "new")]);
    assert_eq!(status_of("personal", &a), Status::NotStarted);
    assert_eq!(status_of("delivery", &a), Status::CannotStartYet);
    a.insert("name_ar".into(), "أمينة".into());
    a.insert("name_latin".into(), "Amina".into());
    assert_eq!(status_of("personal", &a), Status::InProgress);
    assert_eq!(entry(section("personal").unwrap(), &a), "date-of-birth");
    assert_eq!(after("names", &a), Some("date-of-birth"));
    let full = complete();
    for s in sections(&full) {
        assert_eq!(status(s, &full), Status::Completed, "{}", s.id);
    }
    assert!(form_completed(&full));
    assert_eq!(after("nationality", &full), None, "back to the task list");
    assert_eq!(entry(section("personal").unwrap(), &full), "names");
    // The unit may stay empty, but the field must have been answered.
    let mut no_unit = full.clone();
    no_unit.remove("unit");
    assert_eq!(status_of("address", &no_unit), Status::NotStarted);
    assert_eq!(status_of("delivery", &no_unit), Status::CannotStartYet);
}

#[test]
fn a_lost_card_adds_the_loss_declaration() {
    let mut a = complete();
    assert!(!sections(&a).iter().any(|s| s.id == "loss"));
    a.insert("request_type".into(), "lost".into());
    assert!(sections(&a).iter().any(|s| s.id == "loss"));
    assert!(!form_completed(&a));
    assert_eq!(status_of("loss", &a), Status::NotStarted);
    for (k, v) in [
        ("loss_day", "20"),
        ("loss_month", "11"),
        ("loss_year", "2026"),
        ("loss_place", "Doha"),
        ("police_report", ""),
    ] {
        a.insert(k.into(), v.into());
    }
    assert!(form_completed(&a));
    assert_eq!(first_problem(&a, &ctx()), None);
}

#[test]
fn everything_is_checked_again_at_submission() {
    let a = complete();
    assert_eq!(first_problem(&a, &ctx()), None);
    // Five months later the same passport is too close to its expiry.
    let later = Context {
        today: Date {
            year: 2029,
            month: 9,
            day: 1,
        },
        ..ctx()
    };
    let (step, problems) = first_problem(&a, &later).unwrap();
    assert_eq!(step, "passport");
    assert_eq!(problems[0].1, "passport_expires_too_soon");
}

proptest! {
    /// Whatever is typed, a page's problems are codes the message tables know, on fields of
    /// that page (so every error links to a field that is on the page).
    #[test]
    fn every_problem_is_a_known_code_on_a_field_of_its_page(
        step in prop::sample::select(APPLICATION.steps.iter().map(|s| s.id).collect::<Vec<_>>()),
        values in prop::collection::vec(
            prop_oneof![
                Just(String::new()),
                "[0-9]{1,5}",
                "[٠-٩]{1,3}",
                "[a-zA-Z '-]{0,12}",
                "[ء-ي ]{0,12}",
                ".{0,120}",
            ],
            12,
        ),
    ) {
        let page = APPLICATION.step(step).unwrap();
        let submitted: Answers = page
            .fields
            .iter()
            .zip(values)
            .map(|(f, v)| (f.to_string(), v))
            .collect();
        for (field, code) in validate(step, &submitted, &ctx()) {
            prop_assert!(PROBLEM_CODES.contains(&code.as_str()), "{code}");
            prop_assert!(page.fields.contains(&field.as_str()), "{field} on {step}");
        }
    }
}
