//! TLS to PostgreSQL, with rustls (the TLS stack of the server's other outbound calls).
//!
//! `sslmode=require` in the URL turns it on, and then the server's certificate is verified
//! against the Mozilla roots (webpki-roots), or against the CA named by
//! `HITCHPOST_DATABASE_CA_FILE` for a database with a private CA, and its name against the
//! URL's host. That is stricter than libpq's `require`, which encrypts without verifying:
//! hitchpost has no mode that trusts any certificate, since the connection carries the sealed
//! tokens. Without `sslmode=require` (`disable`, or `prefer`, the default) the connection is
//! plain TCP, as before: `prefer` cannot stop a downgrade, so it is not dressed up as TLS.

use crate::store::{Error, Result};
use std::path::Path;
use std::sync::Arc;

/// How connections to one database are made.
#[derive(Clone)]
pub enum Tls {
    Plain,
    Verified(tokio_postgres_rustls::MakeRustlsConnect),
}

impl Tls {
    /// The connector `config` asks for; `ca_file`: PEM certificates to trust instead of the
    /// Mozilla roots. A CA file without `sslmode=require` is refused rather than ignored.
    pub fn for_config(config: &::postgres::Config, ca_file: Option<&Path>) -> Result<Tls> {
        if config.get_ssl_mode() != ::postgres::config::SslMode::Require {
            return match ca_file {
                Some(_) => Err(Error::Config(
                    "HITCHPOST_DATABASE_CA_FILE is set but the database URL does not ask for TLS (add sslmode=require)"
                        .into(),
                )),
                None => Ok(Tls::Plain),
            };
        }
        let mut roots = rustls::RootCertStore::empty();
        match ca_file {
            Some(path) => {
                use rustls::pki_types::{CertificateDer, pem::PemObject};
                let unreadable = |e: &dyn std::fmt::Display| {
                    Error::Config(format!("HITCHPOST_DATABASE_CA_FILE {}: {e}", path.display()))
                };
                for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
                    roots.add(cert.map_err(|e| unreadable(&e))?).map_err(|e| unreadable(&e))?;
                }
                if roots.is_empty() {
                    return Err(unreadable(&"holds no certificate"));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS to PostgreSQL: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Tls::Verified(tokio_postgres_rustls::MakeRustlsConnect::new(config)))
    }

    /// Opens one connection.
    pub fn connect(&self, config: &::postgres::Config) -> std::result::Result<::postgres::Client, ::postgres::Error> {
        match self {
            Tls::Plain => config.connect(::postgres::NoTls),
            Tls::Verified(tls) => config.connect(tls.clone()),
        }
    }
}
