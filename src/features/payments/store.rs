//! The payments tables. Changes of state are compare-and-set (`WHERE state = <what we read>`):
//! whoever changes a payment first wins, and the others see zero rows changed and read again.

use crate::{
    domain::{
        money::{Currency, Money},
        payment::{Payment, PaymentState},
    },
    platform::db::{Backend, Db, DbError, OnUnique, qualified, qualified_as},
};
use sqlx::{Any, AnyConnection, Executor};

pub use crate::platform::orders::Order;

/// An `orders` row as stored (`ORDER_COLUMNS`).
#[derive(sqlx::FromRow)]
struct OrderRow {
    id: String,
    account_id: String,
    kind: String,
    subject: String,
    description: String,
    amount_minor: i64,
    currency: String,
    fulfilled_at: Option<i64>,
    created_at: i64,
}

fn order_from(r: OrderRow) -> Result<Order, DbError> {
    let currency =
        Currency::parse(&r.currency).ok_or_else(|| corrupt("orders.currency", &r.currency))?;
    Ok(Order {
        id: r.id,
        account_id: r.account_id,
        kind: r.kind,
        subject: r.subject,
        description: r.description,
        amount: Money::new(r.amount_minor, currency),
        fulfilled_at: r.fulfilled_at,
        created_at: r.created_at,
    })
}

fn corrupt(column: &str, value: &str) -> DbError {
    DbError::Sqlx(sqlx::Error::Decode(
        format!("unexpected value {value:?} in {column}").into(),
    ))
}

const ORDER_COLUMNS: &str =
    "id, account_id, kind, subject, description, amount_minor, currency, fulfilled_at, created_at";

/// The order's columns as `insert_order` writes them, its values numbered from `$first`.
fn order_insert(first: usize) -> String {
    format!(
        "INSERT INTO orders (id, account_id, kind, subject, description, amount_minor, currency, \
         created_at) VALUES ({})",
        placeholders(first, 8)
    )
}

fn bind_order<'q>(q: AnyQuery<'q>, o: &'q Order) -> AnyQuery<'q> {
    q.bind(&o.id)
        .bind(&o.account_id)
        .bind(&o.kind)
        .bind(&o.subject)
        .bind(&o.description)
        .bind(o.amount.minor)
        .bind(o.amount.currency.code())
        .bind(o.created_at)
}

/// `$first, $first+1, …`: `n` numbered placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

pub async fn insert_order<'e>(
    conn: impl Executor<'e, Database = Any>,
    o: &Order,
) -> Result<(), DbError> {
    bind_order(sqlx::query(&order_insert(1)), o)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn order<'e>(
    conn: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<Order>, DbError> {
    let row: Option<OrderRow> =
        sqlx::query_as(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(order_from).transpose()
}

/// The order a payment paid for, once that payment has succeeded (one read for the return page).
pub async fn order_paid_by<'e>(
    conn: impl Executor<'e, Database = Any>,
    payment_id: &str,
) -> Result<Option<Order>, DbError> {
    let columns = qualified("o", ORDER_COLUMNS);
    let row: Option<OrderRow> = sqlx::query_as(&format!(
        "SELECT {columns} FROM orders o JOIN payments p ON p.order_id = o.id \
         WHERE p.id = $1 AND p.state = 'succeeded'"
    ))
    .bind(payment_id)
    .fetch_optional(conn)
    .await?;
    row.map(order_from).transpose()
}

/// Marks the order fulfilled and gives it back as it now is; `None` if it already was (the
/// caller must not fulfil again). One statement, where a read and then this write were, in the
/// success's transaction, which on SQLite holds the only writing connection (issue 23).
pub async fn mark_fulfilled(
    conn: &mut AnyConnection,
    order_id: &str,
    now: i64,
) -> Result<Option<Order>, DbError> {
    let row: Option<OrderRow> = sqlx::query_as(&format!(
        "UPDATE orders SET fulfilled_at = $1 WHERE id = $2 AND fulfilled_at IS NULL \
         RETURNING {ORDER_COLUMNS}"
    ))
    .bind(now)
    .bind(order_id)
    .fetch_optional(conn)
    .await?;
    row.map(order_from).transpose()
}

/// One payment as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: String,
    pub reference: String,
    pub order_id: String,
    pub account_id: String,
    pub idempotency_key: String,
    pub gateway: String,
    pub language: String,
    pub gateway_ref: Option<String>,
    pub redirect_url: Option<String>,
    pub method: Option<String>,
    pub brand: Option<String>,
    pub masked: Option<String>,
    pub payment: Payment,
    pub failure: Option<String>,
    pub expires_at: i64,
    pub check_after: i64,
    pub succeeded_at: Option<i64>,
    pub created_at: i64,
}

impl PaymentRow {
    pub fn state(&self) -> PaymentState {
        self.payment.state
    }
}

const PAYMENT_COLUMNS: &str = "id, reference, order_id, account_id, idempotency_key, gateway, language, \
    gateway_ref, redirect_url, method, brand, masked, amount_minor, currency, state, refunded_minor, \
    failure, expires_at, check_after, succeeded_at, created_at";

#[derive(sqlx::FromRow)]
struct RawPayment {
    id: String,
    reference: String,
    order_id: String,
    account_id: String,
    idempotency_key: String,
    gateway: String,
    language: String,
    gateway_ref: Option<String>,
    redirect_url: Option<String>,
    method: Option<String>,
    brand: Option<String>,
    masked: Option<String>,
    amount_minor: i64,
    currency: String,
    state: String,
    refunded_minor: i64,
    failure: Option<String>,
    expires_at: i64,
    check_after: i64,
    succeeded_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<RawPayment> for PaymentRow {
    type Error = DbError;

    fn try_from(r: RawPayment) -> Result<Self, DbError> {
        let currency = Currency::parse(&r.currency)
            .ok_or_else(|| corrupt("payments.currency", &r.currency))?;
        let state =
            PaymentState::parse(&r.state).ok_or_else(|| corrupt("payments.state", &r.state))?;
        Ok(PaymentRow {
            id: r.id,
            reference: r.reference,
            order_id: r.order_id,
            account_id: r.account_id,
            idempotency_key: r.idempotency_key,
            gateway: r.gateway,
            language: r.language,
            gateway_ref: r.gateway_ref,
            redirect_url: r.redirect_url,
            method: r.method,
            brand: r.brand,
            masked: r.masked,
            payment: Payment {
                state,
                amount: Money::new(r.amount_minor, currency),
                refunded_minor: r.refunded_minor,
            },
            failure: r.failure,
            expires_at: r.expires_at,
            check_after: r.check_after,
            succeeded_at: r.succeeded_at,
            created_at: r.created_at,
        })
    }
}

async fn one_payment<'e>(
    conn: impl Executor<'e, Database = Any>,
    condition: &str,
    binds: &[&str],
) -> Result<Option<PaymentRow>, DbError> {
    let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE {condition}");
    let mut q = sqlx::query_as::<_, RawPayment>(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_optional(conn)
        .await?
        .map(PaymentRow::try_from)
        .transpose()
}

/// Payments started in `[start, end)`, oldest first, each with its order's kind (for reports).
pub async fn started_between(
    conn: &mut AnyConnection,
    start: i64,
    end: i64,
) -> Result<Vec<(PaymentRow, String)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct WithKind {
        #[sqlx(flatten)]
        payment: RawPayment,
        kind: String,
    }
    let columns = qualified("p", PAYMENT_COLUMNS);
    let rows: Vec<WithKind> = sqlx::query_as(&format!(
        "SELECT {columns}, o.kind FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.created_at >= $1 AND p.created_at < $2 ORDER BY p.created_at, p.id"
    ))
    .bind(start)
    .bind(end)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| Ok((PaymentRow::try_from(r.payment)?, r.kind)))
        .collect()
}

pub async fn payment<'e>(
    conn: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<PaymentRow>, DbError> {
    one_payment(conn, "id = $1", &[id]).await
}

/// A payment with its order's kind and subject (`OrderRef`, with the payment's `order_id`), in
/// one read: what the return page needs to send a paid payer on.
pub async fn payment_with_order_ref<'e>(
    conn: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<(PaymentRow, String, String)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct WithRef {
        #[sqlx(flatten)]
        payment: RawPayment,
        kind: String,
        subject: String,
    }
    let columns = qualified("p", PAYMENT_COLUMNS);
    let row: Option<WithRef> = sqlx::query_as(&format!(
        "SELECT {columns}, o.kind, o.subject FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((PaymentRow::try_from(r.payment)?, r.kind, r.subject)))
        .transpose()
}

pub async fn payment_by_key<'e>(
    conn: impl Executor<'e, Database = Any>,
    account_id: &str,
    key: &str,
) -> Result<Option<PaymentRow>, DbError> {
    one_payment(
        conn,
        "account_id = $1 AND idempotency_key = $2",
        &[account_id, key],
    )
    .await
}

pub async fn live_payment<'e>(
    conn: impl Executor<'e, Database = Any>,
    order_id: &str,
) -> Result<Option<PaymentRow>, DbError> {
    one_payment(
        conn,
        "order_id = $1 AND state IN ('created', 'pending')",
        &[order_id],
    )
    .await
}

/// The payment that paid the order, if one did.
pub async fn paid_payment<'e>(
    conn: impl Executor<'e, Database = Any>,
    order_id: &str,
) -> Result<Option<PaymentRow>, DbError> {
    one_payment(
        conn,
        "order_id = $1 AND state IN ('succeeded', 'partially_refunded', 'refunded')",
        &[order_id],
    )
    .await
}

/// The payment's columns as `insert_payment` writes them (state `created`), its values
/// numbered from `$first`.
fn payment_insert(first: usize) -> String {
    format!(
        "INSERT INTO payments (id, reference, order_id, account_id, idempotency_key, gateway, \
         language, amount_minor, currency, expires_at, check_after, created_at, updated_at, \
         state) VALUES ({}, ${}, 'created')",
        placeholders(first, 12),
        first + 11
    )
}

fn bind_payment<'q>(q: AnyQuery<'q>, p: &'q PaymentRow, now: i64) -> AnyQuery<'q> {
    q.bind(&p.id)
        .bind(&p.reference)
        .bind(&p.order_id)
        .bind(&p.account_id)
        .bind(&p.idempotency_key)
        .bind(&p.gateway)
        .bind(&p.language)
        .bind(p.payment.amount.minor)
        .bind(p.payment.amount.currency.code())
        .bind(p.expires_at)
        .bind(p.check_after)
        .bind(now)
}

/// Inserts a `created` payment; `Ok(false)` when a unique index refused it (the same
/// submission already made one, or the order has a live payment).
pub async fn insert_payment(db: &Db, p: &PaymentRow, now: i64) -> Result<bool, DbError> {
    let res = bind_payment(sqlx::query(&payment_insert(1)), p, now)
        .execute(db.writer())
        .await;
    Ok(res.on_unique()?.is_some())
}

/// `insert_order` and `insert_payment` for an order made by this very request. On PostgreSQL
/// one statement (the order in a data-modifying `WITH`): a round trip and a commit fewer a
/// purchase (issue 23), and an order whose payment a unique index refused is not left behind.
/// SQLite has no data-modifying `WITH`: the two statements, as before. `Ok(false)` as
/// `insert_payment`.
pub async fn insert_order_and_payment(
    db: &Db,
    o: &Order,
    p: &PaymentRow,
    now: i64,
) -> Result<bool, DbError> {
    if db.backend() != Backend::Postgres {
        insert_order(db.writer(), o).await?;
        return insert_payment(db, p, now).await;
    }
    let sql = format!(
        "WITH ordered AS ({}) {}",
        order_insert(1),
        payment_insert(9)
    );
    let res = bind_payment(bind_order(sqlx::query(&sql), o), p, now)
        .execute(db.writer())
        .await;
    Ok(res.on_unique()?.is_some())
}

/// The columns a transition may change besides the state.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub gateway_ref: Option<String>,
    pub redirect_url: Option<String>,
    pub method: Option<String>,
    pub brand: Option<String>,
    pub masked: Option<String>,
    pub failure: Option<String>,
    pub check_after: Option<i64>,
}

/// A payment as a transition left it, with its payer's e-mail address (`None`: the account is
/// gone), which a success's receipt and fulfilment and a refund's notice are sent to.
pub struct Moved {
    pub row: PaymentRow,
    pub payer_email: Option<String>,
    /// What the move's statement did to the payment's order.
    pub order: OrderMark,
}

/// The order, as a success's move left it. On PostgreSQL the statement that moves a payment to
/// `succeeded` also marks its order fulfilled (one round trip fewer in the success's
/// transaction, issue 23); elsewhere the caller does (`mark_fulfilled`).
pub enum OrderMark {
    /// Not asked: not a success, or not PostgreSQL.
    NotAsked,
    /// Marked fulfilled by this move, as `mark_fulfilled` gives it.
    Marked(Order),
    /// Already fulfilled by another payment of the order (paid twice).
    AlreadyFulfilled,
}

/// Moves a payment from `from` (with `refunded_from`) to `to`, and gives it as it now is;
/// `None` when someone else changed it first. The payer's address comes back in the same
/// statement (a subquery in `RETURNING`, which SQLite and PostgreSQL both allow): a read less
/// in the success's transaction, which on SQLite holds the only writing connection.
///
/// With `event` (PostgreSQL only), its line in the payment's history is written by the same
/// statement, only if the payment moved (a data-modifying `WITH`, which SQLite lacks: there
/// the caller writes the line with `record_event` in its transaction). One statement is atomic on its own, so
/// a move that writes nothing else needs no transaction there: one round trip instead of four
/// (`BEGIN`, the move, the event, `COMMIT`), issue 23. A success's statement there also marks
/// the order fulfilled (`Moved::order`), only if the payment moved.
#[allow(clippy::too_many_arguments)]
pub async fn move_payment<'e>(
    exec: impl Executor<'e, Database = Any>,
    id: &str,
    from: PaymentState,
    refunded_from: i64,
    to: PaymentState,
    refunded_to: i64,
    changes: &Changes,
    event: Option<&Event<'_>>,
    now: i64,
) -> Result<Option<Moved>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Returned {
        #[sqlx(flatten)]
        payment: RawPayment,
        payer_email: Option<String>,
    }
    /// The order's columns, `o_`-prefixed: absent unless the statement fulfils, all NULL
    /// when the order was fulfilled already.
    #[derive(sqlx::FromRow)]
    struct ReturnedWithOrder {
        #[sqlx(flatten)]
        moved: Returned,
        #[sqlx(default)]
        o_id: Option<String>,
        #[sqlx(default)]
        o_account_id: Option<String>,
        #[sqlx(default)]
        o_kind: Option<String>,
        #[sqlx(default)]
        o_subject: Option<String>,
        #[sqlx(default)]
        o_description: Option<String>,
        #[sqlx(default)]
        o_amount_minor: Option<i64>,
        #[sqlx(default)]
        o_currency: Option<String>,
        #[sqlx(default)]
        o_fulfilled_at: Option<i64>,
        #[sqlx(default)]
        o_created_at: Option<i64>,
    }
    const SET: &str = "UPDATE payments SET state = $1, refunded_minor = $2, \
         gateway_ref = COALESCE($3, gateway_ref), redirect_url = COALESCE($4, redirect_url), \
         method = COALESCE($5, method), brand = COALESCE($6, brand), masked = COALESCE($7, masked), \
         failure = COALESCE($8, failure), check_after = COALESCE($9, check_after), \
         succeeded_at = CASE WHEN $1 = 'succeeded' THEN $10 ELSE succeeded_at END, updated_at = $10 \
         WHERE id = $11 AND state = $12 AND refunded_minor = $13";
    static MOVE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "{SET} RETURNING {PAYMENT_COLUMNS}, \
             (SELECT email FROM accounts WHERE accounts.id = payments.account_id) AS payer_email"
        )
    });
    static MOVE_AND_RECORD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "WITH moved AS ({}), \
             recorded AS (INSERT INTO payment_events (id, payment_id, at, actor, event, \
             from_state, to_state, gateway_ref, amount_minor, reason, refund_id) \
             SELECT $14, id, $10, $15, $16, $12, $1, $17, $18, $19, $20 FROM moved) \
             SELECT * FROM moved",
            MOVE.as_str()
        )
    });
    // The order's row comes back beside the payment's: the final `SELECT` joins the two
    // statements' `RETURNING` rows (no row when the payment did not move).
    static MOVE_RECORD_AND_FULFIL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let order = qualified_as("f", ORDER_COLUMNS, "o_");
        format!(
            "{}, fulfilled AS (UPDATE orders SET fulfilled_at = $10 \
             WHERE id = (SELECT order_id FROM moved) AND fulfilled_at IS NULL \
             RETURNING {ORDER_COLUMNS}) \
             SELECT moved.*, {order} FROM moved LEFT JOIN fulfilled f ON TRUE",
            MOVE_AND_RECORD
                .strip_suffix(" SELECT * FROM moved")
                .unwrap_or_default()
        )
    });
    let fulfils = event.is_some() && to == PaymentState::Succeeded;
    let query = sqlx::query_as::<_, ReturnedWithOrder>(if fulfils {
        &MOVE_RECORD_AND_FULFIL
    } else if event.is_some() {
        &MOVE_AND_RECORD
    } else {
        &MOVE
    })
    .bind(to.code())
    .bind(refunded_to)
    .bind(&changes.gateway_ref)
    .bind(&changes.redirect_url)
    .bind(&changes.method)
    .bind(&changes.brand)
    .bind(&changes.masked)
    .bind(&changes.failure)
    .bind(changes.check_after)
    .bind(now)
    .bind(id)
    .bind(from.code())
    .bind(refunded_from);
    let query = match event {
        Some(e) => {
            debug_assert!(e.payment_id == id && e.from == from && e.to == to);
            query
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(e.actor)
                .bind(e.event)
                .bind(e.gateway_ref)
                .bind(e.amount_minor)
                .bind(e.reason)
                .bind(e.refund_id)
        }
        None => query,
    };
    let Some(r) = query.fetch_optional(exec).await? else {
        return Ok(None);
    };
    let order = match (fulfils, r.o_id) {
        (false, _) => OrderMark::NotAsked,
        (true, None) => OrderMark::AlreadyFulfilled,
        (true, Some(id)) => OrderMark::Marked(order_from(OrderRow {
            id,
            account_id: r.o_account_id.unwrap_or_default(),
            kind: r.o_kind.unwrap_or_default(),
            subject: r.o_subject.unwrap_or_default(),
            description: r.o_description.unwrap_or_default(),
            amount_minor: r.o_amount_minor.unwrap_or_default(),
            currency: r.o_currency.unwrap_or_default(),
            fulfilled_at: r.o_fulfilled_at,
            created_at: r.o_created_at.unwrap_or_default(),
        })?),
    };
    Ok(Some(Moved {
        row: PaymentRow::try_from(r.moved.payment)?,
        payer_email: r.moved.payer_email,
        order,
    }))
}

/// One line of a payment's history.
pub struct Event<'a> {
    pub payment_id: &'a str,
    pub actor: &'a str,
    pub event: &'a str,
    pub from: PaymentState,
    pub to: PaymentState,
    pub gateway_ref: Option<&'a str>,
    pub amount_minor: Option<i64>,
    pub reason: Option<&'a str>,
    pub refund_id: Option<&'a str>,
}

pub async fn record_event(
    conn: &mut AnyConnection,
    e: &Event<'_>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO payment_events (id, payment_id, at, actor, event, from_state, to_state, \
         gateway_ref, amount_minor, reason, refund_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(e.payment_id)
    .bind(now)
    .bind(e.actor)
    .bind(e.event)
    .bind(e.from.code())
    .bind(e.to.code())
    .bind(e.gateway_ref)
    .bind(e.amount_minor)
    .bind(e.reason)
    .bind(e.refund_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Something a human must look at (see the `payment_flags` table).
pub async fn flag(
    conn: &mut AnyConnection,
    payment_id: &str,
    kind: &str,
    detail: &str,
    now: i64,
) -> Result<(), DbError> {
    tracing::warn!(payment = %payment_id, kind, detail, "payment flagged for review");
    sqlx::query(
        "INSERT INTO payment_flags (id, payment_id, kind, detail, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(payment_id)
    .bind(kind)
    .bind(detail)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Live payments the poller should ask the gateway about now. The condition on `state` is the
/// partial index `payments_due`'s, word for word: SQLite uses a partial index only then.
pub async fn due_for_check(db: &Db, now: i64, limit: i64) -> Result<Vec<String>, DbError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM payments WHERE state IN ('created', 'pending') AND check_after <= $1 \
         ORDER BY check_after LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Pushes back the next check of a payment that is still live.
pub async fn postpone_check(db: &Db, id: &str, check_after: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE payments SET check_after = $1 WHERE id = $2 AND state IN ('created', 'pending')",
    )
    .bind(check_after)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Records a notification id; `false` if it was seen before (a replay).
pub async fn first_sight_of_notification<'e>(
    conn: impl Executor<'e, Database = Any>,
    gateway: &str,
    notification_id: &str,
    now: i64,
) -> Result<bool, DbError> {
    let n = sqlx::query(
        "INSERT INTO gateway_notifications (gateway, notification_id, received_at) \
         VALUES ($1, $2, $3) ON CONFLICT (gateway, notification_id) DO NOTHING",
    )
    .bind(gateway)
    .bind(notification_id)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Whether a refund with this id was already recorded for the payment.
pub async fn refund_recorded(
    conn: &mut AnyConnection,
    payment_id: &str,
    refund_id: &str,
) -> Result<bool, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM payment_events WHERE payment_id = $1 AND refund_id = $2")
            .bind(payment_id)
            .bind(refund_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}
