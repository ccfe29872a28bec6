//! A small fake of a CIB/Edahabia-style ePayment platform, started by the tests: the merchant
//! API (`register.do`, `confirmOrder.do`, `getOrderStatusExtended.do`, `refund.do`, form-encoded
//! with the merchant's credentials, JSON answers) and the payer's form. It keeps its orders in
//! memory and sends no notifications, as such platforms do not.

use axum::{
    Form, Json, Router,
    extract::{Query, State},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

pub const USER: &str = "merchant-1";
pub const PASSWORD: &str = "merchant-password-1";

#[derive(Clone, Debug)]
pub struct FakeOrder {
    pub id: String,
    pub number: String,
    pub amount: i64,
    pub currency: String,
    pub return_url: String,
    /// 0 registered, 2 paid, 3 cancelled, 4 refunded in full, 6 declined.
    pub status: i64,
    pub pan: Option<String>,
    pub refunded: i64,
    pub refund_ids: HashSet<String>,
    pub action_code: i64,
}

#[derive(Clone, Default)]
struct Shared {
    orders: Arc<Mutex<HashMap<String, FakeOrder>>>,
    base: String,
}

pub struct EpayFake {
    shared: Shared,
    pub base: String,
}

type Params = HashMap<String, String>;

fn authorised(p: &Params) -> bool {
    p.get("userName").map(String::as_str) == Some(USER)
        && p.get("password").map(String::as_str) == Some(PASSWORD)
}

fn denied() -> Response {
    Json(json!({ "errorCode": "5", "errorMessage": "Access denied" })).into_response()
}

fn status_json(o: &FakeOrder) -> Value {
    json!({
        "OrderStatus": o.status, "ErrorCode": "0", "ErrorMessage": "Success",
        "OrderNumber": o.number, "orderId": o.id, "Amount": o.amount, "currency": o.currency,
        "Pan": o.pan, "depositAmount": if matches!(o.status, 2 | 4) { o.amount } else { 0 },
        "refundedAmount": o.refunded, "actionCode": o.action_code,
    })
}

async fn register(State(s): State<Shared>, Form(p): Form<Params>) -> Response {
    if !authorised(&p) {
        return denied();
    }
    let number = p.get("orderNumber").cloned().unwrap_or_default();
    let mut orders = s.orders.lock().unwrap();
    if orders.values().any(|o| o.number == number) {
        return Json(json!({ "errorCode": "1", "errorMessage": "Order number already used" }))
            .into_response();
    }
    let id = uuid::Uuid::new_v4().to_string();
    orders.insert(
        id.clone(),
        FakeOrder {
            id: id.clone(),
            number,
            amount: p.get("amount").and_then(|a| a.parse().ok()).unwrap_or(0),
            currency: p.get("currency").cloned().unwrap_or_default(),
            return_url: p.get("returnUrl").cloned().unwrap_or_default(),
            status: 0,
            pan: None,
            refunded: 0,
            refund_ids: HashSet::new(),
            action_code: -100,
        },
    );
    Json(json!({
        "orderId": id,
        "formUrl": format!("{}/payment/merchants/form?mdOrder={id}", s.base),
    }))
    .into_response()
}

async fn confirm(State(s): State<Shared>, Form(p): Form<Params>) -> Response {
    if !authorised(&p) {
        return denied();
    }
    let orders = s.orders.lock().unwrap();
    let found = match (p.get("orderId"), p.get("orderNumber")) {
        (Some(id), _) => orders.get(id),
        (None, Some(n)) => orders.values().find(|o| &o.number == n),
        _ => None,
    };
    match found {
        Some(o) => Json(status_json(o)).into_response(),
        None => {
            Json(json!({ "ErrorCode": "6", "ErrorMessage": "Order not found" })).into_response()
        }
    }
}

async fn refund(State(s): State<Shared>, Form(p): Form<Params>) -> Response {
    if !authorised(&p) {
        return denied();
    }
    let mut orders = s.orders.lock().unwrap();
    let Some(o) = p.get("orderId").and_then(|id| orders.get_mut(id)) else {
        return Json(json!({ "errorCode": "6", "errorMessage": "Order not found" }))
            .into_response();
    };
    let amount: i64 = p.get("amount").and_then(|a| a.parse().ok()).unwrap_or(0);
    let refund_id = p.get("refundId").cloned().unwrap_or_default();
    if o.refund_ids.contains(&refund_id) {
        return Json(json!({ "errorCode": 0 })).into_response();
    }
    if !matches!(o.status, 2) || amount <= 0 || o.refunded + amount > o.amount {
        return Json(json!({ "errorCode": "7", "errorMessage": "Refund amount is not allowed" }))
            .into_response();
    }
    o.refunded += amount;
    o.refund_ids.insert(refund_id);
    if o.refunded == o.amount {
        o.status = 4;
    }
    Json(json!({ "errorCode": 0 })).into_response()
}

async fn form(Query(q): Query<Params>) -> Html<String> {
    let id = q.get("mdOrder").cloned().unwrap_or_default();
    Html(format!(
        "<!doctype html><title>ePayment</title><form method=post action=/payment/merchants/pay>\
         <input type=hidden name=mdOrder value={id}><label>PAN <input name=pan></label>\
         <button>Pay</button></form>"
    ))
}

/// The payer submits a card: `…0002` is declined, `…0051` lacks funds, anything else pays.
/// Then the platform sends the payer back to the merchant with its order id.
async fn pay(State(s): State<Shared>, Form(p): Form<Params>) -> Response {
    let id = p.get("mdOrder").cloned().unwrap_or_default();
    let pan = p.get("pan").cloned().unwrap_or_default();
    let to = {
        let mut orders = s.orders.lock().unwrap();
        let Some(o) = orders.get_mut(&id) else {
            return (http::StatusCode::NOT_FOUND, "no such order").into_response();
        };
        settle(o, &pan);
        format!("{}?orderId={id}", o.return_url)
    };
    Redirect::to(&to).into_response()
}

fn settle(o: &mut FakeOrder, pan: &str) {
    let digits: String = pan.chars().filter(char::is_ascii_digit).collect();
    let (status, action) = if digits.ends_with("0002") {
        (6, 2003)
    } else if digits.ends_with("0051") {
        (6, 116)
    } else {
        (2, 0)
    };
    o.status = status;
    o.action_code = action;
    o.pan = Some(format!("{}**{}", &digits[..6], &digits[digits.len() - 4..]));
}

impl EpayFake {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared {
            orders: Arc::default(),
            base: base.clone(),
        };
        let app = Router::new()
            .route("/payment/rest/register.do", post(register))
            .route("/payment/rest/confirmOrder.do", post(confirm))
            .route("/payment/rest/getOrderStatusExtended.do", post(confirm))
            .route("/payment/rest/refund.do", post(refund))
            .route("/payment/merchants/form", get(form))
            .route("/payment/merchants/pay", post(pay))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { shared, base }
    }

    /// The settings that point the portal at this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BAWABA_PAYMENT_GATEWAY", "epay".into()),
            ("BAWABA_EPAY_URL", self.base.clone()),
            ("BAWABA_EPAY_USER", USER.into()),
            ("BAWABA_EPAY_PASSWORD", PASSWORD.into()),
        ]
    }

    /// The order registered under the merchant's order number (our payment id).
    pub fn order(&self, number: &str) -> Option<FakeOrder> {
        let orders = self.shared.orders.lock().unwrap();
        orders.values().find(|o| o.number == number).cloned()
    }

    /// The payer pays on the platform's page but never comes back to the portal.
    pub fn pay_without_returning(&self, number: &str, pan: &str) {
        let mut orders = self.shared.orders.lock().unwrap();
        let o = orders
            .values_mut()
            .find(|o| o.number == number)
            .expect("order");
        settle(o, pan);
    }
}
