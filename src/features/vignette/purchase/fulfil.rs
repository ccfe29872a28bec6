//! What a paid vignette order delivers, in the transaction that records the payment: the
//! vignette, sealed with the active signing key, and its e-mail with the PDF.

use super::*;

/// The payment's fulfilment: the vignette, sealed with the active signing key, in the
/// transaction that records the success.
#[cfg(feature = "ssr")]
pub struct IssueVignette {
    /// The keys the vignette's seal is signed with.
    pub keys: std::sync::Arc<crate::platform::signing::Keyring>,
    /// Where the QR code's public check is.
    pub public_url: String,
}

#[cfg(feature = "ssr")]
impl crate::features::payments::engine::Fulfil for IssueVignette {
    fn delivered_page(&self, order: crate::platform::orders::OrderRef<'_>) -> Option<String> {
        Some(bought_path(order.id))
    }

    fn fulfil<'c>(
        &'c self,
        conn: &'c mut sqlx::AnyConnection,
        order: &'c crate::features::payments::store::Order,
        paid: crate::features::payments::engine::Paid<'c>,
        outgoing: &'c mut crate::platform::outbox::Outgoing,
        now: i64,
    ) -> crate::features::payments::engine::FulfilFuture<'c> {
        use crate::features::vignette::store::{self, Issue};
        use crate::{domain::vignette::Subject, features::payments::engine::Fulfilled};
        Box::pin(async move {
            let Some(subject) = Subject::parse(&order.subject) else {
                return Ok(Fulfilled::Refused(format!(
                    "unreadable vignette subject {:?}",
                    order.subject
                )));
            };
            Ok(
                match store::issue_vignette(conn, order, paid.reference, &subject, &self.keys, now)
                    .await?
                {
                    Issue::Issued(vignette) => {
                        tracing::info!(order = %order.id, number = %vignette.number, "vignette issued");
                        if let Some(email) = paid.email {
                            let to = (email, paid.language);
                            send_vignette(outgoing, order, &vignette, to, &self.public_url);
                        }
                        Fulfilled::Done
                    }
                    Issue::AlreadyHas(number) => Fulfilled::Refused(format!(
                        "the vehicle already has vignette {number} for {}",
                        subject.campaign_year
                    )),
                    Issue::NoSuchVehicle => {
                        Fulfilled::Refused("the order's vehicle is gone".into())
                    }
                },
            )
        })
    }
}

/// The address and language the vignette of `order` is sent to: its payer's, in the language
/// they paid in (`None` when the account is gone).
#[cfg(feature = "ssr")]
pub(super) async fn payer_of(
    conn: &mut sqlx::AnyConnection,
    order: &crate::features::payments::store::Order,
) -> Result<Option<(String, String)>, crate::platform::db::DbError> {
    Ok(sqlx::query_as(
        "SELECT a.email, p.language FROM payments p JOIN accounts a ON a.id = p.account_id
         WHERE p.order_id = $1 AND p.state = 'succeeded'
         ORDER BY p.succeeded_at DESC LIMIT 1",
    )
    .bind(&order.id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Adds the vignette's e-mail (the PDF attached) to what the issuing transaction sends, to
/// `to` (address, language).
#[cfg(feature = "ssr")]
pub(super) fn send_vignette(
    outgoing: &mut crate::platform::outbox::Outgoing,
    order: &crate::features::payments::store::Order,
    vignette: &crate::features::vignette::store::VignetteRecord,
    (email, language): (&str, &str),
    public_url: &str,
) {
    use crate::platform::outbox::Notification;
    let params = serde_json::to_value(crate::features::vignette::document::VignetteDocument::new(
        vignette, public_url,
    ))
    .unwrap_or_default();
    outgoing.add(
        &Notification::email(
            crate::features::vignette::messages::VIGNETTE_ISSUED,
            email,
            language,
        )
        .account(&order.account_id)
        .params(params),
    );
}
