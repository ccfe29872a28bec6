//! One module per capability: its pages, its server functions and (server only) its store.

pub mod accounts;
pub mod home;
pub mod idcard;
pub mod info;
pub mod payments;
pub mod vignette;
