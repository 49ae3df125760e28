//! Data markings (STIX 2.1 §7.2) and the FIRST TLP 2.0 marking definitions
//! (the OASIS TLP 2.0 extension, `extension-definition--60a3c5c5-…`).
//!
//! detente resolves markings to TLP 2.0 only: a marking reference names one
//! of the five published TLP 2.0 marking definitions, whose ids are fixed,
//! so it resolves whether or not the definition travels in the bundle. A
//! bundle may carry those definitions, exactly as published; it may not
//! carry any other marking definition (statements, TLP 1.0, IEP), which
//! detente could not enforce.
//!
//! An object's TLP ([`tlp_of`]) is the most restrictive of its object
//! markings (§7.2.2) and of its granular markings (§7.2.3): sharing the
//! object shares the marked part too. When objects reference each other,
//! the most restrictive marking among them applies ([`effective_tlp`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::{Map, Value, json};

use super::bundle::{Bundle, kind_of};
use super::datatypes::{check_identifier, check_lang, check_list, check_string};
use super::error::{Fault, fault, join};
use crate::kind::Tlp;

/// The id of the OASIS extension definition that carries TLP 2.0 levels in
/// marking definitions.
pub const TLP2_EXTENSION_DEFINITION_ID: &str =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The `created` timestamp of the published TLP 2.0 marking definitions.
const TLP2_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// A TLP 2.0 level as a STIX marking. Ordered from the least to the most
/// restrictive: CLEAR < GREEN < AMBER < AMBER+STRICT < RED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tlp2 {
    /// TLP:CLEAR.
    Clear,
    /// TLP:GREEN.
    Green,
    /// TLP:AMBER.
    Amber,
    /// TLP:AMBER+STRICT.
    AmberStrict,
    /// TLP:RED.
    Red,
}

impl Tlp2 {
    /// Every level, least restrictive first.
    pub const ALL: [Tlp2; 5] = [
        Tlp2::Clear,
        Tlp2::Green,
        Tlp2::Amber,
        Tlp2::AmberStrict,
        Tlp2::Red,
    ];

    /// The id of the published marking definition of this level.
    pub fn marking_definition_id(self) -> &'static str {
        match self {
            Tlp2::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp2::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp2::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp2::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp2::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }

    /// The definition's `name`, e.g. `TLP:AMBER+STRICT`.
    pub fn name(self) -> &'static str {
        match self {
            Tlp2::Clear => "TLP:CLEAR",
            Tlp2::Green => "TLP:GREEN",
            Tlp2::Amber => "TLP:AMBER",
            Tlp2::AmberStrict => "TLP:AMBER+STRICT",
            Tlp2::Red => "TLP:RED",
        }
    }

    /// The level in the extension's `tlp_2_0` property, e.g. `amber+strict`.
    pub fn extension_value(self) -> &'static str {
        match self {
            Tlp2::Clear => "clear",
            Tlp2::Green => "green",
            Tlp2::Amber => "amber",
            Tlp2::AmberStrict => "amber+strict",
            Tlp2::Red => "red",
        }
    }

    /// The level whose published marking definition has this id.
    pub fn from_marking_definition_id(id: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|tlp| tlp.marking_definition_id() == id)
    }

    /// The published marking definition of this level, as JSON.
    pub fn marking_definition(self) -> Value {
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": self.marking_definition_id(),
            "created": TLP2_CREATED,
            "name": self.name(),
            "extensions": {
                TLP2_EXTENSION_DEFINITION_ID: {
                    "extension_type": "property-extension",
                    "tlp_2_0": self.extension_value(),
                }
            }
        })
    }
}

impl From<Tlp2> for Tlp {
    fn from(level: Tlp2) -> Self {
        match level {
            Tlp2::Clear => Tlp::Clear,
            Tlp2::Green => Tlp::Green,
            Tlp2::Amber => Tlp::Amber,
            Tlp2::AmberStrict => Tlp::AmberStrict,
            Tlp2::Red => Tlp::Red,
        }
    }
}

impl From<Tlp> for Tlp2 {
    fn from(level: Tlp) -> Self {
        match level {
            Tlp::Clear => Tlp2::Clear,
            Tlp::Green => Tlp2::Green,
            Tlp::Amber => Tlp2::Amber,
            Tlp::AmberStrict => Tlp2::AmberStrict,
            Tlp::Red => Tlp2::Red,
        }
    }
}

/// The TLP 1.0 marking definitions STIX 2.1 predefines (§7.2.1.4), with
/// the TLP 2.0 level to use instead.
const TLP1: &[(&str, &str, Tlp2)] = &[
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "TLP:WHITE",
        Tlp2::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "TLP:GREEN",
        Tlp2::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "TLP:AMBER",
        Tlp2::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        "TLP:RED",
        Tlp2::Red,
    ),
];

/// Why a marking definition id is not one detente resolves.
fn unresolvable(id: &str) -> String {
    if let Some((_, old, new)) = TLP1.iter().find(|(tlp1, _, _)| *tlp1 == id) {
        return format!(
            "{id} is the TLP 1.0 marking {old}; detente marks with TLP 2.0: use {} ({})",
            new.marking_definition_id(),
            new.name()
        );
    }
    format!(
        "{id} is not a TLP 2.0 marking definition; detente resolves markings only to the five FIRST TLP 2.0 definitions, e.g. {} for {}",
        Tlp2::Amber.marking_definition_id(),
        Tlp2::Amber.name()
    )
}

/// A reference to a marking definition that must resolve to TLP 2.0.
pub(super) fn check_marking_ref(path: &str, value: &Value) -> Result<Tlp2, Fault> {
    let id = check_string(path, value)?;
    match check_identifier(id) {
        Ok(("marking-definition", _)) => {}
        Ok((other, _)) => {
            return fault(
                path,
                format!("{id:?} is of type {other}; markings reference marking-definition objects"),
            );
        }
        Err(problem) => return fault(path, problem),
    }
    Tlp2::from_marking_definition_id(id).ok_or_else(|| Fault {
        path: path.to_owned(),
        problem: unresolvable(id),
    })
}

/// `object_marking_refs` (§7.2.2): a non-empty list of TLP 2.0 marking
/// definitions; a marking definition may not mark itself (§3.2).
pub(super) fn check_object_marking_refs(
    path: &str,
    value: &Value,
    own_id: Option<&str>,
) -> Result<(), Fault> {
    check_list(path, value, |path, value| {
        check_marking_ref(path, value)?;
        if value.as_str() == own_id {
            return fault(
                path,
                "a marking definition cannot mark itself (STIX 2.1 §3.2)",
            );
        }
        Ok(())
    })
}

/// `granular_markings` (§7.2.3): each has `selectors` that select content
/// present in `object`, and exactly one of `marking_ref` (resolving to TLP
/// 2.0) and `lang`.
pub(super) fn check_granular_markings(
    path: &str,
    value: &Value,
    object: &Map<String, Value>,
) -> Result<(), Fault> {
    check_list(path, value, |path, value| {
        let Value::Object(marking) = value else {
            return fault(
                path,
                format!(
                    "{} is not a granular marking (a JSON object)",
                    kind_of(value)
                ),
            );
        };
        match (marking.get("marking_ref"), marking.get("lang")) {
            (Some(reference), None) => {
                check_marking_ref(&join(path, "marking_ref"), reference).map(drop)?
            }
            (None, Some(lang)) => check_lang(&join(path, "lang"), lang)?,
            _ => {
                return fault(
                    path,
                    "needs exactly one of marking_ref and lang (STIX 2.1 §7.2.3.1)",
                );
            }
        }
        let selectors_path = join(path, "selectors");
        let Some(selectors) = marking.get("selectors") else {
            return fault(
                &selectors_path,
                "missing; a granular marking selects what it marks (STIX 2.1 §7.2.3.1)",
            );
        };
        check_list(&selectors_path, selectors, |path, selector| {
            let selector = check_string(path, selector)?;
            if selects(object, selector) {
                Ok(())
            } else {
                fault(
                    path,
                    format!(
                        "{selector:?} selects nothing in this object; a selector names properties and [n] list items present in it, e.g. description or external_references.[0].source_name (STIX 2.1 §7.2.3.1)"
                    ),
                )
            }
        })?;
        Ok(())
    })
}

/// Whether `selector` (§7.2.3.1) selects content present in `object`.
fn selects(object: &Map<String, Value>, selector: &str) -> bool {
    let mut components = selector.split('.');
    let Some(first) = components.next() else {
        return false;
    };
    let Some(mut current) = object.get(first) else {
        return false;
    };
    for component in components {
        let next = match component
            .strip_prefix('[')
            .and_then(|c| c.strip_suffix(']'))
        {
            Some(index) if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) => index
                .parse::<usize>()
                .ok()
                .and_then(|index| current.as_array()?.get(index)),
            Some(_) => None,
            None => current.as_object().and_then(|map| map.get(component)),
        };
        match next {
            Some(value) => current = value,
            None => return false,
        }
    }
    true
}

/// A `marking-definition` object: one of the five TLP 2.0 definitions,
/// exactly as published (the same id, name and extension; marking
/// definitions are never versioned, §7.2.1).
pub(super) fn check_marking_definition(object: &Map<String, Value>) -> Result<(), Fault> {
    let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
    let Some(level) = Tlp2::from_marking_definition_id(id) else {
        return fault("id", unresolvable(id));
    };
    let published = level.marking_definition();
    match object.get("name") {
        Some(name) if Some(name) == published.get("name") => {}
        Some(name) => {
            return fault(
                "name",
                format!("{name} is not the name of {id}; it is {:?}", level.name()),
            );
        }
        None => {
            return fault(
                "name",
                format!(
                    "missing; the TLP 2.0 definition {id} is named {:?}",
                    level.name()
                ),
            );
        }
    }
    for deprecated in ["definition_type", "definition"] {
        if object.contains_key(deprecated) {
            return fault(
                deprecated,
                "does not belong in a TLP 2.0 marking definition, whose level is in its extension; send the definition exactly as published",
            );
        }
    }
    let extension_path = join("extensions", TLP2_EXTENSION_DEFINITION_ID);
    let expected = &published["extensions"][TLP2_EXTENSION_DEFINITION_ID];
    match object
        .get("extensions")
        .and_then(|extensions| extensions.get(TLP2_EXTENSION_DEFINITION_ID))
    {
        Some(extension) if extension == expected => Ok(()),
        Some(extension) => fault(
            &extension_path,
            format!(
                "{extension} does not define {}; it is {expected}",
                level.name()
            ),
        ),
        None => fault(
            &extension_path,
            format!(
                "missing; a TLP 2.0 marking definition carries its level in this extension: {expected}"
            ),
        ),
    }
}

/// The TLP of one object: the most restrictive TLP 2.0 level among its
/// object markings and granular markings; `None` when it has none. Marking
/// references that do not resolve to TLP 2.0 are ignored here
/// ([`super::validate`] refuses them).
pub fn tlp_of(object: &Map<String, Value>) -> Option<Tlp2> {
    let object_markings = object
        .get("object_marking_refs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let granular_markings = object
        .get("granular_markings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|marking| marking.get("marking_ref"));
    object_markings
        .chain(granular_markings)
        .filter_map(Value::as_str)
        .filter_map(Tlp2::from_marking_definition_id)
        .max()
}

/// The TLP that governs sharing the object `object_id`: the most
/// restrictive among its own marking and those of every object it
/// references through `*_ref` and `*_refs` properties, transitively.
///
/// An object in that closure with no TLP marking counts as `unmarked`: the
/// caller's deny-by-default level (typically the envelope's TLP); with
/// `None` it counts for nothing. References to objects not in the bundle
/// count for nothing either: their content is not being shared. Returns
/// `None` when nothing counted (every object unmarked, no default given,
/// or `object_id` not in the bundle).
///
/// Every version of an object in the bundle counts. The walk visits each
/// id once, so it is bounded by the bundle's size.
pub fn effective_tlp(bundle: &Bundle, object_id: &str, unmarked: Option<Tlp2>) -> Option<Tlp2> {
    let mut by_id: BTreeMap<&str, Vec<&Map<String, Value>>> = BTreeMap::new();
    for object in bundle.objects() {
        if let Some(id) = object.get("id").and_then(Value::as_str) {
            by_id.entry(id).or_default().push(object);
        }
    }
    let mut level = None;
    let mut seen = BTreeSet::from([object_id]);
    let mut queue = VecDeque::from([object_id]);
    while let Some(id) = queue.pop_front() {
        for object in by_id.get(id).into_iter().flatten() {
            level = level.max(tlp_of(object).or(unmarked));
            for reference in references(object) {
                if seen.insert(reference) {
                    queue.push_back(reference);
                }
            }
        }
    }
    level
}

/// [`effective_tlp`] of every object of `bundle`, in the order of
/// [`Bundle::objects`], computed at once in time linear in the number of
/// objects and references (`effective_tlp` for each object would be
/// quadratic). An object without a string `id` cannot be referenced and is
/// not looked up: it gets its own [`tlp_of`], or `unmarked`.
///
/// The references between ids form a graph; every id of a strongly
/// connected component (a reference cycle) reaches the same ids, so each
/// component's level is the most restrictive of its own objects and of the
/// components it references. Tarjan's algorithm finds the components, each
/// after every component it reaches, and runs with an explicit stack: a
/// hostile bundle can chain its objects ten thousand deep.
pub fn effective_tlps(bundle: &Bundle, unmarked: Option<Tlp2>) -> Vec<Option<Tlp2>> {
    let objects = bundle.objects();
    let mut node_of_id: HashMap<&str, usize> = HashMap::with_capacity(objects.len());
    // For each object, its node (an id, all its versions) if it has a string id.
    let node_of_object: Vec<Option<usize>> = objects
        .iter()
        .map(|object| {
            let id = object.get("id").and_then(Value::as_str)?;
            let next = node_of_id.len();
            Some(*node_of_id.entry(id).or_insert(next))
        })
        .collect();
    let mut own_level = vec![None; node_of_id.len()];
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); node_of_id.len()];
    for (object, node) in objects.iter().zip(&node_of_object) {
        let Some(node) = *node else { continue };
        own_level[node] = own_level[node].max(tlp_of(object).or(unmarked));
        successors[node].extend(
            references(object)
                .into_iter()
                .filter_map(|reference| node_of_id.get(reference).copied()),
        );
    }
    let level_of_node = reachable_maximum(&successors, &own_level);
    objects
        .iter()
        .zip(node_of_object)
        .map(|(object, node)| match node {
            Some(node) => level_of_node[node],
            None => tlp_of(object).or(unmarked),
        })
        .collect()
}

/// For each node of the graph `successors`, the maximum of `own` over the
/// nodes it reaches (itself included): iterative Tarjan, the maximum taken
/// per strongly connected component as each is completed.
fn reachable_maximum(successors: &[Vec<usize>], own: &[Option<Tlp2>]) -> Vec<Option<Tlp2>> {
    const UNVISITED: usize = usize::MAX;
    let count = successors.len();
    let mut order = vec![UNVISITED; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut component_of = vec![UNVISITED; count];
    let mut component_level: Vec<Option<Tlp2>> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut members: Vec<usize> = Vec::new();
    // The walk's own call stack: a node and how many of its edges are done.
    let mut walk: Vec<(usize, usize)> = Vec::new();
    let mut visited = 0;
    for root in 0..count {
        if order[root] != UNVISITED {
            continue;
        }
        order[root] = visited;
        low[root] = visited;
        visited += 1;
        stack.push(root);
        on_stack[root] = true;
        walk.push((root, 0));
        while let Some((node, edge)) = walk.last_mut() {
            let node = *node;
            if let Some(&next) = successors[node].get(*edge) {
                *edge += 1;
                if order[next] == UNVISITED {
                    order[next] = visited;
                    low[next] = visited;
                    visited += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    walk.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            walk.pop();
            if let Some((caller, _)) = walk.last() {
                low[*caller] = low[*caller].min(low[node]);
            }
            if low[node] != order[node] {
                continue;
            }
            // `node` roots a component: the nodes above it on the stack.
            let component = component_level.len();
            members.clear();
            while let Some(member) = stack.pop() {
                on_stack[member] = false;
                component_of[member] = component;
                members.push(member);
                if member == node {
                    break;
                }
            }
            // Every component reached from this one is already complete.
            let mut level = None;
            for &member in &members {
                level = level.max(own[member]);
                for &next in &successors[member] {
                    if let Some(reached) = component_level.get(component_of[next]) {
                        level = level.max(*reached);
                    }
                }
            }
            component_level.push(level);
        }
    }
    component_of
        .into_iter()
        .map(|component| component_level.get(component).copied().flatten())
        .collect()
}

/// The most restrictive TLP among all objects of the bundle, each
/// unmarked one counting as `unmarked`: the least a message carrying the
/// bundle must be marked with.
pub fn bundle_tlp(bundle: &Bundle, unmarked: Option<Tlp2>) -> Option<Tlp2> {
    bundle
        .objects()
        .iter()
        .filter_map(|object| tlp_of(object).or(unmarked))
        .max()
}

/// The ids an object references through `*_ref` and `*_refs` properties
/// at any depth — top-level ones, and those inside extensions (an
/// archive's `contains_refs`) and lists of sub-objects — markings aside
/// (`object_marking_refs`, and `granular_markings` with its `marking_ref`s).
fn references(object: &Map<String, Value>) -> Vec<&str> {
    let mut found = Vec::new();
    let mut pending: Vec<&Map<String, Value>> = vec![object];
    while let Some(map) = pending.pop() {
        for (name, value) in map {
            if matches!(name.as_str(), "object_marking_refs" | "granular_markings") {
                continue;
            }
            if name.ends_with("_ref") {
                found.extend(value.as_str());
            } else if name.ends_with("_refs") {
                found.extend(
                    value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str),
                );
            }
            // Sub-objects, directly or in lists, may hold references too.
            match value {
                Value::Object(inner) => pending.push(inner),
                Value::Array(items) => pending.extend(items.iter().filter_map(Value::as_object)),
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod effective_tlps_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_convert_to_the_envelope_tlp() {
        assert!(Tlp2::Clear < Tlp2::Green);
        assert!(Tlp2::Green < Tlp2::Amber);
        assert!(Tlp2::Amber < Tlp2::AmberStrict);
        assert!(Tlp2::AmberStrict < Tlp2::Red);
        for level in Tlp2::ALL {
            let envelope = Tlp::from(level);
            assert_eq!(Tlp2::from(envelope), level);
            assert_eq!(level.name(), format!("TLP:{envelope}"));
        }
    }

    #[test]
    fn published_definitions_pass_their_own_check() {
        for level in Tlp2::ALL {
            let Value::Object(definition) = level.marking_definition() else {
                unreachable!("an object")
            };
            check_marking_definition(&definition).expect("the published definition");
            assert_eq!(
                Tlp2::from_marking_definition_id(level.marking_definition_id()),
                Some(level)
            );
        }
    }

    #[test]
    fn selectors_walk_properties_and_list_items() {
        let object = json!({
            "description": "The (1) TLS...",
            "external_references": [{"source_name": "cve", "external_id": "CVE-2014-0160"}],
            "labels": ["heartbleed", "has-logo"]
        });
        let Value::Object(object) = object else {
            unreachable!("an object")
        };
        for good in [
            "description",
            "external_references.[0].source_name",
            "labels.[0]",
            "labels",
        ] {
            assert!(selects(&object, good), "{good}");
        }
        for bad in [
            "pattern",
            "external_references.[3]",
            "description.[0]",
            "labels.name",
            "labels.[x]",
            "",
        ] {
            assert!(!selects(&object, bad), "{bad}");
        }
    }
}
