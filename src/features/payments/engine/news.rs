//! News of a payment: a gateway's signed notification, and the questions we ask it ourselves
//! (the return page, the poller), each applied through the same state machine.

use super::*;
use crate::features::payments::store::{self, Changes};
use crate::{
    domain::payment::PaymentEvent,
    platform::{
        db::Db,
        gateway::{GatewayStatus, PaymentGateway},
    },
};

/// A server-to-server notification: authenticated, then applied; its id is recorded with what
/// it writes, so a replay writes nothing (`first_sight`).
pub async fn notification(
    p: &Payments,
    db: &Db,
    signature_header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<Applied, PaymentError> {
    let notice = p.gateway.verify_notification(signature_header, body, now)?;
    let row = load(db, &notice.observed.payment_id).await?;
    let by = By::notification("gateway", &notice.notification_id);
    apply_observed_to(p, db, &row, &notice.observed, by, now).await
}

/// Asks the gateway about one payment and applies the answer; expires what ran out of time.
pub async fn check(
    p: &Payments,
    db: &Db,
    payment_id: &str,
    actor: &str,
    now: i64,
) -> Result<Applied, PaymentError> {
    let row = load(db, payment_id).await?;
    check_row(p, db, &row, actor, now).await
}

/// `check` for a payment the caller has just read (the return page, after its owner check).
pub async fn check_row(
    p: &Payments,
    db: &Db,
    row: &PaymentRow,
    actor: &str,
    now: i64,
) -> Result<Applied, PaymentError> {
    if !row.state().is_live() {
        return Ok(Applied::Unchanged);
    }
    let observed = p
        .gateway
        .status(&row.id, row.gateway_ref.as_deref())
        .await?;
    match observed.status {
        // The gateway never heard of it and it is too late for the request to arrive now.
        GatewayStatus::Unknown if now >= row.created_at + CREATE_TIMEOUT_SECS => {
            let by = By::because(actor, "unknown to the gateway");
            fail(p, db, &row.id, "never_opened", by, now).await
        }
        GatewayStatus::Open | GatewayStatus::Unknown
            if now >= row.expires_at + EXPIRY_GRACE_SECS =>
        {
            transition(
                p,
                db,
                Known::Row(row),
                PaymentEvent::Expired,
                &Changes::default(),
                By::actor(actor),
                now,
            )
            .await
        }
        GatewayStatus::Open | GatewayStatus::Unknown => {
            let next = (now + NOTIFICATION_OVERDUE_SECS).min(row.expires_at + EXPIRY_GRACE_SECS);
            store::postpone_check(db, &row.id, next.max(now + 5)).await?;
            Ok(Applied::Unchanged)
        }
        // Applied to the payment we asked about, whatever id the answer carries.
        _ => apply_observed_to(p, db, row, &observed, By::actor(actor), now).await,
    }
}

/// One round of the poller: every live payment whose news is overdue is asked about.
/// Returns how many were checked.
pub async fn poll_due(p: &Payments, db: &Db, now: i64) -> Result<usize, PaymentError> {
    let due = store::due_for_check(db, now, 100).await?;
    for id in &due {
        match check(p, db, id, "poller", now).await {
            Ok(_) => {}
            // One unreachable gateway call must not stop the others; try this one later.
            Err(PaymentError::Gateway(e)) => {
                tracing::warn!(payment = %id, error = %e, "poller could not ask the gateway");
                store::postpone_check(db, id, now + 30).await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(due.len())
}
