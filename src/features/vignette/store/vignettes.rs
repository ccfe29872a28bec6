//! Vignettes: issuing one for a paid order (once per vehicle and campaign), finding them, and
//! the public check's sealed copy.

use super::vehicles::{VEHICLE_COLUMNS, VehicleRecord, VehicleRow};
use crate::{
    domain::money::{Currency, Money},
    platform::db::{Db, DbError, qualified, qualified_as},
};

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

/// A `vignettes` row as stored (`VIGNETTE_COLUMNS`).
#[derive(sqlx::FromRow)]
struct VignetteRow {
    id: String,
    number: String,
    vehicle_id: String,
    account_id: String,
    campaign_year: i64,
    plate: String,
    vin: String,
    category: i64,
    valid_until: String,
    amount_minor: i64,
    currency: String,
    order_id: String,
    payment_reference: String,
    issued_at: i64,
    duplicate_issued_at: Option<i64>,
    seal: Option<String>,
}

const VIGNETTE_COLUMNS: &str = "id, number, vehicle_id, account_id, campaign_year, plate, vin, \
    category, valid_until, amount_minor, currency, order_id, payment_reference, issued_at, \
    duplicate_issued_at, seal";

fn vignette_from(r: VignetteRow) -> Result<VignetteRecord, DbError> {
    let currency = Currency::parse(&r.currency).ok_or_else(|| {
        DbError::Sqlx(sqlx::Error::Decode(
            format!("bad vignettes.currency {:?}", r.currency).into(),
        ))
    })?;
    Ok(VignetteRecord {
        id: r.id,
        number: r.number,
        vehicle_id: r.vehicle_id,
        account_id: r.account_id,
        campaign_year: r.campaign_year as i32,
        plate: r.plate,
        vin: r.vin,
        category: r.category as u8,
        valid_until: r.valid_until,
        amount: Money::new(r.amount_minor, currency),
        order_id: r.order_id,
        payment_reference: r.payment_reference,
        issued_at: r.issued_at,
        duplicate_issued_at: r.duplicate_issued_at,
        seal: r.seal,
    })
}

/// The vignette a vehicle (or its plate, under any row) has for a campaign, whoever owns it:
/// the vehicle's own first.
///
/// Each of the two lookups is one unique index's equality, in every plan, where PostgreSQL
/// could plan `vehicle_id = … OR plate = …` as a read of the whole table and keep that plan
/// (see `vehicle_with_vignette`).
pub async fn vignette_for_vehicle(
    conn: &mut sqlx::AnyConnection,
    vehicle_id: &str,
    plate: &str,
    year: i32,
) -> Result<Option<VignetteRecord>, DbError> {
    let row: Option<VignetteRow> = sqlx::query_as(&format!(
        "SELECT {VIGNETTE_COLUMNS} FROM vignettes WHERE vehicle_id = $1 AND campaign_year = $3
         UNION ALL
         SELECT {VIGNETTE_COLUMNS} FROM vignettes WHERE plate = $2 AND campaign_year = $3
         LIMIT 1"
    ))
    .bind(vehicle_id)
    .bind(plate)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?;
    row.map(vignette_from).transpose()
}

/// What "Pay" asks of `vehicle_with_vignette` besides the vehicle: the account's newest unpaid
/// vignette order for `subject` (the vehicle and campaign) at the amount the page showed.
#[derive(Clone, Copy)]
pub struct UnpaidProbe<'a> {
    pub subject: &'a str,
    pub amount_minor: i64,
}

/// An unpaid order found by an `UnpaidProbe`; "Pay" continues it only if the amount due now
/// is the same, currency included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnpaidOrder {
    pub id: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// A vehicle as the quote page and "Pay" read it.
pub struct VehicleRead {
    pub vehicle: VehicleRecord,
    /// The campaign's vignette of the vehicle or its plate, whoever holds it.
    pub vignette: Option<VignetteRecord>,
    /// Only when probed for.
    pub unpaid_order: Option<UnpaidOrder>,
}

/// One of `account`'s vehicles (anyone else's is "not found") with the vignette it, or its
/// plate under any row, has for the campaign `year`, whoever holds it (as
/// `vignette_for_vehicle`), and for "Pay" (`unpaid`) the order it would continue. One
/// statement where the quote page made two and "Pay" three: every statement is a trip to the
/// database, and on SQLite two hand-offs between threads (issue 23).
pub async fn vehicle_with_vignette(
    db: &Db,
    account: &str,
    id: &str,
    year: Option<i32>,
    unpaid: Option<UnpaidProbe<'_>>,
) -> Result<Option<VehicleRead>, DbError> {
    /// `VIGNETTE_COLUMNS` of the joined row, each `g_`-prefixed and NULL when there is none.
    #[derive(sqlx::FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        vehicle: VehicleRow,
        g_id: Option<String>,
        g_number: Option<String>,
        g_vehicle_id: Option<String>,
        g_account_id: Option<String>,
        g_campaign_year: Option<i64>,
        g_plate: Option<String>,
        g_vin: Option<String>,
        g_category: Option<i64>,
        g_valid_until: Option<String>,
        g_amount_minor: Option<i64>,
        g_currency: Option<String>,
        g_order_id: Option<String>,
        g_payment_reference: Option<String>,
        g_issued_at: Option<i64>,
        g_duplicate_issued_at: Option<i64>,
        g_seal: Option<String>,
        o_id: Option<String>,
        o_amount_minor: Option<i64>,
        o_currency: Option<String>,
    }
    let vehicle_columns = qualified("v", VEHICLE_COLUMNS);
    let vignette_columns = qualified_as("g", VIGNETTE_COLUMNS, "g_");
    // `year` NULL (no campaign open) joins nothing; without a probe, neither does the order
    // (`$4` NULL matches no subject).
    //
    // The vignette is found as `vignette_for_vehicle` finds it: the vehicle's own (`by_row`)
    // or its plate's (`by_plate`), each one unique index's lookup by values known before the
    // join (the plate read by its own subquery, computed once), then the row by its key.
    // PostgreSQL keeps a connection's plan of a statement once it has planned it a few times;
    // planned while `vignettes` was small (a new database, or a campaign's first minutes),
    // the plan of an `OR`, or of a join on `v.plate`, read the whole table on every call
    // after, twice a purchase (issue 23, `auto_explain` in `payments_bench vignette`).
    let row: Option<Joined> = sqlx::query_as(&format!(
        "SELECT {vehicle_columns}, {vignette_columns},
                o.id AS o_id, o.amount_minor AS o_amount_minor, o.currency AS o_currency
         FROM vehicles v
         LEFT JOIN vignettes by_row ON by_row.vehicle_id = v.id AND by_row.campaign_year = $3
         LEFT JOIN vignettes by_plate ON by_plate.campaign_year = $3
             AND by_plate.plate = (SELECT plate FROM vehicles WHERE id = $1)
         LEFT JOIN vignettes g ON g.id = COALESCE(by_row.id, by_plate.id)
         LEFT JOIN orders o ON o.id = (
             SELECT id FROM orders WHERE account_id = $2 AND kind = $5 AND subject = $4
               AND amount_minor = $6 AND fulfilled_at IS NULL
             ORDER BY created_at DESC LIMIT 1)
         WHERE v.id = $1 AND v.account_id = $2 LIMIT 1"
    ))
    .bind(id)
    .bind(account)
    .bind(year.map(i64::from))
    .bind(unpaid.map(|u| u.subject))
    .bind(crate::features::vignette::purchase::KIND)
    .bind(unpaid.map(|u| u.amount_minor))
    .fetch_optional(db.pool())
    .await?;
    let Some(j) = row else {
        return Ok(None);
    };
    let vignette = match (
        j.g_id,
        j.g_number,
        j.g_vehicle_id,
        j.g_account_id,
        j.g_campaign_year,
        j.g_plate,
        j.g_vin,
        j.g_category,
        j.g_valid_until,
        j.g_amount_minor,
        j.g_currency,
        j.g_order_id,
        j.g_payment_reference,
        j.g_issued_at,
    ) {
        (
            Some(id),
            Some(number),
            Some(vehicle_id),
            Some(account_id),
            Some(campaign_year),
            Some(plate),
            Some(vin),
            Some(category),
            Some(valid_until),
            Some(amount_minor),
            Some(currency),
            Some(order_id),
            Some(payment_reference),
            Some(issued_at),
        ) => Some(vignette_from(VignetteRow {
            id,
            number,
            vehicle_id,
            account_id,
            campaign_year,
            plate,
            vin,
            category,
            valid_until,
            amount_minor,
            currency,
            order_id,
            payment_reference,
            issued_at,
            duplicate_issued_at: j.g_duplicate_issued_at,
            seal: j.g_seal,
        })?),
        // The columns are NOT NULL: all of them or none (no vignette joined).
        _ => None,
    };
    let unpaid_order = match (j.o_id, j.o_amount_minor, j.o_currency) {
        (Some(id), Some(amount_minor), Some(currency)) => Some(UnpaidOrder {
            id,
            amount_minor,
            currency,
        }),
        _ => None,
    };
    Ok(Some(VehicleRead {
        vehicle: j.vehicle.into_record()?,
        vignette,
        unpaid_order,
    }))
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

/// The vignette an order delivered, if `account` owns it (the owner checked here, as in
/// `vignette_of_order_and_email`).
pub async fn vignette_of_order(
    db: &Db,
    account: &str,
    order_id: &str,
) -> Result<Option<VignetteRecord>, DbError> {
    let row: Option<VignetteRow> = sqlx::query_as(&format!(
        "SELECT {VIGNETTE_COLUMNS} FROM vignettes WHERE order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(db.pool())
    .await?;
    row.filter(|r| r.account_id == account)
        .map(vignette_from)
        .transpose()
}

/// `vignette_of_order` with the address its owner's e-mails go to, for the vignette's page:
/// one statement instead of two on every view (issue 23).
///
/// The row is found by its order alone and the owner is checked here: with `account_id = $2`
/// in the query as well, PostgreSQL kept a plan made while the table was small that read all of
/// the account's vignettes through `vignettes_account` and filtered them by order.
pub async fn vignette_of_order_and_email(
    db: &Db,
    account: &str,
    order_id: &str,
) -> Result<Option<(VignetteRecord, String)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct WithEmail {
        #[sqlx(flatten)]
        vignette: VignetteRow,
        email: String,
    }
    let columns = qualified("g", VIGNETTE_COLUMNS);
    let row: Option<WithEmail> = sqlx::query_as(&format!(
        "SELECT {columns}, a.email FROM vignettes g JOIN accounts a ON a.id = g.account_id
         WHERE g.order_id = $1"
    ))
    .bind(order_id)
    .fetch_optional(db.pool())
    .await?;
    row.filter(|r| r.vignette.account_id == account)
        .map(|r| Ok((vignette_from(r.vignette)?, r.email)))
        .transpose()
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
/// payment's whole transaction. `reference`: the payment's, printed on the receipt. The seal is
/// signed with the key active in this transaction, its id read with the vehicle.
pub async fn issue_vignette(
    conn: &mut sqlx::AnyConnection,
    order: &crate::features::payments::store::Order,
    reference: &str,
    subject: &crate::domain::vignette::Subject,
    keys: &crate::platform::signing::Keyring,
    now: i64,
) -> Result<Issue, DbError> {
    #[derive(sqlx::FromRow)]
    struct WithKey {
        #[sqlx(flatten)]
        vehicle: VehicleRow,
        active_key_id: Option<String>,
    }
    let active_key = crate::platform::signing::ACTIVE_KEY_ID;
    let row: Option<WithKey> = sqlx::query_as(&format!(
        "SELECT {VEHICLE_COLUMNS}, {active_key} AS active_key_id FROM vehicles
         WHERE id = $1 AND account_id = $2"
    ))
    .bind(&subject.vehicle_id)
    .bind(&order.account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(WithKey {
        vehicle,
        active_key_id,
    }) = row
    else {
        return Ok(Issue::NoSuchVehicle);
    };
    let vehicle = vehicle.into_record()?;
    let signer = keys.active(conn, active_key_id.as_deref(), now).await?;
    let plate = vehicle.declared.plate.to_string();
    let year = subject.campaign_year;
    // A new number on the rare collision (40 random bits per campaign year).
    for _ in 0..5 {
        let number = crate::domain::vignette::number(year, rand::random());
        use crate::domain::seal::Sealable as _;
        let seal = crate::domain::seal::Sealed {
            number: number.clone(),
            plate: plate.clone(),
            campaign_year: year,
            valid_until: crate::domain::vignette::valid_until(year),
            issued_at: now,
            key_id: signer.key_id.clone(),
        }
        .sign(&signer.key);
        // The row as written; given back as it is, without reading it again.
        let v = VignetteRecord {
            id: uuid::Uuid::new_v4().to_string(),
            number,
            vehicle_id: vehicle.id.clone(),
            account_id: order.account_id.clone(),
            campaign_year: year,
            plate: plate.clone(),
            vin: vehicle.declared.vin.clone(),
            category: vehicle.declared.facts.plate_category,
            valid_until: crate::domain::vignette::valid_until(year).iso(),
            amount: order.amount,
            order_id: order.id.clone(),
            payment_reference: reference.to_string(),
            issued_at: now,
            duplicate_issued_at: None,
            seal: Some(seal),
        };
        let done = sqlx::query(
            "INSERT INTO vignettes (id, number, vehicle_id, account_id, campaign_year, plate, vin,
                category, valid_until, amount_minor, currency, order_id, payment_reference,
                issued_at, seal)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT DO NOTHING",
        )
        .bind(&v.id)
        .bind(&v.number)
        .bind(&v.vehicle_id)
        .bind(&v.account_id)
        .bind(i64::from(year))
        .bind(&v.plate)
        .bind(&v.vin)
        .bind(i64::from(v.category))
        .bind(&v.valid_until)
        .bind(v.amount.minor)
        .bind(v.amount.currency.code())
        .bind(&v.order_id)
        .bind(&v.payment_reference)
        .bind(now)
        .bind(&v.seal)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Issue::Issued(Box::new(v)));
        }
        // Not written: the vehicle (or plate) has its vignette, or else the number was taken
        // and the loop tries another.
        if let Some(existing) = vignette_for_vehicle(conn, &vehicle.id, &plate, year).await? {
            return Ok(Issue::AlreadyHas(existing.number));
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
