//! The vignette as issued: what its PDF prints, what its e-mail carries and what its owner's
//! page shows. Made from the vignette's record alone (no other query), and stored as the
//! e-mail's parameters, so the outbox can make the PDF again at delivery time.

use crate::domain::money::{Currency, Money};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
mod pdf;
#[cfg(feature = "ssr")]
pub use pdf::pdf;

/// Everything printed on the vignette and its receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VignetteDocument {
    pub number: String,
    pub plate: String,
    pub vin: String,
    pub category: u8,
    pub campaign_year: i32,
    /// YYYY-MM-DD.
    pub valid_until: String,
    pub amount_minor: i64,
    pub currency: String,
    pub payment_reference: String,
    pub issued_at: i64,
    /// Set on a re-issued copy (a lost vignette): the copy's date is printed on it.
    pub duplicate_issued_at: Option<i64>,
    /// What the QR code says: the public check's address with the vignette's seal.
    #[serde(default)]
    pub qr: Option<String>,
}

impl VignetteDocument {
    /// The amount paid; `None` only if the stored currency is unknown.
    pub fn amount(&self) -> Option<Money> {
        Currency::parse(&self.currency).map(|c| Money::new(self.amount_minor, c))
    }

    /// The document of a vignette, its QR code pointing at the public check on `public_url`.
    #[cfg(feature = "ssr")]
    pub fn new(v: &super::store::VignetteRecord, public_url: &str) -> Self {
        Self {
            number: v.number.clone(),
            plate: v.plate.clone(),
            vin: v.vin.clone(),
            category: v.category,
            campaign_year: v.campaign_year,
            valid_until: v.valid_until.clone(),
            amount_minor: v.amount.minor,
            currency: v.amount.currency.code().to_string(),
            payment_reference: v.payment_reference.clone(),
            issued_at: v.issued_at,
            duplicate_issued_at: v.duplicate_issued_at,
            qr: v
                .seal
                .as_deref()
                .map(|seal| super::verify::address(public_url, seal)),
        }
    }

    /// A vignette as printed, sealed (for the tests and the PDF benchmark).
    #[doc(hidden)]
    pub fn sample() -> Self {
        Self {
            number: "2026-7K3M-9QX2".into(),
            plate: "12345 119 16".into(),
            vin: "VF1RFB00X56123456".into(),
            category: 1,
            campaign_year: 2026,
            valid_until: "2026-12-31".into(),
            amount_minor: 225_000,
            currency: "DZD".into(),
            payment_reference: "PAY-ABCDEFGHJK".into(),
            issued_at: 1_795_000_000,
            duplicate_issued_at: None,
            qr: Some(super::verify::address(
                "https://bawaba.example",
                &format!(
                    "BV1.2026-7K3M-9QX2.12345-119-16.2026.20261231.1795000000.K4ZP6R2M0A.{}",
                    "A".repeat(86)
                ),
            )),
        }
    }

    /// The file name a download or an attachment gets.
    pub fn file_name(&self) -> String {
        format!("vignette-{}.pdf", self.number)
    }
}
