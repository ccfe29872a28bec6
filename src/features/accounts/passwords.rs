//! Passwords on the server: the shipped list of common passwords, and argon2id hashing.

use crate::domain::contact::{PasswordProblem, check_password};
use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use std::{collections::HashSet, sync::LazyLock};

/// Lower-cased, one per line, `#` comments (source and licence) skipped.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

pub fn is_common(lower_cased: &str) -> bool {
    COMMON.contains(lower_cased)
}

/// The full check of a new password: length, the common list, repetitive or sequential.
pub fn check_new_password(password: &str) -> Result<(), PasswordProblem> {
    check_password(password, is_common)
}

/// A hash could not be made (it never fails with valid parameters; logged, never shown).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane: the crate's defaults) and a
/// random salt, as a PHC string. About 25 ms of CPU, so it runs on a blocking thread and never
/// holds up the async workers.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Whether `password` matches the stored PHC string (its own parameters are used, so hashes
/// made with older parameters still verify). A malformed stored hash matches nothing.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// For an identifier that matches no account: spends the same time as a real check, so the
/// answer's timing does not tell a stranger whether the account exists.
pub async fn verify_nobody(password: String) {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        Argon2::default()
            .hash_password(b"no account has this password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let _ = verify(password, DUMMY.clone()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let stored = hash("olive tree by the sea".into()).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("olive tree by the sea".into(), stored.clone()).await);
        assert!(!verify("olive tree by the sea!".into(), stored.clone()).await);
        assert!(!verify("anything".into(), "not a hash".into()).await);
        // Salted: the same password never gives the same hash twice.
        assert_ne!(hash("olive tree by the sea".into()).await.unwrap(), stored);
    }

    #[test]
    fn the_shipped_list_is_loaded_and_consulted_case_insensitively() {
        assert!(COMMON.len() > 300);
        assert!(
            COMMON
                .iter()
                .all(|p| p.chars().count() >= 12 && *p == p.to_lowercase())
        );
        assert_eq!(
            check_new_password("1qaz2wsx3edc"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new_password("LeaveMeAlone"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(check_new_password("olive tree by the sea"), Ok(()));
    }
}
