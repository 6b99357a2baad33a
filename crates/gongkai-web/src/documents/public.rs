//! The library on the portal: the list with its filters, a document with its versions,
//! timeline, interpretations and attachments, the diff of two versions, interpretations.

use crate::WebState;
use crate::portal::{InterpRow, Row};
use crate::views::{self, Frame, date, datetime, render, size};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongkai_app::AppError;
use gongkai_app::documents::{DocumentDetail, ListParams};
use gongkai_domain::Validity;
use gongkai_domain::body::Block;
use gongkai_domain::diff::{Change, Segment};
use serde::Deserialize;

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route("/documents", get(list))
        .route("/documents/{id}", get(document))
        .route("/documents/{id}/diff", get(diff))
        .route("/interpretations", get(interpretations))
        .route("/interpretations/{id}", get(interpretation))
        .route("/attachments/{id}", get(attachment))
}
fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| AppError::NotFound(format!("“{s}”不是有效的编号")))
}

#[derive(Template)]
#[template(path = "documents/list.html")]
struct List {
    frame: Frame,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    pager: Vec<u64>,
    base_query: String,
    p: ListParams,
    issuers: Vec<String>,
    topics: Vec<String>,
    years: Vec<i32>,
    categories: Vec<(&'static str, &'static str)>,
    validities: Vec<(&'static str, &'static str)>,
    error: String,
}

impl List {
    /// Whether a filter is in use: then the folded filters start open, showing it.
    fn filtered(&self) -> bool {
        let p = &self.p;
        [&p.q, &p.issuer, &p.topic, &p.category, &p.year, &p.validity]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.is_empty()))
    }

    fn sel(&self, value: &Option<String>, v: &str) -> bool {
        value.as_deref() == Some(v)
    }
}

async fn list(
    State(s): State<WebState>,
    q: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let app = &s.app;
    let (p, mut error) = match q {
        Ok(Query(p)) => (p, String::new()),
        Err(_) => (ListParams::default(), "筛选条件有误，已显示全部文件".to_string()),
    };
    let page = match app.list_documents(None, &p).await {
        Ok(pg) => pg,
        Err(AppError::Validation(errs)) => {
            error = errs.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            match app.list_documents(None, &ListParams::default()).await {
                Ok(pg) => pg,
                Err(e) => return views::error_page(&app.config.site_name, &e),
            }
        }
        Err(e) => return views::error_page(&app.config.site_name, &e),
    };
    let (issuers, topics, years) = app.document_facets().await.unwrap_or_default();
    let mut frame = Frame::new(&app.config.site_name, "政策文件", "政策文件")
        .crumb("政务公开", "/documents")
        .crumb("政策文件", "/documents");
    frame.q = p.q.clone().unwrap_or_default();
    let base_query = views::query_without_page(&[
        ("issuer", &p.issuer),
        ("topic", &p.topic),
        ("category", &p.category),
        ("year", &p.year),
        ("validity", &p.validity),
        ("q", &p.q),
    ]);
    render(&List {
        frame,
        rows: page.items.iter().map(Row::of).collect(),
        total: page.total,
        page: page.page,
        pages: page.pages,
        pager: views::pager(page.page, page.pages),
        base_query,
        p,
        issuers,
        topics,
        years,
        categories: vec![("rules", "规章"), ("normative", "行政规范性文件"), ("other", "其他文件")],
        validities: vec![("in_force", "有效"), ("amended", "已修改"), ("repealed", "废止"), ("expired", "失效")],
        error,
    })
}

#[derive(Deserialize, Default)]
struct DocQuery {
    as_of: Option<String>,
}

/// A version as readers name it — by its date and what happened then (2024年9月27日修订)
/// — with its number; 第N版 only when it has no date.
fn version_label(v: &gongkai_app::documents::DocRef) -> String {
    let no = v.doc_no.as_ref().map(|n| format!("（{n}）")).unwrap_or_default();
    match v.published_on {
        Some(d) => {
            let what = if v.version_no <= 1 { "发布" } else { "修订" };
            format!("{}年{}月{}日{what}{no}", d.year(), d.month() as u8, d.day())
        }
        None => format!("第{}版{no}", v.version_no),
    }
}

pub struct VersionRow {
    pub id: i64,
    pub label: String,
    pub date: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "documents/document.html")]
struct DocPage {
    frame: Frame,
    d: DocumentDetail,
    meta: Vec<(&'static str, String)>,
    versions: Vec<VersionRow>,
    /// id, file name, kind, size, and why it is withheld if it is.
    attachments: Vec<(i64, String, String, String, Option<String>)>,
    banner: String,
    banner_links: Vec<(i64, String)>,
    as_of_value: String,
    as_of_note: String,
    prev_version: Option<i64>,
    signer_date: String,
}

impl DocPage {
    fn article_anchor(&self, b: &Block) -> String {
        b.anchor().unwrap_or_default()
    }
}

async fn document(
    State(s): State<WebState>,
    Path(id): Path<String>,
    q: Result<Query<DocQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let app = &s.app;
    let site = &app.config.site_name;
    let id = match parse_id(&id) {
        Ok(i) => i,
        Err(e) => return views::error_page(site, &e),
    };
    let as_of_raw = q.ok().and_then(|Query(q)| q.as_of).filter(|s| !s.trim().is_empty());
    let mut errs = Vec::new();
    let as_of = gongkai_app::documents::parse_date("as_of", "查询日期", &as_of_raw, &mut errs);
    if let Some(e) = errs.pop() {
        return views::error_page(site, &AppError::Validation(vec![e]));
    }
    let d = match app.document_detail(None, id, as_of).await {
        Ok(d) => d,
        Err(e) => return views::error_page(site, &e),
    };
    let doc = &d.document;
    let mut frame = Frame::new(site, doc.title.clone(), "政策文件")
        .crumb("政务公开", "/documents")
        .crumb("政策文件", "/documents")
        .crumb("正文", format!("/documents/{}", doc.id));
    frame.pub_date = date(&doc.published_on);
    frame.content_source = doc.issuer.clone();
    frame.description = doc.title.clone();
    let meta = vec![
        ("索引号", doc.index_no.clone()),
        ("主题分类", doc.topic.clone().unwrap_or_default()),
        (
            "发文机关",
            std::iter::once(doc.issuer.clone()).chain(doc.co_issuers.iter().cloned()).collect::<Vec<_>>().join("、"),
        ),
        ("成文日期", doc.signed_on_written.clone().unwrap_or_default()),
        ("标题", doc.title.clone()),
        ("发文字号", doc.doc_no.clone().unwrap_or_default()),
        ("文件类别", doc.category_label.clone()),
        ("发布日期", date(&doc.published_on)),
        ("施行日期", date(&doc.effective_on)),
        ("有效性", doc.validity_label.clone()),
    ];
    // An empty field reads 无, not a blank a reader takes for a fault of the page.
    let meta: Vec<(&str, String)> =
        meta.into_iter().map(|(k, v)| (k, if v.trim().is_empty() { "无".to_string() } else { v })).collect();
    let (banner, banner_links) = match doc.validity {
        Validity::Repealed => (
            "该文件已废止".to_string(),
            d.repealed_by_docs
                .iter()
                .map(|r| {
                    (
                        r.id,
                        format!(
                            "废止依据：{}{}",
                            r.title,
                            r.doc_no.as_ref().map(|n| format!("（{n}）")).unwrap_or_default()
                        ),
                    )
                })
                .collect(),
        ),
        Validity::Amended => (
            "该文件已修改，以下为历史版本".to_string(),
            doc.superseded_by.map(|i| vec![(i, "查看现行版本".to_string())]).unwrap_or_default(),
        ),
        Validity::Expired => ("该文件已失效".to_string(), vec![]),
        Validity::InForce => (String::new(), vec![]),
    };
    let versions = d
        .versions
        .iter()
        .map(|v| VersionRow { id: v.id, label: version_label(v), date: date(&v.published_on), current: v.id == doc.id })
        .collect::<Vec<_>>();
    let prev_version = d.versions.iter().filter(|v| v.version_no < doc.version_no).map(|v| v.id).next_back();
    let attachments = d
        .attachments
        .iter()
        .map(|a| {
            let kind = a.file_name.rsplit('.').next().unwrap_or("").to_uppercase();
            (a.id, a.file_name.clone(), kind, size(a.size), a.withheld.clone())
        })
        .collect();
    let as_of_note = d.as_of.as_ref().map(|a| a.note.clone()).unwrap_or_default();
    let signer_date = doc.signed_on_written.clone().unwrap_or_default();
    render(&DocPage {
        frame,
        meta,
        versions,
        attachments,
        banner,
        banner_links,
        as_of_value: as_of_raw.unwrap_or_default(),
        as_of_note,
        prev_version,
        signer_date,
        d,
    })
}

#[derive(Deserialize, Default)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
    /// `changed`: only the articles the revision touched.
    only: Option<String>,
}

#[derive(Template)]
#[template(path = "documents/diff.html")]
struct DiffPage {
    frame: Frame,
    doc_id: i64,
    from_label: String,
    to_label: String,
    title: Vec<Segment>,
    /// The body cut at its articles; each unit's anchor is `u-<index>`.
    units: Vec<gongkai_domain::diff::DiffUnit>,
    only_changed: bool,
    from_id: i64,
    to_id: i64,
    inserted: usize,
    deleted: usize,
    metadata: Vec<(String, String, String)>,
}

impl DiffPage {
    /// (anchor index, label) of every changed unit, for the jump links.
    fn changed(&self) -> Vec<(usize, String)> {
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.changed)
            .map(|(i, u)| (i, if u.label.is_empty() { "开头部分".to_string() } else { u.label.clone() }))
            .collect()
    }
}

async fn diff(State(s): State<WebState>, Path(id): Path<String>, Query(q): Query<DiffQuery>) -> Response {
    let app = &s.app;
    let site = &app.config.site_name;
    let parsed = (parse_id(&id), q.from.as_deref().map(parse_id), q.to.as_deref().map(parse_id));
    let (id, from, to) = match parsed {
        (Ok(i), Some(Ok(f)), Some(Ok(t))) => (i, f, t),
        (Err(e), _, _) => return views::error_page(site, &e),
        _ => {
            return views::error_page(site, &AppError::field("from", "请指定要比较的两个版本（from 和 to）"));
        }
    };
    match app.document_diff(None, id, from, to).await {
        Ok(d) => {
            let frame = Frame::new(site, "版本比较", "政策文件")
                .crumb("政策文件", "/documents")
                .crumb(d.to.title.clone(), format!("/documents/{id}"))
                .crumb("版本比较", "");
            render(&DiffPage {
                frame,
                doc_id: id,
                from_label: format!("第{}版（{}）", d.from.version_no, date(&d.from.published_on)),
                to_label: format!("第{}版（{}）", d.to.version_no, date(&d.to.published_on)),
                title: d.title,
                units: gongkai_domain::diff::by_article(&d.body),
                only_changed: q.only.as_deref() == Some("changed"),
                from_id: from,
                to_id: to,
                inserted: d.inserted_chars,
                deleted: d.deleted_chars,
                metadata: d.metadata,
            })
        }
        Err(e) => views::error_page(site, &e),
    }
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "documents/interpretations.html")]
struct InterpList {
    frame: Frame,
    rows: Vec<InterpRow>,
    page: u64,
    pages: u64,
    pager: Vec<u64>,
}

async fn interpretations(
    State(s): State<WebState>,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let app = &s.app;
    let page = q.ok().and_then(|Query(q)| q.page).unwrap_or(1).clamp(1, 10_000);
    match app.interpretations(None, page, 20).await {
        Ok((items, total)) => {
            let pages = total.div_ceil(20).max(1);
            render(&InterpList {
                frame: Frame::new(&app.config.site_name, "政策解读", "政策解读")
                    .crumb("政务公开", "/documents")
                    .crumb("政策解读", "/interpretations"),
                rows: items.iter().map(InterpRow::of).collect(),
                page,
                pages,
                pager: views::pager(page, pages),
            })
        }
        Err(e) => views::error_page(&app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "documents/interpretation.html")]
struct InterpPage {
    frame: Frame,
    i: gongkai_app::interpretations::InterpretationView,
    date: String,
    is_image: bool,
}

async fn interpretation(State(s): State<WebState>, Path(id): Path<String>) -> Response {
    let app = &s.app;
    let site = &app.config.site_name;
    let r = match parse_id(&id) {
        Ok(id) => app.interpretation(None, id).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(i) => {
            let mut frame = Frame::new(site, i.title.clone(), "政策解读")
                .crumb("政务公开", "/documents")
                .crumb("政策解读", "/interpretations")
                .crumb("正文", "");
            frame.pub_date = datetime(&i.published_at);
            let is_image = i.form == "graphic";
            render(&InterpPage { frame, date: datetime(&i.published_at), is_image, i })
        }
        Err(e) => views::error_page(site, &e),
    }
}

async fn attachment(State(s): State<WebState>, caller: crate::auth::Caller, Path(id): Path<String>) -> Response {
    let app = &s.app;
    let r = match parse_id(&id) {
        Ok(id) => app.attachment(caller.actor.as_ref(), id).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => {
            let disposition = views::attachment_disposition(&d.file_name);
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, d.content_type), (header::CONTENT_DISPOSITION, disposition)],
                d.content,
            )
                .into_response()
        }
        Err(e) => views::error_page(&app.config.site_name, &e),
    }
}
