//! The examples of TAXII 2.1 (OS, 10 June 2021) read and written back
//! unchanged.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::*;

/// Reads `example` as `T` and writes it back: the same JSON.
fn round_trip<T: Serialize + DeserializeOwned>(example: Value) -> T {
    let resource: T = serde_json::from_value(example.clone()).expect("the example reads");
    let written = serde_json::to_value(&resource).expect("it writes");
    assert_eq!(written, example);
    resource
}

#[test]
fn discovery_section_4_1() {
    let discovery: Discovery = round_trip(json!({
        "title": "Some TAXII Server",
        "description": "This TAXII Server contains a listing of...",
        "contact": "string containing contact information",
        "default": "https://example.com/api2/",
        "api_roots": [
            "https://example.com/api1/",
            "https://example.com/api2/",
            "https://example.net/trustgroup1/"
        ]
    }));
    assert_eq!(discovery.api_roots.len(), 3);
    round_trip::<Discovery>(json!({"title": "No roots"}));
}

#[test]
fn api_root_section_4_2() {
    let root: ApiRoot = round_trip(json!({
        "title": "Malware Research Group",
        "description": "A trust group setup for malware researchers",
        "versions": ["application/taxii+json;version=2.1"],
        "max_content_length": 104857600
    }));
    assert_eq!(root.versions, [crate::taxii::TAXII_MEDIA_TYPE]);
}

#[test]
fn status_section_4_3() {
    let status: Status = round_trip(json!({
        "id": "2d086da7-4bdc-4f91-900e-d77486753710",
        "status": "pending",
        "request_timestamp": "2016-11-02T12:34:34.12345Z",
        "total_count": 4,
        "success_count": 1,
        "successes": [
            {"id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "version": "2018-05-27T12:02:41.312Z"}
        ],
        "failure_count": 1,
        "failures": [
            {
                "id": "malware--664fa29d-bf65-4f28-a667-bdb76f29ec98",
                "version": "2018-05-28T14:03:42.543Z",
                "message": "Unable to process object"
            }
        ],
        "pending_count": 2,
        "pendings": [
            {"id": "indicator--252c7c11-daf2-42bd-843b-be65edca9f61", "version": "2018-05-18T20:16:21.148Z"},
            {"id": "relationship--045585ad-a22f-4333-af33-bfd503a683b5", "version": "2018-05-15T10:13:32.579Z"}
        ]
    }));
    assert_eq!(status.status, RequestStatus::Pending);
    let complete: Status = round_trip(json!({
        "id": "2d086da7-4bdc-4f91-900e-d77486753710",
        "status": "complete",
        "total_count": 0,
        "success_count": 0,
        "failure_count": 0,
        "pending_count": 0
    }));
    assert_eq!(complete.status, RequestStatus::Complete);
    // §5.5's example lists a success without its version, which §4.3.1
    // requires: it is not a status resource.
    let example_5_5 = json!({
        "id": "2d086da7-4bdc-4f91-900e-d77486753710",
        "status": "pending",
        "total_count": 4,
        "success_count": 1,
        "successes": [{"id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf"}],
        "failure_count": 0,
        "pending_count": 3
    });
    assert!(serde_json::from_value::<Status>(example_5_5).is_err());
    assert!(
        serde_json::from_value::<Status>(json!({
            "id": "x", "status": "done", "total_count": 0, "success_count": 0,
            "failure_count": 0, "pending_count": 0
        }))
        .is_err()
    );
}

#[test]
fn collections_sections_5_1_and_5_2() {
    let collection = json!({
        "id": "91a7b528-80eb-42ed-a74d-c6fbd5a26116",
        "title": "High Value Indicator Collection",
        "description": "This data collection contains high value IOCs",
        "can_read": true,
        "can_write": false,
        "media_types": ["application/stix+json;version=2.1"]
    });
    let one: Collection = round_trip(collection.clone());
    assert_eq!(one.media_types, [crate::taxii::STIX_MEDIA_TYPE]);
    let all: Collections = round_trip(json!({
        "collections": [
            collection,
            {
                "id": "52892447-4d7e-4f70-b94d-d7f22742ff63",
                "title": "Indicators from the past 24-hours",
                "description": "This data collection is for collecting current IOCs",
                "can_read": true,
                "can_write": false,
                "media_types": ["application/stix+json;version=2.1"]
            }
        ]
    }));
    assert_eq!(all.collections.len(), 2);
    round_trip::<Collection>(json!({
        "id": "91a7b528-80eb-42ed-a74d-c6fbd5a26116",
        "title": "Drafts",
        "alias": "drafts",
        "can_read": true,
        "can_write": true
    }));
    assert_eq!(
        serde_json::to_value(Collections::default()).ok(),
        Some(json!({}))
    );
}

#[test]
fn manifest_section_5_3() {
    let manifest: Manifest = round_trip(json!({
        "objects": [
            {
                "id": "indicator--29aba82c-5393-42a8-9edb-6a2cb1df070b",
                "date_added": "2016-11-04T03:04:051Z",
                "version": "2016-11-03T12:30:59.000Z",
                "media_type": "application/stix+json;version=2.1"
            },
            {
                "id": "indicator--ef0b28e1-308c-4a30-8770-9b4851b260a5",
                "date_added": "2016-11-04T10:29:061Z",
                "version": "2016-11-03T12:35:10.000Z",
                "media_type": "application/stix+json;version=2.1"
            }
        ]
    }));
    assert!(!manifest.more);
    round_trip::<Manifest>(json!({
        "more": true,
        "objects": [{
            "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
            "date_added": "2026-11-29T08:30:00.123456Z",
            "version": "2026-11-29T08:30:00.123456Z"
        }]
    }));
    assert_eq!(
        serde_json::to_value(Manifest::default()).ok(),
        Some(json!({}))
    );
}

#[test]
fn envelope_section_3_7() {
    let envelope: Envelope = round_trip(json!({
        "more": true,
        "next": "123456789",
        "objects": [{
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--252c7c11-daf2-42bd-843b-be65edca9f61",
            "created": "2016-04-06T20:03:48.000Z",
            "modified": "2016-04-06T20:03:48.000Z",
            "x_custom": {"kept": [1, 2, 3]}
        }]
    }));
    assert_eq!(envelope.objects.len(), 1);
    let empty: Envelope = round_trip(json!({}));
    assert!(!empty.more && empty.next.is_none() && empty.objects.is_empty());
    // A `more` of false is the same as none.
    let read: Envelope = serde_json::from_value(json!({"more": false})).expect("reads");
    assert_eq!(read, Envelope::default());
}

#[test]
fn versions_section_5_8() {
    let versions: Versions = round_trip(json!({
        "versions": ["2016-11-03T12:30:59.000Z", "2016-11-03T12:31:00.000Z"]
    }));
    assert_eq!(versions.versions.len(), 2);
    assert_eq!(
        serde_json::to_value(Versions::default()).ok(),
        Some(json!({}))
    );
}

#[test]
fn error_section_3_6_1() {
    let error: ErrorResource = round_trip(json!({
        "title": "Error condition XYZ",
        "description": "This error is caused when the application tries to access data...",
        "error_id": "1234",
        "error_code": "581234",
        "http_status": "409",
        "external_details": "http://example.com/ticketnumber1/errorid-1234",
        "details": {
            "somekey1": "somevalue",
            "somekey2": "some other value"
        }
    }));
    assert_eq!(error.http_status.as_deref(), Some("409"));
    assert_eq!(
        serde_json::to_value(ErrorResource::new(
            400,
            "Bad query",
            "The query parameter …"
        ))
        .ok(),
        Some(
            json!({"title": "Bad query", "description": "The query parameter …", "http_status": "400"})
        )
    );
}

#[test]
fn custom_properties_of_other_servers_are_ignored() {
    let discovery: Discovery = serde_json::from_value(json!({
        "title": "Their server",
        "x_example_com_flavour": "strawberry"
    }))
    .expect("reads");
    assert_eq!(discovery.title, "Their server");
}
