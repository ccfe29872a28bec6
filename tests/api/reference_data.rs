//! The reference data the services read comes from the files shipped in
//! `migrations/reference/`: the database must hold exactly what they say.

use crate::on_both_backends;

/// The data rows of a shipped CSV file. A row with more fields than the header has an unquoted
/// comma in its last (free-text) column: the extra fields belong to that column.
fn csv_rows(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(format!("migrations/reference/{name}")).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let width = reader.headers().unwrap().len();
    reader
        .records()
        .map(|r| {
            let fields: Vec<String> = r.unwrap().iter().map(str::to_string).collect();
            let mut row = fields[..width - 1].to_vec();
            row.push(fields[width - 1..].join(","));
            row
        })
        .collect()
}

fn milli(v: &str) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    let frac = format!("{frac:0<3}");
    Some(whole.parse::<i64>().unwrap() * 1000 + frac.parse::<i64>().unwrap())
}

fn opt(v: &str) -> Option<i64> {
    (!v.is_empty()).then(|| v.parse().unwrap())
}

on_both_backends!(
    reference_data_matches_the_shipped_csv_files,
    |app: &TestApp| async move {
        let pool = app.db.pool();

        type Tariff = (
            String,
            String,
            i64,
            Option<i64>,
            i64,
            Option<i64>,
            i64,
            i64,
            Option<i64>,
        );
        let tariffs: Vec<Tariff> = sqlx::query_as(
        "SELECT family, basis, band_min_milli, band_max_milli, age_from, age_to, amount_minor, valid_from_year, valid_to_year FROM vignette_tariffs ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
        let expected: Vec<Tariff> = csv_rows("vignette-tariffs-dz.csv")
            .iter()
            .map(|r| {
                (
                    r[0].clone(),
                    r[1].clone(),
                    milli(&r[2]).unwrap(),
                    milli(&r[3]),
                    r[4].parse().unwrap(),
                    opt(&r[5]),
                    r[6].parse::<i64>().unwrap() * 100,
                    r[7].parse().unwrap(),
                    opt(&r[8]),
                )
            })
            .collect();
        assert_eq!(tariffs, expected);

        let exemptions: Vec<(String, String, String, i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT criterion, value, kind, valid_from_year, valid_to_year, reason_en FROM vignette_exemptions ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
        let expected: Vec<_> = csv_rows("vignette-exemptions-dz.csv")
            .iter()
            .map(|r| {
                (
                    r[0].clone(),
                    r[1].clone(),
                    r[2].clone(),
                    r[3].parse().unwrap(),
                    opt(&r[4]),
                    r[5].clone(),
                )
            })
            .collect();
        assert_eq!(exemptions, expected);

        let campaigns: Vec<(i64, String, String, Option<String>, i64, i64, i64)> = sqlx::query_as(
        "SELECT year, starts_at, ends_at, extended_from, late_surcharge_pct, enforcement_surcharge_pct, new_vehicle_days FROM vignette_campaigns ORDER BY year",
    )
    .fetch_all(pool)
    .await
    .unwrap();
        let expected: Vec<_> = csv_rows("vignette-campaigns-dz.csv")
            .iter()
            .map(|r| {
                (
                    r[0].parse().unwrap(),
                    r[1].clone(),
                    r[2].clone(),
                    (!r[3].is_empty()).then(|| r[3].to_string()),
                    r[4].parse().unwrap(),
                    r[5].parse().unwrap(),
                    r[6].parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(campaigns, expected);

        let wilayas: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT code, name_ar, name_fr, in_force FROM wilayas ORDER BY code")
                .fetch_all(pool)
                .await
                .unwrap();
        let expected: Vec<_> = csv_rows("wilayas-dz.csv")
            .iter()
            .map(|r| {
                (
                    r[0].clone(),
                    r[1].clone(),
                    r[2].clone(),
                    i64::from(&r[3] == "true"),
                )
            })
            .collect();
        assert_eq!(wilayas, expected);

        let mut fees: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT item, amount_minor, currency FROM idcard_fees ORDER BY item")
                .fetch_all(pool)
                .await
                .unwrap();
        let mut expected: Vec<_> = csv_rows("idcard-fees-qa.csv")
            .iter()
            .map(|r| {
                (
                    r[0].to_string(),
                    r[1].parse::<i64>().unwrap() * 100,
                    "QAR".to_string(),
                )
            })
            .collect();
        expected.sort();
        fees.sort(); // in Rust: PostgreSQL's collation may order underscores differently
        assert_eq!(fees, expected);

        let mut centres: Vec<(String, String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT code, name_ar, name_en, municipality, opens, closes, counters FROM service_centres ORDER BY code",
    )
    .fetch_all(pool)
    .await
    .unwrap();
        let mut expected: Vec<_> = csv_rows("service-centres-qa.csv")
            .iter()
            .map(|r| {
                (
                    r[0].clone(),
                    r[1].clone(),
                    r[2].clone(),
                    r[3].clone(),
                    r[4].clone(),
                    r[5].clone(),
                    r[6].parse().unwrap(),
                )
            })
            .collect();
        expected.sort();
        centres.sort();
        assert_eq!(centres, expected);

        let mut holidays: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT country, date_or_monthday, name_en, name_ar, lunar FROM public_holidays ORDER BY country, date_or_monthday",
    )
    .fetch_all(pool)
    .await
    .unwrap();
        let mut expected: Vec<_> = csv_rows("public-holidays.csv")
            .iter()
            .map(|r| {
                (
                    r[0].clone(),
                    r[1].clone(),
                    r[2].clone(),
                    r[3].clone(),
                    i64::from(&r[4] == "true"),
                )
            })
            .collect();
        expected.sort();
        holidays.sort();
        assert_eq!(holidays, expected);
    }
);

on_both_backends!(
    one_campaign_per_year_is_enforced_by_the_database,
    |app: &TestApp| async move {
        let dup = sqlx::query(
        "INSERT INTO vignette_campaigns (year, starts_at, ends_at, late_surcharge_pct, enforcement_surcharge_pct, new_vehicle_days) VALUES (2026, 'x', 'y', 1, 1, 1)",
    )
    .execute(app.db.pool())
    .await;
        assert!(dup.is_err());
    }
);

on_both_backends!(
    countries_match_their_shipped_file,
    |app: &TestApp| async move {
        let countries: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT iso_numeric, alpha2, name_ar, name_fr, name_en FROM countries ORDER BY iso_numeric",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        let expected: Vec<_> = csv_rows("countries.csv")
            .into_iter()
            .map(|r| {
                (
                    r[0].parse::<i64>().unwrap(),
                    r[1].clone(),
                    r[2].clone(),
                    r[3].clone(),
                    r[4].clone(),
                )
            })
            .collect();
        assert_eq!(countries.len(), 250);
        assert_eq!(countries, expected);
        // The codes a QID carries: Algeria 012, Qatar 634.
        assert!(
            countries
                .iter()
                .any(|c| c.0 == 12 && c.1 == "DZ" && c.2 == "الجزائر")
        );
        assert!(countries.iter().any(|c| c.0 == 634 && c.4 == "Qatar"));
    }
);

on_both_backends!(
    the_tariff_engine_decides_from_the_rows_the_database_holds,
    |app: &TestApp| async move {
        use bawaba::{
            domain::tariff::{self, ExemptionKind, LocalMinute, Outcome, VehicleFacts},
            features::vignette::store,
        };
        let tariffs = store::tariffs(&app.db).await.unwrap();
        let exemptions = store::exemptions(&app.db).await.unwrap();
        let campaigns = store::campaigns(&app.db).await.unwrap();
        assert_eq!(
            exemptions.len(),
            csv_rows("vignette-exemptions-dz.csv").len()
        );
        assert!(exemptions[12].reason.en.contains("(motorcycles, mopeds)"));
        // Every row has its reason and its legal basis in the three languages.
        for e in &exemptions {
            assert!(
                e.reason.is_complete(),
                "{:?} {} lacks a reason",
                e.criterion,
                e.value
            );
            assert!(
                e.legal_basis.is_complete(),
                "{:?} {} lacks a legal basis",
                e.criterion,
                e.value
            );
        }
        assert_eq!(
            exemptions[12].reason.ar,
            "المركبات ذات أقل من أربع عجلات (الدراجات النارية والدراجات الآلية)"
        );
        let van = VehicleFacts {
            plate_category: 3,
            fuel: "diesel".into(),
            first_registration_year: 2023,
            first_registration_date: None,
            fiscal_hp: None,
            gross_weight_kg: Some(2500),
            seats: None,
            status: None,
        };
        let at = |t: &str| LocalMinute::parse(t).unwrap();
        let quote = |v: &VehicleFacts, when: &str| {
            tariff::assess(v, 2026, at(when), &tariffs, &exemptions, &campaigns)
        };
        // 2.5 t, 3 years old, during the 2026 campaign: 6 000 DZD; after its end, +50 %.
        let Outcome::Due(q) = quote(&van, "2026-04-01T09:00") else {
            panic!("a van pays")
        };
        assert_eq!((q.base.minor, q.total.minor), (600_000, 600_000));
        let Outcome::Due(q) = quote(&van, "2026-06-01T09:00") else {
            panic!("a van pays")
        };
        assert_eq!(q.total.minor, 900_000);
        let moped = VehicleFacts {
            plate_category: 9,
            ..van.clone()
        };
        assert!(matches!(
            quote(&moped, "2026-04-01T09:00"),
            Outcome::NoVignette {
                kind: ExemptionKind::NotSubject,
                ..
            }
        ));
    }
);
