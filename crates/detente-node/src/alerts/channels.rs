//! Sending one notice over its channel (I/O): email over SMTP with
//! `lettre` (STARTTLS, implicit TLS, or plain to a loopback relay), a
//! JSON webhook signed with HMAC-SHA256 (RFC 2104) in
//! `X-Detente-Signature: sha256=<hex>` over the exact body, and a command
//! given the same JSON on its standard input.
//!
//! The JSON (webhook and command) is Slack/Mattermost-compatible: `text`
//! is the whole notice in one string, which incoming webhooks post as is;
//! `detente` holds the same alert as fields for generic receivers.
//! `X-Detente-Delivery: <alert>/<step>` (and the email's `Message-ID`)
//! is the same on every attempt, so a receiver that got an attempt whose
//! answer was lost can tell it has it already.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Serialize;
use sha2::Sha256;
use tokio::io::AsyncWriteExt;

use super::config::{AlertsConfig, AlertsProblem, ChannelConfig, SmtpTls};

/// The JSON a webhook or command receives.
#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    /// The whole notice as one text (Slack, Mattermost).
    pub text: String,
    /// The alert, field by field.
    pub detente: AlertPayload,
}

/// The alert in a [`Payload`].
#[derive(Debug, Clone, Serialize)]
pub struct AlertPayload {
    /// This format's version: 1.
    pub version: u8,
    /// The party whose node raised it.
    pub party: String,
    /// The alert's number.
    pub alert: u64,
    /// The rota step this notice is.
    pub step: u32,
    /// `<alert>/<step>`: the same on every attempt.
    pub delivery: String,
    /// What raised it (`arrival`, `deadline-missed`, …).
    pub cause: &'static str,
    /// `flash`, `immediate`, `priority` or `routine`.
    pub precedence: &'static str,
    /// One line.
    pub summary: String,
    /// The rest.
    pub detail: String,
    /// When it was raised.
    pub raised_at: String,
    /// The message it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The party it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    /// The rota and the contact this notice is for.
    pub rota: String,
    /// The contact.
    pub contact: String,
    /// The single-use link that acknowledges the alert (not the message).
    pub ack_url: String,
}

/// One notice to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The email's subject.
    pub subject: String,
    /// The email's body (the payload's `text`).
    pub payload: Payload,
    /// The email recipient, for SMTP.
    pub to: Option<String>,
    /// `<alert.step@detente.PARTY>`.
    pub message_id: String,
}

/// Why a notice did not go out. Kept in the notice's row as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The channel is not configured (any more).
    #[error("channel {channel:?} is not under [alerts.channels]")]
    UnknownChannel {
        /// The channel.
        channel: String,
    },
    /// The email could not be built (a bad address).
    #[error("cannot build the email: {cause}")]
    Email {
        /// What lettre says.
        cause: String,
    },
    /// The mail server refused or could not be reached.
    #[error("SMTP: {cause}")]
    Smtp {
        /// What lettre says.
        cause: String,
    },
    /// The webhook could not be reached.
    #[error("webhook: {cause}")]
    Http {
        /// What the HTTP client says.
        cause: String,
    },
    /// The webhook answered with an error.
    #[error("webhook answered HTTP {status}")]
    Status {
        /// The status.
        status: u16,
    },
    /// The command could not be started or fed.
    #[error("command {}: {cause}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The operating system's error.
        cause: String,
    },
    /// The command failed.
    #[error("command {} exited with {status}", program.display())]
    Exit {
        /// The program.
        program: PathBuf,
        /// Its exit status, as the system words it.
        status: String,
    },
    /// The attempt took too long.
    #[error("no answer within {}", humantime::format_duration(*.after))]
    Timeout {
        /// The limit.
        after: Duration,
    },
}

/// A channel, ready to send.
enum Channel {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Webhook {
        client: reqwest::Client,
        url: String,
        secret: Vec<u8>,
    },
    Command {
        program: PathBuf,
        args: Vec<String>,
    },
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Channel::Smtp { from, .. } => write!(f, "Smtp({from})"),
            Channel::Webhook { url, .. } => write!(f, "Webhook({url})"),
            Channel::Command { program, .. } => write!(f, "Command({})", program.display()),
        }
    }
}

/// Every configured channel, by name.
#[derive(Debug, Default)]
pub struct Channels {
    by_name: BTreeMap<String, Channel>,
    timeout: Duration,
}

fn read_file(channel: &str, dir: &Path, file: &Path) -> Result<(PathBuf, Vec<u8>), AlertsProblem> {
    let path = dir.join(file);
    let bytes = std::fs::read(&path).map_err(|e| AlertsProblem::UnreadableFile {
        channel: channel.to_owned(),
        path: path.clone(),
        cause: e.to_string(),
    })?;
    Ok((path, bytes))
}

/// A secret file's contents, without the line end an editor adds.
fn read_secret(channel: &str, dir: &Path, file: &Path) -> Result<Vec<u8>, AlertsProblem> {
    let (path, mut bytes) = read_file(channel, dir, file)?;
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    if bytes.is_empty() {
        return Err(AlertsProblem::EmptySecret {
            channel: channel.to_owned(),
            path,
        });
    }
    Ok(bytes)
}

fn setup(channel: &str) -> impl Fn(String) -> AlertsProblem + '_ {
    move |cause| AlertsProblem::Setup {
        channel: channel.to_owned(),
        cause,
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Channels {
    /// Sets up every channel of `config`, reading the files they name
    /// relative to the node directory `dir`.
    pub fn load(config: &AlertsConfig, dir: &Path) -> Result<Self, AlertsProblem> {
        let mut by_name = BTreeMap::new();
        for (name, channel) in &config.channels {
            let ready = match channel {
                ChannelConfig::Smtp {
                    host,
                    port,
                    tls,
                    from,
                    username,
                    password_file,
                    ca_file,
                } => {
                    let from: Mailbox =
                        from.parse().map_err(|e: lettre::address::AddressError| {
                            setup(name)(format!("from {from:?} is not an email address ({e})"))
                        })?;
                    let mut parameters = TlsParameters::builder(host.clone());
                    if let Some(ca_file) = ca_file {
                        let (path, pem) = read_file(name, dir, ca_file)?;
                        let certificate =
                            Certificate::from_pem(&pem).map_err(|_| AlertsProblem::BadCa {
                                channel: name.clone(),
                                path,
                            })?;
                        parameters = parameters
                            .certificate_store(CertificateStore::None)
                            .add_root_certificate(certificate);
                    }
                    let parameters = || {
                        parameters
                            .clone()
                            .build_rustls()
                            .map_err(|e| setup(name)(e.to_string()))
                    };
                    let (tls, default_port) = match tls {
                        SmtpTls::Starttls => (Tls::Required(parameters()?), 587),
                        SmtpTls::Implicit => (Tls::Wrapper(parameters()?), 465),
                        SmtpTls::None => {
                            if !is_loopback_host(host) {
                                return Err(AlertsProblem::PlainSmtpNotLocal {
                                    channel: name.clone(),
                                });
                            }
                            (Tls::None, 25)
                        }
                    };
                    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                        .port(port.unwrap_or(default_port))
                        .tls(tls)
                        .timeout(Some(config.attempt_timeout));
                    if let (Some(user), Some(file)) = (username, password_file) {
                        let password = read_secret(name, dir, file)?;
                        let password = String::from_utf8(password).map_err(|_| {
                            setup(name)("the password file is not UTF-8".to_owned())
                        })?;
                        builder = builder.credentials(Credentials::new(user.clone(), password));
                    }
                    Channel::Smtp {
                        transport: builder.build(),
                        from,
                    }
                }
                ChannelConfig::Webhook {
                    url,
                    secret_file,
                    ca_file,
                } => {
                    let secret = read_secret(name, dir, secret_file)?;
                    let _ =
                        std::sync::Arc::unwrap_or_clone(crate::tls::provider()).install_default();
                    let mut builder = reqwest::Client::builder()
                        .connect_timeout(Duration::from_secs(10))
                        .timeout(config.attempt_timeout)
                        .redirect(reqwest::redirect::Policy::none());
                    if let Some(ca_file) = ca_file {
                        let (path, pem) = read_file(name, dir, ca_file)?;
                        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                            .ok()
                            .filter(|c| !c.is_empty())
                            .ok_or(AlertsProblem::BadCa {
                                channel: name.clone(),
                                path,
                            })?;
                        builder = builder.tls_certs_only(certificates);
                    }
                    let client = builder.build().map_err(|e| setup(name)(e.to_string()))?;
                    Channel::Webhook {
                        client,
                        url: url.clone(),
                        secret,
                    }
                }
                ChannelConfig::Command { program, args } => Channel::Command {
                    program: program.clone(),
                    args: args.clone(),
                },
            };
            by_name.insert(name.clone(), ready);
        }
        Ok(Self {
            by_name,
            timeout: config.attempt_timeout,
        })
    }

    /// Sends `outgoing` over channel `name`: once, no retry (the caller
    /// keeps the schedule in the store).
    pub async fn send(&self, name: &str, outgoing: &Outgoing) -> Result<(), SendError> {
        let Some(channel) = self.by_name.get(name) else {
            return Err(SendError::UnknownChannel {
                channel: name.to_owned(),
            });
        };
        let attempt = async {
            match channel {
                Channel::Smtp { transport, from } => send_email(transport, from, outgoing).await,
                Channel::Webhook {
                    client,
                    url,
                    secret,
                } => post_webhook(client, url, secret, outgoing).await,
                Channel::Command { program, args } => run_command(program, args, outgoing).await,
            }
        };
        // Each channel bounds its own attempt too; this bounds a command,
        // and anything that hangs past its own limits.
        tokio::time::timeout(self.timeout + Duration::from_secs(5), attempt)
            .await
            .map_err(|_| SendError::Timeout {
                after: self.timeout,
            })?
    }
}

async fn send_email(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    outgoing: &Outgoing,
) -> Result<(), SendError> {
    let email_error = |cause: String| SendError::Email { cause };
    let to: Mailbox = outgoing
        .to
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e: lettre::address::AddressError| email_error(e.to_string()))?;
    let email = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(outgoing.subject.clone())
        .message_id(Some(outgoing.message_id.clone()))
        .header(ContentType::TEXT_PLAIN)
        .body(outgoing.payload.text.clone())
        .map_err(|e| email_error(e.to_string()))?;
    transport
        .send(email)
        .await
        .map(|_| ())
        .map_err(|e| SendError::Smtp {
            cause: e.to_string(),
        })
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn post_webhook(
    client: &reqwest::Client,
    url: &str,
    secret: &[u8],
    outgoing: &Outgoing,
) -> Result<(), SendError> {
    let body = serde_json::to_vec(&outgoing.payload)
        .unwrap_or_else(|e| unreachable!("the payload serialises: {e}"));
    let response = client
        .post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("X-Detente-Signature", signature(secret, &body))
        .header("X-Detente-Delivery", &outgoing.payload.detente.delivery)
        .body(body)
        .send()
        .await
        .map_err(|e| SendError::Http {
            cause: e.to_string(),
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(SendError::Status {
            status: status.as_u16(),
        })
    }
}

async fn run_command(
    program: &Path,
    args: &[String],
    outgoing: &Outgoing,
) -> Result<(), SendError> {
    let spawn_error = |e: std::io::Error| SendError::Spawn {
        program: program.to_owned(),
        cause: e.to_string(),
    };
    let body = serde_json::to_vec(&outgoing.payload)
        .unwrap_or_else(|e| unreachable!("the payload serialises: {e}"));
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("DETENTE_ALERT_DELIVERY", &outgoing.payload.detente.delivery)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(spawn_error)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&body).await.map_err(spawn_error)?;
        // Dropped here: the program sees the end of its input.
    }
    let status = child.wait().await.map_err(spawn_error)?;
    if status.success() {
        Ok(())
    } else {
        Err(SendError::Exit {
            program: program.to_owned(),
            status: status.to_string(),
        })
    }
}
