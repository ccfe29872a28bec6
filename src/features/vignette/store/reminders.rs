//! The renewal reminders: which vehicles are due one, and what was sent.

use super::vehicles::{VEHICLE_COLUMNS, VehicleRow};
use super::*;
use crate::platform::db::{Db, DbError};

/// Active vehicles of accounts that want reminders, with no vignette for `year` (by vehicle or
/// plate) and no reminder of `kind` for it yet; added before `added_before` when given. At most
/// `limit`, oldest first. Two `NOT EXISTS`, each one unique index's lookup, rather than one
/// with an `OR` (see `vignette_for_vehicle`).
pub async fn vehicles_to_remind(
    db: &Db,
    year: i32,
    kind: &str,
    added_before: Option<i64>,
    limit: i64,
) -> Result<Vec<VehicleRecord>, DbError> {
    let columns = crate::platform::db::qualified("v", VEHICLE_COLUMNS);
    let rows: Vec<VehicleRow> = sqlx::query_as(&format!(
        "SELECT {columns} FROM vehicles v JOIN accounts a ON a.id = v.account_id
         WHERE v.archived_at IS NULL AND a.vignette_reminders = 1 AND v.created_at < $3
           AND NOT EXISTS (SELECT 1 FROM vignettes g
                           WHERE g.vehicle_id = v.id AND g.campaign_year = $1)
           AND NOT EXISTS (SELECT 1 FROM vignettes g
                           WHERE g.plate = v.plate AND g.campaign_year = $1)
           AND NOT EXISTS (SELECT 1 FROM vignette_reminders r
                           WHERE r.vehicle_id = v.id AND r.campaign_year = $1 AND r.kind = $2)
         ORDER BY v.created_at, v.id LIMIT $4"
    ))
    .bind(i64::from(year))
    .bind(kind)
    .bind(added_before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(VehicleRow::into_record).collect()
}

/// Records that `kind` was handled for the vehicle and campaign; `false` if it already was
/// (another server got there first: send nothing).
pub async fn mark_reminded(
    tx: &mut crate::platform::db::WriteTx,
    vehicle_id: &str,
    year: i32,
    kind: &str,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO vignette_reminders (vehicle_id, campaign_year, kind, sent_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(vehicle_id)
    .bind(i64::from(year))
    .bind(kind)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The language to write to an account in: the one it last paid in (the language it chose when
/// it last used a service), else the one it last received a message in (registration queues the
/// first), else Arabic.
pub async fn language_of(
    tx: &mut crate::platform::db::WriteTx,
    account_id: &str,
) -> Result<String, DbError> {
    for sql in [
        "SELECT language FROM payments WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
        "SELECT language FROM outbox WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    ] {
        let row: Option<(String,)> = sqlx::query_as(sql)
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some((language,)) = row {
            return Ok(language);
        }
    }
    Ok("ar".into())
}
