//! # detente-node — who says what, when
//!
//! A party's node: the peer API over mutual TLS, the delivery outbox with
//! retries, the inbox with its checks, signed receipts, and the officer API,
//! all served by [`RunningNode`] ([`server`]). [`init`] creates a node
//! directory, [`admin`] adds its officers and TAXII accounts, and [`Node`]
//! is an opened node: its methods are the operations the APIs call.
//!
//! Only what other crates use is public: the modules below marked `pub`,
//! and the types at the root that [`Node`]'s methods take and return. The
//! protocol steps (compose, inbox, outbox, admission), the document
//! families (agreements, guarantees, pledges), evidence export and the HTTP
//! surfaces are private modules.
#![forbid(unsafe_code)]

pub mod admin;
mod admission;
mod agreements;
pub mod alerts;
mod api;
mod backoff;
pub mod backup;
pub mod bench;
mod card_push;
mod channels;
mod client;
mod compose;
pub mod config;
pub mod console;
pub mod engine;
pub mod error;
pub mod events;
mod evidence;
pub mod fsck;
mod guarantees;
pub mod health;
mod inbox;
pub mod init;
pub mod keys;
mod listing;
pub mod log;
pub mod metrics;
pub mod node;
pub mod officer_client;
pub mod officers;
mod outbox;
pub mod peers;
mod pledges;
pub mod recovery_key;
mod responsiveness;
pub mod rotation;
mod secrets;
pub mod server;
pub mod taxii;
pub mod tls;

pub use agreements::AgreementState;
pub use compose::{Address, ComposeRequest};
pub use error::{
    Bug, ConfigProblem, Conflict, DocumentError, Forbidden, KeyProblem, Mistake, NodeError,
    NodeResult, PeerRejection, RegistryProblem, RegistryRecordProblem, StepRefusal, TlsError,
    TryAgain, Unauthenticated,
};
pub use guarantees::GuaranteeState;
pub use node::Node;
pub use pledges::PledgeState;
pub use responsiveness::DeadlineView;
pub use server::RunningNode;
