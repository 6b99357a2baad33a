//! The web crate's HTTP tests, one module per concern, in one test binary: each binary
//! links the whole application, and on a two-core CI machine six links cost minutes.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod answers;
mod api;
mod errors;
mod faq;
mod forms;
mod links;
mod login;
mod messages;
mod patrol;
mod prg;
mod requests;
mod trust;

/// Percent-encodes every byte but ASCII letters and digits, as a browser sends form text.
pub(crate) fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A browser for the HTTP tests: it keeps the cookies it is given.
pub(crate) struct Browser {
    router: axum::Router,
    pub(crate) cookies: Vec<(String, String)>,
}

impl Browser {
    pub(crate) fn new(router: &axum::Router) -> Browser {
        Browser { router: router.clone(), cookies: vec![] }
    }

    pub(crate) async fn go(
        &mut self,
        method: &str,
        uri: &str,
        form: Option<String>,
    ) -> (StatusCode, String, Option<String>) {
        self.go_with(method, uri, form, &[]).await
    }

    /// `go` with request headers of its own (`Host`, `Referer`).
    pub(crate) async fn go_with(
        &mut self,
        method: &str,
        uri: &str,
        form: Option<String>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let mut b = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        if !self.cookies.is_empty() {
            let c = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            b = b.header(header::COOKIE, c);
        }
        let body = match form {
            Some(f) => {
                b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f)
            }
            None => Body::empty(),
        };
        let resp = self.router.clone().oneshot(b.body(body).unwrap()).await.unwrap();
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_string();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != k);
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let status = resp.status();
        let location = resp.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_string());
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).to_string(), location)
    }
}

/// The value of the hidden field `name` in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no {name} in the form"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The first `len` characters of the element with `id` (a receipt's number).
pub(crate) fn text_of(html: &str, id: &str, len: usize) -> String {
    let open = format!("id=\"{id}\">");
    let at = html.find(&open).unwrap_or_else(|| panic!("no {id} in the page")) + open.len();
    html[at..].chars().take(len).collect()
}
