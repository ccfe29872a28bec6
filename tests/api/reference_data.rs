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

/// A decimal written with up to three decimals, in thousandths.
fn milli(v: &str) -> i64 {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    let frac = format!("{frac:0<3}");
    whole.parse::<i64>().unwrap() * 1000 + frac.parse::<i64>().unwrap()
}

/// A CSV value as the database column holds it (read back as text), by the column's kind:
/// `s` text, `i` integer, `m` decimal in thousandths, `c` whole amount in minor units (× 100),
/// `b` `true`/`false` as 1/0. An upper-case kind is optional: an empty value is NULL.
fn stored(kind: char, v: &str) -> Option<String> {
    if kind.is_ascii_uppercase() && v.is_empty() {
        return None;
    }
    Some(match kind.to_ascii_lowercase() {
        's' => v.to_string(),
        'i' => v.parse::<i64>().unwrap().to_string(),
        'm' => milli(v).to_string(),
        'c' => (v.parse::<i64>().unwrap() * 100).to_string(),
        'b' => i64::from(v == "true").to_string(),
        other => panic!("no column kind {other}"),
    })
}

/// The rows of `table`'s `columns` (each read as text), as the CSV `file` says they must be
/// (`kinds`: one per column, see [`stored`]). `ordered`: the table's order (its `id` or key)
/// is the file's; else both are sorted (PostgreSQL's collation may order text differently).
struct Shipped {
    file: &'static str,
    table: &'static str,
    columns: &'static [&'static str],
    kinds: &'static str,
    order_by: &'static str,
    ordered: bool,
}

const SHIPPED: &[Shipped] = &[
    Shipped {
        file: "vignette-tariffs-dz.csv",
        table: "vignette_tariffs",
        columns: &[
            "family",
            "basis",
            "band_min_milli",
            "band_max_milli",
            "age_from",
            "age_to",
            "amount_minor",
            "valid_from_year",
            "valid_to_year",
        ],
        kinds: "ssmMiIciI",
        order_by: "id",
        ordered: true,
    },
    Shipped {
        file: "vignette-exemptions-dz.csv",
        table: "vignette_exemptions",
        columns: &[
            "criterion",
            "value",
            "kind",
            "valid_from_year",
            "valid_to_year",
            "reason_en",
        ],
        kinds: "sssiIs",
        order_by: "id",
        ordered: true,
    },
    Shipped {
        file: "vignette-campaigns-dz.csv",
        table: "vignette_campaigns",
        columns: &[
            "year",
            "starts_at",
            "ends_at",
            "extended_from",
            "late_surcharge_pct",
            "enforcement_surcharge_pct",
            "new_vehicle_days",
        ],
        kinds: "issSiii",
        order_by: "year",
        ordered: true,
    },
    Shipped {
        file: "wilayas-dz.csv",
        table: "wilayas",
        columns: &["code", "name_ar", "name_fr", "in_force"],
        kinds: "sssb",
        order_by: "code",
        ordered: true,
    },
    Shipped {
        file: "idcard-fees-qa.csv",
        table: "idcard_fees",
        columns: &["item", "amount_minor"],
        kinds: "sc",
        order_by: "item",
        ordered: false,
    },
    Shipped {
        file: "service-centres-qa.csv",
        table: "service_centres",
        columns: &[
            "code",
            "name_ar",
            "name_en",
            "municipality",
            "opens",
            "closes",
            "counters",
        ],
        kinds: "ssssssi",
        order_by: "code",
        ordered: false,
    },
    Shipped {
        file: "public-holidays.csv",
        table: "public_holidays",
        columns: &["country", "date_or_monthday", "name_en", "name_ar", "lunar"],
        kinds: "ssssb",
        order_by: "country, date_or_monthday",
        ordered: false,
    },
];

on_both_backends!(
    reference_data_matches_the_shipped_csv_files,
    |app: &TestApp| async move {
        use sqlx::Row;
        for shipped in SHIPPED {
            let columns: Vec<String> = shipped
                .columns
                .iter()
                .map(|c| format!("CAST({c} AS TEXT)"))
                .collect();
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                columns.join(", "),
                shipped.table,
                shipped.order_by
            );
            let mut held: Vec<Vec<Option<String>>> = sqlx::query(&sql)
                .fetch_all(app.db.pool())
                .await
                .unwrap()
                .iter()
                .map(|row| (0..columns.len()).map(|i| row.get(i)).collect())
                .collect();
            let mut expected: Vec<Vec<Option<String>>> = csv_rows(shipped.file)
                .iter()
                .map(|r| {
                    shipped
                        .kinds
                        .chars()
                        .zip(r)
                        .map(|(k, v)| stored(k, v))
                        .collect()
                })
                .collect();
            if !shipped.ordered {
                held.sort();
                expected.sort();
            }
            assert_eq!(held, expected, "{}", shipped.file);
        }
        // The fees are in Qatari riyals.
        let currencies: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT currency FROM idcard_fees")
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(currencies, [("QAR".to_string(),)]);
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
