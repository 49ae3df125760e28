//! API roots and collections (TAXII 2.1 §4.2, §5.1, §5.2; docs/taxii.md,
//! "Collections"): one API root per counterparty, three collections in each.

use detente_proto::ids::PartyCode;
use detente_proto::taxii::media::STIX_MEDIA_TYPE;
use detente_proto::taxii::resources::Collection;
use detente_store::CollectionKind;
use uuid::Uuid;

use super::access::Account;

/// The id of a collection: UUIDv5 (URL namespace) of
/// `detente-taxii:<our party>:<counterparty>:<alias>`, the same on every
/// start and every re-install.
pub fn collection_id(ours: &PartyCode, counterparty: &PartyCode, kind: CollectionKind) -> Uuid {
    let name = format!("detente-taxii:{ours}:{counterparty}:{}", kind.as_str());
    Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes())
}

/// The collection that `text` (an id or an alias) names in this root.
pub fn resolve(ours: &PartyCode, counterparty: &PartyCode, text: &str) -> Option<CollectionKind> {
    CollectionKind::ALL.into_iter().find(|kind| {
        kind.as_str() == text
            || Uuid::parse_str(text).is_ok_and(|id| id == collection_id(ours, counterparty, *kind))
    })
}

/// The path segment of the API root of `counterparty`: its code in lower case.
pub fn root_segment(counterparty: &PartyCode) -> String {
    counterparty.as_str().to_ascii_lowercase()
}

/// The counterparty whose API root `segment` is.
pub fn parse_root(segment: &str) -> Option<PartyCode> {
    if segment.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    segment.to_ascii_uppercase().parse().ok()
}

fn title(counterparty: &PartyCode, kind: CollectionKind) -> String {
    match kind {
        CollectionKind::ReceivedFrom => format!("Received from {counterparty}"),
        CollectionKind::SentTo => format!("Sent to {counterparty}"),
        CollectionKind::Drafts => format!("Drafts for {counterparty}"),
    }
}

fn description(counterparty: &PartyCode, kind: CollectionKind) -> String {
    match kind {
        CollectionKind::ReceivedFrom => format!(
            "Every STIX object of every message received from {counterparty} over the hotline (exercise traffic excepted), as far as your TLP clearance allows."
        ),
        CollectionKind::SentTo => format!(
            "Every STIX object of every message sent to {counterparty} over the hotline (exercise traffic excepted), as far as your TLP clearance allows."
        ),
        CollectionKind::Drafts => format!(
            "Objects posted here become a draft notification to {counterparty}. An officer reviews it and sends it, or discards it; nothing is sent automatically."
        ),
    }
}

/// The collection resource (§5.2.1) as `account` sees it.
pub fn resource(
    ours: &PartyCode,
    counterparty: &PartyCode,
    kind: CollectionKind,
    account: &Account,
) -> Collection {
    Collection {
        id: collection_id(ours, counterparty, kind).to_string(),
        title: title(counterparty, kind),
        description: Some(description(counterparty, kind)),
        alias: Some(kind.as_str().to_owned()),
        can_read: account.may_read(counterparty, kind),
        can_write: account.may_write(counterparty, kind),
        media_types: vec![STIX_MEDIA_TYPE.to_owned()],
    }
}

/// The collections of `counterparty` the account has any grant on.
pub fn visible(ours: &PartyCode, counterparty: &PartyCode, account: &Account) -> Vec<Collection> {
    CollectionKind::ALL
        .into_iter()
        .filter(|kind| {
            account.may_read(counterparty, *kind) || account.may_write(counterparty, *kind)
        })
        .map(|kind| resource(ours, counterparty, kind, account))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let ru: PartyCode = "RU".parse().expect("RU");
        let us: PartyCode = "US".parse().expect("US");
        let a = collection_id(&ru, &us, CollectionKind::ReceivedFrom);
        assert_eq!(a, collection_id(&ru, &us, CollectionKind::ReceivedFrom));
        assert_ne!(a, collection_id(&ru, &us, CollectionKind::SentTo));
        assert_ne!(a, collection_id(&us, &ru, CollectionKind::ReceivedFrom));
        assert_eq!(
            resolve(&ru, &us, &a.to_string()),
            Some(CollectionKind::ReceivedFrom)
        );
        assert_eq!(resolve(&ru, &us, "drafts"), Some(CollectionKind::Drafts));
        assert_eq!(resolve(&ru, &us, "inbox"), None);
    }

    #[test]
    fn roots_are_lower_case_party_codes() {
        let us: PartyCode = "US".parse().expect("US");
        assert_eq!(root_segment(&us), "us");
        assert_eq!(parse_root("us"), Some(us));
        assert_eq!(parse_root("US"), None);
    }
}
