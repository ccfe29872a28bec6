//! Shared UI components. Each renders plain HTML attributes (`value`, `checked`, `href`,
//! `aria-*`) so that it works before, and without, JavaScript.

pub mod form;
pub mod island_data;
pub mod keep_unsent;
pub mod layout;
pub mod session_timer;
pub mod text;
