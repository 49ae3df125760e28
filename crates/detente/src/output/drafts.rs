//! Draft notifications for people: a table of drafts, and one draft with
//! each of its objects' type, id, TLP and name.
//!
//! Objects, names and sources come from SOC tools: they are printed with
//! control characters escaped (so that they cannot rewrite the terminal)
//! and long names cut; `--json` gives them exactly.

use detente_proto::kind::Tlp;
use detente_proto::stix::{Bundle, Tlp2, effective_tlps, tlp_of};
use serde_json::{Map, Value};

use super::str;

/// `text` with control characters escaped, cut at `max` characters.
pub(super) fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A table of drafts, newest first; `state` is what was asked for.
pub fn draft_table(list: &Value, state: &str) -> String {
    let drafts = list["drafts"].as_array().cloned().unwrap_or_default();
    if drafts.is_empty() {
        return match state {
            "open" => "No open drafts. SOC tools add them over TAXII; `detente taxii pull` makes one from a SOC's collection.\n".into(),
            "all" => "No drafts.\n".into(),
            other => format!("No {other} drafts.\n"),
        };
    }
    let mut out = format!(
        "{:<36}  {:<9}  {:<4}  {:<12}  {:>7}  {:<24}  {:<20}  {}\n",
        "ID", "STATE", "WITH", "TLP", "OBJECTS", "CREATED", "BY", "SOURCE"
    );
    for d in &drafts {
        out.push_str(&format!(
            "{:<36}  {:<9}  {:<4}  {:<12}  {:>7}  {:<24}  {:<20}  {}\n",
            printable(str(d, "/id"), 36),
            str(d, "/state"),
            str(d, "/counterparty"),
            str(d, "/tlp"),
            d["objects"],
            str(d, "/created_at"),
            printable(str(d, "/created_by"), 20),
            printable(str(d, "/source"), 80),
        ));
    }
    out
}

/// One draft: where it stands, where it came from, and its objects.
pub fn draft_detail(d: &Value) -> String {
    let mut out = String::new();
    let line =
        |out: &mut String, label: &str, text: String| out.push_str(&format!("{label:<10}{text}\n"));
    let id = str(d, "/id");
    line(&mut out, "id", printable(id, 64));
    line(&mut out, "for", str(d, "/counterparty").into());
    let state = match str(d, "/state") {
        "open" => "OPEN — waiting for an officer to send or discard it".to_owned(),
        "sent" => format!(
            "SENT as message {} by {} at {}",
            str(d, "/message_id"),
            printable(str(d, "/decided_by"), 80),
            str(d, "/decided_at")
        ),
        "discarded" => format!(
            "DISCARDED by {} at {}",
            printable(str(d, "/decided_by"), 80),
            str(d, "/decided_at")
        ),
        other => other.to_uppercase(),
    };
    line(&mut out, "state", state);
    line(
        &mut out,
        "tlp",
        format!(
            "{} (the most restrictive of its markings and the channel's default)",
            str(d, "/tlp")
        ),
    );
    line(
        &mut out,
        "created",
        format!(
            "{} by {}",
            str(d, "/created_at"),
            printable(str(d, "/created_by"), 80)
        ),
    );
    line(&mut out, "source", printable(str(d, "/source"), 1000));
    line(&mut out, "objects", d["objects"].to_string());
    out.push_str(&object_table(d));
    match str(d, "/state") {
        "open" => out.push_str(&format!(
            "send it with: detente drafts send {id} --from-tier technical --subject \"…\" --summary \"…\"\n"
        )),
        "sent" => out.push_str(&format!(
            "follow it with: detente show {}\n",
            str(d, "/message_id")
        )),
        _ => {}
    }
    out
}

/// The draft's objects, one a line: type, id, TLP (the one that governs
/// sharing it: its own and that of what it references), name.
fn object_table(d: &Value) -> String {
    let objects: Vec<&Map<String, Value>> = d
        .pointer("/bundle/objects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    if objects.is_empty() {
        return String::new();
    }
    let draft_tlp: Option<Tlp2> = str(d, "/tlp").parse::<Tlp>().ok().map(Tlp2::from);
    let levels: Vec<Option<Tlp2>> = match Bundle::from_value(d["bundle"].clone()) {
        Ok(bundle) => effective_tlps(&bundle, draft_tlp),
        Err(_) => objects.iter().map(|o| tlp_of(o).or(draft_tlp)).collect(),
    };
    let mut out = format!(
        "  {:<20}  {:<48}  {:<13}  {}\n",
        "TYPE", "ID", "TLP", "NAME"
    );
    let mut unmarked = false;
    for (index, object) in objects.iter().enumerate() {
        let text = |key: &str| object.get(key).and_then(Value::as_str);
        let own = tlp_of(object);
        unmarked |= own.is_none();
        let level = levels
            .get(index)
            .copied()
            .flatten()
            .map(|l| Tlp::from(l).as_str())
            .unwrap_or("-");
        let name = text("name")
            .or_else(|| text("value"))
            .or_else(|| text("abstract"))
            .or_else(|| text("content"))
            .unwrap_or("-");
        out.push_str(&format!(
            "  {:<20}  {:<48}  {:<13}  {}\n",
            printable(text("type").unwrap_or("-"), 20),
            printable(text("id").unwrap_or("-"), 48),
            format!("{level}{}", if own.is_none() { "*" } else { "" }),
            printable(name, 60),
        ));
    }
    if unmarked {
        out.push_str("  * unmarked: counts as the draft's TLP\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn indicator(id: &str, name: &str, marking: Option<Tlp2>) -> Value {
        let mut object = json!({"type": "indicator", "spec_version": "2.1",
            "id": id, "created": "2026-11-28T09:00:00.000Z", "modified": "2026-11-28T09:00:00.000Z",
            "name": name, "pattern": "[ipv4-addr:value = '203.0.113.7']",
            "pattern_type": "stix", "valid_from": "2026-11-28T09:00:00Z"});
        if let Some(tlp) = marking {
            object["object_marking_refs"] = json!([tlp.marking_definition_id()]);
        }
        object
    }

    #[test]
    fn a_draft_lists_its_objects_with_their_tlp() {
        let red = "indicator--6f2c5c8e-7d1a-4b4e-9f3a-2c1d0e9b8a7f";
        let unmarked = "indicator--0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
        let draft = json!({
            "id": "0193a1b2-0000-7000-8000-000000000001", "counterparty": "US",
            "state": "open", "created_at": "2026-11-28T09:10:00.000Z",
            "created_by": "officer:Petrov", "source": "pulled over TAXII from https://soc.example/",
            "tlp": "AMBER", "objects": 2,
            "bundle": {"type": "bundle", "id": "bundle--6f2c5c8e-7d1a-4b4e-9f3a-2c1d0e9b8a70",
                "objects": [indicator(red, "C2\u{1b}[2J address", Some(Tlp2::Red)),
                            indicator(unmarked, "Scanner", None)]}
        });
        let text = draft_detail(&draft);
        assert!(text.contains("state     OPEN — waiting"), "{text}");
        let red_line = text.lines().find(|l| l.contains(red)).expect("red line");
        assert!(
            red_line.contains(" RED ") && red_line.contains("C2\\u{1b}[2J address"),
            "{text}"
        );
        let unmarked_line = text.lines().find(|l| l.contains(unmarked)).expect("line");
        assert!(unmarked_line.contains(" AMBER* "), "{text}");
        assert!(
            text.contains("* unmarked: counts as the draft's TLP"),
            "{text}"
        );
        assert!(text.ends_with("send it with: detente drafts send 0193a1b2-0000-7000-8000-000000000001 --from-tier technical --subject \"…\" --summary \"…\"\n"), "{text}");
    }

    #[test]
    fn a_sent_draft_names_its_message() {
        let text = draft_detail(&json!({"id": "d", "state": "sent", "message_id": "0193-m",
            "decided_by": "officer:Petrov", "decided_at": "2026-11-28T10:00:00.000Z", "objects": 0}));
        assert!(
            text.contains("SENT as message 0193-m by officer:Petrov at 2026-11-28T10:00:00.000Z"),
            "{text}"
        );
        assert!(
            text.ends_with("follow it with: detente show 0193-m\n"),
            "{text}"
        );
    }

    #[test]
    fn an_empty_list_says_how_drafts_come() {
        assert!(draft_table(&json!({"drafts": []}), "open").contains("detente taxii pull"));
        assert_eq!(
            draft_table(&json!({"drafts": []}), "sent"),
            "No sent drafts.\n"
        );
    }
}
