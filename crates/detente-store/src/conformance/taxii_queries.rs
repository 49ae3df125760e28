//! Checks of queries of the STIX objects of a TAXII collection
//! (docs/taxii.md, "TLP enforcement", "Paging"): version filters, lanes,
//! per-reader latest and first, ids, types and spec versions, and pages
//! that visit every visible version once.

use std::collections::BTreeSet;

use crate::{NewStixObject, StixQuery, Store, VersionFilter};

use super::data::at;
use super::taxii::{
    add, every_version, found, object_id, stix, version, versions_seen, versions_seen_one,
};

/// Each version filter: `last`, `first`, `all`, versions `at` given keys,
/// and their combinations (a row matching any); none: nothing.
pub fn stix_version_filters_select_first_last_all_and_at(store: &dyn Store) {
    // Object 1 has versions 1, 2, 3 (arriving 2, 3, 1); 2 has one; 3 none.
    let batch = [
        stix(1, Some(2), "green"),
        stix(2, Some(1), "green"),
        stix(1, Some(3), "green"),
        stix(3, None, "green"),
        stix(1, Some(1), "green"),
    ];
    assert_eq!(add(store, &batch, at(0)), 5);
    let with = |versions: VersionFilter| {
        versions_seen(
            store,
            &StixQuery {
                versions,
                ..every_version(&["green"])
            },
        )
    };
    let key = |v: u32| version(v).1;
    let none = VersionFilter::default();
    let last = VersionFilter {
        last: true,
        ..none.clone()
    };
    let first = VersionFilter {
        first: true,
        ..none.clone()
    };
    assert_eq!(
        with(last.clone()),
        vec![(2, Some(1)), (1, Some(3)), (3, None)],
        "last, in added order"
    );
    assert_eq!(
        with(first.clone()),
        vec![(2, Some(1)), (3, None), (1, Some(1))],
        "first"
    );
    let all = [
        (1, Some(2)),
        (2, Some(1)),
        (1, Some(3)),
        (3, None),
        (1, Some(1)),
    ];
    assert_eq!(
        with(VersionFilter {
            all: true,
            ..none.clone()
        }),
        all.to_vec(),
        "all"
    );
    assert_eq!(
        with(VersionFilter {
            all: true,
            first: true,
            at: vec![key(2)],
            ..none.clone()
        }),
        all.to_vec(),
        "all, whatever else"
    );
    assert_eq!(
        with(VersionFilter {
            at: vec![key(2)],
            ..none.clone()
        }),
        vec![(1, Some(2))],
        "at one version"
    );
    assert_eq!(
        with(VersionFilter {
            at: vec![key(1), key(9)],
            ..none.clone()
        }),
        vec![(2, Some(1)), (1, Some(1))],
        "at a version two objects have, and one none has"
    );
    assert_eq!(
        with(VersionFilter {
            first: true,
            last: true,
            ..none.clone()
        }),
        vec![(2, Some(1)), (1, Some(3)), (3, None), (1, Some(1))],
        "first and last"
    );
    assert_eq!(
        with(VersionFilter {
            at: vec![key(2)],
            ..last.clone()
        }),
        vec![(1, Some(2)), (2, Some(1)), (1, Some(3)), (3, None)],
        "last and at"
    );
    assert_eq!(with(none.clone()), vec![], "nothing asked, nothing found");
    assert_eq!(
        with(VersionFilter {
            at: vec![String::new()],
            ..none.clone()
        }),
        vec![],
        "an empty key is no version key: not the objects with no version"
    );
    assert_eq!(
        with(VersionFilter {
            at: vec![version(2).0],
            ..none
        }),
        vec![],
        "keys, not versions as written"
    );
}

/// Only rows in the lanes named are read: none named, none found; lanes
/// merge in added order, each row once; `last` is over the lanes named, so
/// a version in a lane not read hides nothing from the reader.
pub fn stix_queries_read_only_the_lanes_named(store: &dyn Store) {
    let batch = [
        stix(1, Some(1), "green"),
        stix(2, Some(1), "amber"),
        stix(3, Some(1), "red:tier:technical"),
        stix(4, Some(1), "green"),
        stix(5, Some(1), "amber"),
        stix(6, Some(1), "green"),
        stix(6, Some(2), "red:account:opencti"),
    ];
    assert_eq!(add(store, &batch, at(0)), 7);
    let lanes = |lanes: &[&str]| versions_seen(store, &every_version(lanes));
    assert_eq!(
        lanes(&["green"]),
        vec![(1, Some(1)), (4, Some(1)), (6, Some(1))]
    );
    assert_eq!(
        lanes(&["amber", "green"]),
        vec![
            (1, Some(1)),
            (2, Some(1)),
            (4, Some(1)),
            (5, Some(1)),
            (6, Some(1))
        ],
        "merged in added order"
    );
    assert_eq!(
        lanes(&["green", "amber", "green"]),
        lanes(&["amber", "green"]),
        "a lane named twice is read once"
    );
    assert_eq!(lanes(&["red:tier:technical"]), vec![(3, Some(1))]);
    assert_eq!(lanes(&[]), vec![], "no lanes, nothing");
    assert_eq!(
        lanes(&["GREEN", "red", "gree"]),
        vec![],
        "lanes match exactly"
    );
    let last = |lanes: &[&str]| {
        versions_seen(
            store,
            &StixQuery {
                versions: VersionFilter {
                    last: true,
                    ..VersionFilter::default()
                },
                ..every_version(lanes)
            },
        )
    };
    assert_eq!(
        last(&["green"]),
        vec![(1, Some(1)), (4, Some(1)), (6, Some(1))],
        "object 6's version 2 is in a lane not read: version 1 is the latest seen"
    );
    assert_eq!(
        last(&["green", "red:account:opencti"]),
        vec![(1, Some(1)), (4, Some(1)), (6, Some(2))]
    );
    let ids = StixQuery {
        ids: vec![object_id("indicator", 6), object_id("indicator", 3)],
        ..every_version(&["green"])
    };
    assert_eq!(
        versions_seen(store, &ids),
        vec![(6, Some(1))],
        "with ids too, only the lanes named"
    );
}

/// Which version is an object's latest or first is decided per reader,
/// over the lanes of the query only: a newer version in a lane the reader
/// cannot see neither hides the versions they can see nor shows that it
/// exists. The same version in two lanes the reader sees comes back once
/// (the copy added first), under every filter, with ids too.
pub fn stix_last_and_first_are_per_reader(store: &dyn Store) {
    let red = "red:tier:technical";
    let batch = [
        // Object 1: version 1 GREEN, version 2 RED.
        stix(1, Some(1), "green"),
        stix(1, Some(2), red),
        // Object 2: version 1 in GREEN and AMBER (two rows), version 0 AMBER.
        stix(2, Some(1), "green"),
        stix(2, Some(1), "amber"),
        stix(2, Some(0), "amber"),
        // Object 3: version 2 AMBER then GREEN, version 1 GREEN.
        stix(3, Some(2), "amber"),
        stix(3, Some(2), "green"),
        stix(3, Some(1), "green"),
    ];
    assert_eq!(add(store, &batch, at(0)), 8, "one row per version and lane");
    let none = VersionFilter::default();
    let last = VersionFilter {
        last: true,
        ..none.clone()
    };
    let first = VersionFilter {
        first: true,
        ..none.clone()
    };
    let all = VersionFilter {
        all: true,
        ..none.clone()
    };
    let with = |lanes: &[&str], versions: &VersionFilter, ids: &[u64]| {
        let query = StixQuery {
            versions: versions.clone(),
            ids: ids.iter().map(|n| object_id("indicator", *n)).collect(),
            ..every_version(lanes)
        };
        found(store, &query)
            .into_iter()
            .map(|row| {
                let (n, v) = versions_seen_one(&row.object);
                (n, v, row.object.lane, row.latest, row.first)
            })
            .collect::<Vec<_>>()
    };
    let row = |n: u64, v: u32, lane: &str, latest: bool, first: bool| {
        (n, Some(v), lane.to_owned(), latest, first)
    };

    // Object 1.
    assert_eq!(
        with(&["green"], &last, &[1]),
        vec![row(1, 1, "green", true, true)],
        "a GREEN reader: version 1 is the latest they see"
    );
    assert_eq!(
        with(&["green", red], &last, &[1]),
        vec![row(1, 2, red, true, false)],
        "a reader of RED and GREEN: version 2"
    );
    assert_eq!(
        with(&[red], &first, &[1]),
        vec![row(1, 2, red, true, true)],
        "a RED reader alone: version 2 is also the first they see"
    );
    assert_eq!(
        with(&["green", red], &first, &[1]),
        vec![row(1, 1, "green", false, true)]
    );

    // Object 2: version 1 twice for a reader of both lanes.
    let green_amber = ["green", "amber"];
    assert_eq!(
        with(&green_amber, &last, &[2]),
        vec![row(2, 1, "green", true, false)],
        "the same latest version in two lanes: once, the copy added first"
    );
    assert_eq!(
        with(&green_amber, &all, &[2]),
        vec![
            row(2, 1, "green", true, false),
            row(2, 0, "amber", false, true)
        ],
        "all: each version once"
    );
    assert_eq!(
        with(
            &green_amber,
            &VersionFilter {
                at: vec![version(1).1],
                ..none.clone()
            },
            &[2]
        ),
        vec![row(2, 1, "green", true, false)],
        "at: once"
    );
    assert_eq!(
        with(&["amber"], &last, &[2]),
        vec![row(2, 1, "amber", true, false)],
        "an AMBER reader: their own copy"
    );
    assert_eq!(
        with(&["green"], &all, &[2]),
        vec![row(2, 1, "green", true, true)]
    );

    // Object 3: version 2's AMBER copy came first.
    assert_eq!(
        with(&green_amber, &last, &[3]),
        vec![row(3, 2, "amber", true, false)]
    );
    assert_eq!(
        with(&["green"], &last, &[3]),
        vec![row(3, 2, "green", true, false)]
    );

    // Without ids: the lane scans agree with the searches by id.
    for lanes in [
        &["green"][..],
        &["amber"],
        &[red],
        &green_amber,
        &["green", "amber", red],
    ] {
        for versions in [&last, &first, &all] {
            assert_eq!(
                with(lanes, versions, &[]),
                {
                    let mut by_id: Vec<_> = [1, 2, 3]
                        .iter()
                        .flat_map(|n| {
                            let query = StixQuery {
                                versions: versions.clone(),
                                ids: vec![object_id("indicator", *n)],
                                ..every_version(lanes)
                            };
                            found(store, &query)
                        })
                        .collect();
                    by_id.sort_by_key(|row| row.added_us);
                    by_id
                        .into_iter()
                        .map(|row| {
                            let (n, v) = versions_seen_one(&row.object);
                            (n, v, row.object.lane, row.latest, row.first)
                        })
                        .collect::<Vec<_>>()
                },
                "{lanes:?} {versions:?}"
            );
        }
    }
    assert_eq!(
        with(&["green", "amber", red], &last, &[]),
        vec![
            row(1, 2, red, true, false),
            row(2, 1, "green", true, false),
            row(3, 2, "amber", true, false),
        ]
    );
}

/// `ids`, `types` and `spec_versions` keep only what they list (empty:
/// anything), alone and together, with the other filters.
pub fn stix_ids_types_and_spec_versions_filter(store: &dyn Store) {
    let typed = |n: u64, kind: &str, spec: &str, v: u32| NewStixObject {
        object_id: object_id(kind, n),
        object_type: kind.to_owned(),
        spec_version: spec.to_owned(),
        ..stix(n, Some(v), "green")
    };
    let batch = [
        typed(1, "indicator", "2.1", 1),
        typed(2, "malware", "2.1", 1),
        typed(3, "indicator", "2.0", 1),
        typed(1, "indicator", "2.1", 2),
        typed(4, "report", "2.1", 1),
    ];
    assert_eq!(add(store, &batch, at(0)), 5);
    let ids_of = |query: StixQuery| {
        found(store, &query)
            .into_iter()
            .map(|row| (row.object.object_id, row.object.version))
            .collect::<Vec<_>>()
    };
    let base = every_version(&["green"]);
    let row = |object: &NewStixObject| (object.object_id.clone(), object.version.clone());
    assert_eq!(
        ids_of(StixQuery {
            ids: vec![object_id("indicator", 1)],
            ..base.clone()
        }),
        vec![row(&batch[0]), row(&batch[3])],
        "one id: its versions"
    );
    assert_eq!(
        ids_of(StixQuery {
            ids: vec![
                object_id("report", 4),
                object_id("malware", 2),
                "x--y".to_owned()
            ],
            ..base.clone()
        }),
        vec![row(&batch[1]), row(&batch[4])],
        "several ids, in added order; an unknown one finds nothing"
    );
    assert_eq!(
        ids_of(StixQuery {
            ids: vec![object_id("indicator", 1)],
            versions: VersionFilter {
                last: true,
                ..VersionFilter::default()
            },
            ..base.clone()
        }),
        vec![row(&batch[3])],
        "ids and last"
    );
    assert_eq!(
        ids_of(StixQuery {
            types: vec!["indicator".to_owned(), "report".to_owned()],
            ..base.clone()
        }),
        vec![
            row(&batch[0]),
            row(&batch[2]),
            row(&batch[3]),
            row(&batch[4])
        ],
        "types"
    );
    assert_eq!(
        ids_of(StixQuery {
            spec_versions: vec!["2.0".to_owned()],
            ..base.clone()
        }),
        vec![row(&batch[2])],
        "spec versions"
    );
    assert_eq!(
        ids_of(StixQuery {
            types: vec!["indicator".to_owned()],
            spec_versions: vec!["2.1".to_owned()],
            ids: vec![object_id("indicator", 1), object_id("indicator", 3)],
            ..base.clone()
        }),
        vec![row(&batch[0]), row(&batch[3])],
        "all three"
    );
    assert_eq!(
        ids_of(StixQuery {
            types: vec!["Indicator".to_owned()],
            ..base
        }),
        vec![],
        "types match exactly"
    );
}

/// Paging by `after_us` (the last `added_us` served) visits every row
/// (each visible object version, in one copy) exactly once, in added
/// order, whatever the filter; `limit` bounds each page, and the lanes'
/// pages merge into the first `limit` rows overall.
pub fn stix_pages_after_added_us_visit_every_row_once(store: &dyn Store) {
    let lanes = ["green", "amber", "red:tier:technical"];
    let mut batch = Vec::new();
    let lane = |n: u64| lanes[usize::try_from(n % 3).expect("small")];
    for n in 1..=30_u64 {
        batch.push(stix(n, Some(1), lane(n)));
        if n % 4 == 0 {
            batch.push(stix(n, Some(2), lanes[0]));
        }
        if n % 5 == 0 {
            // The same version again in the next lane: a reader of both
            // gets it once.
            batch.push(stix(n, Some(1), lane(n + 1)));
        }
    }
    for chunk in batch.chunks(7) {
        add(store, chunk, at(0));
    }
    let last = VersionFilter {
        last: true,
        ..VersionFilter::default()
    };
    let some_ids: Vec<String> = (1..=30)
        .step_by(3)
        .map(|n| object_id("indicator", n))
        .collect();
    for (name, query) in [
        ("all", every_version(&lanes)),
        (
            "last",
            StixQuery {
                versions: last,
                ..every_version(&lanes)
            },
        ),
        (
            "ids",
            StixQuery {
                ids: some_ids.clone(),
                ..every_version(&lanes)
            },
        ),
        ("two lanes", every_version(&lanes[..2])),
    ] {
        let everything = found(store, &query);
        assert!(everything.len() > 7, "{name}: several pages");
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = found(
                store,
                &StixQuery {
                    after_us: after,
                    limit: 7,
                    ..query.clone()
                },
            );
            assert!(page.len() <= 7, "{name}: a page holds at most limit rows");
            let Some(end) = page.last() else { break };
            after = Some(end.added_us);
            paged.extend(page);
        }
        assert_eq!(paged, everything, "{name}: every row once, in added order");
        let versions: BTreeSet<(&String, &Option<String>)> = paged
            .iter()
            .map(|row| (&row.object.object_id, &row.object.version))
            .collect();
        assert_eq!(
            versions.len(),
            paged.len(),
            "{name}: each (object, version) once"
        );
        if name == "all" {
            assert_eq!(versions.len(), 30 + 7, "{name}: every visible version");
        }
        let added: BTreeSet<i64> = paged.iter().map(|row| row.added_us).collect();
        assert_eq!(added.len(), paged.len(), "{name}: added_us is unique");
        assert!(
            paged.windows(2).all(|w| w[0].added_us < w[1].added_us),
            "{name}: increasing"
        );
        let first_three = found(
            store,
            &StixQuery {
                limit: 3,
                ..query.clone()
            },
        );
        assert_eq!(
            first_three,
            everything[..3],
            "{name}: the first rows over all lanes"
        );
        let none = found(
            store,
            &StixQuery {
                limit: 0,
                ..query.clone()
            },
        );
        assert_eq!(none, vec![], "{name}: limit 0");
    }
}
