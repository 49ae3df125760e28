//! Checking one object against the table of its type
//! ([`super::catalogue`]), and the rules between its properties (STIX 2.1
//! §3.2, §4, §5, §6, §7.2.1). A property the table does not hold is a
//! custom property (§11.1), taken as it is once its name is valid.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::bundle::kind_of;
use super::catalogue::*;
use super::datatypes::*;
use super::error::{Fault, fault};
use super::extensions::{Host, check_extensions};
use super::markings::{
    check_granular_markings, check_marking_definition, check_object_marking_refs,
};

/// Checks one object of a bundle.
pub(super) fn check_object(object: &Map<String, Value>) -> Result<(), Fault> {
    let spec = check_type(object)?;
    let id = check_id(object, spec)?;
    let common = match spec.family {
        Family::Core => CORE_COMMON,
        Family::Observable => OBSERVABLE_COMMON,
        Family::Marking => MARKING_COMMON,
    };
    for property in common.iter().chain(spec.properties) {
        if property.required && !object.contains_key(property.name) {
            let required: Vec<&str> = common
                .iter()
                .chain(spec.properties)
                .filter(|p| p.required)
                .map(|p| p.name)
                .collect();
            return fault(
                property.name,
                format!(
                    "missing; {} requires type, id, {} (STIX 2.1 {})",
                    spec.article,
                    required.join(", "),
                    spec.section
                ),
            );
        }
    }
    let defanged = object.get("defanged") == Some(&Value::Bool(true));
    for (name, value) in object {
        if name == "type" || name == "id" {
            continue;
        }
        if not_applicable(spec.family).contains(&name.as_str()) {
            return fault(
                name,
                format!(
                    "does not apply to {} (STIX 2.1 §3.2); leave it out",
                    spec.article
                ),
            );
        }
        match common
            .iter()
            .chain(spec.properties)
            .find(|p| p.name == name)
        {
            Some(property) => check_shape(name, value, property.shape, object, spec, id, defanged)?,
            None => check_custom(name, value)?,
        }
    }
    check_rules(object, spec)
}

/// `type` names a type detente carries.
fn check_type(object: &Map<String, Value>) -> Result<&'static TypeSpec, Fault> {
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind,
        Some(other) => return fault("type", format!("{} is not a type name", kind_of(other))),
        None => return fault("type", "missing; every STIX object names its type"),
    };
    TYPES
        .iter()
        .find(|spec| spec.name == kind)
        .ok_or_else(|| Fault {
            path: "type".into(),
            problem: format!(
                "{kind:?} is not a STIX type detente carries; use one of: {}",
                carried_types()
            ),
        })
}

/// `id` is `<type>--<UUID>` with the object's own type (§2.9, §3.3).
fn check_id<'a>(object: &'a Map<String, Value>, spec: &TypeSpec) -> Result<&'a str, Fault> {
    let id = match object.get("id") {
        Some(Value::String(id)) => id,
        Some(other) => return fault("id", format!("{} is not an identifier", kind_of(other))),
        None => {
            return fault(
                "id",
                format!("missing; write \"{}--\" and a UUID", spec.name),
            );
        }
    };
    let (kind, _) = check_identifier(id).map_err(|problem| Fault {
        path: "id".into(),
        problem,
    })?;
    if kind != spec.name {
        return fault(
            "id",
            format!(
                "{id:?} starts with {kind:?}, but the object is {}; an id starts with its object's type: \"{}--<UUID>\"",
                spec.article, spec.name
            ),
        );
    }
    Ok(id)
}

/// A property the type does not define: a custom property (§11.1).
fn check_custom(name: &str, value: &Value) -> Result<(), Fault> {
    check_custom_name(name)?;
    // §3.1: the suffixes say what the value is, for custom properties too.
    if name.ends_with("_ref") {
        check_ref(name, value, Targets::Any)
    } else if name.ends_with("_refs") {
        check_list(name, value, |path, value| {
            check_ref(path, value, Targets::Any)
        })
    } else if name.ends_with("_hex") {
        check_hex(name, value)
    } else if name.ends_with("_bin") {
        check_binary(name, value)
    } else if let Value::Array(items) = value
        && items.is_empty()
    {
        fault(
            name,
            "is an empty list; STIX 2.1 prohibits empty lists (§2.12), leave the property out instead",
        )
    } else {
        Ok(())
    }
}

fn check_shape(
    path: &str,
    value: &Value,
    shape: Shape,
    object: &Map<String, Value>,
    spec: &TypeSpec,
    id: &str,
    defanged: bool,
) -> Result<(), Fault> {
    match shape {
        Shape::Text => check_string(path, value).map(drop),
        Shape::TextList => check_string_list(path, value),
        Shape::Timestamp => parse_timestamp(path, value, false).map(drop),
        Shape::TimestampMillis => parse_timestamp(path, value, true).map(drop),
        Shape::Integer(min, max) => check_integer(path, value, min, max).map(drop),
        Shape::Boolean => check_boolean(path, value),
        Shape::Ref(targets) => check_ref(path, value, targets),
        Shape::Refs(targets) => {
            check_list(path, value, |path, value| check_ref(path, value, targets))
        }
        Shape::SpecVersion => match value.as_str() {
            Some("2.1") => Ok(()),
            _ => fault(
                path,
                format!("{value} is not \"2.1\"; detente carries STIX 2.1 objects only"),
            ),
        },
        Shape::Lang => check_lang(path, value),
        Shape::Hex => check_hex(path, value),
        Shape::Hashes => check_hashes(path, value),
        Shape::Dictionary => check_dictionary(path, value).map(drop),
        Shape::KillChainPhases => check_list(path, value, check_kill_chain_phase),
        Shape::ExternalReferences => check_list(path, value, check_external_reference),
        Shape::ObjectMarkingRefs => {
            let own = (spec.family == Family::Marking).then_some(id);
            check_object_marking_refs(path, value, own)
        }
        Shape::GranularMarkings => check_granular_markings(path, value, object),
        Shape::Extensions => {
            let host = match spec.family {
                Family::Observable => Host::Observable,
                Family::Core | Family::Marking => Host::Core,
            };
            check_extensions(value, spec.name, host)
        }
        Shape::Pattern => check_string(path, value).map(drop),
        // A defanged value (§3.2 `defanged`) is altered on purpose.
        Shape::Ipv4 if !defanged => check_ipv4(path, value),
        Shape::Ipv6 if !defanged => check_ipv6(path, value),
        Shape::DomainName if !defanged => check_domain_name(path, value),
        Shape::Url if !defanged => check_url(path, value),
        Shape::Ipv4 | Shape::Ipv6 | Shape::DomainName | Shape::Url => {
            check_string(path, value).map(drop)
        }
    }
}

/// An identifier that references another object (§3.3), of an allowed type.
fn check_ref(path: &str, value: &Value, targets: Targets) -> Result<(), Fault> {
    let reference = check_string(path, value)?;
    let (kind, _) = check_identifier(reference).map_err(|problem| Fault {
        path: path.to_owned(),
        problem,
    })?;
    let allowed = match targets {
        Targets::Any => kind != "bundle",
        Targets::Only(types) => types.contains(&kind),
        Targets::Sdo => ![SRO_TYPES, SCO_TYPES, META_TYPES].concat().contains(&kind),
        Targets::ScoOrSro => ![SDO_TYPES, META_TYPES].concat().contains(&kind),
    };
    if allowed {
        return Ok(());
    }
    let wanted = match targets {
        Targets::Any => "a STIX object".to_owned(),
        Targets::Only(types) => format!("an object of type {}", types.join(" or ")),
        Targets::Sdo => "a domain object (SDO)".to_owned(),
        Targets::ScoOrSro => "a cyber-observable (SCO) or relationship (SRO) object".to_owned(),
    };
    fault(
        path,
        format!("{reference:?} is of type {kind}; this property references {wanted}"),
    )
}

/// The rules between properties of one object.
fn check_rules(object: &Map<String, Value>, spec: &TypeSpec) -> Result<(), Fault> {
    // Every timestamp here was checked already; `time` only reads it back.
    let time = |name: &str| -> Option<DateTime<Utc>> {
        object
            .get(name)
            .and_then(|value| parse_timestamp(name, value, false).ok())
    };
    let not_before = |later: &str, earlier: &str, section: &str| -> Result<(), Fault> {
        match (time(earlier), time(later)) {
            (Some(start), Some(end)) if end < start => fault(
                later,
                format!(
                    "{} is earlier than {earlier} ({}); {later} must be equal to or later than {earlier} (STIX 2.1 {section})",
                    object[later], object[earlier]
                ),
            ),
            _ => Ok(()),
        }
    };
    if spec.family != Family::Marking {
        not_before("modified", "created", "§3.2")?;
    }
    match spec.name {
        "indicator" => {
            if let (Some(from), Some(until)) = (time("valid_from"), time("valid_until"))
                && until <= from
            {
                return fault(
                    "valid_until",
                    format!(
                        "{} is not later than valid_from ({}); an indicator's validity must end after it begins (STIX 2.1 §4.7)",
                        object["valid_until"], object["valid_from"]
                    ),
                );
            }
            if object.get("pattern_type").and_then(Value::as_str) == Some("stix") {
                let pattern = object
                    .get("pattern")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                check_stix_pattern_shape("pattern", pattern)?;
            }
            Ok(())
        }
        "observed-data" => {
            not_before("last_observed", "first_observed", "§4.14")?;
            match (object.get("objects"), object.get("object_refs")) {
                (Some(_), Some(_)) => fault(
                    "objects",
                    "must not be present with object_refs; give the observation through object_refs only (STIX 2.1 §4.14)",
                ),
                (None, None) => fault(
                    "object_refs",
                    "missing; observed-data lists what was observed in object_refs (STIX 2.1 §4.14)",
                ),
                (None, Some(refs)) => {
                    let any_sco = refs.as_array().into_iter().flatten().any(|reference| {
                        reference
                            .as_str()
                            .and_then(|r| r.split_once("--"))
                            .is_some_and(|(kind, _)| !SRO_TYPES.contains(&kind))
                    });
                    if any_sco {
                        Ok(())
                    } else {
                        fault(
                            "object_refs",
                            "references only relationships; it must reference at least one cyber-observable object (STIX 2.1 §4.14)",
                        )
                    }
                }
                (Some(_), None) => Ok(()),
            }
        }
        "sighting" => not_before("last_seen", "first_seen", "§5.2"),
        "file" if !object.contains_key("hashes") && !object.contains_key("name") => {
            fault("", "a file must have hashes or a name (STIX 2.1 §6.7)")
        }
        "marking-definition" => check_marking_definition(object),
        _ => Ok(()),
    }
}

/// The outer shape of a STIX pattern (§9): at least one observation
/// expression in square brackets, brackets and parentheses balanced
/// outside quoted strings, strings closed. Not the full grammar.
fn check_stix_pattern_shape(path: &str, pattern: &str) -> Result<(), Fault> {
    let mut stack = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut observations = 0;
    let mut balanced = true;
    for c in pattern.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '\'') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' => in_string = true,
            '[' | '(' => stack.push(c),
            ']' => {
                balanced &= stack.pop() == Some('[');
                observations += 1;
            }
            ')' => balanced &= stack.pop() == Some('('),
            _ => {}
        }
    }
    if balanced && stack.is_empty() && !in_string && observations > 0 {
        Ok(())
    } else {
        fault(
            path,
            format!(
                "{pattern:?} is not a STIX pattern: write observation expressions in square brackets, e.g. [ipv4-addr:value = '198.51.100.1'] (STIX 2.1 §9), or set pattern_type to the pattern's language"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_shape() {
        for good in [
            "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
            "[file:hashes.'SHA-256' = 'aec0'] AND [file:name = 'a]b(']",
            "([file:name = 'it\\'s'] FOLLOWEDBY [file:size > 1]) WITHIN 300 SECONDS",
        ] {
            assert!(check_stix_pattern_shape("p", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ipv4-addr:value = '1.2.3.4'",
            "[file:name = 'x'",
            "[file:name = 'x]",
            "([a:b = 1)]",
        ] {
            assert!(check_stix_pattern_shape("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_carried_type_has_a_valid_type_name() {
        for spec in TYPES {
            assert!(is_type_name(spec.name), "{}", spec.name);
            assert!(
                SDO_TYPES.contains(&spec.name)
                    || SRO_TYPES.contains(&spec.name)
                    || SCO_TYPES.contains(&spec.name)
                    || META_TYPES.contains(&spec.name),
                "{}",
                spec.name
            );
        }
    }
}
