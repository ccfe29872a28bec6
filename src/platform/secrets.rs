//! The server's secret key: given in the environment, or generated once and kept in the data
//! directory (mode 0600). Never logged: `SecretKey`'s Debug prints a placeholder. And sealing
//! with it: what must be stored but read back (a TOTP key, a signing key) is encrypted under a
//! key derived from the secret for that one purpose.

use std::{fmt, io, path::Path};

#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("BAWABA_SECRET_KEY must be 64 hex digits (32 bytes)")]
    BadHex,
    #[error("the secret key file {path} cannot be used: {source}")]
    File { path: String, source: io::Error },
}

impl SecretKey {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    fn from_hex(hex_str: &str) -> Result<Self, SecretError> {
        let bytes = hex::decode(hex_str.trim()).map_err(|_| SecretError::BadHex)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadHex)?;
        Ok(Self(arr))
    }

    /// The configured key, or the one in `<data_dir>/secret.key`, created on first run.
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> Result<Self, SecretError> {
        if let Some(hex_str) = configured {
            return Self::from_hex(hex_str);
        }
        let path = data_dir.join("secret.key");
        let file_err = |source| SecretError::File {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(contents) => Self::from_hex(&contents),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::fill(&mut key);
                match publish_private(&path, &hex::encode(key)) {
                    Ok(()) => Ok(Self(key)),
                    // Another app server starting at the same moment won: use its key.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        Self::from_hex(&std::fs::read_to_string(&path).map_err(file_err)?)
                    }
                    Err(e) => Err(file_err(e)),
                }
            }
            Err(e) => Err(file_err(e)),
        }
    }
}

/// Writes the key to a private temporary file, then links it into place: the key file appears
/// whole or not at all, and if another server published one first, `AlreadyExists` says so.
fn publish_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(
        format!("tmp-{}", std::process::id()) + &format!("-{:x}", rand::random::<u64>()),
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}

// ---- Sealing -------------------------------------------------------------------------------

/// A ChaCha20-Poly1305 key of its own for each purpose, derived from the server's secret (the
/// secret itself signs other things, and one purpose's ciphertext must not open as another's).
fn sealing_cipher(secret: &SecretKey, purpose: &str) -> chacha20poly1305::ChaCha20Poly1305 {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.bytes()).expect("any key length");
    mac.update(purpose.as_bytes());
    <chacha20poly1305::ChaCha20Poly1305 as chacha20poly1305::KeyInit>::new(
        &mac.finalize().into_bytes(),
    )
}

/// `hex(nonce ‖ ciphertext ‖ tag)`.
pub fn seal(secret: &SecretKey, purpose: &str, plain: &[u8]) -> String {
    use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
    let nonce = chacha20poly1305::ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = sealing_cipher(secret, purpose)
        .encrypt(&nonce, plain)
        .expect("encrypting a short buffer cannot fail");
    let mut out = nonce.to_vec();
    out.extend(sealed);
    hex::encode(out)
}

/// The sealed bytes, or `None` if they were tampered with, or sealed under another secret or
/// for another purpose.
pub fn open(secret: &SecretKey, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
    use chacha20poly1305::aead::Aead;
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, body) = bytes.split_at(12);
    sealing_cipher(secret, purpose)
        .decrypt(chacha20poly1305::Nonce::from_slice(nonce), body)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_with_the_same_secret_and_purpose_and_untouched() {
        let a = SecretKey::from_bytes([7; 32]);
        let b = SecretKey::from_bytes([8; 32]);
        let sealed = seal(&a, "purpose/one", b"key bytes");
        assert_eq!(
            open(&a, "purpose/one", &sealed).as_deref(),
            Some(&b"key bytes"[..])
        );
        assert_eq!(open(&b, "purpose/one", &sealed), None);
        assert_eq!(open(&a, "purpose/two", &sealed), None, "another purpose");
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            open(&a, "purpose/one", &String::from_utf8(tampered).unwrap()),
            None
        );
    }

    #[test]
    fn a_generated_key_is_persisted_and_read_back() {
        let dir = std::env::temp_dir().join(format!("bawaba-secret-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = SecretKey::load_or_create(None, &dir).unwrap();
        let second = SecretKey::load_or_create(None, &dir).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_configured_key_must_be_32_bytes_of_hex() {
        let dir = std::env::temp_dir();
        assert!(SecretKey::load_or_create(Some(&"ab".repeat(32)), &dir).is_ok());
        assert!(SecretKey::load_or_create(Some("abcd"), &dir).is_err());
        assert!(SecretKey::load_or_create(Some(&"zz".repeat(32)), &dir).is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = SecretKey([7; 32]);
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }
}
