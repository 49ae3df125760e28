//! [`effective_tlps`] against [`effective_tlp`], its one-object definition.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{Tlp2, effective_tlp, effective_tlps, tlp_of};
use crate::stix::Bundle;

/// Ids objects take and reference; the last is a marking definition, so
/// that `object_marking_refs` (never followed) can name an object present.
fn pool(index: usize) -> String {
    match index {
        0..5 => format!("indicator--00000000-0000-4000-8000-{index:012}"),
        _ => Tlp2::Red.marking_definition_id().to_owned(),
    }
}

/// Ids of objects that are not in any generated bundle.
fn outside(index: usize) -> String {
    format!("identity--11111111-0000-4000-8000-{index:012}")
}

/// A marking reference: one of the five TLP 2.0 definitions, or a TLP 1.0
/// one that [`tlp_of`] ignores.
fn marking(index: usize) -> &'static str {
    Tlp2::ALL
        .get(index)
        .map(|level| level.marking_definition_id())
        .unwrap_or("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82")
}

/// One generated object: its id choice, markings, granular marking and
/// references `(property, target)`.
type Spec = (usize, Vec<usize>, Option<usize>, Vec<(usize, usize)>);

fn spec() -> impl Strategy<Value = Spec> {
    (
        0usize..8,
        proptest::collection::vec(0usize..6, 0..3),
        proptest::option::of(0usize..5),
        proptest::collection::vec((0usize..3, 0usize..9), 0..4),
    )
}

fn object_of((id, markings, granular, references): &Spec) -> Value {
    let mut object = json!({"type": "indicator", "name": "generated"});
    match id {
        0..6 => object["id"] = json!(pool(*id)),
        6 => {}
        _ => object["id"] = json!(5),
    }
    if !markings.is_empty() {
        let refs: Vec<&str> = markings.iter().map(|m| marking(*m)).collect();
        object["object_marking_refs"] = json!(refs);
    }
    if let Some(level) = granular {
        object["granular_markings"] =
            json!([{"marking_ref": marking(*level), "selectors": ["name"]}]);
    }
    for (property, target) in references {
        let value = match target {
            0..6 => json!(pool(*target)),
            6..8 => json!(outside(*target)),
            _ => json!(42),
        };
        match property {
            0 => object["x_single_ref"] = value,
            1 => object["created_by_ref"] = value,
            _ => match object.get_mut("x_many_refs").and_then(Value::as_array_mut) {
                Some(list) => list.push(value),
                None => object["x_many_refs"] = json!([value]),
            },
        }
    }
    object
}

fn bundle_of(objects: Vec<Value>) -> Bundle {
    let value = json!({
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": objects,
    });
    Bundle::from_value(value).expect("a bundle")
}

/// Asserts that `effective_tlps` agrees with `effective_tlp` object by object.
fn agrees(bundle: &Bundle, unmarked: Option<Tlp2>) -> Result<(), TestCaseError> {
    let all = effective_tlps(bundle, unmarked);
    prop_assert_eq!(all.len(), bundle.objects().len());
    for (object, level) in bundle.objects().iter().zip(all) {
        let expected = match object.get("id").and_then(Value::as_str) {
            Some(id) => effective_tlp(bundle, id, unmarked),
            None => tlp_of(object).or(unmarked),
        };
        prop_assert_eq!(level, expected, "{:?}", object);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_object_gets_what_effective_tlp_gives(
        specs in proptest::collection::vec(spec(), 1..40),
        unmarked in proptest::option::of(proptest::sample::select(Tlp2::ALL.to_vec())),
    ) {
        let bundle = bundle_of(specs.iter().map(object_of).collect());
        agrees(&bundle, unmarked)?;
    }
}

fn identity(index: usize) -> String {
    format!("identity--00000000-0000-4000-8000-{index:012}")
}

/// `length` identities, each referencing the next, `marked` giving each
/// one's marking; with `cycle`, the last references the first.
fn chain(length: usize, marked: impl Fn(usize) -> Option<Tlp2>, cycle: bool) -> Bundle {
    let objects = (0..length)
        .map(|i| {
            let mut object = json!({"type": "identity", "id": identity(i), "name": "link"});
            if i + 1 < length {
                object["x_next_ref"] = json!(identity(i + 1));
            } else if cycle {
                object["x_next_ref"] = json!(identity(0));
            }
            if let Some(level) = marked(i) {
                object["object_marking_refs"] = json!([level.marking_definition_id()]);
            }
            object
        })
        .collect();
    bundle_of(objects)
}

#[test]
fn a_ten_thousand_long_chain_takes_its_last_marking_everywhere() {
    const LENGTH: usize = 10_000;
    let bundle = chain(
        LENGTH,
        |i| match i {
            i if i == LENGTH - 1 => Some(Tlp2::Red),
            i if i % 3 == 0 => Some(Tlp2::Green),
            _ => None,
        },
        false,
    );
    let levels = effective_tlps(&bundle, None);
    assert_eq!(levels.len(), LENGTH);
    assert!(levels.iter().all(|level| *level == Some(Tlp2::Red)));

    // The marking in the middle reaches only what is upstream of it; past
    // it, unmarked links count as the default.
    let bundle = chain(
        LENGTH,
        |i| (i == LENGTH / 2).then_some(Tlp2::AmberStrict),
        false,
    );
    let levels = effective_tlps(&bundle, Some(Tlp2::Green));
    assert!(
        levels[..=LENGTH / 2]
            .iter()
            .all(|l| *l == Some(Tlp2::AmberStrict))
    );
    assert!(
        levels[LENGTH / 2 + 1..]
            .iter()
            .all(|l| *l == Some(Tlp2::Green))
    );
}

#[test]
fn a_ten_thousand_long_cycle_is_one_level() {
    const LENGTH: usize = 10_000;
    let bundle = chain(LENGTH, |i| (i == 1234).then_some(Tlp2::Amber), true);
    let levels = effective_tlps(&bundle, None);
    assert!(levels.iter().all(|level| *level == Some(Tlp2::Amber)));
    assert_eq!(
        effective_tlp(&bundle, &identity(9_999), None),
        Some(Tlp2::Amber)
    );
}

#[test]
fn versions_of_one_id_share_their_markings() {
    let id = identity(1);
    let bundle = bundle_of(vec![
        json!({"type": "identity", "id": id, "name": "v1"}),
        json!({"type": "identity", "id": identity(2), "x_about_ref": id}),
        json!({"type": "identity", "id": id, "name": "v2",
               "object_marking_refs": [Tlp2::AmberStrict.marking_definition_id()]}),
        json!({"type": "identity", "name": "no id",
               "x_about_ref": id}),
    ]);
    assert_eq!(
        effective_tlps(&bundle, None),
        vec![
            Some(Tlp2::AmberStrict),
            Some(Tlp2::AmberStrict),
            Some(Tlp2::AmberStrict),
            None
        ]
    );
    assert_eq!(
        effective_tlps(&bundle, Some(Tlp2::Green))[3],
        Some(Tlp2::Green)
    );
}

#[test]
fn references_inside_extensions_count() {
    // A GREEN archive whose archive-ext contains a RED file: sharing the
    // archive shares what it contains.
    let red_file = "file--5a1e9b3c-2d4f-4e6a-8b7c-9d0e1f2a3b4c";
    let bundle = Bundle::from_value(serde_json::json!({
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [
            {"type": "file", "spec_version": "2.1",
             "id": "file--0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "name": "a.zip",
             "object_marking_refs": [Tlp2::Green.marking_definition_id()],
             "extensions": {"archive-ext": {"contains_refs": [red_file]}}},
            {"type": "file", "spec_version": "2.1", "id": red_file, "name": "secret.doc",
             "object_marking_refs": [Tlp2::Red.marking_definition_id()]}
        ]
    }))
    .expect("bundle");
    assert_eq!(
        effective_tlps(&bundle, None),
        [Some(Tlp2::Red), Some(Tlp2::Red)]
    );
    assert_eq!(
        effective_tlp(&bundle, "file--0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", None),
        Some(Tlp2::Red)
    );
}
