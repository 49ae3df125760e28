//! Checkpoints — C2SP `tlog-checkpoint` v1.0.0.
//!
//! §Note text: at least three non-empty lines, each ending in a newline:
//!
//! 1. the **origin**, non-empty (that it SHOULD be a schema-less URL without
//!    spaces or `+` is a recommendation, and clients MUST NOT assume it, so
//!    it is not enforced);
//! 2. the **tree size**, ASCII decimal with no leading zeroes (`0` for the
//!    empty tree);
//! 3. the **root hash**, base64 of the RFC 6962 root at that size;
//! 4. optional, opaque, non-empty **extension lines**.
//!
//! §Signatures: a checkpoint is a [signed note](crate::note); clients ignore
//! unknown signatures, which is how witness cosignatures ride along. The log's
//! key name SHOULD match the origin (not enforced: [`SignedCheckpoint::verify`]
//! checks against the keys the caller trusts for that origin).

use crate::merkle::{EMPTY_ROOT, Hash};
use crate::note::{Ed25519Signer, Note, NoteError, NoteSignature, NoteVerifier};
use crate::text::{decode_hash, encode_base64, parse_decimal, quote};

/// Why a checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The signed note around the checkpoint is malformed or does not verify.
    #[error("checkpoint note: {0}")]
    Note(#[from] NoteError),
    /// The text does not end with a newline.
    #[error("checkpoint text must end with a newline")]
    NotTerminated,
    /// Fewer than the three mandatory lines.
    #[error("checkpoint has {lines} lines; origin, size and root hash are required")]
    TooFewLines {
        /// Lines found.
        lines: usize,
    },
    /// The origin line is empty.
    #[error("checkpoint origin line is empty")]
    EmptyOrigin,
    /// The size line is not a decimal without leading zeroes.
    #[error("checkpoint size {0} is not a decimal number without leading zeroes")]
    InvalidSize(String),
    /// The root hash line is not base64 of 32 bytes.
    #[error("checkpoint root hash {0} is not the base64 encoding of 32 bytes")]
    InvalidRootHash(String),
    /// An extension line is empty.
    #[error("checkpoint extension line {line} is empty")]
    EmptyExtensionLine {
        /// 1-based line number.
        line: usize,
    },
    /// A line (origin or extension) holds a newline or control character.
    #[error("checkpoint line {0} holds a newline or control character")]
    InvalidLine(String),
    /// A checkpoint of size zero whose root is not the empty-tree hash.
    #[error("checkpoint of size 0 must have the empty-tree root SHA-256(\"\")")]
    EmptyTreeRoot,
}

/// The body of a checkpoint: origin, size, root hash and extension lines.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        Self::with_extensions(origin, size, root, Vec::new())
    }

    /// A checkpoint with extension lines (NOT RECOMMENDED by the spec: they
    /// are not auditable by monitors).
    pub fn with_extensions(
        origin: &str,
        size: u64,
        root: Hash,
        extensions: Vec<String>,
    ) -> Result<Self, CheckpointError> {
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        check_line(origin)?;
        for (i, line) in extensions.iter().enumerate() {
            if line.is_empty() {
                return Err(CheckpointError::EmptyExtensionLine { line: i + 4 });
            }
            check_line(line)?;
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Parses a checkpoint note text (without signatures).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::NotTerminated)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines { lines: lines.len() });
        };
        let size = parse_decimal(size).ok_or_else(|| CheckpointError::InvalidSize(quote(size)))?;
        let root =
            decode_hash(root).ok_or_else(|| CheckpointError::InvalidRootHash(quote(root)))?;
        let extensions = extensions.iter().map(|s| (*s).to_owned()).collect();
        Self::with_extensions(origin, size, root, extensions)
    }

    /// The note text: the lines, each followed by a newline.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            encode_base64(&self.root)
        );
        for line in &self.extensions {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash.
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// Checks the RFC 6962 §2.1 rule that the empty tree's root is `SHA-256("")`.
    pub fn check_empty_tree_root(&self) -> Result<(), CheckpointError> {
        if self.size == 0 && self.root != EMPTY_ROOT {
            return Err(CheckpointError::EmptyTreeRoot);
        }
        Ok(())
    }
}

impl std::fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Lines become part of a signed note: no newline or other ASCII control
/// character (signed-note §Format).
fn check_line(line: &str) -> Result<(), CheckpointError> {
    if line.bytes().any(|b| b < 0x20) {
        return Err(CheckpointError::InvalidLine(quote(line)));
    }
    Ok(())
}

/// A checkpoint and the signed note that carries it (log signature, and any
/// cosignatures). Parsing does not verify; call [`SignedCheckpoint::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
}

impl SignedCheckpoint {
    /// Parses a signed checkpoint: a signed note whose text is a checkpoint.
    pub fn parse(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let note = Note::parse(bytes)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(Self { checkpoint, note })
    }

    /// Signs a checkpoint with the log's Ed25519 key.
    pub fn sign(checkpoint: Checkpoint, signer: &Ed25519Signer) -> Result<Self, CheckpointError> {
        let mut note = Note::new(checkpoint.to_text())?;
        note.sign(signer);
        Ok(Self { checkpoint, note })
    }

    /// A signed checkpoint from a note already known to carry it.
    pub(crate) fn from_parts(checkpoint: Checkpoint, note: Note) -> Self {
        Self { checkpoint, note }
    }

    /// Verifies the log signature(s) against the keys trusted for this log and
    /// returns those that verified (signed-note §Signatures semantics:
    /// unknown signatures are ignored, a bad signature by a trusted key fails).
    pub fn verify(
        &self,
        log_keys: &[&dyn NoteVerifier],
    ) -> Result<Vec<&NoteSignature>, CheckpointError> {
        Ok(self.note.verify(log_keys)?)
    }

    /// The checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed note.
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// Appends a signature line (e.g. a witness cosignature).
    pub fn push_signature(&mut self, signature: NoteSignature) {
        self.note.push_signature(signature);
    }

    /// Keeps only the signature lines for which `keep` holds (e.g. drops
    /// cosignatures by keys a reader has no way to check).
    pub fn retain_signatures(&mut self, keep: impl FnMut(&NoteSignature) -> bool) {
        self.note.retain_signatures(keep);
    }

    /// The encoded signed note.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.note.to_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of tlog-checkpoint (signature made up by the spec's authors).
    const SPEC: &str = "example.com/behind-the-sofa\n\
        20852163\n\
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
        \n\
        \u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

    #[test]
    fn spec_example_parses_and_round_trips() {
        let signed = SignedCheckpoint::parse(SPEC.as_bytes()).unwrap();
        let c = signed.checkpoint();
        assert_eq!(c.origin(), "example.com/behind-the-sofa");
        assert_eq!(c.size(), 20_852_163);
        assert!(c.extensions().is_empty());
        assert_eq!(signed.to_bytes(), SPEC.as_bytes());
        assert_eq!(
            c.to_text(),
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn extension_lines_round_trip() {
        let text = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n";
        let c = Checkpoint::parse(text).unwrap();
        assert_eq!(c.extensions(), ["ext one", "ext two"]);
        assert_eq!(c.to_text(), text);
        c.check_empty_tree_root().unwrap();
    }

    #[test]
    fn malformed_checkpoints_are_rejected() {
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let cases = [
            (format!("o\n1\n{root}"), "unterminated"),
            ("o\n1\n".to_owned(), "no root"),
            (format!("\n1\n{root}\n"), "empty origin"),
            (format!("o\n01\n{root}\n"), "leading zero"),
            (format!("o\n-1\n{root}\n"), "negative"),
            (format!("o\n18446744073709551616\n{root}\n"), "overflow"),
            (format!("o\n 1\n{root}\n"), "space"),
            ("o\n1\nAAAA\n".to_owned(), "short root"),
            (format!("o\n1\n{}\n", &root[..43]), "bad base64"),
            (format!("o\n1\n{root}\n\n"), "empty extension"),
            (
                format!("o\n1\n{root}\next\n\nmore\n"),
                "empty line inside extensions",
            ),
        ];
        for (text, why) in cases {
            assert!(Checkpoint::parse(&text).is_err(), "accepted: {why}");
        }
        let nonempty = Checkpoint::new("o", 0, [1; 32]).unwrap();
        assert_eq!(
            nonempty.check_empty_tree_root(),
            Err(CheckpointError::EmptyTreeRoot)
        );
        assert!(Checkpoint::new("o\nx", 1, [0; 32]).is_err());
    }

    #[test]
    fn sign_and_verify() {
        let signer = Ed25519Signer::from_seed("log.example/a", &[7; 32]).unwrap();
        let c = Checkpoint::new("log.example/a", 3, [9; 32]).unwrap();
        let signed = SignedCheckpoint::sign(c.clone(), &signer).unwrap();
        let parsed = SignedCheckpoint::parse(&signed.to_bytes()).unwrap();
        assert_eq!(parsed.checkpoint(), &c);
        let v = signer.verifier();
        assert_eq!(parsed.verify(&[&v]).unwrap().len(), 1);
        let other = Ed25519Signer::from_seed("log.example/a", &[8; 32])
            .unwrap()
            .verifier();
        assert!(parsed.verify(&[&other]).is_err());
    }
}
