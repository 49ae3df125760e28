//! # detente-proto — what is said
//!
//! The wire and document formats of detente, with no I/O and no async:
//!
//! - [`envelope`]: the signed envelope every message travels in, and its
//!   validation (docs/protocol.md, "The envelope");
//! - [`kind`] and [`body`]: the message kinds of the design's vocabulary and
//!   their typed bodies; an unknown kind is refused;
//! - [`card`]: the party card a node publishes and its peers pin;
//! - [`keyring`]: which card, and so which key, spoke for a party at a
//!   given time;
//! - [`agreement`], [`guarantee`] and [`pledge`]: the documents parties
//!   co-sign (the rules of a channel; a statement by one party to another;
//!   a multilateral commitment open for signature), their rules, and the
//!   pure functions that say what follows from their signed records;
//! - [`cosigned`]: how any of them is signed, read and gathered: one
//!   canonical byte form, signers checked, every signature over the same
//!   bytes;
//! - [`receipt`]: the signed proof of delivery a recipient returns;
//! - [`canonical`]: RFC 8785 (JCS) canonical JSON;
//! - [`signing`]: domain-separated Ed25519 signatures (RFC 8032, verified
//!   with `verify_strict`);
//! - [`seal`]: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256),
//!   HKDF-SHA256, ChaCha20-Poly1305;
//! - [`limits`]: bounds on everything that comes from outside;
//! - [`log_entry`]: the fixed records of a party's transparency log;
//! - [`stix`]: the STIX 2.1 bundles messages carry, their validation and
//!   their TLP 2.0 markings.
//!
//! ## Errors
//!
//! Every function that reads outside input returns [`ProtoError`] (or,
//! for a co-signed document, its own error: [`agreement::AgreementError`],
//! [`guarantee::GuaranteeError`], [`pledge::PledgeError`]; for a STIX
//! bundle read on its own, [`stix::StixError`]), whose message
//! names the offending field and says what to do. Nothing here panics on
//! input from a peer.
#![forbid(unsafe_code)]

pub mod admission;
pub mod agreement;
pub mod body;
pub mod canonical;
pub mod card;
pub mod card_chain;
pub mod clock;
pub mod cosigned;
pub mod envelope;
mod error;
pub mod guarantee;
pub mod ids;
pub mod keyring;
pub mod kind;
mod language;
pub mod limits;
pub mod log_entry;
pub mod pledge;
pub mod receipt;
pub mod seal;
pub mod signing;
pub mod stix;
pub mod taxii;
pub mod time;
mod written;

pub use error::{ProtoError, SealError, SignatureError};
