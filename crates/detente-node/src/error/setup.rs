//! What is wrong with a node's own files and setup: its configuration, its
//! card, its key files, its TLS material. These are the administrator's to
//! fix, and each says how.

use std::path::PathBuf;

use detente_proto::ProtoError;
use detente_proto::ids::PartyCode;

/// What is wrong with a configuration or card file (or a node directory).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    /// The configuration file cannot be read.
    #[error("cannot read it ({cause}); is {} a node directory made by `detente init`?", dir.display())]
    NotANodeDirectory {
        /// The directory.
        dir: PathBuf,
        /// The operating system's error.
        cause: String,
    },
    /// The file is not valid TOML for a node configuration.
    #[error("{cause}")]
    Toml {
        /// What the TOML parser says, with the line and column.
        cause: String,
    },
    /// `init` never writes into a directory that holds anything.
    #[error("already exists and is not empty; choose a new directory (init never overwrites keys)")]
    NotEmpty,
    /// The endpoint is not an https URL.
    #[error("endpoint {endpoint:?} must be an https:// URL")]
    EndpointNotHttps {
        /// The endpoint.
        endpoint: String,
    },
    /// The endpoint names no host.
    #[error(
        "endpoint {endpoint:?} is not a URL with a host, e.g. https://hotline.example.org:7443"
    )]
    EndpointWithoutHost {
        /// The endpoint.
        endpoint: String,
    },
    /// The node's name is empty.
    #[error("name must not be empty")]
    EmptyName,
    /// Another process holds the node directory's lock.
    #[error(
        "another detente process is using this node directory (`detente serve`, or a key rotation); stop it first (systemctl stop detente), then run this again"
    )]
    InUse,
    /// A card validity that has already ended.
    #[error(
        "the card would be valid until {until}, which is not after now ({now}); give a later --valid-until or a positive --valid-for"
    )]
    ValidityInPast {
        /// The end asked for.
        until: detente_proto::time::Timestamp,
        /// Now.
        now: detente_proto::time::Timestamp,
    },
    /// The envelope limit is too small for any real message.
    #[error("limits.max_envelope_bytes must be at least {min}")]
    EnvelopeLimit {
        /// The least allowed.
        min: usize,
    },
    /// The delivery backoff is zero or upside down.
    #[error("delivery.initial_backoff must be positive and not above delivery.max_backoff")]
    Backoff,
    /// Cross-checks too often.
    #[error("log.crosscheck_every must be at least 1s")]
    CrosscheckTooOften,
    /// A witness named twice.
    #[error("log.witnesses names a party twice")]
    WitnessTwice,
    /// A quorum no set of the named witnesses can reach.
    #[error("log.quorum is {quorum}, but only {witnesses} witnesses are named")]
    QuorumTooHigh {
        /// The quorum.
        quorum: usize,
        /// How many witnesses are named.
        witnesses: usize,
    },
    /// No deliveries at all.
    #[error("delivery.concurrency must be at least 1")]
    NoConcurrency,
    /// Console sessions that end at once, or idle longer than they last.
    #[error("console.session_idle must be at least 1m and not above console.session_max")]
    ConsoleSessions,
    /// A lockout that never comes, or comes before the slowing down.
    #[error("console.lock_after must be at least 1 and above console.free_failures")]
    ConsoleLockout,
    /// The card file does not hold a valid card.
    #[error(transparent)]
    Card(#[from] ProtoError),
    /// `[alerts]` is not usable.
    #[error(transparent)]
    Alerts(#[from] crate::alerts::AlertsProblem),
    /// `[metrics]` is not usable.
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsProblem),
    /// A revocation that cannot be made (no recovery key on the card, the
    /// wrong recovery key, a moment after now).
    #[error("cannot revoke the signing key: {0}")]
    Revocation(Box<detente_proto::card_chain::ChainError>),
    /// A compromise dated in the future.
    #[error(
        "--compromised-since {since} is after now ({now}); give the earliest moment the key may have been in other hands"
    )]
    CompromiseInFuture {
        /// The moment given.
        since: detente_proto::time::Timestamp,
        /// Now.
        now: detente_proto::time::Timestamp,
    },
    /// The card file holds a card for another key or party.
    #[error(
        "the card is not {party}'s card for this node's signing key; regenerate it with `detente init`"
    )]
    NotOwnCard {
        /// This node's party.
        party: PartyCode,
    },
}

/// What is wrong with a key file.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    /// The file is not base64.
    #[error("not base64")]
    NotBase64,
    /// The key has the wrong length.
    #[error("holds {len} bytes, expected 32")]
    Length {
        /// How many bytes it holds.
        len: usize,
    },
    /// The bytes are not an encryption key.
    #[error("not an X25519 secret key: {cause}")]
    Encryption {
        /// Why, as the HPKE library says.
        cause: String,
    },
    /// The TLS certificate or key file is damaged.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A directory under `keys/retired/` is not named by a time in
    /// milliseconds since the epoch, as rotations name them.
    #[error(
        "is not named by the time its keys were retired (milliseconds since 1970, as `detente keys rotate` names it); move it out of keys/retired/"
    )]
    RetiredName,
    /// The file is not a recovery key as `detente init` printed it.
    #[error(
        "is not a recovery key: expected the one line `detente-recovery-key <PARTY> <base64>` that `detente init` printed"
    )]
    NotRecoveryKey,
    /// The recovery key is another party's.
    #[error("is the recovery key of {named}, not of {party}")]
    OtherPartysRecoveryKey {
        /// The party the line names.
        named: String,
        /// This node's party.
        party: PartyCode,
    },
}

/// TLS material that cannot be read, or a TLS setup that failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// No PEM certificate.
    #[error("no PEM certificate: {cause}")]
    NoCertificate {
        /// Why, as the PEM parser says.
        cause: String,
    },
    /// No PKCS#8 private key.
    #[error("no PKCS#8 PEM private key: {cause}")]
    NoPrivateKey {
        /// Why, as the PEM parser says.
        cause: String,
    },
    /// The certificate is not X.509.
    #[error("not an X.509 certificate: {cause}")]
    NotX509 {
        /// Why, as the X.509 parser says.
        cause: String,
    },
    /// The host cannot be named in a certificate.
    #[error("cannot name {host:?} in a certificate: {cause}")]
    Host {
        /// The host.
        host: String,
        /// Why, as the certificate library says.
        cause: String,
    },
    /// A step of setting TLS up failed.
    #[error("TLS: cannot {step}: {cause}")]
    Setup {
        /// What was being set up.
        step: &'static str,
        /// Why, as the TLS library says.
        cause: String,
    },
}

impl TlsError {
    /// [`TlsError::Setup`] for `step`, with the library's reason.
    pub fn setup<E: std::fmt::Display>(step: &'static str) -> impl FnOnce(E) -> Self {
        move |e| Self::Setup {
            step,
            cause: e.to_string(),
        }
    }
}
