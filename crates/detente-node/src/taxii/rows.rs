//! The rows a bundle's objects become in a TAXII collection: each object's
//! exact JSON, its TAXII version and its lane (docs/taxii.md, "TLP
//! enforcement"). Pure: no store, no clock.

use detente_proto::ids::{PartyCode, Tier};
use detente_proto::stix::{self, Bundle, Tlp2};
use detente_store::{CollectionKind, NewStixObject, StixSource};
use serde_json::Value;

/// Who a RED object is for: the named recipients of what carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience<'a> {
    /// Our tier that sent or received the message.
    Tier(Tier),
    /// The TAXII account that posted the draft.
    Account(&'a str),
}

/// The lane of an object of TLP `tlp` for `audience`: its level's name, or
/// for RED, `red:tier:<tier>` / `red:account:<name>`.
pub fn lane(tlp: Tlp2, audience: Audience<'_>) -> String {
    match (tlp, audience) {
        (Tlp2::Red, Audience::Tier(tier)) => format!("red:tier:{tier}"),
        (Tlp2::Red, Audience::Account(name)) => format!("red:account:{name}"),
        (level, _) => level.extension_value().to_owned(),
    }
}

/// Where a bundle's objects go.
#[derive(Debug, Clone)]
pub struct Placement<'a> {
    /// The API root.
    pub counterparty: &'a PartyCode,
    /// The collection.
    pub collection: CollectionKind,
    /// The TLP of an unmarked object: the message's (or draft's) own.
    pub unmarked: Tlp2,
    /// The named recipients of its RED objects.
    pub audience: Audience<'a>,
    /// What carried it.
    pub source: StixSource,
}

/// The rows of every object of `bundle` (a validated bundle: every object
/// has an id and a type). An object's lane is that of its effective TLP:
/// the most restrictive marking of it and of everything it references in
/// the bundle, unmarked objects counting `placement.unmarked`.
pub fn rows_of(bundle: &Bundle, placement: &Placement<'_>) -> Vec<NewStixObject> {
    let levels = stix::effective_tlps(bundle, Some(placement.unmarked));
    bundle
        .objects()
        .iter()
        .zip(levels)
        .filter_map(|(object, level)| {
            let object_id = object.get("id")?.as_str()?.to_owned();
            let object_type = object.get("type")?.as_str()?.to_owned();
            let spec_version = object
                .get("spec_version")
                .and_then(Value::as_str)
                .unwrap_or("2.1")
                .to_owned();
            let version = stix::version_of(object).map(str::to_owned);
            let version_key = version.as_deref().and_then(stix::version_key);
            // A version that is not a timestamp (validation refuses those)
            // is kept as no version at all, so the two stay paired.
            let version = version.filter(|_| version_key.is_some());
            let level = level.unwrap_or(placement.unmarked);
            Some(NewStixObject {
                counterparty: placement.counterparty.clone(),
                collection: placement.collection,
                object_id,
                object_type,
                spec_version,
                version,
                version_key,
                lane: lane(level, placement.audience),
                source: placement.source.clone(),
                json: detente_proto::canonical::to_canonical_bytes(object),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bundle(objects: Value) -> Bundle {
        let bundle = Bundle::from_value(json!({
            "type": "bundle",
            "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": objects,
        }))
        .expect("bundle");
        stix::validate(&bundle).expect("valid");
        bundle
    }

    #[test]
    fn lanes_name_red_recipients() {
        assert_eq!(lane(Tlp2::Green, Audience::Tier(Tier::Technical)), "green");
        assert_eq!(
            lane(Tlp2::AmberStrict, Audience::Account("soc")),
            "amber+strict"
        );
        assert_eq!(
            lane(Tlp2::Red, Audience::Tier(Tier::Policy)),
            "red:tier:policy"
        );
        assert_eq!(lane(Tlp2::Red, Audience::Account("soc")), "red:account:soc");
    }

    #[test]
    fn an_object_takes_the_most_restrictive_marking_it_references() {
        let b = bundle(json!([
            {"type": "indicator", "spec_version": "2.1",
             "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
             "created": "2026-11-28T09:00:00.000Z", "modified": "2026-11-28T09:30:00.5000Z",
             "pattern": "[ipv4-addr:value = '203.0.113.7']", "pattern_type": "stix",
             "valid_from": "2026-11-28T09:00:00Z",
             "object_marking_refs": [Tlp2::Amber.marking_definition_id()]},
            {"type": "note", "spec_version": "2.1",
             "id": "note--0c2f3f0e-4e0a-4c1e-9a53-0b6c4b3a2f11",
             "created": "2026-11-28T09:05:00.000Z", "modified": "2026-11-28T09:05:00.000Z",
             "content": "Seen", "object_refs": ["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],
             "object_marking_refs": [Tlp2::Green.marking_definition_id()]},
            {"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
             "value": "203.0.113.7"}
        ]));
        let party: PartyCode = "RU".parse().expect("party");
        let rows = rows_of(
            &b,
            &Placement {
                counterparty: &party,
                collection: CollectionKind::ReceivedFrom,
                unmarked: Tlp2::Red,
                audience: Audience::Tier(Tier::Technical),
                source: StixSource::Draft("d".parse().expect("draft id")),
            },
        );
        let lanes: Vec<&str> = rows.iter().map(|r| r.lane.as_str()).collect();
        // The note is GREEN but references an AMBER indicator; the SCO is
        // unmarked, so it counts as the message's RED for its recipients.
        assert_eq!(lanes, ["amber", "amber", "red:tier:technical"]);
        assert_eq!(
            rows[0].version.as_deref(),
            Some("2026-11-28T09:30:00.5000Z")
        );
        assert_eq!(
            rows[0].version_key.as_deref(),
            Some("2026-11-28T09:30:00.500000000Z")
        );
        assert_eq!(
            (rows[2].version.as_deref(), rows[2].spec_version.as_str()),
            (None, "2.1")
        );
        let back: Value = serde_json::from_slice(&rows[1].json).expect("json");
        assert_eq!(
            back,
            Value::Object(b.objects()[1].clone()),
            "kept as it came"
        );
    }
}
