//! The node's private keys and its TLS certificate, kept in `<dir>/keys/`
//! with file mode 0600 (docs/operations.md, "The node directory").
//!
//! - `signing.key`: Ed25519 seed, base64 — signs envelopes, receipts, the card;
//! - `encryption.key`: X25519 secret, base64 — opens sealed envelopes;
//! - `tls.key`, `tls.crt`: the TLS key pair and its self-signed certificate,
//!   PEM; peers pin the certificate's SPKI hash from our card.
//!
//! After a rotation (`rotation.rs`) the replaced files are kept in
//! `keys/retired/<unix ms>/`, named by the moment the new card took over:
//! for [`crate::config::KeysConfig::overlap`] after it, the replaced
//! encryption key still opens envelopes and the replaced TLS certificate
//! is still presented to peers that have not yet taken the new card.
//!
//! Private keys are never logged, printed or returned by any API.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::seal::EncryptionSecret;
use detente_proto::signing::PartySigningKey;
use detente_proto::time::Timestamp;
use std::time::Duration;
use zeroize::Zeroizing;

use crate::error::{Bug, KeyProblem, NodeError};
use crate::tls::TlsIdentity;

/// A node's keys.
#[derive(Debug)]
pub struct NodeKeys {
    /// Party signing key.
    pub signing: PartySigningKey,
    /// Envelope opening key.
    pub encryption: EncryptionSecret,
    /// TLS certificate and key.
    pub tls: TlsIdentity,
    /// Keys replaced by rotations, newest first.
    pub retired: Vec<RetiredKeys>,
}

/// Keys a rotation replaced, kept for the overlap.
#[derive(Debug)]
pub struct RetiredKeys {
    /// When the card that replaced them took over.
    pub retired_at: Timestamp,
    /// The replaced encryption key.
    pub encryption: EncryptionSecret,
    /// The replaced TLS certificate and key.
    pub tls: TlsIdentity,
}

/// `<dir>/keys`.
pub(crate) fn keys_dir(dir: &Path) -> PathBuf {
    dir.join("keys")
}

/// The key files, as named in a keys directory.
pub(crate) const KEY_FILES: [&str; 4] = ["signing.key", "encryption.key", "tls.key", "tls.crt"];

impl NodeKeys {
    /// Fresh keys; `host` goes into the certificate's subject alternative name.
    pub fn generate(host: &str) -> Result<Self, NodeError> {
        let mut rng = rand::thread_rng();
        Ok(Self {
            signing: PartySigningKey::generate(&mut rng),
            encryption: EncryptionSecret::generate(&mut rng),
            tls: TlsIdentity::generate(host)?,
            retired: Vec::new(),
        })
    }

    /// Writes the keys under `<dir>/keys/`, refusing to overwrite any.
    pub fn save(&self, dir: &Path) -> Result<(), NodeError> {
        self.save_into(&keys_dir(dir))
    }

    /// Writes the four key files into `keys`, refusing to overwrite any.
    pub(crate) fn save_into(&self, keys: &Path) -> Result<(), NodeError> {
        let keys = keys.to_owned();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&keys)
            .map_err(|e| NodeError::io(&keys, e))?;
        write_secret(
            &keys.join("signing.key"),
            BASE64.encode(*self.signing.to_seed()).as_bytes(),
        )?;
        write_secret(
            &keys.join("encryption.key"),
            BASE64
                .encode(self.encryption.to_bytes().as_slice())
                .as_bytes(),
        )?;
        write_secret(&keys.join("tls.key"), self.tls.key_pem().as_bytes())?;
        write_secret(&keys.join("tls.crt"), self.tls.cert_pem().as_bytes())?;
        Ok(())
    }

    /// Reads the keys of the node in `dir`, and the retired ones.
    pub fn load(dir: &Path) -> Result<Self, NodeError> {
        let mut keys = Self::load_from(&keys_dir(dir))?;
        keys.retired = load_retired(&keys_dir(dir))?;
        Ok(keys)
    }

    /// A copy (the rotation builds the next keys from the current ones).
    pub(crate) fn duplicate(&self) -> Result<Self, NodeError> {
        Ok(Self {
            signing: PartySigningKey::from_seed(&self.signing.to_seed()),
            encryption: {
                let bytes = self.encryption.to_bytes();
                let secret = <[u8; 32]>::try_from(bytes.as_slice())
                    .map_err(|_| Bug::construction("encryption key")("not 32 bytes"))?;
                EncryptionSecret::from_bytes(&secret)
                    .map_err(Bug::construction("encryption key"))?
            },
            tls: TlsIdentity::from_pem(self.tls.cert_pem(), self.tls.key_pem())?,
            retired: Vec::new(),
        })
    }

    /// The retired keys whose overlap has not ended at `now`, newest first.
    pub fn in_overlap(
        &self,
        now: Timestamp,
        overlap: Duration,
    ) -> impl Iterator<Item = &RetiredKeys> {
        // Bounded by the config's parser; a century is "for ever" here.
        let overlap =
            chrono::TimeDelta::from_std(overlap).unwrap_or(chrono::TimeDelta::days(36_500));
        self.retired
            .iter()
            .filter(move |r| now < r.retired_at.plus(overlap))
    }

    /// Reads the four key files in `keys`.
    pub(crate) fn load_from(keys: &Path) -> Result<Self, NodeError> {
        let keys = keys.to_owned();
        let read = |name: &str| -> Result<Zeroizing<String>, NodeError> {
            let path = keys.join(name);
            std::fs::read_to_string(&path)
                .map(Zeroizing::new)
                .map_err(|e| NodeError::io(&path, e))
        };
        let seed = decode32(&keys.join("signing.key"), &read("signing.key")?)?;
        let secret = decode32(&keys.join("encryption.key"), &read("encryption.key")?)?;
        let encryption = EncryptionSecret::from_bytes(&secret).map_err(|e| NodeError::Key {
            path: keys.join("encryption.key"),
            problem: KeyProblem::Encryption {
                cause: e.to_string(),
            },
        })?;
        let tls =
            TlsIdentity::from_pem(&read("tls.crt")?, &read("tls.key")?).map_err(|problem| {
                NodeError::Key {
                    path: keys.join("tls.crt"),
                    problem: problem.into(),
                }
            })?;
        Ok(Self {
            signing: PartySigningKey::from_seed(&seed),
            encryption,
            tls,
            retired: Vec::new(),
        })
    }
}

/// Reads `keys/retired/<unix ms>/`, newest first.
fn load_retired(keys: &Path) -> Result<Vec<RetiredKeys>, NodeError> {
    let dir = keys.join(RETIRED_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(NodeError::io(&dir, e)),
    };
    let mut retired = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| NodeError::io(&dir, e))?;
        let path = entry.path();
        let retired_at = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<i64>().ok())
            .and_then(Timestamp::from_unix_millis)
            .ok_or_else(|| NodeError::Key {
                path: path.clone(),
                problem: KeyProblem::RetiredName,
            })?;
        let keys = NodeKeys::load_from(&path)?;
        retired.push(RetiredKeys {
            retired_at,
            encryption: keys.encryption,
            tls: keys.tls,
        });
    }
    retired.sort_by_key(|r| std::cmp::Reverse(r.retired_at));
    Ok(retired)
}

/// Where retired keys are kept, under `keys/`.
pub(crate) const RETIRED_DIR: &str = "retired";

pub(crate) fn decode32(path: &Path, text: &str) -> Result<Zeroizing<[u8; 32]>, NodeError> {
    let bytes = Zeroizing::new(BASE64.decode(text.trim()).map_err(|_| NodeError::Key {
        path: path.to_owned(),
        problem: KeyProblem::NotBase64,
    })?);
    let mut out = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(NodeError::Key {
            path: path.to_owned(),
            problem: KeyProblem::Length { len: bytes.len() },
        });
    }
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// Writes a file readable by its owner only, refusing to replace an existing one.
pub fn write_secret(path: &Path, contents: &[u8]) -> Result<(), NodeError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| NodeError::io(path, e))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| NodeError::io(path, e))
}
