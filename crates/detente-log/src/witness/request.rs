//! Wire formats of tlog-witness §add-checkpoint: the request body, the `200`
//! response body (cosignature lines) and the `409` `text/x.tlog.size` body.

use super::WitnessError;
use crate::checkpoint::SignedCheckpoint;
use crate::cosignature::CosignatureVerifier;
use crate::merkle::Hash;
use crate::note::{MAX_NOTE_LEN, MAX_SIGNATURES, NoteSignature};
use crate::text::{decode_hash, encode_base64, parse_decimal, quote};

/// Most consistency proof lines a client may send ("MUST NOT send more than 63").
pub const MAX_PROOF_LINES: usize = 63;

/// Content type of the `409 Conflict` body.
pub const CONTENT_TYPE_TLOG_SIZE: &str = "text/x.tlog.size";

/// Largest request body accepted: a proof and a checkpoint note.
pub const MAX_REQUEST_LEN: usize = MAX_NOTE_LEN + 64 * (MAX_PROOF_LINES + 1);

/// An `add-checkpoint` request: `old <size>\n`, zero or more base64 proof
/// lines, an empty line, then the signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    old_size: u64,
    proof: Vec<Hash>,
    checkpoint: SignedCheckpoint,
}

impl AddCheckpointRequest {
    /// A request from its parts (at most [`MAX_PROOF_LINES`] proof hashes).
    pub fn new(
        old_size: u64,
        proof: Vec<Hash>,
        checkpoint: SignedCheckpoint,
    ) -> Result<Self, WitnessError> {
        if proof.len() > MAX_PROOF_LINES {
            return Err(WitnessError::TooManyProofLines { count: proof.len() });
        }
        Ok(Self {
            old_size,
            proof,
            checkpoint,
        })
    }

    /// Parses a request body. Any error here is answered `400 Bad Request`.
    pub fn parse(body: &[u8]) -> Result<Self, WitnessError> {
        if body.len() > MAX_REQUEST_LEN {
            return Err(WitnessError::RequestTooLarge {
                len: body.len(),
                max: MAX_REQUEST_LEN,
            });
        }
        let mut rest = body;
        let old_line = next_line(&mut rest).ok_or(WitnessError::MissingOldSize)?;
        let old_size = std::str::from_utf8(old_line)
            .ok()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_decimal)
            .ok_or_else(|| {
                WitnessError::MalformedOldSize(quote(&String::from_utf8_lossy(old_line)))
            })?;
        let mut proof = Vec::new();
        loop {
            let line = next_line(&mut rest).ok_or(WitnessError::MissingBlankLine)?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(WitnessError::TooManyProofLines {
                    count: MAX_PROOF_LINES + 1,
                });
            }
            let hash = std::str::from_utf8(line)
                .ok()
                .and_then(decode_hash)
                .ok_or_else(|| WitnessError::MalformedProofLine {
                    line: proof.len() + 2,
                    text: quote(&String::from_utf8_lossy(line)),
                })?;
            proof.push(hash);
        }
        let checkpoint = SignedCheckpoint::parse(rest)?;
        Ok(Self {
            old_size,
            proof,
            checkpoint,
        })
    }

    /// The encoded body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size).into_bytes();
        for hash in &self.proof {
            out.extend_from_slice(encode_base64(hash).as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.checkpoint.to_bytes());
        out
    }

    /// The size of the previous checkpoint the client believes the witness holds.
    pub fn old_size(&self) -> u64 {
        self.old_size
    }

    /// The consistency proof from the old size to the checkpoint's size.
    pub fn proof(&self) -> &[Hash] {
        &self.proof
    }

    /// The submitted checkpoint.
    pub fn checkpoint(&self) -> &SignedCheckpoint {
        &self.checkpoint
    }
}

/// Splits off one newline-terminated line (without the newline).
fn next_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let at = rest.iter().position(|&b| b == b'\n')?;
    let (line, tail) = rest.split_at(at);
    *rest = &tail[1..];
    Some(line)
}

/// The `200` response body: one or more cosignature lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpointResponse {
    cosignatures: Vec<NoteSignature>,
}

impl AddCheckpointResponse {
    /// A response from cosignature lines (at least one).
    pub fn new(cosignatures: Vec<NoteSignature>) -> Result<Self, WitnessError> {
        if cosignatures.is_empty() {
            return Err(WitnessError::EmptyResponse);
        }
        Ok(Self { cosignatures })
    }

    /// Parses a response body: signature lines, each ending with a newline.
    pub fn parse(body: &[u8]) -> Result<Self, WitnessError> {
        let text = std::str::from_utf8(body).map_err(|_| WitnessError::MalformedResponse {
            reason: "not UTF-8",
        })?;
        let lines = text
            .strip_suffix('\n')
            .ok_or(WitnessError::MalformedResponse {
                reason: "the last line does not end with a newline",
            })?;
        if lines.split('\n').count() > MAX_SIGNATURES {
            return Err(WitnessError::MalformedResponse {
                reason: "too many signature lines",
            });
        }
        let cosignatures = lines
            .split('\n')
            .map(NoteSignature::parse_line)
            .collect::<Result<Vec<_>, _>>()
            .map_err(WitnessError::MalformedCosignatureLine)?;
        Self::new(cosignatures)
    }

    /// The encoded body.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.cosignatures
            .iter()
            .flat_map(|s| s.to_line().into_bytes())
            .collect()
    }

    /// The cosignature lines.
    pub fn cosignatures(&self) -> &[NoteSignature] {
        &self.cosignatures
    }

    /// Client side: verifies the lines from trusted witnesses against the
    /// submitted checkpoint and appends them to it, ignoring lines from
    /// unknown keys. Returns how many were added. A line from a trusted key
    /// that does not verify is an error.
    pub fn merge_into(
        &self,
        checkpoint: &mut SignedCheckpoint,
        witnesses: &[CosignatureVerifier],
    ) -> Result<usize, WitnessError> {
        let text = checkpoint.note().text().to_owned();
        let mut added = 0;
        for line in &self.cosignatures {
            let Some(witness) = witnesses
                .iter()
                .find(|w| w.name() == line.name() && w.key_id() == line.key_id())
            else {
                continue;
            };
            witness.verify(&text, line)?;
            checkpoint.push_signature(line.clone());
            added += 1;
        }
        Ok(added)
    }
}

/// Formats the `409 Conflict` body: the witness's size in decimal and a newline.
pub fn format_size_body(size: u64) -> Vec<u8> {
    format!("{size}\n").into_bytes()
}

/// Parses a `409 Conflict` `text/x.tlog.size` body.
pub fn parse_size_body(body: &[u8]) -> Result<u64, WitnessError> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|s| s.strip_suffix('\n'))
        .and_then(parse_decimal)
        .ok_or_else(|| WitnessError::MalformedSizeBody(quote(&String::from_utf8_lossy(body))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example request of tlog-witness §add-checkpoint (made-up signatures).
    const SPEC_REQUEST: &str = "old 20852014\n\
        PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\
        jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
        5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n\
        /6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\
        \n\
        example.com/behind-the-sofa\n\
        20852163\n\
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
        \n\
        \u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
        \u{2014} example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

    const SPEC_RESPONSE: &str = "\u{2014} witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n\
        \u{2014} witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==\n\
        \u{2014} witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==\n";

    #[test]
    fn spec_request_round_trips() {
        let req = AddCheckpointRequest::parse(SPEC_REQUEST.as_bytes()).unwrap();
        assert_eq!(req.old_size(), 20_852_014);
        assert_eq!(req.proof().len(), 4);
        assert_eq!(req.checkpoint().checkpoint().size(), 20_852_163);
        assert_eq!(req.checkpoint().note().signatures().len(), 2);
        assert_eq!(req.to_bytes(), SPEC_REQUEST.as_bytes());
    }

    #[test]
    fn spec_response_round_trips() {
        let resp = AddCheckpointResponse::parse(SPEC_RESPONSE.as_bytes()).unwrap();
        assert_eq!(resp.cosignatures().len(), 3);
        assert_eq!(resp.to_bytes(), SPEC_RESPONSE.as_bytes());
        assert!(AddCheckpointResponse::parse(b"").is_err());
        assert!(AddCheckpointResponse::parse(&SPEC_RESPONSE.as_bytes()[..10]).is_err());
    }

    #[test]
    fn size_body() {
        assert_eq!(format_size_body(42), b"42\n");
        assert_eq!(parse_size_body(b"42\n").unwrap(), 42);
        for bad in [&b"42"[..], b"042\n", b"\n", b"4 2\n", b"42\n\n"] {
            assert!(parse_size_body(bad).is_err());
        }
    }

    #[test]
    fn malformed_requests_are_rejected() {
        let proof_line = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
        let checkpoint = SPEC_REQUEST.split_once("\n\n").unwrap().1;
        let cases = [
            (String::new(), "empty"),
            (format!("old 1\n{checkpoint}"), "no blank line"),
            (format!("old 01\n\n{checkpoint}"), "leading zero"),
            (format!("old -1\n\n{checkpoint}"), "negative"),
            (format!("Old 1\n\n{checkpoint}"), "capital"),
            (format!("old  1\n\n{checkpoint}"), "two spaces"),
            (
                format!("old 1\nnot base64\n\n{checkpoint}"),
                "bad proof line",
            ),
            (format!("old 1\nAAAA\n\n{checkpoint}"), "short hash"),
            (
                format!("old 1\n{}\n{checkpoint}", proof_line.repeat(64)),
                "64 proof lines",
            ),
            ("old 1\n\nnot a checkpoint\n".to_owned(), "bad checkpoint"),
            ("old 1\n\n".to_owned(), "no checkpoint"),
        ];
        for (body, why) in cases {
            assert!(
                AddCheckpointRequest::parse(body.as_bytes()).is_err(),
                "accepted: {why}"
            );
        }
        let ok = format!("old 1\n{}\n{checkpoint}", proof_line.repeat(63));
        assert_eq!(
            AddCheckpointRequest::parse(ok.as_bytes())
                .unwrap()
                .proof()
                .len(),
            63
        );
    }
}
