//! The ID card's reference data and applications in the database (SQL for both backends).

use crate::{
    domain::{
        calendar::{Holiday, WorkingCalendar},
        geo::Point,
        idcard::{
            Terms,
            application::{Event, NotNow, RequestType, State, next},
            documents::DocumentKind,
            form::{APPLICATION, Status},
        },
        journey::{Answers, Draft},
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
    centres_in(db.pool()).await
}

/// The centres, read through `conn` (a pool, or a transaction's connection).
pub async fn centres_in<'e>(
    conn: impl sqlx::Executor<'e, Database = sqlx::Any>,
) -> Result<Vec<ServiceCentre>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Record {
        code: String,
        name_ar: String,
        name_en: String,
        municipality: String,
        municipality_ar: String,
        opens: String,
        closes: String,
        counters: i64,
        latitude_e6: Option<i64>,
        longitude_e6: Option<i64>,
    }
    let rows: Vec<Record> = sqlx::query_as(
        "SELECT code, name_ar, name_en, municipality, municipality_ar, opens, closes, counters,
                latitude_e6, longitude_e6
         FROM service_centres ORDER BY counters DESC, code",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ServiceCentre {
            code: r.code,
            name_ar: r.name_ar,
            name_en: r.name_en,
            municipality: r.municipality,
            municipality_ar: r.municipality_ar,
            opens: r.opens,
            closes: r.closes,
            counters: r.counters as i32,
            position: r.latitude_e6.zip(r.longitude_e6).and_then(|(lat, lon)| {
                Point::new(i32::try_from(lat).ok()?, i32::try_from(lon).ok()?)
            }),
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
    /// The answers as submitted (JSON), once submitted.
    pub answers: Option<String>,
    pub submitted_at: Option<i64>,
    /// What every notification about the application is written in.
    pub language: Option<String>,
    pub fee_minor: Option<i64>,
    pub fee_currency: Option<String>,
    pub order_id: Option<String>,
    pub paid_at: Option<i64>,
}

impl ApplicationRecord {
    pub fn state(&self) -> Option<State> {
        State::parse(&self.state)
    }

    /// The fee owed, fixed at submission.
    pub fn fee(&self) -> Option<Money> {
        Some(Money::new(
            self.fee_minor?,
            Currency::parse(self.fee_currency.as_deref()?)?,
        ))
    }

    /// The answers as submitted; `None` before submission.
    pub fn frozen_answers(&self) -> Option<Answers> {
        serde_json::from_str(self.answers.as_deref()?).ok()
    }
}

const COLUMNS: &str = "id, reference, request_type, state, version, created_at, updated_at, \
     answers, submitted_at, language, fee_minor, fee_currency, order_id, paid_at";

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
        answers: None,
        submitted_at: None,
        language: None,
        fee_minor: None,
        fee_currency: None,
        order_id: None,
        paid_at: None,
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
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The states in which answers and documents can change (`State::answers_open`).
const ANSWERS_OPEN: [State; 2] = [State::Draft, State::ReturnedForCorrection];

/// Takes the application's row for a change of its documents; `false` once they are frozen
/// (submitted). On PostgreSQL the row stays locked until the transaction ends, so a change of
/// a document and a submission happen one after the other, never interleaved (SQLite's write
/// transactions are one at a time anyway).
pub async fn lock_open(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE idcard_applications SET updated_at = $2 WHERE id = $1 AND state IN ($3, $4)",
    )
    .bind(id)
    .bind(now)
    .bind(ANSWERS_OPEN[0].code())
    .bind(ANSWERS_OPEN[1].code())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Applies `event` to application `id` inside the caller's transaction: the state machine
/// says where it leads (or refuses), the row moves only from the state it was read in, the
/// timeline gets its line, and the applicant is told, in the application's language, by
/// e-mail or SMS as their account chooses. Every change of state goes through here.
pub async fn apply(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    event: Event,
    public_url: &str,
    now: i64,
) -> Result<Result<State, NotNow>, DbError> {
    apply_with(conn, id, event, public_url, serde_json::Map::new(), now).await
}

/// `apply`, its notification carrying `extra` parameters besides the application's (an
/// appointment's slip, which the e-mail attaches).
pub async fn apply_with(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    event: Event,
    public_url: &str,
    extra: serde_json::Map<String, serde_json::Value>,
    now: i64,
) -> Result<Result<State, NotNow>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        state: String,
        account_id: String,
        reference: String,
        language: Option<String>,
        fee_minor: Option<i64>,
        fee_currency: Option<String>,
        /// The live appointment, if any: the notification says where and when.
        starts_at: Option<i64>,
        centre_ar: Option<String>,
        centre_en: Option<String>,
    }
    let row: Row = sqlx::query_as(
        "SELECT a.state, a.account_id, a.reference, a.language, a.fee_minor, a.fee_currency,
           p.starts_at, c.name_ar AS centre_ar, c.name_en AS centre_en
         FROM idcard_applications a
         LEFT JOIN idcard_appointments p ON p.application_id = a.id AND p.ended_at IS NULL
         LEFT JOIN service_centres c ON c.code = p.centre_code
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let from = State::parse(&row.state).ok_or_else(|| {
        DbError::Sqlx(sqlx::Error::Decode(
            format!("idcard application {id}: unknown state {:?}", row.state).into(),
        ))
    })?;
    let to = match next(from, event) {
        Ok(to) => to,
        Err(not_now) => return Ok(Err(not_now)),
    };
    let closed = (!to.is_open()).then_some(now);
    let moved = sqlx::query(
        "UPDATE idcard_applications SET state = $1, updated_at = $2,
           closed_at = COALESCE(closed_at, $3)
         WHERE id = $4 AND state = $5",
    )
    .bind(to.code())
    .bind(now)
    .bind(closed)
    .bind(id)
    .bind(from.code())
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() != 1 {
        // Another request moved it first (PostgreSQL re-read the row after waiting).
        return Ok(Err(NotNow { state: from, event }));
    }
    record_event(conn, id, event.code(), to, now).await?;
    let mut params = serde_json::json!({
        "reference": row.reference,
        "event": event.code(),
        "state": to.code(),
        "amount_minor": row.fee_minor,
        "currency": row.fee_currency,
        "starts_at": row.starts_at,
        "centre_ar": row.centre_ar,
        "centre_en": row.centre_en,
        "link": format!("{}{}", public_url.trim_end_matches('/'), super::application_path(id)),
    });
    if let Some(p) = params.as_object_mut() {
        p.extend(extra);
    }
    let language = row.language.unwrap_or_else(|| "ar".to_string());
    crate::features::accounts::notifications::enqueue_chosen(
        conn,
        &row.account_id,
        super::notices::STATUS,
        super::notices::STATUS_SMS,
        &language,
        params,
        now,
    )
    .await?;
    Ok(Ok(to))
}

/// `apply` in its own transaction, for the account's application only (`None`: not theirs).
pub async fn apply_for(
    db: &Db,
    account: &str,
    id: &str,
    event: Event,
    public_url: &str,
    now: i64,
) -> Result<Option<Result<State, NotNow>>, DbError> {
    let mut tx = db.begin_write().await?;
    let owned: Option<(String,)> =
        sqlx::query_as("SELECT id FROM idcard_applications WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account)
            .fetch_optional(&mut *tx)
            .await?;
    if owned.is_none() {
        return Ok(None);
    }
    let applied = apply(&mut tx, id, event, public_url, now).await?;
    if applied.is_ok() {
        tx.commit().await?;
    }
    Ok(Some(applied))
}

/// What a submission freezes besides the answers.
pub struct Submission<'a> {
    pub answers: &'a Answers,
    pub request: RequestType,
    /// The page's language: the application's notifications are written in it.
    pub language: &'a str,
    /// Worked out from the fee table now: what the applicant pays, online or at the centre.
    pub fee: Money,
    /// The documents the request needs.
    pub needed: &'a [DocumentKind],
}

pub enum Submitted {
    /// Frozen. These files belonged to documents the request no longer needs (a lost card's
    /// declaration, after the request became a new card): their rows are gone, the files
    /// are the caller's to remove once committed.
    Done { stale_files: Vec<String> },
    /// Not open for submission: submitted already (a second click), withdrawn, or not theirs.
    NotOpen,
    /// A needed document is missing or failed its check (changed since the page showed it).
    DocumentsNotReady,
}

/// Submits the account's application `id`: one transaction freezes the answers (the draft
/// is discarded), fixes the fee and the language, checks the documents once more under the
/// row's lock, and moves the application through the state machine. Nothing is half-done.
pub async fn submit(
    db: &Db,
    account: &str,
    id: &str,
    s: &Submission<'_>,
    public_url: &str,
    now: i64,
) -> Result<Submitted, DbError> {
    use crate::domain::idcard::documents;
    let json = serde_json::to_string(s.answers)
        .map_err(|e| DbError::Sqlx(sqlx::Error::Encode(e.to_string().into())))?;
    let mut tx = db.begin_write().await?;
    let frozen = sqlx::query(
        "UPDATE idcard_applications SET answers = $1, request_type = $2, language = $3,
           fee_minor = $4, fee_currency = $5, submitted_at = $6, updated_at = $6,
           version = version + 1
         WHERE id = $7 AND account_id = $8 AND state IN ($9, $10)",
    )
    .bind(json)
    .bind(s.request.code())
    .bind(s.language)
    .bind(s.fee.minor)
    .bind(s.fee.currency.code())
    .bind(now)
    .bind(id)
    .bind(account)
    .bind(ANSWERS_OPEN[0].code())
    .bind(ANSWERS_OPEN[1].code())
    .execute(&mut *tx)
    .await?;
    if frozen.rows_affected() != 1 {
        return Ok(Submitted::NotOpen);
    }
    let files: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT kind, problems, storage_key FROM idcard_documents WHERE application_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let judged: Vec<(DocumentKind, bool)> = files
        .iter()
        .filter_map(|(kind, problems, _)| {
            DocumentKind::parse(kind).map(|k| (k, problems.is_empty()))
        })
        .collect();
    if documents::status(s.needed, &judged) != Status::Completed {
        return Ok(Submitted::DocumentsNotReady);
    }
    let mut stale_files = Vec::new();
    for (kind, _, key) in &files {
        if !DocumentKind::parse(kind).is_some_and(|k| s.needed.contains(&k)) {
            sqlx::query("DELETE FROM idcard_documents WHERE storage_key = $1")
                .bind(key)
                .execute(&mut *tx)
                .await?;
            stale_files.push(key.clone());
        }
    }
    let (state,): (String,) = sqlx::query_as("SELECT state FROM idcard_applications WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let event = if state == State::ReturnedForCorrection.code() {
        Event::Resubmit
    } else {
        Event::Submit
    };
    if apply(&mut tx, id, event, public_url, now).await?.is_err() {
        return Ok(Submitted::NotOpen);
    }
    crate::platform::drafts::discard_in(
        &mut tx,
        Keeper::Account(account.to_string()),
        APPLICATION.id,
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted::Done { stale_files })
}

/// States in which the fee can still be paid online: after submission, until the appointment.
const PAYABLE: [State; 3] = [
    State::AwaitingPayment,
    State::AwaitingAppointment,
    State::AppointmentBooked,
];

/// The order that pays the account's application `id` online: the one made before, or a new
/// one for the fee fixed at submission. `None` when nothing is to be paid online (not
/// submitted, paid already, closed, not theirs).
pub async fn order_for_fee(
    db: &Db,
    account: &str,
    id: &str,
    description: [(&'static str, String); 3],
    now: i64,
) -> Result<Option<String>, DbError> {
    use crate::features::payments::engine::{NewOrder, create_order};
    let mut tx = db.begin_write().await?;
    let locked = sqlx::query(
        "UPDATE idcard_applications SET updated_at = $1
         WHERE id = $2 AND account_id = $3 AND paid_at IS NULL AND state IN ($4, $5, $6)",
    )
    .bind(now)
    .bind(id)
    .bind(account)
    .bind(PAYABLE[0].code())
    .bind(PAYABLE[1].code())
    .bind(PAYABLE[2].code())
    .execute(&mut *tx)
    .await?;
    if locked.rows_affected() != 1 {
        return Ok(None);
    }
    let record: ApplicationRecord = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM idcard_applications WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(order) = record.order_id {
        return Ok(Some(order));
    }
    let Some(amount) = record.fee() else {
        return Ok(None);
    };
    let order = create_order(
        &mut *tx,
        &NewOrder {
            account_id: account,
            kind: super::pay::KIND,
            subject: id,
            description,
            amount,
        },
        now,
    )
    .await?;
    sqlx::query("UPDATE idcard_applications SET order_id = $1 WHERE id = $2")
        .bind(&order.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(order.id))
}

/// The fee paid online (the payments engine's fulfilment, in the transaction that records the
/// payment): the application moves on once. `Err` says why it cannot take the money (the
/// payment is then flagged for a refund).
pub async fn paid_online(
    conn: &mut sqlx::AnyConnection,
    order_id: &str,
    application: &str,
    public_url: &str,
    now: i64,
) -> Result<Result<State, String>, DbError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT paid_at FROM idcard_applications WHERE id = $1 AND order_id = $2")
            .bind(application)
            .bind(order_id)
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        None => return Ok(Err("no application is paid by this order".into())),
        Some((Some(_),)) => return Ok(Err("the application's fee is paid already".into())),
        Some((None,)) => {}
    }
    match apply(conn, application, Event::PaidOnline, public_url, now).await? {
        Err(not_now) => Ok(Err(format!(
            "the application is {} and takes no payment",
            not_now.state.code()
        ))),
        Ok(to) => {
            sqlx::query("UPDATE idcard_applications SET paid_at = $1 WHERE id = $2")
                .bind(now)
                .bind(application)
                .execute(&mut *conn)
                .await?;
            Ok(Ok(to))
        }
    }
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
    conn: &mut sqlx::AnyConnection,
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
    .execute(conn)
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
