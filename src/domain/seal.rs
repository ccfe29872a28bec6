//! Seals: the text an official document's QR code carries, signed with Ed25519, so that anyone
//! who holds the published public keys can tell a genuine document from an altered or invented
//! one, at a desk or at the roadside with no network. Pure: the browser verifies with this
//! same code.
//!
//! A seal is dot-separated fields that need no escaping in a URL: the document's format, its
//! facts, the key id, then the Ed25519 signature of everything before it (base64url). Each
//! document says its format and facts (`Sealable`); signing and checking are shared.
//!
//! The vignette's (`Sealed`, format `BV1`):
//! `BV1.2026-7K3M-Q9XT.12345-116-16.2026.20261231.1767261600.K4ZP6R2M0A.<signature>`
//! (vignette number, plate with dashes, campaign year, last valid day, issue time in Unix
//! seconds, key id). The appointment slip's is `domain::idcard::slip::SlipSeal` (`BA1`).

use super::date::Date;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// A document a seal can vouch for.
pub trait Sealable: Sized {
    /// The text's first field: a reader refuses what it does not know rather than guess.
    const FORMAT: &'static str;

    /// The facts, in order, between the format and the key id. None may contain a dot.
    fn fields(&self) -> Vec<String>;

    /// The document from its facts (`fields` read back) and the key id; `None` if they are
    /// not one.
    fn from_fields(fields: &[&str], key_id: &str) -> Option<Self>;

    fn key_id(&self) -> &str;

    /// What is signed: the format, the facts and the key id.
    fn signed_part(&self) -> String {
        let mut parts = vec![Self::FORMAT.to_string()];
        parts.extend(self.fields());
        parts.push(self.key_id().to_string());
        parts.join(".")
    }

    /// The seal's text, signed with `key` (whose id must be `self.key_id()`).
    fn sign(&self, key: &SigningKey) -> String {
        let signed = self.signed_part();
        let signature = key.sign(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

/// The vignette's format.
pub const FORMAT: &str = "BV1";

/// What a vignette's seal vouches for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub number: String,
    /// As stored and shown, `12345 116 16` (dashes in the seal's text).
    pub plate: String,
    pub campaign_year: i32,
    pub valid_until: Date,
    pub issued_at: i64,
    pub key_id: String,
}

/// A public key as published: its id and its 32 bytes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicKey {
    pub key_id: String,
    pub key: [u8; 32],
}

/// What a reader makes of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<T = Sealed> {
    /// Signed by one of the keys: these facts are the portal's.
    Genuine(T),
    /// Readable, but the signature does not match (altered, or invented).
    BadSignature,
    /// Signed with a key that is not published (invented, or keys not up to date).
    UnknownKey(String),
    /// Not a seal of this kind of document at all.
    Unreadable,
}

impl Sealable for Sealed {
    const FORMAT: &'static str = FORMAT;

    fn fields(&self) -> Vec<String> {
        vec![
            self.number.clone(),
            self.plate.replace(' ', "-"),
            self.campaign_year.to_string(),
            format!(
                "{:04}{:02}{:02}",
                self.valid_until.year, self.valid_until.month, self.valid_until.day
            ),
            self.issued_at.to_string(),
        ]
    }

    fn from_fields(fields: &[&str], key_id: &str) -> Option<Self> {
        let [number, plate, year, valid, issued_at] = fields else {
            return None;
        };
        let number = super::vignette::parse_number(number)?;
        let plate = plate.replace('-', " ");
        let valid_until = (valid.len() == 8 && valid.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Date::parse_iso(&format!("{}-{}-{}", &valid[..4], &valid[4..6], &valid[6..])))
            .flatten()?;
        if plate.is_empty() {
            return None;
        }
        Some(Sealed {
            number,
            plate,
            campaign_year: year.parse().ok()?,
            valid_until,
            issued_at: issued_at.parse().ok()?,
            key_id: key_id.to_string(),
        })
    }

    fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// The key id of a public key: its first 50 bits in Crockford base 32, so an id names its key
/// and two keys cannot share one by accident.
pub fn key_id(key: &VerifyingKey) -> String {
    super::vignette::crockford(&key.as_bytes()[..7])[..10].to_string()
}

/// The seal of format `format` inside what a reader was given: the bare text, or the address
/// a QR code holds (`…/verify?seal=BV1…`), with spaces or line breaks a paste may add.
pub fn find<'a>(text: &'a str, format: &str) -> Option<&'a str> {
    let start = text.find(&format!("{format}."))?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Reads and checks a seal of document `T` against the published keys.
pub fn verify<T: Sealable>(text: &str, keys: &[PublicKey]) -> Verdict<T> {
    let Some(text) = find(text, T::FORMAT) else {
        return Verdict::Unreadable;
    };
    let Some((signed, signature)) = text.rsplit_once('.') else {
        return Verdict::Unreadable;
    };
    let fields: Vec<&str> = signed.split('.').collect();
    let Some((key_id, facts)) = fields[1..].split_last() else {
        return Verdict::Unreadable;
    };
    let Some(sealed) = (!key_id.is_empty())
        .then(|| T::from_fields(facts, key_id))
        .flatten()
    else {
        return Verdict::Unreadable;
    };
    let Some(signature) = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return Verdict::Unreadable;
    };
    let Some(key) = keys.iter().find(|k| k.key_id == *key_id) else {
        return Verdict::UnknownKey(key_id.to_string());
    };
    let Ok(key) = VerifyingKey::from_bytes(&key.key) else {
        return Verdict::UnknownKey(key_id.to_string());
    };
    // The text read back must be the text signed, field for field (no second spelling of the
    // same facts can carry a valid signature).
    if sealed.signed_part() != signed {
        return Verdict::Unreadable;
    }
    match key.verify_strict(signed.as_bytes(), &Signature::from_bytes(&signature)) {
        Ok(()) => Verdict::Genuine(sealed),
        Err(_) => Verdict::BadSignature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(text: &str, keys: &[PublicKey]) -> Verdict {
        super::verify::<Sealed>(text, keys)
    }

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn published(k: &SigningKey) -> PublicKey {
        PublicKey {
            key_id: key_id(&k.verifying_key()),
            key: k.verifying_key().to_bytes(),
        }
    }

    fn sample(k: &SigningKey) -> Sealed {
        Sealed {
            number: "2026-7K3M-Q9XT".into(),
            plate: "12345 116 16".into(),
            campaign_year: 2026,
            valid_until: Date {
                year: 2026,
                month: 12,
                day: 31,
            },
            issued_at: 1_767_261_600,
            key_id: key_id(&k.verifying_key()),
        }
    }

    #[test]
    fn a_signed_seal_reads_back_as_genuine_and_fits_a_small_qr_code() {
        let k = key(7);
        let text = sample(&k).sign(&k);
        assert!(text.starts_with("BV1.2026-7K3M-Q9XT.12345-116-16.2026.20261231.1767261600."));
        assert!(text.len() < 170, "{} characters", text.len());
        assert_eq!(
            verify(&text, &[published(&key(1)), published(&k)]),
            Verdict::Genuine(sample(&k))
        );
        // As the QR code's address, and pasted with a line break.
        let url = format!("https://bawaba.example/verify?seal={text}\n");
        assert_eq!(verify(&url, &[published(&k)]), Verdict::Genuine(sample(&k)));
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let k = key(7);
        let text = sample(&k).sign(&k);
        for (from, to) in [
            ("12345-116-16", "12345-116-31"),
            (".2026.2026", ".2026.2027"),
            ("20261231", "20271231"),
            ("7K3M", "7K3N"),
        ] {
            let altered = text.replacen(from, to, 1);
            assert_ne!(altered, text);
            assert_eq!(
                verify(&altered, &[published(&k)]),
                Verdict::BadSignature,
                "{from} → {to}"
            );
        }
        // A signature from another key under this key's id.
        let forged = Sealed { ..sample(&k) }.sign(&key(8));
        assert_eq!(verify(&forged, &[published(&k)]), Verdict::BadSignature);
    }

    #[test]
    fn unknown_keys_and_garbage_are_told_apart() {
        let k = key(7);
        let text = sample(&k).sign(&k);
        assert_eq!(
            verify(&text, &[published(&key(1))]),
            Verdict::UnknownKey(key_id(&k.verifying_key()))
        );
        for bad in [
            "",
            "hello",
            "BV1",
            "BV2.2026-7K3M-Q9XT.12345-116-16.2026.20261231.1767261600.K.AAAA",
            &text[..text.len() - 3],
            &format!("{text}.extra"),
            // The same facts spelled another way (a lower-case number) are not the signed text.
            &text.replace("7K3M-Q9XT", "7k3m-q9xt"),
        ] {
            assert!(
                matches!(
                    verify(bad, &[published(&k)]),
                    Verdict::Unreadable | Verdict::BadSignature
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn key_ids_differ_between_keys() {
        assert_ne!(
            key_id(&key(1).verifying_key()),
            key_id(&key(2).verifying_key())
        );
        assert_eq!(key_id(&key(1).verifying_key()).len(), 10);
    }
}
