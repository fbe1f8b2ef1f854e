//! Bearer tokens: who may call, for which sellers, in which role.
//!
//! The token file (`--tokens`, JSON) lists tokens, each with a name (for logs),
//! a role and the sellers it may touch:
//!
//! ```json
//! { "tokens": [
//!   { "name": "dashboard", "token": "…", "role": "read",  "sellers": ["A1B2C3"] },
//!   { "name": "ingest",    "token": "…", "role": "write", "sellers": "*" }
//! ] }
//! ```
//!
//! Every call of the sellerhealth services must carry `authorization: Bearer
//! TOKEN` (UNAUTHENTICATED otherwise); a seller outside the token's set, or a
//! write with a read token, is PERMISSION_DENIED. Health and reflection stay
//! open for probes and tools. Without a token file every call is allowed, and
//! the server only listens on loopback.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use serde::Deserialize;
use tonic::{Request, Status};

/// What a token may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reports, histories, lists, watches, stateless evaluation.
    Read,
    /// Ingest too.
    Write,
    /// Everything, including administrative calls to come.
    Admin,
}

/// The sellers a token may touch.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum SellerSet {
    /// `"*"`: every seller.
    All(String),
    /// These sellers only.
    Listed(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    name: String,
    token: String,
    role: Role,
    sellers: SellerSet,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    tokens: Vec<TokenEntry>,
}

/// What the caller of one request may do.
#[derive(Debug, Clone)]
pub struct Grant {
    name: String,
    role: Role,
    /// `None`: every seller.
    sellers: Option<HashSet<String>>,
}

impl Grant {
    /// Everything: the grant of every call when the server has no token file.
    fn unrestricted() -> Grant {
        Grant { name: "anonymous".into(), role: Role::Admin, sellers: None }
    }

    /// PERMISSION_DENIED unless this grant may act on `seller_id` in `role`.
    pub fn allow(&self, seller_id: &str, role: Role) -> Result<(), Status> {
        // Every handler passes here with the seller it acts for: the call's span records it.
        crate::observe::record_seller(seller_id);
        self.require(role)?;
        match &self.sellers {
            Some(sellers) if !sellers.contains(seller_id) => Err(Status::permission_denied(format!(
                "token {:?} may not act for seller {:?}",
                self.name,
                crate::status::cut(seller_id)
            ))),
            _ => Ok(()),
        }
    }

    /// PERMISSION_DENIED unless this grant has `role`: checked when a call
    /// opens, before it can hold anything (a bulk stream that never sends).
    pub fn require(&self, role: Role) -> Result<(), Status> {
        if self.role < role {
            return Err(Status::permission_denied(format!(
                "token {:?} has role {:?}; this call needs {role:?}",
                self.name, self.role
            )));
        }
        Ok(())
    }
}

/// The tokens of a token file.
#[derive(Debug)]
pub struct Tokens {
    by_token: HashMap<String, Arc<Grant>>,
}

impl Tokens {
    /// Reads and checks a token file.
    pub fn load(path: &Path) -> anyhow::Result<Tokens> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading the token file {}", path.display()))?;
        Tokens::parse(&text).with_context(|| format!("in the token file {}", path.display()))
    }

    /// Parses a token file's JSON.
    pub fn parse(text: &str) -> anyhow::Result<Tokens> {
        let file: TokenFile = serde_json::from_str(text)?;
        let mut by_token = HashMap::new();
        for entry in file.tokens {
            if entry.token.len() < 16 {
                bail!("token {:?} is shorter than 16 characters", entry.name);
            }
            // A header value is visible ASCII; a token with spaces or other
            // characters could never be sent, so it would only look valid.
            if !entry.token.bytes().all(|b| b.is_ascii_graphic()) {
                bail!("token {:?} must be printable ASCII without spaces", entry.name);
            }
            let sellers = match entry.sellers {
                SellerSet::All(star) if star == "*" => None,
                SellerSet::All(other) => {
                    bail!("token {:?}: sellers must be \"*\" or a list, not {other:?}", entry.name)
                }
                SellerSet::Listed(list) => Some(list.into_iter().collect()),
            };
            let grant = Arc::new(Grant { name: entry.name.clone(), role: entry.role, sellers });
            if by_token.insert(entry.token, grant).is_some() {
                bail!("token {:?} appears twice", entry.name);
            }
        }
        Ok(Tokens { by_token })
    }
}

/// The interceptor in front of the sellerhealth services: finds the caller's
/// grant and hands it to the handler in the request's extensions.
#[derive(Debug, Clone)]
pub struct Authenticator {
    tokens: Option<Arc<Tokens>>,
}

impl Authenticator {
    /// Checks bearer tokens against `tokens`; with `None`, lets every call in.
    pub fn new(tokens: Option<Tokens>) -> Authenticator {
        Authenticator { tokens: tokens.map(Arc::new) }
    }
}

impl tonic::service::Interceptor for Authenticator {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let grant = match &self.tokens {
            None => Arc::new(Grant::unrestricted()),
            Some(tokens) => {
                let header = request
                    .metadata()
                    .get("authorization")
                    .ok_or_else(|| Status::unauthenticated("missing authorization: Bearer TOKEN"))?;
                let token = header
                    .to_str()
                    .ok()
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .ok_or_else(|| Status::unauthenticated("authorization must be \"Bearer TOKEN\""))?;
                tokens.by_token.get(token.trim()).cloned().ok_or_else(|| Status::unauthenticated("unknown token"))?
            }
        };
        request.extensions_mut().insert(grant);
        Ok(request)
    }
}

/// The grant the [`Authenticator`] attached to `request`. A request that did not
/// pass through it (a wiring mistake) gets no rights at all.
pub fn grant<T>(request: &Request<T>) -> Arc<Grant> {
    request.extensions().get::<Arc<Grant>>().cloned().unwrap_or_else(|| {
        Arc::new(Grant { name: "unauthenticated".into(), role: Role::Read, sellers: Some(HashSet::new()) })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn roles_and_seller_sets_limit_a_grant() {
        let tokens = Tokens::parse(
            r#"{"tokens": [
                {"name": "dash", "token": "read-token-0123456789", "role": "read", "sellers": ["s1"]},
                {"name": "bot", "token": "write-token-0123456789", "role": "write", "sellers": "*"}
            ]}"#,
        )
        .unwrap();
        let dash = &tokens.by_token["read-token-0123456789"];
        assert!(dash.allow("s1", Role::Read).is_ok());
        assert_eq!(dash.allow("s2", Role::Read).unwrap_err().code(), tonic::Code::PermissionDenied);
        assert_eq!(dash.allow("s1", Role::Write).unwrap_err().code(), tonic::Code::PermissionDenied);
        let bot = &tokens.by_token["write-token-0123456789"];
        assert!(bot.allow("anyone", Role::Write).is_ok());
        assert_eq!(bot.allow("anyone", Role::Admin).unwrap_err().code(), tonic::Code::PermissionDenied);
    }

    #[test]
    fn bad_token_files_are_refused() {
        let short = r#"{"tokens": [{"name": "x", "token": "short", "role": "read", "sellers": "*"}]}"#;
        assert!(Tokens::parse(short).unwrap_err().to_string().contains("shorter than 16"));
        let star = r#"{"tokens": [{"name": "x", "token": "0123456789abcdef", "role": "read", "sellers": "all"}]}"#;
        assert!(Tokens::parse(star).is_err());
        let role = r#"{"tokens": [{"name": "x", "token": "0123456789abcdef", "role": "root", "sellers": "*"}]}"#;
        assert!(Tokens::parse(role).is_err());
        let spaces = r#"{"tokens": [{"name": "blank", "token": "                ", "role": "read", "sellers": "*"}]}"#;
        assert_eq!(
            format!("{:#}", Tokens::parse(spaces).unwrap_err()),
            "token \"blank\" must be printable ASCII without spaces"
        );
        let inner = r#"{"tokens": [{"name": "gap", "token": "0123456789 abcdef", "role": "read", "sellers": "*"}]}"#;
        assert!(Tokens::parse(inner).is_err());
    }
}
