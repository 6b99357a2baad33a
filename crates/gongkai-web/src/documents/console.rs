//! The console for the document library: the form that shows each validation error in
//! Chinese next to its field, a document with its workflow, attachments, repeals and
//! interpretations.

use crate::WebState;
use crate::admin::{Fields, frame, need_csrf, site};
use crate::auth::Caller;
use crate::error::Id;
use crate::forms::{Staff, StaffForm};
use crate::views::{self, Feedback, Frame, date, render};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_app::AppError;
use gongkai_app::documents::{ActionInput, DocumentInput};
use gongkai_app::interpretations::InterpretationInput;
use gongkai_domain::body::Block;
use gongkai_domain::diff::Change;
use gongkai_domain::{Category, DisclosureMode, DocumentKind, Status};
use serde::Deserialize;
use std::collections::HashMap;

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/documents/new", get(new_form))
        .route("/admin/documents", post(create))
        .route("/admin/documents/{id}", get(detail).post(update))
        .route("/admin/documents/{id}/edit", get(edit_form))
        .route("/admin/documents/{id}/revise", get(revise_form).post(revise))
        .route("/admin/documents/{id}/action", post(action))
        .route("/admin/documents/{id}/attachments", post(upload))
        .route("/admin/documents/{id}/repeals", post(repeals))
        .route("/admin/documents/{id}/mask", post(mask))
        .route("/admin/attachments/{id}/withhold", post(withhold))
        .route("/admin/interpretations", post(create_interpretation))
        .route("/admin/interpretations/{id}/action", post(interpretation_action))
}

/// The document form as the browser sends it: every field text, as typed (the use case
/// checks them, and an error shows the form again with what was typed).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct DocumentForm {
    title: String,
    issuer: String,
    /// Several names separated by 、 or commas.
    co_issuers: String,
    doc_no: String,
    kind: String,
    category: String,
    topic: String,
    signed_on: String,
    published_on: String,
    effective_on: String,
    expires_on: String,
    disclosure_mode: String,
    withheld_reason: String,
    keywords: String,
    body: String,
    version_note: String,
    privacy_exception: String,
}

impl DocumentForm {
    /// A field by its name in the form, for the template's one way of writing a field.
    fn get(&self, name: &str) -> &str {
        match name {
            "title" => &self.title,
            "issuer" => &self.issuer,
            "co_issuers" => &self.co_issuers,
            "doc_no" => &self.doc_no,
            "kind" => &self.kind,
            "category" => &self.category,
            "topic" => &self.topic,
            "signed_on" => &self.signed_on,
            "published_on" => &self.published_on,
            "effective_on" => &self.effective_on,
            "expires_on" => &self.expires_on,
            "disclosure_mode" => &self.disclosure_mode,
            "withheld_reason" => &self.withheld_reason,
            "keywords" => &self.keywords,
            "body" => &self.body,
            "version_note" => &self.version_note,
            "privacy_exception" => &self.privacy_exception,
            _ => "",
        }
    }

    fn input(&self) -> DocumentInput {
        let opt = |v: &str| (!v.trim().is_empty()).then(|| v.to_string());
        DocumentInput {
            title: self.title.clone(),
            org_id: None,
            issuer: opt(&self.issuer),
            co_issuers: self.co_issuers.split(['、', '\n', ',', '，']).map(str::to_string).collect(),
            doc_no: opt(&self.doc_no),
            kind: opt(&self.kind),
            category: self.category.clone(),
            topic: opt(&self.topic),
            signed_on: opt(&self.signed_on),
            published_on: opt(&self.published_on),
            effective_on: opt(&self.effective_on),
            expires_on: opt(&self.expires_on),
            disclosure_mode: opt(&self.disclosure_mode),
            withheld_reason: opt(&self.withheld_reason),
            keywords: opt(&self.keywords),
            body: self.body.clone(),
            version_note: opt(&self.version_note),
            privacy_exception: opt(&self.privacy_exception),
        }
    }

    /// The form filled with a document, for editing it or revising it.
    fn of(m: &gongkai_app::documents::DocumentView) -> DocumentForm {
        DocumentForm {
            title: m.title.clone(),
            issuer: m.issuer.clone(),
            co_issuers: m.co_issuers.join("、"),
            doc_no: m.doc_no.clone().unwrap_or_default(),
            kind: m.kind_label.clone().unwrap_or_default(),
            category: m.category_label.clone(),
            topic: m.topic.clone().unwrap_or_default(),
            signed_on: date(&m.signed_on),
            published_on: date(&m.published_on),
            effective_on: date(&m.effective_on),
            expires_on: date(&m.expires_on),
            disclosure_mode: m.disclosure_mode_label.clone(),
            withheld_reason: m.withheld_reason.clone().unwrap_or_default(),
            keywords: m.keywords.clone(),
            body: m.body.clone().unwrap_or_default(),
            version_note: String::new(),
            privacy_exception: m.privacy_exception.map(|e| e.label().to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "documents/form.html")]
struct DocForm {
    frame: Frame,
    action: String,
    heading: String,
    f: DocumentForm,
    errors: HashMap<String, String>,
    summary: Vec<String>,
    kinds: Vec<&'static str>,
    categories: Vec<&'static str>,
    modes: Vec<&'static str>,
    topics: Vec<String>,
    revising: bool,
}

impl DocForm {
    fn v(&self, k: &str) -> &str {
        self.f.get(k)
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
        self.f.get(k) == v
    }
}

async fn doc_form(
    s: &WebState,
    c: &Caller,
    action: String,
    heading: &str,
    f: DocumentForm,
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

async fn new_form(State(s): State<WebState>, Staff { caller: c, .. }: Staff) -> Response {
    let f = DocumentForm { category: Category::Other.label().into(), ..Default::default() };
    doc_form(&s, &c, "/admin/documents".into(), "起草文件", f, None, false).await
}

async fn create(State(s): State<WebState>, f: StaffForm<DocumentForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, .. } = f;
    match s.app.create_document(&actor, f.input()).await {
        Ok(d) => Redirect::to(&format!("/admin/documents/{}", d.id)).into_response(),
        Err(e) => doc_form(&s, &c, "/admin/documents".into(), "起草文件", f, Some(e), false).await,
    }
}

async fn edit_form(State(s): State<WebState>, Id(id): Id, Staff { caller: c, actor }: Staff) -> Response {
    let actor = &actor;
    let d = s.app.document_detail(Some(actor), id, None).await;
    match d {
        Ok(d) => {
            doc_form(
                &s,
                &c,
                format!("/admin/documents/{}", d.document.id),
                "修改草稿",
                DocumentForm::of(&d.document),
                None,
                false,
            )
            .await
        }
        Err(e) => views::error_page(site(&s), &e),
    }
}

async fn update(State(s): State<WebState>, Id(id): Id, f: StaffForm<DocumentForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, .. } = f;
    match s.app.update_document(&actor, id, f.input()).await {
        Ok(_) => Redirect::to(&format!("/admin/documents/{id}")).into_response(),
        Err(e) => doc_form(&s, &c, format!("/admin/documents/{id}"), "修改草稿", f, Some(e), false).await,
    }
}

async fn revise_form(State(s): State<WebState>, Id(id): Id, Staff { caller: c, actor }: Staff) -> Response {
    let actor = &actor;
    let d = s.app.document_detail(Some(actor), id, None).await;
    match d {
        Ok(d) => {
            // A new version gets its own number and publication date.
            let f =
                DocumentForm { doc_no: String::new(), published_on: String::new(), ..DocumentForm::of(&d.document) };
            doc_form(&s, &c, format!("/admin/documents/{}/revise", d.document.id), "修订（生成新版本）", f, None, true)
                .await
        }
        Err(e) => views::error_page(site(&s), &e),
    }
}

async fn revise(State(s): State<WebState>, Id(id): Id, f: StaffForm<DocumentForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, .. } = f;
    match s.app.revise_document(&actor, id, f.input()).await {
        Ok(d) => Redirect::to(&format!("/admin/documents/{}", d.id)).into_response(),
        Err(e) => {
            doc_form(&s, &c, format!("/admin/documents/{id}/revise"), "修订（生成新版本）", f, Some(e), true).await
        }
    }
}

#[derive(Template)]
#[template(path = "documents/console_document.html")]
struct DetailPage {
    frame: Frame,
    d: gongkai_app::documents::DocumentDetail,
    fb: Feedback,
    forms: Vec<&'static str>,
    /// What the person looking may do: draft and edit, review and publish.
    can_edit: bool,
    can_review: bool,
    /// What the reviewer approves beside the body, when there is a version before this one.
    changes: Option<Changes>,
}

/// A revision against the version before it: that version's number, the changed items of
/// the metadata (label, before, after) and the changed articles.
struct Changes {
    prev_no: i32,
    metadata: Vec<(String, String, String)>,
    units: Vec<gongkai_domain::diff::DiffUnit>,
}

impl DetailPage {
    /// Whether `act` is offered: allowed for the role and possible in the current state.
    fn offers(&self, act: &str) -> bool {
        let st = self.d.document.status;
        match act {
            "edit" | "submit" => self.can_edit && st == Status::Draft,
            "approve" => self.can_review && st == Status::Submitted,
            "publish" => self.can_review && st == Status::Approved,
            "reject" => self.can_review && matches!(st, Status::Submitted | Status::Approved | Status::Scheduled),
            "withdraw" => self.can_review && matches!(st, Status::Published | Status::Scheduled),
            "revise" => self.can_edit && st == Status::Published,
            "interpretation" => self.can_edit && st != Status::Withdrawn,
            _ => false,
        }
    }
}

async fn detail(
    State(s): State<WebState>,
    Id(id): Id,
    Staff { caller: c, actor }: Staff,
    q: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let _ = q;
    let notice = crate::flash::take_notice(&s, &c).await;
    detail_page(&s, &c, &actor, id, Feedback::notice(notice)).await
}

async fn detail_page(s: &WebState, c: &Caller, actor: &gongkai_app::Actor, id: i64, fb: Feedback) -> Response {
    let d = match s.app.document_detail(Some(actor), id, None).await {
        Ok(d) => d,
        Err(e) => return views::error_page(site(s), &e),
    };
    let prev = d.versions.iter().filter(|v| v.version_no < d.document.version_no).max_by_key(|v| v.version_no);
    let changes = match prev {
        Some(p) => match s.app.document_diff(Some(actor), id, p.id, id).await {
            Ok(diff) => Some(Changes {
                prev_no: p.version_no,
                metadata: diff.metadata,
                units: gongkai_domain::diff::by_article(&diff.body).into_iter().filter(|u| u.changed).collect(),
            }),
            Err(e) => return views::error_page(site(s), &e),
        },
        None => None,
    };
    views::render_as(
        fb.status(),
        &DetailPage {
            frame: frame(s, c, &d.document.title),
            d,
            fb,
            forms: gongkai_domain::interpretation::Form::ALL.iter().map(|f| f.label()).collect(),
            can_edit: actor.role.can_edit(),
            can_review: actor.role.can_review(),
            changes,
        },
    )
}

/// The document's page again, with form `form` as it was sent and why it was refused.
async fn refused(
    s: &WebState,
    c: &Caller,
    actor: &gongkai_app::Actor,
    id: i64,
    form: &'static str,
    fields: Vec<(String, String)>,
    e: &AppError,
) -> Response {
    detail_page(s, c, actor, id, Feedback::refused(form, fields, e)).await
}

/// Back to the document's page, which shows `msg` once (Post/Redirect/Get).
async fn back_with(s: &WebState, c: &Caller, id: i64, msg: &str) -> Response {
    crate::flash::redirect_notice(s, c, &format!("/admin/documents/{id}"), msg).await
}

async fn action(State(s): State<WebState>, Id(id): Id, f: StaffForm<ActionInput>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    // Three forms post actions: the buttons, scheduled publication, and the ones that
    // need a reason.
    let form = if fields.iter().any(|(k, _)| k == "publish_at") {
        "schedule"
    } else if fields.iter().any(|(k, _)| k == "reason") {
        "reason"
    } else {
        "act"
    };
    match s.app.document_action(actor, id, f).await {
        Ok(d) => back_with(&s, &c, id, &format!("操作成功，当前状态：{}", d.status_label)).await,
        Err(e) => refused(&s, &c, actor, id, form, fields, &e).await,
    }
}

async fn upload(State(s): State<WebState>, c: Caller, Id(id): Id, mut mp: Multipart) -> Response {
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
    let result = match file {
        Some((name, bytes)) if !name.is_empty() => s.app.add_attachment(actor, id, &name, bytes).await,
        _ => Err(AppError::field("file", "请选择要上传的文件")),
    };
    match result {
        Ok(a) => back_with(&s, &c, id, &format!("已上传附件：{}", a.file_name)).await,
        // A file cannot be put back into the form: it is chosen again.
        Err(e) => refused(&s, &c, actor, id, "upload", vec![], &e).await,
    }
}

/// The documents a draft repeals, by 发文字号 or whole title, one per line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RepealsForm {
    targets: String,
}

async fn repeals(State(s): State<WebState>, Id(id): Id, f: StaffForm<RepealsForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let set = async {
        let targets = s.app.repeal_targets(&f.targets).await?;
        s.app.set_repeals(&actor, id, &targets).await
    };
    match set.await {
        Ok(()) => back_with(&s, &c, id, "已设置废止关系，本文件发布时生效").await,
        Err(e) => refused(&s, &c, &actor, id, "repeals", fields, &e).await,
    }
}

/// An interpretation added from a document's page: one document, the page's own.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InterpretationForm {
    document_id: String,
    title: String,
    form: String,
    author: Option<String>,
    body: String,
    media_url: Option<String>,
}

async fn create_interpretation(State(s): State<WebState>, f: StaffForm<InterpretationForm>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    let doc_id: i64 = f.document_id.trim().parse().unwrap_or(0);
    let input = InterpretationInput {
        title: f.title,
        form: f.form,
        author: f.author,
        body: f.body,
        media_url: f.media_url,
        document_ids: vec![doc_id],
    };
    match s.app.create_interpretation(actor, input).await {
        Ok(i) => back_with(&s, &c, doc_id, &format!("已添加解读：{}", i.title)).await,
        Err(e) => refused(&s, &c, actor, doc_id, "interp", fields, &e).await,
    }
}

/// Submit, approve or send back an interpretation; back to the document it was opened from.
/// A review step on an interpretation, from its document's page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InterpretationActionForm {
    document_id: String,
    action: String,
    reason: String,
}

async fn interpretation_action(
    State(s): State<WebState>,
    Id(id): Id,
    f: StaffForm<InterpretationActionForm>,
) -> Response {
    let StaffForm { caller: c, actor, form: f, mut fields } = f;
    let actor = &actor;
    let doc_id: i64 = f.document_id.trim().parse().unwrap_or(0);
    let reason = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
    match s.app.interpretation_action(actor, id, &f.action, reason).await {
        Ok(i) => back_with(&s, &c, doc_id, &format!("解读“{}”：{}", i.title, i.status_label)).await,
        Err(e) => {
            // One form per interpretation: the refusal names the one it belongs to.
            fields.push(("interpretation_id".into(), id.to_string()));
            refused(&s, &c, actor, doc_id, "interp_action", fields, &e).await
        }
    }
}

/// De-identifies the document's title and body (the pre-publication check offers it).
async fn mask(State(s): State<WebState>, Id(id): Id, f: StaffForm<crate::forms::NoFields>) -> Response {
    let StaffForm { caller: c, actor, .. } = f;
    match s.app.mask_document(&actor, id).await {
        Ok(m) => {
            let list: Vec<String> = m.masked.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let files: Vec<String> = m.files.iter().map(|(n, what)| format!("附件“{n}”{what}")).collect();
            let mut msg = format!("已去标识化 {} 处：{}", list.len(), list.join("，"));
            if !files.is_empty() {
                msg.push_str(&format!("。{}", files.join("；")));
            }
            back_with(&s, &c, id, &msg).await
        }
        Err(e) => refused(&s, &c, &actor, id, "act", vec![], &e).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct WithholdForm {
    document_id: String,
}

/// Withholds an attachment from the public (personal data in a file that cannot be masked).
async fn withhold(State(s): State<WebState>, Id(id): Id, f: StaffForm<WithholdForm>) -> Response {
    let StaffForm { caller: c, actor, form, .. } = f;
    let Ok(doc) = form.document_id.trim().parse::<i64>() else {
        return views::error_page(&s.app.config.site_name, &gongkai_app::AppError::NotFound("附件不存在".into()));
    };
    match s.app.withhold_attachment(&actor, id, "").await {
        Ok(()) => back_with(&s, &c, doc, "已暂停公开该附件：公众看到的是暂停公开的说明").await,
        Err(e) => refused(&s, &c, &actor, doc, "withhold", vec![], &e).await,
    }
}
