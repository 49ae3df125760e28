//! What verification found: one verdict per claim, printable for people
//! and serialisable for tools.

use std::fmt;

use detente_proto::agreement::responsiveness::{Direction, Stats};
use detente_proto::ids::PartyCode;
use detente_proto::time::Timestamp;
use serde::Serialize;

/// The verdict on one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The bundle proves it.
    Proven,
    /// Something in the bundle is false, forged or altered.
    Broken,
    /// Nothing is false, but the bundle lacks what would prove it
    /// (e.g. a checkpoint nobody else cosigned).
    Unproven,
    /// Signed by a key its party revoked as compromised since a moment at
    /// or before the signature's time: the signature verifies, but anyone
    /// holding the stolen key could have made it, so it proves nothing.
    Suspect,
}

impl Verdict {
    /// `PROVEN`, `BROKEN`, `UNPROVEN` or `SUSPECT`.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Proven => "PROVEN",
            Verdict::Broken => "BROKEN",
            Verdict::Unproven => "UNPROVEN",
            Verdict::Suspect => "SUSPECT",
        }
    }
}

/// One claim and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// What the claim is about: `card RU`, `log detente.US/log/v1`,
    /// `message 0193…`, `guarantee ru-us-elections-2026`,
    /// `pledge UN/no-first-use`.
    pub subject: String,
    /// What is claimed: `signed` (a card), `in-force` (an agreement),
    /// `sent`, `logged-sent`, `delivered`, `logged-received`,
    /// `acknowledged`, `answered`, `ack-deadline`, `reply-deadline`,
    /// `check-deadline` (a message), `figures` (a party's figures),
    /// `consistent` (a log), `messages` (the bundle), `status` (a
    /// guarantee), `signatories` (a pledge).
    pub claim: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// What was proven, or exactly what broke or is missing.
    pub detail: String,
}

/// A party whose key the bundle relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    /// Party code.
    pub party: String,
    /// Name on its card.
    pub name: String,
    /// The fingerprint of its signing key: confirm it out of band.
    pub fingerprint: String,
}

/// Everything verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Who exported the bundle and when, and what it selected (as it says).
    pub exported: String,
    /// The parties whose cards verified.
    pub parties: Vec<Party>,
    /// Every claim, in bundle order.
    pub claims: Vec<Claim>,
    /// The responsiveness figures recomputed from the bundle, when it
    /// claims some (whether or not they match: see the `figures` claim).
    /// [`figures_table`] prints them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<Stats>,
    /// For a bundle exported for a guarantee or a pledge: where it stood
    /// at the moment judged, as the `status` or `signatories` claim says
    /// (whose verdict is repeated here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<Commitment>,
}

/// Where a guarantee or a pledge stood at one moment, computed from the
/// signed steps the bundle proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commitment {
    /// The claim's subject: `guarantee <id>` or `pledge <host>/<id>`.
    pub subject: String,
    /// The moment judged: the auditor's (`Options::at`), or the bundle's
    /// judging moment.
    pub at: Timestamp,
    /// A guarantee's state at `at`: `proposed`, `concluded`, `in-force`,
    /// `withdrawal-notified` or `lapsed`
    /// ([`detente_proto::guarantee::GuaranteeStatus::state`]). A pledge's
    /// window for signature at `at`: `not-yet-open`, `open` or `closed`.
    pub state: &'static str,
    /// For a guarantee, whether it binds at `at`: in force, or withdrawn
    /// but still within its notice period after it took effect
    /// ([`detente_proto::guarantee::in_force_at`]). Absent for a pledge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_force: Option<bool>,
    /// A guarantee's signers that had signed by `at`; a pledge's
    /// signatories at `at` (signed and not withdrawn). In the order they
    /// signed.
    pub signatories: Vec<Signatory>,
    /// Base64 SHA-256 of the document's canonical bytes: the text signed.
    pub document_sha256: String,
    /// The findings in words, as in the claim's detail.
    pub status: String,
    /// The claim's verdict: PROVEN only when every step it rests on is.
    pub verdict: Verdict,
}

/// A party that signed, and when (the signed `created_at` of the message
/// that carried its signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signatory {
    /// Party code.
    pub party: PartyCode,
    /// When it signed.
    pub signed_at: Timestamp,
}

impl Report {
    /// How many claims got `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.claims.iter().filter(|c| c.verdict == verdict).count()
    }

    /// 0 when every claim is proven, 1 when anything is broken, 4 when
    /// nothing is broken but something is suspect, 3 when nothing is
    /// broken or suspect but something is unproven.
    pub fn exit_code(&self) -> u8 {
        if self.count(Verdict::Broken) > 0 {
            1
        } else if self.count(Verdict::Suspect) > 0 {
            4
        } else if self.count(Verdict::Unproven) > 0 {
            3
        } else {
            0
        }
    }

    /// The broken claims, for error messages.
    pub fn broken(&self) -> impl Iterator<Item = &Claim> {
        self.claims.iter().filter(|c| c.verdict == Verdict::Broken)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Evidence bundle {}", self.exported)?;
        writeln!(f, "Keys (confirm these fingerprints out of band):")?;
        for p in &self.parties {
            writeln!(f, "  {:<4} {}  {}", p.party, p.fingerprint, p.name)?;
        }
        let mut subject = "";
        for claim in &self.claims {
            if claim.subject != subject {
                subject = &claim.subject;
                writeln!(f, "{subject}")?;
            }
            writeln!(
                f,
                "  {:<8}  {:<15}  {}",
                claim.verdict.label(),
                claim.claim,
                claim.detail
            )?;
        }
        write!(
            f,
            "Verdict: {} proven, {} broken, {} unproven",
            self.count(Verdict::Proven),
            self.count(Verdict::Broken),
            self.count(Verdict::Unproven)
        )?;
        let suspect = self.count(Verdict::Suspect);
        if suspect > 0 {
            write!(f, ", {suspect} suspect")?;
        }
        match self.exit_code() {
            0 => writeln!(f, " — every claim holds."),
            1 => writeln!(f, " — the bundle does NOT hold up; see BROKEN above."),
            4 => writeln!(
                f,
                " — nothing is false, but some signatures are by a revoked key; see SUSPECT above."
            ),
            _ => writeln!(f, " — nothing is false, but not everything is proven."),
        }
    }
}

/// `stats` as a text table, one line per row, e.g.
///
/// ```text
/// Figures of RU, 2026-10-01T00:00:00.000Z to 2027-01-01T00:00:00.000Z, as of 2026-11-05T10:00:00.000Z
///   with  way       tier         kind                  messages  deadline  in time  late  unanswered  pending
///   US    sent      technical    notification                 2         2        1     0           1        0
///   US    received  technical    acknowledgement              1         0        0     0           0        0
/// ```
///
/// Exercise traffic is marked `(exercise)` after the kind. For a `ping`
/// the deadline is the communication check's (a `pong`); for other kinds,
/// the acknowledge deadline.
pub fn figures_table(stats: &Stats) -> String {
    let mut out = format!(
        "Figures of {}, {}, as of {}\n",
        stats.party, stats.period, stats.as_of
    );
    if stats.rows.is_empty() {
        out.push_str("  (no messages in the period)\n");
        return out;
    }
    out.push_str(&format!(
        "  {:<5} {:<9} {:<12} {:<21} {:>8}  {:>8}  {:>7}  {:>4}  {:>10}  {:>7}\n",
        "with",
        "way",
        "tier",
        "kind",
        "messages",
        "deadline",
        "in time",
        "late",
        "unanswered",
        "pending"
    ));
    for row in &stats.rows {
        let (k, f) = (&row.key, &row.figures);
        let kind = if k.exercise {
            format!("{} (exercise)", k.kind)
        } else {
            k.kind.to_string()
        };
        out.push_str(&format!(
            "  {:<5} {:<9} {:<12} {:<21} {:>8}  {:>8}  {:>7}  {:>4}  {:>10}  {:>7}\n",
            k.counterparty.to_string(),
            match k.direction {
                Direction::Sent => "sent",
                Direction::Received => "received",
            },
            k.tier.to_string(),
            kind,
            f.messages,
            f.with_deadline,
            f.in_time,
            f.late,
            f.unanswered,
            f.pending
        ));
    }
    out
}
