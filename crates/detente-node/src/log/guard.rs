//! The log never signs two roots for one size (docs/operations.md,
//! "Restoring a backup"): before it signs, a node must be sure its log is
//! at least as long as anything it signed before.
//!
//! Two sources say what it signed before:
//!
//! - **its high-water mark**, `log.signed` in the node directory, outside
//!   the database: the size and root of the latest checkpoint committed,
//!   rewritten (by rename) after every batch. A database put back behind
//!   it — a file copied over `detente.db` — is caught at start, before
//!   anything is signed. `detente restore` removes the mark, because a
//!   whole directory may have been restored with it;
//! - **its witnesses**, each of which holds the latest checkpoint of this
//!   log it cosigned (`GET /log/witnessed`).
//!
//! At start the log is [`Standing::Open`] when the mark agrees with the
//! stored log; [`Standing::Held`] when the stored log is behind it or
//! disagrees with it, or when there is no mark — then until every witness
//! has answered with a checkpoint the stored log agrees with. A witness
//! holding a larger checkpoint, or another root for a size, holds the log
//! at any time. While held the sequencer signs nothing: every request that
//! would log is refused with `503 log-held`, and peers retry.
//!
//! The judgements here are pure; reading and writing the mark is the only
//! I/O.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_log::merkle::Hash;
use detente_proto::ids::PartyCode;

use crate::error::{NodeError, NodeResult};

/// The high-water mark's file name, in the node directory.
pub const HIGH_WATER_FILE: &str = "log.signed";

const HIGH_WATER_FORMAT: &str = "detente-log-high-water/v1";

/// The latest checkpoint this node committed: its size and root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HighWater {
    /// The size.
    pub size: u64,
    /// The root at that size.
    pub root: Hash,
}

impl HighWater {
    /// The file's text.
    pub fn to_text(&self) -> String {
        format!(
            "{HIGH_WATER_FORMAT}\n{}\n{}\n",
            self.size,
            BASE64.encode(self.root)
        )
    }

    /// Reads the file's text; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let mut lines = text.lines();
        (lines.next()? == HIGH_WATER_FORMAT).then_some(())?;
        let size = lines.next()?.parse().ok()?;
        let root = BASE64.decode(lines.next()?).ok()?.try_into().ok()?;
        Some(Self { size, root })
    }

    /// Reads `<dir>/log.signed`; `Ok(None)` when there is none.
    pub fn read(dir: &Path) -> NodeResult<Option<Self>> {
        let path = dir.join(HIGH_WATER_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text).map(Some).ok_or_else(|| {
                NodeError::Unreadable {
                    what: "high-water mark",
                    id: path.display().to_string(),
                    cause: "not a detente-log-high-water/v1 file; if the log is sound, delete it and the node will confirm its log with its witnesses".into(),
                }
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(NodeError::io(&path, e)),
        }
    }

    /// Writes `path` by rename: a reader sees the old mark or the new.
    /// Not synced: after a power loss the mark may lag the database, which
    /// only ever errs on the side of holding less.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let temp = path.with_extension("signed.new");
        std::fs::write(&temp, self.to_text())?;
        std::fs::rename(&temp, path)
    }
}

/// Why the log signs nothing.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Hold {
    /// No high-water mark (after `detente restore`, or a node from before
    /// it existed): waiting for every witness to confirm.
    #[error(
        "this node has no record of what it signed (after a restore): it signs nothing until each of its witnesses has said which checkpoint of its log it holds; waiting for {waiting}"
    )]
    Unconfirmed {
        /// The witnesses not yet heard from, comma-separated.
        waiting: String,
    },
    /// Someone holds a checkpoint of this log larger than the stored log.
    #[error(
        "the stored log has {stored} entries, but {by} holds a checkpoint of size {signed} that this node signed: entries {stored} to {last} are missing (a database restored from a backup?); nothing is signed until they are recovered"
    )]
    Behind {
        /// Who holds it: a witness's party code, or `the high-water mark`.
        by: String,
        /// The size signed.
        signed: u64,
        /// The last missing index (`signed - 1`).
        last: u64,
        /// The stored size.
        stored: u64,
    },
    /// Someone holds a checkpoint of this log whose root the stored log
    /// does not give.
    #[error(
        "{by} holds a checkpoint of size {size} that this node signed with another root than the stored log gives: the stored log is not the one signed; nothing is signed until an administrator looks"
    )]
    Forked {
        /// Who holds it.
        by: String,
        /// The size.
        size: u64,
    },
}

/// Whether the log may sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// It may.
    Open,
    /// It may not, and why.
    Held(Hold),
}

/// What the one who holds a checkpoint of this log says, against the
/// stored log of `stored` entries whose root at a size is `root_at`.
/// `Ok` when the stored log agrees (as long, and the same root there).
pub fn judge(
    by: &str,
    signed: HighWater,
    stored: u64,
    root_at: impl Fn(u64) -> Option<Hash>,
) -> Result<(), Hold> {
    if signed.size > stored {
        return Err(Hold::Behind {
            by: by.to_owned(),
            signed: signed.size,
            last: signed.size - 1,
            stored,
        });
    }
    if root_at(signed.size) != Some(signed.root) {
        return Err(Hold::Forked {
            by: by.to_owned(),
            size: signed.size,
        });
    }
    Ok(())
}

/// The standing at start, from the high-water mark (if any) and the
/// witnesses to wait for when there is none.
pub fn at_start(
    mark: Option<HighWater>,
    stored: u64,
    root_at: impl Fn(u64) -> Option<Hash>,
    witnesses: &[PartyCode],
) -> Standing {
    match mark {
        Some(mark) => match judge("the high-water mark", mark, stored, root_at) {
            Ok(()) => Standing::Open,
            Err(hold) => Standing::Held(hold),
        },
        None if witnesses.is_empty() => Standing::Open,
        None => Standing::Held(Hold::Unconfirmed {
            waiting: witnesses
                .iter()
                .map(PartyCode::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(n: u64) -> impl Fn(u64) -> Option<Hash> {
        move |size| (size <= n).then_some([size as u8; 32])
    }

    #[test]
    fn a_mark_the_stored_log_reaches_with_the_same_root_opens_it() {
        let mark = HighWater {
            size: 5,
            root: [5; 32],
        };
        assert_eq!(HighWater::parse(&mark.to_text()), Some(mark));
        assert_eq!(at_start(Some(mark), 7, roots(7), &[]), Standing::Open);
        assert_eq!(judge("US", mark, 5, roots(5)), Ok(()));
    }

    #[test]
    fn a_log_behind_or_apart_from_what_was_signed_is_held() {
        let mark = HighWater {
            size: 9,
            root: [9; 32],
        };
        assert_eq!(
            at_start(Some(mark), 4, roots(4), &[]),
            Standing::Held(Hold::Behind {
                by: "the high-water mark".into(),
                signed: 9,
                last: 8,
                stored: 4
            })
        );
        let other = HighWater {
            size: 3,
            root: [0xAA; 32],
        };
        assert!(matches!(
            judge("US", other, 4, roots(4)),
            Err(Hold::Forked { size: 3, .. })
        ));
    }

    #[test]
    fn without_a_mark_the_log_waits_for_every_witness() {
        let us: PartyCode = "US".parse().expect("US");
        let un: PartyCode = "UN".parse().expect("UN");
        assert_eq!(
            at_start(None, 4, roots(4), &[us, un]),
            Standing::Held(Hold::Unconfirmed {
                waiting: "US, UN".into()
            })
        );
        assert_eq!(at_start(None, 4, roots(4), &[]), Standing::Open);
        assert_eq!(HighWater::parse("something else\n1\nAA==\n"), None);
    }
}
