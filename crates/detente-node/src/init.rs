//! `detente init`: a new node directory with fresh keys, a signed card, a
//! configuration file and an empty database.
//!
//! The card names a fresh offline recovery key (`recovery_key.rs`), whose
//! secret is returned to be shown once and is written nowhere.
//!
//! The directory is built next to its destination and renamed into place
//! only when complete, so a failed init leaves nothing behind.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::body::TierContact;
use detente_proto::card::{PartyCard, SignedCard};
use detente_proto::ids::{Fingerprint, PartyCode};
use detente_proto::signing::PartyVerifyingKey;
use detente_proto::time::Timestamp;
use detente_store::SqliteStore;

use crate::config::{CONFIG_FILE, NodeConfig};
use crate::error::{ConfigProblem, NodeError, NodeResult};
use crate::keys::NodeKeys;
use crate::node::CARD_FILE;
use crate::recovery_key::RecoveryKey;

/// What `detente init` needs.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The party code.
    pub party: PartyCode,
    /// The party's name.
    pub name: String,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Public base URL; `https://<listen>` if not given.
    pub endpoint: Option<String>,
    /// Tier contacts for the card.
    pub contacts: Vec<TierContact>,
}

/// What `detente init` made.
#[derive(Debug)]
pub struct InitReport {
    /// The node directory.
    pub dir: PathBuf,
    /// The card file to hand to peers.
    pub card_path: PathBuf,
    /// The fingerprint to read to peers out of band.
    pub fingerprint: Fingerprint,
    /// The offline recovery key, whose public half the card names: shown
    /// to the administrator once, stored nowhere on the node.
    pub recovery: RecoveryKey,
}

/// Creates a node directory at `dir`, which must not exist or be empty.
pub fn init_node(dir: &Path, options: InitOptions, now: Timestamp) -> NodeResult<InitReport> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| NodeError::io(dir, e))?;
        if entries.next().is_some() {
            return Err(NodeError::Config {
                path: dir.to_owned(),
                problem: ConfigProblem::NotEmpty,
            });
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| NodeError::io(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".detente-init-")
        .tempdir_in(&parent)
        .map_err(|e| NodeError::io(&parent, e))?;

    let endpoint = options
        .endpoint
        .unwrap_or_else(|| format!("https://{}", options.listen));
    let mut config = NodeConfig::new(
        options.party.clone(),
        options.name.clone(),
        options.listen,
        endpoint.clone(),
    );
    config.contacts = options.contacts.clone();
    config.validate().map_err(|problem| NodeError::Config {
        path: dir.join(CONFIG_FILE),
        problem,
    })?;
    let host = endpoint_host(&endpoint, &dir.join(CONFIG_FILE))?;
    let keys = NodeKeys::generate(&host)?;
    let recovery = RecoveryKey::generate(&config.party);
    let card = own_card(&config, &keys, Some(&recovery.public()), now)?;

    let stage = staging.path();
    // The directory holds every message in plaintext and the private keys:
    // owner only.
    set_mode(stage, 0o700)?;
    keys.save(stage)?;
    write_file(&stage.join(CONFIG_FILE), config.to_toml().as_bytes())?;
    write_file(&stage.join(CARD_FILE), card.bytes())?;
    let database = config.database_path(stage);
    SqliteStore::open(&database)?;
    set_mode(&database, 0o600)?;
    // The empty log's high-water mark: nothing signed yet (log/guard.rs).
    let empty = crate::log::guard::HighWater {
        size: 0,
        root: detente_log::merkle::MemoryTree::new().root(),
    };
    let mark = stage.join(crate::log::guard::HIGH_WATER_FILE);
    empty.write(&mark).map_err(|e| NodeError::io(&mark, e))?;

    if dir.exists() {
        std::fs::remove_dir(dir).map_err(|e| NodeError::io(dir, e))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        NodeError::io(dir, e)
    })?;
    Ok(InitReport {
        dir: dir.to_owned(),
        card_path: dir.join(CARD_FILE),
        fingerprint: card.fingerprint(),
        recovery,
    })
}

/// The host of an endpoint URL, for the TLS certificate's name; `config`
/// is the file the endpoint comes from, for the error.
pub(crate) fn endpoint_host(endpoint: &str, config: &Path) -> NodeResult<String> {
    reqwest::Url::parse(endpoint)
        .ok()
        .and_then(|url| {
            url.host_str()
                .map(|host| host.trim_matches(['[', ']']).to_owned())
        })
        .ok_or_else(|| NodeError::Config {
            path: config.to_owned(),
            problem: ConfigProblem::EndpointWithoutHost {
                endpoint: endpoint.to_owned(),
            },
        })
}

/// This party's card, signed, for its configuration and keys.
pub fn own_card(
    config: &NodeConfig,
    keys: &NodeKeys,
    recovery: Option<&PartyVerifyingKey>,
    now: Timestamp,
) -> NodeResult<SignedCard> {
    Ok(card_for(config, keys, recovery, now).sign(&keys.signing)?)
}

/// What this party's card says, for its configuration, keys and recovery
/// key, issued `now`: a first card (no validity limit, no predecessor).
pub(crate) fn card_for(
    config: &NodeConfig,
    keys: &NodeKeys,
    recovery: Option<&PartyVerifyingKey>,
    now: Timestamp,
) -> PartyCard {
    PartyCard {
        party: config.party.clone(),
        name: config.name.clone(),
        tiers: config.contacts.clone(),
        endpoint: config.endpoint.clone(),
        signing_key: keys.signing.verifying_key().to_base64(),
        encryption_key: keys.encryption.public_key().to_base64(),
        tls_spki_sha256: BASE64.encode(keys.tls.spki_sha256()),
        issued_at: now,
        valid_until: None,
        previous: None,
        recovery_key: recovery.map(PartyVerifyingKey::to_base64),
    }
}

fn set_mode(path: &Path, mode: u32) -> NodeResult<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| NodeError::io(path, e))
}

fn write_file(path: &Path, contents: &[u8]) -> NodeResult<()> {
    std::fs::write(path, contents).map_err(|e| NodeError::io(path, e))
}
