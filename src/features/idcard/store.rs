//! The ID card's reference data and applications in the database (SQL for both backends).

use crate::{
    domain::{
        calendar::{Holiday, WorkingCalendar},
        idcard::{
            Terms,
            application::{RequestType, State},
            form::APPLICATION,
        },
        journey::Draft,
        money::{Currency, Money},
        reference::{IdCardFee, ServiceCentre},
    },
    platform::{
        db::{Db, DbError},
        drafts::Keeper,
    },
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

/// The service's terms (`idcard_terms`).
pub async fn terms(db: &Db) -> Result<Terms, DbError> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, value FROM idcard_terms")
        .fetch_all(db.pool())
        .await?;
    Terms::from_rows(&rows).map_err(|missing| {
        DbError::Sqlx(sqlx::Error::Decode(
            format!("idcard_terms: {missing} is missing or out of range").into(),
        ))
    })
}

/// Qatar's working calendar: its public holidays.
pub async fn calendar(db: &Db) -> Result<WorkingCalendar, DbError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT date_or_monthday FROM public_holidays WHERE country = 'QA'")
            .fetch_all(db.pool())
            .await?;
    rows.into_iter()
        .map(|(text,)| {
            Holiday::parse(&text).ok_or_else(|| {
                DbError::Sqlx(sqlx::Error::Decode(
                    format!("public_holidays: {text:?} is not MM-DD or YYYY-MM-DD").into(),
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(WorkingCalendar::new)
}

/// An application as its owner sees it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApplicationRecord {
    pub id: String,
    pub reference: String,
    pub request_type: String,
    pub state: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, reference, request_type, state, version, created_at, updated_at";

/// The account's application `id`; `None` for another account's (or no) application.
pub async fn application(
    db: &Db,
    account: &str,
    id: &str,
) -> Result<Option<ApplicationRecord>, DbError> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM idcard_applications WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(account)
    .fetch_optional(db.pool())
    .await
    .map_err(Into::into)
}

/// The account's open application, if any (there is at most one).
pub async fn open_application(
    db: &Db,
    account: &str,
) -> Result<Option<ApplicationRecord>, DbError> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM idcard_applications WHERE account_id = $1 AND closed_at IS NULL"
    ))
    .bind(account)
    .fetch_optional(db.pool())
    .await
    .map_err(Into::into)
}

/// Every application of the account, the newest first.
pub async fn applications(db: &Db, account: &str) -> Result<Vec<ApplicationRecord>, DbError> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM idcard_applications WHERE account_id = $1
         ORDER BY created_at DESC, reference"
    ))
    .bind(account)
    .fetch_all(db.pool())
    .await
    .map_err(Into::into)
}

pub enum Started {
    New(ApplicationRecord),
    /// The account has an open application already (this one).
    AlreadyOpen(ApplicationRecord),
}

/// Starts an application of `request` for the account, with its first answers (the request
/// and what the account and the eligibility check already know). The unique index on open
/// applications decides between two requests at once: the second finds the first's.
pub async fn start(
    db: &Db,
    account: &str,
    request: RequestType,
    first_answers: &Draft,
    now: i64,
) -> Result<Started, DbError> {
    use crate::platform::db::OnUnique;
    if let Some(open) = open_application(db, account).await? {
        return Ok(Started::AlreadyOpen(open));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let reference = new_reference();
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO idcard_applications
           (id, reference, account_id, request_type, state, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(account)
    .bind(request.code())
    .bind(State::Draft.code())
    .bind(now)
    .execute(&mut *tx)
    .await
    .on_unique()?;
    if inserted.is_none() {
        drop(tx);
        return match open_application(db, account).await? {
            Some(open) => Ok(Started::AlreadyOpen(open)),
            None => Err(DbError::Sqlx(sqlx::Error::RowNotFound)),
        };
    }
    record_event(&mut tx, &id, "created", State::Draft, now).await?;
    tx.commit().await?;
    crate::platform::drafts::save(
        db,
        Keeper::Account(account.to_string()),
        APPLICATION.id,
        first_answers,
        now,
    )
    .await?;
    Ok(Started::New(ApplicationRecord {
        id,
        reference,
        request_type: request.code().to_string(),
        state: State::Draft.code().to_string(),
        version: 0,
        created_at: now,
        updated_at: now,
    }))
}

/// The request changed on its page while the application is a draft.
pub async fn set_request(
    db: &Db,
    account: &str,
    id: &str,
    request: RequestType,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE idcard_applications SET request_type = $1, updated_at = $2
         WHERE id = $3 AND account_id = $4 AND state = $5",
    )
    .bind(request.code())
    .bind(now)
    .bind(id)
    .bind(account)
    .bind(State::Draft.code())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One line of the timeline.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRecord {
    pub event: String,
    pub state: String,
    pub at: i64,
}

pub async fn events(db: &Db, id: &str) -> Result<Vec<EventRecord>, DbError> {
    sqlx::query_as(
        "SELECT event, state, at FROM idcard_application_events
         WHERE application_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await
    .map_err(Into::into)
}

async fn record_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    event: &str,
    state: State,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO idcard_application_events (application_id, seq, event, state, at)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4
         FROM idcard_application_events WHERE application_id = $1",
    )
    .bind(id)
    .bind(event)
    .bind(state.code())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `ID-` and 10 Crockford base-32 characters (50 random bits): read aloud at a counter
/// without confusing I with 1 or O with 0.
fn new_reference() -> String {
    let bytes: [u8; 7] = rand::random();
    let code = crate::domain::vignette::crockford(&bytes);
    format!("ID-{}", &code[..10])
}
