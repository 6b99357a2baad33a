//! Post/Redirect/Get with flash messages kept server-side (`App::put_flash`): a form that
//! changed something redirects (303) to a page, which shows the message once. A refresh or
//! the back button never repeats the action, and no text reaches an official page through
//! the URL.

use crate::WebState;
use crate::auth::Caller;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};

/// The browser's flash token.
pub const FLASH_COOKIE: &str = "gk_flash";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flash {
    /// A console notice: "已保存", "已添加用户：…".
    Notice(String),
    /// An applicant's receipt, shown again on a refresh of the receipt page or when the
    /// same browser sends the same application again.
    Receipt { tracking_no: String, query_code: String },
    /// A request's identity number, asked for (and audited), shown once in full.
    Reveal { request_id: i64 },
    /// The reference of a 找错 report just filed, and by when it is answered.
    Report { reference: String, due_on: String },
    /// A message just filed: its reference and query code (shown again on a refresh), the
    /// body answering it and the target date.
    Message { reference: String, query_code: String, org_name: String, due_on: String },
}

/// Redirects to `to`, where `flash` is shown.
pub async fn redirect_with(s: &WebState, c: &Caller, to: &str, flash: Flash) -> Response {
    let (token, new) = match &c.flash {
        Some(t) => (t.clone(), false),
        None => (gongkai_app::App::new_flash_token(), true),
    };
    let payload = serde_json::to_string(&flash).unwrap_or_default();
    if let Err(e) = s.app.put_flash(&token, &payload).await {
        // The change itself was made; only its notice is lost.
        tracing::warn!(error = %e, "flash not kept");
    }
    let mut resp = Redirect::to(to).into_response();
    if new {
        let cookie = Cookie::build((FLASH_COOKIE, token))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(s.app.config.secure_cookies)
            .build();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Redirects to `to` with a notice.
pub async fn redirect_notice(s: &WebState, c: &Caller, to: &str, notice: impl Into<String>) -> Response {
    redirect_with(s, c, to, Flash::Notice(notice.into())).await
}

/// The notice waiting for this browser, shown once (empty when there is none).
pub async fn take_notice(s: &WebState, c: &Caller) -> String {
    let Some(token) = &c.flash else { return String::new() };
    match s.app.peek_flash(token).await.ok().flatten().and_then(|p| serde_json::from_str::<Flash>(&p).ok()) {
        Some(Flash::Notice(n)) => {
            let _ = s.app.take_flash(token).await;
            n
        }
        _ => String::new(),
    }
}

/// The receipt waiting for this browser, left in place.
pub async fn receipt(s: &WebState, c: &Caller) -> Option<(String, String)> {
    let token = c.flash.as_ref()?;
    match s.app.peek_flash(token).await.ok().flatten().and_then(|p| serde_json::from_str::<Flash>(&p).ok()) {
        Some(Flash::Receipt { tracking_no, query_code }) => Some((tracking_no, query_code)),
        _ => None,
    }
}

/// Whether this browser just asked to see request `id`'s identity number (taken once).
pub async fn take_reveal(s: &WebState, c: &Caller, id: i64) -> bool {
    let Some(token) = &c.flash else { return false };
    match s.app.peek_flash(token).await.ok().flatten().and_then(|p| serde_json::from_str::<Flash>(&p).ok()) {
        Some(Flash::Reveal { request_id }) if request_id == id => {
            let _ = s.app.take_flash(token).await;
            true
        }
        _ => false,
    }
}

/// The 找错 receipt waiting for this browser, left in place (a refresh shows it again).
pub async fn report_receipt(s: &WebState, c: &Caller) -> Option<(String, String)> {
    let token = c.flash.as_ref()?;
    match s.app.peek_flash(token).await.ok().flatten().and_then(|p| serde_json::from_str::<Flash>(&p).ok()) {
        Some(Flash::Report { reference, due_on }) => Some((reference, due_on)),
        _ => None,
    }
}

/// The receipt of a message just filed, left in place (a refresh shows it again).
pub async fn message_receipt(s: &WebState, c: &Caller) -> Option<(String, String, String, String)> {
    let token = c.flash.as_ref()?;
    match s.app.peek_flash(token).await.ok().flatten().and_then(|p| serde_json::from_str::<Flash>(&p).ok()) {
        Some(Flash::Message { reference, query_code, org_name, due_on }) => {
            Some((reference, query_code, org_name, due_on))
        }
        _ => None,
    }
}
