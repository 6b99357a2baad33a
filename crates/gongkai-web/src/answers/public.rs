//! The portal's 智能问答 page: a question in, an answer citing its articles out — or 未找到
//! 足够依据 with the nearest articles — always with what to do next.

use crate::WebState;
use crate::views::{Frame, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use gongkai_app::AppError;
use gongkai_app::answers::{Answer, Channel};

pub(super) fn routes() -> axum::Router<WebState> {
    axum::Router::new().route("/qa", axum::routing::get(ask))
}

#[derive(serde::Deserialize, Default)]
struct AskQuery {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "answers/page.html")]
struct AskPage {
    frame: Frame,
    q: String,
    error: String,
    answer: Option<Answer>,
    /// Articles covered by semantic retrieval, shown when it is off.
    semantic_note: String,
}

async fn ask(
    State(s): State<WebState>,
    q: Result<Query<AskQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let app = &s.app;
    let q = q.map(|Query(p)| p.q.unwrap_or_default()).unwrap_or_default();
    let frame = Frame::new(&app.config.site_name, "智能问答", "智能问答").crumb("智能问答", "/qa");
    let mut page = AskPage { frame, q: q.clone(), error: String::new(), answer: None, semantic_note: String::new() };
    if !q.trim().is_empty() {
        match app.answer(&q, Channel::Portal).await {
            Ok(a) => {
                if !a.semantic {
                    page.semantic_note =
                        "本站当前按关键词检索条款（未启用语义检索），换一种说法或使用文件中的用语可能找到更多依据。"
                            .into();
                }
                page.answer = Some(a);
            }
            Err(AppError::Validation(errs)) => {
                page.error = errs.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            }
            Err(e) => return crate::views::error_page(&app.config.site_name, &e),
        }
    }
    let status =
        if page.error.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    (status, render(&page)).into_response()
}

impl AskPage {
    /// `#art-N` of 第N条 on the document page; district parts have no anchor.
    fn anchor(&self, label: &str) -> String {
        let n = label.trim_start_matches('第').trim_end_matches('条');
        gongkai_domain::body::chinese_number(n).map(|n| format!("#art-{n}")).unwrap_or_default()
    }
}
