//! The admin console: login, the organisation's documents and their workflow, forms that
//! show each validation error in Chinese next to its field, interpretations,
//! organisations, users and the audit log. Every form carries the session's CSRF token.

use crate::WebState;
use crate::auth::{Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE, same_token};
use crate::views::{self, Frame, date, datetime, render};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use gongkai_app::documents::{ActionInput, DocumentInput, ListParams};
use gongkai_app::interpretations::InterpretationInput;
use gongkai_app::{Actor, AppError};
use gongkai_domain::{Category, DisclosureMode, DocumentKind};
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/", get(dashboard))
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/documents/new", get(new_form))
        .route("/admin/documents", post(create))
        .route("/admin/documents/{id}", get(detail).post(update))
        .route("/admin/documents/{id}/edit", get(edit_form))
        .route("/admin/documents/{id}/revise", get(revise_form).post(revise))
        .route("/admin/documents/{id}/action", post(action))
        .route("/admin/documents/{id}/attachments", post(upload))
        .route("/admin/documents/{id}/repeals", post(repeals))
        .route("/admin/interpretations", post(create_interpretation))
        .route("/admin/interpretations/{id}/action", post(interpretation_action))
        .route("/admin/orgs", get(orgs).post(create_org))
        .route("/admin/topics", post(create_topic))
        .route("/admin/orgs/rules", post(org_rules))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}/email", post(user_email))
        .route("/admin/audit", get(audit))
        .route("/admin/search-terms", get(search_terms).post(add_search_term))
        .route("/admin/search-terms/{id}/delete", post(remove_search_term))
}

pub(crate) type Fields = HashMap<String, String>;

pub(crate) fn frame(s: &WebState, c: &Caller, title: &str) -> Frame {
    let mut f = Frame::new(&s.app.config.site_name, title, "管理后台").crumb("管理后台", "/admin/").crumb(title, "");
    if let Some(a) = &c.actor {
        f.user = Some(format!("{}（{}）", a.display_name, a.role.label()));
    }
    f.csrf = c.csrf.clone().unwrap_or_default();
    f
}

/// The logged-in actor, or a redirect to the login page.
pub(crate) fn need(c: &Caller) -> Result<&Actor, Response> {
    c.actor.as_ref().ok_or_else(|| Redirect::to("/admin/login").into_response())
}

/// Checks the form's CSRF token against the session's.
pub(crate) fn need_csrf<'a>(c: &'a Caller, f: &Fields) -> Result<&'a Actor, Response> {
    let actor = need(c)?;
    let ok = matches!((&c.csrf, f.get("csrf")), (Some(a), Some(b)) if same_token(a, b));
    if !ok {
        return Err(views::error_page(
            "",
            &AppError::Forbidden("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into()),
        ));
    }
    Ok(actor)
}

fn site(s: &WebState) -> &str {
    &s.app.config.site_name
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    frame: Frame,
    error: String,
    username: String,
    csrf: String,
}

async fn login_page(State(s): State<WebState>, jar: CookieJar) -> Response {
    let token = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_else(random_token);
    let jar = jar.add(
        Cookie::build((LOGIN_CSRF_COOKIE, token.clone()))
            .path("/admin")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(s.app.config.secure_cookies)
            .build(),
    );
    let page = LoginPage {
        frame: Frame::new(site(&s), "登录", "管理后台").crumb("管理后台", "/admin/").crumb("登录", ""),
        error: String::new(),
        username: String::new(),
        csrf: token,
    };
    (jar, render(&page)).into_response()
}

/// The login form's double-submit token: random, so nobody can predict another's.
fn random_token() -> String {
    gongkai_app::App::form_token()
}

async fn login(
    State(s): State<WebState>,
    crate::auth::ClientAddr(addr): crate::auth::ClientAddr,
    jar: CookieJar,
    Form(f): Form<Fields>,
) -> Response {
    let cookie_token = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    let username = f.get("username").cloned().unwrap_or_default();
    let fail = |msg: String, jar: CookieJar| {
        let page = LoginPage {
            frame: Frame::new(site(&s), "登录", "管理后台"),
            error: msg,
            username: username.clone(),
            csrf: cookie_token.clone(),
        };
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, jar, render(&page)).into_response()
    };
    if cookie_token.is_empty() || !same_token(&cookie_token, f.get("csrf").map(String::as_str).unwrap_or("")) {
        return fail("页面已过期，请重新登录".into(), jar);
    }
    let source = addr.map(|a| a.to_string());
    match s.app.login_from(&username, f.get("password").map(String::as_str).unwrap_or(""), source.as_deref()).await {
        Ok((_, session)) => {
            let jar = jar.add(
                Cookie::build((SESSION_COOKIE, session.token))
                    .path("/")
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .secure(s.app.config.secure_cookies)
                    .build(),
            );
            (jar, Redirect::to("/admin/")).into_response()
        }
        Err(e) => fail(e.to_string(), jar),
    }
}

async fn logout(State(s): State<WebState>, c: Caller, jar: CookieJar, Form(f): Form<Fields>) -> Response {
    if let Err(r) = need_csrf(&c, &f) {
        return r;
    }
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let _ = s.app.logout(cookie.value()).await;
    }
    (jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/admin/login")).into_response()
}

pub struct AdminRow {
    pub id: i64,
    pub title: String,
    pub doc_no: String,
    pub status: String,
    pub version: i32,
    pub updated: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    frame: Frame,
    rows: Vec<AdminRow>,
    expiring: Vec<AdminRow>,
    total: u64,
    page: u64,
    pages: u64,
    statuses: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    orgs: Vec<(i64, String)>,
    district_wide: bool,
    /// The filters in use, and as a query string for the pager.
    f: ListParams,
    keep: String,
    /// 依申请公开督办提醒: open requests with 5 or fewer working days left, or overdue.
    reminders: Vec<gongkai_app::requests::QueueRow>,
    /// Background work the office should know of: a one-off job not yet done, or any job
    /// whose last run failed.
    jobs: Vec<JobLine>,
}

impl Dashboard {
    fn is(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
    fn org_is(&self, id: &i64) -> bool {
        self.f.org == Some(*id)
    }
}

struct JobLine {
    label: String,
    state: &'static str,
    progress: String,
    error: String,
}

fn job_lines(jobs: Vec<gongkai_app::jobs::JobView>) -> Vec<JobLine> {
    jobs.into_iter()
        .filter(|j| (j.every_secs.is_none() && j.state != "done") || j.last_error.is_some())
        .map(|j| JobLine {
            state: match j.state.as_str() {
                "running" => "进行中",
                "due" if j.attempts > 0 => "出错，等待重试",
                "due" => "等待运行",
                "failed" => "失败",
                _ => "已完成",
            },
            progress: j.progress.unwrap_or_default().replace('/', " / "),
            error: j.last_error.unwrap_or_default(),
            label: j.label,
        })
        .collect()
}

fn admin_row(d: &gongkai_app::documents::DocumentView) -> AdminRow {
    AdminRow {
        id: d.id,
        title: d.title.clone(),
        doc_no: d.doc_no.clone().unwrap_or_default(),
        status: d.status_label.clone(),
        version: d.version_no,
        updated: datetime(&Some(d.updated_at)),
        expires: date(&d.expires_on),
    }
}

async fn dashboard(
    State(s): State<WebState>,
    c: Caller,
    q: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let actor = match need(&c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut p = q.map(|Query(p)| p).unwrap_or_default();
    p.per_page = Some(30);
    // The district's own documents by default: 3,457 imported laws would bury them.
    if p.imported.as_deref().is_none_or(str::is_empty) {
        p.imported = Some("hide".into());
    } else if p.imported.as_deref() == Some("all") {
        p.imported = None;
    }
    let page = match s.app.list_documents(Some(actor), &p).await {
        Ok(p) => p,
        Err(e) => return views::error_page(site(&s), &e),
    };
    let expiring = s.app.expiring_documents(actor, 90).await.unwrap_or_default();
    let reminders =
        s.app.request_queue(actor).await.unwrap_or_default().into_iter().filter(|r| !r.warning.is_empty()).collect();
    let jobs = if actor.role.is_district_wide() { job_lines(s.app.jobs().await.unwrap_or_default()) } else { vec![] };
    render(&Dashboard {
        jobs,
        reminders,
        frame: frame(&s, &c, "文件管理"),
        rows: page.items.iter().map(admin_row).collect(),
        expiring: expiring.iter().map(admin_row).collect(),
        total: page.total,
        page: page.page,
        pages: page.pages,
        statuses: gongkai_domain::Status::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        categories: gongkai_domain::Category::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        orgs: s
            .app
            .orgs()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|o| actor.may_see_org(o.id))
            .map(|o| (o.id, o.name))
            .collect(),
        district_wide: actor.role.is_district_wide(),
        // Every page link keeps the filters.
        keep: views::query_without_page(&[
            ("status", &p.status),
            ("category", &p.category),
            ("q", &p.q),
            ("org", &p.org.map(|o| o.to_string())),
            (
                "imported",
                &Some(match p.imported.as_deref() {
                    Some("hide") => "hide".to_string(),
                    Some("only") => "only".to_string(),
                    _ => "all".to_string(),
                }),
            ),
        ]),
        f: p,
    })
}

#[derive(Template)]
#[template(path = "admin/doc_form.html")]
struct DocForm {
    frame: Frame,
    action: String,
    heading: String,
    f: Fields,
    errors: HashMap<String, String>,
    summary: Vec<String>,
    kinds: Vec<&'static str>,
    categories: Vec<&'static str>,
    modes: Vec<&'static str>,
    topics: Vec<String>,
    revising: bool,
}

impl DocForm {
    fn v(&self, k: &str) -> String {
        self.f.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.get(k).cloned().unwrap_or_default()
    }
    /// The summary's messages, each with the field it links to (empty when none).
    fn linked_errors(&self) -> Vec<(String, String)> {
        self.summary
            .iter()
            .map(|m| {
                let field = self.errors.iter().find(|(_, v)| *v == m).map(|(k, _)| k.clone()).unwrap_or_default();
                (field, m.clone())
            })
            .collect()
    }
    fn is(&self, k: &str, v: &str) -> bool {
        self.f.get(k).map(String::as_str) == Some(v)
    }
}

async fn doc_form(
    s: &WebState,
    c: &Caller,
    action: String,
    heading: &str,
    f: Fields,
    err: Option<AppError>,
    revising: bool,
) -> Response {
    let mut errors = HashMap::new();
    let mut summary = Vec::new();
    let mut status = axum::http::StatusCode::OK;
    match err {
        Some(AppError::Validation(errs)) => {
            status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            for e in errs {
                summary.push(e.message.clone());
                errors.insert(e.field.to_string(), e.message);
            }
        }
        Some(e) => {
            status = axum::http::StatusCode::from_u16(e.spec().status).unwrap_or(status);
            summary.push(e.to_string());
        }
        None => {}
    }
    let page = DocForm {
        frame: frame(s, c, heading),
        action,
        heading: heading.into(),
        f,
        errors,
        summary,
        kinds: DocumentKind::ALL.iter().map(|k| k.label()).collect(),
        categories: Category::ALL.iter().map(|k| k.label()).collect(),
        modes: DisclosureMode::ALL.iter().map(|k| k.label()).collect(),
        topics: s.app.topics().await.unwrap_or_default(),
        revising,
    };
    (status, render(&page)).into_response()
}

fn input_of(f: &Fields) -> DocumentInput {
    let g = |k: &str| f.get(k).cloned().filter(|v| !v.trim().is_empty());
    DocumentInput {
        title: f.get("title").cloned().unwrap_or_default(),
        org_id: None,
        issuer: g("issuer"),
        co_issuers: f
            .get("co_issuers")
            .map(|s| s.split(['、', '\n', ',', '，']).map(str::to_string).collect())
            .unwrap_or_default(),
        doc_no: g("doc_no"),
        kind: g("kind"),
        category: f.get("category").cloned().unwrap_or_default(),
        topic: g("topic"),
        signed_on: g("signed_on"),
        published_on: g("published_on"),
        effective_on: g("effective_on"),
        expires_on: g("expires_on"),
        disclosure_mode: g("disclosure_mode"),
        withheld_reason: g("withheld_reason"),
        keywords: g("keywords"),
        body: f.get("body").cloned().unwrap_or_default(),
        version_note: g("version_note"),
    }
}

fn fields_of(m: &gongkai_app::documents::DocumentView) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.into(), v);
    };
    put("title", m.title.clone());
    put("issuer", m.issuer.clone());
    put("co_issuers", m.co_issuers.join("、"));
    put("doc_no", m.doc_no.clone().unwrap_or_default());
    put("kind", m.kind_label.clone().unwrap_or_default());
    put("category", m.category_label.clone());
    put("topic", m.topic.clone().unwrap_or_default());
    put("signed_on", date(&m.signed_on));
    put("published_on", date(&m.published_on));
    put("effective_on", date(&m.effective_on));
    put("expires_on", date(&m.expires_on));
    put("disclosure_mode", m.disclosure_mode_label.clone());
    put("withheld_reason", m.withheld_reason.clone().unwrap_or_default());
    put("keywords", m.keywords.clone());
    put("body", m.body.clone().unwrap_or_default());
    f
}

async fn new_form(State(s): State<WebState>, c: Caller) -> Response {
    if let Err(r) = need(&c) {
        return r;
    }
    let mut f = Fields::new();
    f.insert("category".into(), "其他文件".into());
    doc_form(&s, &c, "/admin/documents".into(), "起草文件", f, None, false).await
}

async fn create(State(s): State<WebState>, c: Caller, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match s.app.create_document(actor, input_of(&f)).await {
        Ok(d) => Redirect::to(&format!("/admin/documents/{}", d.id)).into_response(),
        Err(e) => doc_form(&s, &c, "/admin/documents".into(), "起草文件", f, Some(e), false).await,
    }
}

fn id_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound("编号无效".into()))
}

async fn edit_form(State(s): State<WebState>, c: Caller, Path(id): Path<String>) -> Response {
    let actor = match need(&c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let d = match id_of(&id) {
        Ok(id) => s.app.document_detail(Some(actor), id, None).await,
        Err(e) => Err(e),
    };
    match d {
        Ok(d) => {
            doc_form(
                &s,
                &c,
                format!("/admin/documents/{}", d.document.id),
                "修改草稿",
                fields_of(&d.document),
                None,
                false,
            )
            .await
        }
        Err(e) => views::error_page(site(&s), &e),
    }
}

async fn update(State(s): State<WebState>, c: Caller, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = match id_of(&id) {
        Ok(i) => i,
        Err(e) => return views::error_page(site(&s), &e),
    };
    match s.app.update_document(actor, id, input_of(&f)).await {
        Ok(_) => Redirect::to(&format!("/admin/documents/{id}")).into_response(),
        Err(e) => doc_form(&s, &c, format!("/admin/documents/{id}"), "修改草稿", f, Some(e), false).await,
    }
}

async fn revise_form(State(s): State<WebState>, c: Caller, Path(id): Path<String>) -> Response {
    let actor = match need(&c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let d = match id_of(&id) {
        Ok(id) => s.app.document_detail(Some(actor), id, None).await,
        Err(e) => Err(e),
    };
    match d {
        Ok(d) => {
            let mut f = fields_of(&d.document);
            f.insert("doc_no".into(), String::new());
            f.insert("published_on".into(), String::new());
            doc_form(&s, &c, format!("/admin/documents/{}/revise", d.document.id), "修订（生成新版本）", f, None, true)
                .await
        }
        Err(e) => views::error_page(site(&s), &e),
    }
}

async fn revise(State(s): State<WebState>, c: Caller, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = match id_of(&id) {
        Ok(i) => i,
        Err(e) => return views::error_page(site(&s), &e),
    };
    match s.app.revise_document(actor, id, input_of(&f)).await {
        Ok(d) => Redirect::to(&format!("/admin/documents/{}", d.id)).into_response(),
        Err(e) => {
            doc_form(&s, &c, format!("/admin/documents/{id}/revise"), "修订（生成新版本）", f, Some(e), true).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/doc.html")]
struct DetailPage {
    frame: Frame,
    d: gongkai_app::documents::DocumentDetail,
    message: String,
    forms: Vec<&'static str>,
    /// What the person looking may do: draft and edit, review and publish.
    can_edit: bool,
    can_review: bool,
}

impl DetailPage {
    /// Whether `act` is offered: allowed for the role and possible in the current state.
    fn offers(&self, act: &str) -> bool {
        let st = self.d.document.status.as_str();
        match act {
            "edit" | "submit" => self.can_edit && st == "draft",
            "approve" => self.can_review && st == "submitted",
            "publish" => self.can_review && st == "approved",
            "reject" => self.can_review && matches!(st, "submitted" | "approved" | "scheduled"),
            "withdraw" => self.can_review && matches!(st, "published" | "scheduled"),
            "revise" => self.can_edit && st == "published",
            "interpretation" => self.can_edit && st != "withdrawn",
            _ => false,
        }
    }
}

async fn detail(
    State(s): State<WebState>,
    c: Caller,
    Path(id): Path<String>,
    q: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let actor = match need(&c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let d = match id_of(&id) {
        Ok(id) => s.app.document_detail(Some(actor), id, None).await,
        Err(e) => Err(e),
    };
    let _ = q;
    let message = crate::flash::take_notice(&s, &c).await;
    match d {
        Ok(d) => render(&DetailPage {
            frame: frame(&s, &c, &d.document.title),
            d,
            message,
            forms: gongkai_domain::interpretation::Form::ALL.iter().map(|f| f.label()).collect(),
            can_edit: actor.role.can_edit(),
            can_review: actor.role.can_review(),
        }),
        Err(e) => views::error_page(site(&s), &e),
    }
}

/// Back to the document's page, which shows `msg` once (Post/Redirect/Get).
async fn back_with(s: &WebState, c: &Caller, id: i64, msg: &str) -> Response {
    crate::flash::redirect_notice(s, c, &format!("/admin/documents/{id}"), msg).await
}

async fn action(State(s): State<WebState>, c: Caller, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = match id_of(&id) {
        Ok(i) => i,
        Err(e) => return views::error_page(site(&s), &e),
    };
    let input = ActionInput {
        action: f.get("action").cloned().unwrap_or_default(),
        reason: f.get("reason").cloned(),
        publish_at: f.get("publish_at").cloned(),
    };
    match s.app.document_action(actor, id, input).await {
        Ok(d) => back_with(&s, &c, id, &format!("操作成功，当前状态：{}", d.status_label)).await,
        Err(e) => back_with(&s, &c, id, &format!("操作未完成：{e}")).await,
    }
}

async fn upload(State(s): State<WebState>, c: Caller, Path(id): Path<String>, mut mp: Multipart) -> Response {
    let id = match id_of(&id) {
        Ok(i) => i,
        Err(e) => return views::error_page(site(&s), &e),
    };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                match field.bytes().await {
                    Ok(b) if name == "csrf" => csrf = String::from_utf8_lossy(&b).to_string(),
                    Ok(b) if name == "file" => file = Some((file_name.unwrap_or_default(), b.to_vec())),
                    Ok(_) => {}
                    Err(_) => return back_with(&s, &c, id, "上传失败：文件过大或传输中断").await,
                }
            }
            Ok(None) => break,
            Err(_) => return back_with(&s, &c, id, "上传失败：文件过大或格式错误").await,
        }
    }
    let mut f = Fields::new();
    f.insert("csrf".into(), csrf);
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some((name, bytes)) = file else {
        return back_with(&s, &c, id, "请选择要上传的文件").await;
    };
    match s.app.add_attachment(actor, id, &name, bytes).await {
        Ok(a) => back_with(&s, &c, id, &format!("已上传附件：{}", a.file_name)).await,
        Err(e) => back_with(&s, &c, id, &format!("上传失败：{e}")).await,
    }
}

async fn repeals(State(s): State<WebState>, c: Caller, Path(id): Path<String>, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = match id_of(&id) {
        Ok(i) => i,
        Err(e) => return views::error_page(site(&s), &e),
    };
    let targets: Result<Vec<i64>, _> = f
        .get("targets")
        .map(String::as_str)
        .unwrap_or("")
        .split([',', '，', ' '])
        .filter(|t| !t.is_empty())
        .map(str::parse)
        .collect();
    let Ok(targets) = targets else {
        return back_with(&s, &c, id, "请填写要废止的文件编号，多个用逗号分隔").await;
    };
    match s.app.set_repeals(actor, id, &targets).await {
        Ok(()) => back_with(&s, &c, id, "已设置废止关系，本文件发布时生效").await,
        Err(e) => back_with(&s, &c, id, &format!("设置失败：{e}")).await,
    }
}

async fn create_interpretation(State(s): State<WebState>, c: Caller, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let doc_id: i64 = f.get("document_id").and_then(|v| v.parse().ok()).unwrap_or(0);
    let input = InterpretationInput {
        title: f.get("title").cloned().unwrap_or_default(),
        form: f.get("form").cloned().unwrap_or_default(),
        author: f.get("author").cloned(),
        body: f.get("body").cloned().unwrap_or_default(),
        media_url: f.get("media_url").cloned(),
        document_ids: vec![doc_id],
    };
    match s.app.create_interpretation(actor, input).await {
        Ok(i) => back_with(&s, &c, doc_id, &format!("已添加解读：{}", i.title)).await,
        Err(e) => back_with(&s, &c, doc_id, &format!("添加解读失败：{e}")).await,
    }
}

/// Submit, approve or send back an interpretation; back to the document it was opened from.
async fn interpretation_action(
    State(s): State<WebState>,
    c: Caller,
    crate::error::Id(id): crate::error::Id,
    Form(f): Form<Fields>,
) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let doc_id: i64 = f.get("document_id").and_then(|v| v.parse().ok()).unwrap_or(0);
    let action = f.get("action").map(String::as_str).unwrap_or("");
    let reason = f.get("reason").map(String::as_str).filter(|r| !r.trim().is_empty());
    let msg = match s.app.interpretation_action(actor, id, action, reason).await {
        Ok(i) => format!("解读“{}”：{}", i.title, i.status_label),
        Err(e) => format!("解读未能办理：{e}"),
    };
    back_with(&s, &c, doc_id, &msg).await
}

#[derive(Template)]
#[template(path = "admin/orgs.html")]
struct OrgsPage {
    frame: Frame,
    orgs: Vec<gongkai_store_view::OrgRow>,
    topics: Vec<String>,
    message: String,
}

mod gongkai_store_view {
    pub struct OrgRow {
        pub id: i64,
        pub name: String,
        pub kind: String,
        pub issuer_code: String,
        pub credit_code: String,
        pub levels: i32,
        pub interp: bool,
        pub four_eyes: bool,
        pub parent: String,
    }
}

async fn orgs_page(s: &WebState, c: &Caller, message: String) -> Response {
    let list = s.app.orgs().await.unwrap_or_default();
    let name_of =
        |id: Option<i64>| id.and_then(|i| list.iter().find(|o| o.id == i)).map(|o| o.name.clone()).unwrap_or_default();
    let orgs = list
        .iter()
        .map(|o| gongkai_store_view::OrgRow {
            id: o.id,
            name: o.name.clone(),
            kind: gongkai_domain::OrgKind::parse(&o.kind).map(|k| k.label().to_string()).unwrap_or_default(),
            issuer_code: o.issuer_code.clone().unwrap_or_default(),
            credit_code: o.credit_code.clone(),
            levels: o.review_levels,
            interp: o.require_interpretation,
            four_eyes: o.four_eyes,
            parent: name_of(o.parent_id),
        })
        .collect();
    let topics = s.app.topics().await.unwrap_or_default();
    render(&OrgsPage { frame: frame(s, c, "机构与主题分类"), orgs, topics, message })
}

async fn orgs(State(s): State<WebState>, c: Caller) -> Response {
    if let Err(r) = need(&c) {
        return r;
    }
    let notice = crate::flash::take_notice(&s, &c).await;
    orgs_page(&s, &c, notice).await
}

async fn create_org(State(s): State<WebState>, c: Caller, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let o = gongkai_app::orgs::NewOrg {
        name: f.get("name").cloned().unwrap_or_default(),
        kind: f.get("kind").cloned().unwrap_or_default(),
        parent_id: f.get("parent_id").and_then(|v| v.parse().ok()),
        issuer_code: f.get("issuer_code").cloned(),
        credit_code: f.get("credit_code").cloned().unwrap_or_default(),
        review_levels: f.get("review_levels").and_then(|v| v.parse().ok()).unwrap_or(1),
        require_interpretation: f.contains_key("require_interpretation"),
        is_sample: false,
    };
    let msg = match s.app.create_org(actor, o).await {
        Ok(o) => format!("已添加机构：{}", o.name),
        Err(e) => format!("添加失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/orgs", msg).await
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    frame: Frame,
    /// (id, user name, display name, role, organisation id, e-mail, locked once)
    users: Vec<(i64, String, String, String, i64, String, bool)>,
    message: String,
}

async fn users_page(s: &WebState, c: &Caller, actor: &Actor, message: String) -> Response {
    match s.app.users(actor).await {
        Ok(list) => render(&UsersPage {
            frame: frame(s, c, "用户管理"),
            users: list
                .iter()
                .map(|u| {
                    (
                        u.id,
                        u.username.clone(),
                        u.display_name.clone(),
                        gongkai_domain::Role::parse(&u.role).map(|r| r.label().to_string()).unwrap_or_default(),
                        u.org_id,
                        u.email.clone().unwrap_or_default(),
                        u.locked_until.is_some(),
                    )
                })
                .collect(),
            message,
        }),
        Err(e) => views::error_page(site(s), &e),
    }
}

async fn users(State(s): State<WebState>, c: Caller) -> Response {
    let actor = match need(&c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let notice = crate::flash::take_notice(&s, &c).await;
    users_page(&s, &c, actor, notice).await
}

async fn create_user(State(s): State<WebState>, c: Caller, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let u = gongkai_app::auth::NewUser {
        username: f.get("username").cloned().unwrap_or_default(),
        display_name: f.get("display_name").cloned(),
        role: f.get("role").cloned().unwrap_or_default(),
        org: f.get("org").cloned().unwrap_or_default(),
        password: f.get("password").cloned().unwrap_or_default(),
        email: f.get("email").cloned(),
    };
    let msg = match s.app.add_user(actor, u).await {
        Ok(u) => format!("已添加用户：{}", u.username),
        Err(e) => format!("添加失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/users", msg).await
}

async fn user_email(
    State(s): State<WebState>,
    c: Caller,
    crate::error::Id(id): crate::error::Id,
    Form(f): Form<Fields>,
) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let msg = match s.app.set_user_email(actor, id, f.get("email").map(String::as_str).unwrap_or("")).await {
        Ok(u) => format!("已更新 {} 的提醒邮箱", u.username),
        Err(e) => format!("未能更新：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/users", msg).await
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    frame: Frame,
    rows: Vec<AuditLine>,
    page: u64,
    pages: u64,
}

/// One audit row as a clerk reads it: words, not codes or JSON.
struct AuditLine {
    at: String,
    who: String,
    action: String,
    what: String,
    link: String,
    before: String,
    after: String,
}

/// What an action code means (`document.approve` → 审核通过文件).
fn audit_action(code: &str) -> String {
    let label = match code {
        "user.login" => "登录",
        "user.login_failed" => "登录失败",
        "user.create" => "添加用户",
        "user.email" => "修改提醒邮箱",
        "token.create" => "创建接口令牌",
        "org.create" => "添加机构",
        "org.update" => "修改机构规则",
        "topic.create" => "添加主题分类",
        "calendar.load" => "导入节假日安排",
        "search_term.add" => "添加检索词",
        "search_term.remove" => "删除检索词",
        "document.create" => "起草文件",
        "document.update" => "修改草稿",
        "document.revise" => "修订文件（新版本）",
        "document.submit" => "提交审核",
        "document.approve" => "审核通过",
        "document.reject" => "退回修改",
        "document.publish" => "发布文件",
        "document.schedule" => "定时发布",
        "document.release" => "到时发布",
        "document.withdraw" => "撤回文件",
        "document.set_repeals" => "设置废止关系",
        "document.import" => "导入文件",
        "attachment.create" => "上传附件",
        "interpretation.create" => "添加解读",
        "interpretation.submit" => "提交解读审核",
        "interpretation.approve" => "解读审核通过",
        "interpretation.reject" => "退回解读",
        "interpretation.withdraw" => "撤回解读",
        "request.receive" => "收到申请",
        "request.export" => "导出申请案卷",
        "request.import" => "导入申请",
        "request.review" => "登记复议或诉讼",
        "request.attachment.read" => "查看申请人材料",
        "request.identity.reveal" => "查看完整证件号码",
        "case.publish" => "编入案例库",
        "report.figures" => "填报年度报告数据",
        other => match other.strip_prefix("request.") {
            Some(step) => return format!("办理申请：{}", gongkai_app::requests::event_label(step)),
            None => other,
        },
    };
    label.to_string()
}

/// The record an audit row is about, and where to see it.
fn audit_object(entity: &str, id: Option<i64>) -> (String, String) {
    let Some(id) = id else { return (String::new(), String::new()) };
    match entity {
        "document" => (format!("文件（编号 {id}）"), format!("/admin/documents/{id}")),
        "info_request" => (format!("申请（编号 {id}）"), format!("/admin/requests/{id}")),
        "interpretation" => (format!("解读（编号 {id}）"), format!("/interpretations/{id}")),
        "user" => (format!("用户（编号 {id}）"), "/admin/users".into()),
        "org" => (format!("机构（编号 {id}）"), "/admin/orgs".into()),
        "request_case" => (format!("案例（编号 {id}）"), format!("/cases/{id}")),
        _ => (format!("编号 {id}"), String::new()),
    }
}

/// Values kept before or after a change, as `名称：值` in words; what has no name for
/// a clerk is left out rather than shown as JSON.
fn audit_values(json: Option<&str>) -> String {
    let Some(v) = json.and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok()) else { return String::new() };
    let Some(map) = v.as_object() else { return String::new() };
    let name = |k: &str| match k {
        "status" => Some("状态"),
        "reviews_passed" => Some("已通过审核级数"),
        "reason" => Some("原因"),
        "title" => Some("标题"),
        "doc_no" => Some("发文字号"),
        "tracking_no" => Some("受理编号"),
        "received_on" => Some("收到日期"),
        "due_on" => Some("答复期限"),
        "review_levels" => Some("审核级数"),
        "require_interpretation" => Some("谁起草谁解读"),
        "four_eyes" => Some("四眼原则"),
        "name" => Some("名称"),
        "username" => Some("用户名"),
        "role" => Some("角色"),
        "term" => Some("检索词"),
        "publish_at" => Some("定时发布时间"),
        "published_on" => Some("发布日期"),
        _ => None,
    };
    let value = |k: &str, v: &serde_json::Value| -> String {
        match v {
            serde_json::Value::String(s) if k == "status" => {
                gongkai_domain::Status::parse(s).map(|st| st.label().to_string()).unwrap_or_else(|| s.clone())
            }
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => if *b { "启用" } else { "关闭" }.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => "无".to_string(),
            _ => String::new(),
        }
    };
    map.iter()
        .filter_map(|(k, v)| name(k).map(|n| format!("{n}：{}", value(k, v))))
        .filter(|s| !s.ends_with('：'))
        .collect::<Vec<_>>()
        .join("；")
}

async fn audit(
    State(s): State<WebState>,
    c: Caller,
    q: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let actor = match need(&c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let page: u64 = q.ok().and_then(|Query(q)| q.get("page").and_then(|p| p.parse().ok())).unwrap_or(1).max(1);
    match s.app.audit_log(actor, None, page, 50).await {
        Ok((rows, total)) => render(&AuditPage {
            frame: frame(&s, &c, "审计日志"),
            rows: rows
                .into_iter()
                .map(|r| {
                    let (what, link) = audit_object(&r.entity, r.entity_id);
                    AuditLine {
                        at: datetime(&Some(r.at)),
                        who: match r.actor.as_str() {
                            "cli" => "命令行".to_string(),
                            "public" => "公众".to_string(),
                            _ => r.actor,
                        },
                        action: audit_action(&r.action),
                        what,
                        link,
                        before: audit_values(r.before.as_deref()),
                        after: audit_values(r.after.as_deref()),
                    }
                })
                .collect(),
            page,
            pages: total.div_ceil(50).max(1),
        }),
        Err(e) => views::error_page(site(&s), &e),
    }
}

async fn create_topic(State(s): State<WebState>, c: Caller, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let path = f.get("path").cloned().unwrap_or_default();
    let msg = match s.app.add_topic(actor, &path).await {
        Ok(()) => format!("已添加主题分类：{path}"),
        Err(e) => format!("添加失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/orgs", msg).await
}

async fn org_rules(State(s): State<WebState>, c: Caller, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let org_id: i64 = f.get("org_id").and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let levels: i32 = f.get("review_levels").and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let (interp, four_eyes) = (f.contains_key("require_interpretation"), f.contains_key("four_eyes"));
    let msg = match s.app.update_org_rules(actor, org_id, levels, interp, four_eyes).await {
        Ok(o) => format!(
            "已更新“{}”：审核{}级，谁起草谁解读{}，四眼原则{}",
            o.name,
            o.review_levels,
            if o.require_interpretation { "启用" } else { "关闭" },
            if o.four_eyes { "启用" } else { "关闭" }
        ),
        Err(e) => format!("更新失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/orgs", msg).await
}

#[derive(Template)]
#[template(path = "admin/search_terms.html")]
struct SearchTermsPage {
    frame: Frame,
    shipped: String,
    terms: Vec<(i64, String, String, String)>,
    rebuilding: bool,
    message: String,
}

async fn search_terms_page(s: &WebState, c: &Caller, message: String) -> Response {
    match s.app.search_term_list().await {
        Ok(list) => render(&SearchTermsPage {
            frame: frame(s, c, "检索词典"),
            shipped: gongkai_app::search::SHIPPED_TERMS.join("、"),
            terms: list.into_iter().map(|t| (t.id, t.term, t.note, datetime(&Some(t.created_at)))).collect(),
            rebuilding: s.app.search_needs_rebuild(),
            message,
        }),
        Err(e) => views::error_page(site(s), &e),
    }
}

async fn search_terms(State(s): State<WebState>, c: Caller) -> Response {
    if let Err(r) = need(&c) {
        return r;
    }
    let notice = crate::flash::take_notice(&s, &c).await;
    search_terms_page(&s, &c, notice).await
}

async fn add_search_term(State(s): State<WebState>, c: Caller, Form(f): Form<Fields>) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let term = f.get("term").cloned().unwrap_or_default();
    let msg = match s.app.add_search_term(actor, &term, f.get("note").map(String::as_str).unwrap_or("")).await {
        Ok(t) => format!("已添加“{}”，搜索索引正在重建", t.term),
        Err(e) => format!("添加失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/search-terms", msg).await
}

async fn remove_search_term(
    State(s): State<WebState>,
    c: Caller,
    crate::error::Id(id): crate::error::Id,
    Form(f): Form<Fields>,
) -> Response {
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let msg = match s.app.remove_search_term(actor, id).await {
        Ok(()) => "已删除，搜索索引正在重建".to_string(),
        Err(e) => format!("删除失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/search-terms", msg).await
}
