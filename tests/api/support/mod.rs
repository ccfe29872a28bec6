//! What the tests share, one place per subject: the app and a browser (`app`), the people who
//! use it (`people`), the mail they get (`mail`), paying (`payments`), the vignette journey
//! (`vignette`), the fake ePay gateway (`fakes`) and reading HTML (`html`). Test modules import
//! from here, never from each other.

pub mod app;
pub mod fakes;
pub mod html;
pub mod idcard;
pub mod mail;
pub mod payments;
pub mod people;
pub mod s3;
pub mod smtp_sink;
pub mod vignette;
