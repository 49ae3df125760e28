//! STIX 2.1 common data types (§2) and naming rules (§3.1, §3.8, §11.1.1).
//!
//! Each check takes the value and its path inside the object, and returns a
//! [`Fault`] naming that path.

use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::bundle::kind_of;
use super::error::{Fault, fault, item, join};

/// `<type>--<UUID>` (§2.9): returns the type and the UUID. The UUID is in
/// its hyphenated form and RFC 4122-compliant: the RFC 4122 variant and a
/// version from 1 to 5 (the rule of the OASIS JSON schemas).
pub(super) fn check_identifier(id: &str) -> Result<(&str, uuid::Uuid), String> {
    let example = "e.g. indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
    let Some((kind, uuid)) = id.split_once("--") else {
        return Err(format!(
            "{id:?} is not a STIX identifier; write <type>--<UUID>, {example}"
        ));
    };
    if !is_type_name(kind) {
        return Err(format!(
            "{id:?} does not start with a STIX type name (3 to 250 of a-z, 0-9 and single hyphens); write <type>--<UUID>, {example}"
        ));
    }
    let parsed = uuid::Uuid::try_parse(uuid)
        .ok()
        .filter(|_| uuid.len() == 36)
        .ok_or_else(|| {
            format!("{id:?}: {uuid:?} is not a UUID in its 8-4-4-4-12 hexadecimal form; {example}")
        })?;
    let version = parsed.get_version_num();
    if parsed.get_variant() != uuid::Variant::RFC4122 || !(1..=5).contains(&version) {
        return Err(format!(
            "{id:?}: {uuid} is not an RFC 4122 UUID (STIX 2.1 §2.9 requires one: variant 10xx, version 1 to 5); use a random (version 4) UUID"
        ));
    }
    Ok((kind, parsed))
}

/// A type name (§3.1, §11.2.1): 3 to 250 of a-z, 0-9 and hyphen, starting
/// with a letter, no two hyphens in a row, not ending in a hyphen.
pub fn is_type_name(name: &str) -> bool {
    (3..=250).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A custom or extension property name (§11.1.1, §7.3.2.1): 3 to 250 of
/// a-z, 0-9 and underscore.
pub(super) fn is_property_name(name: &str) -> bool {
    (3..=250).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Property names reserved across all STIX objects (§3.8). The OASIS JSON
/// schema spells the third `phone_numbers`; both spellings are refused.
pub(super) const RESERVED_NAMES: &[&str] = &[
    "severity",
    "username",
    "phone_number",
    "phone_numbers",
    "action",
];

/// Checks a property name that the object's type does not define.
pub(super) fn check_custom_name(name: &str) -> Result<(), Fault> {
    if RESERVED_NAMES.contains(&name) {
        return fault(
            name,
            format!(
                "{name:?} is reserved by STIX 2.1 (§3.8) and must not be used; name a custom property e.g. x_example_{name}"
            ),
        );
    }
    if !is_property_name(name) {
        return fault(
            name,
            format!(
                "{name:?} is not a valid property name; custom property names are 3 to 250 of a-z, 0-9 and _ (STIX 2.1 §11.1.1), e.g. x_example_score"
            ),
        );
    }
    Ok(())
}

/// A timestamp (§2.16): `YYYY-MM-DDTHH:mm:ss[.s+]Z`, a valid RFC 3339 date
/// and time in UTC. With `millis`, at least three fractional digits (§3.2:
/// `created` and `modified`).
pub(super) fn parse_timestamp(
    path: &str,
    value: &Value,
    millis: bool,
) -> Result<DateTime<Utc>, Fault> {
    let Value::String(text) = value else {
        return fault(
            path,
            format!(
                "{} is not a timestamp; write an RFC 3339 string in UTC, e.g. \"2016-01-20T12:31:12.123Z\"",
                kind_of(value)
            ),
        );
    };
    let not_rfc3339 = || {
        fault(
            path,
            format!(
                "{text:?} is not an RFC 3339 timestamp; write UTC with a Z suffix, e.g. 2016-01-20T12:31:12.123Z (STIX 2.1 §2.16)"
            ),
        )
    };
    let Some(fraction) = timestamp_fraction(text) else {
        return not_rfc3339();
    };
    let Ok(parsed) = DateTime::parse_from_rfc3339(text) else {
        return not_rfc3339();
    };
    if millis && fraction < 3 {
        let shown = parsed.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%S%.3fZ");
        return fault(
            path,
            format!(
                "{text:?} must be precise to the millisecond (STIX 2.1 §3.2); write three digits after the seconds, e.g. {shown}"
            ),
        );
    }
    Ok(parsed.with_timezone(&Utc))
}

/// The number of fractional-second digits if `text` has the STIX form
/// `YYYY-MM-DDTHH:mm:ss[.s+]Z` (values not yet range-checked).
fn timestamp_fraction(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if bytes.len() < shape.len() + 1 || bytes.last() != Some(&b'Z') {
        return None;
    }
    for (byte, want) in bytes.iter().zip(shape) {
        let ok = match want {
            b'd' => byte.is_ascii_digit(),
            other => byte == other,
        };
        if !ok {
            return None;
        }
    }
    match &bytes[shape.len()..bytes.len() - 1] {
        [] => Some(0),
        [b'.', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            Some(digits.len())
        }
        _ => None,
    }
}

/// A JSON string.
pub(super) fn check_string<'a>(path: &str, value: &'a Value) -> Result<&'a str, Fault> {
    value.as_str().ok_or_else(|| Fault {
        path: path.to_owned(),
        problem: format!("{} is not a string", kind_of(value)),
    })
}

/// A boolean (§2.2).
pub(super) fn check_boolean(path: &str, value: &Value) -> Result<(), Fault> {
    match value {
        Value::Bool(_) => Ok(()),
        other => fault(path, format!("{} is not true or false", kind_of(other))),
    }
}

/// An integer (§2.10) within `min..=max` (at most the 54-bit range §2.10
/// allows).
pub(super) fn check_integer(path: &str, value: &Value, min: i64, max: i64) -> Result<i64, Fault> {
    match value.as_i64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => fault(
            path,
            format!("{n} is out of range; use an integer from {min} to {max}"),
        ),
        None if value.is_u64() => fault(
            path,
            format!("{value} is out of range; use an integer from {min} to {max}"),
        ),
        None => fault(
            path,
            format!("{value} is not an integer; use a whole number from {min} to {max}"),
        ),
    }
}

/// The largest integer STIX allows (§2.10: a signed 54-bit value).
pub(super) const MAX_INTEGER: i64 = (1 << 53) - 1;

/// A non-empty list (§2.12: "Empty lists are prohibited in STIX"), each
/// item checked by `each`.
pub(super) fn check_list(
    path: &str,
    value: &Value,
    mut each: impl FnMut(&str, &Value) -> Result<(), Fault>,
) -> Result<(), Fault> {
    let Value::Array(items) = value else {
        return fault(path, format!("{} is not a list", kind_of(value)));
    };
    if items.is_empty() {
        return fault(
            path,
            "is an empty list; STIX 2.1 prohibits empty lists (§2.12), leave the property out instead",
        );
    }
    for (index, value) in items.iter().enumerate() {
        each(&item(path, index), value)?;
    }
    Ok(())
}

/// A list of strings.
pub(super) fn check_string_list(path: &str, value: &Value) -> Result<(), Fault> {
    check_list(path, value, |path, value| {
        check_string(path, value).map(drop)
    })
}

/// A non-empty JSON object (a dictionary, §2.3).
pub(super) fn check_dictionary<'a>(
    path: &str,
    value: &'a Value,
) -> Result<&'a Map<String, Value>, Fault> {
    match value {
        Value::Object(map) if !map.is_empty() => Ok(map),
        Value::Object(_) => fault(
            path,
            "is empty; a dictionary has at least one key, leave the property out instead",
        ),
        other => fault(
            path,
            format!("{} is not a dictionary (a JSON object)", kind_of(other)),
        ),
    }
}

/// An RFC 5646 language tag, checked for its shape: subtags of 1 to 8
/// letters and digits joined by hyphens, the first all letters.
pub(super) fn check_lang(path: &str, value: &Value) -> Result<(), Fault> {
    let text = check_string(path, value)?;
    let mut subtags = text.split('-');
    let first_ok = subtags
        .next()
        .is_some_and(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        subtags.all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    if first_ok && rest_ok {
        Ok(())
    } else {
        fault(
            path,
            format!("{text:?} is not an RFC 5646 language tag, e.g. en, ru, zh-Hans"),
        )
    }
}

/// Hex (§2.8): an even number of hexadecimal digits. The specification
/// asks for lower case but its own examples use upper case; both are read.
pub(super) fn check_hex(path: &str, value: &Value) -> Result<(), Fault> {
    let text = check_string(path, value)?;
    if text.len() % 2 == 0 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        fault(
            path,
            format!(
                "{text:?} is not hex: an even number of the digits 0-9 and a-f (STIX 2.1 §2.8)"
            ),
        )
    }
}

/// Binary (§2.1): base64.
pub(super) fn check_binary(path: &str, value: &Value) -> Result<(), Fault> {
    use base64::Engine as _;
    let text = check_string(path, value)?;
    match base64::engine::general_purpose::STANDARD.decode(text) {
        Ok(_) => Ok(()),
        Err(_) => fault(path, format!("{text:?} is not base64 (STIX 2.1 §2.1)")),
    }
}

/// Hex digits expected for the hash algorithms of hash-algorithm-ov
/// (§10.7) whose values have a fixed length.
const HASH_HEX_LENGTHS: &[(&str, usize)] = &[
    ("MD5", 32),
    ("SHA-1", 40),
    ("SHA-256", 64),
    ("SHA-512", 128),
    ("SHA3-256", 64),
    ("SHA3-512", 128),
];

/// Hashes (§2.7): a non-empty dictionary; keys 3 to 250 of a-z, A-Z, 0-9,
/// hyphen and underscore; values strings, of the right hex length for the
/// fixed-length algorithms of hash-algorithm-ov.
pub(super) fn check_hashes(path: &str, value: &Value) -> Result<(), Fault> {
    let hashes = check_dictionary(path, value)?;
    for (algorithm, digest) in hashes {
        let at = join(path, algorithm);
        let key_ok = (3..=250).contains(&algorithm.len())
            && algorithm
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !key_ok {
            return fault(
                &at,
                format!(
                    "{algorithm:?} is not a hash algorithm name; use e.g. SHA-256 (STIX 2.1 §2.7, §10.7)"
                ),
            );
        }
        let digest = check_string(&at, digest)?;
        let expected = HASH_HEX_LENGTHS
            .iter()
            .find(|(name, _)| name == algorithm)
            .map(|(_, digits)| *digits);
        if let Some(digits) = expected
            && (digest.len() != digits || !digest.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return fault(
                &at,
                format!("{digest:?} is not a {algorithm} digest: {digits} hexadecimal digits"),
            );
        }
    }
    Ok(())
}

/// An external reference (§2.5): `source_name`, and at least one of
/// `description`, `url` and `external_id`.
pub(super) fn check_external_reference(path: &str, value: &Value) -> Result<(), Fault> {
    let Value::Object(reference) = value else {
        return fault(
            path,
            format!(
                "{} is not an external reference (a JSON object)",
                kind_of(value)
            ),
        );
    };
    match reference.get("source_name") {
        Some(name) => check_string(&join(path, "source_name"), name).map(drop)?,
        None => {
            return fault(
                &join(path, "source_name"),
                "missing; every external reference names its source (STIX 2.1 §2.5)",
            );
        }
    }
    for name in ["description", "url", "external_id"] {
        if let Some(value) = reference.get(name) {
            check_string(&join(path, name), value)?;
        }
    }
    if let Some(hashes) = reference.get("hashes") {
        check_hashes(&join(path, "hashes"), hashes)?;
    }
    if ["description", "url", "external_id"]
        .iter()
        .all(|name| !reference.contains_key(*name))
    {
        return fault(
            path,
            "needs a description, url or external_id besides its source_name (STIX 2.1 §2.5.2)",
        );
    }
    Ok(())
}

/// A kill chain phase (§2.11): `kill_chain_name` and `phase_name`.
pub(super) fn check_kill_chain_phase(path: &str, value: &Value) -> Result<(), Fault> {
    let Value::Object(phase) = value else {
        return fault(
            path,
            format!(
                "{} is not a kill chain phase (a JSON object)",
                kind_of(value)
            ),
        );
    };
    for name in ["kill_chain_name", "phase_name"] {
        match phase.get(name) {
            Some(value) => check_string(&join(path, name), value).map(drop)?,
            None => {
                return fault(
                    &join(path, name),
                    "missing; a kill chain phase has kill_chain_name and phase_name (STIX 2.1 §2.11)",
                );
            }
        }
    }
    Ok(())
}

/// An IPv4 address or CIDR block (§6.8).
pub(super) fn check_ipv4(path: &str, value: &Value) -> Result<(), Fault> {
    check_address::<Ipv4Addr>(
        path,
        value,
        32,
        "IPv4 address or CIDR block, e.g. 198.51.100.3 or 198.51.100.0/24",
    )
}

/// An IPv6 address or CIDR block (§6.9).
pub(super) fn check_ipv6(path: &str, value: &Value) -> Result<(), Fault> {
    check_address::<Ipv6Addr>(
        path,
        value,
        128,
        "IPv6 address or CIDR block, e.g. 2001:db8::1 or 2001:db8::/32",
    )
}

fn check_address<A: std::str::FromStr>(
    path: &str,
    value: &Value,
    bits: u8,
    what: &str,
) -> Result<(), Fault> {
    let text = check_string(path, value)?;
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u8>().is_ok_and(|n| n <= bits)
    });
    if address.parse::<A>().is_ok() && prefix_ok {
        Ok(())
    } else {
        fault(path, format!("{text:?} is not an {what}"))
    }
}

/// A domain name (§6.4, RFC 1034 / RFC 5890), checked for its shape:
/// dot-separated labels of 1 to 63 bytes, of letters (any script), digits,
/// hyphens and underscores, not starting or ending with a hyphen; at most
/// 253 bytes.
pub(super) fn check_domain_name(path: &str, value: &Value) -> Result<(), Fault> {
    let text = check_string(path, value)?;
    let name = text.strip_suffix('.').unwrap_or(text);
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    if !name.is_empty() && name.len() <= 253 && name.split('.').all(label_ok) {
        Ok(())
    } else {
        fault(
            path,
            format!("{text:?} is not a domain name, e.g. example.com"),
        )
    }
}

/// A URL (§6.15, RFC 3986), checked for its shape: a scheme, a colon and
/// more, with no whitespace or control characters.
pub(super) fn check_url(path: &str, value: &Value) -> Result<(), Fault> {
    let text = check_string(path, value)?;
    let scheme_ok = text.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
    });
    if scheme_ok && !text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(())
    } else {
        fault(
            path,
            format!("{text:?} is not a URL, e.g. https://example.com/research/index.html"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers_need_a_type_and_an_rfc_4122_uuid() {
        assert!(check_identifier("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").is_ok());
        // SCOs use UUIDv5.
        assert!(check_identifier("ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4").is_ok());
        for bad in [
            "indicator",
            "indicator--x",
            "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "in--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f",
            "indicator--{8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f}",
            // Version 0, and the NCS variant.
            "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f",
            "indicator--8e2e2d2b-17d4-4cbf-138f-98ee46b3cd3f",
            // Version 7 is RFC 9562, not RFC 4122.
            "indicator--01890a5d-ac96-774b-bcce-b302099a8057",
        ] {
            assert!(check_identifier(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_follow_section_2_16() {
        for good in [
            "2016-01-20T12:31:12Z",
            "2016-01-20T12:31:12.1Z",
            "2014-02-20T09:16:08.989000Z",
        ] {
            assert!(parse_timestamp("t", &json!(good), false).is_ok(), "{good}");
        }
        for bad in [
            "yesterday",
            "2016-01-20T12:31:12+00:00",
            "2016-01-20 12:31:12Z",
            "2016-01-20t12:31:12z",
            "2016-01-20T12:31:12.Z",
            "2016-02-30T12:31:12Z",
            "2016-01-20T25:31:12Z",
        ] {
            assert!(parse_timestamp("t", &json!(bad), false).is_err(), "{bad}");
        }
        assert!(parse_timestamp("t", &json!("2016-01-20T12:31:12.123Z"), true).is_ok());
        assert!(parse_timestamp("t", &json!("2016-01-20T12:31:12.12Z"), true).is_err());
        assert!(parse_timestamp("t", &json!(1453293072), false).is_err());
    }

    #[test]
    fn names_follow_sections_3_1_and_11_1_1() {
        assert!(is_type_name("observed-data"));
        assert!(!is_type_name("observed--data"));
        assert!(!is_type_name("ob"));
        assert!(check_custom_name("x_acme_org_risk_score").is_ok());
        assert!(check_custom_name("404_reason").is_ok());
        assert!(check_custom_name("xY").is_err());
        assert!(check_custom_name("x-acme").is_err());
        assert!(check_custom_name(&"x".repeat(251)).is_err());
        assert!(check_custom_name("severity").is_err());
    }

    #[test]
    fn addresses_names_and_urls() {
        assert!(check_ipv4("v", &json!("198.51.100.0/24")).is_ok());
        assert!(check_ipv4("v", &json!("198.51.100.0/33")).is_err());
        assert!(check_ipv4("v", &json!("198.51.100")).is_err());
        assert!(check_ipv4("v", &json!("198.51.100.0/+4")).is_err());
        assert!(check_ipv6("v", &json!("2001:db8::/32")).is_ok());
        assert!(check_ipv6("v", &json!("198.51.100.3")).is_err());
        assert!(check_domain_name("v", &json!("example.com")).is_ok());
        assert!(check_domain_name("v", &json!("пример.рф.")).is_ok());
        assert!(check_domain_name("v", &json!("exa mple.com")).is_err());
        assert!(check_domain_name("v", &json!("-example.com")).is_err());
        assert!(check_url("v", &json!("https://example.com/research/index.html")).is_ok());
        assert!(check_url("v", &json!("example.com")).is_err());
        assert!(check_url("v", &json!("https://exa mple.com")).is_err());
    }

    #[test]
    fn hashes_of_known_algorithms_have_their_length() {
        let sha256 = "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b";
        assert!(check_hashes("h", &json!({"SHA-256": sha256, "x_foo_hash": "aaaabbbb"})).is_ok());
        assert!(check_hashes("h", &json!({"SHA-256": "abc"})).is_err());
        assert!(check_hashes("h", &json!({})).is_err());
        assert!(check_hashes("h", &json!({"a b c": "x"})).is_err());
    }
}
