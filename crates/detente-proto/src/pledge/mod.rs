//! Pledges (docs/protocol.md, "Pledges"): a multilateral commitment open
//! for signature (e.g. no first use of ICT against each other); its
//! signatory list is logged.
//!
//! A pledge's host (e.g. `UN`) writes it as TOML ([`PledgeSpec`]) and
//! publishes it by signing its RFC 8785 canonical JSON
//! ([`crate::signing::Domain::Pledge`], through the common machinery of
//! [`crate::cosigned`]). Any party may then sign the same bytes, while the
//! pledge is open for signature (`open_from` inclusive, `open_until`
//! exclusive), and may later withdraw. A pledge is named `<host>/<id>`
//! ([`PledgeRef`], e.g. `UN/no-first-use`). Its text is signed exactly as
//! written, in one or more languages, like a guarantee's.
//!
//! ## Signatories
//!
//! The signatory list at any moment ([`signatories_at`]) is a pure
//! function of the pledge and its signed records ([`PledgeEvent`]), whose
//! times are the `created_at` of the messages that carried them
//! (`pledge-sign`, `pledge-withdraw`). Of the events at or before the
//! moment, in time order (events of the same time in the order given), a
//! party's latest decides: a signature inside the window makes it a
//! signatory (signing again while one changes nothing), a withdrawal ends
//! that, and a signature after the withdrawal, still inside the window,
//! makes it one again, from that signature. A signature outside the
//! window is ignored ([`check_signature_time`] refuses it earlier), and so
//! is a withdrawal by a party that is not a signatory
//! ([`check_withdrawal`] refuses it earlier). The host's publishing
//! signature is not itself a signature of commitment: a host that also
//! commits signs like any other party.

mod document;
mod error;
mod reference;
mod signatories;
mod spec;

pub use document::{MAX_SIGNED_PLEDGE_BYTES, Pledge, PledgeSignatures, SignedPledge};
pub use error::PledgeError;
pub use reference::PledgeRef;
pub use signatories::{PledgeEvent, check_signature_time, check_withdrawal, signatories_at};
pub use spec::{MAX_PLEDGE_SPEC_BYTES, PledgeSpec};

#[cfg(test)]
mod tests;
