//! Payment gateways: what the payment engine needs from a payment company, and the adapters
//! that speak each company's protocol. The engine knows only [`PaymentGateway`]; which one runs
//! is configuration (`BAWABA_PAYMENT_GATEWAY`).
//!
//! - [`sandbox::SandboxClient`]: the embedded simulated company (see `crate::sandbox`), with
//!   hosted pages, signed server-to-server notifications and refunds.
//! - [`epay::EpayClient`]: a redirect-and-confirm platform without notifications (the
//!   CIB/Edahabia ePayment style): the engine learns outcomes on return and by polling.

pub mod epay;
pub mod sandbox;
pub mod signature;

use crate::domain::money::Money;
use std::future::Future;

/// What the engine asks a gateway to open.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    /// Our payment id: gateways must treat a second request with the same id as the first.
    pub payment_id: String,
    /// Our reference, shown to the user on the gateway's page.
    pub reference: String,
    pub amount: Money,
    pub description: String,
    /// `ar`, `fr` or `en`: the gateway's page speaks the user's language.
    pub language: String,
    /// Where the gateway sends the user back. It carries no outcome: we ask the gateway.
    pub return_url: String,
    /// Where the gateway posts its notifications (gateways that have them).
    pub notify_url: String,
    /// Unix seconds after which the gateway must refuse to take the money.
    pub expires_at: i64,
}

/// A payment the gateway has opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    pub gateway_ref: String,
    /// The gateway's page for the user.
    pub redirect_url: String,
}

/// Where a payment stands at the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayStatus {
    /// Opened, not finished: the user is (or was) on the gateway's page.
    Open,
    Succeeded,
    /// Refused, with the gateway's reason (`declined`, `insufficient_funds`, `too_many_codes`).
    Failed(String),
    Cancelled,
    Expired,
    /// The gateway has never heard of it (the request to open it never arrived).
    Unknown,
}

/// The gateway's view of one payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    pub payment_id: String,
    pub gateway_ref: Option<String>,
    pub status: GatewayStatus,
    /// What the gateway says it charged (checked against the order).
    pub amount: Option<Money>,
    pub method: Option<String>,
    pub brand: Option<String>,
    pub masked: Option<String>,
    pub refunded_minor: i64,
}

impl Observed {
    /// The gateway has never heard of the payment.
    pub fn unknown(payment_id: &str) -> Self {
        Self {
            payment_id: payment_id.to_string(),
            gateway_ref: None,
            status: GatewayStatus::Unknown,
            amount: None,
            method: None,
            brand: None,
            masked: None,
            refunded_minor: 0,
        }
    }
}

/// An authenticated server-to-server notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Unique per notification: a replay carries an id already seen.
    pub notification_id: String,
    pub observed: Observed,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Could not reach it or it failed on its side: try again later.
    #[error("gateway unreachable: {0}")]
    Unreachable(String),
    /// It answered, and said no (a refund larger than what it holds, an unknown payment).
    #[error("gateway refused: {0}")]
    Refused(String),
    /// It answered something we cannot read.
    #[error("gateway protocol error: {0}")]
    Protocol(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("missing or wrong signature")]
    BadSignature,
    #[error("signature timestamp too old or too far in the future")]
    Stale,
    #[error("body cannot be read")]
    Malformed,
    #[error("this gateway sends no notifications")]
    NotSupported,
}

/// What the engine needs from a payment company.
pub trait PaymentGateway: Send + Sync {
    /// The name stored with each payment (`sandbox`, `epay`).
    fn name(&self) -> &'static str;

    /// Opens a payment and returns the page to send the user to. Idempotent on `payment_id`.
    fn create(
        &self,
        req: &CreateRequest,
    ) -> impl Future<Output = Result<Opened, GatewayError>> + Send;

    /// Authenticates a notification (signature, timestamp) and reads it.
    fn verify_notification(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Notice, NotificationError>;

    /// Asks where a payment stands (the return page, the poller, reconciliation).
    fn status(
        &self,
        payment_id: &str,
        gateway_ref: Option<&str>,
    ) -> impl Future<Output = Result<Observed, GatewayError>> + Send;

    /// Gives back part or all of a paid amount. `refund_id` makes a retried request harmless.
    fn refund(
        &self,
        gateway_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;
}

/// The configured gateway. An enum rather than a trait object: the trait's methods are async.
#[derive(Clone, Debug)]
pub enum Gateway {
    Sandbox(sandbox::SandboxClient),
    Epay(epay::EpayClient),
}

impl PaymentGateway for Gateway {
    fn name(&self) -> &'static str {
        match self {
            Gateway::Sandbox(g) => g.name(),
            Gateway::Epay(g) => g.name(),
        }
    }

    async fn create(&self, req: &CreateRequest) -> Result<Opened, GatewayError> {
        match self {
            Gateway::Sandbox(g) => g.create(req).await,
            Gateway::Epay(g) => g.create(req).await,
        }
    }

    fn verify_notification(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Notice, NotificationError> {
        match self {
            Gateway::Sandbox(g) => g.verify_notification(signature_header, body, now),
            Gateway::Epay(g) => g.verify_notification(signature_header, body, now),
        }
    }

    async fn status(
        &self,
        payment_id: &str,
        gateway_ref: Option<&str>,
    ) -> Result<Observed, GatewayError> {
        match self {
            Gateway::Sandbox(g) => g.status(payment_id, gateway_ref).await,
            Gateway::Epay(g) => g.status(payment_id, gateway_ref).await,
        }
    }

    async fn refund(
        &self,
        gateway_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<(), GatewayError> {
        match self {
            Gateway::Sandbox(g) => g.refund(gateway_ref, refund_id, amount).await,
            Gateway::Epay(g) => g.refund(gateway_ref, refund_id, amount).await,
        }
    }
}

/// A reqwest error as the engine sees it: nothing answered, or something answered badly.
fn unreachable(e: reqwest::Error) -> GatewayError {
    GatewayError::Unreachable(e.to_string())
}
