//! Vignette data in the database (SQL for both backends): the reference data (campaigns,
//! tariffs, exemptions) here, one file per group of tables, all reached as `store::…`.

use crate::{
    domain::{
        money::{Currency, Money},
        reference::{Campaign, Localized, TariffBasis, TariffFamily, TariffRow},
        tariff::{Criterion, Exemption, ExemptionKind},
    },
    platform::db::{Db, DbError},
};

mod reminders;
mod vehicles;
mod vignettes;

pub use reminders::*;
pub use vehicles::*;
pub use vignettes::*;

pub async fn campaigns(db: &Db) -> Result<Vec<Campaign>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Record {
        year: i64,
        starts_at: String,
        ends_at: String,
        extended_from: Option<String>,
        late_surcharge_pct: i64,
        enforcement_surcharge_pct: i64,
        new_vehicle_days: i64,
    }
    let rows: Vec<Record> = sqlx::query_as(
        "SELECT year, starts_at, ends_at, extended_from, late_surcharge_pct,
                enforcement_surcharge_pct, new_vehicle_days
         FROM vignette_campaigns ORDER BY year",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Campaign {
            year: r.year as i32,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            extended_from: r.extended_from,
            late_surcharge_pct: r.late_surcharge_pct as i32,
            enforcement_surcharge_pct: r.enforcement_surcharge_pct as i32,
            new_vehicle_days: r.new_vehicle_days as i32,
        })
        .collect())
}

pub async fn tariffs(db: &Db) -> Result<Vec<TariffRow>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Record {
        family: String,
        basis: String,
        band_min_milli: i64,
        band_max_milli: Option<i64>,
        age_from: i64,
        age_to: Option<i64>,
        amount_minor: i64,
        currency: String,
        valid_from_year: i64,
        valid_to_year: Option<i64>,
    }
    let rows: Vec<Record> = sqlx::query_as(
        "SELECT family, basis, band_min_milli, band_max_milli, age_from, age_to,
                amount_minor, currency, valid_from_year, valid_to_year
         FROM vignette_tariffs ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    let bad = |what: &str, v: &str| {
        DbError::Sqlx(sqlx::Error::Decode(format!("unknown {what} {v:?}").into()))
    };
    rows.into_iter()
        .map(|r| {
            Ok(TariffRow {
                family: TariffFamily::parse(&r.family).ok_or_else(|| bad("family", &r.family))?,
                basis: TariffBasis::parse(&r.basis).ok_or_else(|| bad("basis", &r.basis))?,
                band_min_milli: r.band_min_milli,
                band_max_milli: r.band_max_milli,
                age_from: r.age_from as i32,
                age_to: r.age_to.map(|v| v as i32),
                amount: Money::new(
                    r.amount_minor,
                    Currency::parse(&r.currency).ok_or_else(|| bad("currency", &r.currency))?,
                ),
                valid_from_year: r.valid_from_year as i32,
                valid_to_year: r.valid_to_year.map(|v| v as i32),
            })
        })
        .collect()
}

/// Who owes no vignette, in the file's order, with the reasons and legal bases in the three
/// languages.
pub async fn exemptions(db: &Db) -> Result<Vec<Exemption>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Record {
        criterion: String,
        value: String,
        kind: String,
        valid_from_year: i64,
        valid_to_year: Option<i64>,
        reason_ar: String,
        reason_fr: String,
        reason_en: String,
        basis_ar: String,
        basis_fr: String,
        basis_en: String,
    }
    let rows: Vec<Record> = sqlx::query_as(
        "SELECT criterion, value, kind, valid_from_year, valid_to_year,
                reason_ar, reason_fr, reason_en, basis_ar, basis_fr, basis_en
         FROM vignette_exemptions ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let bad = |what: &str, v: &str| {
                DbError::Sqlx(sqlx::Error::Decode(format!("unknown {what} {v:?}").into()))
            };
            Ok(Exemption {
                criterion: Criterion::parse(&r.criterion)
                    .ok_or_else(|| bad("criterion", &r.criterion))?,
                kind: ExemptionKind::parse(&r.kind).ok_or_else(|| bad("kind", &r.kind))?,
                value: r.value,
                valid_from_year: r.valid_from_year as i32,
                valid_to_year: r.valid_to_year.map(|v| v as i32),
                reason: Localized {
                    ar: r.reason_ar,
                    fr: r.reason_fr,
                    en: r.reason_en,
                },
                legal_basis: Localized {
                    ar: r.basis_ar,
                    fr: r.basis_fr,
                    en: r.basis_en,
                },
            })
        })
        .collect()
}

/// The most recent campaign and the tariff rows in force for its year.
pub async fn fees_for_latest_campaign(db: &Db) -> Result<super::VignetteFees, DbError> {
    let campaign = campaigns(db).await?.into_iter().last();
    let year = campaign.as_ref().map(|c| c.year);
    let tariffs = tariffs(db)
        .await?
        .into_iter()
        .filter(|r| year.is_some_and(|y| r.in_force(y)))
        .collect();
    Ok(super::VignetteFees { campaign, tariffs })
}
