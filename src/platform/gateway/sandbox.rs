//! The portal's side of the sandbox gateway: its published API over HTTP, nothing else. The
//! sandbox happens to be served by the same binary, but this client reaches it the way it would
//! reach a payment company: by URL, with signed requests.

use super::{
    CreateRequest, GatewayError, GatewayStatus, Notice, NotificationError, Observed, Opened,
    PaymentGateway, signature, unreachable,
};
use crate::{
    domain::money::{Currency, Money},
    sandbox::protocol::{CreatePayment, Notification, PaymentView, Refund},
};
use std::sync::{Arc, OnceLock};

/// Where a server can reach itself: known only once it listens (port 0 in tests).
#[derive(Clone, Debug, Default)]
pub struct LocalUrl(Arc<OnceLock<String>>);

impl LocalUrl {
    pub fn set(&self, url: String) {
        let _ = self.0.set(url);
    }

    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

#[derive(Clone)]
pub struct SandboxClient {
    http: reqwest::Client,
    /// The sandbox's API base, when configured (`BAWABA_SANDBOX_URL`); else this server.
    base: Option<String>,
    local: LocalUrl,
    secret: Arc<[u8; 32]>,
}

impl std::fmt::Debug for SandboxClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Under which path the sandbox is served.
pub const PREFIX: &str = "/sandbox-pay";

impl SandboxClient {
    pub fn new(base: Option<String>, local: LocalUrl, secret: [u8; 32]) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .expect("a client with a timeout and rustls builds");
        Self {
            http,
            base,
            local,
            secret: Arc::new(secret),
        }
    }

    fn url(&self, path: &str) -> Result<String, GatewayError> {
        let base = match (&self.base, self.local.get()) {
            (Some(b), _) => b.trim_end_matches('/').to_string(),
            (None, Some(local)) => format!("{local}{PREFIX}"),
            (None, None) => {
                return Err(GatewayError::Unreachable(
                    "the sandbox's address is not known yet".into(),
                ));
            }
        };
        Ok(format!("{base}{path}"))
    }

    /// Sends a signed request and reads a `PaymentView` (or `None` for 404).
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
    ) -> Result<Option<PaymentView>, GatewayError> {
        let now = super::super::session::now_secs();
        let signed = signature::request_message(method.as_str(), path, &body);
        let res = self
            .http
            .request(method, self.url(path)?)
            .header(
                signature::HEADER,
                signature::sign(&*self.secret, now, &signed),
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status();
        let bytes = res.bytes().await.map_err(unreachable)?;
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status.is_server_error() {
            return Err(GatewayError::Unreachable(format!("HTTP {status}")));
        }
        if !status.is_success() {
            let why = serde_json::from_slice::<crate::sandbox::protocol::ApiError>(&bytes)
                .map(|e| e.error)
                .unwrap_or_else(|_| format!("HTTP {status}"));
            return Err(GatewayError::Refused(why));
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| GatewayError::Protocol(e.to_string()))
    }
}

/// The engine's view of the sandbox's answer.
fn observed(v: PaymentView) -> Observed {
    let status = match v.status.as_str() {
        "open" => GatewayStatus::Open,
        "succeeded" => GatewayStatus::Succeeded,
        "failed" => GatewayStatus::Failed(v.failure.clone().unwrap_or_else(|| "declined".into())),
        "cancelled" => GatewayStatus::Cancelled,
        "expired" => GatewayStatus::Expired,
        // A status this client does not know is treated as "not finished": the poller asks again.
        _ => GatewayStatus::Open,
    };
    Observed {
        payment_id: v.merchant_ref,
        gateway_ref: Some(v.id),
        status,
        amount: Currency::parse(&v.currency).map(|c| Money::new(v.amount_minor, c)),
        method: v.method,
        brand: v.brand,
        masked: v.masked,
        refunded_minor: v.refunded_minor,
    }
}

impl PaymentGateway for SandboxClient {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create(&self, req: &CreateRequest) -> Result<Opened, GatewayError> {
        let body = serde_json::to_vec(&CreatePayment {
            merchant_ref: req.payment_id.clone(),
            reference: req.reference.clone(),
            amount_minor: req.amount.minor,
            currency: req.amount.currency.code().into(),
            description: req.description.clone(),
            language: req.language.clone(),
            return_url: req.return_url.clone(),
            notify_url: req.notify_url.clone(),
            expires_at: req.expires_at,
        })
        .map_err(|e| GatewayError::Protocol(e.to_string()))?;
        let view = self
            .call(reqwest::Method::POST, "/api/payments", body)
            .await?
            .ok_or_else(|| GatewayError::Protocol("404 on create".into()))?;
        let redirect_url = view
            .redirect_url
            .ok_or_else(|| GatewayError::Protocol("no page address in the answer".into()))?;
        Ok(Opened {
            gateway_ref: view.id,
            redirect_url,
        })
    }

    fn verify_notification(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Notice, NotificationError> {
        signature::verify(&*self.secret, signature_header, body, now)?;
        let n: Notification =
            serde_json::from_slice(body).map_err(|_| NotificationError::Malformed)?;
        Ok(Notice {
            notification_id: n.notification_id,
            observed: observed(n.payment),
        })
    }

    async fn status(
        &self,
        payment_id: &str,
        _gateway_ref: Option<&str>,
    ) -> Result<Observed, GatewayError> {
        // By our id, so that a payment whose opening answer was lost can still be found.
        let path = format!("/api/payments/by-merchant-ref/{payment_id}");
        Ok(
            match self.call(reqwest::Method::GET, &path, Vec::new()).await? {
                Some(v) => observed(v),
                None => Observed::unknown(payment_id),
            },
        )
    }

    async fn refund(
        &self,
        gateway_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<(), GatewayError> {
        let body = serde_json::to_vec(&Refund {
            refund_id: refund_id.to_string(),
            amount_minor: amount.minor,
        })
        .map_err(|e| GatewayError::Protocol(e.to_string()))?;
        self.call(
            reqwest::Method::POST,
            &format!("/api/payments/{gateway_ref}/refunds"),
            body,
        )
        .await?
        .ok_or_else(|| GatewayError::Refused("unknown payment".into()))?;
        Ok(())
    }
}
