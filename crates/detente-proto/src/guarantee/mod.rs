//! Guarantees (docs/protocol.md, "Guarantees"): a signed statement by one
//! party to another (e.g. non-interference, elections included); a
//! reciprocal guarantee takes effect only when both sides have signed the
//! same document.
//!
//! Officers write a guarantee as TOML ([`GuaranteeSpec`]);
//! [`GuaranteeSpec::validate`] checks every rule and gives the
//! [`Guarantee`], whose RFC 8785 canonical JSON is what its signers sign
//! ([`crate::signing::Domain::Guarantee`], through the common machinery of
//! [`crate::cosigned`]). A one-way guarantee is signed, and binds, its
//! issuer only; a reciprocal one is signed by both parties and binds both,
//! and nobody is bound before both signed the same bytes. Its text is
//! given in one or more languages and signed exactly as written — no
//! trimming, no Unicode normalisation — so what a state signed in Arabic or
//! Russian is what any verifier reads back, byte for byte.
//!
//! ## Lifecycle
//!
//! A guarantee's status at any moment ([`status_at`], [`GuaranteeStatus`])
//! is a pure function of the guarantee and its signed records
//! ([`GuaranteeEvent`]): the caller supplies the events and the moment;
//! each event's time is the `created_at` of the signed message that
//! carried it (`guarantee-propose` and `guarantee-sign` carry signatures,
//! `guarantee-withdraw` a withdrawal). The rules, applied to the events at
//! or before the moment, in time order (events of the same time in the
//! order given):
//!
//! - a guarantee is **concluded** when every signer has signed, at the
//!   time of the last of those signatures; a signature by anyone else, or
//!   after conclusion, changes nothing;
//! - it is **in force** from the later of its conclusion and
//!   `effective_from`;
//! - the **first withdrawal** by a bound party counts (one by a party it
//!   does not bind is ignored; [`check_withdrawal`] refuses it earlier).
//!   Made before conclusion, it ends the proposal at once. Made after, the
//!   guarantee still binds for the notice period: it **lapses** at the
//!   withdrawal's time plus `notice`, or at `expires`, whichever is first
//!   (both at once: expired);
//! - without withdrawal it lapses at `expires`, if it has one; a proposal
//!   not concluded by then lapses too.

mod document;
mod error;
mod lifecycle;
mod spec;

pub use document::{
    Guarantee, GuaranteeSignatures, MAX_NOTICE_MS, MAX_SIGNED_GUARANTEE_BYTES, SignedGuarantee,
};
pub use error::GuaranteeError;
pub use lifecycle::{
    GuaranteeEvent, GuaranteeStatus, LapseReason, check_withdrawal, in_force_at, status_at,
};
pub use spec::{GuaranteeSpec, MAX_GUARANTEE_SPEC_BYTES};

pub(crate) use crate::ids::join_parties as join;

#[cfg(test)]
mod tests;
