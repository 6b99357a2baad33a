//! The portal's search page: results with their excerpts marked, facets, a relaxed
//! search when nothing matched, and "did you mean".

use crate::WebState;
use crate::views::{self, Frame, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gongkai_app::AppError;

pub(super) fn routes() -> axum::Router<WebState> {
    axum::Router::new().route("/search", axum::routing::get(search))
}

pub struct SearchRow {
    pub url: String,
    /// 政策解读 etc.; empty for documents.
    pub kind: String,
    pub current: bool,
    pub title: String,
    pub doc_no: String,
    pub excerpt: gongkai_app::search::Excerpt,
    pub validity: String,
    pub validity_code: String,
    pub date: String,
    pub exact: bool,
}

#[derive(Template)]
#[template(path = "search/page.html")]
struct SearchPage {
    frame: Frame,
    q: String,
    p: gongkai_app::search::SearchParams,
    rows: Vec<SearchRow>,
    total: usize,
    page: u64,
    pages: u64,
    base_query: String,
    rebuilding: bool,
    empty_query: bool,
    error: String,
    facets: Vec<FacetGroup>,
    relaxed: bool,
    did_you_mean: Option<String>,
    /// 相关条款: articles that answer the query.
    articles: Vec<(i64, String, String, gongkai_app::search::Excerpt)>,
}

/// 综合政务\政务公开 → 综合政务 › 政务公开
fn topic_label(path: &str) -> String {
    path.split(['\\', '/']).map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" › ")
}

fn validity_label(code: &str) -> String {
    gongkai_domain::Validity::parse(code).map(|v| v.label().to_string()).unwrap_or_default()
}

async fn search(
    State(s): State<WebState>,
    q: Result<Query<gongkai_app::search::SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let app = &s.app;
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let text = p.q.clone().unwrap_or_default();
    let mut frame = Frame::new(&app.config.site_name, "站内搜索", "搜索").crumb("站内搜索", "/search");
    frame.q = text.clone();
    let base_query = views::query_without_page(&[
        ("q", &p.q),
        ("source", &p.source),
        ("kind", &p.kind),
        ("topic", &p.topic),
        ("issuer", &p.issuer),
        ("category", &p.category),
        ("year", &p.year),
        ("validity", &p.validity),
        ("sort", &p.sort),
    ]);
    let (outcome, error) = match app.search(&p).await {
        Ok(o) => (Some(o), String::new()),
        Err(AppError::Validation(errs)) => {
            (None, errs.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"))
        }
        Err(e) => return views::error_page(&app.config.site_name, &e),
    };
    let mut page = SearchPage {
        frame,
        q: text,
        p: p.clone(),
        rows: vec![],
        total: 0,
        page: 1,
        pages: 1,
        base_query,
        rebuilding: false,
        empty_query: false,
        error,
        facets: vec![],
        relaxed: false,
        did_you_mean: None,
        articles: vec![],
    };
    if let Some(o) = outcome {
        page.rebuilding = o.rebuilding;
        page.relaxed = o.relaxed;
        page.did_you_mean = o.did_you_mean.clone();
        page.empty_query = o.empty_query;
        page.total = o.total;
        page.page = o.page;
        page.pages = (o.total as u64).div_ceil(o.per_page).clamp(1, 500);
        {
            let r = &o;
            page.rows = r
                .hits
                .iter()
                .map(|h| SearchRow {
                    url: h.url.clone(),
                    kind: if h.source == gongkai_app::search::DOCUMENT {
                        String::new()
                    } else {
                        app.source_label(&h.source).to_string()
                    },
                    current: h.current,
                    title: h.title.clone(),
                    doc_no: h.doc_no.clone().unwrap_or_default(),
                    excerpt: h.excerpt.clone(),
                    validity: validity_label(&h.validity),
                    validity_code: h.validity.clone(),
                    date: h.published_on.clone().unwrap_or_default(),
                    exact: h.exact,
                })
                .collect();
            let cat = |c: &str| gongkai_domain::Category::parse(c).map(|c| c.label().to_string()).unwrap_or_default();
            page.facets = vec![
                (
                    "source",
                    "内容类型",
                    r.facets.source.iter().map(|(k, n)| (k.clone(), app.source_label(k).to_string(), *n)).collect(),
                ),
                (
                    "validity",
                    "有效性",
                    r.facets.validity.iter().map(|(k, n)| (k.clone(), validity_label(k), *n)).collect(),
                ),
                ("category", "文件类别", r.facets.category.iter().map(|(k, n)| (k.clone(), cat(k), *n)).collect()),
                ("year", "年份", r.facets.year.iter().take(15).map(|(k, n)| (k.clone(), k.clone(), *n)).collect()),
                (
                    "kind",
                    "文种",
                    r.facets
                        .kind
                        .iter()
                        .filter_map(|(k, n)| {
                            gongkai_domain::DocumentKind::parse(k).map(|d| (k.clone(), d.label().to_string(), *n))
                        })
                        .collect(),
                ),
                (
                    "topic",
                    "主题分类",
                    // Stored as a path (综合政务\政务公开): shown as people read it.
                    r.facets.topic.iter().take(15).map(|(k, n)| (k.clone(), topic_label(k), *n)).collect(),
                ),
                (
                    "issuer",
                    "发文机关",
                    r.facets.issuer.iter().take(15).map(|(k, n)| (k.clone(), k.clone(), *n)).collect(),
                ),
            ];
        }
    }
    if !page.rebuilding && !page.empty_query && page.error.is_empty() && page.page == 1 {
        page.articles = app
            .passages(&page.q, 3)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|h| (h.doc_id, h.title, h.label, h.excerpt))
            .collect();
    }
    let status = if page.rebuilding { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

impl SearchPage {
    /// Link that sets one facet (or clears it when already set) and keeps the rest.
    fn facet_link(&self, name: &str, value: &str) -> String {
        let cur = |n: &str, v: &Option<String>| if n == name { None } else { v.clone() };
        let selected = match name {
            "source" => self.p.source.as_deref() == Some(value),
            "kind" => self.p.kind.as_deref() == Some(value),
            "topic" => self.p.topic.as_deref() == Some(value),
            "validity" => self.p.validity.as_deref() == Some(value),
            "category" => self.p.category.as_deref() == Some(value),
            "year" => self.p.year.as_deref() == Some(value),
            _ => self.p.issuer.as_deref() == Some(value),
        };
        let set = if selected { None } else { Some(value.to_string()) };
        let pick = |n: &str, v: &Option<String>| if n == name { set.clone() } else { cur(n, v) };
        format!(
            "/search?{}",
            views::query_without_page(&[
                ("q", &self.p.q),
                ("source", &pick("source", &self.p.source)),
                ("kind", &pick("kind", &self.p.kind)),
                ("topic", &pick("topic", &self.p.topic)),
                ("validity", &pick("validity", &self.p.validity)),
                ("category", &pick("category", &self.p.category)),
                ("year", &pick("year", &self.p.year)),
                ("issuer", &pick("issuer", &self.p.issuer)),
                ("sort", &self.p.sort),
            ])
        )
    }
    fn is_selected(&self, name: &str, value: &str) -> bool {
        match name {
            "source" => self.p.source.as_deref() == Some(value),
            "kind" => self.p.kind.as_deref() == Some(value),
            "topic" => self.p.topic.as_deref() == Some(value),
            "validity" => self.p.validity.as_deref() == Some(value),
            "category" => self.p.category.as_deref() == Some(value),
            "year" => self.p.year.as_deref() == Some(value),
            _ => self.p.issuer.as_deref() == Some(value),
        }
    }
    /// `art-N` anchor of an article label such as 第十二条.
    fn anchor(&self, label: &str) -> String {
        let n = label.trim_start_matches('第').trim_end_matches('条');
        gongkai_domain::body::chinese_number(n).map(|n| format!("art-{n}")).unwrap_or_default()
    }
    fn did_you_mean_link(&self) -> String {
        let t = self.did_you_mean.clone();
        format!("/search?{}", views::query_without_page(&[("q", &t)]))
    }
    /// 智能问答 with what was typed.
    fn qa_link(&self) -> String {
        let q = if self.q.trim().is_empty() { None } else { Some(self.q.clone()) };
        format!("/qa?{}", views::query_without_page(&[("q", &q)])).trim_end_matches(['?', '&']).to_string()
    }
    fn has_facets(&self) -> bool {
        self.facets.iter().any(|(_, _, v)| !v.is_empty())
    }
    /// Filters set.
    fn selected_count(&self) -> usize {
        [&self.p.source, &self.p.kind, &self.p.topic, &self.p.validity, &self.p.category, &self.p.year, &self.p.issuer]
            .iter()
            .filter(|v| v.is_some())
            .count()
    }
    fn by_date(&self) -> bool {
        self.p.sort.as_deref() == Some("date")
    }
}

/// (parameter, heading, [(value, label, count)]) of one facet menu.
type FacetGroup = (&'static str, &'static str, Vec<(String, String, u64)>);
