//! 我为政府网站找错 on the portal: the form (the page the visitor came from filled in), the
//! receipt with the reference, following a report by its reference, and the list of
//! answered reports. No account needed; limited per source address, with a field only
//! robots fill in.

use crate::WebState;
use crate::auth::Caller;
use crate::flash::{self, Flash};
use crate::views::{self, Feedback, Frame, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_app::patrol::reports::PublicReport;
use gongkai_domain::patrol::report::{ReportInput, ReportKind};
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/error-report", get(form).post(submit))
        .route("/error-report/done", get(done))
        .route("/error-reports", get(answered))
}

#[derive(Template)]
#[template(path = "patrol/report_form.html")]
struct FormPage {
    frame: Frame,
    kinds: Vec<(&'static str, &'static str)>,
    page: String,
    fb: Feedback,
    /// Working days to the answer.
    days: u32,
}

fn form_frame(s: &WebState) -> Frame {
    Frame::new(&s.app.config.site_name, "我为政府网站找错", "").crumb("我为政府网站找错", "/error-report")
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    ReportKind::ALL.iter().map(|k| (k.code(), k.label())).collect()
}

/// The host names this site answers to, as the request says (for a full address pasted in).
fn hosts(headers: &HeaderMap) -> Vec<String> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(|h| vec![h.to_string()]).unwrap_or_default()
}

#[derive(Deserialize, Default)]
struct FormParams {
    page: Option<String>,
}

/// The form; the page is the one named in the link, else the one the visitor came from.
async fn form(State(s): State<WebState>, headers: HeaderMap, q: Result<Query<FormParams>, QueryRejection>) -> Response {
    let named = q.ok().and_then(|Query(p)| p.page);
    let came_from = headers.get(header::REFERER).and_then(|r| r.to_str().ok()).map(str::to_string);
    let host = hosts(&headers);
    let hosts: Vec<&str> = host.iter().map(String::as_str).collect();
    let page = named
        .or(came_from)
        .and_then(|p| gongkai_domain::patrol::report::page_path(&p, &hosts).ok())
        .filter(|p| !p.starts_with("/error-report"))
        .unwrap_or_default();
    render(&FormPage {
        frame: form_frame(&s),
        kinds: kinds(),
        page,
        fb: Feedback::default(),
        days: s.app.config.error_report_days,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportForm {
    kind: String,
    page: String,
    description: String,
    contact: String,
    /// Hidden from people; a robot fills it in.
    website: String,
}

async fn submit(
    State(s): State<WebState>,
    c: Caller,
    headers: HeaderMap,
    axum::Form(f): axum::Form<ReportForm>,
) -> Response {
    if !f.website.is_empty() {
        // A robot: told it worked, and nothing is filed.
        return Redirect::to("/error-report/done").into_response();
    }
    let fields = vec![
        ("kind".to_string(), f.kind.clone()),
        ("page".to_string(), f.page.clone()),
        ("description".to_string(), f.description.clone()),
        ("contact".to_string(), f.contact.clone()),
    ];
    let host = hosts(&headers);
    let hosts: Vec<&str> = host.iter().map(String::as_str).collect();
    let input = ReportInput { kind: f.kind, page: f.page, description: f.description, contact: f.contact };
    match s.app.submit_error_report(input, &hosts).await {
        Ok(r) => {
            let receipt = Flash::Report { reference: r.reference, due_on: r.due_on.to_string() };
            flash::redirect_with(&s, &c, "/error-report/done", receipt).await
        }
        Err(e) => {
            let fb = Feedback::refused("report", fields, &e);
            views::render_as(
                fb.status(),
                &FormPage {
                    frame: form_frame(&s),
                    kinds: kinds(),
                    page: String::new(),
                    fb,
                    days: s.app.config.error_report_days,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "patrol/report_done.html")]
struct DonePage {
    frame: Frame,
    /// The reference and the due date, or nothing (a robot, or the receipt has gone).
    receipt: Option<(String, String)>,
}

async fn done(State(s): State<WebState>, c: Caller) -> Response {
    let receipt = flash::report_receipt(&s, &c).await;
    render(&DonePage { frame: form_frame(&s), receipt })
}

#[derive(Template)]
#[template(path = "patrol/reports.html")]
struct AnsweredPage {
    frame: Frame,
    rows: Vec<PublicReport>,
    total: u64,
    page: u64,
    pages: u64,
    reference: String,
    found: Option<PublicReport>,
    error: String,
}

#[derive(Deserialize, Default)]
struct AnsweredParams {
    page: Option<String>,
    reference: Option<String>,
}

/// Answered reports, and one report found by its reference.
async fn answered(State(s): State<WebState>, q: Result<Query<AnsweredParams>, QueryRejection>) -> Response {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let page = p.page.and_then(|n| n.parse::<u64>().ok()).filter(|n| (1..=500).contains(n)).unwrap_or(1);
    let reference = p.reference.unwrap_or_default().chars().take(20).collect::<String>();
    let (found, error) = if reference.trim().is_empty() {
        (None, String::new())
    } else {
        match s.app.track_error_report(&reference).await {
            Ok(r) => (Some(r), String::new()),
            Err(e) => (None, e.to_string()),
        }
    };
    match s.app.answered_error_reports(page, 20).await {
        Ok((rows, total)) => {
            let frame = Frame::new(&s.app.config.site_name, "找错留言答复", "").crumb("找错留言答复", "/error-reports");
            let pages = total.div_ceil(20).max(1);
            let status = if error.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::NOT_FOUND };
            views::render_as(status, &AnsweredPage { frame, rows, total, page, pages, reference, found, error })
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}
