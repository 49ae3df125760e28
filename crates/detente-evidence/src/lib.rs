//! # detente-evidence — proof to a third party
//!
//! The evidence bundle (docs/evidence.md) and
//! its offline verifier. An auditor needs only this crate (and the two it
//! builds on, `detente-proto` and `detente-log`): no node, no network, no
//! clock.
//!
//! - [`bundle`]: the format (docs/evidence.md is its reference);
//! - [`verify()`]: checks a bundle and gives a [`Report`] with a
//!   [`Verdict`] per claim;
//! - [`naming`]: how detente names logs and witnesses in C2SP terms;
//! - [`receipt_log`]: the log proof inside a receipt.
#![forbid(unsafe_code)]

pub mod bundle;
pub mod naming;
pub mod receipt_log;
mod report;
mod verify;

pub use bundle::{Bundle, BundleError, BundledAgreement, BundledMessage, FORMAT, LogProof, Scope};
pub use report::{Claim, Commitment, Party, Report, Signatory, Verdict, figures_table};
pub use verify::{Options, verify};
