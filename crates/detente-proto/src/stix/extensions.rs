//! The `extensions` property (STIX 2.1 §3.2, §7.3) and the extensions
//! detente knows: TLP 2.0 (checked with marking definitions, see
//! [`super::markings`]) and the OASIS Incident Core extension.
//!
//! Any other extension is carried untouched once its shape is right: keyed
//! by an `extension-definition--<UUID>` with an `extension_type`, or, on a
//! cyber-observable object, by a predefined or custom `*-ext` name
//! (§3.10, §11.3).

use serde_json::{Map, Value};

use super::bundle::kind_of;
use super::datatypes::{check_dictionary, check_identifier, check_string, is_property_name};
use super::error::{Fault, fault, join};

/// The id of the OASIS Incident Core extension definition
/// (cti-stix-common-objects, `extension-definition-specifications/incident-core`).
pub const INCIDENT_CORE_EXTENSION_ID: &str =
    "extension-definition--ef765651-680c-498d-9894-99799f2fa126";

/// The values of `extension_type` (§10.5, extension-type-enum).
const EXTENSION_TYPES: &[&str] = &[
    "new-sdo",
    "new-sco",
    "new-sro",
    "property-extension",
    "toplevel-property-extension",
];

/// Where an extension is found: on which kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Host {
    /// A domain, relationship or meta object.
    Core,
    /// A cyber-observable object, which may also carry `*-ext` extensions.
    Observable,
}

/// Checks `extensions` on an object of type `object_type`.
pub(super) fn check_extensions(value: &Value, object_type: &str, host: Host) -> Result<(), Fault> {
    let path = "extensions";
    let extensions = check_dictionary(path, value)?;
    for (key, extension) in extensions {
        let at = join(path, key);
        if key.starts_with("extension-definition--") {
            check_identifier(key).map_err(|problem| Fault {
                path: at.clone(),
                problem,
            })?;
            check_defined_extension(&at, key, extension, object_type)?;
        } else if is_object_extension_name(key) {
            if host != Host::Observable {
                return fault(
                    &at,
                    format!(
                        "{key:?} is an object extension name, and those belong to cyber-observable objects only (STIX 2.1 §3.10, §11.3); extend {object_type} objects through an extension definition (§7.3)"
                    ),
                );
            }
            check_dictionary(&at, extension)?;
        } else {
            return fault(
                &at,
                format!(
                    "{key:?} is not an extension key; use the id of an extension definition (extension-definition--<UUID>, STIX 2.1 §7.3) or, on a cyber-observable object, a predefined *-ext name"
                ),
            );
        }
    }
    Ok(())
}

/// A predefined or custom object extension name (§3.10, §11.3.1): 3 to 250
/// of a-z, 0-9 and hyphen, ending in `-ext`.
fn is_object_extension_name(key: &str) -> bool {
    (3..=250).contains(&key.len())
        && key.ends_with("-ext")
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An extension defined by an extension definition (§7.3): a dictionary
/// with an `extension_type`, whose other property names follow §7.3.2.1.
fn check_defined_extension(
    path: &str,
    id: &str,
    value: &Value,
    object_type: &str,
) -> Result<(), Fault> {
    let Value::Object(extension) = value else {
        return fault(
            path,
            format!("{} is not an extension (a JSON object)", kind_of(value)),
        );
    };
    let type_path = join(path, "extension_type");
    let Some(kind) = extension.get("extension_type") else {
        return fault(
            &type_path,
            "missing; an extension defined by an extension definition names its extension_type (STIX 2.1 §3.2), e.g. property-extension",
        );
    };
    let kind = check_string(&type_path, kind)?;
    if !EXTENSION_TYPES.contains(&kind) {
        return fault(
            &type_path,
            format!(
                "{kind:?} is not an extension type; use one of: {}",
                EXTENSION_TYPES.join(", ")
            ),
        );
    }
    if kind.starts_with("new-") {
        return fault(
            &type_path,
            format!(
                "{kind:?} marks an object of a new type, but this object is of type {object_type}; detente carries no custom object types"
            ),
        );
    }
    for name in extension.keys() {
        if !is_property_name(name) {
            return fault(
                &join(path, name),
                format!(
                    "{name:?} is not a valid extension property name; use 3 to 250 of a-z, 0-9 and _ (STIX 2.1 §7.3.2.1)"
                ),
            );
        }
    }
    if id == INCIDENT_CORE_EXTENSION_ID {
        check_incident_core(path, extension, object_type)?;
    }
    Ok(())
}

/// The Incident Core extension's own rules: it extends incidents, as a
/// property extension, and requires `determination` and
/// `investigation_status` (its JSON schema's `required`). Their
/// vocabularies are still moving in the published drafts, so any string is
/// taken.
fn check_incident_core(
    path: &str,
    extension: &Map<String, Value>,
    object_type: &str,
) -> Result<(), Fault> {
    if object_type != "incident" {
        return fault(
            path,
            format!(
                "the Incident Core extension extends incident objects, not {object_type} objects"
            ),
        );
    }
    let type_path = join(path, "extension_type");
    if extension.get("extension_type").and_then(Value::as_str) != Some("property-extension") {
        return fault(
            &type_path,
            "the Incident Core extension is a property-extension; write \"extension_type\": \"property-extension\"",
        );
    }
    for name in ["determination", "investigation_status"] {
        let at = join(path, name);
        match extension.get(name) {
            Some(value) => check_string(&at, value).map(drop)?,
            None => {
                return fault(
                    &at,
                    "missing; the Incident Core extension requires determination and investigation_status (e.g. \"suspected\", \"open\")",
                );
            }
        }
    }
    Ok(())
}
