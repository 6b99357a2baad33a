//! What the whole portal shares: the home page, the rows lists show, static files, the
//! reading modes (无障碍, 长者), the not-found page. Each capability's own pages live in
//! its folder (`documents::public`, `search::public`, `requests::public`).

use crate::WebState;
use crate::views::{self, Frame, date, datetime, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongkai_app::AppError;
use gongkai_app::documents::ListParams;
use serde::Deserialize;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(home))
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

const MODE_COOKIE: &str = "gk_mode";

/// Extra styles for the accessible (无障碍) and elderly (长者模式) modes, chosen by a cookie
/// so the switch works without JavaScript.
async fn mode_css(jar: axum_extra::extract::CookieJar) -> Response {
    let css = match jar.get(MODE_COOKIE).map(|c| c.value()) {
        Some("a11y") => {
            concat!(
                "body{font-size:20px;background:#fff;color:#000}a{color:#00359e;text-decoration:underline}",
                ".muted,.date,.docno,.meta th{color:#222}:focus{outline:3px solid #000;outline-offset:2px}.panel{border-color:#000}",
                // Every text at least 18 px: navigation, metadata, breadcrumbs, dates, footer.
                "*:not(h1):not(h2):not(h3){font-size:max(18px,1em)!important}",
                ".tools a[href=\"/mode?set=a11y\"]{font-weight:bold}.tools a[href=\"/mode?set=a11y\"]::after{content:\"（已开启）\"}"
            )
        }
        Some("elder") => {
            concat!(
                "body{font-size:22px;line-height:2}.list li{padding:12px 0}.cols{grid-template-columns:1fr}",
                // Every text at least 20 px, headings 26 px: navigation, metadata, breadcrumbs,
                // dates, footer included (their own sizes are smaller px values).
                "*:not(h1):not(h2):not(h3){font-size:max(20px,1em)!important}h1,h2,h3{font-size:max(26px,1em)!important}",
                ".brand{font-size:30px!important}",
                ".tools a[href=\"/mode?set=elder\"]{font-weight:bold}.tools a[href=\"/mode?set=elder\"]::after{content:\"（已开启）\"}"
            )
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
