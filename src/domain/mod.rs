//! Pure domain rules, compiled for the browser and the server alike: no I/O, no Leptos, no async.
//! The browser runs the same validation and arithmetic the server runs.

pub mod account;
pub mod calendar;
pub mod contact;
pub mod date;
pub mod device;
pub mod digits;
pub mod eligibility;
pub mod geo;
pub mod idcard;
pub mod identity;
pub mod journey;
pub mod money;
pub mod payment;
pub mod payment_method;
pub mod reference;
pub mod registration;
pub mod seal;
pub mod sms;
pub mod tariff;
pub mod text;
pub mod vehicle;
pub mod vignette;
