//! TLS to the server, as the URL asks: `sslmode=require` (or `verify-full`) encrypts
//! every connection and verifies the server's certificate chain and its name, always,
//! as libpq's `verify-full` does. A ledger of people's contributions is not sent to a
//! server whose identity was not checked, so `require` here is stricter than libpq's
//! (which encrypts without checking): a server with a self-signed certificate needs
//! `sslrootcert=PATH` (its CA, PEM) in the URL. Without `sslmode`, or with `disable`,
//! connections are not encrypted (a Unix socket, or a trusted network). Refused, each
//! saying what to write instead: `verify-ca` (a chain checked, the name not: say
//! `verify-full`), and `prefer` and `allow`, which in libpq fall back to no encryption
//! without saying so (the `postgres` crate's `prefer` never even tries TLS without a
//! connector; it has no `allow`): say `require`, or leave `sslmode` out (D42).
//!
//! OpenSSL (`postgres-openssl`, maintained with the `postgres` crate), because it is
//! what a bureau's administrators already configure and what PostgreSQL itself uses:
//! its CA files and system trust store (`/etc/ssl/certs`) work unchanged.
//!
//! Only the URL form (`postgresql://…?sslmode=require&sslrootcert=/path/ca.pem`) takes
//! `sslrootcert`; the `postgres` crate refuses keys it does not know, so it is taken
//! out of the URL here before the rest is parsed.

use crate::store::StoreError;
use ::postgres::config::SslMode;
use openssl::ssl::{SslConnector, SslMethod};

/// How connections to one server are made.
#[derive(Clone)]
pub(crate) enum Tls {
    /// Not encrypted (no `sslmode`, or `disable`).
    Off,
    /// Encrypted; the server's chain and name verified against the system's trust
    /// store and the URL's `sslrootcert`.
    Verified(SslConnector),
}

/// `url` without the parameters this module takes out of it (`sslrootcert`, and
/// `sslmode=verify-full` made `require`), and how to connect, once the `postgres`
/// crate has parsed the rest into its `ssl_mode`.
pub(crate) struct Split {
    pub url: String,
    root_cert: Option<String>,
}

/// Takes this module's parameters out of a URL's query string (`store` names the
/// server in errors).
pub(crate) fn split(url: &str, store: &str) -> Result<Split, StoreError> {
    let unusable = |message: String| StoreError::Unavailable {
        store: store.to_owned(),
        message,
        advice: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok(Split {
            url: url.to_owned(),
            root_cert: None,
        });
    };
    let mut kept: Vec<String> = Vec::new();
    let mut root_cert = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("sslrootcert", path)) if !path.is_empty() => root_cert = Some(path.to_owned()),
            Some(("sslmode", "verify-full")) => kept.push("sslmode=require".to_owned()),
            Some(("sslmode", mode @ ("prefer" | "allow"))) => {
                return Err(unusable(format!(
                    "sslmode={mode} may connect without encryption and not say so (it falls back \
                     when TLS is not offered); write sslmode=require to encrypt (the server's \
                     certificate and name are then verified), or leave sslmode out (or write \
                     sslmode=disable) for a Unix socket or a connection you choose not to encrypt"
                )))
            }
            Some(("sslmode", "verify-ca")) => {
                return Err(unusable(
                    "sslmode=verify-ca checks the server's certificate but not its name; \
                     flexledger always checks both: write sslmode=verify-full (or require)"
                        .to_owned(),
                ))
            }
            _ => kept.push(pair.to_owned()),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(Split { url, root_cert })
}

impl Split {
    /// How to connect, given the `ssl_mode` the rest of the URL asked for.
    pub(crate) fn tls(&self, mode: SslMode, store: &str) -> Result<Tls, StoreError> {
        let unusable = |message: String| StoreError::Unavailable {
            store: store.to_owned(),
            message,
            advice: None,
        };
        if !matches!(mode, SslMode::Require) {
            if let Some(path) = &self.root_cert {
                return Err(unusable(format!(
                    "sslrootcert={path} is given but the connection would not be encrypted: \
                     add sslmode=require (or verify-full)"
                )));
            }
            return Ok(Tls::Off);
        }
        let openssl =
            |what: &str, error: openssl::error::ErrorStack| unusable(format!("{what}: {error}"));
        let mut builder = SslConnector::builder(SslMethod::tls_client())
            .map_err(|error| openssl("cannot set up TLS", error))?;
        if let Some(path) = &self.root_cert {
            builder.set_ca_file(path).map_err(|error| {
                openssl(
                    &format!("cannot read sslrootcert={path} (the server's CA certificate, PEM)"),
                    error,
                )
            })?;
        }
        Ok(Tls::Verified(builder.build()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_parameters_are_taken_out_of_the_url_and_the_rest_kept_in_order() {
        let split = split(
            "postgresql://u@h/db?sslmode=verify-full&application_name=x&sslrootcert=/etc/ca.pem",
            "h",
        )
        .unwrap();
        assert_eq!(
            split.url,
            "postgresql://u@h/db?sslmode=require&application_name=x"
        );
        assert_eq!(split.root_cert.as_deref(), Some("/etc/ca.pem"));
        let plain = super::split("postgresql://u@h/db", "h").unwrap();
        assert_eq!(
            (plain.url.as_str(), plain.root_cert),
            ("postgresql://u@h/db", None)
        );
        let only = super::split("postgresql://u@h/db?sslrootcert=/ca.pem", "h").unwrap();
        assert_eq!(only.url, "postgresql://u@h/db");
    }

    #[test]
    fn a_half_check_or_a_root_certificate_without_encryption_is_refused() {
        let message = |error: StoreError| error.to_string();
        let refused = split("postgresql://u@h/db?sslmode=verify-ca", "h")
            .err()
            .unwrap();
        assert!(message(refused).contains("verify-full"));
        for mode in ["prefer", "allow"] {
            let url = format!("postgresql://u@h/db?application_name=x&sslmode={mode}");
            let refused = message(split(&url, "h").err().unwrap());
            assert!(
                refused.contains(&format!("sslmode={mode} may connect without encryption")),
                "{refused}"
            );
            assert!(refused.contains("sslmode=require"), "{refused}");
        }
        let plain = split("postgresql://u@h/db?sslmode=disable", "h").unwrap();
        assert!(matches!(plain.tls(SslMode::Disable, "h"), Ok(Tls::Off)));
        let split = split("postgresql://u@h/db?sslrootcert=/ca.pem", "h").unwrap();
        let refused = split.tls(SslMode::Prefer, "h").err().unwrap();
        assert!(message(refused).contains("sslmode=require"));
    }
}
