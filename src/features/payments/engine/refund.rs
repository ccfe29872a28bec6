//! Refunds: money given back through the gateway, then recorded, at most what was paid.

use super::*;
use crate::features::payments::store::{self, Changes};
use crate::{
    domain::{
        money::Money,
        payment::{PaymentEvent, TransitionError},
    },
    platform::{db::Db, gateway::PaymentGateway},
};

/// Gives back `minor` of a paid payment through the gateway, then records it. `refund_id`
/// (from the administrator's form) makes a retried request refund once, here and at the gateway.
#[allow(clippy::too_many_arguments)]
pub async fn refund(
    p: &Payments,
    db: &Db,
    payment_id: &str,
    minor: i64,
    refund_id: &str,
    actor: &str,
    reason: &str,
    now: i64,
) -> Result<Applied, PaymentError> {
    let row = load(db, payment_id).await?;
    let already = {
        let mut conn = db.pool().acquire().await?;
        store::refund_recorded(&mut conn, payment_id, refund_id).await?
    };
    if already {
        return Ok(Applied::Unchanged);
    }
    // Refused here before the gateway is asked: not more than what is left, not nothing.
    row.payment.apply(PaymentEvent::Refunded { minor })?;
    let gateway_ref = row
        .gateway_ref
        .clone()
        .ok_or(PaymentError::Refused(TransitionError::NothingToRefund))?;
    p.gateway
        .refund(
            &gateway_ref,
            refund_id,
            Money::new(minor, row.payment.amount.currency),
        )
        .await?;
    // Read again inside the transaction: the gateway's refund took time.
    transition(
        p,
        db,
        Known::Id(payment_id),
        PaymentEvent::Refunded { minor },
        &Changes::default(),
        By {
            actor,
            reason: Some(reason),
            refund_id: Some(refund_id),
            notification: None,
        },
        now,
    )
    .await
}
