//! Why a STIX bundle was refused, and where.

use std::fmt;

/// A STIX bundle that does not follow STIX 2.1, or carries what detente
/// does not carry. It names the object (by index and id) and the property
/// (by JSON path from the bundle), and says what is wrong.
///
/// Displayed as, e.g.:
/// `stix.objects[2] (indicator--8e2e…): valid_from: "yesterday" is not an RFC 3339 timestamp; …`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixError {
    /// Index of the offending object in the bundle's `objects`, if the fault
    /// is inside one.
    pub object: Option<usize>,
    /// That object's `id`, when it has a string one.
    pub id: Option<String>,
    /// JSON path from the bundle, e.g. `objects[2].valid_from` (empty for
    /// the bundle itself).
    pub property: String,
    /// What is wrong, and what to write instead.
    pub problem: String,
}

impl StixError {
    /// A fault in the bundle itself, outside its objects.
    pub(crate) fn bundle(property: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            object: None,
            id: None,
            property: property.into(),
            problem: problem.into(),
        }
    }

    /// The path inside the object, e.g. `valid_from` for
    /// `objects[2].valid_from` (empty when the object as a whole is at fault).
    fn within_object(&self) -> &str {
        let Some(index) = self.object else {
            return &self.property;
        };
        let head = format!("objects[{index}]");
        match self.property.strip_prefix(&head) {
            Some(rest) => rest.strip_prefix('.').unwrap_or(rest),
            None => &self.property,
        }
    }
}

impl fmt::Display for StixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.object {
            Some(index) => {
                write!(f, "stix.objects[{index}]")?;
                if let Some(id) = &self.id {
                    write!(f, " ({id})")?;
                }
                match self.within_object() {
                    "" => write!(f, ": {}", self.problem),
                    rest => write!(f, ": {rest}: {}", self.problem),
                }
            }
            None if self.property.is_empty() => write!(f, "stix: {}", self.problem),
            None => write!(f, "stix.{}: {}", self.property, self.problem),
        }
    }
}

impl std::error::Error for StixError {}

/// A fault found inside one object, before it is placed in the bundle:
/// `path` is relative to the object (`valid_from`,
/// `granular_markings[0].selectors[1]`), empty for the object itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fault {
    pub(super) path: String,
    pub(super) problem: String,
}

/// Shorthand for a [`Fault`] result.
pub(super) fn fault<T>(path: &str, problem: impl Into<String>) -> Result<T, Fault> {
    Err(Fault {
        path: path.to_owned(),
        problem: problem.into(),
    })
}

impl Fault {
    /// Places the fault in object `index` of a bundle.
    pub(super) fn in_object(self, index: usize, id: Option<&str>) -> StixError {
        let property = match self.path.as_str() {
            "" => format!("objects[{index}]"),
            path if path.starts_with('[') => format!("objects[{index}]{path}"),
            path => format!("objects[{index}].{path}"),
        };
        StixError {
            object: Some(index),
            id: id.map(str::to_owned),
            property,
            problem: self.problem,
        }
    }
}

/// `parent.child`, or `child` at the root.
pub(super) fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// `parent[index]`.
pub(super) fn item(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}
