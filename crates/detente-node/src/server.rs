//! The HTTPS server: one TLS listener for the peer API and the officer API.
//!
//! Each connection is a TLS handshake (client certificate optional, but
//! checked against the peers' pins when presented), then HTTP/1.1 or
//! HTTP/2. The authenticated peer, if any, is attached to every request of
//! the connection as a [`PeerIdentity`] extension.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use detente_proto::ids::PartyCode;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tower::Service;

use crate::api;
use crate::error::{NodeError, NodeResult, TlsError};
use crate::node::Node;
use crate::outbox::run_outbox;
use crate::peers::REFRESH_EVERY;
use crate::tls::spki_sha256;

/// The peer that TLS authenticated on this connection, if any.
#[derive(Debug, Clone)]
pub struct PeerIdentity(pub Option<PartyCode>);

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's headers (slow-loris bound).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections served at once; further clients wait in the listen backlog.
const MAX_CONNECTIONS: usize = 1024;

/// Serves `GET /metrics` without a token on the loopback address `addr`
/// (plain HTTP), until shutdown.
fn serve_metrics(
    node: Arc<Node>,
    addr: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) -> NodeResult<JoinHandle<()>> {
    let listener = std::net::TcpListener::bind(addr)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .and_then(TcpListener::from_std)
        .map_err(|e| NodeError::io(std::path::Path::new(&format!("metrics.listen {addr}")), e))?;
    tracing::info!(%addr, "serving /metrics");
    let app = crate::metrics::open_router(node);
    Ok(tokio::spawn(async move {
        let stopped = async move {
            let _ = shutdown.changed().await;
        };
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!("the metrics listener failed: {error}");
        }
    }))
}

/// A node that is serving.
#[derive(Debug)]
pub struct RunningNode {
    node: Arc<Node>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    outbox: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
}

impl RunningNode {
    /// Starts serving on `listener` and starts the outbox worker.
    pub fn start(node: Arc<Node>, listener: TcpListener) -> NodeResult<Self> {
        let addr = listener
            .local_addr()
            .map_err(TlsError::setup("read the listener's address"))?;
        let tls = node.keys.tls.server_config(node.peers.clone())?;
        let acceptor = TlsAcceptor::from(Arc::new(tls));
        let (shutdown, watcher) = watch::channel(false);
        let server = tokio::spawn(accept_loop(
            node.clone(),
            listener,
            acceptor,
            watcher.clone(),
        ));
        let outbox = tokio::spawn(run_outbox(node.clone(), watcher.clone()));
        let metrics = match node.config.metrics.listen {
            Some(addr) => Some(serve_metrics(node.clone(), addr, watcher.clone())?),
            None => None,
        };
        // Background duties; each ends on shutdown, and with the node.
        let mut background = vec![
            tokio::spawn(refresh_peers(node.clone(), watcher.clone())),
            tokio::spawn(crate::log::witnessing::run_witnessing(
                node.clone(),
                watcher.clone(),
            )),
            tokio::spawn(crate::log::run_crosscheck(node.clone(), watcher.clone())),
            tokio::spawn(crate::engine::run_agreement_engine(
                node.clone(),
                watcher.clone(),
            )),
            tokio::spawn(crate::alerts::run_alerts(node.clone(), watcher.clone())),
            tokio::spawn(crate::log::confirm::run_confirmation(
                node.clone(),
                watcher.clone(),
            )),
            tokio::spawn(crate::card_push::run_card_pushes(
                node.clone(),
                watcher.clone(),
            )),
            tokio::spawn(crate::taxii::indexer::run_indexer(node.clone(), watcher)),
        ];
        background.extend(metrics);
        tracing::info!(party = %node.party(), %addr, "serving");
        Ok(Self {
            node,
            addr,
            shutdown,
            server,
            outbox,
            background,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// Stops accepting, lets the outbox worker finish its loop, then ends
    /// open connections.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.outbox).await;
        self.server.abort();
        let _ = self.server.await;
        end_all(self.background).await;
    }

    /// Ends everything at once, as a crash would: what was committed to the
    /// store stays, nothing else does.
    pub async fn kill(self) {
        self.server.abort();
        self.outbox.abort();
        let _ = self.server.await;
        let _ = self.outbox.await;
        end_all(self.background).await;
    }

    /// Waits until the server stops (it stops only by `stop` or `kill`).
    pub async fn wait(self) {
        let _ = self.server.await;
    }
}

async fn end_all(tasks: Vec<JoinHandle<()>>) {
    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        let _ = task.await;
    }
}

/// Re-reads the peers every [`REFRESH_EVERY`], so cards added or replaced
/// with `detente peer add` take effect without a restart, and logs cards
/// not logged yet.
async fn refresh_peers(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    loop {
        // Cards (ours, and any peer card new or replaced) go into the log.
        if let Err(error) = node.log_cards().await {
            tracing::error!(%error, "cannot log the cards");
        }
        tokio::select! {
            () = tokio::time::sleep(REFRESH_EVERY) => {}
            _ = shutdown.changed() => return,
        }
        let peers = node.peers.clone();
        match tokio::task::spawn_blocking(move || peers.refresh()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "cannot re-read peers"),
            Err(error) => tracing::error!(%error, "peer refresh task failed"),
        }
    }
}

async fn accept_loop(
    node: Arc<Node>,
    listener: TcpListener,
    acceptor: TlsAcceptor,
    mut shutdown: watch::Receiver<bool>,
) {
    // Cards first, before any message can be composed or received, so a
    // log always starts the same way.
    if let Err(error) = node.log_cards().await {
        tracing::error!(%error, "cannot log the cards");
    }
    let app = api::router(node.clone());
    // Dropping the set (when this task ends or is aborted) ends every connection.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept(), if connections.len() < MAX_CONNECTIONS => {
                let (tcp, remote) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // Small answers (receipts, HTTP/2 frames, TAXII pages) go
                // out at once instead of waiting on Nagle's algorithm and
                // the client's delayed ACK (~40 ms each).
                if let Err(error) = tcp.set_nodelay(true) {
                    tracing::debug!(%error, %remote, "cannot set TCP_NODELAY");
                }
                connections.spawn(serve_connection(node.clone(), app.clone(), acceptor.clone(), tcp, remote));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn serve_connection(
    node: Arc<Node>,
    app: axum::Router,
    acceptor: TlsAcceptor,
    tcp: tokio::net::TcpStream,
    remote: SocketAddr,
) {
    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(error)) => {
            tracing::info!(%remote, %error, "TLS handshake refused");
            return;
        }
        Err(_) => {
            tracing::info!(%remote, "TLS handshake timed out");
            return;
        }
    };
    let peer = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(|cert| spki_sha256(cert).ok())
        .and_then(|spki| node.peers.by_spki(&spki))
        .map(|peer| peer.party().clone());
    let app = app.layer(Extension(PeerIdentity(peer)));
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut app = app.clone();
        app.call(request)
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    if let Err(error) = builder.serve_connection(TokioIo::new(tls), service).await {
        tracing::debug!(%remote, %error, "connection ended with an error");
    }
}
