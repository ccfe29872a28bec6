//! Shared UI components. Each renders plain HTML attributes (`value`, `checked`, `href`,
//! `aria-*`) so that it works before, and without, JavaScript.

pub mod form;
/// What a browser would send from server-rendered markup (tests only).
#[cfg(test)]
pub mod form_data;
pub mod hydration;
pub mod in_place;
pub mod island_data;
pub mod journey;
pub mod keep_unsent;
pub mod layout;
pub mod problem;
pub mod session_timer;
pub mod text;
pub mod upload_progress;
