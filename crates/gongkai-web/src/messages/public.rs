//! 互动交流 on the portal: the published questions and answers with the channel's figures,
//! the form for 咨询建言 and 领导信箱, the receipt with the reference and query code, and
//! following a message (a POST, so the code stays out of addresses and logs). No account
//! needed; limited per source address, with a field only robots fill in.

use crate::WebState;
use crate::auth::Caller;
use crate::error::Id;
use crate::flash::{self, Flash};
use crate::views::{self, Feedback, Frame, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_app::AppError;
use gongkai_app::messages::{MessageSummary, NewMessage, PublicMessage, TrackedMessage};
use gongkai_domain::message::{Mailbox, MessageCategory};
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/messages", get(list))
        .route("/messages/new", get(form).post(submit))
        .route("/messages/done", get(done))
        .route("/messages/track", get(track_form).post(track))
        .route("/messages/{id}", get(show))
}

fn frame(s: &WebState, title: &str, href: &str) -> Frame {
    let f = Frame::new(&s.app.config.site_name, title, "互动交流").crumb("互动交流", "/messages");
    if href == "/messages" { f } else { f.crumb(title, href) }
}

fn categories() -> Vec<(&'static str, &'static str)> {
    MessageCategory::ALL.iter().map(|c| (c.code(), c.label())).collect()
}

#[derive(Template)]
#[template(path = "messages/list.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<PublicMessage>,
    summary: MessageSummary,
    categories: Vec<(&'static str, &'static str)>,
    category: String,
    total: u64,
    page: u64,
    pages: u64,
    days: u32,
}

#[derive(Deserialize, Default)]
struct ListParams {
    category: Option<String>,
    page: Option<String>,
}

async fn list(State(s): State<WebState>, q: Result<Query<ListParams>, QueryRejection>) -> Response {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let category = p.category.as_deref().and_then(MessageCategory::parse);
    let page = p.page.and_then(|n| n.parse::<u64>().ok()).filter(|n| (1..=500).contains(n)).unwrap_or(1);
    let summary = match s.app.public_message_summary().await {
        Ok(x) => x,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    match s.app.published_messages(category, page, 20).await {
        Ok((rows, total)) => render(&ListPage {
            frame: frame(&s, "互动交流", "/messages"),
            rows,
            summary,
            categories: categories(),
            category: category.map(|c| c.code().to_string()).unwrap_or_default(),
            total,
            page,
            pages: total.div_ceil(20).max(1),
            days: s.app.config.message_answer_days,
        }),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "messages/form.html")]
struct FormPage {
    frame: Frame,
    mailbox: Mailbox,
    categories: Vec<(&'static str, &'static str)>,
    bodies: Vec<(i64, String)>,
    fb: Feedback,
    days: u32,
}

#[derive(Deserialize, Default)]
struct FormParams {
    #[serde(rename = "box")]
    mailbox: Option<String>,
}

async fn form_page(s: &WebState, mailbox: Mailbox, fb: Feedback) -> Response {
    let bodies = match s.app.message_bodies().await {
        Ok(b) => b.into_iter().map(|o| (o.id, o.name)).collect(),
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let page = FormPage {
        frame: frame(s, mailbox.label(), "/messages/new"),
        mailbox,
        categories: categories(),
        bodies,
        days: s.app.config.message_answer_days,
        fb,
    };
    views::render_as(page.fb.status(), &page)
}

async fn form(State(s): State<WebState>, q: Result<Query<FormParams>, QueryRejection>) -> Response {
    let mailbox = q.ok().and_then(|Query(p)| p.mailbox).and_then(|b| Mailbox::parse(&b)).unwrap_or(Mailbox::Consult);
    form_page(&s, mailbox, Feedback::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MessageForm {
    mailbox: String,
    category: String,
    org_id: String,
    subject: String,
    body: String,
    name: String,
    contact: String,
    consent: Option<String>,
    /// Hidden from people; a robot fills it in.
    website: String,
}

async fn submit(State(s): State<WebState>, c: Caller, axum::Form(f): axum::Form<MessageForm>) -> Response {
    if !f.website.is_empty() {
        // A robot: told it worked, and nothing is filed.
        return Redirect::to("/messages/done").into_response();
    }
    let mailbox = Mailbox::parse(&f.mailbox).unwrap_or(Mailbox::Consult);
    let mut fields = vec![
        ("mailbox".to_string(), f.mailbox.clone()),
        ("category".to_string(), f.category.clone()),
        ("org_id".to_string(), f.org_id.clone()),
        ("subject".to_string(), f.subject.clone()),
        ("body".to_string(), f.body.clone()),
        ("name".to_string(), f.name.clone()),
        ("contact".to_string(), f.contact.clone()),
    ];
    if f.consent.is_some() {
        fields.push(("consent".to_string(), "on".to_string()));
    }
    let org_id = match f.org_id.trim() {
        "" => Ok(None),
        v => v.parse::<i64>().map(Some).map_err(|_| AppError::field("org_id", "请选择受理单位")),
    };
    let result = match org_id {
        Ok(org_id) => {
            s.app
                .submit_message(NewMessage {
                    mailbox: f.mailbox,
                    category: f.category,
                    org_id,
                    subject: f.subject,
                    body: f.body,
                    name: f.name,
                    contact: f.contact,
                    consent: f.consent.is_some(),
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => {
            let receipt = Flash::Message {
                reference: r.reference,
                query_code: r.query_code,
                org_name: r.org_name,
                due_on: r.due_on.to_string(),
            };
            flash::redirect_with(&s, &c, "/messages/done", receipt).await
        }
        Err(e) => form_page(&s, mailbox, Feedback::refused("message", fields, &e)).await,
    }
}

#[derive(Template)]
#[template(path = "messages/done.html")]
struct DonePage {
    frame: Frame,
    /// Reference, query code, answering body, target date.
    receipt: Option<(String, String, String, String)>,
}

async fn done(State(s): State<WebState>, c: Caller) -> Response {
    let receipt = flash::message_receipt(&s, &c).await;
    render(&DonePage { frame: frame(&s, "留言已提交", "/messages/done"), receipt })
}

#[derive(Template)]
#[template(path = "messages/track.html")]
struct TrackPage {
    frame: Frame,
    reference: String,
    found: Option<TrackedMessage>,
    error: String,
}

#[derive(Deserialize, Default)]
struct TrackParams {
    reference: Option<String>,
    query_code: Option<String>,
}

async fn track_form(State(s): State<WebState>, q: Result<Query<TrackParams>, QueryRejection>) -> Response {
    let reference = q.ok().and_then(|Query(p)| p.reference).unwrap_or_default().chars().take(32).collect();
    render(&TrackPage {
        frame: frame(&s, "留言查询", "/messages/track"), reference, found: None, error: String::new()
    })
}

async fn track(State(s): State<WebState>, axum::Form(p): axum::Form<TrackParams>) -> Response {
    let reference: String = p.reference.clone().unwrap_or_default().chars().take(32).collect();
    let (found, error, status) = match (&p.reference, &p.query_code) {
        (Some(r), Some(c)) if !r.trim().is_empty() => match s.app.track_message(r, c).await {
            Ok(m) => (Some(m), String::new(), StatusCode::OK),
            Err(e @ AppError::NotFound(_)) => (None, e.to_string(), StatusCode::NOT_FOUND),
            Err(e) => return views::error_page(&s.app.config.site_name, &e),
        },
        _ => (None, "请填写留言编号和查询码".to_string(), StatusCode::UNPROCESSABLE_ENTITY),
    };
    views::render_as(status, &TrackPage { frame: frame(&s, "留言查询", "/messages/track"), reference, found, error })
}

#[derive(Template)]
#[template(path = "messages/show.html")]
struct ShowPage {
    frame: Frame,
    m: PublicMessage,
}

async fn show(State(s): State<WebState>, Id(id): Id) -> Response {
    match s.app.published_message(id).await {
        Ok(m) => {
            let frame = frame(&s, &m.subject.clone(), &format!("/messages/{id}"));
            render(&ShowPage { frame, m })
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}
