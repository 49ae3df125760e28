//! TAXII 2.1 server, drafts and TLP enforcement (docs/taxii.md).
//!
//! - [`routes`]: the endpoints under `/taxii2/` (OASIS TAXII 2.1 §4, §5);
//! - [`access`]: accounts, HTTP Basic, and the lanes an account may see;
//! - [`collections`]: API roots (one per counterparty) and collections;
//! - [`rows`]: a bundle's objects as collection rows, with their lanes;
//! - [`indexer`]: messages' objects into their collections;
//! - [`drafts`]: SOC objects held for an officer to send or discard;
//! - [`response`]: TAXII resources and error resources.
//!
//! The wire formats (media types, query parameters, cursors, resources)
//! are pure and live in `detente_proto::taxii`.

pub mod access;
pub(crate) mod collections;
pub mod drafts;
pub(crate) mod indexer;
pub(crate) mod response;
pub(crate) mod routes;
pub mod rows;
