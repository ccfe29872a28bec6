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

type CampaignRecord = (i64, String, String, Option<String>, i64, i64, i64);
type TariffRecord = (
    String,
    String,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
    String,
    i64,
    Option<i64>,
);

pub async fn campaigns(db: &Db) -> Result<Vec<Campaign>, DbError> {
    let rows: Vec<CampaignRecord> = sqlx::query_as(
        "SELECT year, starts_at, ends_at, extended_from, late_surcharge_pct,
                enforcement_surcharge_pct, new_vehicle_days
         FROM vignette_campaigns ORDER BY year",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(year, starts_at, ends_at, extended_from, late, enforcement, new_days)| Campaign {
                year: year as i32,
                starts_at,
                ends_at,
                extended_from,
                late_surcharge_pct: late as i32,
                enforcement_surcharge_pct: enforcement as i32,
                new_vehicle_days: new_days as i32,
            },
        )
        .collect())
}

pub async fn tariffs(db: &Db) -> Result<Vec<TariffRow>, DbError> {
    let rows: Vec<TariffRecord> = sqlx::query_as(
        "SELECT family, basis, band_min_milli, band_max_milli, age_from, age_to,
                amount_minor, currency, valid_from_year, valid_to_year
         FROM vignette_tariffs ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(
            |(family, basis, min, max, age_from, age_to, amount, currency, from, to)| {
                let bad = |what: &str, v: &str| {
                    DbError::Sqlx(sqlx::Error::Decode(format!("unknown {what} {v:?}").into()))
                };
                Ok(TariffRow {
                    family: TariffFamily::parse(&family).ok_or_else(|| bad("family", &family))?,
                    basis: TariffBasis::parse(&basis).ok_or_else(|| bad("basis", &basis))?,
                    band_min_milli: min,
                    band_max_milli: max,
                    age_from: age_from as i32,
                    age_to: age_to.map(|v| v as i32),
                    amount: Money::new(
                        amount,
                        Currency::parse(&currency).ok_or_else(|| bad("currency", &currency))?,
                    ),
                    valid_from_year: from as i32,
                    valid_to_year: to.map(|v| v as i32),
                })
            },
        )
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
