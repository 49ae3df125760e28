//! The agreement (docs/protocol.md, "Agreements"): the co-signed rules of a channel.
//!
//! An agreement says which parties it binds, which tiers are in use and
//! which message kinds each tier may send, how fast each kind × precedence
//! must be acknowledged and answered, who hears about a missed deadline and
//! when (the escalation ladder), how often the line is tested, the default
//! TLP, the allowed clock skew and whether exercises are allowed.
//!
//! Officers write it as TOML ([`AgreementSpec`], the format of
//! `testdata/agreement-example.toml`); [`AgreementSpec::validate`] checks
//! every rule and gives the [`Agreement`], whose RFC 8785 canonical JSON is
//! what the parties sign ([`crate::signing::Domain::Agreement`]); it is in
//! force only when every party has signed the same bytes ([`Signatures`]). Durations
//! are whole milliseconds in the JSON, so the signed bytes have one form.
//! The pure rules an engine applies — may this message be sent, which
//! deadlines does it start, which tier hears of a miss and when — are
//! methods of [`Agreement`].

mod document;
mod error;
pub mod responsiveness;
mod rules;
mod signed;
mod spec;

pub use document::{
    Agreement, CommunicationChecks, Deadline, EscalationStep, Exercises, TierRules,
};
pub use error::AgreementError;
pub use rules::{Deadlines, Refusal};
pub use signed::{MAX_SIGNED_AGREEMENT_BYTES, Signatures, SignedAgreement};
pub use spec::AgreementSpec;

#[cfg(test)]
mod tests;
