//! The party's offline recovery key (docs/operations.md, "A compromised
//! key"): an Ed25519 key made at `detente init`, whose public half every
//! card carries (`recovery_key`) and whose secret is printed once and
//! never stored on the node. Its one use is to sign a revocation
//! (`detente keys revoke`, [`detente_proto::card_chain`]) when the node's
//! own signing key can no longer be trusted.
//!
//! Its text form is one line, `detente-recovery-key <PARTY> <base64 seed>`,
//! so that it cannot be mistaken for another party's or for a key file.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::ids::PartyCode;
use detente_proto::signing::{PartySigningKey, PartyVerifyingKey};
use zeroize::Zeroizing;

use crate::error::{KeyProblem, NodeError};

const LABEL: &str = "detente-recovery-key";

/// The largest recovery-key file read (one line).
const MAX_FILE_BYTES: u64 = 1024;

/// A party's recovery key, secret half.
#[derive(Debug)]
pub struct RecoveryKey {
    party: PartyCode,
    key: PartySigningKey,
}

impl RecoveryKey {
    /// A fresh recovery key for `party`.
    pub fn generate(party: &PartyCode) -> Self {
        Self {
            party: party.clone(),
            key: PartySigningKey::generate(&mut rand::thread_rng()),
        }
    }

    /// The line to write down: `detente-recovery-key <PARTY> <base64>`.
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{LABEL} {} {}",
            self.party,
            BASE64.encode(*self.key.to_seed())
        ))
    }

    /// Reads the line from `path` (`-`: standard input) and checks it is
    /// `party`'s.
    pub fn read(path: &Path, party: &PartyCode) -> Result<Self, NodeError> {
        use std::io::Read as _;
        let mut text = Zeroizing::new(String::new());
        let read = if path == Path::new("-") {
            std::io::stdin()
                .take(MAX_FILE_BYTES)
                .read_to_string(&mut text)
        } else {
            std::fs::File::open(path)
                .and_then(|file| file.take(MAX_FILE_BYTES).read_to_string(&mut text))
        };
        read.map_err(|e| NodeError::io(path, e))?;
        Self::parse(&text, party).map_err(|problem| NodeError::Key {
            path: PathBuf::from(path),
            problem,
        })
    }

    fn parse(text: &str, party: &PartyCode) -> Result<Self, KeyProblem> {
        let mut words = text.split_whitespace();
        let (Some(LABEL), Some(named), Some(seed), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(KeyProblem::NotRecoveryKey);
        };
        if named != party.as_str() {
            return Err(KeyProblem::OtherPartysRecoveryKey {
                named: named.to_owned(),
                party: party.clone(),
            });
        }
        let bytes = Zeroizing::new(BASE64.decode(seed).map_err(|_| KeyProblem::NotBase64)?);
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| KeyProblem::Length { len: bytes.len() })?,
        );
        Ok(Self {
            party: party.clone(),
            key: PartySigningKey::from_seed(&seed),
        })
    }

    /// The public half, for the card.
    pub fn public(&self) -> PartyVerifyingKey {
        self.key.verifying_key()
    }

    /// The signing key, to sign a revocation.
    pub(crate) fn signing(&self) -> &PartySigningKey {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(code: &str) -> PartyCode {
        code.parse().expect("party")
    }

    #[test]
    fn the_printed_line_reads_back_for_its_party_only() {
        let key = RecoveryKey::generate(&party("RU"));
        let text = key.to_text();
        assert!(text.starts_with("detente-recovery-key RU "), "{}", *text);
        let back = RecoveryKey::parse(&format!("  {}\n", *text), &party("RU")).expect("parse");
        assert_eq!(back.public(), key.public());
        assert!(matches!(
            RecoveryKey::parse(&text, &party("US")),
            Err(KeyProblem::OtherPartysRecoveryKey { .. })
        ));
        for bad in [
            "",
            "detente-recovery-key RU",
            "signing.key contents",
            &format!("{} extra", *text),
        ] {
            assert!(
                matches!(
                    RecoveryKey::parse(bad, &party("RU")),
                    Err(KeyProblem::NotRecoveryKey)
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            RecoveryKey::parse("detente-recovery-key RU AAAA", &party("RU")),
            Err(KeyProblem::Length { len: 3 })
        ));
        assert!(matches!(
            RecoveryKey::parse("detente-recovery-key RU !!!", &party("RU")),
            Err(KeyProblem::NotBase64)
        ));
    }
}
