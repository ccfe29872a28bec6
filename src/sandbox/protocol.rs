//! The sandbox gateway's wire protocol: JSON bodies signed with the merchant secret (see
//! `platform::gateway::signature`). This module is all the portal and the sandbox share, as a
//! merchant and a payment company share a published API.

use serde::{Deserialize, Serialize};

/// `POST {base}/api/payments`: open a payment. Repeating it with the same `merchant_ref`
/// returns the payment already opened.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CreatePayment {
    pub merchant_ref: String,
    /// The merchant's reference, shown on the page.
    pub reference: String,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    pub language: String,
    pub return_url: String,
    pub notify_url: String,
    pub expires_at: i64,
}

/// A payment as the sandbox sees it: the answer to every API call and the body of every
/// notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub id: String,
    pub merchant_ref: String,
    /// `open`, `succeeded`, `failed`, `cancelled`, `expired`.
    pub status: String,
    pub failure: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub method: Option<String>,
    pub brand: Option<String>,
    pub masked: Option<String>,
    pub refunded_minor: i64,
    /// The page the payer is sent to (in API answers; notifications leave it out).
    pub redirect_url: Option<String>,
}

/// `POST {base}/api/payments/{id}/refunds`. Repeating a `refund_id` refunds nothing more.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Refund {
    pub refund_id: String,
    pub amount_minor: i64,
}

/// What the sandbox posts to the merchant's `notify_url`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notification {
    pub notification_id: String,
    /// Increases with each notification about one payment; a merchant may meet them out of order.
    pub seq: i64,
    pub payment: PaymentView,
}

/// An error answer: `{"error": "refund_exceeds_payment"}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
}
