//! Queries as TAXII clients write them, and as they should not.

use super::*;

const INDICATOR: &str = "indicator--3600ad1b-fff1-4c98-bcc9-4de3bc2e2ffb";
const SIGHTING: &str = "sighting--4600ad1b-fff1-4c58-bcc9-4de3bc5e2ffd";
const ALL_ENDPOINTS: [Endpoint; 4] = [
    Endpoint::Objects,
    Endpoint::Manifest,
    Endpoint::Object,
    Endpoint::Versions,
];

fn parse(raw: &str, endpoint: Endpoint) -> Result<Query, QueryError> {
    Query::parse(Some(raw), endpoint)
}

#[test]
fn no_query_is_every_row_from_the_oldest_latest_versions_only() {
    for endpoint in [Endpoint::Objects, Endpoint::Manifest, Endpoint::Object] {
        for raw in [None, Some("")] {
            let query = Query::parse(raw, endpoint).expect("no query");
            assert_eq!(
                query,
                Query {
                    added_after: None,
                    limit: DEFAULT_PAGE,
                    next: None,
                    ids: Vec::new(),
                    types: Vec::new(),
                    versions: VersionFilter::last(),
                    spec_versions: Vec::new(),
                }
            );
            assert_eq!(query.after_micros(), None);
        }
    }
    let versions = Query::parse(None, Endpoint::Versions).expect("no query");
    assert_eq!(versions.versions, VersionFilter::all());
}

#[test]
fn every_filter_of_get_objects() {
    let next = Cursor {
        after_micros: 1_795_941_000_123_456,
    }
    .encode();
    let raw = format!(
        "added_after=2026-11-29T08:30:00.1Z&limit=25&next={next}\
         &match%5Bid%5D={INDICATOR},{SIGHTING}&match[type]=indicator,sighting,indicator\
         &match[version]=first,2016-01-01T01:01:01Z,last&match[spec_version]=2.1,2.0"
    );
    for endpoint in [Endpoint::Objects, Endpoint::Manifest] {
        let query = parse(&raw, endpoint).expect("a query");
        assert_eq!(query.added_after, Some(1_795_941_000_100_000));
        assert_eq!(query.limit, 25);
        assert_eq!(
            query.next,
            Some(Cursor {
                after_micros: 1_795_941_000_123_456
            })
        );
        assert_eq!(query.after_micros(), Some(1_795_941_000_123_456));
        assert_eq!(query.ids, [INDICATOR, SIGHTING]);
        assert_eq!(query.types, ["indicator", "sighting"]);
        assert_eq!(
            query.versions,
            VersionFilter {
                first: true,
                last: true,
                all: false,
                at: vec!["2016-01-01T01:01:01.000000000Z".to_owned()],
            }
        );
        assert_eq!(query.spec_versions, ["2.1", "2.0"]);
    }
}

#[test]
fn the_spec_examples_parse() {
    for raw in [
        "match[type]=campaign,malware,threat-actor",
        "match[type]=incident&match[version]=2016-01-01T01:01:01.000Z",
        "match[id]=indicator--3600ad1b-fff1-4c98-bcc9-4de3bc2e2ffb",
        "match[spec_version]=2.0,2.1",
        "match[version]=all",
        "match[version]=last,first",
        "match[version]=first,2018-03-02T01:01:01.123Z,last",
        "match[version]=2016-03-23T01:01:01.000Z,2018-03-02T01:01:01.123Z",
        "added_after=2016-11-04T03:04:05.123456Z",
    ] {
        assert!(parse(raw, Endpoint::Objects).is_ok(), "{raw}");
    }
}

#[test]
fn each_endpoint_takes_its_own_parameters() {
    let takes = |endpoint: Endpoint, raw: &str| match parse(raw, endpoint) {
        Ok(_) => true,
        Err(QueryError::Unsupported { .. }) => false,
        Err(other) => panic!("{raw}: {other}"),
    };
    let time = "2026-11-29T08:30:00Z";
    for endpoint in ALL_ENDPOINTS {
        assert!(takes(endpoint, &format!("added_after={time}")));
        assert!(takes(endpoint, "limit=5"));
        assert!(takes(endpoint, "match[spec_version]=2.1"));
        let lists = matches!(endpoint, Endpoint::Objects | Endpoint::Manifest);
        assert_eq!(takes(endpoint, &format!("match[id]={INDICATOR}")), lists);
        assert_eq!(takes(endpoint, "match[type]=indicator"), lists);
        assert_eq!(
            takes(endpoint, "match[version]=all"),
            endpoint != Endpoint::Versions
        );
        for unknown in [
            "match[foo]=bar",
            "match[ID]=x",
            "Limit=5",
            "added_before=x",
            "match=indicator",
            "x",
        ] {
            assert!(!takes(endpoint, unknown), "{unknown}");
        }
    }
    let message = parse("match[type]=indicator", Endpoint::Versions).map_err(|e| e.to_string());
    assert_eq!(
        message,
        Err("The query parameter \"match[type]\" is not taken by the Get Object Versions endpoint (TAXII 2.1 §5.8), which takes added_after, limit, next and match[spec_version]; leave it out.".to_owned())
    );
}

#[test]
fn a_parameter_given_twice_is_refused() {
    for raw in [
        "limit=5&limit=6",
        "match[type]=indicator&match[type]=malware",
        "match[type]=indicator&match%5Btype%5D=malware",
        "added_after=2026-11-29T08:30:00Z&added_after=2026-11-29T08:30:00Z",
    ] {
        assert!(
            matches!(
                parse(raw, Endpoint::Objects),
                Err(QueryError::Repeated { .. })
            ),
            "{raw}"
        );
    }
}

#[test]
fn empty_values_are_refused() {
    for raw in [
        "limit=",
        "limit",
        "next=",
        "match[type]=",
        "match[type]=indicator,",
        "match[type]=,indicator",
        "match[type]=indicator,,sighting",
        "match[version]=",
        "added_after=",
    ] {
        assert!(
            matches!(parse(raw, Endpoint::Objects), Err(QueryError::Empty { .. })),
            "{raw}"
        );
    }
}

#[test]
fn malformed_values_are_refused_with_what_is_expected() {
    for raw in [
        "added_after=yesterday",
        "added_after=2026-11-29T08:30:00",
        "added_after=2026-11-29T08:30:00+01:00",
        "added_after=2026-02-30T08:30:00Z",
        "limit=0",
        "limit=000",
        "limit=-5",
        "limit=%2B5",
        "limit=five",
        "limit=1.5",
        "limit=%205",
        "match[id]=indicator",
        "match[id]=indicator--x",
        "match[id]=Indicator--3600ad1b-fff1-4c98-bcc9-4de3bc2e2ffb",
        "match[id]=indicator--3600ad1bfff14c98bcc94de3bc2e2ffb",
        "match[id]=in--3600ad1b-fff1-4c98-bcc9-4de3bc2e2ffb",
        "match[type]=Indicator",
        "match[type]=in",
        "match[type]=indicator,%20malware",
        "match[type]=x_custom",
        "match[version]=latest",
        "match[version]=all,last",
        "match[version]=last,last",
        "match[version]=2016-01-01T01:01:01Z,2016-01-01T01:01:01.000Z",
        "match[version]=2016-01-01",
        "match[spec_version]=2",
        "match[spec_version]=v2.1",
        "match[spec_version]=2.1.0",
        "match[spec_version]=2.",
    ] {
        assert!(
            matches!(
                parse(raw, Endpoint::Objects),
                Err(QueryError::Malformed { .. })
            ),
            "{raw}"
        );
    }
    let long_type = "a".repeat(251);
    assert!(parse(&format!("match[type]={long_type}"), Endpoint::Objects).is_err());
    let message = parse("limit=0", Endpoint::Objects).map_err(|e| e.to_string());
    assert_eq!(
        message,
        Err("The query parameter \"limit\" has the value \"0\", which is not a positive whole number of objects, e.g. limit=100 (TAXII 2.1 §3.4; this server sends at most 1000 a page).".to_owned())
    );
}

#[test]
fn a_large_limit_is_served_as_a_full_page() {
    for (raw, limit) in [
        ("limit=1", 1),
        ("limit=0100", 100),
        ("limit=1000", MAX_PAGE),
        ("limit=1001", MAX_PAGE),
        ("limit=99999999999999999999999999", MAX_PAGE),
    ] {
        assert_eq!(
            parse(raw, Endpoint::Objects).map(|q| q.limit),
            Ok(limit),
            "{raw}"
        );
    }
}

#[test]
fn a_next_value_not_issued_here_is_refused() {
    assert!(matches!(
        parse("next=123456789", Endpoint::Objects),
        Err(QueryError::Cursor { .. })
    ));
}

#[test]
fn bad_encoding_is_refused() {
    for raw in ["match[type]=%zz", "match%5type%5D=indicator", "limit=%ff"] {
        assert!(
            matches!(
                parse(raw, Endpoint::Objects),
                Err(QueryError::Encoding { .. })
            ),
            "{raw}"
        );
    }
}

#[test]
fn every_message_is_a_sentence_naming_the_parameter() {
    for raw in [
        "match[foo]=1",
        "limit=1&limit=2",
        "limit=",
        "limit=x",
        "next=x",
        "match[type]=%zz",
    ] {
        let message = parse(raw, Endpoint::Objects)
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string());
        assert!(message.ends_with('.'), "{raw}: {message}");
        assert!(
            message.starts_with(|c: char| c.is_uppercase()),
            "{raw}: {message}"
        );
    }
    let echoed = parse(
        &format!("match[type]={}", "x".repeat(5_000)),
        Endpoint::Objects,
    )
    .map_err(|e| e.to_string());
    assert!(echoed.is_err_and(|m| m.len() < 1_000));
}

proptest::proptest! {
    #[test]
    fn garbage_never_panics(raw in "[a-z_%\\[\\]=&,.:0-9TZ+-]{0,80}") {
        for endpoint in ALL_ENDPOINTS {
            if let Ok(query) = parse(&raw, endpoint) {
                proptest::prop_assert!((1..=MAX_PAGE).contains(&query.limit));
            }
        }
    }
}

#[test]
fn a_match_list_is_bounded() {
    let many: Vec<String> = (0..=MAX_MATCH_VALUES)
        .map(|i| format!("type-{i:04}"))
        .collect();
    let query = format!("match[type]={}", many.join(","));
    let err = Query::parse(Some(&query), Endpoint::Objects).unwrap_err();
    assert!(
        matches!(
            err,
            QueryError::TooMany {
                max: MAX_MATCH_VALUES,
                ..
            }
        ),
        "{err}"
    );
    let fewer = format!("match[type]={}", many[..MAX_MATCH_VALUES].join(","));
    let parsed = Query::parse(Some(&fewer), Endpoint::Objects).expect("at the bound");
    assert_eq!(parsed.types.len(), MAX_MATCH_VALUES);
}
