//! The appointment slip's rules: what its QR code vouches for (a seal, signed like the
//! vignette's, which the officer scans at check-in) and what the applicant must bring.
//! Pure: the page, the PDF and the e-mail read the same list.

use super::application::RequestType;
use crate::domain::seal::Sealable;
use serde::{Deserialize, Serialize};

/// What a slip's seal vouches for: this application is expected at this centre at this time.
/// `BA1.ID-7K2M9Q4TXR.WAK.1796537700.1796400000.K4ZP6R2M0A.<signature>` (application
/// reference, centre code, the slot's start and the booking's time in Unix seconds, key id).
/// A rescheduled appointment gets a new slip; the officer's check-in compares the seal with the
/// live appointment, so an old slip verifies as genuine but does not admit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlipSeal {
    pub reference: String,
    pub centre: String,
    pub starts_at: i64,
    pub booked_at: i64,
    pub key_id: String,
}

impl Sealable for SlipSeal {
    const FORMAT: &'static str = "BA1";

    fn fields(&self) -> Vec<String> {
        vec![
            self.reference.clone(),
            self.centre.clone(),
            self.starts_at.to_string(),
            self.booked_at.to_string(),
        ]
    }

    fn from_fields(fields: &[&str], key_id: &str) -> Option<Self> {
        let [reference, centre, starts_at, booked_at] = fields else {
            return None;
        };
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        };
        if !plain(reference) || !plain(centre) {
            return None;
        }
        Some(Self {
            reference: reference.to_string(),
            centre: centre.to_string(),
            starts_at: starts_at.parse().ok()?,
            booked_at: booked_at.parse().ok()?,
            key_id: key_id.to_string(),
        })
    }

    fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// One thing to bring to the appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bring {
    /// Passport and residence permit, always.
    Identity,
    /// The originals of the uploaded documents.
    Originals,
    /// A damaged card is handed in.
    DamagedCard,
    /// The fee, when the applicant chose to pay at the centre.
    Fee,
}

/// What the applicant brings: identity and originals always, the damaged card when replacing
/// one, the fee when paying at the centre.
pub fn bring(request: RequestType, pays_at_centre: bool) -> Vec<Bring> {
    let mut list = vec![Bring::Identity, Bring::Originals];
    if request == RequestType::ReplaceDamaged {
        list.push(Bring::DamagedCard);
    }
    if pays_at_centre {
        list.push(Bring::Fee);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::seal::{PublicKey, Verdict, key_id, verify};
    use ed25519_dalek::SigningKey;

    fn sample(k: &SigningKey) -> SlipSeal {
        SlipSeal {
            reference: "ID-7K2M9Q4TXR".into(),
            centre: "WAK".into(),
            starts_at: 1_796_537_700,
            booked_at: 1_796_400_000,
            key_id: key_id(&k.verifying_key()),
        }
    }

    fn published(k: &SigningKey) -> Vec<PublicKey> {
        vec![PublicKey {
            key_id: key_id(&k.verifying_key()),
            key: k.verifying_key().to_bytes(),
        }]
    }

    #[test]
    fn a_slip_seal_reads_back_and_any_change_breaks_it() {
        let k = SigningKey::from_bytes(&[3; 32]);
        let text = sample(&k).sign(&k);
        assert!(text.starts_with("BA1.ID-7K2M9Q4TXR.WAK.1796537700.1796400000."));
        assert_eq!(
            verify::<SlipSeal>(&text, &published(&k)),
            Verdict::Genuine(sample(&k))
        );
        // Another time, another centre, another application: not what was signed.
        for (from, to) in [
            (".1796537700.", ".1796538600."),
            (".WAK.", ".DOH."),
            ("7K2M", "7K2N"),
        ] {
            let altered = text.replacen(from, to, 1);
            assert_eq!(
                verify::<SlipSeal>(&altered, &published(&k)),
                Verdict::BadSignature,
                "{from} → {to}"
            );
        }
        // A vignette's seal is not a slip, and a slip is not a vignette.
        let vignette = "BV1.2026-7K3M-Q9XT.12345-116-16.2026.20261231.1767261600.K.AAAA";
        assert_eq!(
            verify::<SlipSeal>(vignette, &published(&k)),
            Verdict::Unreadable
        );
        assert_eq!(
            verify::<crate::domain::seal::Sealed>(&text, &published(&k)),
            Verdict::Unreadable
        );
        // Lower case or an extra field is another text, never the signed one.
        for bad in [
            text.replace("ID-7K2M9Q4TXR", "id-7k2m9q4txr"),
            text.replacen(".WAK.", ".WAK.X.", 1),
        ] {
            assert_ne!(
                verify::<SlipSeal>(&bad, &published(&k)),
                Verdict::Genuine(sample(&k))
            );
        }
    }

    #[test]
    fn what_to_bring_follows_the_request_and_the_payment() {
        use Bring::*;
        assert_eq!(bring(RequestType::New, false), [Identity, Originals]);
        assert_eq!(
            bring(RequestType::ReplaceDamaged, true),
            [Identity, Originals, DamagedCard, Fee]
        );
        assert_eq!(
            bring(RequestType::ReplaceLost, true),
            [Identity, Originals, Fee]
        );
    }
}
