//! The public portal in Simplified Chinese: home, document library, document pages with
//! versions and diffs, interpretations, attachments.

use crate::WebState;
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

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(home))
        .route("/documents", get(list))
        .route("/documents/{id}", get(document))
        .route("/documents/{id}/diff", get(diff))
        .route("/search", get(search))
        .route("/interpretations", get(interpretations))
        .route("/interpretations/{id}", get(interpretation))
        .route("/attachments/{id}", get(attachment))
        .route(
            "/static/style.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    include_str!("../static/style.css"),
                )
            }),
        )
        .route(
            "/static/sample-graphic.svg",
            get(|| async { ([(header::CONTENT_TYPE, "image/svg+xml")], include_str!("../static/sample-graphic.svg")) }),
        )
        .route(
            "/static/suggest.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    include_str!("../static/suggest.js"),
                )
            }),
        )
        .route("/static/mode.css", get(mode_css))
        .route("/mode", get(set_mode))
        .route("/healthz", get(|| async { "ok" }))
}

pub async fn not_found(State(s): State<WebState>, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return views::api_error(&AppError::NotFound(format!("没有这个接口：{}", uri.path())));
    }
    views::error_page(
        &s.app.config.site_name,
        &AppError::NotFound("您要找的页面不存在或已被删除，请检查地址，或从首页、政策文件库重新查找。".into()),
    )
}

fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| AppError::NotFound(format!("“{s}”不是有效的编号")))
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub doc_no: String,
    pub validity: String,
    pub validity_code: String,
    pub sample: bool,
}

impl Row {
    pub fn of(d: &gongkai_app::documents::DocumentView) -> Row {
        Row {
            id: d.id,
            title: d.title.clone(),
            date: date(&d.published_on),
            doc_no: d.doc_no.clone().unwrap_or_default(),
            validity: d.validity_label.clone(),
            validity_code: d.validity.code().to_string(),
            sample: d.is_sample,
        }
    }
}

pub struct InterpRow {
    pub id: i64,
    pub title: String,
    pub form: String,
    pub date: String,
}

impl InterpRow {
    pub fn of(i: &gongkai_app::interpretations::InterpretationView) -> InterpRow {
        InterpRow {
            id: i.id,
            title: i.title.clone(),
            form: i.form_label.clone(),
            date: datetime(&i.published_at).chars().take(10).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    frame: Frame,
    docs: Vec<Row>,
    interps: Vec<InterpRow>,
    total: u64,
}

async fn home(State(s): State<WebState>) -> Response {
    let app = &s.app;
    let docs = match app.list_documents(None, &ListParams { per_page: Some(10), ..Default::default() }).await {
        Ok(d) => d,
        Err(e) => return views::error_page(&app.config.site_name, &e),
    };
    let interps = app.interpretations(None, 1, 8).await.map(|(v, _)| v).unwrap_or_default();
    let mut frame = Frame::new(&app.config.site_name, "首页", "首页");
    frame.description = "政府信息公开平台：政策文件、政策解读、依申请公开。".into();
    render(&Home {
        frame,
        total: docs.total,
        docs: docs.items.iter().map(Row::of).collect(),
        interps: interps.iter().map(InterpRow::of).collect(),
    })
}

#[derive(Template)]
#[template(path = "list.html")]
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
#[template(path = "document.html")]
struct DocPage {
    frame: Frame,
    d: DocumentDetail,
    meta: Vec<(&'static str, String)>,
    versions: Vec<VersionRow>,
    attachments: Vec<(i64, String, String, String)>,
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
        .map(|a| (a.id, a.file_name.clone(), a.file_name.rsplit('.').next().unwrap_or("").to_uppercase(), size(a.size)))
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
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    frame: Frame,
    doc_id: i64,
    from_label: String,
    to_label: String,
    title: Vec<Segment>,
    body: Vec<Segment>,
    inserted: usize,
    deleted: usize,
    metadata: Vec<(String, String, String)>,
}

impl DiffPage {
    fn cls(&self, s: &Segment) -> &'static str {
        match s.change {
            Change::Equal => "",
            Change::Insert => "ins",
            Change::Delete => "del",
        }
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
                body: d.body,
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
#[template(path = "interpretations.html")]
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
#[template(path = "interpretation.html")]
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

const MODE_COOKIE: &str = "gk_mode";

/// Extra styles for the accessible (无障碍) and elderly (长者模式) modes, chosen by a cookie
/// so the switch works without JavaScript.
async fn mode_css(jar: axum_extra::extract::CookieJar) -> Response {
    let css = match jar.get(MODE_COOKIE).map(|c| c.value()) {
        Some("a11y") => {
            "body{font-size:20px;background:#fff;color:#000}a{color:#00359e;text-decoration:underline}.muted,.date,.docno,.meta th{color:#222}:focus{outline:3px solid #000;outline-offset:2px}.panel{border-color:#000}"
        }
        Some("elder") => {
            "body{font-size:22px;line-height:2}.side,.filters,.tools a[title]{font-size:20px}.brand{font-size:30px}.list li{padding:12px 0}.cols{grid-template-columns:1fr}"
        }
        _ => "",
    };
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], css).into_response()
}

#[derive(Deserialize)]
struct ModeQuery {
    set: String,
}

async fn set_mode(
    State(s): State<WebState>,
    jar: axum_extra::extract::CookieJar,
    headers: axum::http::HeaderMap,
    q: Result<Query<ModeQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let mode = match q.as_ref().map(|Query(q)| q.set.as_str()) {
        Ok(m @ ("a11y" | "elder")) => m.to_string(),
        _ => "normal".to_string(),
    };
    let cookie = axum_extra::extract::cookie::Cookie::build((MODE_COOKIE, mode))
        .path("/")
        .max_age(time::Duration::days(365))
        .secure(s.app.config.secure_cookies)
        .build();
    // Back to the page the person was on, if it was ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    (jar.add(cookie), axum::response::Redirect::to(&back)).into_response()
}

/// (parameter, heading, [(value, label, count)]) of one facet menu.
type FacetGroup = (&'static str, &'static str, Vec<(String, String, u64)>);

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
#[template(path = "search.html")]
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
                    r.facets.topic.iter().take(15).map(|(k, n)| (k.clone(), k.clone(), *n)).collect(),
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
    fn by_date(&self) -> bool {
        self.p.sort.as_deref() == Some("date")
    }
}
