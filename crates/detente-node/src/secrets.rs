//! Random secrets handed to people and programs: officer tokens, TAXII
//! account secrets, console session and CSRF secrets.
//!
//! A secret is 32 random bytes, written `<prefix><base64url>` so that its
//! kind shows (`dtn_` an officer token, `dtx_` a TAXII secret, `dts_` a
//! console session, `dtc_` a CSRF secret). The store keeps only its SHA-256:
//! guessing 256 random bits is as hard as guessing a key, so no slow hash
//! is needed (passwords, which people choose, get argon2id instead).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh secret with `prefix`, and the hash to store.
pub fn issue(prefix: &str) -> (String, [u8; 32]) {
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let text = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(secret));
    let hash = hash(&text);
    (text, hash)
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_prefixed_and_hash_stably() {
        let (a, hash_a) = issue("dts_");
        let (b, hash_b) = issue("dts_");
        assert_ne!((&a, hash_a), (&b, hash_b));
        assert!(a.starts_with("dts_") && a.len() == 4 + 43, "{a}");
        assert_eq!(hash(&a), hash_a);
    }
}
