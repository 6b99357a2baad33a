//! The admin console's frame and its district-wide pages: login, the dashboard,
//! organisations, users, the audit log and the search dictionary. Each capability's own
//! console lives in its folder (`documents/console.rs`, `requests/console.rs`). Every form
//! carries the session's CSRF token.

use crate::WebState;
use crate::auth::{Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE, same_token};
use crate::forms::{NoFields, Staff, StaffForm};
use crate::views::{self, Frame, date, datetime, render};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use gongkai_app::documents::ListParams;
use gongkai_app::{Actor, AppError};
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/", get(dashboard))
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/audit", get(audit))
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

pub(crate) fn site(s: &WebState) -> &str {
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

async fn logout(State(s): State<WebState>, jar: CookieJar, _f: StaffForm<NoFields>) -> Response {
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
    /// 待我审核, my drafts, published this month, normative documents lacking 解读.
    to_review: Vec<AdminRow>,
    my_drafts: Vec<AdminRow>,
    published_this_month: u64,
    missing_interpretation: Vec<AdminRow>,
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
    Staff { caller: c, actor }: Staff,
    q: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let actor = &actor;
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
    let desk = match s.app.desk(actor).await {
        Ok(d) => d,
        Err(e) => return views::error_page(site(&s), &e),
    };
    render(&Dashboard {
        jobs,
        to_review: desk.to_review.iter().map(admin_row).collect(),
        my_drafts: desk.my_drafts.iter().map(admin_row).collect(),
        published_this_month: desk.published_this_month,
        missing_interpretation: desk.missing_interpretation.iter().map(admin_row).collect(),
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
            Some(step) => {
                return format!(
                    "办理申请：{}",
                    gongkai_domain::handling::StepKind::parse_any(step).map(|k| k.label()).unwrap_or(step)
                );
            }
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
    Staff { caller: c, actor }: Staff,
    q: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let actor = &actor;
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
