//! Shared pieces of pages: the frame, errors as pages and as JSON, formatting helpers.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_app::AppError;
use std::borrow::Borrow;
use time::{Date, OffsetDateTime};

/// What every page's frame needs.
pub struct Frame {
    pub site_name: String,
    pub title: String,
    /// (label, link); the last is the current page.
    pub crumbs: Vec<(String, String)>,
    pub description: String,
    pub pub_date: String,
    pub content_source: String,
    pub column: String,
    pub q: String,
    /// Set in the admin console.
    pub user: Option<String>,
    pub csrf: String,
}

impl Frame {
    pub fn new(site_name: &str, title: impl Into<String>, column: &str) -> Frame {
        Frame {
            site_name: site_name.to_string(),
            title: title.into(),
            crumbs: vec![],
            description: String::new(),
            pub_date: String::new(),
            content_source: String::new(),
            column: column.to_string(),
            q: String::new(),
            user: None,
            csrf: String::new(),
        }
    }
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Frame {
        self.crumbs.push((label.into(), href.into()));
        self
    }
}

/// An excerpt as HTML: its text escaped, its matches in `<b>` (the API's `snippet`;
/// templates walk `Excerpt::pieces` and let askama escape).
pub fn marked(e: &gongkai_app::search::Excerpt) -> String {
    let mut out = String::with_capacity(e.text.len() + e.marks.len() * 7);
    for (piece, hit) in e.pieces() {
        if hit {
            out.push_str("<b>");
        }
        for c in piece.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        if hit {
            out.push_str("</b>");
        }
    }
    out
}

pub fn date(d: &Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

pub fn datetime(t: &Option<OffsetDateTime>) -> String {
    t.map(|t| {
        let t = t.to_offset(gongkai_domain::CST);
        format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute())
    })
    .unwrap_or_default()
}

pub fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1024.0).max(1.0))
    }
}

/// What a page of console forms says after a post: the notice of the last success
/// (Post/Redirect/Get), or the form that was refused — shown again as it was typed, each
/// error beside its field (`aria-invalid`, `aria-describedby`) and linked from a summary
/// that takes focus. Fields are `{form}-{field}` in the page (the macros in
/// `templates/forms.html`), so one page can hold several forms.
#[derive(Default)]
pub struct Feedback {
    pub notice: String,
    refused: Option<Refused>,
}

struct Refused {
    form: &'static str,
    values: Vec<(String, String)>,
    /// (field, message); an empty field is a message about the whole form.
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
}

impl Feedback {
    pub fn notice(notice: String) -> Feedback {
        Feedback { notice, refused: None }
    }

    /// Form `form` was refused with `e`; `values` are the fields as sent.
    pub fn refused(form: &'static str, values: Vec<(String, String)>, e: &AppError) -> Feedback {
        let status = StatusCode::from_u16(e.spec().status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        Feedback { notice: String::new(), refused: Some(Refused { form, values, errors: e.by_field(), status }) }
    }

    /// Form `form` was refused with these (field, message) pairs.
    pub fn refused_with(
        form: &'static str,
        values: Vec<(String, String)>,
        errors: Vec<(&'static str, String)>,
    ) -> Feedback {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        Feedback { notice: String::new(), refused: Some(Refused { form, values, errors, status }) }
    }

    fn of(&self, form: &str) -> Option<&Refused> {
        self.refused.as_ref().filter(|r| r.form == form)
    }

    /// Whether `form` is the one refused (a page may open its panel for it).
    pub fn is_refused(&self, form: &str) -> bool {
        self.of(form).is_some()
    }

    /// The value `field` of `form` had when it was refused, else `default`.
    pub fn v<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        match self.of(form) {
            Some(r) => r.values.iter().find(|(k, _)| k == field).map(|(_, v)| v.as_str()).unwrap_or(""),
            None => default,
        }
    }

    /// Whether option `value` of `field` is the one to select.
    pub fn selected(&self, form: &str, field: &str, value: &str, default: impl Borrow<bool>) -> bool {
        match self.of(form) {
            Some(_) => self.v(form, field, "") == value,
            None => *default.borrow(),
        }
    }

    /// Whether a checkbox is ticked: as sent when refused, else `default`.
    pub fn checked(&self, form: &str, field: &str, default: impl Borrow<bool>) -> bool {
        match self.of(form) {
            Some(r) => r.values.iter().any(|(k, _)| k == field),
            None => *default.borrow(),
        }
    }

    /// The message beside `field` (empty when none).
    pub fn err(&self, form: &str, field: &str) -> &str {
        self.of(form).and_then(|r| r.errors.iter().find(|(f, _)| *f == field)).map(|(_, m)| m.as_str()).unwrap_or("")
    }

    pub fn invalid(&self, form: &str, field: &str) -> bool {
        !self.err(form, field).is_empty()
    }

    /// The summary of `form`: (the id of the field to link to, or empty; message).
    pub fn summary(&self, form: &str) -> Vec<(String, String)> {
        let Some(r) = self.of(form) else { return vec![] };
        r.errors
            .iter()
            .map(|(f, m)| (if f.is_empty() { String::new() } else { format!("{form}-{f}") }, m.clone()))
            .collect()
    }

    /// 200, or the refusal's status (422 for what the user can correct).
    pub fn status(&self) -> StatusCode {
        self.refused.as_ref().map(|r| r.status).unwrap_or(StatusCode::OK)
    }
}

/// Renders a template with `status` (a refused form is 422).
pub fn render_as<T: Template>(status: StatusCode, t: &T) -> Response {
    let page = render(t);
    if page.status().is_success() { (status, page).into_response() } else { page }
}

/// Renders a template; a template error becomes a plain 500 page.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>系统错误</title><p>系统内部错误，请稍后重试。</p></html>".to_string())).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub frame: Frame,
    pub status: u16,
    pub heading: String,
    pub message: String,
}

/// An error, rendered by [`crate::error::render_errors`] as a page or as JSON by the
/// request's path.
pub fn error_page(_site: &str, e: &AppError) -> Response {
    crate::error::WebError(e.clone()).into_response()
}

/// An API error: `{"code", "message", "errors"?}` with the right status.
pub fn api_error(e: &AppError) -> Response {
    crate::error::WebError(e.clone()).into_response()
}

/// Page numbers to show around the current one.
pub fn pager(page: u64, pages: u64) -> Vec<u64> {
    let lo = page.saturating_sub(3).max(1);
    let hi = (page + 3).min(pages);
    (lo..=hi).collect()
}

/// Query string of a list without its page, for pager links.
pub fn query_without_page(params: &[(&str, &Option<String>)]) -> String {
    let mut s = String::new();
    for (k, v) in params {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.push_str(&format!("{k}={}&", urlencode(v)));
        }
    }
    s
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `Content-Disposition` for a download under its own (possibly Chinese) file name.
pub fn attachment_disposition(file_name: &str) -> String {
    format!("attachment; filename=\"download\"; filename*=UTF-8''{}", urlencode(file_name))
}

#[cfg(test)]
mod marked_tests {
    use super::marked;
    use gongkai_app::search::{Excerpt, Mark};

    #[test]
    fn an_excerpt_is_escaped_and_only_its_matches_are_marked() {
        let text = "<script>民政</script>&\"'".to_string();
        let start = text.find("民政").unwrap();
        let e = Excerpt { marks: vec![Mark { start, end: start + "民政".len() }], text };
        assert_eq!(marked(&e), "&lt;script&gt;<b>民政</b>&lt;/script&gt;&amp;&quot;&#39;");
        assert_eq!(marked(&Excerpt::default()), "");
    }
}
