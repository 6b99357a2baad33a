//! The console for requests (依申请公开): the supervision queue, finding a request,
//! registering one that came in person, by post or fax, and loading the holiday calendar.
//! A request's own page and its handling are in `handling`, the annual report in `report`.

use super::handling::back_to;
use super::{ApplyPage, new_request, read_form};
use crate::WebState;
use crate::admin::{Fields, frame, need_csrf};
use crate::auth::Caller;
use crate::forms::{Staff, StaffForm};
use crate::views::{self, Feedback, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_app::AppError;
use gongkai_app::requests::QueueRow;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/requests", get(queue))
        .route("/admin/requests/new", get(new_form).post(register))
        .route("/admin/requests/find", get(find))
        .route("/admin/calendar", post(load_calendar))
}

#[derive(Template)]
#[template(path = "requests/console_find.html")]
struct FindPage {
    frame: views::Frame,
    p: gongkai_app::requests::RequestSearch,
    /// (request, organisation)
    rows: Vec<(gongkai_app::requests::FoundRequest, String)>,
    searched: bool,
    error: String,
}

/// Loads a year's holiday arrangement typed or pasted by the district office; every open
/// request's reply date is counted again.
async fn load_calendar(State(s): State<WebState>, f: StaffForm<TextForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    match s.app.load_calendar_year(actor, &f.text).await {
        Ok(year) => {
            let msg = format!("已导入{year}年节假日安排，未办结申请的答复期限已重新计算");
            crate::flash::redirect_notice(&s, &c, "/admin/requests", msg).await
        }
        // The year pasted stays in the box, with the line at fault named.
        Err(e) => queue_page(&s, &c, actor, false, Feedback::refused("calendar", fields, &e)).await,
    }
}

/// Finding a request, open or closed, by tracking number, applicant or date.
async fn find(
    State(s): State<WebState>,
    Staff { caller: c, actor }: Staff,
    q: Result<Query<gongkai_app::requests::RequestSearch>, QueryRejection>,
) -> Response {
    let actor = &actor;
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let searched = p.q.is_some() || p.from.is_some() || p.to.is_some();
    let (rows, error) = if searched {
        match s.app.find_requests(actor, &p).await {
            Ok(found) => {
                let orgs = s.app.orgs().await.unwrap_or_default();
                let name = |id: i64| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
                (
                    found
                        .into_iter()
                        .map(|r| {
                            let n = name(r.org_id);
                            (r, n)
                        })
                        .collect(),
                    String::new(),
                )
            }
            Err(e) => (vec![], e.to_string()),
        }
    } else {
        (vec![], String::new())
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, render(&FindPage { frame: frame(&s, &c, "查找申请"), p, rows, searched, error })).into_response()
}

#[derive(Template)]
#[template(path = "requests/console_queue.html")]
struct QueuePage {
    frame: views::Frame,
    /// (row, organisation, handler)
    rows: Vec<(QueueRow, String, String)>,
    mine: bool,
    /// Today's reminders to the person looking, by channel.
    reminders: Vec<(String, String)>,
    /// 依申请转主动: (organisation, the requests that asked for the same information).
    suggestions: Vec<(String, Vec<(String, String)>)>,
    /// A year of holidays the office should load now.
    calendar_gap: Option<i32>,
    fb: Feedback,
    /// The district office may load the holidays here.
    district_wide: bool,
}

#[derive(Deserialize, Default)]
struct QueueParams {
    mine: Option<String>,
}

async fn queue(
    State(s): State<WebState>,
    Staff { caller: c, actor }: Staff,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let mine = q.ok().and_then(|Query(p)| p.mine).is_some_and(|m| m == "1");
    let notice = crate::flash::take_notice(&s, &c).await;
    queue_page(&s, &c, &actor, mine, Feedback::notice(notice)).await
}

async fn queue_page(s: &WebState, c: &Caller, actor: &gongkai_app::Actor, mine: bool, fb: Feedback) -> Response {
    let rows = match s.app.request_queue(actor).await {
        Ok(r) => r,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let orgs = s.app.orgs().await.unwrap_or_default();
    let mut names: HashMap<i64, String> = HashMap::new();
    for o in orgs.iter().filter(|o| actor.may_see_org(o.id)) {
        for u in s.app.staff_of(actor, o.id).await.unwrap_or_default() {
            names.insert(u.id, u.display_name);
        }
    }
    let rows = rows
        .into_iter()
        .filter(|r| !mine || (r.assignee_id.is_some() && r.assignee_id == actor.user_id))
        .map(|r| {
            let org = orgs.iter().find(|o| o.id == r.org_id).map(|o| o.name.clone()).unwrap_or_default();
            let who = r.assignee_id.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "未指定".into());
            (r, org, who)
        })
        .collect();
    let reminders = match actor.user_id {
        Some(u) => s
            .app
            .reminders_of(u, s.app.today())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.describe().to_string(), format!("{}件临近期限或已超期", r.requests)))
            .collect(),
        None => vec![],
    };
    let suggestions = s
        .app
        .disclosure_suggestions(actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|g| (orgs.iter().find(|o| o.id == g.org_id).map(|o| o.name.clone()).unwrap_or_default(), g.requests))
        .collect();
    let calendar_gap = s.app.calendar_gap().await.unwrap_or(None);
    let district_wide = actor.role.is_district_wide();
    views::render_as(
        fb.status(),
        &QueuePage {
            frame: frame(s, c, "依申请公开办理"),
            rows,
            mine,
            reminders,
            suggestions,
            calendar_gap,
            fb,
            district_wide,
        },
    )
}

async fn staff_form(s: &WebState, c: &Caller, v: Fields, errors: Vec<(String, String)>) -> Response {
    let Some(actor) = &c.actor else {
        return Redirect::to("/admin/login").into_response();
    };
    let orgs = s
        .app
        .request_orgs()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| actor.may_see_org(o.id))
        .map(|o| (o.id, o.name))
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut v = v;
    v.remove("csrf");
    (status, render(&ApplyPage::new(s, frame(s, c, "登记申请"), orgs, true, v, errors))).into_response()
}

async fn new_form(State(s): State<WebState>, Staff { caller: c, .. }: Staff) -> Response {
    let mut v = Fields::new();
    v.insert("received_on".into(), s.app.today().to_string());
    v.insert("channel".into(), "in_person".into());
    staff_form(&s, &c, v, vec![]).await
}

async fn register(State(s): State<WebState>, c: Caller, req: axum::extract::Request) -> Response {
    let (f, files) = match read_form(req).await {
        Ok(x) => x,
        Err(e) => return staff_form(&s, &c, Fields::new(), vec![("attachments".into(), e)]).await,
    };
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match s.app.submit_request(Some(actor), new_request(&f, files)).await {
        Ok(r) => match s.app.request_queue(actor).await {
            // The new request's page, where the query code is shown once for the applicant.
            Ok(rows) => match rows.iter().find(|q| q.tracking_no == r.tracking_no) {
                Some(q) => {
                    let msg = format!(
                        "已登记，受理编号 {}，查询码 {}（仅显示一次，请告知申请人），答复期限 {}",
                        r.tracking_no,
                        r.query_code,
                        r.due_on.map(|d| d.to_string()).or(r.due_note).unwrap_or_default()
                    );
                    back_to(&s, &c, q.id, msg).await
                }
                None => Redirect::to("/admin/requests").into_response(),
            },
            Err(e) => views::error_page(&s.app.config.site_name, &e),
        },
        Err(AppError::Validation(errs)) => {
            let errors = errs.into_iter().map(|e| (e.field.to_string(), e.message)).collect();
            staff_form(&s, &c, f, errors).await
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

/// A form whose one field is a text (a calendar year pasted in, the reply letter).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TextForm {
    pub(super) text: String,
}
