//! The STIX bundle (STIX 2.1 §8): a transient container of objects, each
//! kept as the exact JSON it arrived as.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::datatypes::check_identifier;
use super::error::StixError;

/// A STIX 2.1 bundle. Every object is kept as its JSON object, unknown
/// properties and extensions included, so [`Bundle::to_value`] gives back
/// the JSON value that was read (and so the same RFC 8785 canonical bytes,
/// which are what an envelope signs).
///
/// [`Bundle::from_value`] checks only the bundle's shape; [`super::validate`]
/// checks every object.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    id: String,
    /// `None` when the bundle has no `objects` member (§8.1: optional).
    objects: Option<Vec<Map<String, Value>>>,
    /// Any other member of the bundle, kept as it came. §8 lets tools drop
    /// custom bundle properties; detente keeps them, as it keeps every byte
    /// it signs.
    other: Map<String, Value>,
}

impl Bundle {
    /// Reads a bundle: `type` is `bundle`, `id` is `bundle--<UUID>`, and
    /// `objects`, if present, is a non-empty array of JSON objects.
    pub fn from_value(value: Value) -> Result<Self, StixError> {
        let Value::Object(mut members) = value else {
            return Err(StixError::bundle(
                "",
                "must be a STIX 2.1 bundle: a JSON object with \"type\": \"bundle\", an \"id\" and \"objects\"",
            ));
        };
        match members.remove("type") {
            Some(Value::String(kind)) if kind == "bundle" => {}
            Some(other) => {
                return Err(StixError::bundle(
                    "type",
                    format!("{other} is not \"bundle\"; a STIX payload is a bundle of objects"),
                ));
            }
            None => {
                return Err(StixError::bundle(
                    "type",
                    "missing; write \"type\": \"bundle\"",
                ));
            }
        }
        let id = match members.remove("id") {
            Some(Value::String(id)) => id,
            Some(other) => {
                return Err(StixError::bundle(
                    "id",
                    format!("{other} is not a string; write \"bundle--\" and a random UUID"),
                ));
            }
            None => {
                return Err(StixError::bundle(
                    "id",
                    "missing; write \"bundle--\" and a random UUID",
                ));
            }
        };
        match check_identifier(&id) {
            Ok(("bundle", _)) => {}
            Ok((other, _)) => {
                return Err(StixError::bundle(
                    "id",
                    format!(
                        "{id:?} is the id of an object of type {other}, not of a bundle; write \"bundle--\" and a UUID"
                    ),
                ));
            }
            Err(problem) => return Err(StixError::bundle("id", problem)),
        }
        let objects = match members.remove("objects") {
            None => None,
            Some(Value::Array(items)) if items.is_empty() => {
                return Err(StixError::bundle(
                    "objects",
                    "is empty; a bundle's objects list holds one or more objects (STIX 2.1 §2.12, §8.1), leave it out when there are none",
                ));
            }
            Some(Value::Array(items)) => {
                let mut objects = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    match item {
                        Value::Object(object) => objects.push(object),
                        other => {
                            return Err(StixError::bundle(
                                format!("objects[{index}]"),
                                format!(
                                    "{} is not a STIX object; every entry of objects is a JSON object",
                                    kind_of(&other)
                                ),
                            ));
                        }
                    }
                }
                Some(objects)
            }
            Some(other) => {
                return Err(StixError::bundle(
                    "objects",
                    format!("{} is not a list of STIX objects", kind_of(&other)),
                ));
            }
        };
        Ok(Self {
            id,
            objects,
            other: members,
        })
    }

    /// The bundle's id, `bundle--<UUID>`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The objects, in order, each as its JSON object.
    pub fn objects(&self) -> &[Map<String, Value>] {
        self.objects.as_deref().unwrap_or_default()
    }

    /// Every object (every version) whose `id` is `id`, with its index.
    pub fn versions_of<'a>(
        &'a self,
        id: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Map<String, Value>)> + 'a {
        self.objects()
            .iter()
            .enumerate()
            .filter(move |(_, object)| object.get("id").and_then(Value::as_str) == Some(id))
    }

    /// The bundle as JSON, exactly as it was read.
    pub fn to_value(&self) -> Value {
        let mut members = self.other.clone();
        members.insert("type".into(), Value::String("bundle".into()));
        members.insert("id".into(), Value::String(self.id.clone()));
        if let Some(objects) = &self.objects {
            let objects = objects.iter().cloned().map(Value::Object).collect();
            members.insert("objects".into(), Value::Array(objects));
        }
        Value::Object(members)
    }
}

impl TryFrom<Value> for Bundle {
    type Error = StixError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Self::from_value(value)
    }
}

impl Serialize for Bundle {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Bundle {
    /// Reads the bundle's shape only; run [`super::validate`] on it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(serde::de::Error::custom)
    }
}

/// What kind of JSON value this is, for error messages.
pub(super) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
