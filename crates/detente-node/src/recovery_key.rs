//! The party's offline recovery key (docs/operations.md, "A compromised
//! key"): an Ed25519 key made at `detente init`, whose public half every
//! card carries (`recovery_key`) and whose secret is printed once and
//! never stored on the node. Its one use is to sign a revocation
//! (`detente keys revoke`, [`detente_proto::card_chain`]) when the node's
//! own signing key can no longer be trusted.
//!
//! Its text form is one line, `detente-recovery-key <PARTY> <base64 seed>`,
//! so that it cannot be mistaken for another party's or for a key file.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::ids::PartyCode;
use detente_proto::signing::{PartySigningKey, PartyVerifyingKey};
use zeroize::Zeroizing;

use crate::error::{KeyProblem, NodeError};
use crate::keys::decode32;

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
        Self::parse(path, &text, party)
    }

    fn parse(path: &Path, text: &str, party: &PartyCode) -> Result<Self, NodeError> {
        let problem = |problem| NodeError::Key {
            path: path.to_owned(),
            problem,
        };
        let mut words = text.split_whitespace();
        let (Some(LABEL), Some(named), Some(seed), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(problem(KeyProblem::NotRecoveryKey));
        };
        if named != party.as_str() {
            return Err(problem(KeyProblem::OtherPartysRecoveryKey {
                named: named.to_owned(),
                party: party.clone(),
            }));
        }
        Ok(Self {
            party: party.clone(),
            key: PartySigningKey::from_seed(&*decode32(path, seed)?),
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

    fn problem(text: &str, code: &str) -> Option<KeyProblem> {
        match RecoveryKey::parse(Path::new("recovery.txt"), text, &party(code)) {
            Ok(_) => None,
            Err(NodeError::Key { problem, .. }) => Some(problem),
            Err(other) => panic!("not a key problem: {other:?}"),
        }
    }

    #[test]
    fn the_printed_line_reads_back_for_its_party_only() {
        let key = RecoveryKey::generate(&party("RU"));
        let text = key.to_text();
        assert!(text.starts_with("detente-recovery-key RU "), "{}", *text);
        let back = RecoveryKey::parse(Path::new("-"), &format!("  {}\n", *text), &party("RU"))
            .expect("parse");
        assert_eq!(back.public(), key.public());
        assert!(matches!(
            problem(&text, "US"),
            Some(KeyProblem::OtherPartysRecoveryKey { .. })
        ));
        for bad in [
            "",
            "detente-recovery-key RU",
            "signing.key contents",
            &format!("{} extra", *text),
        ] {
            assert_eq!(
                problem(bad, "RU"),
                Some(KeyProblem::NotRecoveryKey),
                "{bad}"
            );
        }
        assert_eq!(
            problem("detente-recovery-key RU AAAA", "RU"),
            Some(KeyProblem::Length { len: 3 })
        );
        assert_eq!(
            problem("detente-recovery-key RU !!!", "RU"),
            Some(KeyProblem::NotBase64)
        );
    }
}
