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
