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
    let rows: Vec<(String, String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT code, name_ar, name_en, municipality, opens, closes, counters
         FROM service_centres ORDER BY counters DESC, code",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(code, name_ar, name_en, municipality, opens, closes, counters)| ServiceCentre {
                code,
                name_ar,
                name_en,
                municipality,
                opens,
                closes,
                counters: counters as i32,
            },
        )
        .collect())
}
