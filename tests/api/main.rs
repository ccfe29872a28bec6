//! Integration tests: the real router on a real port against a real database. Every test runs
//! on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` points at a server (each test then gets
//! a fresh database of its own).

#![cfg(feature = "ssr")]
// A test may unwrap: a panic there is a failed test, with its line.
#![allow(clippy::unwrap_used)]
// Rows are read as tuples to compare them field by field with the CSV files.
#![allow(clippy::type_complexity)]

mod support;

mod account_settings;
mod accounts;
mod calculator;
mod contact_change;
mod db;
mod drafts;
mod epay;
mod health;
mod idcard;
mod idcard_appointments;
mod idcard_documents;
mod idcard_submit;
mod idcard_waitlist;
mod locale;
mod outbox;
mod page_cache;
mod pages;
mod payment_admin;
mod payment_pages;
mod payments;
mod process;
mod purchase;
mod reference_data;
mod registration;
mod reminders;
mod route_walk;
mod security;
mod security_review;
mod two_step;
mod vehicle_import;
mod vehicles;
mod verify;
