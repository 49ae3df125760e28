//! The single-use acknowledgement link of a notice (pure): a token naming
//! the alert and the rota step it was sent with, authenticated with
//! HMAC-SHA256 (RFC 2104) under a key derived from the node's signing key,
//! so it survives restarts and needs no file of its own. It is single-use
//! because acknowledging ends the alert: the same link again finds it
//! acknowledged, and says by whom.
//!
//! Token: `base64url(alert u64 BE ‖ step u32 BE) "." base64url(tag)`,
//! where `tag = HMAC-SHA256(key, "detente-alert-ack/v1" ‖ alert ‖ step)`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The label the key is derived under, and the tag's prefix.
const LABEL: &[u8] = b"detente-alert-ack/v1";

/// The key acknowledgement links are made and checked with.
#[derive(Clone)]
pub struct AckKey([u8; 32]);

impl std::fmt::Debug for AckKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AckKey(…)")
    }
}

/// A token that is not one this node made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "this acknowledgement link is not valid; use the link exactly as the alert gave it, or acknowledge with `detente alerts ack`"
)]
pub struct BadToken;

impl AckKey {
    /// The key of a node whose signing key's secret is `secret`.
    pub fn derive(secret: &[u8; 32]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(LABEL);
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, body: &[u8; 12]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(LABEL);
        mac.update(body);
        mac
    }

    /// The token of step `step` of alert `alert`.
    pub fn token(&self, alert: u64, step: u32) -> String {
        let body = body(alert, step);
        let tag = self.mac(&body).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(body),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The alert and step a token names, if this node made it.
    pub fn open(&self, token: &str) -> Result<(u64, u32), BadToken> {
        let (body, tag) = token.split_once('.').ok_or(BadToken)?;
        let body: [u8; 12] = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| BadToken)?
            .try_into()
            .map_err(|_| BadToken)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| BadToken)?;
        self.mac(&body).verify_slice(&tag).map_err(|_| BadToken)?;
        let (alert, step) = body.split_at(8);
        let alert = u64::from_be_bytes(alert.try_into().map_err(|_| BadToken)?);
        let step = u32::from_be_bytes(step.try_into().map_err(|_| BadToken)?);
        Ok((alert, step))
    }
}

fn body(alert: u64, step: u32) -> [u8; 12] {
    let mut body = [0; 12];
    body[..8].copy_from_slice(&alert.to_be_bytes());
    body[8..].copy_from_slice(&step.to_be_bytes());
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_under_its_key_and_unchanged() {
        let key = AckKey::derive(&[7; 32]);
        let token = key.token(42, 1);
        assert_eq!(key.open(&token), Ok((42, 1)));
        assert_eq!(AckKey::derive(&[8; 32]).open(&token), Err(BadToken));
        let (body, tag) = token.split_once('.').expect("two parts");
        let other = key.token(43, 1);
        let (other_body, _) = other.split_once('.').expect("two parts");
        assert_eq!(key.open(&format!("{other_body}.{tag}")), Err(BadToken));
        assert_eq!(key.open(body), Err(BadToken));
        assert_eq!(key.open(""), Err(BadToken));
        assert_eq!(key.open("!!.??"), Err(BadToken));
    }
}
