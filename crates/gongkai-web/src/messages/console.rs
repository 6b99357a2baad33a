//! 咨询建言 and 领导信箱 in the console: the body's inbox with each message's clock (the
//! district office sees all), and one message with its answer, forwarding, rejection and
//! taking a published one down.

use crate::WebState;
use crate::admin::frame;
use crate::auth::Caller;
use crate::error::Id;
use crate::forms::{Staff, StaffForm};
use crate::views::{self, Feedback, Frame};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use gongkai_app::Actor;
use gongkai_app::messages::{MessageAnswer, MessageSummary, StaffMessage};
use gongkai_domain::message::RejectReason;
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/messages", get(inbox))
        .route("/admin/messages.xlsx", get(export))
        .route("/admin/messages/{id}", get(show))
        .route("/admin/messages/{id}/answer", post(answer))
        .route("/admin/messages/{id}/forward", post(forward))
        .route("/admin/messages/{id}/reject", post(reject))
        .route("/admin/messages/{id}/unpublish", post(unpublish))
}

#[derive(Template)]
#[template(path = "messages/console_list.html")]
struct InboxPage {
    frame: Frame,
    rows: Vec<StaffMessage>,
    summary: MessageSummary,
    fb: Feedback,
}

async fn inbox(axum::extract::State(s): axum::extract::State<WebState>, Staff { caller: c, actor }: Staff) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    let summary = match s.app.message_summary(&actor).await {
        Ok(x) => x,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    match s.app.message_inbox(&actor).await {
        Ok(rows) => {
            views::render(&InboxPage {
                frame: frame(&s, &c, "咨询建言"), rows, summary, fb: Feedback::notice(notice)
            })
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

/// The person's bodies' messages as the .xlsx ledger.
async fn export(axum::extract::State(s): axum::extract::State<WebState>, Staff { actor, .. }: Staff) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let book = match s.app.message_inbox(&actor).await {
        Ok(rows) => gongkai_app::messages::messages_xlsx(&rows),
        Err(e) => Err(e),
    };
    match book {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (header::CONTENT_DISPOSITION, views::attachment_disposition("留言办理台账.xlsx")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "messages/console_show.html")]
struct ShowPage {
    frame: Frame,
    m: StaffMessage,
    /// Where it may be forwarded: every body for the district office, the office for a body.
    targets: Vec<(i64, String)>,
    reasons: Vec<(&'static str, &'static str)>,
    may_decide: bool,
    fb: Feedback,
}

async fn page(s: &WebState, c: &Caller, actor: &Actor, id: i64, fb: Feedback) -> Response {
    let m = match s.app.message_for(actor, id).await {
        Ok(m) => m,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let office = match s.app.system_actor().await {
        Ok(a) => a.org_id,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let targets = match s.app.message_bodies().await {
        Ok(b) => b
            .into_iter()
            .filter(|o| o.id != m.org_id && (actor.role.is_district_wide() || o.id == office))
            .map(|o| (o.id, o.name))
            .collect(),
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let page = ShowPage {
        frame: frame(s, c, &format!("留言 {}", m.reference)),
        m,
        targets,
        reasons: RejectReason::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        may_decide: actor.role.can_review(),
        fb,
    };
    views::render_as(page.fb.status(), &page)
}

async fn show(
    axum::extract::State(s): axum::extract::State<WebState>,
    Id(id): Id,
    Staff { caller: c, actor }: Staff,
) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    page(&s, &c, &actor, id, Feedback::notice(notice)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    answer: String,
    publish: Option<String>,
    question: String,
}

async fn answer(
    axum::extract::State(s): axum::extract::State<WebState>,
    Id(id): Id,
    f: StaffForm<AnswerForm>,
) -> Response {
    let StaffForm { caller: c, actor, form, fields } = f;
    let a = MessageAnswer { answer: form.answer, publish: form.publish.is_some(), question: Some(form.question) };
    match s.app.answer_message(&actor, id, a).await {
        Ok(m) => {
            let msg = if m.published {
                format!("已答复留言 {}，留言和答复已公开", m.reference)
            } else {
                format!("已答复留言 {}（未公开）", m.reference)
            };
            crate::flash::redirect_notice(&s, &c, &format!("/admin/messages/{id}"), msg).await
        }
        Err(e) => page(&s, &c, &actor, id, Feedback::refused("answer", fields, &e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ForwardForm {
    org_id: String,
    note: String,
}

async fn forward(
    axum::extract::State(s): axum::extract::State<WebState>,
    Id(id): Id,
    f: StaffForm<ForwardForm>,
) -> Response {
    let StaffForm { caller: c, actor, form, fields } = f;
    let result = match form.org_id.trim().parse::<i64>() {
        Ok(to) => s.app.forward_message(&actor, id, to, &form.note).await,
        Err(_) => Err(gongkai_app::AppError::field("org_id", "请选择转办的单位")),
    };
    match result {
        Ok(m) => {
            let msg = format!("已将留言 {} 转交{}办理", m.reference, m.org_name);
            // The message may now be out of this person's sight: back to the inbox.
            crate::flash::redirect_notice(&s, &c, "/admin/messages", msg).await
        }
        Err(e) => page(&s, &c, &actor, id, Feedback::refused("forward", fields, &e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RejectForm {
    reason: String,
}

async fn reject(
    axum::extract::State(s): axum::extract::State<WebState>,
    Id(id): Id,
    f: StaffForm<RejectForm>,
) -> Response {
    let StaffForm { caller: c, actor, form, fields } = f;
    match s.app.reject_message(&actor, id, &form.reason).await {
        Ok(m) => {
            let msg = format!("留言 {} 不予受理：{}", m.reference, m.reject_reason.unwrap_or_default());
            crate::flash::redirect_notice(&s, &c, &format!("/admin/messages/{id}"), msg).await
        }
        Err(e) => page(&s, &c, &actor, id, Feedback::refused("reject", fields, &e)).await,
    }
}

async fn unpublish(
    axum::extract::State(s): axum::extract::State<WebState>,
    Id(id): Id,
    f: StaffForm<crate::forms::NoFields>,
) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let msg = match s.app.unpublish_message(&actor, id).await {
        Ok(m) => format!("已撤下公开的留言 {}", m.reference),
        Err(e) => format!("未能撤下：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, &format!("/admin/messages/{id}"), msg).await
}
