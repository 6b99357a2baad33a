//! `/api/v1/answers`: an answer with its citations, or the nearest articles.

use crate::WebState;
use crate::api::{Failures, reader};
use crate::auth::Caller;
use crate::error::{ApiQuery, WebResult};
use crate::views::marked;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use gongkai_app::answers::{Answer, AnswerSource, Channel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn api() -> OpenApiRouter<WebState> {
    OpenApiRouter::new().routes(routes!(answers))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AskQuery {
    /// 问题，不超过200字
    q: Option<String>,
}

/// An answer; each source's excerpt is also given as HTML (`snippet`).
#[derive(Serialize, ToSchema)]
struct ApiAnswer {
    #[serde(flatten)]
    answer: Answer,
    /// The sources' excerpts as HTML (text escaped, matches in `<b>`), in order.
    snippets: Vec<String>,
}

#[utoipa::path(get, path = "/v1/answers", params(AskQuery), responses((status = 200, description = "回答（每句注明依据的文件、条款、版本和有效性），或未找到足够依据时最相近的条款", body = ApiAnswer), Failures), summary = "智能问答")]
async fn answers(State(s): State<WebState>, c: Caller, ApiQuery(p): ApiQuery<AskQuery>) -> WebResult {
    reader(&c)?;
    let answer = s.app.answer(p.q.as_deref().unwrap_or(""), Channel::Api).await?;
    let snippets = answer.sources.iter().map(|s: &AnswerSource| marked(&s.excerpt)).collect();
    Ok(Json(ApiAnswer { answer, snippets }).into_response())
}
