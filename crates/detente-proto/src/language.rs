//! Languages and multilingual texts (RFC 5646, BCP 47): the `languages` of
//! an agreement, and the `text` of guarantees and pledges, which is given
//! in one or more languages and signed exactly as written.

use std::collections::BTreeMap;

/// A BCP 47 tag in the common form: a 2–3 letter language, then subtags
/// of 1–8 letters or digits (RFC 5646 §2.1, without grandfathered tags).
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    language_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Why `tag` is refused as a language tag (the same words everywhere).
pub(crate) fn not_a_language_tag(tag: &str) -> String {
    format!("{tag:?} is not a BCP 47 language tag, e.g. ru, en, ar, zh-Hans")
}

/// Checks a document's text by language tag, which `field` names: at
/// least one language, each tag BCP 47 and given once (tags are
/// case-insensitive), each text not blank. The texts themselves are
/// neither trimmed nor normalised: they are signed exactly as written.
/// On refusal: the member and what is wrong.
pub(crate) fn check_texts(
    field: &str,
    texts: &BTreeMap<String, String>,
) -> Result<(), (String, String)> {
    if texts.is_empty() {
        return Err((
            field.to_owned(),
            format!(
                "give the text in at least one language, e.g. [{field}] en = \"…\" (in JSON {{\"en\": \"…\"}})"
            ),
        ));
    }
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (tag, text) in texts {
        if !is_language_tag(tag) {
            return Err((field.to_owned(), not_a_language_tag(tag)));
        }
        if let Some(first) = seen.insert(tag.to_ascii_lowercase(), tag) {
            return Err((
                field.to_owned(),
                format!(
                    "{first:?} and {tag:?} are the same language (tags are case-insensitive); give each language once"
                ),
            ));
        }
        if text.trim().is_empty() {
            return Err((
                format!("{field}.{tag}"),
                "must not be empty; write the text in this language, or leave the language out"
                    .to_owned(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_in_the_common_form() {
        for good in ["ru", "en", "ar", "zh-Hans", "en-GB", "sr-Latn-RS", "ast"] {
            assert!(is_language_tag(good), "{good:?} refused");
        }
        for bad in [
            "",
            "r",
            "russian",
            "en_GB",
            "en-",
            "-en",
            "en-toolongsub",
            "e1",
        ] {
            assert!(!is_language_tag(bad), "{bad:?} accepted");
        }
    }
}
