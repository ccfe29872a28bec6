//! Signed messages between the portal and a gateway: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>." followed by the body>`. The timestamp inside the MAC makes an old message useless
//! after `TOLERANCE_SECS`; the comparison is constant-time (hmac's `verify_slice`).
//! Notifications (always one address) sign time and body; API requests sign time, method,
//! path and body (`request_message`), so a signature made for one payment's lookup or refund
//! is worth nothing on another's (issue 18, finding 7).

use super::NotificationError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's time may be from ours, either way (clock drift plus transit).
pub const TOLERANCE_SECS: i64 = 300;

/// The header name carrying the signature, both ways.
pub const HEADER: &str = "bawaba-signature";

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!(
        "t={t},v1={}",
        hex::encode(mac(secret, t, body).finalize().into_bytes())
    )
}

/// What an API request's signature covers besides its time: `METHOD path\n` then the body.
/// `path` is the address below the gateway's base (`/api/payments/{id}/refunds`).
pub fn request_message(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{method} {path}\n").into_bytes();
    message.extend_from_slice(body);
    message
}

pub fn verify(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), NotificationError> {
    let header = header.ok_or(NotificationError::BadSignature)?;
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err(NotificationError::BadSignature);
    };
    // Authenticate first: a forged message learns nothing about our clock.
    mac(secret, t, body)
        .verify_slice(&v1)
        .map_err(|_| NotificationError::BadSignature)?;
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(NotificationError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"merchant secret";

    #[test]
    fn a_request_signature_is_good_for_its_method_and_path_only() {
        let signed = request_message("GET", "/api/payments/by-merchant-ref/a", b"");
        let h = sign(KEY, 1_000, &signed);
        assert_eq!(verify(KEY, Some(&h), &signed, 1_000), Ok(()));
        for other in [
            request_message("GET", "/api/payments/by-merchant-ref/b", b""),
            request_message("POST", "/api/payments/by-merchant-ref/a", b""),
        ] {
            assert_eq!(
                verify(KEY, Some(&h), &other, 1_000),
                Err(NotificationError::BadSignature)
            );
        }
    }

    #[test]
    fn a_signed_body_verifies_within_the_tolerance() {
        let h = sign(KEY, 1_000, b"{}");
        assert_eq!(verify(KEY, Some(&h), b"{}", 1_000), Ok(()));
        assert_eq!(verify(KEY, Some(&h), b"{}", 1_000 + TOLERANCE_SECS), Ok(()));
    }

    #[test]
    fn a_changed_body_or_key_or_time_is_refused() {
        let h = sign(KEY, 1_000, b"{\"amount\":100}");
        assert_eq!(
            verify(KEY, Some(&h), b"{\"amount\":900}", 1_000),
            Err(NotificationError::BadSignature)
        );
        assert_eq!(
            verify(b"other", Some(&h), b"{\"amount\":100}", 1_000),
            Err(NotificationError::BadSignature)
        );
        let moved = h.replace("t=1000", "t=1999");
        assert_eq!(
            verify(KEY, Some(&moved), b"{\"amount\":100}", 1_999),
            Err(NotificationError::BadSignature)
        );
    }

    #[test]
    fn an_old_or_future_signature_is_stale() {
        let h = sign(KEY, 1_000, b"x");
        assert_eq!(
            verify(KEY, Some(&h), b"x", 1_000 + TOLERANCE_SECS + 1),
            Err(NotificationError::Stale)
        );
        assert_eq!(
            verify(KEY, Some(&h), b"x", 1_000 - TOLERANCE_SECS - 1),
            Err(NotificationError::Stale)
        );
    }

    #[test]
    fn missing_or_garbled_headers_are_refused() {
        for h in [
            None,
            Some(""),
            Some("t=1000"),
            Some("v1=00"),
            Some("t=x,v1=zz"),
        ] {
            assert_eq!(
                verify(KEY, h, b"x", 1_000),
                Err(NotificationError::BadSignature),
                "{h:?}"
            );
        }
    }
}
