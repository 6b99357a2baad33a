//! The public pages for requests (依申请公开): the application form, the receipt with the
//! tracking number and query code, and the tracking page. They work without JavaScript.

use crate::WebState;
use crate::views::{self, Frame, render};
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use gongkai_app::AppError;
use gongkai_app::requests::{NewRequest, PublicStatus, Receipt};
use gongkai_domain::request::{ApplicantKind, Application, Delivery, Medium};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/apply", get(form).post(submit))
        .route("/apply/track", get(track))
        .route("/cases", get(cases))
        .route("/cases/{id}", get(case))
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    frame: Frame,
    items: Vec<gongkai_app::cases::CaseView>,
    one: bool,
}

async fn cases(State(s): State<WebState>) -> Response {
    let frame = Frame::new(&s.app.config.site_name, "依申请公开案例", "依申请公开").crumb("依申请公开案例", "/cases");
    match s.app.cases(1, 50).await {
        Ok((items, _)) => render(&CasesPage { frame, items, one: false }),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

async fn case(State(s): State<WebState>, axum::extract::Path(id): axum::extract::Path<i64>) -> Response {
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
#[template(path = "apply.html")]
struct ApplyPage {
    frame: Frame,
    orgs: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    media: Vec<(&'static str, &'static str)>,
    deliveries: Vec<(&'static str, &'static str)>,
    /// What was typed, kept on an error.
    v: HashMap<String, String>,
    errors: Vec<(String, String)>,
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
}

#[derive(Template)]
#[template(path = "apply_done.html")]
struct DonePage {
    frame: Frame,
    r: Receipt,
}

async fn page(s: &WebState, v: HashMap<String, String>, errors: Vec<(String, String)>) -> Response {
    let orgs = s.app.orgs().await.unwrap_or_default().into_iter().map(|o| (o.id, o.name)).collect();
    let frame =
        Frame::new(&s.app.config.site_name, "政府信息公开申请", "依申请公开").crumb("政府信息公开申请", "/apply");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = ApplyPage {
        frame,
        orgs,
        kinds: ApplicantKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        media: Medium::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        deliveries: Delivery::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        v,
        errors,
    };
    (status, render(&p)).into_response()
}

async fn form(State(s): State<WebState>) -> Response {
    page(&s, HashMap::new(), vec![]).await
}

async fn submit(State(s): State<WebState>, Form(f): Form<HashMap<String, String>>) -> Response {
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let o = |k: &str| f.get(k).cloned().filter(|v| !v.trim().is_empty());
    let input = NewRequest {
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
            delivery: g("delivery"),
        },
        org_id: g("org_id").trim().parse().unwrap_or(0),
        channel: None,
        received_on: None,
    };
    match s.app.submit_request(None, input).await {
        Ok(r) => {
            let frame =
                Frame::new(&s.app.config.site_name, "申请已提交", "依申请公开").crumb("政府信息公开申请", "/apply");
            render(&DonePage { frame, r })
        }
        Err(AppError::Validation(errs)) => {
            let errors = errs.into_iter().map(|e| (e.field.to_string(), e.message)).collect();
            page(&s, f, errors).await
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

#[derive(Deserialize, Default)]
struct TrackParams {
    tracking_no: Option<String>,
    query_code: Option<String>,
}

#[derive(Template)]
#[template(path = "apply_track.html")]
struct TrackPage {
    frame: Frame,
    tracking_no: String,
    status: Option<PublicStatus>,
    error: String,
}

async fn track(State(s): State<WebState>, q: Result<Query<TrackParams>, QueryRejection>) -> Response {
    let p = q.map(|Query(p)| p).unwrap_or_default();
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
