//! Vignette data in the database (SQL for both backends).

use crate::{
    domain::{
        date::Date,
        money::{Currency, Money},
        reference::{Campaign, Localized, TariffBasis, TariffFamily, TariffRow},
        tariff::{Criterion, Exemption, ExemptionKind, VehicleFacts},
        vehicle::{Declared, Plate},
    },
    platform::db::{Db, DbError, OnUnique},
};

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

// ---- Vehicles ----------------------------------------------------------------------------

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
struct VehicleRow {
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

const VEHICLE_COLUMNS: &str = "id, account_id, plate, vin, vin_non_standard, category, fuel, \
    first_year, first_registered_on, fiscal_hp, gross_weight_kg, seats, status, archived_at, \
    created_at";

impl VehicleRow {
    fn into_record(self) -> Result<VehicleRecord, DbError> {
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
    .execute(db.pool())
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
    .execute(db.pool())
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
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.plate, c.kind, c.note, a.full_name, a.email, b.full_name, b.email,
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
        .map(
            |(id, plate, kind, note, cn, ce, hn, he, created_at)| ConflictRecord {
                id,
                plate,
                kind,
                note,
                claimed_by: (cn, ce),
                held_by: (hn, he),
                created_at,
            },
        )
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
    rows: Vec<super::import::Row>,
    data: &super::form::TariffData,
    now: i64,
) -> Result<String, DbError> {
    use super::import::{ImportReport, RowReport};
    use crate::domain::vehicle::{field, vehicle_from_form};
    let this_year = super::form::year_at(now);
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
) -> Result<Option<super::import::ImportReport>, DbError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT file_name, report FROM vehicle_imports WHERE id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(account)
    .fetch_optional(db.pool())
    .await?;
    row.map(|(file_name, json)| {
        Ok(super::import::ImportReport {
            file_name,
            rows: serde_json::from_str(&json)
                .map_err(|e| DbError::Sqlx(sqlx::Error::Decode(e.into())))?,
        })
    })
    .transpose()
}

// ---- Vignettes ------------------------------------------------------------------------------

/// A vignette as its owner's pages and its documents read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VignetteRecord {
    pub id: String,
    pub number: String,
    pub vehicle_id: String,
    pub account_id: String,
    pub campaign_year: i32,
    pub plate: String,
    pub vin: String,
    pub category: u8,
    pub valid_until: String,
    pub amount: Money,
    pub order_id: String,
    pub payment_reference: String,
    pub issued_at: i64,
    pub duplicate_issued_at: Option<i64>,
    /// The signed text its QR code carries (`domain::seal`); `None` only for vignettes issued
    /// before seals existed.
    pub seal: Option<String>,
}

type VignetteRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    String,
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

const VIGNETTE_COLUMNS: &str = "id, number, vehicle_id, account_id, campaign_year, plate, vin, \
    category, valid_until, amount_minor, currency, order_id, payment_reference, issued_at, \
    duplicate_issued_at, seal";

fn vignette_from(r: VignetteRow) -> Result<VignetteRecord, DbError> {
    let currency = Currency::parse(&r.10).ok_or_else(|| {
        DbError::Sqlx(sqlx::Error::Decode(
            format!("bad vignettes.currency {:?}", r.10).into(),
        ))
    })?;
    Ok(VignetteRecord {
        id: r.0,
        number: r.1,
        vehicle_id: r.2,
        account_id: r.3,
        campaign_year: r.4 as i32,
        plate: r.5,
        vin: r.6,
        category: r.7 as u8,
        valid_until: r.8,
        amount: Money::new(r.9, currency),
        order_id: r.11,
        payment_reference: r.12,
        issued_at: r.13,
        duplicate_issued_at: r.14,
        seal: r.15,
    })
}

/// The vignette a vehicle (or its plate, under any row) has for a campaign, whoever owns it.
pub async fn vignette_for_vehicle(
    conn: &mut sqlx::AnyConnection,
    vehicle_id: &str,
    plate: &str,
    year: i32,
) -> Result<Option<VignetteRecord>, DbError> {
    let row: Option<VignetteRow> = sqlx::query_as(&format!(
        "SELECT {VIGNETTE_COLUMNS} FROM vignettes
         WHERE (vehicle_id = $1 OR plate = $2) AND campaign_year = $3"
    ))
    .bind(vehicle_id)
    .bind(plate)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?;
    row.map(vignette_from).transpose()
}

/// An account's vignettes for a campaign year, by vehicle row.
pub async fn vignettes_of(
    db: &Db,
    account: &str,
    year: i32,
) -> Result<Vec<VignetteRecord>, DbError> {
    let rows: Vec<VignetteRow> = sqlx::query_as(&format!(
        "SELECT {VIGNETTE_COLUMNS} FROM vignettes WHERE account_id = $1 AND campaign_year = $2
         ORDER BY issued_at DESC"
    ))
    .bind(account)
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(vignette_from).collect()
}

/// Marks `account`'s vignette of `order_id` as re-issued now (a lost one: same number, free);
/// returns it as re-issued, or `None` if it is not theirs. Inside the caller's transaction.
pub async fn mark_duplicate(
    conn: &mut sqlx::AnyConnection,
    account: &str,
    order_id: &str,
    now: i64,
) -> Result<Option<VignetteRecord>, DbError> {
    let done = sqlx::query(
        "UPDATE vignettes SET duplicate_issued_at = $1 WHERE order_id = $2 AND account_id = $3",
    )
    .bind(now)
    .bind(order_id)
    .bind(account)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(None);
    }
    let row: Option<VignetteRow> = sqlx::query_as(&format!(
        "SELECT {VIGNETTE_COLUMNS} FROM vignettes WHERE order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(conn)
    .await?;
    row.map(vignette_from).transpose()
}

/// The vignette an order delivered, if `account` owns it.
pub async fn vignette_of_order(
    db: &Db,
    account: &str,
    order_id: &str,
) -> Result<Option<VignetteRecord>, DbError> {
    let row: Option<VignetteRow> = sqlx::query_as(&format!(
        "SELECT {VIGNETTE_COLUMNS} FROM vignettes WHERE order_id = $1 AND account_id = $2"
    ))
    .bind(order_id)
    .bind(account)
    .fetch_optional(db.pool())
    .await?;
    row.map(vignette_from).transpose()
}

/// An unpaid vignette order of `account` for `subject` at `amount`: "Pay" pressed again (or
/// in two tabs) continues it rather than opening a second order for the same vignette.
pub async fn open_order(
    db: &Db,
    account: &str,
    subject: &str,
    amount: Money,
) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM orders
         WHERE account_id = $1 AND kind = $2 AND subject = $3 AND amount_minor = $4
           AND currency = $5 AND fulfilled_at IS NULL
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(account)
    .bind(super::purchase::KIND)
    .bind(subject)
    .bind(amount.minor)
    .bind(amount.currency.code())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id,)| id))
}

/// What issuing a paid order's vignette did.
#[derive(Debug, PartialEq, Eq)]
pub enum Issue {
    Issued(Box<VignetteRecord>),
    /// The vehicle or its plate already has this campaign's vignette (another order paid).
    AlreadyHas(String),
    /// The order names a vehicle that is not its account's.
    NoSuchVehicle,
}

/// Issues the vignette of a paid order, inside the payment's transaction. `INSERT … ON
/// CONFLICT DO NOTHING`, not a caught error: on PostgreSQL a failed statement would abort the
/// payment's whole transaction.
pub async fn issue_vignette(
    conn: &mut sqlx::AnyConnection,
    order: &crate::features::payments::store::Order,
    subject: &crate::domain::vignette::Subject,
    signer: &crate::platform::signing::ActiveKey,
    now: i64,
) -> Result<Issue, DbError> {
    let row: Option<VehicleRow> = sqlx::query_as(&format!(
        "SELECT {VEHICLE_COLUMNS} FROM vehicles WHERE id = $1 AND account_id = $2"
    ))
    .bind(&subject.vehicle_id)
    .bind(&order.account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(vehicle) = row.map(VehicleRow::into_record).transpose()? else {
        return Ok(Issue::NoSuchVehicle);
    };
    let plate = vehicle.declared.plate.to_string();
    let year = subject.campaign_year;
    let (reference,): (String,) = sqlx::query_as(
        "SELECT reference FROM payments WHERE order_id = $1 AND state = 'succeeded'
         ORDER BY succeeded_at DESC LIMIT 1",
    )
    .bind(&order.id)
    .fetch_one(&mut *conn)
    .await?;
    // A new number on the rare collision (40 random bits per campaign year).
    for _ in 0..5 {
        let number = crate::domain::vignette::number(year, rand::random());
        let id = uuid::Uuid::new_v4().to_string();
        let seal = crate::domain::seal::Sealed {
            number: number.clone(),
            plate: plate.clone(),
            campaign_year: year,
            valid_until: crate::domain::vignette::valid_until(year),
            issued_at: now,
            key_id: signer.key_id.clone(),
        }
        .sign(&signer.key);
        let done = sqlx::query(
            "INSERT INTO vignettes (id, number, vehicle_id, account_id, campaign_year, plate, vin,
                category, valid_until, amount_minor, currency, order_id, payment_reference,
                issued_at, seal)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(&number)
        .bind(&vehicle.id)
        .bind(&order.account_id)
        .bind(i64::from(year))
        .bind(&plate)
        .bind(&vehicle.declared.vin)
        .bind(i64::from(vehicle.declared.facts.plate_category))
        .bind(crate::domain::vignette::valid_until(year).iso())
        .bind(order.amount.minor)
        .bind(order.amount.currency.code())
        .bind(&order.id)
        .bind(&reference)
        .bind(now)
        .bind(&seal)
        .execute(&mut *conn)
        .await?;
        let existing = vignette_for_vehicle(conn, &vehicle.id, &plate, year).await?;
        match existing {
            Some(v) if done.rows_affected() == 1 => return Ok(Issue::Issued(Box::new(v))),
            Some(v) => return Ok(Issue::AlreadyHas(v.number)),
            // The number was taken: try another.
            None => {}
        }
    }
    Err(DbError::Sqlx(sqlx::Error::Protocol(
        "no free vignette number after 5 tries".into(),
    )))
}

/// The plate and campaign of the vignette numbered `number`, for the public check of a seal.
pub async fn sealed_vignette(db: &Db, number: &str) -> Result<Option<(String, i32)>, DbError> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT plate, campaign_year FROM vignettes WHERE number = $1")
            .bind(number)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(plate, year)| (plate, year as i32)))
}

/// The last valid day of the plate's vignette for `year`, for the public check by plate.
pub async fn plate_valid_until(
    db: &Db,
    plate: &str,
    year: i32,
) -> Result<Option<crate::domain::date::Date>, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT valid_until FROM vignettes WHERE plate = $1 AND campaign_year = $2")
            .bind(plate)
            .bind(i64::from(year))
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(d,)| crate::domain::date::Date::parse_iso(&d)))
}

// ---- Reminders -----------------------------------------------------------------------------

/// Active vehicles of accounts that want reminders, with no vignette for `year` (by vehicle or
/// plate) and no reminder of `kind` for it yet; added before `added_before` when given. At most
/// `limit`, oldest first.
pub async fn vehicles_to_remind(
    db: &Db,
    year: i32,
    kind: &str,
    added_before: Option<i64>,
    limit: i64,
) -> Result<Vec<VehicleRecord>, DbError> {
    let columns = VEHICLE_COLUMNS
        .split(", ")
        .map(|c| format!("v.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<VehicleRow> = sqlx::query_as(&format!(
        "SELECT {columns} FROM vehicles v JOIN accounts a ON a.id = v.account_id
         WHERE v.archived_at IS NULL AND a.vignette_reminders = 1 AND v.created_at < $3
           AND NOT EXISTS (SELECT 1 FROM vignettes g
                           WHERE (g.vehicle_id = v.id OR g.plate = v.plate) AND g.campaign_year = $1)
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
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
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
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
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

/// Turns an account's vignette reminders on or off.
pub async fn set_reminders(db: &Db, account_id: &str, on: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET vignette_reminders = $2 WHERE id = $1")
        .bind(account_id)
        .bind(i64::from(on))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Whether an account wants vignette reminders.
pub async fn reminders_on(db: &Db, account_id: &str) -> Result<bool, DbError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT vignette_reminders FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.is_some_and(|(on,)| on == 1))
}
