//! The district office's dictionary of terms search must keep whole.

use crate::WebState;
use crate::admin::{frame, site};
use crate::auth::Caller;
use crate::error::Id;
use crate::forms::{NoFields, Staff, StaffForm};
use crate::views::{self, Feedback, Frame, datetime};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

pub(super) fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/search-terms", get(search_terms).post(add_search_term))
        .route("/admin/search-terms/{id}/delete", post(remove_search_term))
}

#[derive(Template)]
#[template(path = "search/dictionary.html")]
struct SearchTermsPage {
    frame: Frame,
    shipped: String,
    terms: Vec<(i64, String, String, String)>,
    rebuilding: bool,
    fb: Feedback,
}

async fn search_terms_page(s: &WebState, c: &Caller, fb: Feedback) -> Response {
    match s.app.search_term_list().await {
        Ok(list) => views::render_as(
            fb.status(),
            &SearchTermsPage {
                frame: frame(s, c, "检索词典"),
                shipped: gongkai_app::search::SHIPPED_TERMS.join("、"),
                terms: list.into_iter().map(|t| (t.id, t.term, t.note, datetime(&Some(t.created_at)))).collect(),
                rebuilding: s.app.search_needs_rebuild(),
                fb,
            },
        ),
        Err(e) => views::error_page(site(s), &e),
    }
}

async fn search_terms(State(s): State<WebState>, Staff { caller: c, .. }: Staff) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    search_terms_page(&s, &c, Feedback::notice(notice)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TermForm {
    term: String,
    note: String,
}

async fn add_search_term(State(s): State<WebState>, f: StaffForm<TermForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    match s.app.add_search_term(actor, &f.term, &f.note).await {
        Ok(t) => {
            let msg = format!("已添加“{}”，搜索索引正在重建", t.term);
            crate::flash::redirect_notice(&s, &c, "/admin/search-terms", msg).await
        }
        Err(e) => search_terms_page(&s, &c, Feedback::refused("term", fields, &e)).await,
    }
}

async fn remove_search_term(State(s): State<WebState>, Id(id): Id, f: StaffForm<NoFields>) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let actor = &actor;
    let msg = match s.app.remove_search_term(actor, id).await {
        Ok(()) => "已删除，搜索索引正在重建".to_string(),
        Err(e) => format!("删除失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/search-terms", msg).await
}
