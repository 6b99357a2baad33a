//! The organisation tree, its review rules and topics, and the staff accounts, in the
//! console (administrators and the district office).

use crate::WebState;
use crate::admin::{frame, site};
use crate::auth::Caller;
use crate::error::Id;
use crate::forms::{Staff, StaffForm};
use crate::views::{self, Feedback, Frame};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use gongkai_app::Actor;
use gongkai_domain::{OrgKind, Role};
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/orgs", get(orgs).post(create_org))
        .route("/admin/topics", post(create_topic))
        .route("/admin/orgs/rules", post(org_rules))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}/email", post(user_email))
}

/// One organisation as its row in the table shows it.
struct OrgRow {
    id: i64,
    name: String,
    kind: String,
    issuer_code: String,
    credit_code: String,
    levels: i32,
    interp: bool,
    four_eyes: bool,
    parent: String,
}

#[derive(Template)]
#[template(path = "orgs/orgs.html")]
struct OrgsPage {
    frame: Frame,
    orgs: Vec<OrgRow>,
    topics: Vec<String>,
    /// (code, label) of the kinds an organisation may be added as (the district
    /// government itself exists once).
    kinds: Vec<(&'static str, &'static str)>,
    fb: Feedback,
}

async fn orgs_page(s: &WebState, c: &Caller, fb: Feedback) -> Response {
    let list = s.app.orgs().await.unwrap_or_default();
    let name_of =
        |id: Option<i64>| id.and_then(|i| list.iter().find(|o| o.id == i)).map(|o| o.name.clone()).unwrap_or_default();
    let orgs = list
        .iter()
        .map(|o| OrgRow {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.label().to_string(),
            issuer_code: o.issuer_code.clone().unwrap_or_default(),
            credit_code: o.credit_code.clone(),
            levels: o.review_levels,
            interp: o.require_interpretation,
            four_eyes: o.four_eyes,
            parent: name_of(o.parent_id),
        })
        .collect();
    let topics = s.app.topics().await.unwrap_or_default();
    let kinds = OrgKind::ALL.iter().filter(|k| **k != OrgKind::Government).map(|k| (k.code(), k.label())).collect();
    views::render_as(fb.status(), &OrgsPage { frame: frame(s, c, "机构与主题分类"), orgs, topics, kinds, fb })
}

async fn orgs(State(s): State<WebState>, Staff { caller: c, .. }: Staff) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    orgs_page(&s, &c, Feedback::notice(notice)).await
}

/// A new organisation; a ticked box arrives as a field, an unticked one not at all.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrgForm {
    name: String,
    kind: String,
    parent_id: String,
    issuer_code: Option<String>,
    credit_code: String,
    review_levels: String,
    require_interpretation: Option<String>,
}

async fn create_org(State(s): State<WebState>, f: StaffForm<OrgForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    let o = gongkai_app::orgs::NewOrg {
        name: f.name,
        kind: f.kind,
        parent_id: f.parent_id.trim().parse().ok(),
        issuer_code: f.issuer_code,
        credit_code: f.credit_code,
        review_levels: f.review_levels.trim().parse().unwrap_or(0),
        require_interpretation: f.require_interpretation.is_some(),
        is_sample: false,
    };
    match s.app.create_org(actor, o).await {
        Ok(o) => crate::flash::redirect_notice(&s, &c, "/admin/orgs", format!("已添加机构：{}", o.name)).await,
        Err(e) => orgs_page(&s, &c, Feedback::refused("org", fields, &e)).await,
    }
}

#[derive(Template)]
#[template(path = "orgs/users.html")]
struct UsersPage {
    frame: Frame,
    /// (id, user name, display name, role, organisation, e-mail, locked once)
    users: Vec<(i64, String, String, String, String, String, bool)>,
    /// (id, name) of the organisations a user may be added to.
    orgs: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    fb: Feedback,
}

async fn users_page(s: &WebState, c: &Caller, actor: &Actor, fb: Feedback) -> Response {
    let all = s.app.orgs().await.unwrap_or_default();
    let name_of = |id: i64| all.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
    let orgs = all.iter().filter(|o| actor.may_see_org(o.id)).map(|o| (o.id.to_string(), o.name.clone())).collect();
    let roles = Role::ALL.iter().rev().map(|r| (r.code(), r.label())).collect();
    match s.app.users(actor).await {
        Ok(list) => views::render_as(
            fb.status(),
            &UsersPage {
                frame: frame(s, c, "用户管理"),
                users: list
                    .iter()
                    .map(|u| {
                        (
                            u.id,
                            u.username.clone(),
                            u.display_name.clone(),
                            u.role.label().to_string(),
                            name_of(u.org_id),
                            u.email.clone().unwrap_or_default(),
                            u.locked,
                        )
                    })
                    .collect(),
                orgs,
                roles,
                fb,
            },
        ),
        Err(e) => views::error_page(site(s), &e),
    }
}

async fn users(State(s): State<WebState>, Staff { caller: c, actor }: Staff) -> Response {
    let actor = &actor;
    let notice = crate::flash::take_notice(&s, &c).await;
    users_page(&s, &c, actor, Feedback::notice(notice)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserForm {
    username: String,
    display_name: Option<String>,
    role: String,
    org: String,
    password: String,
    email: Option<String>,
}

async fn create_user(State(s): State<WebState>, f: StaffForm<UserForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    let u = gongkai_app::auth::NewUser {
        username: f.username,
        display_name: f.display_name,
        role: f.role,
        org: f.org,
        password: f.password,
        email: f.email,
    };
    match s.app.add_user(actor, u).await {
        Ok(u) => crate::flash::redirect_notice(&s, &c, "/admin/users", format!("已添加用户：{}", u.username)).await,
        Err(e) => users_page(&s, &c, actor, Feedback::refused("user", fields, &e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmailForm {
    email: String,
}

async fn user_email(State(s): State<WebState>, Id(id): Id, f: StaffForm<EmailForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, mut fields } = f;
    let actor = &actor;
    match s.app.set_user_email(actor, id, &f.email).await {
        Ok(u) => {
            crate::flash::redirect_notice(&s, &c, "/admin/users", format!("已更新 {} 的提醒邮箱", u.username)).await
        }
        Err(e) => {
            // One form per row: the refusal names the row it belongs to.
            fields.push(("user_id".into(), id.to_string()));
            users_page(&s, &c, actor, Feedback::refused("email", fields, &e)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TopicForm {
    path: String,
}

async fn create_topic(State(s): State<WebState>, f: StaffForm<TopicForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    match s.app.add_topic(actor, &f.path).await {
        Ok(()) => crate::flash::redirect_notice(&s, &c, "/admin/orgs", format!("已添加主题分类：{}", f.path)).await,
        Err(e) => orgs_page(&s, &c, Feedback::refused("topic", fields, &e)).await,
    }
}

/// An organisation's review rules; a ticked box arrives as a field, an unticked one not at all.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrgRulesForm {
    org_id: String,
    review_levels: String,
    require_interpretation: Option<String>,
    four_eyes: Option<String>,
}

async fn org_rules(State(s): State<WebState>, f: StaffForm<OrgRulesForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    let org_id: i64 = f.org_id.trim().parse().unwrap_or(0);
    let levels: i32 = f.review_levels.trim().parse().unwrap_or(0);
    let (interp, four_eyes) = (f.require_interpretation.is_some(), f.four_eyes.is_some());
    match s.app.update_org_rules(actor, org_id, levels, interp, four_eyes).await {
        Ok(o) => {
            let msg = format!(
                "已更新“{}”：审核{}级，谁起草谁解读{}，四眼原则{}",
                o.name,
                o.review_levels,
                if o.require_interpretation { "启用" } else { "关闭" },
                if o.four_eyes { "启用" } else { "关闭" }
            );
            crate::flash::redirect_notice(&s, &c, "/admin/orgs#rules", msg).await
        }
        Err(e) => orgs_page(&s, &c, Feedback::refused("rules", fields, &e)).await,
    }
}
