//! The second sign-in step: an authenticator app (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30 s,
//! one step of clock drift either way) or a 6-digit code by SMS, with ten one-time recovery
//! codes for a lost phone. Optional for citizens, required of officers and administrators.
//!
//! What is stored: the TOTP key sealed under a key derived from the server's secret (the app
//! must recompute codes, so it cannot be a hash), keyed hashes of SMS and recovery codes, and
//! the last TOTP step accepted, so that a code seen over a shoulder cannot be used again.

use crate::platform::{
    db::{Db, DbError, WriteTx},
    secrets::SecretKey,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const STEP_SECS: i64 = 30;
/// Steps of clock drift accepted either side of now (RFC 6238 recommends one).
const DRIFT_STEPS: i64 = 1;
/// 160 bits, as RFC 4226 recommends.
const KEY_BYTES: usize = 20;
pub const SMS_LIFETIME_SECS: i64 = 10 * 60;
pub const SMS_MAX_WRONG_TRIES: i64 = 5;
/// A new SMS code can be asked for this long after the last one.
pub const SMS_RESEND_SECS: i64 = 60;
pub const RECOVERY_CODES: usize = 10;

pub use crate::domain::account::SecondStepKind as Kind;

/// An account's second step, confirmed or still being set up.
#[derive(Clone, Debug)]
pub struct Factor {
    pub kind: Kind,
    pub confirmed: bool,
    secret_sealed: Option<String>,
}

// ---- Sealing -------------------------------------------------------------------------------

/// The purpose the TOTP key and the shown recovery codes are sealed under (see
/// `secrets::seal`).
const SEAL_PURPOSE: &str = "bawaba/second-factor/seal/v1";

pub fn seal(secret: &SecretKey, plain: &[u8]) -> String {
    crate::platform::secrets::seal(secret, SEAL_PURPOSE, plain)
}

pub fn open(secret: &SecretKey, sealed: &str) -> Option<Vec<u8>> {
    crate::platform::secrets::open(secret, SEAL_PURPOSE, sealed)
}

// ---- TOTP ----------------------------------------------------------------------------------

/// The 6-digit code of `key` for time step `step` (RFC 4226's dynamic truncation).
pub fn totp_at(key: &[u8], step: i64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", value % 1_000_000)
}

/// The step `code` belongs to, if it is right for a step near `now` later than `after_step`.
pub fn matching_step(key: &[u8], code: &str, now: i64, after_step: i64) -> Option<i64> {
    let current = now.div_euclid(STEP_SECS);
    let mut found = None;
    // Every candidate is compared, in constant time, so timing tells nothing.
    for step in current - DRIFT_STEPS..=current + DRIFT_STEPS {
        let right = constant_time_eq(totp_at(key, step).as_bytes(), code.as_bytes());
        if right && step > after_step && found.is_none() {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 4648 base32 without padding: how authenticator apps take a key typed by hand.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` address the QR code carries (Google's key-URI format, understood by every
/// common authenticator app).
pub fn otpauth_uri(issuer: &str, account: &str, key: &[u8]) -> String {
    let enc = crate::ui::layout::encode_component;
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        base32(key),
        enc(issuer)
    )
}

// ---- Recovery and SMS codes ----------------------------------------------------------------

fn code_hash(secret: &SecretKey, account_id: &str, purpose: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("any key length");
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(account_id.as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
const RECOVERY_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ#";

fn random_recovery_code() -> String {
    // 10 symbols of 31 (the '#' is never drawn): about 49 bits, shown as XXXXX-XXXXX.
    let mut out = String::new();
    while out.len() < 11 {
        if out.len() == 5 {
            out.push('-');
        }
        let b: u8 = rand::random::<u8>() & 31;
        if b < 31 {
            out.push(RECOVERY_ALPHABET[b as usize] as char);
        }
    }
    out
}

/// Upper case, without spaces or dashes, Arabic-Indic digits made ASCII.
pub fn normalise_recovery_code(typed: &str) -> String {
    crate::domain::digits::normalise_digits(typed)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

// ---- Storage -------------------------------------------------------------------------------

pub async fn factor(db: &Db, account_id: &str) -> Result<Option<Factor>, DbError> {
    let row: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT kind, confirmed_at, secret_sealed FROM second_factors WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(kind, confirmed_at, secret_sealed)| {
        Some(Factor {
            kind: Kind::from_code(&kind)?,
            confirmed: confirmed_at.is_some(),
            secret_sealed,
        })
    }))
}

/// The confirmed second step of the account, if it has one.
pub async fn confirmed(db: &Db, account_id: &str) -> Result<Option<Kind>, DbError> {
    Ok(factor(db, account_id)
        .await?
        .filter(|f| f.confirmed)
        .map(|f| f.kind))
}

/// Starts setting up a second step of `kind` (replacing an unfinished set-up). Returns the
/// new TOTP key, or `None` when the account already has a confirmed second step.
pub async fn begin(
    db: &Db,
    secret: &SecretKey,
    account_id: &str,
    kind: Kind,
    now: i64,
) -> Result<Option<Vec<u8>>, DbError> {
    let mut key = vec![0u8; KEY_BYTES];
    rand::fill(&mut key[..]);
    let sealed = (kind == Kind::Totp).then(|| seal(secret, &key));
    let mut tx = db.begin_write().await?;
    let deleted =
        sqlx::query("DELETE FROM second_factors WHERE account_id = $1 AND confirmed_at IS NULL")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
    let _ = deleted;
    let inserted = sqlx::query(
        "INSERT INTO second_factors (account_id, kind, secret_sealed, last_step, confirmed_at, \
         created_at) VALUES ($1, $2, $3, 0, NULL, $4) ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(kind.code())
    .bind(sealed)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((inserted.rows_affected() == 1).then_some(key))
}

/// The TOTP key of the account's second step (set up or being set up).
pub async fn totp_key(
    db: &Db,
    secret: &SecretKey,
    account_id: &str,
) -> Result<Option<Vec<u8>>, DbError> {
    Ok(factor(db, account_id)
        .await?
        .filter(|f| f.kind == Kind::Totp)
        .and_then(|f| open(secret, f.secret_sealed.as_deref()?)))
}

/// Checks an authenticator code and, if right, records its step in the same statement that
/// checks the step is new: two requests racing with one code cannot both succeed.
pub async fn check_totp(
    db: &Db,
    secret: &SecretKey,
    account_id: &str,
    code: &str,
    now: i64,
) -> Result<bool, DbError> {
    let row: Option<(Option<String>, i64)> = sqlx::query_as(
        "SELECT secret_sealed, last_step FROM second_factors WHERE account_id = $1 AND kind = 'totp'",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((Some(sealed), last_step)) = row else {
        return Ok(false);
    };
    let Some(key) = open(secret, &sealed) else {
        return Ok(false);
    };
    let Some(step) = matching_step(&key, code, now, last_step) else {
        return Ok(false);
    };
    let mut tx = db.begin_write().await?;
    let taken = sqlx::query(
        "UPDATE second_factors SET last_step = $2 WHERE account_id = $1 AND last_step < $2",
    )
    .bind(account_id)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(taken.rows_affected() == 1)
}

/// What an SMS code came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsOutcome {
    Right,
    Wrong {
        tries_left: i64,
    },
    TooManyTries,
    Expired,
    /// No code was sent (or it was used).
    Unknown,
}

impl SmsOutcome {
    /// The problem code the page shows (`None`: the code was right).
    pub fn problem(self) -> Option<String> {
        match self {
            SmsOutcome::Right => None,
            SmsOutcome::Wrong { tries_left } => Some(format!("code_wrong:{tries_left}")),
            SmsOutcome::TooManyTries => Some("code_too_many".into()),
            SmsOutcome::Expired => Some("code_expired".into()),
            SmsOutcome::Unknown => Some("code_unknown".into()),
        }
    }
}

/// Issues a new SMS code for the account (the old one dies), inside the caller's transaction
/// with the SMS that carries it. Returns the code, to be sent and never stored.
pub async fn issue_sms_code(
    tx: &mut WriteTx,
    secret: &SecretKey,
    account_id: &str,
    now: i64,
) -> Result<String, DbError> {
    let code = super::verification::random_code();
    sqlx::query("DELETE FROM sms_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO sms_codes (account_id, code_hash, wrong_tries, created_at, expires_at) \
         VALUES ($1, $2, 0, $3, $4)",
    )
    .bind(account_id)
    .bind(code_hash(secret, account_id, "sms", &code))
    .bind(now)
    .bind(now + SMS_LIFETIME_SECS)
    .execute(&mut **tx)
    .await?;
    Ok(code)
}

/// Seconds before another SMS code may be sent (0: now).
pub async fn sms_resend_wait(db: &Db, account_id: &str, now: i64) -> Result<i64, DbError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM sms_codes WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map_or(0, |(at,)| (at + SMS_RESEND_SECS - now).max(0)))
}

/// Checks an SMS code; a right one dies at once. Wrong tries are counted in one statement
/// that only counts while tries remain, so parallel guesses cannot exceed the limit.
pub async fn check_sms(
    db: &Db,
    secret: &SecretKey,
    account_id: &str,
    code: &str,
    now: i64,
) -> Result<SmsOutcome, DbError> {
    let row: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT code_hash, wrong_tries, expires_at FROM sms_codes WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((hash, wrong_tries, expires_at)) = row else {
        return Ok(SmsOutcome::Unknown);
    };
    if expires_at <= now {
        return Ok(SmsOutcome::Expired);
    }
    if wrong_tries >= SMS_MAX_WRONG_TRIES {
        return Ok(SmsOutcome::TooManyTries);
    }
    let mut tx = db.begin_write().await?;
    if constant_time_eq(
        code_hash(secret, account_id, "sms", code).as_bytes(),
        hash.as_bytes(),
    ) {
        let used = sqlx::query("DELETE FROM sms_codes WHERE account_id = $1 AND code_hash = $2")
            .bind(account_id)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(if used.rows_affected() == 1 {
            SmsOutcome::Right
        } else {
            SmsOutcome::Unknown
        });
    }
    let counted = sqlx::query(
        "UPDATE sms_codes SET wrong_tries = wrong_tries + 1 WHERE account_id = $1 AND wrong_tries < $2",
    )
    .bind(account_id)
    .bind(SMS_MAX_WRONG_TRIES)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let tries_left = SMS_MAX_WRONG_TRIES - wrong_tries - 1;
    Ok(if counted.rows_affected() == 0 || tries_left <= 0 {
        SmsOutcome::TooManyTries
    } else {
        SmsOutcome::Wrong { tries_left }
    })
}

/// Confirms the set-up second step and makes a fresh set of recovery codes, returned once to
/// be shown (only their hashes stay).
pub async fn confirm(
    tx: &mut WriteTx,
    secret: &SecretKey,
    account_id: &str,
    now: i64,
) -> Result<Vec<String>, DbError> {
    sqlx::query("UPDATE second_factors SET confirmed_at = $2 WHERE account_id = $1")
        .bind(account_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    new_recovery_codes(tx, secret, account_id).await
}

/// Replaces the account's recovery codes with ten new ones.
pub async fn new_recovery_codes(
    tx: &mut WriteTx,
    secret: &SecretKey,
    account_id: &str,
) -> Result<Vec<String>, DbError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        let code = random_recovery_code();
        if codes.contains(&code) {
            continue;
        }
        sqlx::query(
            "INSERT INTO recovery_codes (account_id, code_hash, used_at) VALUES ($1, $2, NULL)",
        )
        .bind(account_id)
        .bind(code_hash(
            secret,
            account_id,
            "recovery",
            &normalise_recovery_code(&code),
        ))
        .execute(&mut **tx)
        .await?;
        codes.push(code);
    }
    Ok(codes)
}

/// Uses a recovery code: `Some(codes left)` if it was good (and now is spent).
pub async fn use_recovery_code(
    db: &Db,
    secret: &SecretKey,
    account_id: &str,
    typed: &str,
    now: i64,
) -> Result<Option<i64>, DbError> {
    let code = normalise_recovery_code(typed);
    let mut tx = db.begin_write().await?;
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 \
         WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(account_id)
    .bind(code_hash(secret, account_id, "recovery", &code))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    Ok(Some(recovery_codes_left(db, account_id).await?))
}

pub async fn recovery_codes_left(db: &Db, account_id: &str) -> Result<i64, DbError> {
    let (left,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(db.pool())
    .await?;
    Ok(left)
}

/// Removes the account's second step and everything that goes with it.
pub async fn remove(tx: &mut WriteTx, account_id: &str) -> Result<(), DbError> {
    for table in ["second_factors", "recovery_codes", "sms_codes"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890", last 6 of the 8 digits.
        let key = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp_at(key, time / STEP_SECS), code, "at {time}");
        }
    }

    #[test]
    fn a_code_is_good_for_one_step_either_side_and_only_once() {
        let key = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = now / STEP_SECS;
        assert_eq!(matching_step(key, "050471", now, 0), Some(step));
        assert_eq!(
            matching_step(key, &totp_at(key, step - 1), now, 0),
            Some(step - 1)
        );
        assert_eq!(
            matching_step(key, &totp_at(key, step + 1), now, 0),
            Some(step + 1)
        );
        assert_eq!(matching_step(key, &totp_at(key, step - 2), now, 0), None);
        // Already used: the step is not later than the last one accepted.
        assert_eq!(matching_step(key, "050471", now, step), None);
        assert_eq!(matching_step(key, "05047", now, 0), None);
    }

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"12345678901234567890").len(), 32);
    }

    #[test]
    fn recovery_codes_are_readable_and_typed_loosely() {
        let code = random_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert!(!code.contains(['0', 'O', '1', 'I', 'L', '#']));
        assert_eq!(normalise_recovery_code(" ab2c3-de4f5 "), "AB2C3DE4F5");
    }

    #[test]
    fn the_qr_code_is_an_svg_of_the_address() {
        let uri = otpauth_uri("Bawaba", "amina@example.dz", b"12345678901234567890");
        assert!(uri.starts_with(
            "otpauth://totp/Bawaba:amina%40example.dz?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"
        ));
        let svg = crate::platform::qr::svg(&uri).unwrap();
        assert!(svg.contains("<svg") && svg.contains("#000000"));
    }
}
