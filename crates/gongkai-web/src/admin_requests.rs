//! The console for requests (依申请公开): the supervision queue, a request with its timeline
//! and due-date reckoning, forms for each handling step, and the reply letter.

use crate::WebState;
use crate::admin::{Fields, frame, need, need_csrf};
use crate::auth::Caller;
use crate::views::{self, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use gongkai_app::requests::{EventInput, Letter, QueueRow, RequestDetail};
use gongkai_domain::request::Outcome;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/requests", get(queue))
        .route("/admin/requests/{id}", get(detail))
        .route("/admin/requests/{id}/events", post(event))
        .route("/admin/requests/{id}/letter", post(letter))
}

#[derive(Template)]
#[template(path = "admin/requests.html")]
struct QueuePage {
    frame: views::Frame,
    rows: Vec<QueueRow>,
}

async fn queue(State(s): State<WebState>, c: Caller) -> Response {
    let actor = match need(&c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match s.app.request_queue(actor).await {
        Ok(rows) => render(&QueuePage { frame: frame(&s, &c, "依申请公开办理"), rows }),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "admin/request.html")]
struct DetailPage {
    frame: views::Frame,
    d: RequestDetail,
    letter: Option<Letter>,
    outcomes: Vec<(&'static str, String)>,
    message: String,
}

impl DetailPage {
    fn event_label(&self, kind: &str) -> String {
        gongkai_app::requests::event_label(kind)
    }
}

async fn detail_page(s: &WebState, c: &Caller, id: i64, message: String) -> Response {
    let actor = match need(c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let d = match s.app.request_detail(actor, id).await {
        Ok(d) => d,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let letter = s.app.reply_letter(actor, id).await.ok();
    let outcomes = Outcome::ALL.iter().map(|o| (o.code(), format!("{}：{}", o.group(), o.label()))).collect();
    let title = format!("申请 {}", d.request.tracking_no);
    render(&DetailPage { frame: frame(s, c, &title), d, letter, outcomes, message })
}

async fn detail(State(s): State<WebState>, c: Caller, Path(id): Path<i64>) -> Response {
    detail_page(&s, &c, id, String::new()).await
}

async fn event(State(s): State<WebState>, c: Caller, Path(id): Path<i64>, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let o = |k: &str| f.get(k).cloned().filter(|v| !v.trim().is_empty());
    let input = EventInput {
        kind: o("kind").unwrap_or_default(),
        on_date: o("on_date").unwrap_or_default(),
        note: o("note"),
        days: o("days").and_then(|d| d.trim().parse().ok()),
        approver: o("approver"),
        outcome: o("outcome"),
        basis: o("basis"),
        party: o("party"),
    };
    let msg = match s.app.record_request_event(actor, id, input).await {
        Ok(_) => "已登记".to_string(),
        Err(e) => format!("未能登记：{e}"),
    };
    detail_page(&s, &c, id, msg).await
}

async fn letter(State(s): State<WebState>, c: Caller, Path(id): Path<i64>, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let msg = match s.app.save_letter(actor, id, f.get("text").map(String::as_str).unwrap_or("")).await {
        Ok(_) => "答复书已保存".to_string(),
        Err(e) => format!("未能保存：{e}"),
    };
    detail_page(&s, &c, id, msg).await
}
