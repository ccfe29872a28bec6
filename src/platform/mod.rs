//! Server-only platform: configuration, database, HTTP middleware, telemetry and the axum router.

pub mod config;
pub mod db;
pub mod dev_mailbox;
pub mod drafts;
pub mod files;
pub mod gateway;
pub mod housekeeping;
pub mod http;
pub mod ics;
pub mod locale;
pub mod mail;
pub mod orders;
pub mod outbox;
pub mod page_cache;
pub mod pdf;
pub mod plain_pages;
pub mod pwa;
pub mod qr;
pub mod request;
pub mod secrets;
pub mod security;
pub mod session;
pub mod signing;
pub mod state;
pub mod telemetry;
pub mod throttle;
