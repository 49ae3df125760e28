//! Mutual TLS without a CA: every node has a self-signed certificate, and
//! peers pin the SHA-256 of its SubjectPublicKeyInfo (RFC 5280 §4.1.2.7),
//! published in the party card (docs/protocol.md, "Mutual TLS with SPKI pinning").
//!
//! - The server asks for a client certificate but does not require one
//!   (officers authenticate with bearer tokens); a client certificate that is
//!   presented must be pinned by a known peer, or the handshake fails.
//! - A client pins the SPKI hashes it expects for the server it dials: the
//!   peer's current card's, and for the overlap after a rotation of its TLS
//!   key, the replaced card's.
//!
//! Pinning replaces path building and name checks; the handshake signature
//! is still verified with the provider's algorithms (rustls `ring`).
//! Certificate validity dates are not enforced: the pin, and the card that
//! carries it, are what is trusted; rotating the key means a new card.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{NodeError, TlsError};

/// The crypto provider every TLS config here uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// SHA-256 of a certificate's SubjectPublicKeyInfo.
pub fn spki_sha256(cert: &[u8]) -> Result<[u8; 32], TlsError> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).map_err(|e| TlsError::NotX509 {
        cause: e.to_string(),
    })?;
    Ok(Sha256::digest(parsed.tbs_certificate.subject_pki.raw).into())
}

/// The first certificate in PEM text.
fn certificate_of_pem(cert_pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| TlsError::NoCertificate {
        cause: e.to_string(),
    })
}

/// A node's TLS certificate and private key.
pub struct TlsIdentity {
    cert: CertificateDer<'static>,
    key: Zeroizing<Vec<u8>>,
    cert_pem: String,
    key_pem: Zeroizing<String>,
    spki_sha256: [u8; 32],
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsIdentity(spki {})", hex::encode(self.spki_sha256))
    }
}

impl TlsIdentity {
    /// A fresh ECDSA P-256 key and self-signed certificate naming `host`.
    pub fn generate(host: &str) -> Result<Self, NodeError> {
        let key = rcgen::KeyPair::generate().map_err(TlsError::setup("generate a TLS key"))?;
        let mut params =
            rcgen::CertificateParams::new(vec![host.to_owned()]).map_err(|e| TlsError::Host {
                host: host.to_owned(),
                cause: e.to_string(),
            })?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("detente node {host}"));
        let cert = params
            .self_signed(&key)
            .map_err(TlsError::setup("sign the TLS certificate"))?;
        Ok(Self::from_pem(&cert.pem(), &key.serialize_pem())?)
    }

    /// From PEM text.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, TlsError> {
        let cert = certificate_of_pem(cert_pem)?;
        let key = PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| {
            TlsError::NoPrivateKey {
                cause: e.to_string(),
            }
        })?;
        let spki_sha256 = spki_sha256(&cert)?;
        Ok(Self {
            cert,
            key: Zeroizing::new(key.secret_pkcs8_der().to_vec()),
            cert_pem: cert_pem.to_owned(),
            key_pem: Zeroizing::new(key_pem.to_owned()),
            spki_sha256,
        })
    }

    /// The SPKI hash of a PEM certificate.
    pub fn spki_of_pem(cert_pem: &str) -> Result<[u8; 32], TlsError> {
        spki_sha256(&certificate_of_pem(cert_pem)?)
    }

    /// The certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key, PEM (for the key file only).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The pin peers check.
    pub fn spki_sha256(&self) -> [u8; 32] {
        self.spki_sha256
    }

    fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.to_vec()))
    }

    /// The server side: our certificate, and client certificates checked by `pins`.
    pub fn server_config(
        &self,
        pins: Arc<dyn ClientPins>,
    ) -> Result<rustls::ServerConfig, NodeError> {
        let provider = provider();
        let verifier = PinnedClientVerifier {
            pins,
            provider: provider.clone(),
        };
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::setup("choose the TLS versions"))?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(vec![self.cert.clone()], self.key_der())
            .map_err(TlsError::setup("use the node's certificate"))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }

    /// The client side towards a peer: present our certificate, pin
    /// theirs (any of `server_pins`: after a rotation of its TLS key, the
    /// new and, for the overlap, the replaced one).
    pub fn peer_client_config(
        &self,
        server_pins: &[[u8; 32]],
    ) -> Result<rustls::ClientConfig, NodeError> {
        client_builder(server_pins.to_vec())?
            .with_client_auth_cert(vec![self.cert.clone()], self.key_der())
            .map_err(|e| TlsError::setup("use the node's certificate")(e).into())
            .map(with_alpn)
    }
}

/// A client config that presents no certificate and pins the server's SPKI:
/// what the CLI uses to reach its own node's officer API.
pub fn officer_client_config(server_pin: [u8; 32]) -> Result<rustls::ClientConfig, NodeError> {
    Ok(with_alpn(
        client_builder(vec![server_pin])?.with_no_client_auth(),
    ))
}

fn with_alpn(mut config: rustls::ClientConfig) -> rustls::ClientConfig {
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config
}

fn client_builder(
    server_pins: Vec<[u8; 32]>,
) -> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>, NodeError>
{
    let provider = provider();
    let verifier = PinnedServerVerifier {
        pins: server_pins,
        provider: provider.clone(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::setup("choose the TLS versions"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier)))
}

/// Answers whether a client certificate's SPKI hash is pinned by a known peer.
pub trait ClientPins: Send + Sync + std::fmt::Debug {
    /// Whether `spki_sha256` belongs to a known peer.
    fn is_pinned(&self, spki_sha256: &[u8; 32]) -> bool;
}

#[derive(Debug)]
struct PinnedClientVerifier {
    pins: Arc<dyn ClientPins>,
    provider: Arc<CryptoProvider>,
}

fn unpinned() -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
}

impl ClientCertVerifier for PinnedClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let spki = spki_sha256(end_entity).map_err(|_| unpinned())?;
        if self.pins.is_pinned(&spki) {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!(spki = %hex::encode(spki), "refused a TLS client certificate that no peer card pins");
            Err(unpinned())
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[derive(Debug)]
struct PinnedServerVerifier {
    pins: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match spki_sha256(end_entity) {
            Ok(spki) if self.pins.contains(&spki) => Ok(ServerCertVerified::assertion()),
            _ => Err(unpinned()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
