//! A redirect-and-confirm gateway without notifications, in the style of the CIB/Edahabia
//! ePayment platform: the merchant registers an order (`register.do`) and gets a form
//! address; the payer pays there and comes back; the merchant then asks for the order's
//! status (`confirmOrder.do`, or `getOrderStatusExtended.do` by the merchant's order number
//! when the gateway's id was never received). Nothing is pushed to the merchant, so the
//! engine learns the outcome on the payer's return and from its poller.
//!
//! Requests are form-encoded with the merchant's user name and password; answers are JSON.
//! Amounts are in minor units; currencies are ISO 4217 numeric codes (012 DZD, 634 QAR).

use super::{
    CreateRequest, GatewayError, GatewayStatus, Notice, NotificationError, Observed, Opened,
    PaymentGateway, unreachable,
};
use crate::domain::money::{Currency, Money};
use serde::Deserialize;

#[derive(Clone)]
pub struct EpayClient {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
}

impl std::fmt::Debug for EpayClient {
    // The password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpayClient")
            .field("base", &self.base)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// ISO 4217 numeric.
fn numeric(currency: Currency) -> &'static str {
    match currency {
        Currency::Dzd => "012",
        Currency::Qar => "634",
    }
}

fn from_numeric(code: &str) -> Option<Currency> {
    match code {
        "012" | "12" => Some(Currency::Dzd),
        "634" => Some(Currency::Qar),
        _ => None,
    }
}

/// `register.do`'s answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Registered {
    order_id: Option<String>,
    form_url: Option<String>,
    #[serde(default, deserialize_with = "code")]
    error_code: i64,
    error_message: Option<String>,
}

/// `confirmOrder.do` / `getOrderStatusExtended.do`'s answer.
#[derive(Deserialize)]
struct OrderStatus {
    #[serde(rename = "OrderStatus")]
    order_status: Option<i64>,
    #[serde(rename = "ErrorCode", default, deserialize_with = "code")]
    error_code: i64,
    #[serde(rename = "ErrorMessage")]
    error_message: Option<String>,
    #[serde(rename = "OrderNumber")]
    order_number: Option<String>,
    #[serde(rename = "orderId")]
    order_id: Option<String>,
    #[serde(rename = "Amount")]
    amount: Option<i64>,
    #[serde(rename = "currency")]
    currency: Option<String>,
    #[serde(rename = "Pan")]
    pan: Option<String>,
    #[serde(rename = "depositAmount")]
    deposit_amount: Option<i64>,
    #[serde(rename = "refundedAmount", default)]
    refunded_amount: i64,
    #[serde(rename = "actionCode")]
    action_code: Option<i64>,
}

/// Error codes come as numbers or as strings ("0") depending on the call.
fn code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        N(i64),
        S(String),
    }
    Ok(match Code::deserialize(d)? {
        Code::N(n) => n,
        Code::S(s) => s.trim().parse().unwrap_or(-1),
    })
}

/// The platform's "no such order" error code.
const UNKNOWN_ORDER: i64 = 6;

impl EpayClient {
    pub fn new(base: String, user: String, password: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .expect("a client with a timeout and rustls builds");
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            user,
            password,
        }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&str, &str)],
    ) -> Result<T, GatewayError> {
        let mut form = vec![
            ("userName", self.user.as_str()),
            ("password", self.password.as_str()),
        ];
        form.extend_from_slice(params);
        let res = self
            .http
            .post(format!("{}/payment/rest/{method}", self.base))
            .form(&form)
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status();
        if !status.is_success() {
            return Err(GatewayError::Unreachable(format!(
                "{method}: HTTP {status}"
            )));
        }
        let bytes = res.bytes().await.map_err(unreachable)?;
        serde_json::from_slice(&bytes).map_err(|e| GatewayError::Protocol(format!("{method}: {e}")))
    }

    fn observed(&self, payment_id: &str, s: OrderStatus) -> Result<Observed, GatewayError> {
        if s.error_code == UNKNOWN_ORDER {
            return Ok(Observed::unknown(payment_id));
        }
        if s.error_code != 0 && s.order_status.is_none() {
            return Err(GatewayError::Refused(
                s.error_message
                    .unwrap_or_else(|| format!("error {}", s.error_code)),
            ));
        }
        // The platform's order states: 0 registered, not paid; 1 approved (held); 2 paid;
        // 3 cancelled; 4 refunded; 6 declined.
        let status = match s.order_status {
            Some(0) | Some(1) | None => GatewayStatus::Open,
            Some(2) | Some(4) => GatewayStatus::Succeeded,
            Some(3) => GatewayStatus::Cancelled,
            Some(6) => GatewayStatus::Failed(match s.action_code {
                Some(116) => "insufficient_funds".into(),
                _ => "declined".into(),
            }),
            Some(other) => {
                return Err(GatewayError::Protocol(format!(
                    "unknown OrderStatus {other}"
                )));
            }
        };
        if s.order_number.as_deref().is_some_and(|n| n != payment_id) {
            return Err(GatewayError::Protocol(
                "the answer is about another order".into(),
            ));
        }
        let currency = s.currency.as_deref().and_then(from_numeric);
        let paid_minor = s.deposit_amount.filter(|d| *d > 0).or(s.amount);
        let masked = s.pan.as_deref().map(mask);
        let brand = s.pan.as_deref().and_then(|p| {
            let digits: String = p.chars().filter(char::is_ascii_digit).take(6).collect();
            crate::domain::payment_method::CardBrand::detect(&digits).map(|b| b.code().to_string())
        });
        Ok(Observed {
            payment_id: payment_id.to_string(),
            gateway_ref: s.order_id,
            status,
            amount: currency.zip(paid_minor).map(|(c, m)| Money::new(m, c)),
            method: s.pan.as_ref().map(|_| "card".to_string()),
            brand,
            masked,
            refunded_minor: s.refunded_amount,
        })
    }
}

/// `628058**1234` → `•••• 1234`: the portal keeps the last four digits at most.
fn mask(pan: &str) -> String {
    let last: String = pan
        .chars()
        .rev()
        .filter(char::is_ascii_digit)
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("•••• {last}")
}

impl PaymentGateway for EpayClient {
    fn name(&self) -> &'static str {
        "epay"
    }

    async fn create(&self, req: &CreateRequest) -> Result<Opened, GatewayError> {
        let amount = req.amount.minor.to_string();
        let language = req.language.to_ascii_uppercase();
        // The platform shows `description` with the amount; the order number is our payment
        // id, so a payment whose registration answer was lost can still be found by it.
        let json_params = serde_json::json!({ "reference": req.reference }).to_string();
        let r: Registered = self
            .call(
                "register.do",
                &[
                    ("orderNumber", req.payment_id.as_str()),
                    ("amount", amount.as_str()),
                    ("currency", numeric(req.amount.currency)),
                    ("returnUrl", req.return_url.as_str()),
                    ("failUrl", req.return_url.as_str()),
                    ("description", req.description.as_str()),
                    ("language", language.as_str()),
                    ("jsonParams", json_params.as_str()),
                ],
            )
            .await?;
        match (r.error_code, r.order_id, r.form_url) {
            (0, Some(order_id), Some(form_url)) => Ok(Opened {
                gateway_ref: order_id,
                redirect_url: form_url,
            }),
            (0, _, _) => Err(GatewayError::Protocol(
                "register.do without an order or form".into(),
            )),
            (code, _, _) => Err(GatewayError::Refused(
                r.error_message.unwrap_or_else(|| format!("error {code}")),
            )),
        }
    }

    fn verify_notification(
        &self,
        _signature_header: Option<&str>,
        _body: &[u8],
        _now: i64,
    ) -> Result<Notice, NotificationError> {
        Err(NotificationError::NotSupported)
    }

    async fn status(
        &self,
        payment_id: &str,
        gateway_ref: Option<&str>,
    ) -> Result<Observed, GatewayError> {
        let answer: OrderStatus = match gateway_ref {
            Some(order_id) => {
                self.call("confirmOrder.do", &[("orderId", order_id)])
                    .await?
            }
            None => {
                self.call("getOrderStatusExtended.do", &[("orderNumber", payment_id)])
                    .await?
            }
        };
        self.observed(payment_id, answer)
    }

    async fn refund(
        &self,
        gateway_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<(), GatewayError> {
        let minor = amount.minor.to_string();
        // The platform has no idempotency key for refunds; the engine never sends the same
        // refund id twice once it is recorded, and `refundId` lets the platform refuse a repeat.
        let r: Registered = self
            .call(
                "refund.do",
                &[
                    ("orderId", gateway_ref),
                    ("amount", minor.as_str()),
                    ("refundId", refund_id),
                ],
            )
            .await?;
        match r.error_code {
            0 => Ok(()),
            code => Err(GatewayError::Refused(
                r.error_message.unwrap_or_else(|| format!("error {code}")),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> EpayClient {
        EpayClient::new(
            "http://127.0.0.1:9".into(),
            "merchant".into(),
            "secret".into(),
        )
    }

    fn status(json: &str) -> Result<Observed, GatewayError> {
        client().observed("p1", serde_json::from_str(json).unwrap())
    }

    #[test]
    fn order_states_map_to_the_engines() {
        let paid = status(
            r#"{"OrderStatus":2,"ErrorCode":"0","OrderNumber":"p1","orderId":"g1","Amount":200000,
                "depositAmount":200000,"currency":"012","Pan":"628058**0009","actionCode":0}"#,
        )
        .unwrap();
        assert_eq!(paid.status, GatewayStatus::Succeeded);
        assert_eq!(paid.amount, Some(Money::new(200_000, Currency::Dzd)));
        assert_eq!(paid.masked.as_deref(), Some("•••• 0009"));
        assert_eq!(paid.brand.as_deref(), Some("edahabia"));
        assert_eq!(paid.gateway_ref.as_deref(), Some("g1"));
        let open = status(r#"{"OrderStatus":0,"ErrorCode":0,"OrderNumber":"p1"}"#).unwrap();
        assert_eq!(open.status, GatewayStatus::Open);
        let declined = status(r#"{"OrderStatus":6,"ErrorCode":"0","actionCode":116}"#).unwrap();
        assert_eq!(
            declined.status,
            GatewayStatus::Failed("insufficient_funds".into())
        );
        let cancelled = status(r#"{"OrderStatus":3,"ErrorCode":"0"}"#).unwrap();
        assert_eq!(cancelled.status, GatewayStatus::Cancelled);
        let unknown = status(r#"{"ErrorCode":"6","ErrorMessage":"Order not found"}"#).unwrap();
        assert_eq!(unknown.status, GatewayStatus::Unknown);
    }

    #[test]
    fn answers_about_another_order_or_in_an_unknown_state_are_refused() {
        assert!(matches!(
            status(r#"{"OrderStatus":2,"ErrorCode":"0","OrderNumber":"p2"}"#),
            Err(GatewayError::Protocol(_))
        ));
        assert!(matches!(
            status(r#"{"OrderStatus":9,"ErrorCode":"0"}"#),
            Err(GatewayError::Protocol(_))
        ));
        assert!(matches!(
            status(r#"{"ErrorCode":"5","ErrorMessage":"Access denied"}"#),
            Err(GatewayError::Refused(_))
        ));
    }

    #[test]
    fn the_password_is_not_in_debug_output() {
        assert!(!format!("{:?}", client()).contains("secret"));
    }
}
