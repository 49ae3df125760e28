//! # detente-proto — what is said
//!
//! The wire and document formats of detente, with no I/O and no async:
//!
//! - [`envelope`]: the signed envelope every message travels in, and its
//!   validation (DESIGN.md, "The path of one message", steps 2–3);
//! - [`kind`] and [`body`]: the message kinds of the design's vocabulary and
//!   their typed bodies; an unknown kind is refused;
//! - [`card`]: the party card a node publishes and its peers pin;
//! - [`receipt`]: the signed proof of delivery a recipient returns;
//! - [`canonical`]: RFC 8785 (JCS) canonical JSON;
//! - [`signing`]: domain-separated Ed25519 signatures (RFC 8032, verified
//!   with `verify_strict`);
//! - [`seal`]: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256),
//!   HKDF-SHA256, ChaCha20-Poly1305;
//! - [`limits`]: bounds on everything that comes from outside;
//! - [`log_entry`]: the fixed records of a party's transparency log.
//!
//! ## Errors
//!
//! Every function that reads outside input returns [`ProtoError`], whose
//! message names the offending field and says what to do. Nothing here
//! panics on input from a peer.
#![forbid(unsafe_code)]

pub mod agreement;
pub mod body;
pub mod canonical;
pub mod card;
pub mod clock;
pub mod envelope;
mod error;
pub mod ids;
pub mod kind;
pub mod limits;
pub mod log_entry;
pub mod receipt;
pub mod seal;
pub mod signing;
pub mod time;

pub use error::{ProtoError, SealError, SignatureError};
