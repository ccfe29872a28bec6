//! The contract between the payment engine (`features::payments`) and the services that sell
//! through it: what an order is, and the fulfilment each kind of order registers. It lives
//! here, below the features, so that the application state can carry the engine's settings and
//! the composition root (`crate::server`) can register every service's fulfilment without the
//! payments feature knowing the services, or the services knowing each other.

use crate::{
    domain::money::Money,
    platform::{
        db::DbError,
        gateway::{Gateway, sandbox::LocalUrl},
        outbox::Outgoing,
    },
};
use sqlx::AnyConnection;
use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc};

/// What is being paid for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: String,
    pub account_id: String,
    pub kind: String,
    pub subject: String,
    /// JSON `{"ar": …, "fr": …, "en": …}`.
    pub description: String,
    pub amount: Money,
    pub fulfilled_at: Option<i64>,
    pub created_at: i64,
}

/// Which order, and what it is for: all a kind's fulfilment needs to find the page of what a
/// paid order bought (`Fulfil::delivered_page`). The return page reads these three with the
/// payment, where it read the whole order again once the payment had succeeded (issue 23).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRef<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
}

impl Order {
    pub fn order_ref(&self) -> OrderRef<'_> {
        OrderRef {
            id: &self.id,
            kind: &self.kind,
            subject: &self.subject,
        }
    }

    /// The description in `lang`, else in any language it has.
    pub fn description_in(&self, lang: &str) -> String {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.description).unwrap_or_default();
        map.get(lang)
            .or_else(|| map.values().next())
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// The payment that paid an order, as a fulfilment may need it: its reference for the
/// documents, the payer's language and address for what is sent. The engine has them at hand
/// in the success's transaction, so a fulfilment reads none of them again (issue 23).
#[derive(Clone, Copy, Debug)]
pub struct Paid<'a> {
    pub reference: &'a str,
    pub language: &'a str,
    /// `None` when the account is gone.
    pub email: Option<&'a str>,
}

/// The future a fulfilment returns (it borrows the transaction and the order).
pub type FulfilFuture<'c> = Pin<Box<dyn Future<Output = Result<Fulfilled, DbError>> + Send + 'c>>;

/// A service's fulfilment: runs inside the transaction that records the success, so the
/// vignette exists if and only if the payment succeeded. Must only write to the database. A
/// value, not a function, so a service can carry what it needs (the vignette's signing secret).
pub trait Fulfil: Send + Sync {
    /// What it sends may go in `outgoing`: the engine writes that with the payment's receipt,
    /// in one statement of the same transaction.
    fn fulfil<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        order: &'c Order,
        paid: Paid<'c>,
        outgoing: &'c mut Outgoing,
        now: i64,
    ) -> FulfilFuture<'c>;

    /// The page showing what a paid order of this kind bought, if it has one: the payer is
    /// sent there from the gateway once the payment has succeeded, and the receipt links to it.
    fn delivered_page(&self, _order: OrderRef<'_>) -> Option<String> {
        None
    }
}

/// What a service's fulfilment did with a paid order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fulfilled {
    Done,
    /// The service cannot deliver (the vehicle got its vignette through another order): the
    /// money stays recorded as taken and the payment is flagged for a person to refund.
    Refused(String),
}

/// Which fulfilment runs for which kind of order; each service registers its own.
#[derive(Clone, Default)]
pub struct Fulfilments(Arc<HashMap<&'static str, Arc<dyn Fulfil>>>);

impl Fulfilments {
    pub fn register(self, kind: &'static str, fulfil: impl Fulfil + 'static) -> Self {
        let mut map = (*self.0).clone();
        map.insert(kind, Arc::new(fulfil));
        Self(Arc::new(map))
    }

    /// The fulfilment registered for `kind`.
    pub fn of(&self, kind: &str) -> Option<&Arc<dyn Fulfil>> {
        self.0.get(kind)
    }

    /// The page of what a paid order bought, for the kinds that have one.
    pub fn delivered_page(&self, order: OrderRef<'_>) -> Option<String> {
        self.of(order.kind)?.delivered_page(order)
    }
}

/// Everything the payment engine needs; part of the application state.
#[derive(Clone)]
pub struct Payments {
    pub gateway: Gateway,
    pub fulfilments: Fulfilments,
    /// How long a started payment may stay unfinished.
    pub ttl_secs: i64,
    /// Where users reach the portal (the gateway sends them back there).
    pub public_url: String,
    /// Where the gateway can reach this server for notifications, when it is not public_url.
    pub local: LocalUrl,
}
