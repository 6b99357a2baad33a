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

/// The colloquial→statutory table of policy Q&A: shipped rows, the office's rows with
/// who proposed and approved them, a form to propose one.
#[derive(Template)]
#[template(path = "search/expansions.html")]
struct ExpansionsPage {
    frame: Frame,
    shipped: Vec<(String, String)>,
    rows: Vec<ExpansionLine>,
    fb: Feedback,
    /// Articles with a vector, and all, for the status line.
    semantic: String,
}

struct ExpansionLine {
    id: i64,
    colloquial: String,
    statutory: String,
    note: String,
    proposed: String,
    approved: String,
    /// The signed-in person may approve it (someone else proposed it).
    can_approve: bool,
}

pub(super) fn expansion_routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/expansions", get(expansions).post(propose_expansion))
        .route("/admin/expansions/{id}/approve", post(approve_expansion))
        .route("/admin/expansions/{id}/delete", post(remove_expansion))
}

async fn expansions_page(s: &WebState, c: &Caller, fb: Feedback) -> Response {
    let rows = match s.app.expansion_list().await {
        Ok(r) => r,
        Err(e) => return views::error_page(site(s), &e),
    };
    let semantic = match s.app.semantic_status().await {
        Ok(st) if st.enabled => {
            format!("语义检索已启用（{}），已计算向量的条款 {} / {}。", st.note, st.covered, st.articles)
        }
        Ok(st) => format!("语义检索未启用：{}。问答按关键词和本表检索。", st.note),
        Err(_) => String::new(),
    };
    let me = c.actor.as_ref().and_then(|a| a.user_id);
    views::render_as(
        fb.status(),
        &ExpansionsPage {
            frame: frame(s, c, "问答同义词"),
            shipped: s.app.shipped_expansions().into_iter().map(|(f, t)| (f, t.join("、"))).collect(),
            rows: rows
                .into_iter()
                .map(|r| ExpansionLine {
                    id: r.id,
                    can_approve: r.approved_at.is_none() && r.created_by != me,
                    colloquial: r.colloquial,
                    statutory: r.statutory.join("、"),
                    note: r.note,
                    proposed: datetime(&Some(r.created_at)),
                    approved: r.approved_at.map(|a| datetime(&Some(a))).unwrap_or_else(|| "待审核".into()),
                })
                .collect(),
            fb,
            semantic,
        },
    )
}

async fn expansions(State(s): State<WebState>, Staff { caller: c, .. }: Staff) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    expansions_page(&s, &c, Feedback::notice(notice)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExpansionForm {
    colloquial: String,
    statutory: String,
    note: String,
}

async fn propose_expansion(State(s): State<WebState>, f: StaffForm<ExpansionForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let input = gongkai_app::search::expansions::ExpansionInput {
        colloquial: f.colloquial,
        statutory: f.statutory,
        note: f.note,
    };
    match s.app.propose_expansion(&actor, &input).await {
        Ok(r) => {
            let msg = format!("已提出“{}”，须由公开办另一位同事审核后生效", r.colloquial);
            crate::flash::redirect_notice(&s, &c, "/admin/expansions", msg).await
        }
        Err(e) => expansions_page(&s, &c, Feedback::refused("exp", fields, &e)).await,
    }
}

async fn approve_expansion(State(s): State<WebState>, Id(id): Id, f: StaffForm<NoFields>) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let msg = match s.app.approve_expansion(&actor, id).await {
        Ok(r) => format!("“{}”已审核通过，问答即时生效", r.colloquial),
        Err(e) => format!("审核失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/expansions", msg).await
}

async fn remove_expansion(State(s): State<WebState>, Id(id): Id, f: StaffForm<NoFields>) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let msg = match s.app.remove_expansion(&actor, id).await {
        Ok(()) => "已删除".to_string(),
        Err(e) => format!("删除失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/expansions", msg).await
}

/// What policy Q&A was asked (masked), and the most-asked questions it could not answer.
#[derive(Template)]
#[template(path = "search/qa_log.html")]
struct QaLogPage {
    frame: Frame,
    days: i64,
    unanswered: Vec<(String, usize, String)>,
    recent: Vec<(String, String, bool, String)>,
    answered: usize,
    total: usize,
}

pub(super) fn qa_log_routes() -> axum::Router<WebState> {
    axum::Router::new().route("/admin/qa-log", axum::routing::get(qa_log))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DaysQuery {
    days: Option<i64>,
}

async fn qa_log(
    State(s): State<WebState>,
    Staff { caller: c, actor }: Staff,
    q: Result<axum::extract::Query<DaysQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let days = q.ok().and_then(|q| q.0.days).unwrap_or(30).clamp(1, 365);
    let log = match s.app.qa_log(&actor, days).await {
        Ok(l) => l,
        Err(e) => return views::error_page(site(&s), &e),
    };
    let unanswered = match s.app.unanswered_questions(&actor, days).await {
        Ok(u) => u,
        Err(e) => return views::error_page(site(&s), &e),
    };
    let page = QaLogPage {
        frame: frame(&s, &c, "问答记录"),
        days,
        answered: log.iter().filter(|e| e.answered).count(),
        total: log.len(),
        unanswered: unanswered
            .into_iter()
            .take(50)
            .map(|u| (u.question, u.times, datetime(&Some(u.last_asked))))
            .collect(),
        recent: log
            .into_iter()
            .take(100)
            .map(|e| (datetime(&Some(e.asked_at)), e.question, e.answered, e.citations.join("；")))
            .collect(),
    };
    views::render(&page)
}
