//! ID card reference data in the database (SQL for both backends).

use crate::{
    domain::{
        money::{Currency, Money},
        reference::{IdCardFee, ServiceCentre},
    },
    platform::db::{Db, DbError},
};

pub async fn fees(db: &Db) -> Result<Vec<IdCardFee>, DbError> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT item, amount_minor, currency FROM idcard_fees ORDER BY amount_minor DESC, item",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(item, amount, currency)| {
            let currency = Currency::parse(&currency).ok_or_else(|| {
                DbError::Sqlx(sqlx::Error::Decode(
                    format!("unknown currency {currency:?}").into(),
                ))
            })?;
            Ok(IdCardFee {
                item,
                amount: Money::new(amount, currency),
            })
        })
        .collect()
}

pub async fn centres(db: &Db) -> Result<Vec<ServiceCentre>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Record {
        code: String,
        name_ar: String,
        name_en: String,
        municipality: String,
        opens: String,
        closes: String,
        counters: i64,
    }
    let rows: Vec<Record> = sqlx::query_as(
        "SELECT code, name_ar, name_en, municipality, opens, closes, counters
         FROM service_centres ORDER BY counters DESC, code",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ServiceCentre {
            code: r.code,
            name_ar: r.name_ar,
            name_en: r.name_en,
            municipality: r.municipality,
            opens: r.opens,
            closes: r.closes,
            counters: r.counters as i32,
        })
        .collect())
}
