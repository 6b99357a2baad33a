//! The public pages for requests (依申请公开): the application form, the receipt with the
//! tracking number and query code, and the tracking page. They work without JavaScript.

use crate::WebState;
use crate::auth::Caller;
use crate::error::{WebError, WebResult};
use crate::flash::{self, Flash};
use crate::views::{self, Frame, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongkai_app::AppError;
use gongkai_app::requests::{MAX_REQUEST_FILES, NewRequest, PublicStatus, Receipt, Upload};
use gongkai_domain::request::{ApplicantKind, Application, CollectBy, Medium};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/apply", get(form).post(submit))
        .route("/apply/done", get(done))
        .route("/apply/track", get(track_form).post(track))
        .route("/cases", get(cases))
        .route("/cases/{id}", get(case))
}

#[derive(Template)]
#[template(path = "requests/cases.html")]
struct CasesPage {
    frame: Frame,
    items: Vec<gongkai_app::requests::cases::CaseView>,
    one: bool,
}

async fn cases(State(s): State<WebState>) -> Response {
    let frame = Frame::new(&s.app.config.site_name, "依申请公开案例", "依申请公开").crumb("依申请公开案例", "/cases");
    match s.app.cases(1, 50).await {
        Ok((items, _)) => render(&CasesPage { frame, items, one: false }),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

async fn case(State(s): State<WebState>, crate::error::Id(id): crate::error::Id) -> Response {
    match s.app.case(id).await {
        Ok(c) => {
            let frame = Frame::new(&s.app.config.site_name, c.title.clone(), "依申请公开")
                .crumb("依申请公开案例", "/cases")
                .crumb(c.title.clone(), format!("/cases/{id}"));
            render(&CasesPage { frame, items: vec![c], one: true })
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Template)]
#[template(path = "requests/apply.html")]
pub(crate) struct ApplyPage {
    pub frame: Frame,
    /// Staff registering a request that came in person, by post or fax.
    pub staff: bool,
    pub channels: Vec<(&'static str, &'static str)>,
    pub orgs: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    media: Vec<(&'static str, &'static str)>,
    deliveries: Vec<(&'static str, &'static str)>,
    /// What was typed, kept on an error.
    pub v: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
    pub max_files: usize,
    pub max_mb: usize,
    /// This filling-in of the form: a double click or a resend is not filed twice.
    pub idem: String,
}

impl ApplyPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn error(&self, k: &str) -> String {
        self.errors.iter().filter(|(f, _)| f == k).map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；")
    }
    fn is(&self, k: &str, value: &str) -> bool {
        self.v.get(k).map(String::as_str) == Some(value)
    }
    /// The control a field's error summary links to.
    fn field_id(&self, field: &str) -> &'static str {
        match field {
            "channel" => "a-channel",
            "received_on" => "a-received",
            "org_id" => "a-org",
            "applicant_kind" => "a-kind",
            "name" => "a-name",
            "id_number" => "a-id",
            "contact_person" => "a-contact",
            "phone" => "a-phone",
            "email" => "a-email",
            "address" => "a-addr",
            "description" => "a-desc",
            "purpose" => "a-purpose",
            "medium" => "a-medium",
            "delivery" => "a-delivery",
            _ => "a-files",
        }
    }
}

#[derive(Template)]
#[template(path = "requests/apply_done.html")]
struct DonePage {
    frame: Frame,
    r: Receipt,
}

/// The receipt again, from the request as stored and the code this browser was given.
fn receipt_of(st: PublicStatus, query_code: String) -> Receipt {
    Receipt {
        tracking_no: st.tracking_no,
        query_code,
        received_on: st.received_on,
        due_on: st.due_on,
        due: st.due,
        due_note: st.due_note,
    }
}

impl DonePage {
    /// The first working day counted towards the reply date.
    fn first_counted(&self) -> Option<String> {
        let due = self.r.due.as_ref()?;
        due.base.days.iter().find(|d| d.counted.is_some()).map(|d| d.date.to_string())
    }
}

impl ApplyPage {
    /// The form, empty or with what was typed and the errors.
    pub(crate) fn new(
        s: &WebState,
        frame: Frame,
        orgs: Vec<(i64, String)>,
        staff: bool,
        v: HashMap<String, String>,
        errors: Vec<(String, String)>,
    ) -> ApplyPage {
        use gongkai_domain::request::RequestChannel;
        ApplyPage {
            frame,
            staff,
            channels: RequestChannel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
            orgs,
            kinds: ApplicantKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            media: Medium::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            deliveries: CollectBy::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            v,
            errors,
            max_files: MAX_REQUEST_FILES,
            max_mb: s.app.config.max_upload_bytes / 1024 / 1024,
            idem: String::new(),
        }
        .keyed()
    }

    /// Keeps the key of the form that was sent (shown again with its errors), or takes a
    /// new one for a fresh form.
    fn keyed(mut self) -> ApplyPage {
        self.idem = self
            .v
            .remove("idem")
            .filter(|k| !k.is_empty() && k.len() <= 64)
            .unwrap_or_else(gongkai_app::App::new_flash_token);
        self
    }
}

async fn page(s: &WebState, v: HashMap<String, String>, errors: Vec<(String, String)>) -> Response {
    let orgs = s.app.request_orgs().await.unwrap_or_default().into_iter().map(|o| (o.id, o.name)).collect();
    let frame =
        Frame::new(&s.app.config.site_name, "政府信息公开申请", "依申请公开").crumb("政府信息公开申请", "/apply");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, render(&ApplyPage::new(s, frame, orgs, false, v, errors))).into_response()
}

async fn form(State(s): State<WebState>) -> Response {
    // Defaults that need nothing more from the applicant: an electronic copy to fetch
    // online (e-mail would need an address, post a postal address).
    let v = HashMap::from([
        ("medium".to_string(), "electronic".to_string()),
        ("delivery".to_string(), "online".to_string()),
    ]);
    page(&s, v, vec![]).await
}

/// Reads the application form: its fields, and the files chosen in `attachments` (an
/// empty file input sends one nameless empty part, which is skipped).
/// A plain url-encoded post (no files) is accepted too.
pub(crate) async fn read_form(req: axum::extract::Request) -> Result<(HashMap<String, String>, Vec<Upload>), String> {
    use axum::extract::FromRequest;
    let urlencoded = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if urlencoded {
        let axum::Form(f) = axum::Form::<HashMap<String, String>>::from_request(req, &())
            .await
            .map_err(|_| "表单内容无法识别，请刷新页面后重试".to_string())?;
        return Ok((f, vec![]));
    }
    let mut mp =
        Multipart::from_request(req, &()).await.map_err(|_| "表单内容无法识别，请刷新页面后重试".to_string())?;
    let mut fields = HashMap::new();
    let mut files = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                let bytes = field.bytes().await.map_err(|_| "上传失败：附件过大或传输中断".to_string())?;
                match file_name {
                    Some(f) if name == "attachments" => {
                        if !(f.is_empty() && bytes.is_empty()) {
                            files.push(Upload { file_name: f, bytes: bytes.to_vec() });
                        }
                    }
                    _ => {
                        fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                }
            }
            Ok(None) => return Ok((fields, files)),
            Err(_) => return Err("上传失败：附件过大或传输中断".into()),
        }
    }
}

/// The request the form describes.
pub(crate) fn new_request(f: &HashMap<String, String>, attachments: Vec<Upload>) -> NewRequest {
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let o = |k: &str| f.get(k).cloned().filter(|v| !v.trim().is_empty());
    NewRequest {
        application: Application {
            applicant_kind: g("applicant_kind"),
            name: g("name"),
            id_number: g("id_number"),
            contact_person: o("contact_person"),
            phone: g("phone"),
            email: o("email"),
            address: o("address"),
            description: g("description"),
            purpose: o("purpose"),
            medium: g("medium"),
            collect_by: g("delivery"),
        },
        org_id: g("org_id").trim().parse().unwrap_or(0),
        intake_channel: o("channel"),
        received_on: o("received_on"),
        attachments,
        idempotency_key: o("idem"),
    }
}

async fn submit(State(s): State<WebState>, c: Caller, req: axum::extract::Request) -> Response {
    let (f, files) = match read_form(req).await {
        Ok(x) => x,
        Err(e) => return page(&s, HashMap::new(), vec![("attachments".into(), e)]).await,
    };
    let mut input = new_request(&f, files);
    // The public form is always online, received today.
    input.intake_channel = None;
    input.received_on = None;
    match s.app.submit_request(None, input).await {
        Ok(r) => {
            let receipt = Flash::Receipt { tracking_no: r.tracking_no, query_code: r.query_code };
            flash::redirect_with(&s, &c, "/apply/done", receipt).await
        }
        Err(AppError::Validation(errs)) => {
            let errors = errs.into_iter().map(|e| (e.field.to_string(), e.message)).collect();
            page(&s, f, errors).await
        }
        // Sent again from the browser that has its receipt: that receipt, once more.
        Err(AppError::AlreadyReceived { tracking_no, .. })
            if flash::receipt(&s, &c).await.is_some_and(|(t, _)| t == tracking_no) =>
        {
            axum::response::Redirect::to("/apply/done").into_response()
        }
        Err(e) => WebError(e).into_response(),
    }
}

/// The receipt of the application this browser just sent (refreshing it files nothing).
async fn done(State(s): State<WebState>, c: Caller) -> WebResult {
    let gone = || {
        WebError(AppError::NotFound(
            "回执只在提交后的一段时间内显示。请凭受理编号和查询码在“办理进度查询”中查看。".into(),
        ))
    };
    let (tracking_no, query_code) = flash::receipt(&s, &c).await.ok_or_else(gone)?;
    let st = s.app.track_request(&tracking_no, &query_code).await.map_err(|_| gone())?;
    let frame = Frame::new(&s.app.config.site_name, "申请已提交", "依申请公开").crumb("政府信息公开申请", "/apply");
    Ok(render(&DonePage { frame, r: receipt_of(st, query_code) }))
}

#[derive(Deserialize, Default)]
struct TrackParams {
    tracking_no: Option<String>,
    query_code: Option<String>,
}

#[derive(Template)]
#[template(path = "requests/track.html")]
struct TrackPage {
    frame: Frame,
    tracking_no: String,
    status: Option<PublicStatus>,
    error: String,
}

/// The tracking form; a tracking number in the link (from the receipt) is filled in.
async fn track_form(State(s): State<WebState>, q: Result<Query<TrackParams>, QueryRejection>) -> Response {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let frame =
        Frame::new(&s.app.config.site_name, "申请办理进度查询", "依申请公开").crumb("办理进度查询", "/apply/track");
    let tracking_no = p.tracking_no.unwrap_or_default().chars().take(32).collect();
    render(&TrackPage { frame, tracking_no, status: None, error: String::new() })
}

/// Tracking by POST: the query code stays out of URLs, browser history and access logs.
async fn track(State(s): State<WebState>, axum::Form(p): axum::Form<TrackParams>) -> Response {
    let frame =
        Frame::new(&s.app.config.site_name, "申请办理进度查询", "依申请公开").crumb("办理进度查询", "/apply/track");
    let tracking_no = p.tracking_no.clone().unwrap_or_default();
    let (status, error, code) = match (&p.tracking_no, &p.query_code) {
        (Some(t), Some(c)) if !t.trim().is_empty() => match s.app.track_request(t, c).await {
            Ok(st) => (Some(st), String::new(), StatusCode::OK),
            Err(e @ AppError::NotFound(_)) => (None, e.to_string(), StatusCode::NOT_FOUND),
            Err(e) => return views::error_page(&s.app.config.site_name, &e),
        },
        _ => (None, String::new(), StatusCode::OK),
    };
    (code, render(&TrackPage { frame, tracking_no, status, error })).into_response()
}
