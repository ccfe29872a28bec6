//! The payment engine: one for every service and every gateway.
//!
//! - Starting a payment is idempotent: the "Pay" form carries a key; the same key, or a second
//!   submission while the order has a live payment, leads to the payment already started
//!   (unique indexes decide, not a check-then-insert race).
//! - Every change of state goes through `domain::payment::Payment::apply` and is a
//!   compare-and-set in the database; the success of a payment, the order's fulfilment and the
//!   service's own fulfilment run in one transaction, so they happen together, once.
//! - What the gateway says is trusted only when authenticated (signed notifications) or asked
//!   by us (return page, poller); an amount or currency that differs from ours is refused and
//!   flagged for a human.

use super::store::{self, Changes, Event, PaymentRow};
pub use crate::platform::orders::{
    Fulfil, FulfilFuture, Fulfilled, Fulfilments, Order, Paid, Payments,
};
use crate::{
    domain::{
        money::Money,
        payment::{Payment, PaymentEvent, PaymentState, Transition, TransitionError},
    },
    platform::{
        db::{Backend, Db, DbError},
        gateway::{
            CreateRequest, GatewayError, GatewayStatus, NotificationError, Observed, PaymentGateway,
        },
        outbox::Outgoing,
    },
};
use sqlx::AnyConnection;

mod news;
mod refund;

pub use news::*;
pub use refund::*;

/// After this long without news the poller asks the gateway about a pending payment.
pub const NOTIFICATION_OVERDUE_SECS: i64 = 120;
/// A payment still `created` this long after it was made never reached the gateway.
pub const CREATE_TIMEOUT_SECS: i64 = 60;
/// After its expiry, how long a gateway that does not expire payments itself is given.
const EXPIRY_GRACE_SECS: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("no such order or payment for this account")]
    NotFound,
    #[error("the order has already been paid")]
    AlreadyPaid,
    #[error(transparent)]
    Refused(#[from] TransitionError),
    #[error("notification refused: {0}")]
    Notification(#[from] NotificationError),
    #[error("another request changed the payment at the same time; try again")]
    Busy,
}

impl From<sqlx::Error> for PaymentError {
    fn from(e: sqlx::Error) -> Self {
        PaymentError::Db(DbError::Sqlx(e))
    }
}

/// A new order, made by a service for its own thing (a vignette for a vehicle and a year).
pub struct NewOrder<'a> {
    pub account_id: &'a str,
    pub kind: &'static str,
    pub subject: &'a str,
    /// What the receipt says it is for, in each language.
    pub description: [(&'static str, String); 3],
    pub amount: Money,
}

/// Writes an order (in the service's transaction, or on its own on `db.writer()`) and returns
/// it as written.
pub async fn create_order<'e>(
    conn: impl sqlx::Executor<'e, Database = sqlx::Any>,
    new: &NewOrder<'_>,
    now: i64,
) -> Result<Order, DbError> {
    let order = new_order(new, now);
    store::insert_order(conn, &order).await?;
    Ok(order)
}

/// The order as `create_order` would write it, not written yet: for `ToPay::New`.
pub fn new_order(new: &NewOrder<'_>, now: i64) -> Order {
    let description: serde_json::Map<String, serde_json::Value> = new
        .description
        .iter()
        .map(|(lang, text)| (lang.to_string(), serde_json::Value::from(text.as_str())))
        .collect();
    Order {
        id: uuid::Uuid::new_v4().to_string(),
        account_id: new.account_id.to_string(),
        kind: new.kind.to_string(),
        subject: new.subject.to_string(),
        description: serde_json::Value::Object(description).to_string(),
        amount: new.amount,
        fulfilled_at: None,
        created_at: now,
    }
}

/// The order a "Pay" is for: named by a form (read here, its owner checked), or made by the
/// service in this very request (`new_order`: its owner checked here too, nothing read, and
/// written with its payment).
pub enum ToPay<'a> {
    Named(&'a str),
    New(Order),
}

impl ToPay<'_> {
    pub fn id(&self) -> &str {
        match self {
            ToPay::Named(id) => id,
            ToPay::New(order) => &order.id,
        }
    }
}

/// The order, if it belongs to `account_id` (anyone else gets "not found").
pub async fn owned_order(db: &Db, account_id: &str, order_id: &str) -> Result<Order, PaymentError> {
    match store::order(db.pool(), order_id).await? {
        Some(o) if o.account_id == account_id => Ok(o),
        _ => Err(PaymentError::NotFound),
    }
}

/// The payment, if it belongs to `account_id`.
pub async fn owned_payment(
    db: &Db,
    account_id: &str,
    payment_id: &str,
) -> Result<PaymentRow, PaymentError> {
    match store::payment(db.pool(), payment_id).await? {
        Some(p) if p.account_id == account_id => Ok(p),
        _ => Err(PaymentError::NotFound),
    }
}

/// The payment with its order's kind and subject, if it belongs to `account_id`.
pub async fn owned_payment_with_order_ref(
    db: &Db,
    account_id: &str,
    payment_id: &str,
) -> Result<(PaymentRow, String, String), PaymentError> {
    match store::payment_with_order_ref(db.pool(), payment_id).await? {
        Some(found) if found.0.account_id == account_id => Ok(found),
        _ => Err(PaymentError::NotFound),
    }
}

/// Where a "Pay" submission leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    /// To the gateway's page.
    Gateway { payment_id: String, url: String },
    /// Another request is opening the payment at the gateway right now: show "please wait".
    Opening { payment_id: String },
    /// This submission was handled before and its payment has finished: show how it ended.
    Finished { payment_id: String },
}

/// A receipt-style reference: `PAY-` and 10 Crockford base-32 characters (no I, L, O, U).
fn new_reference() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 10] = rand::random();
    let code: String = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % 32] as char)
        .collect();
    format!("PAY-{code}")
}

/// The "Pay" button. `key` comes from the form; `language` is the user's, for the gateway page.
pub async fn start(
    p: &Payments,
    db: &Db,
    account_id: &str,
    order: ToPay<'_>,
    key: &str,
    language: &str,
    now: i64,
) -> Result<Started, PaymentError> {
    let (order, written) = match order {
        ToPay::Named(id) => (owned_order(db, account_id, id).await?, true),
        ToPay::New(order) if order.account_id == account_id => (order, false),
        ToPay::New(_) => return Err(PaymentError::NotFound),
    };
    if order.fulfilled_at.is_some() {
        // The submission that paid, sent again, leads to its payment; any other, to "paid".
        return match store::payment_by_key(db.pool(), account_id, key).await? {
            Some(existing) => follow(db, existing).await,
            None => Err(PaymentError::AlreadyPaid),
        };
    }
    let row = PaymentRow {
        id: uuid::Uuid::new_v4().to_string(),
        reference: new_reference(),
        order_id: order.id.clone(),
        account_id: account_id.to_string(),
        idempotency_key: key.to_string(),
        gateway: p.gateway.name().to_string(),
        language: language.to_string(),
        gateway_ref: None,
        redirect_url: None,
        method: None,
        brand: None,
        masked: None,
        // The amount is the order's, computed by the service on the server; never the browser's.
        payment: Payment::new(order.amount),
        failure: None,
        expires_at: now + p.ttl_secs,
        check_after: now + CREATE_TIMEOUT_SECS,
        succeeded_at: None,
        created_at: now,
    };
    let inserted = if written {
        store::insert_payment(db, &row, now).await?
    } else {
        store::insert_order_and_payment(db, &order, &row, now).await?
    };
    if !inserted {
        // A unique index said no: this key (the same submission again: a double click, a
        // browser's retry, back and resubmit), or a live payment for the order, exists already.
        // Asked only then, so that a first submission costs no read.
        let existing = match store::payment_by_key(db.pool(), account_id, key).await? {
            Some(e) => Some(e),
            None => store::live_payment(db.pool(), &order.id).await?,
        };
        return match existing {
            Some(e) => follow(db, e).await,
            // It finished between the insert and the read: the user may simply press Pay again.
            None => Err(PaymentError::Busy),
        };
    }
    open_at_gateway(p, db, &row, &order, language, now).await
}

/// Asks the gateway to open the payment we just recorded, and records its answer.
async fn open_at_gateway(
    p: &Payments,
    db: &Db,
    row: &PaymentRow,
    order: &Order,
    language: &str,
    now: i64,
) -> Result<Started, PaymentError> {
    let base = p.public_url.trim_end_matches('/');
    let notify_base = p.local.get().unwrap_or(base);
    let request = CreateRequest {
        payment_id: row.id.clone(),
        reference: row.reference.clone(),
        amount: row.payment.amount,
        description: order.description_in(language),
        language: language.to_string(),
        return_url: format!("{base}/payments/{}/return", row.id),
        notify_url: format!("{notify_base}/payments/notify/{}", p.gateway.name()),
        expires_at: row.expires_at,
    };
    match p.gateway.create(&request).await {
        Ok(opened) => {
            let changes = Changes {
                gateway_ref: Some(opened.gateway_ref.clone()),
                redirect_url: Some(opened.redirect_url.clone()),
                check_after: Some(now + NOTIFICATION_OVERDUE_SECS),
                ..Changes::default()
            };
            transition(
                p,
                db,
                Known::Row(row),
                PaymentEvent::Accepted,
                &changes,
                By::actor("portal"),
                now,
            )
            .await?;
            Ok(Started::Gateway {
                payment_id: row.id.clone(),
                url: opened.redirect_url,
            })
        }
        Err(GatewayError::Refused(why)) => {
            fail(
                p,
                db,
                &row.id,
                "gateway_refused",
                By::because("gateway", &why),
                now,
            )
            .await?;
            Err(PaymentError::Gateway(GatewayError::Refused(why)))
        }
        // Unreachable or unreadable: the payment stays `created`; the poller asks the gateway
        // (which may have opened it after all) once CREATE_TIMEOUT_SECS have passed.
        Err(e) => Err(PaymentError::Gateway(e)),
    }
}

/// Where an existing payment leads: its gateway page while open, its outcome once finished.
/// A payment another request is still opening is waited for briefly.
async fn follow(db: &Db, mut existing: PaymentRow) -> Result<Started, PaymentError> {
    for _ in 0..50 {
        match (existing.state(), &existing.redirect_url) {
            (PaymentState::Pending, Some(url)) => {
                return Ok(Started::Gateway {
                    payment_id: existing.id,
                    url: url.clone(),
                });
            }
            (PaymentState::Created, _) => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                match store::payment(db.pool(), &existing.id).await? {
                    Some(again) => existing = again,
                    None => return Err(PaymentError::NotFound),
                }
            }
            _ => {
                return Ok(Started::Finished {
                    payment_id: existing.id,
                });
            }
        }
    }
    Ok(Started::Opening {
        payment_id: existing.id,
    })
}

/// Who caused a transition and why, for the payment's history.
#[derive(Clone, Copy, Debug, Default)]
struct By<'a> {
    actor: &'a str,
    reason: Option<&'a str>,
    /// For refunds: the administrator's request id, recorded once.
    refund_id: Option<&'a str>,
    /// For a gateway's notification: its id, recorded with the first write it causes so that
    /// a replay of it causes none.
    notification: Option<&'a str>,
}

impl<'a> By<'a> {
    fn actor(actor: &'a str) -> Self {
        Self {
            actor,
            ..Self::default()
        }
    }

    fn because(actor: &'a str, reason: &'a str) -> Self {
        Self {
            actor,
            reason: Some(reason),
            ..Self::default()
        }
    }

    fn notification(actor: &'a str, id: &'a str) -> Self {
        Self {
            actor,
            notification: Some(id),
            ..Self::default()
        }
    }
}

/// Records the notification behind a write, in that write's transaction; `false` if it was
/// applied before (a replay: the caller writes nothing).
///
/// News that changes nothing records nothing: payments only move forward, so news that found
/// its payment already there (say, the notification after the return page settled it) finds
/// it there again whenever it is replayed.
async fn first_sight(
    p: &Payments,
    conn: &mut AnyConnection,
    by: By<'_>,
    now: i64,
) -> Result<bool, PaymentError> {
    let Some(id) = by.notification else {
        return Ok(true);
    };
    if store::first_sight_of_notification(conn, p.gateway.name(), id, now).await? {
        return Ok(true);
    }
    tracing::info!(notification = %id, "replayed notification ignored");
    Ok(false)
}

/// What applying a piece of news did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The payment moved to this state.
    Moved(PaymentState),
    /// The news was already applied (the notification and the return page race; the first
    /// moves the payment, the other finds it here): nothing changed. Says the state, so that
    /// the return page need not read the order again to know it was paid.
    AlreadyIn(PaymentState),
    /// Nothing to apply (a replayed notification, a payment still open): nothing changed.
    Unchanged,
    /// Refused by the state machine or by the checks (recorded, flagged when money is involved).
    Ignored,
}

/// A payment, read outside any transaction.
async fn load(db: &Db, payment_id: &str) -> Result<PaymentRow, PaymentError> {
    store::payment(db.pool(), payment_id)
        .await?
        .ok_or(PaymentError::NotFound)
}

/// The payment failed, for the reason `failure` (a code the pages translate).
async fn fail(
    p: &Payments,
    db: &Db,
    payment_id: &str,
    failure: &str,
    by: By<'_>,
    now: i64,
) -> Result<Applied, PaymentError> {
    let changes = Changes {
        failure: Some(failure.into()),
        ..Changes::default()
    };
    transition(
        p,
        db,
        Known::Id(payment_id),
        PaymentEvent::Failed,
        &changes,
        by,
        now,
    )
    .await
}

/// The payment a transition is for: its id, or the row the caller has just read.
#[derive(Clone, Copy)]
enum Known<'a> {
    Id(&'a str),
    Row(&'a PaymentRow),
}

/// Applies one event to a payment: the state machine decides, the database compares and sets,
/// and a success fulfils the order in the same transaction. Decides again when another request
/// changed the payment between our read and our write.
///
/// A row the caller has just read is tried first, when the event moves it: the compare-and-set
/// says whether it was still current, and saves reading it again (issue 23). Anything else (a
/// repeat, a refusal, a lost race) is decided on a row read inside the transaction. On
/// PostgreSQL, such a row's move that writes nothing else (the gateway's acceptance, an
/// expiry, a failure) is first tried as one statement with its history line, outside any
/// transaction (`move_alone`).
///
/// A lost race is decided again in the same transaction, on the row read again: on SQLite the
/// transaction holds the write lock, so the row is current; on PostgreSQL the failed update
/// waited for the winner's commit, and the next statement sees it (read committed). The return
/// page and the gateway's notification race for most payments (the sandbox sends its news as
/// the payer is sent back): a new transaction for each loser was two more round trips and a
/// rollback that sent its connection back to sqlx (issue 23). A transaction that writes
/// nothing is rolled back explicitly, for the same reason.
async fn transition(
    p: &Payments,
    db: &Db,
    payment: Known<'_>,
    event: PaymentEvent,
    changes: &Changes,
    by: By<'_>,
    now: i64,
) -> Result<Applied, PaymentError> {
    let actor = by.actor;
    let payment_id = match payment {
        Known::Id(id) => id,
        Known::Row(row) => row.id.as_str(),
    };
    let mut guess = match payment {
        Known::Row(row) if matches!(row.payment.apply(event), Ok(Transition::To { .. })) => {
            Some(row)
        }
        _ => None,
    };
    let postgres = db.backend() == Backend::Postgres;
    if let Some(row) = guess.filter(|_| postgres && by.notification.is_none()) {
        match move_alone(db, row, event, changes, by, now).await? {
            Alone::Moved(to) => return Ok(Applied::Moved(to)),
            Alone::Lost => guess = None,
            Alone::NeedsTransaction => {}
        }
    }
    let mut tx = db.begin_write().await?;
    if !first_sight(p, &mut tx, by, now).await? {
        tx.rollback().await?;
        return Ok(Applied::Unchanged);
    }
    for _ in 0..5 {
        let row = match guess.take() {
            Some(row) => row.clone(),
            None => match store::payment(&mut *tx, payment_id).await? {
                Some(row) => row,
                None => return Err(PaymentError::NotFound),
            },
        };
        let (to, refunded_to) = match row.payment.apply(event) {
            Ok(Transition::To {
                state,
                refunded_minor,
            }) => (state, refunded_minor),
            Ok(Transition::AlreadyThere) => {
                tx.rollback().await?;
                return Ok(Applied::AlreadyIn(row.state()));
            }
            Err(e) => {
                // Money taken for a payment we had closed must be given back by a person.
                if event == PaymentEvent::Succeeded {
                    store::flag(
                        &mut tx,
                        payment_id,
                        "paid_after_close",
                        &format!(
                            "gateway reports success for a {} payment",
                            row.state().code()
                        ),
                        now,
                    )
                    .await?;
                    tx.commit().await?;
                } else {
                    tx.rollback().await?;
                }
                tracing::info!(payment = %payment_id, error = %e, actor, "payment event refused");
                return match event {
                    PaymentEvent::Refunded { .. } => Err(PaymentError::Refused(e)),
                    _ => Ok(Applied::Ignored),
                };
            }
        };
        // PostgreSQL writes the event's line with the move (one round trip fewer).
        let line = event_line(payment_id, event, &row, to, changes, by);
        let moved = store::move_payment(
            &mut *tx,
            payment_id,
            row.state(),
            row.payment.refunded_minor,
            to,
            refunded_to,
            changes,
            postgres.then_some(&line),
            now,
        )
        .await?;
        let Some(store::Moved {
            row: moved,
            payer_email,
            order: marked,
        }) = moved
        else {
            // Someone else moved it between our read and our write: read again, here.
            continue;
        };
        if !postgres {
            store::record_event(&mut tx, &line, now).await?;
        }
        // What the payer is sent: written together, in one statement, before the commit.
        let mut outgoing = Outgoing::default();
        // The payer's address, for the fulfilment's e-mail, the receipt and a refund's notice.
        let paid = Paid {
            reference: &moved.reference,
            language: &moved.language,
            email: payer_email.as_deref(),
        };
        if to == PaymentState::Succeeded {
            let order = fulfil(p, &mut tx, &moved, marked, paid, &mut outgoing, now).await?;
            tell_payer(
                p,
                &mut outgoing,
                &moved,
                &order,
                paid,
                PayerNotice::Receipt,
                now,
            );
        }
        if let PaymentEvent::Refunded { minor } = event {
            let reason = by.reason.unwrap_or_default();
            let notice = PayerNotice::Refund { minor, reason };
            let order = store::order(&mut *tx, &row.order_id)
                .await?
                .ok_or(PaymentError::NotFound)?;
            tell_payer(p, &mut outgoing, &moved, &order, paid, notice, now);
        }
        outgoing.write(&mut tx, now).await?;
        tx.commit().await?;
        tracing::info!(payment = %payment_id, from = row.state().code(), to = to.code(), actor, "payment moved");
        return Ok(Applied::Moved(to));
    }
    tx.rollback().await?;
    Err(PaymentError::Busy)
}

/// What `move_alone` did.
enum Alone {
    Moved(PaymentState),
    /// Someone else moved the payment first: decide on the row as it is now.
    Lost,
    /// The move writes more than the payment and its history: it needs a transaction.
    NeedsTransaction,
}

/// A move that writes nothing but the payment and its history line (no fulfilment, no
/// notice, no notification's id), as one statement: on PostgreSQL, its own transaction and
/// one round trip instead of four (`store::move_payment`, issue 23).
async fn move_alone(
    db: &Db,
    row: &PaymentRow,
    event: PaymentEvent,
    changes: &Changes,
    by: By<'_>,
    now: i64,
) -> Result<Alone, PaymentError> {
    let Ok(Transition::To {
        state: to,
        refunded_minor,
    }) = row.payment.apply(event)
    else {
        return Ok(Alone::NeedsTransaction);
    };
    if to == PaymentState::Succeeded || matches!(event, PaymentEvent::Refunded { .. }) {
        return Ok(Alone::NeedsTransaction);
    }
    let line = event_line(&row.id, event, row, to, changes, by);
    let moved = store::move_payment(
        db.writer(),
        &row.id,
        row.state(),
        row.payment.refunded_minor,
        to,
        refunded_minor,
        changes,
        Some(&line),
        now,
    )
    .await?;
    if moved.is_none() {
        return Ok(Alone::Lost);
    }
    tracing::info!(payment = %row.id, from = row.state().code(), to = to.code(), actor = by.actor, "payment moved");
    Ok(Alone::Moved(to))
}

/// The line `event` writes in a payment's history when it moves `row` to `to`.
fn event_line<'a>(
    payment_id: &'a str,
    event: PaymentEvent,
    row: &'a PaymentRow,
    to: PaymentState,
    changes: &'a Changes,
    by: By<'a>,
) -> Event<'a> {
    Event {
        payment_id,
        actor: by.actor,
        event: event.code(),
        from: row.state(),
        to,
        gateway_ref: changes
            .gateway_ref
            .as_deref()
            .or(row.gateway_ref.as_deref()),
        amount_minor: match event {
            PaymentEvent::Refunded { minor } => Some(minor),
            _ => None,
        },
        reason: by.reason,
        refund_id: by.refund_id,
    }
}

/// The order's fulfilment, inside the success's transaction; the order as fulfilled. `marked`:
/// what the move's statement already did to the order (PostgreSQL).
async fn fulfil(
    p: &Payments,
    conn: &mut AnyConnection,
    row: &PaymentRow,
    marked: store::OrderMark,
    paid: Paid<'_>,
    outgoing: &mut Outgoing,
    now: i64,
) -> Result<Order, PaymentError> {
    let marked = match marked {
        store::OrderMark::Marked(order) => Some(order),
        store::OrderMark::AlreadyFulfilled => None,
        store::OrderMark::NotAsked => store::mark_fulfilled(conn, &row.order_id, now).await?,
    };
    let Some(order) = marked else {
        // Paid twice (two payments of one order both succeeded): keep the money's trail and
        // have a person refund one; the service's thing is not made twice.
        let order = store::order(&mut *conn, &row.order_id)
            .await?
            .ok_or(PaymentError::NotFound)?;
        store::flag(
            conn,
            &row.id,
            "order_paid_twice",
            "the order was already fulfilled",
            now,
        )
        .await?;
        return Ok(order);
    };
    match p.fulfilments.of(&order.kind) {
        Some(f) => {
            if let Fulfilled::Refused(why) = f.fulfil(conn, &order, paid, outgoing, now).await? {
                tracing::warn!(payment = %row.id, order = %order.id, why = %why, "fulfilment refused");
                store::flag(conn, &row.id, "fulfilment_refused", &why, now).await?;
            }
        }
        None => {
            store::flag(
                conn,
                &row.id,
                "no_fulfilment",
                &format!("no service fulfils {}", order.kind),
                now,
            )
            .await?;
        }
    }
    Ok(order)
}

/// What the payer is told, queued in the transaction of the event it tells about, in the
/// payer's language: the receipt (a success) or a refund notice.
enum PayerNotice<'a> {
    Receipt,
    Refund { minor: i64, reason: &'a str },
}

/// `paid` is the payment as the event left it (`move_payment`'s row); `to`, its payer. Adds
/// the notice to `outgoing`, which the event's transaction writes.
fn tell_payer(
    p: &Payments,
    outgoing: &mut Outgoing,
    paid: &PaymentRow,
    order: &Order,
    to: Paid<'_>,
    notice: PayerNotice<'_>,
    now: i64,
) {
    use crate::platform::outbox::Notification;
    let Some(email) = to.email else {
        return;
    };
    let mut params = serde_json::json!({
        "reference": paid.reference,
        "description": order.description_in(&paid.language),
        "currency": paid.payment.amount.currency.code(),
        "link": format!("{}{}", p.public_url.trim_end_matches('/'), super::pages::payment_path(&paid.id)),
    });
    let (template, details) = match notice {
        PayerNotice::Receipt => (
            super::messages::RECEIPT,
            serde_json::json!({
                "amount_minor": paid.payment.amount.minor,
                "method": paid.method,
                "brand": paid.brand,
                "masked": paid.masked,
                "paid_at": paid.succeeded_at.unwrap_or(now),
            }),
        ),
        PayerNotice::Refund { minor, reason } => (
            super::messages::REFUND,
            serde_json::json!({ "amount_minor": minor, "reason": reason }),
        ),
    };
    if let (Some(all), Some(more)) = (params.as_object_mut(), details.as_object()) {
        all.extend(more.clone());
    }
    outgoing.add(
        &Notification::email(template, email, &paid.language)
            .account(&paid.account_id)
            .params(params),
    );
}

/// Applies the gateway's view of a payment (from a notification, the return page or the poller)
/// to `row`, the payment it is about as just read.
async fn apply_observed_to(
    p: &Payments,
    db: &Db,
    row: &PaymentRow,
    observed: &Observed,
    by: By<'_>,
    now: i64,
) -> Result<Applied, PaymentError> {
    // A gateway reference that is not the one it gave us is someone else's payment.
    if let (Some(ours), Some(theirs)) = (&row.gateway_ref, &observed.gateway_ref)
        && ours != theirs
    {
        let why = format!("ours {ours}, theirs {theirs}");
        return flag_news(p, db, &row.id, "gateway_ref_mismatch", &why, by, now).await;
    }
    let mut changes = Changes {
        gateway_ref: observed.gateway_ref.clone(),
        method: observed.method.clone(),
        brand: observed.brand.clone(),
        masked: observed.masked.clone(),
        ..Changes::default()
    };
    let event = match &observed.status {
        GatewayStatus::Open | GatewayStatus::Unknown => return Ok(Applied::Unchanged),
        GatewayStatus::Succeeded => {
            if observed.amount != Some(row.payment.amount) {
                let why = format!(
                    "ours {} {}, gateway's {:?}",
                    row.payment.amount.minor,
                    row.payment.amount.currency.code(),
                    observed.amount.map(|m| (m.minor, m.currency.code()))
                );
                return flag_news(p, db, &row.id, "amount_mismatch", &why, by, now).await;
            }
            PaymentEvent::Succeeded
        }
        GatewayStatus::Failed(reason) => {
            changes.failure = Some(reason.clone());
            PaymentEvent::Failed
        }
        GatewayStatus::Cancelled => PaymentEvent::Cancelled,
        GatewayStatus::Expired => PaymentEvent::Expired,
    };
    // News we already have (the notification after the return, or the other way round) needs
    // no write transaction: the row read a moment ago is already there.
    if row.payment.apply(event) == Ok(Transition::AlreadyThere) {
        return Ok(Applied::AlreadyIn(row.state()));
    }
    transition(p, db, Known::Row(row), event, &changes, by, now).await
}

/// News refused by our checks: flagged for a person, once however often it is replayed.
async fn flag_news(
    p: &Payments,
    db: &Db,
    payment_id: &str,
    kind: &str,
    why: &str,
    by: By<'_>,
    now: i64,
) -> Result<Applied, PaymentError> {
    let mut tx = db.begin_write().await?;
    if !first_sight(p, &mut tx, by, now).await? {
        return Ok(Applied::Unchanged);
    }
    store::flag(&mut tx, payment_id, kind, why, now).await?;
    tx.commit().await?;
    Ok(Applied::Ignored)
}
