//! STIX 2.1 payloads: the bundles that notifications, requests and replies
//! carry in `body.stix` (OASIS STIX Version 2.1, OS 10 June 2021; section
//! numbers below are that document's, which its 2025 errata keep).
//!
//! - [`Bundle`] (§8) reads a bundle's shape and keeps every object as the
//!   exact JSON object it arrived as: unknown properties and extensions
//!   survive a round trip untouched, so the canonical bytes an envelope
//!   signs do not change.
//! - [`validate`] checks every object against the specification and
//!   against what detente carries; the first fault is returned as a
//!   [`StixError`] naming the object and the property.
//! - [`Tlp2`], [`tlp_of`], [`effective_tlp`], [`effective_tlps`] and
//!   [`bundle_tlp`] read the FIRST TLP 2.0 markings (§7.2 and the OASIS TLP
//!   2.0 extension definition [`TLP2_EXTENSION_DEFINITION_ID`]).
//! - [`version_of`] and [`version_key`] name an object's version (§3.6)
//!   and write it so that byte order is time order.
//!
//! ## What is checked
//!
//! Types carried: the SDOs `identity` (§4.5), `incident` (§4.6),
//! `indicator` (§4.7), `note` (§4.13), `observed-data` (§4.14) and
//! `report` (§4.16); the SRO `sighting` (§5.2); the SCOs `domain-name`
//! (§6.4), `file` (§6.7), `ipv4-addr` (§6.8), `ipv6-addr` (§6.9) and `url`
//! (§6.15), so that observed data can carry what it saw; and
//! `marking-definition` (§7.2.1), only as one of the five published TLP 2.0
//! definitions. Any other type is refused, custom types included.
//!
//! For every object:
//!
//! - common properties (§3.2) per family: required ones present
//!   (`spec_version` "2.1", `id`, `created`, `modified` for SDOs and SROs),
//!   those that do not apply absent (`defanged` outside SCOs), and each of
//!   its type; `modified` not before `created` (§3.6.1);
//! - identifiers (§2.9, §3.3): `<type>--<UUID>`, the type the object's own,
//!   the UUID RFC 4122 (variant 10xx, version 1 to 5, as the OASIS JSON
//!   schemas check); references of the target types the property allows
//!   (`created_by_ref` an identity, `sighting_of_ref` an SDO, …);
//! - timestamps (§2.16): `YYYY-MM-DDTHH:mm:ss[.s+]Z`, a real UTC date;
//!   `created` and `modified` to at least the millisecond (§3.2);
//! - lists are never empty (§2.12), dictionaries never empty (§2.3);
//!   `confidence` 0–100, integers in their ranges (§2.10);
//! - `external_references` (§2.5), `kill_chain_phases` (§2.11), `hashes`
//!   (§2.7, with the digest length of MD5, SHA-1, SHA-256, SHA-512,
//!   SHA3-256, SHA3-512), `lang` (RFC 5646, by shape), hex (§2.8);
//! - per type: required properties and the rules between them
//!   (`valid_until` after `valid_from`; `last_observed` not before
//!   `first_observed`; exactly one of `objects` and `object_refs` in
//!   observed data, the refs naming SCOs or SROs and at least one SCO;
//!   `number_observed` 1–999 999 999; sighting `count` 0–999 999 999,
//!   `last_seen` not before `first_seen`; a file has `hashes` or `name`);
//!   IP addresses, domain names and URLs by shape, unless `defanged`;
//! - a `stix` indicator pattern by its outer shape (§9: bracketed
//!   observation expressions, balanced, strings closed), not by the full
//!   grammar;
//! - custom properties (§11.1.1): names of 3 to 250 of `a-z`, `0-9` and
//!   `_` (the `x_` prefix is recommended, not required), not reserved
//!   (§3.8); values free, except that `*_ref`/`*_refs` are identifiers,
//!   `*_hex` hex and `*_bin` base64 (§3.1);
//! - markings (§7.2): every `object_marking_refs` entry and granular
//!   `marking_ref` resolves to a TLP 2.0 definition (TLP 1.0 ones are
//!   refused with their TLP 2.0 equivalent named); granular markings have
//!   exactly one of `marking_ref` and `lang`, and selectors that select
//!   content present in the object (§7.2.3.1);
//! - extensions (§3.2, §7.3): keys are `extension-definition--<UUID>`
//!   (with an `extension_type` of extension-type-enum, §10.5, and property
//!   names per §7.3.2.1) or, on SCOs only, `*-ext` names (§3.10, §11.3);
//!   `new-sdo`/`new-sco`/`new-sro` are refused since custom types are; the
//!   OASIS Incident Core extension ([`INCIDENT_CORE_EXTENSION_ID`]) is a
//!   property-extension of incidents with `determination` and
//!   `investigation_status`. Any other extension's content is carried as
//!   it is.
//!
//! ## What is not checked
//!
//! Open vocabularies (any string is taken, §2.14); the full STIX patterning
//! grammar and other pattern languages; the deprecated observable container
//! (`objects` of observed data) beyond being a dictionary; `*_enc`
//! encodings; whether references resolve within the bundle (§3.3 lets them
//! point outside it); the content of extensions other than TLP 2.0 and
//! Incident Core; versioning across bundles (§3.6).
mod bundle;
mod catalogue;
mod datatypes;
mod error;
mod extensions;
mod markings;
mod objects;
#[cfg(test)]
mod tests;
mod versions;

pub use bundle::Bundle;
pub use datatypes::is_type_name;
pub use error::StixError;
pub use extensions::INCIDENT_CORE_EXTENSION_ID;
pub use markings::{
    TLP2_EXTENSION_DEFINITION_ID, Tlp2, bundle_tlp, effective_tlp, effective_tlps, tlp_of,
};
pub(crate) use versions::split_timestamp;
pub use versions::{version_key, version_of};

/// Checks every object of `bundle` against STIX 2.1 and what detente
/// carries (see the module documentation); the first fault found, in
/// object order, is returned.
pub fn validate(bundle: &Bundle) -> Result<(), StixError> {
    for (index, object) in bundle.objects().iter().enumerate() {
        objects::check_object(object).map_err(|fault| {
            let id = object.get("id").and_then(serde_json::Value::as_str);
            fault.in_object(index, id)
        })?;
    }
    Ok(())
}
