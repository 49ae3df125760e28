//! # detente-node — who says what, when
//!
//! A party's node: the peer API over mutual TLS ([`server`], [`api::peer`]),
//! the delivery outbox with retries ([`outbox`]), the inbox with its checks
//! ([`inbox`]), signed receipts, and the officer API ([`api::messages`]).
//! [`init`] creates a node directory; [`Node`] is an opened node and
//! [`RunningNode`] a serving one.
#![forbid(unsafe_code)]

pub mod admin;
mod admission;
pub mod agreements;
pub mod api;
pub mod backoff;
pub mod bench;
pub mod channels;
pub mod client;
pub mod compose;
pub mod config;
pub mod engine;
pub mod error;
pub mod events;
pub mod evidence;
pub mod guarantees;
pub mod inbox;
pub mod init;
pub mod keys;
pub mod log;
pub mod node;
pub mod officer_client;
pub mod officers;
mod outbox;
pub mod peers;
pub mod pledges;
pub mod responsiveness;
pub mod server;
pub mod taxii;
pub mod tls;

pub use error::{NodeError, NodeResult, PeerRejection};
pub use node::Node;
pub use server::RunningNode;
