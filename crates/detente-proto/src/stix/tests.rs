//! Known answers: the examples of the STIX 2.1 specification (section
//! noted on each), the published TLP 2.0 definitions, and one refusal per
//! rule with its message.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const INDICATOR: &str = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
const BUNDLE_ID: &str = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d";

fn bundle_of(objects: Vec<Value>) -> Value {
    json!({"type": "bundle", "id": BUNDLE_ID, "objects": objects})
}

/// Parses and validates a bundle of `objects`.
fn check(objects: Vec<Value>) -> Result<Bundle, StixError> {
    let bundle = Bundle::from_value(bundle_of(objects))?;
    validate(&bundle)?;
    Ok(bundle)
}

/// The message a bundle of `objects` is refused with.
fn refused(objects: Vec<Value>) -> String {
    match check(objects) {
        Ok(_) => panic!("the bundle was accepted"),
        Err(error) => error.to_string(),
    }
}

/// §4.7, first example object.
fn indicator() -> Value {
    json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": INDICATOR,
        "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
        "created": "2016-04-06T20:03:48.000Z",
        "modified": "2016-04-06T20:03:48.000Z",
        "indicator_types": ["malicious-activity"],
        "name": "Poison Ivy Malware",
        "description": "This file is part of Poison Ivy",
        "pattern": "[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]",
        "pattern_type": "stix",
        "valid_from": "2016-01-01T00:00:00Z"
    })
}

/// `indicator()` with `changes` applied (a null removes the property).
fn indicator_with(changes: Value) -> Value {
    with(indicator(), changes)
}

fn with(mut object: Value, changes: Value) -> Value {
    let (Value::Object(target), Value::Object(changes)) = (&mut object, changes) else {
        unreachable!("objects")
    };
    for (name, value) in changes {
        if value.is_null() {
            target.remove(&name);
        } else {
            target.insert(name, value);
        }
    }
    object
}

/// One example of every type detente carries.
fn spec_examples() -> Vec<Value> {
    vec![
        // §4.5
        json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": "identity--e5f1b90a-d9b6-40ab-81a9-8a29df4b6b65",
            "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
            "created": "2016-04-06T20:03:00.000Z",
            "modified": "2016-04-06T20:03:00.000Z",
            "name": "ACME Widget, Inc.",
            "identity_class": "organization"
        }),
        // §4.6
        json!({
            "type": "incident",
            "spec_version": "2.1",
            "id": "incident--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
            "created": "2016-04-06T20:03:48.000Z",
            "modified": "2016-04-06T20:03:48.000Z",
            "name": "Incident 43",
            "description": "This incident addresses APT 28 ..."
        }),
        indicator(),
        // §4.13
        json!({
            "type": "note",
            "spec_version": "2.1",
            "id": "note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "created": "2016-05-12T08:17:27.000Z",
            "modified": "2016-05-12T08:17:27.000Z",
            "external_references": [{"source_name": "job-tracker", "external_id": "job-id-1234"}],
            "abstract": "Tracking Team Note#1",
            "content": "This note indicates the various steps taken by the threat analyst team to investigate this specific campaign. Step 1) Do a scan 2) Review scanned results for identified hosts not known by external intel…etc.",
            "authors": ["John Doe"],
            "object_refs": ["campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]
        }),
        // §4.14, with the SCOs it references (§6.4, §6.8)
        json!({
            "type": "observed-data",
            "spec_version": "2.1",
            "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
            "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
            "created": "2016-04-06T19:58:16.000Z",
            "modified": "2016-04-06T19:58:16.000Z",
            "first_observed": "2015-12-21T19:00:00Z",
            "last_observed": "2015-12-21T19:00:00Z",
            "number_observed": 50,
            "object_refs": [
                "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4",
                "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"
            ]
        }),
        json!({
            "type": "domain-name",
            "spec_version": "2.1",
            "id": "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7",
            "value": "example.com",
            "resolves_to_refs": ["ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"]
        }),
        json!({
            "type": "ipv4-addr",
            "spec_version": "2.1",
            "id": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4",
            "value": "198.51.100.3"
        }),
        // §6.9
        json!({
            "type": "ipv6-addr",
            "spec_version": "2.1",
            "id": "ipv6-addr--1e61d36c-a16c-53b7-a80f-2a00161c96b1",
            "value": "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
        }),
        // §6.7
        json!({
            "type": "file",
            "spec_version": "2.1",
            "id": "file--949eb97a-da1e-5292-8959-03c4249dc9f3",
            "hashes": {"SHA-256": "fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db"},
            "size": 25536,
            "name": "foo.dll"
        }),
        // §6.15
        json!({
            "type": "url",
            "spec_version": "2.1",
            "id": "url--c1477287-23ac-5971-a010-5c287877fa60",
            "value": "https://example.com/research/index.html"
        }),
        // §4.16
        json!({
            "type": "report",
            "spec_version": "2.1",
            "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
            "created_by_ref": "identity--a463ffb3-1bd9-4d94-b02d-74e4f1658283",
            "created": "2015-12-21T19:59:11.000Z",
            "modified": "2015-12-21T19:59:11.000Z",
            "name": "The Black Vine Cyberespionage Group",
            "description": "A simple report with an indicator and campaign",
            "published": "2016-01-20T17:00:00.000Z",
            "report_types": ["campaign"],
            "object_refs": [
                "indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2",
                "campaign--83422c77-904c-4dc1-aff5-5c38f3a2c55c",
                "relationship--f82356ae-fe6c-437c-9c24-6b64314ae68a"
            ]
        }),
        // §5.2, second example
        json!({
            "type": "sighting",
            "spec_version": "2.1",
            "id": "sighting--ee20065d-2555-424f-ad9e-0f8428623c75",
            "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
            "created": "2016-04-06T20:08:31.000Z",
            "modified": "2016-04-06T20:08:31.000Z",
            "first_seen": "2015-12-21T19:00:00Z",
            "last_seen": "2015-12-21T19:00:00Z",
            "count": 50,
            "sighting_of_ref": INDICATOR,
            "observed_data_refs": ["observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"],
            "where_sighted_refs": ["identity--b67d30ff-02ac-498a-92f9-32f845f448ff"]
        }),
        // The OASIS TLP 2.0 extension's example (tlp-amber.json).
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            "created": "2022-10-01T00:00:00.000Z",
            "name": "TLP:AMBER",
            "extensions": {
                "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                    "extension_type": "property-extension",
                    "tlp_2_0": "amber"
                }
            }
        }),
    ]
}

#[test]
fn the_specification_examples_validate() {
    let examples = spec_examples();
    for (index, example) in examples.iter().enumerate() {
        check(vec![example.clone()]).unwrap_or_else(|e| panic!("example {index}: {e}"));
    }
    let bundle = check(examples.clone()).expect("all together");
    assert_eq!(bundle.objects().len(), examples.len());
    let all_levels = Tlp2::ALL
        .iter()
        .map(|tlp| tlp.marking_definition())
        .collect();
    check(all_levels).expect("the five published TLP 2.0 definitions");
}

#[test]
fn an_incident_may_carry_the_incident_core_extension() {
    let incident = json!({
        "type": "incident",
        "spec_version": "2.1",
        "id": "incident--0f9a2b4c-2d3e-4f50-8a6b-7c8d9e0f1a2b",
        "created": "2026-11-28T09:30:00.000Z",
        "modified": "2026-11-28T09:30:00.000Z",
        "name": "Modbus scanning of substation controllers",
        "object_marking_refs": [Tlp2::Amber.marking_definition_id()],
        "extensions": {
            INCIDENT_CORE_EXTENSION_ID: {
                "extension_type": "property-extension",
                "determination": "suspected",
                "investigation_status": "open",
                "criticality": 70,
                "detection_methods": ["automated-tool"]
            }
        }
    });
    check(vec![incident.clone()]).expect("valid");
    let incomplete = with(
        incident,
        json!({"extensions": {INCIDENT_CORE_EXTENSION_ID: {"extension_type": "property-extension", "investigation_status": "open"}}}),
    );
    assert_eq!(
        refused(vec![incomplete]),
        "stix.objects[0] (incident--0f9a2b4c-2d3e-4f50-8a6b-7c8d9e0f1a2b): extensions.extension-definition--ef765651-680c-498d-9894-99799f2fa126.determination: missing; the Incident Core extension requires determination and investigation_status (e.g. \"suspected\", \"open\")"
    );
}

#[test]
fn custom_properties_and_unknown_extensions_survive_a_round_trip() {
    // §11.1.1 and §7.3 examples, on one indicator, in a bundle with a
    // member of its own.
    let extension = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
    let toplevel = "extension-definition--71736db5-10db-43d3-b0e3-65cf81601fe1";
    let object = indicator_with(json!({
        "x_acme_org_risk_score": 10,
        "x_acme_org_scoring": {"impact": "high", "probability": "low", "nested": [1, 2.5, null, {"deep": true}]},
        "rank": 1,
        "toxicity": 2,
        "x_acme_sample_hex": "504b0304",
        "x_acme_related_refs": ["malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"],
        "extensions": {
            extension: {"extension_type": "property-extension", "rank": 5, "toxicity": 8},
            toplevel: {"extension_type": "toplevel-property-extension"}
        },
        "valid_from": "2014-02-20T09:00:00.000000Z"
    }));
    let mut original = bundle_of(vec![object, Tlp2::Red.marking_definition()]);
    original["x_acme_transport_note"] = json!("kept as it came");

    let bundle = Bundle::from_value(original.clone()).expect("a bundle");
    validate(&bundle).expect("valid");
    assert_eq!(bundle.to_value(), original);
    assert_eq!(
        crate::canonical::to_canonical_bytes(&bundle.to_value()),
        crate::canonical::to_canonical_bytes(&original),
        "the signed bytes do not change"
    );
    let text = serde_json::to_string(&bundle).expect("serialises");
    let again: Bundle = serde_json::from_str(&text).expect("deserialises");
    assert_eq!(again, bundle);

    let empty = json!({"type": "bundle", "id": BUNDLE_ID});
    let bundle = Bundle::from_value(empty.clone()).expect("objects is optional");
    validate(&bundle).expect("nothing to refuse");
    assert_eq!(bundle.to_value(), empty);
}

#[test]
fn bundles_are_refused_by_their_shape() {
    let cases = [
        (json!([]), "stix: must be a STIX 2.1 bundle"),
        (
            json!({"type": "report", "id": BUNDLE_ID}),
            "stix.type: \"report\" is not \"bundle\"",
        ),
        (json!({"type": "bundle"}), "stix.id: missing"),
        (
            json!({"type": "bundle", "id": "bundle--x"}),
            "stix.id: \"bundle--x\": \"x\" is not a UUID",
        ),
        (
            json!({"type": "bundle", "id": INDICATOR}),
            "stix.id: \"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\" is the id of an object of type indicator, not of a bundle",
        ),
        (
            json!({"type": "bundle", "id": BUNDLE_ID, "objects": []}),
            "stix.objects: is empty",
        ),
        (
            json!({"type": "bundle", "id": BUNDLE_ID, "objects": {}}),
            "stix.objects: an object is not a list",
        ),
        (
            json!({"type": "bundle", "id": BUNDLE_ID, "objects": [1]}),
            "stix.objects[0]: a number is not a STIX object",
        ),
    ];
    for (value, says) in cases {
        let error = Bundle::from_value(value).expect_err("refused").to_string();
        assert!(error.starts_with(says), "wanted {says:?}, got: {error}");
    }
}

#[test]
fn each_refusal_names_the_object_the_property_and_the_fix() {
    let at = format!("stix.objects[0] ({INDICATOR})");
    let cases: Vec<(Value, String)> = vec![
        (
            indicator_with(json!({"valid_from": null})),
            format!(
                "{at}: valid_from: missing; an indicator requires type, id, spec_version, created, modified, pattern, pattern_type, valid_from (STIX 2.1 §4.7)"
            ),
        ),
        (
            indicator_with(json!({"valid_from": "yesterday"})),
            format!(
                "{at}: valid_from: \"yesterday\" is not an RFC 3339 timestamp; write UTC with a Z suffix, e.g. 2016-01-20T12:31:12.123Z (STIX 2.1 §2.16)"
            ),
        ),
        (
            indicator_with(json!({"created": "2016-04-06T20:03:48Z"})),
            format!(
                "{at}: created: \"2016-04-06T20:03:48Z\" must be precise to the millisecond (STIX 2.1 §3.2); write three digits after the seconds, e.g. 2016-04-06T20:03:48.000Z"
            ),
        ),
        (
            indicator_with(json!({"modified": "2016-04-06T20:03:47.999Z"})),
            format!(
                "{at}: modified: \"2016-04-06T20:03:47.999Z\" is earlier than created (\"2016-04-06T20:03:48.000Z\"); modified must be equal to or later than created (STIX 2.1 §3.2)"
            ),
        ),
        (
            indicator_with(json!({"valid_until": "2015-12-31T23:59:59Z"})),
            format!(
                "{at}: valid_until: \"2015-12-31T23:59:59Z\" is not later than valid_from (\"2016-01-01T00:00:00Z\"); an indicator's validity must end after it begins (STIX 2.1 §4.7)"
            ),
        ),
        (
            indicator_with(json!({"confidence": 101})),
            format!("{at}: confidence: 101 is out of range; use an integer from 0 to 100"),
        ),
        (
            indicator_with(json!({"confidence": 50.5})),
            format!("{at}: confidence: 50.5 is not an integer; use a whole number from 0 to 100"),
        ),
        (
            indicator_with(json!({"spec_version": "2.0"})),
            format!(
                "{at}: spec_version: \"2.0\" is not \"2.1\"; detente carries STIX 2.1 objects only"
            ),
        ),
        (
            indicator_with(json!({"labels": []})),
            format!(
                "{at}: labels: is an empty list; STIX 2.1 prohibits empty lists (§2.12), leave the property out instead"
            ),
        ),
        (
            indicator_with(json!({"X-Acme-Score": 3})),
            format!(
                "{at}: X-Acme-Score: \"X-Acme-Score\" is not a valid property name; custom property names are 3 to 250 of a-z, 0-9 and _ (STIX 2.1 §11.1.1), e.g. x_example_score"
            ),
        ),
        (
            indicator_with(json!({"severity": "high"})),
            format!(
                "{at}: severity: \"severity\" is reserved by STIX 2.1 (§3.8) and must not be used; name a custom property e.g. x_example_severity"
            ),
        ),
        (
            indicator_with(json!({"defanged": true})),
            format!("{at}: defanged: does not apply to an indicator (STIX 2.1 §3.2); leave it out"),
        ),
        (
            indicator_with(json!({"created_by_ref": "note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"})),
            format!(
                "{at}: created_by_ref: \"note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\" is of type note; this property references an object of type identity"
            ),
        ),
        (
            indicator_with(json!({"pattern": "file:name = 'x'"})),
            format!(
                "{at}: pattern: \"file:name = 'x'\" is not a STIX pattern: write observation expressions in square brackets, e.g. [ipv4-addr:value = '198.51.100.1'] (STIX 2.1 §9), or set pattern_type to the pattern's language"
            ),
        ),
        (
            indicator_with(
                json!({"object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]}),
            ),
            format!(
                "{at}: object_marking_refs[0]: marking-definition--f88d31f6-486f-44da-b317-01333bde0b82 is the TLP 1.0 marking TLP:AMBER; detente marks with TLP 2.0: use marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421 (TLP:AMBER)"
            ),
        ),
        (
            indicator_with(
                json!({"object_marking_refs": ["marking-definition--089a6ecb-cc15-43cc-9494-767639779123"]}),
            ),
            format!(
                "{at}: object_marking_refs[0]: marking-definition--089a6ecb-cc15-43cc-9494-767639779123 is not a TLP 2.0 marking definition; detente resolves markings only to the five FIRST TLP 2.0 definitions, e.g. marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421 for TLP:AMBER"
            ),
        ),
        (
            indicator_with(
                json!({"granular_markings": [{"marking_ref": Tlp2::Red.marking_definition_id(), "selectors": ["name", "kill_chain_phases"]}]}),
            ),
            format!(
                "{at}: granular_markings[0].selectors[1]: \"kill_chain_phases\" selects nothing in this object; a selector names properties and [n] list items present in it, e.g. description or external_references.[0].source_name (STIX 2.1 §7.2.3.1)"
            ),
        ),
        (
            indicator_with(json!({"extensions": {"x-acme-ext": {"score": 1}}})),
            format!(
                "{at}: extensions.x-acme-ext: \"x-acme-ext\" is an object extension name, and those belong to cyber-observable objects only (STIX 2.1 §3.10, §11.3); extend indicator objects through an extension definition (§7.3)"
            ),
        ),
        (
            indicator_with(
                json!({"extensions": {"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": {"rank": 5}}}),
            ),
            format!(
                "{at}: extensions.extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e.extension_type: missing; an extension defined by an extension definition names its extension_type (STIX 2.1 §3.2), e.g. property-extension"
            ),
        ),
    ];
    for (object, says) in cases {
        assert_eq!(refused(vec![object]), says);
    }
}

#[test]
fn ids_are_refused_by_their_form_their_uuid_and_their_type() {
    let bad_id = |id: &str| refused(vec![indicator_with(json!({"id": id}))]);
    assert_eq!(
        bad_id("indicator--x"),
        "stix.objects[0] (indicator--x): id: \"indicator--x\": \"x\" is not a UUID in its 8-4-4-4-12 hexadecimal form; e.g. indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    );
    assert_eq!(
        bad_id("indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f"),
        "stix.objects[0] (indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f): id: \"indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f\": 8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f is not an RFC 4122 UUID (STIX 2.1 §2.9 requires one: variant 10xx, version 1 to 5); use a random (version 4) UUID"
    );
    assert_eq!(
        bad_id("note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"),
        "stix.objects[0] (note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061): id: \"note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\" starts with \"note\", but the object is an indicator; an id starts with its object's type: \"indicator--<UUID>\""
    );
    let no_id = refused(vec![indicator_with(json!({"id": null}))]);
    assert_eq!(
        no_id,
        "stix.objects[0]: id: missing; write \"indicator--\" and a UUID"
    );
}

#[test]
fn types_detente_does_not_carry_are_refused() {
    // §4.11, first object of the indicator example.
    let malware = json!({
        "type": "malware",
        "spec_version": "2.1",
        "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
        "is_family": true,
        "created": "2016-04-06T20:07:09.000Z",
        "modified": "2016-04-06T20:07:09.000Z",
        "name": "Poison Ivy",
        "malware_types": ["trojan"]
    });
    assert_eq!(
        refused(vec![indicator(), malware]),
        "stix.objects[1] (malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b): type: \"malware\" is not a STIX type detente carries; use one of: identity, incident, indicator, note, observed-data, report, sighting, marking-definition, domain-name, file, ipv4-addr, ipv6-addr, url"
    );
    // §7.2.1.3: a statement marking.
    let statement = json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd",
        "created": "2016-08-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "Copyright 2019, Example Corp"}
    });
    assert_eq!(
        refused(vec![statement]),
        "stix.objects[0] (marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd): id: marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd is not a TLP 2.0 marking definition; detente resolves markings only to the five FIRST TLP 2.0 definitions, e.g. marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421 for TLP:AMBER"
    );
    // §7.2.1.4: TLP 1.0, predefined by STIX 2.1 itself.
    let tlp1_white = json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "name": "TLP:WHITE",
        "definition": {"tlp": "white"}
    });
    assert!(
        refused(vec![tlp1_white]).ends_with(
            "is the TLP 1.0 marking TLP:WHITE; detente marks with TLP 2.0: use marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487 (TLP:CLEAR)"
        )
    );
    // A TLP 2.0 id with another level in it.
    let mut forged = Tlp2::Clear.marking_definition();
    forged["extensions"][TLP2_EXTENSION_DEFINITION_ID]["tlp_2_0"] = json!("red");
    assert_eq!(
        refused(vec![forged]),
        "stix.objects[0] (marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487): extensions.extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d: {\"extension_type\":\"property-extension\",\"tlp_2_0\":\"red\"} does not define TLP:CLEAR; it is {\"extension_type\":\"property-extension\",\"tlp_2_0\":\"clear\"}"
    );
}

#[test]
fn observed_data_and_observables_follow_their_sections() {
    let observed = spec_examples()[4].clone();
    let cases = [
        (
            with(observed.clone(), json!({"number_observed": 0})),
            "number_observed: 0 is out of range; use an integer from 1 to 999999999",
        ),
        (
            with(
                observed.clone(),
                json!({"objects": {"0": {"type": "ipv4-addr", "value": "198.51.100.3"}}}),
            ),
            "objects: must not be present with object_refs",
        ),
        (
            with(observed.clone(), json!({"object_refs": null})),
            "object_refs: missing",
        ),
        (
            with(observed.clone(), json!({"object_refs": [INDICATOR]})),
            "object_refs[0]: \"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\" is of type indicator; this property references a cyber-observable (SCO) or relationship (SRO) object",
        ),
        (
            with(
                observed.clone(),
                json!({"object_refs": ["relationship--f82356ae-fe6c-437c-9c24-6b64314ae68a"]}),
            ),
            "object_refs: references only relationships",
        ),
        (
            with(observed, json!({"last_observed": "2015-12-21T18:59:59Z"})),
            "last_observed: \"2015-12-21T18:59:59Z\" is earlier than first_observed",
        ),
    ];
    for (object, says) in cases {
        let error = refused(vec![object]);
        let (_, rest) = error.split_once("): ").expect("an object error");
        assert!(rest.starts_with(says), "wanted {says:?}, got: {error}");
    }

    let ipv4 = spec_examples()[6].clone();
    assert!(
        refused(vec![with(ipv4.clone(), json!({"value": "198.51.100.300"}))])
            .contains("is not an IPv4 address")
    );
    check(vec![with(
        ipv4.clone(),
        json!({"value": "198.51.100[.]3", "defanged": true}),
    )])
    .expect("defanged values are altered on purpose");
    assert!(
        refused(vec![with(ipv4, json!({"lang": "en"}))])
            .contains("lang: does not apply to an ipv4-addr")
    );
    let file = spec_examples()[8].clone();
    assert!(
        refused(vec![with(
            file.clone(),
            json!({"hashes": null, "name": null})
        )])
        .ends_with("a file must have hashes or a name (STIX 2.1 §6.7)")
    );
    assert!(
        refused(vec![with(
            file.clone(),
            json!({"hashes": {"SHA-256": "fe90"}})
        )])
        .contains("hashes.SHA-256: \"fe90\" is not a SHA-256 digest")
    );
    check(vec![with(
        file,
        json!({"extensions": {"x-example-com-foo-ext": {"foo_val": "foo"}}}),
    )])
    .expect("SCOs take *-ext extensions");
    let sighting = spec_examples()[11].clone();
    assert!(
        refused(vec![with(
            sighting.clone(),
            json!({"sighting_of_ref": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"})
        )])
        .contains("this property references a domain object (SDO)")
    );
    assert!(
        refused(vec![with(sighting, json!({"count": -1}))]).contains("count: -1 is out of range")
    );
}

/// A minimal SDO for marking tests.
fn identity(id: &str, markings: &[Tlp2], extra: Value) -> Value {
    let mut object = json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": id,
        "created": "2026-11-28T09:00:00.000Z",
        "modified": "2026-11-28T09:00:00.000Z",
        "name": id,
    });
    if !markings.is_empty() {
        let refs: Vec<&str> = markings.iter().map(|m| m.marking_definition_id()).collect();
        object["object_marking_refs"] = json!(refs);
    }
    with(object, extra)
}

#[test]
fn an_objects_tlp_is_its_most_restrictive_marking() {
    let object = identity(
        "identity--11111111-1111-4111-8111-111111111111",
        &[Tlp2::Green, Tlp2::Amber],
        json!({}),
    );
    let Value::Object(object) = object else {
        unreachable!("an object")
    };
    assert_eq!(tlp_of(&object), Some(Tlp2::Amber));
    let granular = identity(
        "identity--11111111-1111-4111-8111-111111111111",
        &[Tlp2::Green],
        json!({"description": "who", "granular_markings": [{"marking_ref": Tlp2::Red.marking_definition_id(), "selectors": ["description"]}]}),
    );
    check(vec![granular.clone()]).expect("valid");
    let Value::Object(granular) = granular else {
        unreachable!("an object")
    };
    assert_eq!(
        tlp_of(&granular),
        Some(Tlp2::Red),
        "a RED description makes sharing the object RED"
    );
    let unmarked = identity(
        "identity--11111111-1111-4111-8111-111111111111",
        &[],
        json!({}),
    );
    let Value::Object(unmarked) = unmarked else {
        unreachable!("an object")
    };
    assert_eq!(tlp_of(&unmarked), None);
}

#[test]
fn the_most_restrictive_marking_among_referenced_objects_applies() {
    let report = "identity--00000000-0000-4000-8000-000000000001";
    let author = "identity--00000000-0000-4000-8000-000000000002";
    let source = "identity--00000000-0000-4000-8000-000000000003";
    let loop_a = "identity--00000000-0000-4000-8000-000000000004";
    let loop_b = "identity--00000000-0000-4000-8000-000000000005";
    let unmarked = "identity--00000000-0000-4000-8000-000000000006";
    let outside = "identity--00000000-0000-4000-8000-0000000000ff";
    let bundle = check(vec![
        // CLEAR, written by a GREEN author who cites an AMBER+STRICT source.
        identity(
            report,
            &[Tlp2::Clear],
            json!({"created_by_ref": author, "x_cites_refs": [outside]}),
        ),
        identity(author, &[Tlp2::Green], json!({"x_source_ref": source})),
        identity(source, &[Tlp2::AmberStrict], json!({})),
        // A cycle: GREEN and RED reference each other.
        identity(loop_a, &[Tlp2::Green], json!({"x_peer_ref": loop_b})),
        identity(loop_b, &[Tlp2::Red], json!({"x_peer_ref": loop_a})),
        identity(unmarked, &[], json!({"x_about_ref": author})),
    ])
    .expect("valid");

    assert_eq!(
        effective_tlp(&bundle, report, None),
        Some(Tlp2::AmberStrict)
    );
    assert_eq!(
        effective_tlp(&bundle, author, None),
        Some(Tlp2::AmberStrict)
    );
    assert_eq!(
        effective_tlp(&bundle, source, None),
        Some(Tlp2::AmberStrict)
    );
    assert_eq!(effective_tlp(&bundle, loop_a, None), Some(Tlp2::Red));
    assert_eq!(effective_tlp(&bundle, loop_b, None), Some(Tlp2::Red));
    // Unmarked objects count as the caller's default.
    assert_eq!(
        effective_tlp(&bundle, unmarked, None),
        Some(Tlp2::AmberStrict)
    );
    assert_eq!(
        effective_tlp(&bundle, unmarked, Some(Tlp2::Red)),
        Some(Tlp2::Red)
    );
    assert_eq!(
        effective_tlp(&bundle, source, Some(Tlp2::Red)),
        Some(Tlp2::AmberStrict),
        "a marked closure ignores the default"
    );
    // Objects not in the bundle count for nothing.
    assert_eq!(effective_tlp(&bundle, outside, Some(Tlp2::Red)), None);

    assert_eq!(bundle_tlp(&bundle, None), Some(Tlp2::Red));
    let clear = check(vec![
        identity(report, &[Tlp2::Clear], json!({})),
        identity(author, &[], json!({})),
    ])
    .expect("valid");
    assert_eq!(bundle_tlp(&clear, None), Some(Tlp2::Clear));
    assert_eq!(bundle_tlp(&clear, Some(Tlp2::Amber)), Some(Tlp2::Amber));
    assert_eq!(
        effective_tlp(&clear, author, None),
        None,
        "nothing marked, no default"
    );
}

/// Custom property names (§11.1.1).
fn custom_name() -> impl Strategy<Value = String> {
    "x_[a-z0-9_]{1,20}".prop_filter("not a defined property", |name| {
        !name.ends_with("_ref")
            && !name.ends_with("_refs")
            && !name.ends_with("_hex")
            && !name.ends_with("_bin")
    })
}

/// Any JSON value but empty lists (§2.12).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z0-9_ -]{0,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn custom_properties_are_carried_untouched(
        properties in proptest::collection::btree_map(custom_name(), json_value(), 0..6),
        level in proptest::sample::select(Tlp2::ALL.to_vec()),
    ) {
        let mut object = indicator_with(json!({"object_marking_refs": [level.marking_definition_id()]}));
        for (name, value) in &properties {
            object[name] = value.clone();
        }
        let original = bundle_of(vec![object]);
        let bundle = Bundle::from_value(original.clone()).expect("a bundle");
        prop_assert_eq!(validate(&bundle), Ok(()));
        prop_assert_eq!(bundle.to_value(), original);
        prop_assert_eq!(effective_tlp(&bundle, INDICATOR, None), Some(level));
    }

    #[test]
    fn a_chain_takes_the_most_restrictive_level_downstream(
        levels in proptest::collection::vec(proptest::option::of(proptest::sample::select(Tlp2::ALL.to_vec())), 1..8),
    ) {
        let id = |i: usize| format!("identity--00000000-0000-4000-8000-{i:012}");
        let objects = levels.iter().enumerate().map(|(i, level)| {
            let next = if i + 1 < levels.len() { json!({"x_next_ref": id(i + 1)}) } else { json!({}) };
            identity(&id(i), level.as_slice(), next)
        }).collect();
        let bundle = check(objects).expect("valid");
        for start in 0..levels.len() {
            let downstream = levels[start..].iter().flatten().max().copied();
            prop_assert_eq!(effective_tlp(&bundle, &id(start), None), downstream);
        }
    }
}
