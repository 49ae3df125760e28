//! Recovering a restored log's missing entries from the peers' copies
//! (docs/protocol.md, "Recovering a restored log"; docs/operations.md,
//! "Restoring a backup").
//!
//! Every node keeps a copy of each peer's log as its cross-check read it
//! (store schema v12, `log_copies`), and serves a peer the copy of *that
//! peer's* log under the C2SP tlog-tiles entry-bundle paths:
//! `GET /log/copy/tile/entries/<N>[.p/<W>]` (pinned peers only) answers
//! entries `256·N … 256·N + W − 1` of the caller's log, as an entry bundle
//! (C2SP tlog-tiles, "Log Entries"), or `404` when the copy does not hold
//! them all.
//!
//! A node whose stored log is behind a checkpoint it signed (held
//! [`super::guard::Hold::Behind`]) asks its peers for the missing entries,
//! bundle by bundle, continuing with the next peer where one's copy ends.
//! What the peers say is only a candidate: the entries are taken when the
//! stored log with them appended hashes to the root of the checkpoint
//! this node signed at that size (a witness's cosigned copy of it, or the
//! high-water mark), and are then committed under a checkpoint of that
//! same size and root. So recovery never signs a second root for a size,
//! and a peer serving other entries can stop it but not change the log.

use std::sync::Arc;

use detente_log::tiles::{decode_entry_bundle, encode_entry_bundle, encode_index};
use detente_proto::ids::PartyCode;

use super::guard::HighWater;
use crate::error::{Bug, NodeError, NodeResult, PeerRejection};
use crate::node::Node;

/// The entries of one bundle.
const BUNDLE: u64 = 256;

/// The largest entry bundle: 256 entries of at most 65,535 bytes, each
/// with its 2-byte length.
const MAX_BUNDLE_BYTES: usize = 256 * (65_535 + 2);

/// Why the missing entries were not recovered.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Unrecovered {
    /// No peer's copy holds them (asked: the peers, comma-separated).
    #[error(
        "no peer holds entries {from} to {last} of this log (asked: {asked}); a peer that was down may hold them once it is back, otherwise see docs/operations.md, \"Restoring a backup\""
    )]
    NotHeld {
        /// The first entry not found.
        from: u64,
        /// The last one needed.
        last: u64,
        /// The peers asked.
        asked: String,
    },
    /// The entries found do not give the root this node signed.
    #[error(
        "the entries from {from} do not hash to the root this node signed at size {size}: they are not this log's; nothing was recovered"
    )]
    OtherRoot {
        /// The size signed.
        size: u64,
        /// The peers they came from, comma-separated.
        from: String,
    },
    /// They could not be committed.
    #[error("the recovered entries could not be stored: {cause}")]
    NotStored {
        /// The store's error.
        cause: String,
    },
}

/// The path of entry bundle `bundle`, `width` entries wide, under `prefix`.
pub(super) fn bundle_path(prefix: &str, bundle: u64, width: u64) -> String {
    let index = encode_index(bundle);
    if width == BUNDLE {
        format!("{prefix}/tile/entries/{index}")
    } else {
        format!("{prefix}/tile/entries/{index}.p/{width}")
    }
}

impl Node {
    /// `GET /log/copy/tile/entries/…`: entries `start..end` of the copy of
    /// `peer`'s log, as an entry bundle.
    pub async fn log_copy_for(
        &self,
        peer: Option<PartyCode>,
        start: u64,
        end: u64,
    ) -> NodeResult<Vec<u8>> {
        let peer = peer.ok_or(PeerRejection::NotAPeer)?;
        let origin = super::origin(&peer);
        let not_held = || NodeError::NotFound {
            what: "copy of the entries of",
            id: format!("{origin} from {start} to {}", end.saturating_sub(1)),
        };
        let copy = origin.clone();
        let entries = self
            .with_store(move |s| Ok(s.log_copy(&copy, start, end)?))
            .await?;
        if entries.is_empty() || entries.len() as u64 != end - start {
            return Err(not_held());
        }
        encode_entry_bundle(&entries).map_err(Bug::construction("entry bundle"))
    }

    /// Recovers entries `stored..target.size` of this log from the peers'
    /// copies and commits them under `target`, which this node signed.
    /// Returns how many were recovered.
    pub async fn recover_log(self: &Arc<Self>, target: HighWater) -> Result<u64, Unrecovered> {
        let stored = self.log.checkpoint().map_or(0, |c| c.size);
        if stored >= target.size {
            return Ok(0);
        }
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let (mut asked, mut from) = (Vec::new(), Vec::new());
        for peer in self.peers.all() {
            if stored + entries.len() as u64 >= target.size {
                break;
            }
            asked.push(peer.party().to_string());
            let before = entries.len();
            loop {
                let next = stored + entries.len() as u64;
                if next >= target.size {
                    break;
                }
                let bundle = next / BUNDLE;
                let end = ((bundle + 1) * BUNDLE).min(target.size);
                let width = end - bundle * BUNDLE;
                let path = bundle_path("/log/copy", bundle, width);
                let Ok(bytes) = self.fetch_capped(&peer, &path, MAX_BUNDLE_BYTES).await else {
                    break;
                };
                let Ok(bundle_entries) = decode_entry_bundle(&bytes, width as u16) else {
                    tracing::warn!(peer = %peer.party(), %path, "a peer's copy of this log is not an entry bundle");
                    break;
                };
                let skip = usize::try_from(next - bundle * BUNDLE).unwrap_or(usize::MAX);
                entries.extend(bundle_entries.into_iter().skip(skip).map(<[u8]>::to_vec));
            }
            if entries.len() > before {
                from.push(peer.party().to_string());
            }
        }
        let found = stored + entries.len() as u64;
        if found < target.size {
            return Err(Unrecovered::NotHeld {
                from: found,
                last: target.size - 1,
                asked: if asked.is_empty() {
                    "no peer".into()
                } else {
                    asked.join(", ")
                },
            });
        }
        let count = entries.len() as u64;
        self.log.recover(entries, target, from.join(", ")).await?;
        Ok(count)
    }
}
