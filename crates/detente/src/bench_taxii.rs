//! `detente bench taxii`: the TAXII 2.1 server (docs/taxii.md) measured end
//! to end on this machine, with real storage and real HTTPS.
//!
//! A real node is initialised in a temporary directory and served on
//! `127.0.0.1:0`; a TAXII account (read and write on `PEER/drafts`, cleared
//! AMBER+STRICT, so four lanes are visible) is added in its store; then a
//! `reqwest` client pinned to the node's TLS certificate, as an officer's
//! is, drives the endpoints:
//!
//! - ingest: `POST …/collections/drafts/objects/` envelopes of fresh STIX
//!   2.1 indicators from concurrent posters, every status checked;
//! - first-page latency (`GET …/objects/?limit=100`) once the first
//!   objects are in, and again at the end, to show that a page costs the
//!   same at any collection size (one range scan per visible lane);
//! - a full paged read (`limit=1000`, following `next`), counting objects.
//!
//! Optionally, the same objects go through [`Node::taxii_post`] in process
//! (validation and store, no HTTP) and through [`Store::create_draft`]
//! alone, to show where the time goes.
//!
//! [`Store::create_draft`]: detente_store::Store::create_draft
//!
//! The figures (rates, medians, percentiles, the noise test) are pure
//! functions, tested below.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use detente_proto::card::SignedCard;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::ids::{BadId, PartyCode, ResourceId};
use detente_proto::kind::Tlp;
use detente_proto::stix::{Bundle, Tlp2};
use detente_proto::taxii::media::TAXII_MEDIA_TYPE;
use detente_proto::taxii::resources::{RequestStatus, Status};
use detente_store::{
    CollectionKind, NewDraft, NewStixObject, StixQuery, StixSource, TaxiiAccountRecord, TaxiiGrant,
    VersionFilter,
};
use serde::Deserialize;

use anyhow::{Context as _, anyhow};
use detente_node::init::{InitOptions, init_node};
use detente_node::taxii::access::{Account, issue_secret};
use detente_node::taxii::rows::{Audience, Placement, rows_of};
use detente_node::{Node, RunningNode};

type BenchResult<T> = anyhow::Result<T>;

/// The API root the bench posts to (no peer is needed for it).
const PEER: &str = "PEER";
/// The API roots of the in-process breakdown, apart from [`PEER`]'s.
const NODE_PATH_PEER: &str = "NODE-PATH";
const STORE_PATH_PEER: &str = "STORE-PATH";
/// The TAXII account the bench uses.
const ACCOUNT: &str = "bench";
/// Objects on the page whose latency is measured.
const PROBE_LIMIT: usize = 100;
/// Objects per page of the full read (the server's maximum).
const READ_LIMIT: usize = 1000;
/// Unmeasured requests before each latency series.
const WARM_UP: usize = 3;

/// What to measure.
#[derive(Debug, Clone)]
pub struct TaxiiBenchOptions {
    /// Objects to ingest over HTTPS.
    pub objects: u64,
    /// Objects per POST.
    pub batch: usize,
    /// Concurrent posters.
    pub posters: usize,
    /// Measured first-page requests at each collection size.
    pub samples: usize,
    /// The collection size of the first latency series.
    pub early: u64,
    /// Objects for the in-process breakdown (node path, store path); 0: none.
    pub breakdown: u64,
    /// Speak HTTP/1.1, as most TAXII clients do, rather than offer h2 first.
    pub http1: bool,
}

impl Default for TaxiiBenchOptions {
    fn default() -> Self {
        Self {
            objects: 100_000,
            batch: 1000,
            posters: 2,
            samples: 50,
            early: 1000,
            breakdown: 20_000,
            http1: false,
        }
    }
}

/// Where a run is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The node serves on this address.
    Serving(SocketAddr),
    /// `done` of `total` objects ingested over HTTPS.
    Ingested {
        /// Objects acknowledged so far.
        done: u64,
        /// Objects to ingest.
        total: u64,
    },
    /// Measuring first-page latency with this many objects in.
    Probing(u64),
    /// Reading every page.
    Reading,
    /// The in-process breakdown.
    Breakdown,
}

/// How long something took for how many objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throughput {
    /// Objects handled.
    pub objects: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl Throughput {
    /// Objects per second (0 if no time passed).
    pub fn per_second(&self) -> f64 {
        per_second(self.objects, self.elapsed)
    }
}

/// Latency of a series of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    /// Requests measured.
    pub samples: usize,
    /// The median.
    pub median: Duration,
    /// The 95th percentile (nearest rank).
    pub p95: Duration,
    /// The fastest.
    pub min: Duration,
    /// The slowest.
    pub max: Duration,
}

impl Latency {
    /// The figures of `samples`; `None` if there are none.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        };
        Some(Self {
            samples: n,
            median,
            p95: nearest_rank(&sorted, 95),
            min,
            max,
        })
    }

    /// How far the slow tail reaches above the median: p95 − median.
    pub fn spread(&self) -> Duration {
        self.p95.saturating_sub(self.median)
    }
}

/// The `percent`th percentile of `sorted` by nearest rank: the smallest
/// value with at least `percent`% of the values at or below it.
pub fn nearest_rank(sorted: &[Duration], percent: u32) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let n = sorted.len();
    let rank = (n * percent.min(100) as usize).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Objects per second; 0 if no time passed.
pub fn per_second(objects: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        objects as f64 / seconds
    } else {
        0.0
    }
}

/// The band two medians may differ by and still be "the same": the wider
/// of the two series' spreads (p95 − median), and at least a tenth of the
/// smaller median or 200 µs.
pub fn noise_band(a: &Latency, b: &Latency) -> Duration {
    let floor = (a.median.min(b.median) / 10).max(Duration::from_micros(200));
    a.spread().max(b.spread()).max(floor)
}

/// Whether the medians of `a` and `b` are within [`noise_band`] of each other.
pub fn within_noise(a: &Latency, b: &Latency) -> bool {
    a.median.abs_diff(b.median) <= noise_band(a, b)
}

/// How many POSTs carry `total` objects at `batch` a POST.
pub fn batch_count(total: u64, batch: usize) -> u64 {
    total.div_ceil(batch.max(1) as u64)
}

/// Objects in POST `index` (from 0) of `total` at `batch` a POST: `batch`,
/// except the last, which takes what is left.
pub fn batch_len(total: u64, batch: usize, index: u64) -> usize {
    let batch = batch.max(1) as u64;
    let start = index.saturating_mul(batch);
    usize::try_from(total.saturating_sub(start).min(batch)).unwrap_or(0)
}

/// A STIX 2.1 indicator numbered `n`: a fresh UUIDv4 id, unmarked (so it
/// takes the draft's TLP), watching a documentation address.
pub fn indicator(n: u64) -> String {
    let id = uuid::Uuid::new_v4();
    let (a, b) = ((n >> 8) & 0xff, n & 0xff);
    format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"indicator--{id}","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"bench indicator {n}","pattern":"[ipv4-addr:value = '10.{x}.{a}.{b}']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}}"#,
        x = (n >> 16) & 0xff,
    )
}

/// A TAXII envelope of `count` indicators numbered from `first`.
pub fn indicator_envelope(first: u64, count: usize) -> Vec<u8> {
    let mut body = String::with_capacity(count * 400 + 16);
    body.push_str(r#"{"objects":["#);
    for i in 0..count as u64 {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(body, "{}", indicator(first + i));
    }
    body.push_str("]}");
    body.into_bytes()
}

/// Checks the status a POST of `expected` objects answered: complete,
/// every object added.
pub fn check_status(body: &[u8], expected: usize) -> Result<(), String> {
    let status: Status = serde_json::from_slice(body)
        .map_err(|e| format!("the answer is not a TAXII status ({e})"))?;
    let expected = expected as u64;
    if status.status != RequestStatus::Complete
        || status.total_count != expected
        || status.success_count != expected
        || status.failure_count != 0
        || status.pending_count != 0
    {
        let first_failure = status
            .failures
            .first()
            .and_then(|f| f.message.clone())
            .unwrap_or_default();
        return Err(format!(
            "status {:?}: {} of {expected} added, {} failed, {} pending {first_failure}",
            status.status, status.success_count, status.failure_count, status.pending_count
        ));
    }
    Ok(())
}

/// What the bench reads of an envelope: `more`, `next` and how many objects.
#[derive(Debug, Deserialize)]
pub struct PageSummary {
    /// Whether more objects follow.
    #[serde(default)]
    pub more: bool,
    /// The cursor of the following page.
    #[serde(default)]
    pub next: Option<String>,
    /// The objects, unread.
    #[serde(default)]
    pub objects: Vec<serde::de::IgnoredAny>,
}

impl PageSummary {
    /// Reads an envelope.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(body)
            .map_err(|e| format!("the answer is not a TAXII envelope ({e})"))
    }
}

/// What `bench taxii` measured.
#[derive(Debug, Clone)]
pub struct TaxiiBenchReport {
    /// What was asked.
    pub options: TaxiiBenchOptions,
    /// Ingest over HTTPS: every POST, first request to last 202 (the
    /// latency series in between not counted).
    pub ingest: Throughput,
    /// POSTs made.
    pub posts: u64,
    /// The full paged read.
    pub read: Throughput,
    /// Pages read.
    pub pages: u64,
    /// First-page latency with `early` objects in.
    pub latency_early: Latency,
    /// First-page latency with every object in.
    pub latency_full: Latency,
    /// The store's part of a first page (`Store::stix_objects`, in
    /// process) with `early` objects in.
    pub store_page_early: Latency,
    /// The same with every object in.
    pub store_page_full: Latency,
    /// `breakdown` objects through [`Node::taxii_post`] in process.
    pub node_path: Option<Throughput>,
    /// `breakdown` objects through `Store::create_draft` alone.
    pub store_path: Option<Throughput>,
}

impl TaxiiBenchReport {
    /// Whether the two latency series' medians are within noise.
    pub fn latency_flat(&self) -> bool {
        within_noise(&self.latency_early, &self.latency_full)
    }

    /// Whether the store's two series' medians are within noise.
    pub fn store_page_flat(&self) -> bool {
        within_noise(&self.store_page_early, &self.store_page_full)
    }
}

fn internal(what: &str) -> impl Fn(String) -> anyhow::Error + '_ {
    move |why| anyhow!("bench taxii: {what}: {why}")
}

/// A TAXII client of the bench's account.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    objects_url: String,
    name: String,
    secret: String,
}

impl Client {
    async fn post(&self, body: Vec<u8>, count: usize) -> BenchResult<()> {
        let response = self
            .http
            .post(&self.objects_url)
            .basic_auth(&self.name, Some(&self.secret))
            .header("Accept", TAXII_MEDIA_TYPE)
            .header("Content-Type", TAXII_MEDIA_TYPE)
            .body(body)
            .send()
            .await
            .map_err(|e| internal("POST")(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| internal("POST")(e.to_string()))?;
        if status.as_u16() != 202 {
            return Err(internal("POST")(format!(
                "answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        check_status(&bytes, count).map_err(internal("POST"))
    }

    async fn get(&self, query: &str) -> BenchResult<PageSummary> {
        let url = format!("{}?{query}", self.objects_url);
        let response = self
            .http
            .get(&url)
            .basic_auth(&self.name, Some(&self.secret))
            .header("Accept", TAXII_MEDIA_TYPE)
            .send()
            .await
            .map_err(|e| internal("GET")(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| internal("GET")(e.to_string()))?;
        if status.as_u16() != 200 {
            return Err(internal("GET")(format!(
                "{url} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        PageSummary::parse(&bytes).map_err(internal("GET"))
    }
}

/// Posts objects `first .. first + count` from `posters` concurrent tasks.
async fn ingest(
    client: &Client,
    first: u64,
    count: u64,
    options: &TaxiiBenchOptions,
    done: &Arc<AtomicU64>,
    progress: &Arc<dyn Fn(Progress) + Send + Sync>,
) -> BenchResult<(Duration, u64)> {
    let batches = batch_count(count, options.batch);
    let next = Arc::new(AtomicU64::new(0));
    let total = options.objects;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..options.posters.max(1) {
        let (client, next, done, progress) =
            (client.clone(), next.clone(), done.clone(), progress.clone());
        let batch = options.batch;
        tasks.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= batches {
                    return BenchResult::Ok(());
                }
                let len = batch_len(count, batch, index);
                let body = indicator_envelope(first + index * batch as u64, len);
                client.post(body, len).await?;
                let now = done.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
                progress(Progress::Ingested { done: now, total });
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.map_err(|e| internal("poster")(e.to_string()))??;
    }
    Ok((started.elapsed(), batches))
}

/// Times `samples` first-page requests, after a few unmeasured ones, and
/// checks each page is full.
async fn first_page_latency(client: &Client, samples: usize, present: u64) -> BenchResult<Latency> {
    let query = format!("limit={PROBE_LIMIT}");
    let expected = usize::try_from(present)
        .unwrap_or(usize::MAX)
        .min(PROBE_LIMIT);
    let mut times = Vec::with_capacity(samples);
    for i in 0..WARM_UP + samples.max(1) {
        let started = Instant::now();
        let page = client.get(&query).await?;
        let elapsed = started.elapsed();
        if page.objects.len() != expected {
            return Err(internal("first page")(format!(
                "{} objects, expected {expected}",
                page.objects.len()
            )));
        }
        if i >= WARM_UP {
            times.push(elapsed);
        }
    }
    Latency::of(&times).ok_or_else(|| internal("first page")("no samples".into()))
}

/// Times `samples` first-page queries of the store alone, as the objects
/// endpoint makes them (the account's lanes, latest versions, one more
/// than the page), after a few unmeasured ones.
async fn store_page_latency(
    node: &Arc<Node>,
    account: &Account,
    samples: usize,
    present: u64,
) -> BenchResult<Latency> {
    let query = StixQuery {
        counterparty: PEER.parse().map_err(internal("party"))?,
        collection: CollectionKind::Drafts,
        lanes: account.lanes(),
        after_us: None,
        ids: vec![],
        types: vec![],
        versions: VersionFilter {
            last: true,
            ..VersionFilter::default()
        },
        spec_versions: vec![],
        limit: PROBE_LIMIT + 1,
    };
    let expected = usize::try_from(present)
        .unwrap_or(usize::MAX)
        .min(PROBE_LIMIT + 1);
    let store = node.store().clone();
    let times = tokio::task::spawn_blocking(move || {
        let mut times = Vec::with_capacity(samples);
        for i in 0..WARM_UP + samples.max(1) {
            let started = Instant::now();
            let rows = store.stix_objects(&query)?;
            let elapsed = started.elapsed();
            if rows.len() != expected {
                return Err(internal("store page")(format!(
                    "{} rows, expected {expected}",
                    rows.len()
                )));
            }
            if i >= WARM_UP {
                times.push(elapsed);
            }
        }
        BenchResult::Ok(times)
    })
    .await
    .map_err(|e| internal("store page")(e.to_string()))??;
    Latency::of(&times).ok_or_else(|| internal("store page")("no samples".into()))
}

/// Reads every page, following `next`; returns objects, pages and time.
async fn read_all(client: &Client) -> BenchResult<(u64, u64, Duration)> {
    let started = Instant::now();
    let (mut objects, mut pages) = (0u64, 0u64);
    let mut next: Option<String> = None;
    loop {
        let query = match &next {
            // The cursor is URL-safe base64: nothing to escape.
            Some(cursor) => format!("limit={READ_LIMIT}&next={cursor}"),
            None => format!("limit={READ_LIMIT}"),
        };
        let page = client.get(&query).await?;
        pages += 1;
        objects += page.objects.len() as u64;
        if !page.more {
            return Ok((objects, pages, started.elapsed()));
        }
        next = Some(
            page.next
                .ok_or_else(|| internal("read")("more without next".into()))?,
        );
    }
}

/// `count` objects through [`Node::taxii_post`] (as the route calls it,
/// without HTTP) into the drafts of [`NODE_PATH_PEER`].
async fn node_path(
    node: &Arc<Node>,
    account: &Account,
    count: u64,
    options: &TaxiiBenchOptions,
) -> BenchResult<Throughput> {
    let party: PartyCode = NODE_PATH_PEER.parse().map_err(internal("party"))?;
    let bodies: Vec<(Vec<u8>, usize)> = (0..batch_count(count, options.batch))
        .map(|index| {
            let len = batch_len(count, options.batch, index);
            (indicator_envelope(index * options.batch as u64, len), len)
        })
        .collect();
    let started = Instant::now();
    for (body, len) in bodies {
        let status = node
            .taxii_post(account, &party, body)
            .await
            .map_err(|e| internal("node path")(format!("{e:?}")))?;
        if status.success_count != len as u64 {
            return Err(internal("node path")(format!(
                "{} of {len} added",
                status.success_count
            )));
        }
    }
    Ok(Throughput {
        objects: count,
        elapsed: started.elapsed(),
    })
}

/// `count` objects as drafts, prepared beforehand as the node prepares
/// them, then stored by `Store::create_draft` alone (without the status
/// row the node adds), into the drafts of [`STORE_PATH_PEER`].
async fn store_path(node: &Arc<Node>, count: u64, batch: usize) -> BenchResult<Throughput> {
    let party: PartyCode = STORE_PATH_PEER.parse().map_err(internal("party"))?;
    let mut drafts: Vec<(NewDraft, Vec<NewStixObject>)> = Vec::new();
    for index in 0..batch_count(count, batch) {
        let len = batch_len(count, batch, index);
        let envelope: serde_json::Value =
            serde_json::from_slice(&indicator_envelope(index * batch as u64, len))
                .map_err(|e| internal("store path")(e.to_string()))?;
        let bundle = Bundle::from_value(serde_json::json!({
            "type": "bundle",
            "id": format!("bundle--{}", uuid::Uuid::new_v4()),
            "objects": envelope["objects"],
        }))
        .map_err(|e| internal("store path")(e.to_string()))?;
        let id = ResourceId::from(uuid::Uuid::now_v7());
        let rows = rows_of(
            &bundle,
            &Placement {
                counterparty: &party,
                collection: CollectionKind::Drafts,
                unmarked: Tlp2::Amber,
                audience: Audience::Account(ACCOUNT),
                source: StixSource::Draft(id.clone()),
            },
        );
        let draft = NewDraft {
            id,
            counterparty: party.clone(),
            created_at: node.now(),
            created_by: format!("taxii:{ACCOUNT}"),
            source: "bench".into(),
            tlp: Tlp::Amber,
            bundle: detente_proto::canonical::to_canonical_bytes(&bundle.to_value()),
            object_count: len as u32,
        };
        drafts.push((draft, rows));
    }
    let store = node.store().clone();
    let clock = SystemClock;
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        for (draft, rows) in &drafts {
            store.create_draft(draft, rows, None, clock.now())?;
        }
        BenchResult::Ok(Throughput {
            objects: count,
            elapsed: started.elapsed(),
        })
    })
    .await
    .map_err(|e| internal("store path")(e.to_string()))?
}

/// Runs the bench in `dir` (which must be empty or absent).
pub async fn taxii(
    dir: &Path,
    options: TaxiiBenchOptions,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> BenchResult<TaxiiBenchReport> {
    let mut options = options;
    options.batch = options.batch.max(1);
    options.posters = options.posters.max(1);
    options.samples = options.samples.max(1);
    options.early = options.early.min(options.objects);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| internal("bind")(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| internal("bind")(e.to_string()))?;
    let node_dir = dir.join("node");
    init_node(
        &node_dir,
        InitOptions {
            party: "BENCH".parse().map_err(internal("party"))?,
            name: "Bench".into(),
            listen: addr,
            endpoint: None,
            contacts: vec![],
        },
        SystemClock.now(),
    )?;
    let node = Node::open(&node_dir, Arc::new(SystemClock))?;
    let running = RunningNode::start(node.clone(), listener)?;
    progress(Progress::Serving(addr));
    let outcome = drive(&node, &node_dir, addr, &options, &progress).await;
    running.stop().await;
    let measured = outcome?;
    let (mut node_figure, mut store_figure) = (None, None);
    if options.breakdown > 0 {
        progress(Progress::Breakdown);
        node_figure = Some(node_path(&node, &measured.account, options.breakdown, &options).await?);
        store_figure = Some(store_path(&node, options.breakdown, options.batch).await?);
    }
    Ok(TaxiiBenchReport {
        options,
        ingest: measured.ingest,
        posts: measured.posts,
        read: measured.read,
        pages: measured.pages,
        latency_early: measured.latency_early,
        latency_full: measured.latency_full,
        store_page_early: measured.store_page_early,
        store_page_full: measured.store_page_full,
        node_path: node_figure,
        store_path: store_figure,
    })
}

/// What [`drive`] measured.
struct Measured {
    ingest: Throughput,
    posts: u64,
    read: Throughput,
    pages: u64,
    latency_early: Latency,
    latency_full: Latency,
    store_page_early: Latency,
    store_page_full: Latency,
    account: Account,
}

/// Everything over HTTPS, while the node serves.
async fn drive(
    node: &Arc<Node>,
    node_dir: &Path,
    addr: SocketAddr,
    options: &TaxiiBenchOptions,
    progress: &Arc<dyn Fn(Progress) + Send + Sync>,
) -> BenchResult<Measured> {
    let peer: PartyCode = PEER.parse().map_err(internal("party"))?;
    let (secret, secret_sha256) = issue_secret();
    let record = TaxiiAccountRecord {
        name: ACCOUNT
            .parse()
            .map_err(|e: BadId| internal("account name")(e.to_string()))?,
        secret_sha256,
        clearance: Tlp::AmberStrict,
        tiers: vec![],
        grants: vec![TaxiiGrant {
            counterparty: peer.clone(),
            collection: CollectionKind::Drafts,
            read: true,
            write: true,
        }],
        created_at: node.now(),
    };
    node.store()
        .add_taxii_account(&record)
        .map_err(|e| internal("account")(e.to_string()))?;
    let account = Account::from(record);

    let card_path = node_dir.join("card.json");
    let card_bytes = std::fs::read(&card_path)
        .with_context(|| format!("cannot read {}", card_path.display()))?;
    let card = SignedCard::parse(&card_bytes).map_err(|e| internal("card")(e.to_string()))?;
    let mut tls = detente_node::tls::officer_client_config(card.keys().tls_spki_sha256)?;
    if options.http1 {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| internal("client")(e.to_string()))?;
    let client = Client {
        http,
        objects_url: format!(
            "https://{addr}/taxii2/{}/collections/drafts/objects/",
            PEER.to_ascii_lowercase()
        ),
        name: ACCOUNT.into(),
        secret,
    };

    let done = Arc::new(AtomicU64::new(0));
    let (early_time, early_posts) =
        ingest(&client, 0, options.early, options, &done, progress).await?;
    progress(Progress::Probing(options.early));
    let latency_early = first_page_latency(&client, options.samples, options.early).await?;
    let store_page_early =
        store_page_latency(node, &account, options.samples, options.early).await?;
    let rest = options.objects - options.early;
    let (rest_time, rest_posts) =
        ingest(&client, options.early, rest, options, &done, progress).await?;
    let ingest_figure = Throughput {
        objects: options.objects,
        elapsed: early_time + rest_time,
    };
    progress(Progress::Probing(options.objects));
    let latency_full = first_page_latency(&client, options.samples, options.objects).await?;
    let store_page_full =
        store_page_latency(node, &account, options.samples, options.objects).await?;
    progress(Progress::Reading);
    let (read_objects, pages, read_time) = read_all(&client).await?;
    if read_objects != options.objects {
        return Err(internal("read")(format!(
            "{read_objects} objects read, {} ingested",
            options.objects
        )));
    }
    Ok(Measured {
        ingest: ingest_figure,
        posts: early_posts + rest_posts,
        read: Throughput {
            objects: read_objects,
            elapsed: read_time,
        },
        pages,
        latency_early,
        latency_full,
        store_page_early,
        store_page_full,
        account,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn latency_figures() {
        let odd = Latency::of(&ms(&[5, 1, 3, 2, 4])).expect("samples");
        assert_eq!(odd.median, Duration::from_millis(3));
        assert_eq!(
            (odd.min, odd.max),
            (Duration::from_millis(1), Duration::from_millis(5))
        );
        let even = Latency::of(&ms(&[4, 1, 3, 2])).expect("samples");
        assert_eq!(even.median, Duration::from_micros(2500));
        assert!(Latency::of(&[]).is_none());
        // p95 of 1..=100 ms by nearest rank is 95 ms; of 1..=50, the 48th.
        let hundred: Vec<u64> = (1..=100).collect();
        assert_eq!(
            Latency::of(&ms(&hundred)).expect("s").p95,
            Duration::from_millis(95)
        );
        let fifty: Vec<u64> = (1..=50).collect();
        assert_eq!(
            Latency::of(&ms(&fifty)).expect("s").p95,
            Duration::from_millis(48)
        );
        assert_eq!(nearest_rank(&ms(&[7]), 95), Duration::from_millis(7));
        assert_eq!(nearest_rank(&[], 50), Duration::ZERO);
    }

    fn series(median_us: u64, p95_us: u64) -> Latency {
        Latency {
            samples: 50,
            median: Duration::from_micros(median_us),
            p95: Duration::from_micros(p95_us),
            min: Duration::from_micros(median_us / 2),
            max: Duration::from_micros(p95_us * 2),
        }
    }

    #[test]
    fn noise_is_the_wider_spread_with_a_floor() {
        // Spreads of 300 and 500 µs: medians 400 µs apart are the same.
        assert!(within_noise(&series(2000, 2300), &series(2400, 2900)));
        // …but 2 ms apart are not.
        assert!(!within_noise(&series(2000, 2300), &series(4000, 4500)));
        // Tight series: the floor (a tenth of the smaller median, at least 200 µs).
        assert_eq!(
            noise_band(&series(1000, 1000), &series(1100, 1100)),
            Duration::from_micros(200)
        );
        assert!(within_noise(&series(1000, 1000), &series(1150, 1150)));
        assert!(!within_noise(&series(1000, 1000), &series(1300, 1300)));
        assert_eq!(
            noise_band(&series(10_000, 10_000), &series(9000, 9000)),
            Duration::from_micros(900)
        );
        // Symmetric.
        assert_eq!(
            within_noise(&series(2000, 2300), &series(4000, 4500)),
            within_noise(&series(4000, 4500), &series(2000, 2300))
        );
    }

    #[test]
    fn rates() {
        assert_eq!(per_second(1000, Duration::from_millis(250)), 4000.0);
        assert_eq!(per_second(1000, Duration::ZERO), 0.0);
        let t = Throughput {
            objects: 100_000,
            elapsed: Duration::from_secs(20),
        };
        assert_eq!(t.per_second(), 5000.0);
    }

    #[test]
    fn batches_cover_every_object_once() {
        assert_eq!(batch_count(100_000, 1000), 100);
        assert_eq!(batch_count(2500, 1000), 3);
        assert_eq!(batch_count(0, 1000), 0);
        assert_eq!(batch_count(5, 0), 5);
        let lens: Vec<usize> = (0..3).map(|i| batch_len(2500, 1000, i)).collect();
        assert_eq!(lens, [1000, 1000, 500]);
        assert_eq!(batch_len(2500, 1000, 3), 0);
        for (total, batch) in [(1u64, 1000usize), (999, 7), (100_000, 1000), (12_345, 1000)] {
            let sum: u64 = (0..batch_count(total, batch))
                .map(|i| batch_len(total, batch, i) as u64)
                .sum();
            assert_eq!(sum, total, "{total} at {batch}");
        }
    }

    #[test]
    fn envelopes_hold_valid_distinct_indicators() {
        let body = indicator_envelope(65_530, 20);
        let value: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let objects = value["objects"].as_array().expect("objects").clone();
        assert_eq!(objects.len(), 20);
        let ids: std::collections::BTreeSet<&str> = objects
            .iter()
            .map(|o| o["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids.len(), 20);
        let bundle = Bundle::from_value(serde_json::json!({
            "type": "bundle",
            "id": "bundle--6f2c5c8e-7d1a-4b4e-9f3a-2c1d0e9b8a7f",
            "objects": objects,
        }))
        .expect("bundle");
        detente_proto::stix::validate(&bundle).expect("valid STIX 2.1");
        // A batch of 1 000 fits one POST (a message's room).
        let thousand = indicator_envelope(0, 1000);
        let room = detente_proto::limits::Limits::default().max_envelope_bytes - 64 * 1024;
        assert!(thousand.len() < room, "{} bytes", thousand.len());
    }

    #[test]
    fn statuses_are_checked() {
        let complete = serde_json::json!({"id": "s", "status": "complete", "total_count": 2,
            "success_count": 2, "failure_count": 0, "pending_count": 0});
        check_status(&serde_json::to_vec(&complete).expect("json"), 2).expect("all added");
        assert!(check_status(&serde_json::to_vec(&complete).expect("json"), 3).is_err());
        let failed = serde_json::json!({"id": "s", "status": "complete", "total_count": 2,
            "success_count": 1, "failure_count": 1, "pending_count": 0,
            "failures": [{"id": "x", "version": "v", "message": "objects[1]: bad"}]});
        let error = check_status(&serde_json::to_vec(&failed).expect("json"), 2).unwrap_err();
        assert!(error.contains("objects[1]: bad"), "{error}");
        assert!(check_status(b"not json", 1).is_err());
    }

    #[test]
    fn pages_are_summarised() {
        let page =
            PageSummary::parse(br#"{"more":true,"next":"abc","objects":[{"a":1},{"b":[2]}]}"#)
                .expect("page");
        assert!(page.more);
        assert_eq!(page.next.as_deref(), Some("abc"));
        assert_eq!(page.objects.len(), 2);
        let last = PageSummary::parse(br#"{"more":false}"#).expect("empty page");
        assert!(!last.more && last.objects.is_empty());
    }
}
