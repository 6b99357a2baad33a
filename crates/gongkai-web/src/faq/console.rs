//! The hotline's knowledge base in the console: the list by state (stale ones first to
//! see), writing and editing, review by another person, withdrawal, and importing the
//! hotline's export.

use crate::WebState;
use crate::admin::{Fields, frame, need_csrf, site};
use crate::auth::Caller;
use crate::error::Id;
use crate::forms::{NoFields, Staff, StaffForm};
use crate::views::{self, Feedback, Frame, datetime};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use gongkai_app::AppError;
use gongkai_app::faq::{FaqForm, FaqView};
use gongkai_domain::faq::FaqStatus;
use serde::Deserialize;

pub(super) fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/faq", get(list))
        .route("/admin/faq/new", get(new_form).post(create))
        .route("/admin/faq/import", post(import))
        .route("/admin/faq/{id}", get(show).post(update))
        .route("/admin/faq/{id}/publish", post(publish))
        .route("/admin/faq/{id}/withdraw", post(withdraw))
}

#[derive(Template)]
#[template(path = "faq/console_list.html")]
struct ListPage {
    frame: Frame,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    entries: Vec<(FaqView, String)>,
    fb: Feedback,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatusQuery {
    status: Option<String>,
}

async fn list_page(
    s: &WebState,
    c: &Caller,
    actor: &gongkai_app::Actor,
    status: Option<String>,
    fb: Feedback,
) -> Response {
    let st = status.as_deref().and_then(FaqStatus::parse);
    match s.app.faq_list(actor, st).await {
        Ok(list) => views::render_as(
            fb.status(),
            &ListPage {
                frame: frame(s, c, "热线问答库"),
                status: st.map(|x| x.code().to_string()).unwrap_or_default(),
                statuses: FaqStatus::ALL.iter().map(|x| (x.code(), x.label())).collect(),
                entries: list
                    .into_iter()
                    .map(|e| {
                        let at = datetime(&e.published_at);
                        (e, at)
                    })
                    .collect(),
                fb,
            },
        ),
        Err(e) => views::error_page(site(s), &e),
    }
}

async fn list(
    State(s): State<WebState>,
    Staff { caller: c, actor }: Staff,
    q: Result<Query<StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    let status = q.ok().and_then(|q| q.0.status);
    list_page(&s, &c, &actor, status, Feedback::notice(notice)).await
}

#[derive(Template)]
#[template(path = "faq/console_form.html")]
struct FormPage {
    frame: Frame,
    /// None: a new entry.
    entry: Option<FaqView>,
    basis_text: String,
    question: String,
    answer: String,
    answered_on: String,
    external_ref: String,
    /// The signed-in person may publish it (a reviewer who did not write it).
    can_publish: bool,
    fb: Feedback,
}

impl FormPage {
    fn new(frame: Frame, entry: Option<FaqView>, can_publish: bool, fb: Feedback) -> FormPage {
        let e = entry.as_ref();
        FormPage {
            frame,
            basis_text: e.map(basis_text).unwrap_or_default(),
            question: e.map(|e| e.question.clone()).unwrap_or_default(),
            answer: e.map(|e| e.answer.clone()).unwrap_or_default(),
            answered_on: e.and_then(|e| e.answered_on).map(|d| d.to_string()).unwrap_or_default(),
            external_ref: e.and_then(|e| e.external_ref.clone()).unwrap_or_default(),
            entry,
            can_publish,
            fb,
        }
    }
}

fn basis_text(e: &FaqView) -> String {
    e.basis.iter().map(|b| format!("《{}》{}", b.title, b.label)).collect::<Vec<_>>().join("；")
}

async fn new_form(State(s): State<WebState>, Staff { caller: c, .. }: Staff) -> Response {
    views::render(&FormPage::new(frame(&s, &c, "编写热线问答"), None, false, Feedback::default()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EntryForm {
    question: String,
    answer: String,
    basis: String,
    answered_on: String,
    external_ref: String,
}

impl EntryForm {
    fn input(self) -> FaqForm {
        FaqForm {
            question: self.question,
            answer: self.answer,
            basis: self.basis,
            answered_on: Some(self.answered_on),
            external_ref: Some(self.external_ref),
        }
    }
}

async fn create(State(s): State<WebState>, f: StaffForm<EntryForm>) -> Response {
    let StaffForm { caller: c, actor, form, fields } = f;
    match s.app.faq_create(&actor, &form.input(), "hotline").await {
        Ok(e) => {
            crate::flash::redirect_notice(&s, &c, &format!("/admin/faq/{}", e.id), "已保存，须由另一位审核员审核后发布")
                .await
        }
        Err(e) => {
            let fb = Feedback::refused("faq", fields, &e);
            views::render_as(fb.status(), &FormPage::new(frame(&s, &c, "编写热线问答"), None, false, fb))
        }
    }
}

async fn show_page(s: &WebState, c: &Caller, actor: &gongkai_app::Actor, id: i64, fb: Feedback) -> Response {
    match s.app.faq_get(actor, id).await {
        Ok(e) => {
            let can_publish = actor.role.can_review()
                && matches!(e.status, FaqStatus::Draft | FaqStatus::Stale)
                && e.created_by != actor.user_id;
            views::render_as(fb.status(), &FormPage::new(frame(s, c, "热线问答"), Some(e), can_publish, fb))
        }
        Err(e) => views::error_page(site(s), &e),
    }
}

async fn show(State(s): State<WebState>, Staff { caller: c, actor }: Staff, Id(id): Id) -> Response {
    let notice = crate::flash::take_notice(&s, &c).await;
    show_page(&s, &c, &actor, id, Feedback::notice(notice)).await
}

async fn update(State(s): State<WebState>, Id(id): Id, f: StaffForm<EntryForm>) -> Response {
    let StaffForm { caller: c, actor, form, fields } = f;
    match s.app.faq_update(&actor, id, &form.input()).await {
        Ok(_) => crate::flash::redirect_notice(&s, &c, &format!("/admin/faq/{id}"), "已修改，须重新审核后发布").await,
        Err(e) => show_page(&s, &c, &actor, id, Feedback::refused("faq", fields, &e)).await,
    }
}

async fn publish(State(s): State<WebState>, Id(id): Id, f: StaffForm<NoFields>) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let msg = match s.app.faq_publish(&actor, id).await {
        Ok(_) => "已发布：门户、站内搜索和智能问答即时可见".to_string(),
        Err(e) => format!("未能发布：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, &format!("/admin/faq/{id}"), msg).await
}

async fn withdraw(State(s): State<WebState>, Id(id): Id, f: StaffForm<NoFields>) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    let msg = match s.app.faq_withdraw(&actor, id).await {
        Ok(_) => "已撤回".to_string(),
        Err(e) => format!("未能撤回：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, &format!("/admin/faq/{id}"), msg).await
}

async fn import(State(s): State<WebState>, c: Caller, mut mp: Multipart) -> Response {
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
                    Err(_) => {
                        return crate::flash::redirect_notice(&s, &c, "/admin/faq", "导入失败：文件过大或传输中断")
                            .await;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return crate::flash::redirect_notice(&s, &c, "/admin/faq", "导入失败：文件过大或格式错误").await,
        }
    }
    let mut f = Fields::new();
    f.insert("csrf".into(), csrf);
    let actor = match need_csrf(&c, &f) {
        Ok(a) => a.clone(),
        Err(r) => return r,
    };
    let result = match file {
        Some((name, bytes)) if !name.is_empty() => s.app.faq_import(&actor, &name, &bytes).await,
        _ => Err(AppError::field("file", "请选择要导入的 .xlsx 或 .csv 文件")),
    };
    let msg = match result {
        Ok(r) if r.errors.is_empty() => format!("已导入 {} 条，均待审核", r.created),
        Ok(r) => {
            let rows: Vec<String> = r.errors.iter().take(20).map(|e| format!("第{}行：{}", e.row, e.message)).collect();
            format!("已导入 {} 条（待审核）；{} 行未导入：{}", r.created, r.errors.len(), rows.join("；"))
        }
        Err(e) => format!("导入失败：{e}"),
    };
    crate::flash::redirect_notice(&s, &c, "/admin/faq", msg).await
}
