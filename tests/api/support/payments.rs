//! Paying in tests: demo orders, the "Pay" button, the sandbox's card page, the kind of order
//! whose fulfilments are counted, and the refund rules every gateway must keep.

use super::{
    app::{Browser, TestApp},
    html::{hidden, path_of},
    people::{AMINA, signed_in},
};
use bawaba::{
    domain::payment::PaymentState,
    features::payments::{
        engine::{self, Applied, PaymentError},
        store::Order,
    },
    platform::session::now_secs,
};
use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
};

/// Orders whose fulfilments are counted (registered by `app::spawn_app`).
pub const COUNTED: &str = "counted";

pub struct FulfilCounted;
impl bawaba::features::payments::engine::Fulfil for FulfilCounted {
    fn fulfil<'c>(
        &'c self,
        _conn: &'c mut sqlx::AnyConnection,
        order: &'c Order,
        _paid: bawaba::features::payments::engine::Paid<'c>,
        _outgoing: &'c mut bawaba::platform::outbox::Outgoing,
        _now: i64,
    ) -> bawaba::features::payments::engine::FulfilFuture<'c> {
        *FULFILMENTS
            .lock()
            .unwrap()
            .entry(order.id.clone())
            .or_default() += 1;
        Box::pin(async { Ok(bawaba::features::payments::engine::Fulfilled::Done) })
    }
}

pub fn sandbox_key(app: &TestApp) -> [u8; 32] {
    // The test server derives it from its secret key file, as a real server does.
    let secret = std::fs::read_to_string(app.data_dir.join("secret.key")).unwrap();
    let secret: [u8; 32] = hex::decode(secret.trim()).unwrap().try_into().unwrap();
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&secret).unwrap();
    mac.update(b"sandbox gateway merchant key");
    mac.finalize().into_bytes().into()
}

/// Delivers every notification the sandbox has due (as its worker would), as of `now`.
pub async fn sandbox_notifies(app: &TestApp, now: i64) -> usize {
    let http = reqwest::Client::new();
    let mut n = 0;
    while bawaba::sandbox::notifier::deliver_one(&app.db, &http, &sandbox_key(app), now)
        .await
        .unwrap()
    {
        n += 1;
    }
    n
}

/// The refund rules, whatever the gateway (run against the sandbox here and against ePay in
/// `epay.rs`): `payment` succeeded for 2 000 DZD; a refund is applied once per refund id, never
/// beyond what is left, and the payment is refunded when all is given back.
pub async fn refunds_never_exceed_what_was_paid(app: &TestApp, payment: &str) {
    let refund = |minor: i64, id: &'static str| {
        engine::refund(
            &app.payments,
            &app.db,
            payment,
            minor,
            id,
            "admin:test",
            "duplicate purchase",
            now_secs(),
        )
    };
    assert_eq!(
        refund(50_000, "r1").await.unwrap(),
        Applied::Moved(PaymentState::PartiallyRefunded)
    );
    // The same request again refunds nothing more.
    assert_eq!(refund(50_000, "r1").await.unwrap(), Applied::Unchanged);
    assert!(matches!(
        refund(150_001, "r2").await,
        Err(PaymentError::Refused(_))
    ));
    assert_eq!(
        refund(150_000, "r3").await.unwrap(),
        Applied::Moved(PaymentState::Refunded)
    );
    assert!(matches!(
        refund(1, "r4").await,
        Err(PaymentError::Refused(_))
    ));
}

/// Creates a demo order and returns its page's path.
pub(crate) async fn demo_order(b: &Browser) -> String {
    let to = b.post_form("/api/payments/demo", &[]).await;
    assert!(to.starts_with("/payments/order/"), "{to}");
    to
}

/// Presses Pay on a page holding the pay form; returns where the browser is sent.
pub(crate) async fn press_pay(b: &Browser, page_html: &str) -> String {
    b.post_form(
        "/api/payments/pay",
        &[
            ("order_id", &hidden(page_html, "order_id")),
            ("key", &hidden(page_html, "key")),
        ],
    )
    .await
}

/// On the sandbox's pages: card, code; then back to the portal, which asks the gateway.
/// Returns the payment page's path.
pub(crate) async fn pay_on_sandbox(b: &Browser, gateway_url: &str, card: &str) -> String {
    let page = path_of(gateway_url);
    assert!(page.starts_with("/sandbox-pay/pay/"), "{gateway_url}");
    let code = b
        .post_form(
            &format!("{page}/card"),
            &[
                ("number", card),
                ("expiry", "12/30"),
                ("cvv", "123"),
                ("holder", "A BENALI"),
            ],
        )
        .await;
    let back = b.post_form(&path_of(&code), &[("code", "123456")]).await;
    let res = b.get(&path_of(&back)).await;
    assert_eq!(
        res.status(),
        303,
        "the return address answers with the payment's page"
    );
    res.headers()["location"].to_str().unwrap().to_string()
}

/// A payer's order paid by card; returns the payer and the payment's id.
pub(crate) async fn paid_order(app: &TestApp, lang: &str) -> (Browser, String) {
    let payer = signed_in(app, &AMINA, lang).await;
    let order = demo_order(&payer).await;
    let gateway = press_pay(&payer, &payer.page(&order).await).await;
    let paid = pay_on_sandbox(&payer, &gateway, "4111 1111 1111 1111").await;
    (payer, paid.trim_start_matches("/payments/").to_string())
}

static FULFILMENTS: LazyLock<Mutex<HashMap<String, usize>>> = LazyLock::new(Default::default);

pub fn fulfilled(order_id: &str) -> usize {
    FULFILMENTS
        .lock()
        .unwrap()
        .get(order_id)
        .copied()
        .unwrap_or(0)
}

/// One round of the payment poller at `now`: how many payments it asked the gateway about.
pub async fn poll(app: &TestApp, now: i64) -> usize {
    bawaba::features::payments::engine::poll_due(&app.payments, &app.db, now)
        .await
        .unwrap()
}
