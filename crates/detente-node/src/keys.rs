//! The node's private keys and its TLS certificate, kept in `<dir>/keys/`
//! with file mode 0600 (docs/operations.md, "The node directory").
//!
//! - `signing.key`: Ed25519 seed, base64 — signs envelopes, receipts, the card;
//! - `encryption.key`: X25519 secret, base64 — opens sealed envelopes;
//! - `tls.key`, `tls.crt`: the TLS key pair and its self-signed certificate,
//!   PEM; peers pin the certificate's SPKI hash from our card.
//!
//! Private keys are never logged, printed or returned by any API.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::seal::EncryptionSecret;
use detente_proto::signing::PartySigningKey;
use zeroize::Zeroizing;

use crate::error::{KeyProblem, NodeError};
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
}

fn keys_dir(dir: &Path) -> PathBuf {
    dir.join("keys")
}

impl NodeKeys {
    /// Fresh keys; `host` goes into the certificate's subject alternative name.
    pub fn generate(host: &str) -> Result<Self, NodeError> {
        let mut rng = rand::thread_rng();
        Ok(Self {
            signing: PartySigningKey::generate(&mut rng),
            encryption: EncryptionSecret::generate(&mut rng),
            tls: TlsIdentity::generate(host)?,
        })
    }

    /// Writes the keys under `<dir>/keys/`, refusing to overwrite any.
    pub fn save(&self, dir: &Path) -> Result<(), NodeError> {
        let keys = keys_dir(dir);
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

    /// Reads the keys of the node in `dir`.
    pub fn load(dir: &Path) -> Result<Self, NodeError> {
        let keys = keys_dir(dir);
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
        })
    }
}

fn decode32(path: &Path, text: &str) -> Result<Zeroizing<[u8; 32]>, NodeError> {
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
