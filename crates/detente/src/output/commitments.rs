//! Guarantees and pledges for people: a status line first (what a reader
//! needs most: does it bind, who signed), then the document as signed and
//! its signed history.
//!
//! Texts and titles come from other parties: they are printed exactly,
//! except that control characters (which could rewrite the terminal) are
//! shown escaped; `--json` gives the exact document.

use detente_proto::time::{Timestamp, human_duration};
use serde_json::Value;

use super::{signers, str};

/// `label  text`, in the detail's column.
fn field(out: &mut String, label: &str, text: &str) {
    out.push_str(&format!("  {label:<16} {text}\n"));
}

/// `text` with every control character but newline and tab escaped
/// (`\u{1b}`), so that what another party wrote cannot move the cursor,
/// recolour or hide what follows.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The texts by language, each line of each text indented under its
/// language tag, nothing else changed.
fn texts(out: &mut String, document: &Value) {
    for (language, text) in document["text"].as_object().into_iter().flatten() {
        out.push_str(&format!("  text ({})\n", printable(language)));
        let text = printable(text.as_str().unwrap_or("-"));
        for line in text.split('\n') {
            out.push_str(&format!("    {line}\n"));
        }
    }
}

/// The signed steps, oldest first: when, who, what, and the message that
/// carried it.
fn history(out: &mut String, view: &Value, withdraw: &str) {
    for (i, step) in view["history"].as_array().into_iter().flatten().enumerate() {
        let what = match str(step, "/role") {
            "publish" => "published",
            "sign" => "signed",
            "withdraw" => withdraw,
            other => other,
        };
        let message = step["message"]
            .as_str()
            .map(|id| format!("  (message {id})"))
            .unwrap_or_default();
        field(
            out,
            if i == 0 { "history" } else { "" },
            &format!(
                "{}  {} {what}{message}",
                str(step, "/at"),
                str(step, "/party")
            ),
        );
    }
}

/// A period as people say it: `90d`, `36h`, else `2d 3h`.
fn notice(ms: u64) -> String {
    const HOUR: u64 = 3_600_000;
    const DAY: u64 = 24 * HOUR;
    match ms {
        0 => "0s".to_owned(),
        ms if ms % DAY == 0 => format!("{}d", ms / DAY),
        ms if ms % HOUR == 0 => format!("{}h", ms / HOUR),
        ms => human_duration(chrono::TimeDelta::milliseconds(
            i64::try_from(ms).unwrap_or(i64::MAX),
        )),
    }
}

/// A guarantee's status with its state in capitals: `IN FORCE since …`,
/// `WITHDRAWAL NOTIFIED by RU at …; lapses at …`, `PROPOSED; awaiting …`.
fn guarantee_status(view: &Value) -> String {
    let state = str(view, "/state");
    let status = str(view, "/status");
    let words = state.replace('-', " ");
    match status.strip_prefix(&words) {
        Some(rest) => format!("{}{rest}", words.to_uppercase()),
        None => format!("{} ({status})", state.to_uppercase()),
    }
}

/// Its signers, `✓` for those who had signed at the view's `at`, `…` for
/// the others. The node's `signed_by` is who has signed by now; for a
/// moment before that (`--at`), the signed history says who had signed.
fn guarantee_signers(view: &Value) -> String {
    let (Some(at), Some(signed_by)) = (
        str(view, "/at").parse::<Timestamp>().ok(),
        view["signed_by"].as_object(),
    ) else {
        return signers(view);
    };
    let signed_at = |party: &str| -> Option<Option<Timestamp>> {
        view["history"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|step| str(step, "/role") == "sign" && str(step, "/party") == party)
            .map(|step| str(step, "/at").parse().ok())
    };
    signed_by
        .iter()
        .map(|(party, signed)| {
            let had_signed = signed == true
                && match signed_at(party) {
                    Some(Some(when)) => when <= at,
                    // No step, or an unreadable time: as the node says.
                    _ => true,
                };
            format!("{party}{}", if had_signed { "✓" } else { "…" })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn guarantee_line(view: &Value, id_width: usize) -> String {
    format!(
        "{:<id_width$}  {}  {}\n",
        str(view, "/id"),
        guarantee_status(view),
        guarantee_signers(view)
    )
}

/// One guarantee: its status line (`ru-us-elections-2026  IN FORCE since
/// …  RU✓ US✓`), the document's members, the texts and the history.
pub fn guarantee_detail(view: &Value) -> String {
    let mut out = guarantee_line(view, 0);
    let doc = &view["document"];
    field(&mut out, "status at", str(view, "/at"));
    let (issuer, beneficiary) = (str(doc, "/issuer"), str(doc, "/beneficiary"));
    let binds = if doc["reciprocal"] == true {
        format!("reciprocal: binds {issuer} and {beneficiary} once both have signed")
    } else {
        format!("one-way: binds {issuer} alone, once it has signed")
    };
    field(
        &mut out,
        "given",
        &format!("by {issuer} to {beneficiary}; {binds}"),
    );
    let scope: Vec<&str> = doc["scope"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    field(&mut out, "scope", &scope.join(", "));
    let expires = match doc["expires"].as_str() {
        Some(expires) => format!("until {expires}"),
        None => "open-ended".to_owned(),
    };
    field(
        &mut out,
        "effective",
        &format!("from {}, {expires}", str(doc, "/effective_from")),
    );
    if let Some(ms) = doc["notice_ms"].as_u64() {
        field(
            &mut out,
            "notice",
            &format!(
                "{}: after a notice of withdrawal it still binds this long",
                notice(ms)
            ),
        );
    }
    field(&mut out, "document SHA-256", str(view, "/document_sha256"));
    texts(&mut out, doc);
    history(&mut out, view, "notified withdrawal");
    out
}

/// Every guarantee, one status line each.
pub fn guarantee_list(list: &Value) -> String {
    let guarantees = list["guarantees"].as_array().cloned().unwrap_or_default();
    if guarantees.is_empty() {
        return "no guarantees yet; propose one with `detente guarantee propose`\n".to_owned();
    }
    let width = guarantees
        .iter()
        .map(|g| str(g, "/id").len())
        .max()
        .unwrap_or(0);
    guarantees
        .iter()
        .map(|g| guarantee_line(g, width))
        .collect()
}

/// `OPEN until …`, `NOT YET OPEN (opens …)` or `CLOSED since …`, at the
/// view's `at`.
fn pledge_status(view: &Value) -> String {
    let doc = &view["document"];
    let time = |pointer: &str| str(doc, pointer).parse::<Timestamp>().ok();
    let at = str(view, "/at").parse::<Timestamp>().ok();
    match (view["open"] == true, at, time("/open_from")) {
        (true, ..) => format!("OPEN until {}", str(doc, "/open_until")),
        (false, Some(at), Some(from)) if at < from => format!("NOT YET OPEN (opens {from})"),
        (false, ..) => format!("CLOSED since {}", str(doc, "/open_until")),
    }
}

fn signatory_names(view: &Value) -> String {
    let parties: Vec<&str> = view["signatories"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| str(s, "/party"))
        .collect();
    if parties.is_empty() {
        "no signatories yet".to_owned()
    } else {
        format!("signed by {}", parties.join(", "))
    }
}

fn pledge_line(view: &Value, reference_width: usize) -> String {
    format!(
        "{:<reference_width$}  {}  {}  {}\n",
        str(view, "/reference"),
        pledge_status(view),
        signatory_names(view),
        printable(str(view, "/title"))
    )
}

/// One pledge: its status line (`UN/no-first-use  OPEN until …  signed by
/// RU, US  <title>`), its signatories with when they signed, the texts and
/// the history.
pub fn pledge_detail(view: &Value) -> String {
    let mut out = pledge_line(view, 0);
    let doc = &view["document"];
    field(&mut out, "signatories at", str(view, "/at"));
    field(&mut out, "host", str(doc, "/host"));
    field(
        &mut out,
        "open",
        &format!(
            "from {} until {}",
            str(doc, "/open_from"),
            str(doc, "/open_until")
        ),
    );
    let signatories = view["signatories"].as_array().cloned().unwrap_or_default();
    if signatories.is_empty() {
        field(&mut out, "signatories", "none");
    }
    for (i, s) in signatories.iter().enumerate() {
        field(
            &mut out,
            if i == 0 { "signatories" } else { "" },
            &format!("{}  signed {}", str(s, "/party"), str(s, "/signed_at")),
        );
    }
    field(&mut out, "document SHA-256", str(view, "/document_sha256"));
    texts(&mut out, doc);
    history(&mut out, view, "withdrew its signature");
    out
}

/// Every pledge, one status line each.
pub fn pledge_list(list: &Value) -> String {
    let pledges = list["pledges"].as_array().cloned().unwrap_or_default();
    if pledges.is_empty() {
        return "no pledges yet; publish one with `detente pledge create`, or sign one with `detente pledge sign HOST/ID`\n".to_owned();
    }
    let width = pledges
        .iter()
        .map(|p| str(p, "/reference").len())
        .max()
        .unwrap_or(0);
    pledges.iter().map(|p| pledge_line(p, width)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn guarantee(state: &str, status: &str, signed_by: Value) -> Value {
        json!({
            "id": "ru-us-elections-2026",
            "state": state,
            "status": status,
            "at": "2026-12-01T00:00:00.000Z",
            "signed_by": signed_by,
            "document_sha256": "q83vEjRWeJA=",
            "document": {
                "v": 1,
                "id": "ru-us-elections-2026",
                "reciprocal": true,
                "issuer": "RU",
                "beneficiary": "US",
                "text": {
                    "en": "Neither party will interfere in the other's elections.\nNor prepare to.",
                    "ru": "Ни одна из сторон не будет вмешиваться в выборы другой."
                },
                "scope": ["elections", "internal-affairs"],
                "effective_from": "2026-01-01T00:00:00.000Z",
                "notice_ms": 90u64 * 24 * 3_600_000
            },
            "history": [
                {"role": "sign", "party": "RU", "at": "2026-11-29T07:05:10.447Z",
                 "message": "0193a1b2-0000-7000-8000-000000000001"},
                {"role": "sign", "party": "US", "at": "2026-11-29T08:00:00.000Z",
                 "message": "0193a1b2-0000-7000-8000-000000000002"},
                {"role": "withdraw", "party": "US", "at": "2026-11-30T08:00:00.000Z"}
            ]
        })
    }

    #[test]
    fn guarantee_detail_starts_with_its_status_and_prints_the_texts_exactly() {
        let view = guarantee(
            "in-force",
            "in force since 2026-11-29T08:00:00.000Z",
            json!({"RU": true, "US": true}),
        );
        let detail = guarantee_detail(&view);
        let mut lines = detail.lines();
        assert_eq!(
            lines.next(),
            Some("ru-us-elections-2026  IN FORCE since 2026-11-29T08:00:00.000Z  RU✓ US✓"),
            "{detail}"
        );
        for expected in [
            "  status at        2026-12-01T00:00:00.000Z\n",
            "  given            by RU to US; reciprocal: binds RU and US once both have signed\n",
            "  scope            elections, internal-affairs\n",
            "  effective        from 2026-01-01T00:00:00.000Z, open-ended\n",
            "  notice           90d: after a notice of withdrawal it still binds this long\n",
            "  document SHA-256 q83vEjRWeJA=\n",
            "  text (en)\n    Neither party will interfere in the other's elections.\n    Nor prepare to.\n",
            "  text (ru)\n    Ни одна из сторон не будет вмешиваться в выборы другой.\n",
            "  history          2026-11-29T07:05:10.447Z  RU signed  (message 0193a1b2-0000-7000-8000-000000000001)\n",
            "                   2026-11-29T08:00:00.000Z  US signed  (message 0193a1b2-0000-7000-8000-000000000002)\n",
            "                   2026-11-30T08:00:00.000Z  US notified withdrawal\n",
        ] {
            assert!(detail.contains(expected), "no {expected:?} in:\n{detail}");
        }
    }

    #[test]
    fn guarantee_states_read_in_capitals_with_their_details() {
        for (state, status, heading) in [
            (
                "proposed",
                "proposed; awaiting the signature of US",
                "PROPOSED; awaiting the signature of US",
            ),
            (
                "concluded",
                "concluded; takes effect at 2027-01-01T00:00:00.000Z",
                "CONCLUDED; takes effect at 2027-01-01T00:00:00.000Z",
            ),
            (
                "withdrawal-notified",
                "withdrawal notified by RU at 2026-12-01T00:00:00.000Z; lapses at 2027-03-01T00:00:00.000Z",
                "WITHDRAWAL NOTIFIED by RU at 2026-12-01T00:00:00.000Z; lapses at 2027-03-01T00:00:00.000Z",
            ),
            (
                "lapsed",
                "lapsed at 2027-01-01T00:00:00.000Z (expired)",
                "LAPSED at 2027-01-01T00:00:00.000Z (expired)",
            ),
            // A state this detente does not know yet still reads.
            ("suspended", "on hold", "SUSPENDED (on hold)"),
        ] {
            let view = guarantee(state, status, json!({"RU": true, "US": false}));
            assert_eq!(
                guarantee_detail(&view).lines().next(),
                Some(format!("ru-us-elections-2026  {heading}  RU✓ US…").as_str())
            );
        }
    }

    #[test]
    fn one_way_guarantee_names_its_only_bound_party_and_its_end() {
        let mut view = guarantee(
            "in-force",
            "in force since 2026-11-29T07:05:10.447Z",
            json!({"RU": true}),
        );
        view["document"]["reciprocal"] = json!(false);
        view["document"]["expires"] = json!("2027-01-01T00:00:00.000Z");
        view["document"]["notice_ms"] = json!(36u64 * 3_600_000);
        let detail = guarantee_detail(&view);
        assert!(
            detail.starts_with(
                "ru-us-elections-2026  IN FORCE since 2026-11-29T07:05:10.447Z  RU✓\n"
            ),
            "{detail}"
        );
        assert!(
            detail.contains(
                "  given            by RU to US; one-way: binds RU alone, once it has signed\n"
            ),
            "{detail}"
        );
        assert!(
            detail.contains("from 2026-01-01T00:00:00.000Z, until 2027-01-01T00:00:00.000Z\n"),
            "{detail}"
        );
        assert!(detail.contains("  notice           36h: "), "{detail}");
    }

    #[test]
    fn guarantee_at_a_moment_before_the_signatures_shows_them_missing() {
        let mut view = guarantee(
            "proposed",
            "proposed; awaiting the signature of RU and US",
            json!({"RU": true, "US": true}),
        );
        view["at"] = json!("2026-11-29T07:30:00.000Z");
        assert_eq!(
            guarantee_detail(&view).lines().next(),
            Some("ru-us-elections-2026  PROPOSED; awaiting the signature of RU and US  RU✓ US…")
        );
        view["at"] = json!("2026-06-01T00:00:00.000Z");
        assert!(guarantee_detail(&view).starts_with(
            "ru-us-elections-2026  PROPOSED; awaiting the signature of RU and US  RU… US…\n"
        ));
    }

    #[test]
    fn guarantee_list_aligns_one_line_each() {
        let mut short = guarantee(
            "proposed",
            "proposed; awaiting the signature of US",
            json!({"RU": true, "US": false}),
        );
        short["id"] = json!("ru-us-dams");
        let long = guarantee(
            "in-force",
            "in force since 2026-11-29T08:00:00.000Z",
            json!({"RU": true, "US": true}),
        );
        let table = guarantee_list(&json!({"guarantees": [short, long]}));
        assert_eq!(
            table,
            "ru-us-dams            PROPOSED; awaiting the signature of US  RU✓ US…\n\
             ru-us-elections-2026  IN FORCE since 2026-11-29T08:00:00.000Z  RU✓ US✓\n"
        );
        assert!(guarantee_list(&json!({"guarantees": []})).starts_with("no guarantees yet"));
    }

    fn pledge(open: bool, at: &str, signatories: Value) -> Value {
        json!({
            "reference": "UN/no-first-use",
            "title": "Pledge of no first use of ICT against each other",
            "open": open,
            "at": at,
            "signatories": signatories,
            "document_sha256": "3q2+7w==",
            "document": {
                "v": 1,
                "id": "no-first-use",
                "host": "UN",
                "title": "Pledge of no first use of ICT against each other",
                "text": {"en": "Each signatory pledges not to be the first to use ICT against another signatory."},
                "open_from": "2026-01-01T00:00:00.000Z",
                "open_until": "2027-01-01T00:00:00.000Z"
            },
            "history": [
                {"role": "sign", "party": "RU", "at": "2026-11-29T07:05:10.447Z",
                 "message": "0193a1b2-0000-7000-8000-000000000003"},
                {"role": "withdraw", "party": "RU", "at": "2026-11-30T07:05:10.447Z",
                 "message": "0193a1b2-0000-7000-8000-000000000004"}
            ]
        })
    }

    #[test]
    fn pledge_detail_starts_with_open_and_signatories() {
        let view = pledge(
            true,
            "2026-11-29T12:00:00.000Z",
            json!([{"party": "RU", "signed_at": "2026-11-29T07:05:10.447Z"},
                   {"party": "US", "signed_at": "2026-11-29T09:00:00.000Z"}]),
        );
        let detail = pledge_detail(&view);
        assert_eq!(
            detail.lines().next(),
            Some(
                "UN/no-first-use  OPEN until 2027-01-01T00:00:00.000Z  signed by RU, US  Pledge of no first use of ICT against each other"
            ),
            "{detail}"
        );
        for expected in [
            "  signatories at   2026-11-29T12:00:00.000Z\n",
            "  host             UN\n",
            "  open             from 2026-01-01T00:00:00.000Z until 2027-01-01T00:00:00.000Z\n",
            "  signatories      RU  signed 2026-11-29T07:05:10.447Z\n",
            "                   US  signed 2026-11-29T09:00:00.000Z\n",
            "  document SHA-256 3q2+7w==\n",
            "  text (en)\n    Each signatory pledges not to be the first to use ICT against another signatory.\n",
            "  history          2026-11-29T07:05:10.447Z  RU signed  (message 0193a1b2-0000-7000-8000-000000000003)\n",
            "                   2026-11-30T07:05:10.447Z  RU withdrew its signature  (message 0193a1b2-0000-7000-8000-000000000004)\n",
        ] {
            assert!(detail.contains(expected), "no {expected:?} in:\n{detail}");
        }
    }

    #[test]
    fn pledge_closed_or_not_yet_open_says_so() {
        let before = pledge(false, "2025-12-01T00:00:00.000Z", json!([]));
        assert_eq!(
            pledge_detail(&before).lines().next(),
            Some(
                "UN/no-first-use  NOT YET OPEN (opens 2026-01-01T00:00:00.000Z)  no signatories yet  Pledge of no first use of ICT against each other"
            )
        );
        assert!(pledge_detail(&before).contains("  signatories      none\n"));
        let after = pledge(
            false,
            "2027-06-01T00:00:00.000Z",
            json!([{"party": "RU", "signed_at": "2026-11-29T07:05:10.447Z"}]),
        );
        assert!(
            pledge_list(&json!({"pledges": [after]})).starts_with(
                "UN/no-first-use  CLOSED since 2027-01-01T00:00:00.000Z  signed by RU  "
            )
        );
        assert!(pledge_list(&json!({"pledges": []})).starts_with("no pledges yet"));
    }

    #[test]
    fn texts_from_other_parties_cannot_drive_the_terminal() {
        let mut view = pledge(true, "2026-11-29T12:00:00.000Z", json!([]));
        view["title"] = json!("No first use\u{1b}[2J");
        view["document"]["text"] = json!({"en": "Line one\u{1b}]0;pwned\u{7}\n\tLine two\u{9b}"});
        let detail = pledge_detail(&view);
        assert!(
            !detail.contains('\u{1b}') && !detail.contains('\u{7}') && !detail.contains('\u{9b}'),
            "{detail:?}"
        );
        assert!(detail.contains("No first use\\u{1b}[2J"), "{detail}");
        assert!(
            detail.contains("    Line one\\u{1b}]0;pwned\\u{7}\n    \tLine two\\u{9b}\n"),
            "{detail}"
        );
    }
}
