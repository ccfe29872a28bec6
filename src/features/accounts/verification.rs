//! Confirming an e-mail address: a 6-digit code to type and a link to open, both dying on use,
//! after 30 minutes, after 5 wrong codes, or when a new code is sent. One live confirmation per
//! account (the table's key); only keyed hashes are stored.

use crate::{
    domain::contact::Email,
    platform::{
        db::{Db, DbError, WriteTx},
        secrets::SecretKey,
    },
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const LIFETIME_SECS: i64 = 30 * 60;
/// Wrong codes allowed; the next try needs a new code.
pub const MAX_WRONG_TRIES: i64 = 5;
/// A new code can be asked for this long after the last one.
pub const RESEND_COOLDOWN_SECS: i64 = 60;

/// What was just issued: the code and the link's token, to be e-mailed (never stored).
pub struct Issued {
    pub code: String,
    pub link_token: String,
}

fn code_mac(secret: &SecretKey, account_id: &str, code: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("any key length");
    // The account id binds the code to its account: the same code for two accounts hashes
    // differently.
    mac.update(account_id.as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    mac
}

fn link_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn random_code() -> String {
    // Uniform over 000000–999999: reject the top of the u32 range that would bias it.
    loop {
        let n: u32 = rand::random();
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Replaces the account's confirmation with a new one for `email`, inside the caller's
/// transaction (with the e-mail that carries it).
pub async fn issue(
    tx: &mut WriteTx,
    secret: &SecretKey,
    account_id: &str,
    email: &Email,
    now: i64,
) -> Result<Issued, DbError> {
    let code = random_code();
    let mut token = [0u8; 32];
    rand::fill(&mut token);
    let link_token = hex::encode(token);
    let code_hash = hex::encode(code_mac(secret, account_id, &code).finalize().into_bytes());
    sqlx::query("DELETE FROM email_verifications WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO email_verifications (account_id, email, code_hash, link_hash, wrong_tries, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(account_id)
    .bind(email.as_str())
    .bind(code_hash)
    .bind(link_hash(&link_token))
    .bind(now)
    .bind(now + LIFETIME_SECS)
    .execute(&mut **tx)
    .await?;
    Ok(Issued { code, link_token })
}

/// Seconds to wait before another code may be sent to this account (0: now).
pub async fn resend_wait(db: &Db, account_id: &str, now: i64) -> Result<i64, DbError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM email_verifications WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map_or(0, |(at,)| (at + RESEND_COOLDOWN_SECS - now).max(0)))
}

/// What a code or a link came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The address is confirmed now.
    Confirmed,
    /// A wrong code; this many tries remain.
    Wrong { tries_left: i64 },
    /// Five wrong codes were typed: only a new code helps.
    TooManyTries,
    /// Older than 30 minutes.
    Expired,
    /// Already used (the address is confirmed).
    Used,
    /// Nothing to confirm: no code was sent, or a newer one replaced it.
    Unknown,
}

impl Outcome {
    /// The problem code the page shows (`None`: confirmed now).
    pub fn problem(self) -> Option<String> {
        match self {
            Outcome::Confirmed => None,
            Outcome::Wrong { tries_left } => Some(format!("code_wrong:{tries_left}")),
            Outcome::TooManyTries => Some("code_too_many".into()),
            Outcome::Expired => Some("code_expired".into()),
            Outcome::Used | Outcome::Unknown => Some("code_unknown".into()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Live {
    account_id: String,
    email: String,
    code_hash: String,
    wrong_tries: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

fn refusal(row: &Live, now: i64) -> Option<Outcome> {
    if row.used_at.is_some() {
        Some(Outcome::Used)
    } else if row.expires_at <= now {
        Some(Outcome::Expired)
    } else if row.wrong_tries >= MAX_WRONG_TRIES {
        Some(Outcome::TooManyTries)
    } else {
        None
    }
}

/// Confirms the address if `code` is right. Every wrong code is counted in one statement that
/// only counts while tries remain, so parallel guesses cannot exceed the limit.
pub async fn check_code(
    db: &Db,
    secret: &SecretKey,
    account_id: &str,
    code: &str,
    now: i64,
) -> Result<Outcome, DbError> {
    let mut tx = db.begin_write().await?;
    let row: Option<Live> = sqlx::query_as(
        "SELECT account_id, email, code_hash, wrong_tries, expires_at, used_at \
         FROM email_verifications WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Outcome::Unknown);
    };
    if let Some(refused) = refusal(&row, now) {
        return Ok(refused);
    }
    let expected = hex::decode(&row.code_hash).unwrap_or_default();
    let right = code.len() == 6
        && code_mac(secret, account_id, code)
            .verify_slice(&expected)
            .is_ok();
    if !right {
        let counted = sqlx::query(
            "UPDATE email_verifications SET wrong_tries = wrong_tries + 1 \
             WHERE account_id = $1 AND wrong_tries < $2 AND used_at IS NULL",
        )
        .bind(account_id)
        .bind(MAX_WRONG_TRIES)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let tries_left = MAX_WRONG_TRIES - row.wrong_tries - 1;
        return Ok(if counted.rows_affected() == 0 || tries_left <= 0 {
            Outcome::TooManyTries
        } else {
            Outcome::Wrong { tries_left }
        });
    }
    let outcome = confirm(&mut tx, &row, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Confirms the address whose link carries `token`; returns the account it belongs to.
pub async fn check_link(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<(Outcome, Option<String>), DbError> {
    let mut tx = db.begin_write().await?;
    let row: Option<Live> = sqlx::query_as(
        "SELECT account_id, email, code_hash, wrong_tries, expires_at, used_at \
         FROM email_verifications WHERE link_hash = $1",
    )
    .bind(link_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok((Outcome::Unknown, None));
    };
    // Wrong codes typed do not kill the link: it proves the address by itself.
    let outcome = match refusal(&row, now) {
        Some(Outcome::TooManyTries) | None => confirm(&mut tx, &row, now).await?,
        Some(refused) => refused,
    };
    tx.commit().await?;
    Ok((outcome, Some(row.account_id)))
}

/// Marks the confirmation used (only if it still is unused: two clicks confirm once) and the
/// account's address confirmed, if the account still has that address.
async fn confirm(tx: &mut WriteTx, row: &Live, now: i64) -> Result<Outcome, DbError> {
    let used = sqlx::query(
        "UPDATE email_verifications SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(&row.account_id)
    .execute(&mut **tx)
    .await?;
    if used.rows_affected() == 0 {
        return Ok(Outcome::Used);
    }
    sqlx::query(
        // The address confirmed becomes the account's: the same one after registration, the
        // new one when the holder is changing it.
        "UPDATE accounts SET email = $3, email_verified_at = $1, updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(&row.account_id)
    .bind(&row.email)
    .execute(&mut **tx)
    .await?;
    Ok(Outcome::Confirmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_six_digits() {
        for _ in 0..200 {
            let c = random_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn a_code_hash_depends_on_the_key_and_the_account() {
        let a = SecretKey::from_bytes([1; 32]);
        let b = SecretKey::from_bytes([2; 32]);
        let h = |k: &SecretKey, acc: &str| code_mac(k, acc, "123456").finalize().into_bytes();
        assert_ne!(h(&a, "x"), h(&b, "x"));
        assert_ne!(h(&a, "x"), h(&a, "y"));
        assert_eq!(h(&a, "x"), h(&a, "x"));
    }
}
