//! Shared pieces of pages: the frame, errors as pages and as JSON, formatting helpers.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_app::AppError;
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

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) | AppError::Locked(_) => StatusCode::FORBIDDEN,
        AppError::Validation(_) | AppError::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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

/// An error as a page of the portal.
pub fn error_page(site: &str, e: &AppError) -> Response {
    let status = status_of(e);
    let heading = match status {
        StatusCode::NOT_FOUND => "您访问的页面不存在",
        StatusCode::FORBIDDEN => "没有权限",
        StatusCode::UNAUTHORIZED => "请先登录",
        StatusCode::INTERNAL_SERVER_ERROR => "系统繁忙",
        _ => "请求有误",
    };
    let page = ErrorPage {
        frame: Frame::new(site, heading, "错误"),
        status: status.as_u16(),
        heading: heading.into(),
        message: e.to_string(),
    };
    (status, render(&page)).into_response()
}

/// API errors: `{"code", "message", "errors"?}` with the right status.
pub fn api_error(e: &AppError) -> Response {
    let mut body = serde_json::json!({ "code": e.code(), "message": e.to_string() });
    if let AppError::Validation(errs) = e {
        body["errors"] = serde_json::to_value(errs).unwrap_or_default();
    }
    (status_of(e), Json(body)).into_response()
}

pub fn api_bad_request(code: &str, message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "code": code, "message": message.into() }))).into_response()
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
