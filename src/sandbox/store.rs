//! The sandbox's books: its payments, refunds and the notifications it owes the merchant.
//! Every change of a payment and the notifications it causes are written in one transaction,
//! and each change is a compare-and-set on the status it starts from, so two servers (or a
//! double click) cannot both move the same payment.

use super::{
    protocol::{CreatePayment, Notification, PaymentView},
    scenarios::{LATE_SECS, MAX_CODE_TRIES, Scenario, TEST_CODE},
};
use crate::platform::db::{Backend, Db, DbError, WriteTx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub merchant_ref: String,
    pub reference: String,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    pub language: String,
    pub return_url: String,
    pub notify_url: String,
    pub expires_at: i64,
    pub status: String,
    pub failure: Option<String>,
    pub method: Option<String>,
    pub brand: Option<String>,
    pub masked: Option<String>,
    pub scenario: Option<String>,
    pub code_tries: i64,
    pub refunded_minor: i64,
}

const COLUMNS: &str = "id, merchant_ref, reference, amount_minor, currency, description, language, \
    return_url, notify_url, expires_at, status, failure, method, brand, masked, scenario, \
    code_tries, refunded_minor";

impl Row {
    /// The merchant's view: what the API returns and notifications carry.
    pub fn view(&self, public_base: Option<&str>) -> PaymentView {
        PaymentView {
            id: self.id.clone(),
            merchant_ref: self.merchant_ref.clone(),
            // `awaiting_code` is internal: to the merchant it is still open.
            status: match self.status.as_str() {
                "awaiting_code" => "open".into(),
                s => s.into(),
            },
            failure: self.failure.clone(),
            amount_minor: self.amount_minor,
            currency: self.currency.clone(),
            method: self.method.clone(),
            brand: self.brand.clone(),
            masked: self.masked.clone(),
            refunded_minor: self.refunded_minor,
            redirect_url: public_base.map(|base| format!("{base}/pay/{}", self.id)),
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "open" | "awaiting_code")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no such payment")]
    NotFound,
    #[error("the payment is not open")]
    NotOpen,
    #[error("refund exceeds what was paid")]
    RefundTooLarge,
    #[error("only a paid payment can be refunded")]
    NotPaid,
}

impl From<sqlx::Error> for SandboxError {
    fn from(e: sqlx::Error) -> Self {
        SandboxError::Db(DbError::Sqlx(e))
    }
}

/// Opens a payment, or returns the one already opened for this merchant reference (read again
/// only then: the insert returns the row it made).
pub async fn create(db: &Db, req: &CreatePayment, now: i64) -> Result<Row, SandboxError> {
    let id = format!("sbx_{}", hex::encode(rand::random::<[u8; 12]>()));
    let made: Option<Row> = sqlx::query_as(&format!(
        "INSERT INTO sandbox_payments (id, merchant_ref, reference, amount_minor, currency, \
         description, language, return_url, notify_url, expires_at, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $11) \
         ON CONFLICT (merchant_ref) DO NOTHING RETURNING {COLUMNS}",
    ))
    .bind(&id)
    .bind(&req.merchant_ref)
    .bind(&req.reference)
    .bind(req.amount_minor)
    .bind(&req.currency)
    .bind(&req.description)
    .bind(&req.language)
    .bind(&req.return_url)
    .bind(&req.notify_url)
    .bind(req.expires_at)
    .bind(now)
    .fetch_optional(db.writer())
    .await?;
    match made {
        Some(row) => Ok(row),
        None => by_merchant_ref(db, &req.merchant_ref)
            .await?
            .ok_or(SandboxError::NotFound),
    }
}

pub async fn by_merchant_ref(db: &Db, merchant_ref: &str) -> Result<Option<Row>, SandboxError> {
    let row = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE merchant_ref = $1"
    ))
    .bind(merchant_ref)
    .fetch_optional(db.pool())
    .await?;
    Ok(row)
}

/// A payment as its page needs it; an open payment past its time is expired first (and the
/// merchant told), so the page and the API never show a payment that could still be paid late.
pub async fn get(db: &Db, id: &str, now: i64) -> Result<Row, SandboxError> {
    let row: Row = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(SandboxError::NotFound)?;
    current(db, row, now).await
}

/// A payment just read, expired first if its time has run out (as `get`).
pub async fn current(db: &Db, row: Row, now: i64) -> Result<Row, SandboxError> {
    if row.is_open() && now >= row.expires_at {
        finish(db, &row, "expired", None, Scenario::Success, now).await?;
        return Box::pin(get(db, &row.id, now)).await;
    }
    Ok(row)
}

/// The payer chose a method and typed valid details: the code step comes next.
pub async fn choose_method(
    db: &Db,
    id: &str,
    method: &str,
    brand: Option<&str>,
    masked: &str,
    scenario: Scenario,
    now: i64,
) -> Result<(), SandboxError> {
    let changed = sqlx::query(
        "UPDATE sandbox_payments SET status = 'awaiting_code', method = $1, brand = $2, \
         masked = $3, scenario = $4, code_tries = 0, updated_at = $5 \
         WHERE id = $6 AND status IN ('open', 'awaiting_code') AND expires_at > $5",
    )
    .bind(method)
    .bind(brand)
    .bind(masked)
    .bind(scenario.code())
    .bind(now)
    .bind(id)
    .execute(db.writer())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(SandboxError::NotOpen);
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeOutcome {
    /// Finished (paid or refused by the scenario): send the payer back to the merchant.
    Finished,
    WrongCode {
        tries_left: i64,
    },
}

/// Checks the one-time code; the third wrong one fails the payment.
/// `row`: the payment as `get` gave it a moment ago (the code's updates compare its status).
pub async fn submit_code(
    db: &Db,
    row: &Row,
    code: &str,
    now: i64,
) -> Result<CodeOutcome, SandboxError> {
    let id = row.id.as_str();
    if row.status != "awaiting_code" {
        return Err(SandboxError::NotOpen);
    }
    let scenario = Scenario::parse(row.scenario.as_deref().unwrap_or_default());
    if code.trim() == TEST_CODE {
        match scenario.failure() {
            None => finish(db, row, "succeeded", None, scenario, now).await?,
            Some(reason) => finish(db, row, "failed", Some(reason), scenario, now).await?,
        }
        return Ok(CodeOutcome::Finished);
    }
    let tries: Option<(i64,)> = sqlx::query_as(
        "UPDATE sandbox_payments SET code_tries = code_tries + 1, updated_at = $1 \
         WHERE id = $2 AND status = 'awaiting_code' RETURNING code_tries",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(db.writer())
    .await?;
    let Some((tries,)) = tries else {
        return Err(SandboxError::NotOpen);
    };
    if tries >= MAX_CODE_TRIES {
        finish(db, row, "failed", Some("too_many_codes"), scenario, now).await?;
        return Ok(CodeOutcome::Finished);
    }
    Ok(CodeOutcome::WrongCode {
        tries_left: MAX_CODE_TRIES - tries,
    })
}

pub async fn cancel(db: &Db, id: &str, now: i64) -> Result<Row, SandboxError> {
    let row = get(db, id, now).await?;
    if row.is_open() {
        finish(db, &row, "cancelled", None, Scenario::Success, now).await?;
    }
    get(db, id, now).await
}

/// Moves an open payment to its final status and queues the notifications its scenario calls
/// for, in one transaction. Does nothing if another request finished it first.
async fn finish(
    db: &Db,
    row: &Row,
    status: &str,
    failure: Option<&str>,
    scenario: Scenario,
    now: i64,
) -> Result<(), SandboxError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE sandbox_payments SET status = $1, failure = $2, updated_at = $3 \
         WHERE id = $4 AND status IN ('open', 'awaiting_code')",
    )
    .bind(status)
    .bind(failure)
    .bind(now)
    .bind(&row.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        // Ended here, not dropped: a dropped transaction's rollback goes through sqlx's pool.
        tx.rollback().await.map_err(DbError::Sqlx)?;
        return Ok(());
    }
    let mut finished = row.clone();
    finished.status = status.into();
    finished.failure = failure.map(str::to_string);
    notify(&mut tx, &finished, scenario, now).await?;
    tx.commit().await.map_err(DbError::Sqlx)?;
    Ok(())
}

/// The right code for a payment whose scenario pays: moved to `succeeded` by one statement that
/// returns it, and its notifications queued, in one transaction (on PostgreSQL, for the plain
/// paying scenario, one statement: `pay_and_notify_at_once`). The code's page thus moves
/// the payment without reading it first (one read fewer a payment, issue 23). `None` when
/// nothing moved (not awaiting a code, out of time, a scenario that refuses the money, another
/// request first): the caller reads the payment and takes `submit_code`'s way, which says why.
pub async fn pay_with_code(db: &Db, id: &str, now: i64) -> Result<Option<Row>, SandboxError> {
    if db.backend() == Backend::Postgres
        && let Some(paid) = pay_and_notify_at_once(db, id, now).await?
    {
        return Ok(Some(paid));
    }
    static PAY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let paying = Scenario::ALL
            .iter()
            .filter(|s| s.failure().is_none())
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "UPDATE sandbox_payments SET status = 'succeeded', updated_at = $1 \
             WHERE id = $2 AND status = 'awaiting_code' AND expires_at > $1 \
             AND scenario IN ({paying}) RETURNING {COLUMNS}"
        )
    });
    let mut tx = db.begin_write().await?;
    let paid: Option<Row> = sqlx::query_as(&PAY)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(paid) = paid else {
        tx.rollback().await.map_err(DbError::Sqlx)?;
        return Ok(None);
    };
    let scenario = Scenario::parse(paid.scenario.as_deref().unwrap_or_default());
    notify(&mut tx, &paid, scenario, now).await?;
    tx.commit().await.map_err(DbError::Sqlx)?;
    Ok(Some(paid))
}

/// `pay_with_code` for the plain paying scenario on PostgreSQL: the move and its one
/// notification in one statement (data-modifying `WITH`), without a transaction around two:
/// one round trip instead of four (issue 23). The body is the JSON `queue` would write,
/// built from the moved row by the database (the payments tests read it back as a
/// `Notification`). `None` when nothing moved, or the scenario is another: the caller then
/// takes the transaction's way, which queues what that scenario calls for.
async fn pay_and_notify_at_once(db: &Db, id: &str, now: i64) -> Result<Option<Row>, SandboxError> {
    static PAY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let view = "json_build_object('id', id, 'merchant_ref', merchant_ref, 'status', status, \
            'failure', failure, 'amount_minor', amount_minor, 'currency', currency, \
            'method', method, 'brand', brand, 'masked', masked, \
            'refunded_minor', refunded_minor, 'redirect_url', NULL)";
        format!(
            "WITH paid AS (UPDATE sandbox_payments SET status = 'succeeded', updated_at = $1 \
             WHERE id = $2 AND status = 'awaiting_code' AND expires_at > $1 \
             AND scenario = '{success}' RETURNING {COLUMNS}), \
             queued AS (INSERT INTO sandbox_notifications (id, payment_id, seq, url, body, \
             status, attempts, deliver_after, created_at) \
             SELECT $3, id, 1, notify_url, \
             json_build_object('notification_id', $3::text, 'seq', 1, 'payment', {view})::text, \
             'pending', 0, $1, $1 FROM paid) \
             SELECT {COLUMNS} FROM paid",
            success = Scenario::Success.code()
        )
    });
    Ok(sqlx::query_as(&PAY)
        .bind(now)
        .bind(id)
        .bind(notification_id())
        .fetch_optional(db.writer())
        .await?)
}

fn notification_id() -> String {
    format!("ntf_{}", hex::encode(rand::random::<[u8; 12]>()))
}

/// Queues the notifications a payment's scenario calls for, as it finishes. A payment finishes
/// once (the status guards of `finish` and `pay_with_code`), and only then are its
/// notifications queued: they are numbered from 1 without reading the table.
async fn notify(
    tx: &mut WriteTx,
    finished: &Row,
    scenario: Scenario,
    now: i64,
) -> Result<(), SandboxError> {
    match scenario {
        Scenario::NoNotification => {}
        Scenario::DuplicateNotification => {
            queue(tx, finished, 1, 0, now).await?;
            queue(tx, finished, 2, 0, now).await?;
        }
        Scenario::LateNotification => queue(tx, finished, 1, LATE_SECS, now).await?,
        Scenario::OutOfOrder => {
            // The newer news goes first; the older ("still open") follows a few seconds later.
            let mut older = finished.clone();
            older.status = "open".into();
            older.failure = None;
            queue(tx, finished, 2, 0, now).await?;
            queue(tx, &older, 1, 5, now).await?;
        }
        _ => queue(tx, finished, 1, 0, now).await?,
    }
    Ok(())
}

async fn queue(
    tx: &mut WriteTx,
    row: &Row,
    seq: i64,
    delay: i64,
    now: i64,
) -> Result<(), SandboxError> {
    let id = notification_id();
    let body = serde_json::to_string(&Notification {
        notification_id: id.clone(),
        seq,
        payment: row.view(None),
    })
    .map_err(|e| SandboxError::Db(DbError::Sqlx(sqlx::Error::Protocol(e.to_string()))))?;
    sqlx::query(
        "INSERT INTO sandbox_notifications (id, payment_id, seq, url, body, status, attempts, \
         deliver_after, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7)",
    )
    .bind(&id)
    .bind(&row.id)
    .bind(seq)
    .bind(&row.notify_url)
    .bind(&body)
    .bind(now + delay)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Gives back part of a paid amount. A repeated `refund_id` refunds nothing more.
pub async fn refund(
    db: &Db,
    id: &str,
    refund_id: &str,
    amount_minor: i64,
    now: i64,
) -> Result<Row, SandboxError> {
    let mut tx = db.begin_write().await?;
    let seen: Option<(i64,)> = sqlx::query_as(
        "SELECT amount_minor FROM sandbox_refunds WHERE payment_id = $1 AND refund_id = $2",
    )
    .bind(id)
    .bind(refund_id)
    .fetch_optional(&mut *tx)
    .await?;
    if seen.is_none() {
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT status, amount_minor, refunded_minor FROM sandbox_payments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (status, paid, refunded) = row.ok_or(SandboxError::NotFound)?;
        if status != "succeeded" {
            return Err(SandboxError::NotPaid);
        }
        if amount_minor <= 0 || refunded + amount_minor > paid {
            return Err(SandboxError::RefundTooLarge);
        }
        sqlx::query(
            "INSERT INTO sandbox_refunds (payment_id, refund_id, amount_minor, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(refund_id)
        .bind(amount_minor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE sandbox_payments SET refunded_minor = refunded_minor + $1, updated_at = $2 WHERE id = $3",
        )
        .bind(amount_minor)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await.map_err(DbError::Sqlx)?;
    get(db, id, now).await
}

/// A notification a worker holds.
#[derive(sqlx::FromRow)]
pub struct Due {
    pub id: String,
    pub url: String,
    pub body: String,
    pub attempts: i64,
}

/// How long a claim lasts: longer than the HTTP timeout.
const LEASE_SECS: i64 = 60;
/// Tries before the sandbox gives up on a notification (the merchant must poll).
pub const MAX_NOTIFY_ATTEMPTS: i64 = 6;

/// Takes up to `limit` of the oldest due notifications, in one statement of the form of
/// `platform::outbox::claim` (which says why the rows are chosen in `MATERIALIZED` steps, one
/// for each partial index, and why the WHERE repeats): under payments they fall due several
/// at a time, and a claim and a marking each were a write waiting its turn for SQLite's one
/// writer, for every notification.
pub async fn claim_notifications(
    db: &Db,
    now: i64,
    limit: usize,
) -> Result<Vec<Due>, SandboxError> {
    const DUE: &str = "((status = 'pending' AND deliver_after <= $2) \
                       OR (status = 'sending' AND claimed_until <= $2))";
    let skip_locked = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    Ok(sqlx::query_as(&format!(
        "WITH pending AS MATERIALIZED \
         (SELECT id, deliver_after AS due, seq FROM sandbox_notifications \
          WHERE status = 'pending' AND deliver_after <= $2 \
          ORDER BY deliver_after, seq LIMIT $3 {skip_locked}), \
         lapsed AS MATERIALIZED \
         (SELECT id, claimed_until AS due, seq FROM sandbox_notifications \
          WHERE status = 'sending' AND claimed_until <= $2 \
          ORDER BY claimed_until LIMIT $3 {skip_locked}), \
         picked AS MATERIALIZED \
         (SELECT id FROM (SELECT * FROM pending UNION ALL SELECT * FROM lapsed) AS d \
          ORDER BY due, seq LIMIT $3) \
         UPDATE sandbox_notifications SET status = 'sending', claimed_until = $1, \
         attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM picked) AND {DUE} \
         RETURNING id, url, body, attempts"
    ))
    .bind(now + LEASE_SECS)
    .bind(now)
    .bind(limit as i64)
    .fetch_all(db.writer())
    .await?)
}

/// The notifications of a claim the merchant accepted, in one statement.
pub async fn notifications_delivered(db: &Db, ids: &[&str], now: i64) -> Result<(), SandboxError> {
    if ids.is_empty() {
        return Ok(());
    }
    let places: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "UPDATE sandbox_notifications SET status = 'delivered', last_error = NULL, \
         deliver_after = $1, claimed_until = NULL WHERE id IN ({})",
        places.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(db.writer()).await?;
    Ok(())
}

/// A notification the merchant did not accept: tried again after a growing pause, or given up.
pub async fn notification_failed(
    db: &Db,
    due: &Due,
    error: &str,
    now: i64,
) -> Result<(), SandboxError> {
    let status = if due.attempts >= MAX_NOTIFY_ATTEMPTS {
        "failed"
    } else {
        "pending"
    };
    // 10 s, 20 s, 40 s, … between tries.
    let delay = 10_i64 << (due.attempts.clamp(1, 10) - 1);
    sqlx::query(
        "UPDATE sandbox_notifications SET status = $1, last_error = $2, deliver_after = $3, \
         claimed_until = NULL WHERE id = $4",
    )
    .bind(status)
    .bind(error)
    .bind(now + delay)
    .bind(&due.id)
    .execute(db.writer())
    .await?;
    Ok(())
}
