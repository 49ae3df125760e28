//! Bounds on everything that comes from outside.
//!
//! A hostile peer, a malformed file or a careless script must not be able to
//! make a node allocate without bound, recurse deeply or store huge values.
//! [`Limits`] is checked on raw bytes *before* parsing (size) and on the
//! parsed JSON tree *before* any typed decoding (depth, counts, lengths).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ProtoError;

/// Bounds applied to envelopes and documents from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest signed envelope, in bytes (default 1 MiB).
    pub max_envelope_bytes: usize,
    /// Deepest JSON nesting (default 64: STIX bundles nest, but not that much).
    pub max_depth: usize,
    /// Longest JSON string, in bytes (default 256 KiB).
    pub max_string_bytes: usize,
    /// Most elements in one JSON array (default 10 000).
    pub max_array_len: usize,
    /// Most members in one JSON object (default 1 000).
    pub max_object_members: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_envelope_bytes: 1024 * 1024,
            max_depth: 64,
            max_string_bytes: 256 * 1024,
            max_array_len: 10_000,
            max_object_members: 1_000,
        }
    }
}

impl Limits {
    /// No bounds (beyond the JSON parser's own nesting limit): for data this
    /// node already accepted and stored.
    pub fn unbounded() -> Self {
        Self {
            max_envelope_bytes: usize::MAX / 2,
            max_depth: usize::MAX,
            max_string_bytes: usize::MAX,
            max_array_len: usize::MAX,
            max_object_members: usize::MAX,
        }
    }

    /// Largest sealed transport body: base64 of the envelope plus HPKE overhead and header.
    pub fn max_sealed_bytes(&self) -> usize {
        self.max_envelope_bytes / 3 * 4 + 4096
    }

    /// Refuses `bytes` longer than the envelope bound.
    pub fn check_size(&self, what: &'static str, size: usize) -> Result<(), ProtoError> {
        if size > self.max_envelope_bytes {
            return Err(ProtoError::TooLarge {
                what,
                size,
                limit: self.max_envelope_bytes,
            });
        }
        Ok(())
    }

    /// Walks a parsed JSON tree and refuses it if any bound is crossed.
    /// `root` names the value in error messages (e.g. `envelope`); with an
    /// empty root, paths start at the top-level member names.
    pub fn check_tree(&self, root: &str, value: &Value) -> Result<(), ProtoError> {
        // Iterative walk: a deep tree must not exhaust our own stack.
        let root = if root.is_empty() { "(top level)" } else { root };
        let mut stack: Vec<(String, &Value, usize)> = vec![(root.to_owned(), value, 1)];
        while let Some((path, value, depth)) = stack.pop() {
            if depth > self.max_depth {
                return Err(ProtoError::OutOfBounds {
                    path,
                    detail: format!("nested deeper than {} levels", self.max_depth),
                });
            }
            match value {
                Value::String(s) if s.len() > self.max_string_bytes => {
                    return Err(ProtoError::OutOfBounds {
                        path,
                        detail: format!(
                            "string of {} bytes is longer than the limit of {} bytes",
                            s.len(),
                            self.max_string_bytes
                        ),
                    });
                }
                Value::Array(items) => {
                    if items.len() > self.max_array_len {
                        return Err(ProtoError::OutOfBounds {
                            path,
                            detail: format!(
                                "array of {} elements is longer than the limit of {}",
                                items.len(),
                                self.max_array_len
                            ),
                        });
                    }
                    for (i, item) in items.iter().enumerate() {
                        stack.push((format!("{path}[{i}]"), item, depth + 1));
                    }
                }
                Value::Object(members) => {
                    if members.len() > self.max_object_members {
                        return Err(ProtoError::OutOfBounds {
                            path,
                            detail: format!(
                                "object with {} members has more than the limit of {}",
                                members.len(),
                                self.max_object_members
                            ),
                        });
                    }
                    for (name, member) in members {
                        if name.len() > self.max_string_bytes {
                            return Err(ProtoError::OutOfBounds {
                                path,
                                detail: "member name too long".into(),
                            });
                        }
                        let child = if path == "(top level)" {
                            name.clone()
                        } else {
                            format!("{path}.{name}")
                        };
                        stack.push((child, member, depth + 1));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_nesting_is_refused_with_its_path() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        let ok = json!({"a": {"b": 1}});
        limits.check_tree("doc", &ok).expect("depth 3 is allowed");
        let deep = json!({"a": {"b": {"c": 1}}});
        let err = limits.check_tree("doc", &deep).unwrap_err();
        assert_eq!(
            err,
            ProtoError::OutOfBounds {
                path: "doc.a.b.c".into(),
                detail: "nested deeper than 3 levels".into()
            }
        );
    }

    #[test]
    fn long_arrays_and_strings_are_refused() {
        let limits = Limits {
            max_array_len: 2,
            max_string_bytes: 4,
            ..Limits::default()
        };
        assert!(limits.check_tree("d", &json!([1, 2])).is_ok());
        assert!(matches!(
            limits.check_tree("d", &json!([1, 2, 3])),
            Err(ProtoError::OutOfBounds { path, .. }) if path == "d"
        ));
        assert!(matches!(
            limits.check_tree("d", &json!({"x": ["abcde"]})),
            Err(ProtoError::OutOfBounds { path, .. }) if path == "d.x[0]"
        ));
    }

    #[test]
    fn size_bound_names_both_figures() {
        let err = Limits::default()
            .check_size("envelope", 2 * 1024 * 1024)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("2097152 bytes"), "{text}");
        assert!(text.contains("1048576"), "{text}");
    }
}
