//! A local SMTP sink: a real SMTP server (the `mailin` state machine over a
//! loopback TCP listener, no TLS) that keeps every email it accepts in
//! memory. The demo runs one to show a FLASH alert arriving by email, and
//! tests use it as the receiving mail server. Not for production: it
//! delivers nowhere.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The most one email may hold before the sink refuses it.
const MAX_EMAIL_BYTES: usize = 1024 * 1024;

/// One email the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO`, in order.
    pub to: Vec<String>,
    /// The message as sent after `DATA` (headers and body).
    pub data: Vec<u8>,
}

/// A running sink.
#[derive(Debug, Clone)]
pub struct MailSink {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
}

struct Collect {
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    current: Option<ReceivedMail>,
}

impl mailin::Handler for Collect {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin::Response {
        self.current = Some(ReceivedMail {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let Some(mail) = self.current.as_mut() else {
            return Ok(());
        };
        if mail.data.len() + buf.len() > MAX_EMAIL_BYTES {
            return Err(std::io::Error::other("email too large"));
        }
        mail.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        if let Some(mail) = self.current.take() {
            self.received
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(mail);
        }
        mailin::response::OK
    }
}

impl MailSink {
    /// Listens on `addr` (port 0: any free one) and serves until the
    /// runtime ends.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let sink = Self {
            addr: listener.local_addr()?,
            received: Arc::default(),
        };
        let received = sink.received.clone();
        tokio::spawn(async move {
            while let Ok((stream, remote)) = listener.accept().await {
                tokio::spawn(serve(stream, remote.ip(), received.clone()));
            }
        });
        Ok(sink)
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every email accepted so far, in order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

async fn serve(
    stream: tokio::net::TcpStream,
    remote: IpAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let builder = mailin::SessionBuilder::new("detente-sink");
    let mut session = builder.build(
        remote,
        Collect {
            received,
            current: None,
        },
    );
    writer.write_all(&session.greeting().buffer()?).await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 || line.len() > 64 * 1024 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::Reply => writer.write_all(&response.buffer()?).await?,
            mailin::Action::Close => {
                writer.write_all(&response.buffer()?).await?;
                return Ok(());
            }
            mailin::Action::NoReply | mailin::Action::UpgradeTls => {}
        }
    }
}
