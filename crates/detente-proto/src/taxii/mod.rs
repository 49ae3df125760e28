//! TAXII 2.1 (OASIS TAXII Version 2.1, OS 10 June 2021; section numbers
//! below are that document's): the pure part of the node's TAXII server and
//! client. No I/O: the node's HTTP layer hands these functions the headers
//! and the query string, and sends what they give back. The design is in
//! `docs/taxii.md`.
//!
//! - [`media`]: content negotiation (§1.6.8, §3.1): [`check_accept`] (a
//!   refusal is answered 406) and [`check_content_type`] for the envelope
//!   a client POSTs (§5.5; answered 415);
//! - [`query`]: the URL query of the manifest, objects, object and versions
//!   endpoints (§3.4 filtering, §3.4.1 match fields, §3.5 pagination,
//!   §5.3, §5.4, §5.6, §5.8), checked per endpoint ([`Query::parse`]; a
//!   refusal is answered 400);
//! - [`cursor`]: the `next` value (§3.4, §3.7): stateless, opaque, valid
//!   across restarts;
//! - [`time`]: TAXII timestamps (§2) to and from microseconds;
//! - [`resources`]: the resources as JSON: discovery (§4.1.1), API root
//!   (§4.2.1), status (§4.3.1), collections and collection (§5.1.1,
//!   §5.2.1), manifest (§5.3.1), versions (§5.8.1), the envelope (§3.7)
//!   and the error message (§3.6.1).
//!
//! What the node decides with them (which collections an account sees,
//! TLP lanes, how a page is read from the store) is in `detente-node`;
//! which objects' versions compare how is [`crate::stix::version_key`].
//!
//! ## Errors
//!
//! [`QueryError`] and [`MediaError`] are a client's mistakes, never ours:
//! each message is a sentence that names what was sent, says what is
//! taken instead, and is safe to return in an error message's
//! `description` (values are echoed cut short and escaped).

pub mod cursor;
mod error;
pub mod media;
pub mod query;
pub mod resources;
pub mod time;
mod urlencoded;

pub use cursor::Cursor;
pub use error::QueryError;
pub use media::{MediaError, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, check_accept, check_content_type};
pub use query::{DEFAULT_PAGE, Endpoint, MAX_PAGE, Query, VersionFilter};
pub use resources::{
    ApiRoot, Collection, Collections, Discovery, Envelope, ErrorResource, Manifest, ManifestRecord,
    RequestStatus, Status, StatusDetails, Versions,
};
pub use time::{format_micros, parse_micros};
