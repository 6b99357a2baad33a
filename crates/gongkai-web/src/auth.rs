//! Who is calling: a session cookie (console) or a bearer token (API).

use crate::WebState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use gongkai_app::Actor;

pub const SESSION_COOKIE: &str = "gk_session";
/// Double-submit cookie protecting the login form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "gk_login_csrf";

/// The caller, if any: from `Authorization: Bearer …`, else from the session cookie.
#[derive(Clone)]
pub struct Caller {
    pub actor: Option<Actor>,
    /// CSRF token of the session; None for bearer tokens (not sent by browsers by themselves).
    pub csrf: Option<String>,
    pub via_token: bool,
    /// A bearer token was sent but is not valid.
    pub bad_token: bool,
    /// The browser's flash token (`crate::flash`), if it has one.
    pub flash: Option<String>,
}

impl FromRequestParts<WebState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let app = &state.app;
        if let Some(h) = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let token = h.strip_prefix("Bearer ").unwrap_or("").trim();
            let actor = if token.is_empty() { None } else { app.token_actor(token).await.ok().flatten() };
            let bad = actor.is_none();
            return Ok(Caller { actor, csrf: None, via_token: true, bad_token: bad, flash: None });
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let flash = jar.get(crate::flash::FLASH_COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() <= 64);
        if let Some(c) = jar.get(SESSION_COOKIE)
            && let Ok(Some((actor, csrf))) = app.session_actor(c.value()).await
        {
            return Ok(Caller { actor: Some(actor), csrf: Some(csrf), via_token: false, bad_token: false, flash });
        }
        Ok(Caller { actor: None, csrf: None, via_token: false, bad_token: false, flash })
    }
}

/// Constant-time comparison of CSRF tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The address a request came from: the peer, or — when the peer is one of the configured
/// `trusted_proxies` — the nearest address in `X-Forwarded-For` that is not a trusted
/// proxy. A header from anyone else is ignored, so it cannot be used to dodge the limits.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl FromRequestParts<WebState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddr(client_addr(peer, &parts.headers, &state.app.config.trusted_proxies)))
    }
}

pub fn client_addr(
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(forwarded.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer))
}

#[cfg(test)]
mod tests {
    use super::client_addr;
    use axum::http::HeaderMap;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.5".parse().unwrap());
        let proxy = "10.0.0.5".parse().unwrap();
        let peer = "198.51.100.7".parse().unwrap();
        assert_eq!(client_addr(Some(peer), &h, &[proxy]), Some(peer), "a header from an untrusted peer is ignored");
        let client = "203.0.113.9".parse().unwrap();
        assert_eq!(client_addr(Some(proxy), &h, &[proxy]), Some(client));
        assert_eq!(client_addr(Some(proxy), &HeaderMap::new(), &[proxy]), Some(proxy));
        assert_eq!(client_addr(None, &h, &[proxy]), None);
    }
}
