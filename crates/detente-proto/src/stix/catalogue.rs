//! The object types detente carries and the properties STIX 2.1 defines
//! for them (§3.2, §4, §5, §6, §7.2.1): one table per type, each property
//! with its shape. [`super::objects`] checks objects against these tables.

use super::datatypes::MAX_INTEGER;

/// Which family of STIX object a type belongs to; it decides the common
/// properties (§3.2, table of common properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// Domain objects (§4) and relationship objects (§5).
    Core,
    /// Cyber-observable objects (§6).
    Observable,
    /// The marking-definition meta object (§7.2.1).
    Marking,
}

/// Which object types an identifier property may point to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Targets {
    /// Any STIX object (not a bundle).
    Any,
    /// Exactly these types.
    Only(&'static [&'static str]),
    /// A domain object: any type but the known SROs, SCOs and meta objects.
    Sdo,
    /// A cyber-observable or relationship object: any type but the known
    /// SDOs and meta objects (§4.14 `object_refs`).
    ScoOrSro,
}

/// The shape of a property's value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Shape {
    Text,
    TextList,
    Timestamp,
    /// A timestamp precise to the millisecond (§3.2 `created`, `modified`).
    TimestampMillis,
    Integer(i64, i64),
    Boolean,
    Ref(Targets),
    Refs(Targets),
    SpecVersion,
    Lang,
    Hex,
    Hashes,
    Dictionary,
    KillChainPhases,
    ExternalReferences,
    ObjectMarkingRefs,
    GranularMarkings,
    Extensions,
    /// The pattern of an indicator, checked further by `pattern_type`.
    Pattern,
    Ipv4,
    Ipv6,
    DomainName,
    Url,
}

/// One property of a type.
#[derive(Debug)]
pub(super) struct Property {
    pub(super) name: &'static str,
    pub(super) required: bool,
    pub(super) shape: Shape,
}

const fn req(name: &'static str, shape: Shape) -> Property {
    Property {
        name,
        required: true,
        shape,
    }
}

const fn opt(name: &'static str, shape: Shape) -> Property {
    Property {
        name,
        required: false,
        shape,
    }
}

/// One object type detente carries.
#[derive(Debug)]
pub(super) struct TypeSpec {
    pub(super) name: &'static str,
    /// "a"/"an" and a readable name, for messages.
    pub(super) article: &'static str,
    pub(super) family: Family,
    pub(super) section: &'static str,
    pub(super) properties: &'static [Property],
}

pub(super) const SDO_TYPES: &[&str] = &[
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
];
pub(super) const SRO_TYPES: &[&str] = &["relationship", "sighting"];
pub(super) const SCO_TYPES: &[&str] = &[
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];
pub(super) const META_TYPES: &[&str] = &[
    "language-content",
    "marking-definition",
    "extension-definition",
    "bundle",
];

/// §3.2: the common properties of SDOs and SROs.
pub(super) const CORE_COMMON: &[Property] = &[
    req("spec_version", Shape::SpecVersion),
    req("created", Shape::TimestampMillis),
    req("modified", Shape::TimestampMillis),
    opt("created_by_ref", Shape::Ref(Targets::Only(&["identity"]))),
    opt("revoked", Shape::Boolean),
    opt("labels", Shape::TextList),
    opt("confidence", Shape::Integer(0, 100)),
    opt("lang", Shape::Lang),
    opt("external_references", Shape::ExternalReferences),
    opt("object_marking_refs", Shape::ObjectMarkingRefs),
    opt("granular_markings", Shape::GranularMarkings),
    opt("extensions", Shape::Extensions),
];

/// §3.2: the common properties of SCOs, with the four versioning
/// properties §3.6 lets a producer add.
pub(super) const OBSERVABLE_COMMON: &[Property] = &[
    opt("spec_version", Shape::SpecVersion),
    opt("created_by_ref", Shape::Ref(Targets::Only(&["identity"]))),
    opt("created", Shape::TimestampMillis),
    opt("modified", Shape::TimestampMillis),
    opt("revoked", Shape::Boolean),
    opt("object_marking_refs", Shape::ObjectMarkingRefs),
    opt("granular_markings", Shape::GranularMarkings),
    opt("defanged", Shape::Boolean),
    opt("extensions", Shape::Extensions),
];

/// §7.2.1: the common properties of marking definitions.
pub(super) const MARKING_COMMON: &[Property] = &[
    req("spec_version", Shape::SpecVersion),
    req("created", Shape::TimestampMillis),
    opt("created_by_ref", Shape::Ref(Targets::Only(&["identity"]))),
    opt("external_references", Shape::ExternalReferences),
    opt("object_marking_refs", Shape::ObjectMarkingRefs),
    opt("granular_markings", Shape::GranularMarkings),
    opt("extensions", Shape::Extensions),
];

/// Common properties that do not apply to a family (§3.2).
pub(super) fn not_applicable(family: Family) -> &'static [&'static str] {
    match family {
        Family::Core => &["defanged"],
        // §3.6 lets a producer version an SCO with created_by_ref, created,
        // modified and revoked, so only the rest are refused.
        Family::Observable => &["labels", "confidence", "lang", "external_references"],
        Family::Marking => &[
            "modified",
            "revoked",
            "labels",
            "confidence",
            "lang",
            "defanged",
        ],
    }
}

const NOT_SDO: Targets = Targets::ScoOrSro;

pub(super) const TYPES: &[TypeSpec] = &[
    TypeSpec {
        name: "identity",
        article: "an identity",
        family: Family::Core,
        section: "§4.5",
        properties: &[
            req("name", Shape::Text),
            opt("description", Shape::Text),
            opt("roles", Shape::TextList),
            opt("identity_class", Shape::Text),
            opt("sectors", Shape::TextList),
            opt("contact_information", Shape::Text),
        ],
    },
    TypeSpec {
        name: "incident",
        article: "an incident",
        family: Family::Core,
        section: "§4.6",
        properties: &[req("name", Shape::Text), opt("description", Shape::Text)],
    },
    TypeSpec {
        name: "indicator",
        article: "an indicator",
        family: Family::Core,
        section: "§4.7",
        properties: &[
            opt("name", Shape::Text),
            opt("description", Shape::Text),
            opt("indicator_types", Shape::TextList),
            req("pattern", Shape::Pattern),
            req("pattern_type", Shape::Text),
            opt("pattern_version", Shape::Text),
            req("valid_from", Shape::Timestamp),
            opt("valid_until", Shape::Timestamp),
            opt("kill_chain_phases", Shape::KillChainPhases),
        ],
    },
    TypeSpec {
        name: "note",
        article: "a note",
        family: Family::Core,
        section: "§4.13",
        properties: &[
            opt("abstract", Shape::Text),
            req("content", Shape::Text),
            opt("authors", Shape::TextList),
            req("object_refs", Shape::Refs(Targets::Any)),
        ],
    },
    TypeSpec {
        name: "observed-data",
        article: "an observed-data",
        family: Family::Core,
        section: "§4.14",
        properties: &[
            req("first_observed", Shape::Timestamp),
            req("last_observed", Shape::Timestamp),
            req("number_observed", Shape::Integer(1, 999_999_999)),
            opt("objects", Shape::Dictionary),
            opt("object_refs", Shape::Refs(NOT_SDO)),
        ],
    },
    TypeSpec {
        name: "report",
        article: "a report",
        family: Family::Core,
        section: "§4.16",
        properties: &[
            req("name", Shape::Text),
            opt("description", Shape::Text),
            opt("report_types", Shape::TextList),
            req("published", Shape::Timestamp),
            req("object_refs", Shape::Refs(Targets::Any)),
        ],
    },
    TypeSpec {
        name: "sighting",
        article: "a sighting",
        family: Family::Core,
        section: "§5.2",
        properties: &[
            opt("description", Shape::Text),
            opt("first_seen", Shape::Timestamp),
            opt("last_seen", Shape::Timestamp),
            opt("count", Shape::Integer(0, 999_999_999)),
            req("sighting_of_ref", Shape::Ref(Targets::Sdo)),
            opt(
                "observed_data_refs",
                Shape::Refs(Targets::Only(&["observed-data"])),
            ),
            opt(
                "where_sighted_refs",
                Shape::Refs(Targets::Only(&["identity", "location"])),
            ),
            opt("summary", Shape::Boolean),
        ],
    },
    TypeSpec {
        name: "marking-definition",
        article: "a marking-definition",
        family: Family::Marking,
        section: "§7.2.1",
        properties: &[
            opt("name", Shape::Text),
            opt("definition_type", Shape::Text),
            opt("definition", Shape::Dictionary),
        ],
    },
    TypeSpec {
        name: "domain-name",
        article: "a domain-name",
        family: Family::Observable,
        section: "§6.4",
        properties: &[
            req("value", Shape::DomainName),
            opt(
                "resolves_to_refs",
                Shape::Refs(Targets::Only(&["ipv4-addr", "ipv6-addr", "domain-name"])),
            ),
        ],
    },
    TypeSpec {
        name: "file",
        article: "a file",
        family: Family::Observable,
        section: "§6.7",
        properties: &[
            opt("hashes", Shape::Hashes),
            opt("size", Shape::Integer(0, MAX_INTEGER)),
            opt("name", Shape::Text),
            opt("name_enc", Shape::Text),
            opt("magic_number_hex", Shape::Hex),
            opt("mime_type", Shape::Text),
            opt("ctime", Shape::Timestamp),
            opt("mtime", Shape::Timestamp),
            opt("atime", Shape::Timestamp),
            opt(
                "parent_directory_ref",
                Shape::Ref(Targets::Only(&["directory"])),
            ),
            opt("contains_refs", Shape::Refs(Targets::Any)),
            opt("content_ref", Shape::Ref(Targets::Only(&["artifact"]))),
        ],
    },
    TypeSpec {
        name: "ipv4-addr",
        article: "an ipv4-addr",
        family: Family::Observable,
        section: "§6.8",
        properties: &[
            req("value", Shape::Ipv4),
            opt(
                "resolves_to_refs",
                Shape::Refs(Targets::Only(&["mac-addr"])),
            ),
            opt(
                "belongs_to_refs",
                Shape::Refs(Targets::Only(&["autonomous-system"])),
            ),
        ],
    },
    TypeSpec {
        name: "ipv6-addr",
        article: "an ipv6-addr",
        family: Family::Observable,
        section: "§6.9",
        properties: &[
            req("value", Shape::Ipv6),
            opt(
                "resolves_to_refs",
                Shape::Refs(Targets::Only(&["mac-addr"])),
            ),
            opt(
                "belongs_to_refs",
                Shape::Refs(Targets::Only(&["autonomous-system"])),
            ),
        ],
    },
    TypeSpec {
        name: "url",
        article: "a url",
        family: Family::Observable,
        section: "§6.15",
        properties: &[req("value", Shape::Url)],
    },
];

/// The types detente carries, comma-separated, for messages.
pub(super) fn carried_types() -> String {
    TYPES
        .iter()
        .map(|spec| spec.name)
        .collect::<Vec<_>>()
        .join(", ")
}
