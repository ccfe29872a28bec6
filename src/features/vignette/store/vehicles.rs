//! A holder's vehicles: the wilaya codes a plate may end with, adding, changing, archiving
//! and removing, plate conflicts for staff, transfers, and the spreadsheet import.

use crate::{
    domain::{
        date::Date,
        tariff::VehicleFacts,
        vehicle::{Declared, Plate},
    },
    platform::db::{Db, DbError, OnUnique},
};

/// The wilaya codes a plate may end with: those in force, plus the announced ones when the
/// setting allows them.
pub async fn wilaya_codes(db: &Db, with_announced: bool) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT code FROM wilayas WHERE in_force = 1 OR $1 = 1 ORDER BY code")
            .bind(i64::from(with_announced))
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// A vehicle row as its owner's pages read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VehicleRecord {
    pub id: String,
    pub account_id: String,
    pub declared: Declared,
    pub archived_at: Option<i64>,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct VehicleRow {
    id: String,
    account_id: String,
    plate: String,
    vin: String,
    vin_non_standard: i64,
    category: i64,
    fuel: String,
    first_year: i64,
    first_registered_on: Option<String>,
    fiscal_hp: Option<i64>,
    gross_weight_kg: Option<i64>,
    seats: Option<i64>,
    status: Option<String>,
    archived_at: Option<i64>,
    created_at: i64,
}

pub(super) const VEHICLE_COLUMNS: &str = "id, account_id, plate, vin, vin_non_standard, category, fuel, \
    first_year, first_registered_on, fiscal_hp, gross_weight_kg, seats, status, archived_at, \
    created_at";

impl VehicleRow {
    pub(super) fn into_record(self) -> Result<VehicleRecord, DbError> {
        let bad = |what: &str, v: &str| {
            DbError::Sqlx(sqlx::Error::Decode(format!("bad {what} {v:?}").into()))
        };
        // Stored plates were checked against the wilayas of their day.
        let plate = Plate::parse_shape(&self.plate).map_err(|_| bad("plate", &self.plate))?;
        Ok(VehicleRecord {
            id: self.id,
            account_id: self.account_id,
            declared: Declared {
                plate,
                vin: self.vin,
                vin_non_standard: self.vin_non_standard == 1,
                facts: VehicleFacts {
                    plate_category: self.category as u8,
                    fuel: self.fuel,
                    first_registration_year: self.first_year as i32,
                    first_registration_date: self
                        .first_registered_on
                        .as_deref()
                        .and_then(Date::parse_iso),
                    fiscal_hp: self.fiscal_hp,
                    gross_weight_kg: self.gross_weight_kg,
                    seats: self.seats,
                    status: self.status,
                },
            },
            archived_at: self.archived_at,
            created_at: self.created_at,
        })
    }
}

/// An account's vehicles: active ones first, then archived, newest first within each.
pub async fn vehicles_of(db: &Db, account: &str) -> Result<Vec<VehicleRecord>, DbError> {
    let rows: Vec<VehicleRow> = sqlx::query_as(&format!(
        "SELECT {VEHICLE_COLUMNS} FROM vehicles WHERE account_id = $1
         ORDER BY CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id"
    ))
    .bind(account)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(VehicleRow::into_record).collect()
}

/// One vehicle, if `account` owns it (anyone else's is "not found").
pub async fn vehicle(db: &Db, account: &str, id: &str) -> Result<Option<VehicleRecord>, DbError> {
    let row: Option<VehicleRow> = sqlx::query_as(&format!(
        "SELECT {VEHICLE_COLUMNS} FROM vehicles WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(account)
    .fetch_optional(db.pool())
    .await?;
    row.map(VehicleRow::into_record).transpose()
}

/// Why a vehicle could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The plate is active in another account (the conflict is recorded for administrators).
    #[error("the plate is active in another account")]
    PlateHeldElsewhere,
    /// The plate is already one of this account's active vehicles.
    #[error("the plate is already in this account")]
    PlateAlreadyYours,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for SaveError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e.into())
    }
}

fn bind_declared<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    d: &'q Declared,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let f = &d.facts;
    q.bind(d.plate.to_string())
        .bind(d.vin.as_str())
        .bind(i64::from(d.vin_non_standard))
        .bind(i64::from(f.plate_category))
        .bind(f.fuel.as_str())
        .bind(i64::from(f.first_registration_year))
        .bind(f.first_registration_date.map(Date::iso))
        .bind(f.fiscal_hp)
        .bind(f.gross_weight_kg)
        .bind(f.seats)
        .bind(f.status.as_deref())
}

/// Adds a vehicle to `account`, or says who holds its plate. The unique index decides a race;
/// the refusal is recorded (once per claimant, holder and plate while open) for administrators.
pub async fn add_vehicle(
    db: &Db,
    account: &str,
    declared: &Declared,
    now: i64,
) -> Result<String, SaveError> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.begin_write().await?;
    let inserted = insert_vehicle(&mut tx, &id, account, declared, now).await;
    match inserted.on_unique()? {
        Some(_) => {
            tx.commit().await?;
            Ok(id)
        }
        None => {
            tx.rollback().await?;
            Err(refuse_plate(db, account, &declared.plate.to_string(), now).await?)
        }
    }
}

async fn insert_vehicle(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    account: &str,
    declared: &Declared,
    now: i64,
) -> Result<(), sqlx::Error> {
    bind_declared(
        sqlx::query(
            "INSERT INTO vehicles (plate, vin, vin_non_standard, category, fuel, first_year,
                first_registered_on, fiscal_hp, gross_weight_kg, seats, status,
                id, account_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        ),
        declared,
    )
    .bind(id)
    .bind(account)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Changes an active vehicle's answers (the owner's own, not archived).
pub async fn update_vehicle(
    db: &Db,
    account: &str,
    id: &str,
    declared: &Declared,
    now: i64,
) -> Result<bool, SaveError> {
    let mut tx = db.begin_write().await?;
    let updated = bind_declared(
        sqlx::query(
            "UPDATE vehicles SET plate = $1, vin = $2, vin_non_standard = $3, category = $4,
                fuel = $5, first_year = $6, first_registered_on = $7, fiscal_hp = $8,
                gross_weight_kg = $9, seats = $10, status = $11, updated_at = $12
             WHERE id = $13 AND account_id = $14 AND archived_at IS NULL",
        ),
        declared,
    )
    .bind(now)
    .bind(id)
    .bind(account)
    .execute(&mut *tx)
    .await;
    match updated.on_unique()? {
        Some(r) => {
            tx.commit().await?;
            Ok(r.rows_affected() == 1)
        }
        None => {
            tx.rollback().await?;
            Err(refuse_plate(db, account, &declared.plate.to_string(), now).await?)
        }
    }
}

/// Who holds the plate: this account, or another one (then the conflict is recorded).
async fn refuse_plate(db: &Db, account: &str, plate: &str, now: i64) -> Result<SaveError, DbError> {
    let holder: Option<(String,)> =
        sqlx::query_as("SELECT account_id FROM vehicles WHERE plate = $1 AND archived_at IS NULL")
            .bind(plate)
            .fetch_optional(db.pool())
            .await?;
    let Some((holder,)) = holder else {
        // Freed in the meantime: the owner can simply try again.
        return Ok(SaveError::PlateHeldElsewhere);
    };
    if holder == account {
        return Ok(SaveError::PlateAlreadyYours);
    }
    record_conflict(db, plate, account, &holder, "refused", None, now).await?;
    Ok(SaveError::PlateHeldElsewhere)
}

/// Records a conflict unless the same one is already open.
pub async fn record_conflict(
    db: &Db,
    plate: &str,
    claimed_by: &str,
    held_by: &str,
    kind: &str,
    note: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let (open,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM plate_conflicts
         WHERE plate = $1 AND claimed_by = $2 AND held_by = $3 AND kind = $4
           AND resolved_at IS NULL",
    )
    .bind(plate)
    .bind(claimed_by)
    .bind(held_by)
    .bind(kind)
    .fetch_one(&mut *tx)
    .await?;
    if open == 0 {
        sqlx::query(
            "INSERT INTO plate_conflicts (id, plate, claimed_by, held_by, kind, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(plate)
        .bind(claimed_by)
        .bind(held_by)
        .bind(kind)
        .bind(note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Archives one of the account's active vehicles (its plate is freed, the row kept).
pub async fn archive_vehicle(db: &Db, account: &str, id: &str, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE vehicles SET archived_at = $1, updated_at = $1
         WHERE id = $2 AND account_id = $3 AND archived_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(account)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an active vehicle that never had a vignette (`false` otherwise: a vignette keeps
/// its vehicle row, which can only be archived).
pub async fn remove_vehicle(db: &Db, account: &str, id: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "DELETE FROM vehicles WHERE id = $1 AND account_id = $2 AND archived_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM vignettes WHERE vignettes.vehicle_id = vehicles.id)",
    )
    .bind(id)
    .bind(account)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a vehicle has ever had a vignette (then it is kept: archived, never deleted).
pub async fn has_vignette(db: &Db, vehicle_id: &str) -> Result<bool, DbError> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM vignettes WHERE vehicle_id = $1 LIMIT 1")
            .bind(vehicle_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// "This vehicle is now mine": a conflict of kind `reported` with the plate's holder, if the
/// plate is still active elsewhere.
pub async fn report_transfer(
    db: &Db,
    account: &str,
    plate: &str,
    note: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    let holder: Option<(String,)> =
        sqlx::query_as("SELECT account_id FROM vehicles WHERE plate = $1 AND archived_at IS NULL")
            .bind(plate)
            .fetch_optional(db.pool())
            .await?;
    match holder {
        Some((holder,)) if holder != account => {
            record_conflict(db, plate, account, &holder, "reported", note, now).await
        }
        _ => Ok(()),
    }
}

/// An open plate conflict, for administrators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictRecord {
    pub id: String,
    pub plate: String,
    pub kind: String,
    pub note: Option<String>,
    pub claimed_by: (String, String),
    pub held_by: (String, String),
    pub created_at: i64,
}

/// Open conflicts, newest first, with each side's name and e-mail address.
pub async fn open_conflicts(db: &Db) -> Result<Vec<ConflictRecord>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        plate: String,
        kind: String,
        note: Option<String>,
        claimant_name: String,
        claimant_email: String,
        holder_name: String,
        holder_email: String,
        created_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.plate, c.kind, c.note, a.full_name AS claimant_name,
                a.email AS claimant_email, b.full_name AS holder_name, b.email AS holder_email,
                c.created_at
         FROM plate_conflicts c
         JOIN accounts a ON a.id = c.claimed_by
         JOIN accounts b ON b.id = c.held_by
         WHERE c.resolved_at IS NULL
         ORDER BY c.created_at DESC, c.id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ConflictRecord {
            id: r.id,
            plate: r.plate,
            kind: r.kind,
            note: r.note,
            claimed_by: (r.claimant_name, r.claimant_email),
            held_by: (r.holder_name, r.holder_email),
            created_at: r.created_at,
        })
        .collect())
}

/// Closes an open conflict (and any other open one between the same claimant and plate).
/// `transfer`: the holder's vehicle is archived, so the claimant can add it. Returns false
/// when there is no such open conflict.
pub async fn resolve_conflict(
    db: &Db,
    id: &str,
    admin: &str,
    transfer: bool,
    note: &str,
    now: i64,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let found: Option<(String, String, String)> = sqlx::query_as(
        "SELECT plate, claimed_by, held_by FROM plate_conflicts
         WHERE id = $1 AND resolved_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((plate, claimant, holder)) = found else {
        return Ok(false);
    };
    if transfer {
        sqlx::query(
            "UPDATE vehicles SET archived_at = $1, updated_at = $1
             WHERE plate = $2 AND account_id = $3 AND archived_at IS NULL",
        )
        .bind(now)
        .bind(&plate)
        .bind(&holder)
        .execute(&mut *tx)
        .await?;
    }
    let decision = if transfer { "transfer" } else { "keep" };
    sqlx::query(
        "UPDATE plate_conflicts SET resolved_at = $1, resolved_by = $2, resolution = $3
         WHERE plate = $4 AND claimed_by = $5 AND resolved_at IS NULL",
    )
    .bind(now)
    .bind(admin)
    .bind(
        format!("{decision}: {note}")
            .trim_end_matches([':', ' '])
            .to_string(),
    )
    .bind(&plate)
    .bind(&claimant)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Imports a file's rows (line number, form answers) for `account`: each row is checked as the
/// vehicle form is; those that hold are added in one transaction, the others reported with
/// their reasons. Plates held by another account are recorded as conflicts afterwards.
/// Returns the report's id.
pub async fn import_vehicles(
    db: &Db,
    account: &str,
    file_name: &str,
    rows: Vec<crate::features::vignette::import::Row>,
    data: &crate::features::vignette::form::TariffData,
    now: i64,
) -> Result<String, DbError> {
    use crate::domain::vehicle::{field, vehicle_from_form};
    use crate::features::vignette::import::{ImportReport, RowReport};
    let this_year = crate::features::vignette::form::year_at(now);
    let latest = data.latest_year().unwrap_or(this_year);
    let statuses = data.status_values();
    let wilayas: Vec<&str> = data.wilayas.iter().map(String::as_str).collect();
    let mut seen = std::collections::HashSet::new();
    let mut held_elsewhere = Vec::new();
    let mut report = ImportReport {
        file_name: file_name.to_string(),
        rows: Vec::with_capacity(rows.len()),
    };
    let mut tx = db.begin_write().await?;
    for (line, answers) in rows {
        let typed = answers.get(field::PLATE).cloned().unwrap_or_default();
        let problem = |code: &str| vec![(field::PLATE.to_string(), code.to_string())];
        let problems = match vehicle_from_form(
            |k| answers.get(k).cloned().unwrap_or_default(),
            this_year,
            |c| data.asked(c, latest),
            &statuses,
            &wilayas,
        ) {
            Err(p) => p
                .into_iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect(),
            Ok(declared) => {
                let plate = declared.plate.to_string();
                let holder: Option<(String,)> = sqlx::query_as(
                    "SELECT account_id FROM vehicles WHERE plate = $1 AND archived_at IS NULL",
                )
                .bind(&plate)
                .fetch_optional(&mut *tx)
                .await?;
                match holder {
                    _ if !seen.insert(plate.clone()) => problem("plate_twice_in_file"),
                    Some((h,)) if h == account => problem("plate_already_yours"),
                    Some((h,)) => {
                        held_elsewhere.push((plate, h));
                        problem("plate_held_elsewhere")
                    }
                    None => {
                        let id = uuid::Uuid::new_v4().to_string();
                        insert_vehicle(&mut tx, &id, account, &declared, now).await?;
                        Vec::new()
                    }
                }
            }
        };
        report.rows.push(RowReport {
            line,
            plate: typed,
            problems,
        });
    }
    let id = uuid::Uuid::new_v4().to_string();
    let added = report.added() as i64;
    let json = serde_json::to_string(&report.rows)
        .map_err(|e| DbError::Sqlx(sqlx::Error::Encode(e.into())))?;
    sqlx::query(
        "INSERT INTO vehicle_imports (id, account_id, file_name, added, refused, report, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(account)
    .bind(file_name)
    .bind(added)
    .bind(report.rows.len() as i64 - added)
    .bind(json)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    for (plate, holder) in held_elsewhere {
        record_conflict(db, &plate, account, &holder, "refused", None, now).await?;
    }
    Ok(id)
}

/// An import's report, if `account` made it.
pub async fn import_report(
    db: &Db,
    account: &str,
    id: &str,
) -> Result<Option<crate::features::vignette::import::ImportReport>, DbError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT file_name, report FROM vehicle_imports WHERE id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(account)
    .fetch_optional(db.pool())
    .await?;
    row.map(|(file_name, json)| {
        Ok(crate::features::vignette::import::ImportReport {
            file_name,
            rows: serde_json::from_str(&json)
                .map_err(|e| DbError::Sqlx(sqlx::Error::Decode(e.into())))?,
        })
    })
    .transpose()
}
