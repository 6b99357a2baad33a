//! Request handling beyond intake, on SQLite and PostgreSQL: fees and abandonment, the
//! assignee and transfers, the daily reminder over a real SMTP connection, staff
//! registration and private attachments, the annual report in the console, and the
//! first-day setting.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongkai_app::{App, AppConfig, AppError};
use gongkai_testkit::{app_with, databases, demo_app, fake_smtp};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use time::macros::datetime;
use tower::ServiceExt;

/// Sends through a router as a bearer token or a console session.
struct Http {
    router: axum::Router,
}

enum Auth<'a> {
    None,
    Bearer(&'a str),
    Session(&'a str),
}

impl Http {
    async fn raw(
        &self,
        method: &str,
        uri: &str,
        auth: Auth<'_>,
        body: Option<(String, Vec<u8>)>,
    ) -> (StatusCode, Vec<u8>) {
        let mut r = Request::builder().method(method).uri(uri);
        r = match auth {
            Auth::None => r,
            Auth::Bearer(t) => r.header(header::AUTHORIZATION, format!("Bearer {t}")),
            Auth::Session(t) => r.header(header::COOKIE, format!("gk_session={t}")),
        };
        let req = match body {
            Some((ctype, bytes)) => r.header(header::CONTENT_TYPE, ctype).body(Body::from(bytes)).unwrap(),
            None => r.body(Body::empty()).unwrap(),
        };
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let s = resp.status();
        (s, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    async fn json(&self, method: &str, uri: impl AsRef<str>, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let body = body.map(|v| ("application/json".to_string(), v.to_string().into_bytes()));
        let (s, bytes) = self.raw(method, uri.as_ref(), Auth::Bearer(token), body).await;
        (s, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// A page as a browser shows it: a 303 after a form is followed, with the session
    /// and the flash cookie the redirect set.
    async fn page(
        &self,
        method: &str,
        uri: &str,
        auth: Auth<'_>,
        body: Option<(String, Vec<u8>)>,
    ) -> (StatusCode, String) {
        let mut r = Request::builder().method(method).uri(uri);
        let session = match auth {
            Auth::Session(t) => Some(format!("gk_session={t}")),
            _ => None,
        };
        if let Some(c) = &session {
            r = r.header(header::COOKIE, c.clone());
        }
        let req = match body {
            Some((ctype, bytes)) => r.header(header::CONTENT_TYPE, ctype).body(Body::from(bytes)).unwrap(),
            None => r.body(Body::empty()).unwrap(),
        };
        let resp = self.router.clone().oneshot(req).await.unwrap();
        if resp.status() != StatusCode::SEE_OTHER {
            let s = resp.status();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            return (s, String::from_utf8_lossy(&bytes).into_owned());
        }
        let to = resp.headers()[header::LOCATION].to_str().unwrap().to_string();
        let flash = resp.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
            v.strip_prefix("gk_flash=").map(|r| format!("gk_flash={}", r.split(';').next().unwrap_or("")))
        });
        let cookies: Vec<String> = session.into_iter().chain(flash).collect();
        let mut r = Request::builder().uri(to);
        if !cookies.is_empty() {
            r = r.header(header::COOKIE, cookies.join("; "));
        }
        let resp = self.router.clone().oneshot(r.body(Body::empty()).unwrap()).await.unwrap();
        let s = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (s, String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "gongkaiREQUESTboundary42";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, content) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn urlencoded(s: &str) -> (String, Vec<u8>) {
    ("application/x-www-form-urlencoded".into(), s.as_bytes().to_vec())
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn application(org_id: i64, channel: &str, received: &str) -> Value {
    json!({
        "applicant_kind": "commercial", "name": "某某科技有限公司", "id_number": "91350100M000100Y43",
        "contact_person": "王五", "phone": "13800000000", "description": "2025年度区级产业扶持资金拨付明细",
        "medium": "paper", "delivery": "pickup", "org_id": org_id, "channel": channel, "received_on": received
    })
}

async fn token(app: &App, user: &str) -> String {
    let actor = app.system_actor().await.unwrap();
    app.create_token(&actor, user, "test").await.unwrap()
}

#[tokio::test]
async fn fees_abandonment_assignment_transfer_and_reminders() {
    for db in databases().await {
        let b = db.backend;
        let demo = demo_app(&db).await;
        let orgs = demo.orgs().await.unwrap();
        let office_org = orgs.iter().find(|o| o.kind.code() == "office").unwrap().id;
        let edu = orgs.iter().find(|o| o.name.contains("教育")).unwrap().id;
        let cli = demo.system_actor().await.unwrap();
        let clerk = demo
            .add_user(
                &cli,
                gongkai_app::auth::NewUser {
                    username: "clerk".into(),
                    display_name: Some("公开办经办人".into()),
                    role: "editor".into(),
                    org: office_org.to_string(),
                    password: "a-long-enough-password".into(),
                    email: Some("clerk@example.gov.cn".into()),
                },
            )
            .await
            .unwrap();
        let bad_email = gongkai_app::auth::NewUser {
            username: "clerk2".into(),
            display_name: None,
            role: "editor".into(),
            org: office_org.to_string(),
            password: "a-long-enough-password".into(),
            email: Some("not an address".into()),
        };
        assert!(demo.add_user(&cli, bad_email).await.is_err(), "{b}: a malformed e-mail is refused");
        let office = token(&demo, "office").await;
        let editor = token(&demo, "editor").await;

        // Staff work on Monday 1 September 2025, with e-mail configured.
        let smtp = fake_smtp().await;
        let config = AppConfig {
            smtp: Some(gongkai_app::reminders::SmtpConfig {
                url: smtp.url.clone(),
                from: "区政务公开办 <gongkai@example.gov.cn>".into(),
            }),
            ..AppConfig::default()
        };
        let app = Arc::new(app_with(&db, datetime!(2025-09-01 09:00 +8), config).await);
        let h = Http { router: gongkai_web::router(app.clone()) };
        let register = |received: &str| {
            h.json("POST", "/api/v1/requests", &office, Some(application(office_org, "in_person", received)))
        };
        let id_of = |v: &Value| v["tracking_no"].as_str().unwrap().to_string();
        let find = |tracking: String| {
            let h = &h;
            let office = office.clone();
            async move {
                let (_, q) = h.json("GET", "/api/v1/requests", &office, None).await;
                q["items"].as_array().unwrap().iter().find(|i| i["tracking_no"] == tracking.as_str()).unwrap()["id"]
                    .as_i64()
                    .unwrap()
            }
        };

        // A fee notice stops the clock until the applicant pays (国办函〔2020〕109号):
        // received Monday 11 August, due 8 September; notice on 15 August, paid on 25 August.
        let (s, r1) = register("2025-08-11").await;
        assert_eq!((s, r1["due_on"].as_str()), (StatusCode::CREATED, Some("2025-09-08")), "{b}: {r1}");
        let r1 = find(id_of(&r1)).await;
        let ev = |id: i64, body: Value| h.json("POST", format!("/api/v1/requests/{id}/events"), &office, Some(body));
        let (s, v) = ev(r1, json!({"kind": "fee_notice", "on_date": "2025-08-15", "party": "per_request"})).await;
        assert!(s.is_client_error() && v["errors"][0]["field"] == "amount", "{b}: {v}");
        let (s, v) = ev(r1, json!({"kind": "fee_notice", "on_date": "2025-08-15", "amount": 100})).await;
        assert!(s.is_client_error() && v["errors"][0]["field"] == "party", "{b}: {v}");
        let (s, v) =
            ev(r1, json!({"kind": "fee_notice", "on_date": "2025-08-15", "amount": 100, "party": "per_request"})).await;
        assert_eq!(
            (s, v["request"]["status"].as_str(), v["due"].is_null()),
            (StatusCode::CREATED, Some("fee_pending"), true),
            "{b}: {v}"
        );
        // 20 working days to pay, counted from the day after the notice: 12 September.
        assert_eq!(v["events"][1]["due_by"], "2025-09-12", "{b}: {v}");
        assert!(v["stopped"].as_str().unwrap().contains("缴纳"), "{b}: {v}");
        let pay = v["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["label"].as_str().unwrap().starts_with("缴费期限"))
            .unwrap();
        assert_eq!(pay["reckoning"]["due"], "2025-09-12", "{b}: every time limit shows how it was counted: {pay}");
        assert_eq!(
            pay["reckoning"]["days"].as_array().map(Vec::len),
            Some(28),
            "{b}: 20 working days and 8 weekend days"
        );
        let (s, v) = ev(r1, json!({"kind": "decision", "on_date": "2025-09-01", "outcome": "other_unpaid", "basis": "国办函〔2020〕109号"})).await;
        assert!(
            s.is_client_error() && v["message"].as_str().unwrap().contains("2025-09-12"),
            "{b}: not yet abandoned: {v}"
        );
        let (_, v) = ev(r1, json!({"kind": "fee_paid", "on_date": "2025-08-25"})).await;
        // 15–25 August do not count: 3 days before, then 17 more from 26 August → 17 September.
        assert_eq!(
            (v["request"]["status"].as_str(), v["request"]["due_on"].as_str()),
            (Some("received"), Some("2025-09-17")),
            "{b}: {v}"
        );
        let (s, v) = ev(r1, json!({"kind": "fee_paid", "on_date": "2025-08-26"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("已经登记过缴费"), "{b}: {v}");
        let (s, v) = ev(r1, json!({"kind": "extension", "on_date": "2025-08-20", "days": 5, "approver": "主任"})).await;
        assert!(
            s.is_client_error() && v["message"].as_str().unwrap().contains("上一个办理环节"),
            "{b}: steps in order: {v}"
        );

        // 补正 not made in time: deemed abandoned (第三十条), only once the deadline has passed.
        let (_, r2) = register("2025-08-18").await;
        let r2 = find(id_of(&r2)).await;
        let (s, v) = ev(r2, json!({"kind": "clarification", "on_date": "2025-08-20", "note": "请说明项目名称"})).await;
        assert!(s.is_client_error() && v["errors"][0]["field"] == "due_by", "{b}: a deadline is set: {v}");
        let (s, v) = ev(
            r2,
            json!({"kind": "clarification", "on_date": "2025-08-20", "note": "请说明项目名称", "due_by": "2025-08-20"}),
        )
        .await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("合理的补正期限"), "{b}: {v}");
        let (s, v) = ev(r2, json!({"kind": "decision", "on_date": "2025-08-20", "outcome": "other_no_clarification", "basis": "第三十条"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("补正通知"), "{b}: no notice yet: {v}");
        let (_, v) = ev(
            r2,
            json!({"kind": "clarification", "on_date": "2025-08-20", "note": "请说明项目名称", "due_by": "2025-08-27"}),
        )
        .await;
        assert_eq!(v["request"]["status"], "clarifying", "{b}: {v}");
        let (s, v) = ev(r2, json!({"kind": "decision", "on_date": "2025-08-27", "outcome": "other_no_clarification", "basis": "第三十条"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("2025-08-27"), "{b}: {v}");
        let (s, v) = ev(r2, json!({"kind": "decision", "on_date": "2025-08-28", "outcome": "other_no_clarification", "basis": "《条例》第三十条"})).await;
        assert_eq!(
            (s, v["request"]["outcome"].as_str()),
            (StatusCode::CREATED, Some("other_no_clarification")),
            "{b}: {v}"
        );
        let (_, rep) = h.json("GET", "/api/v1/reports/annual?year=2025", &office, None).await;
        let row = rep["part3"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"].as_str().unwrap().contains("无正当理由逾期不补正"))
            .unwrap()
            .clone();
        assert_eq!(row["values"], json!([0, 1, 0, 0, 0, 0, 1]), "{b}: {row}");

        // Assignment within the organisation, and transfer to another one.
        let (_, r3) = register("2025-08-25").await;
        let r3 = find(id_of(&r3)).await;
        let editor_id = app.users(&cli).await.unwrap().into_iter().find(|u| u.username == "editor").unwrap().id;
        let (s, v) = ev(r3, json!({"kind": "assign", "on_date": "2025-08-26", "to_user_id": editor_id})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("本机关"), "{b}: {v}");
        let (s, v) = ev(r3, json!({"kind": "assign", "on_date": "2025-08-26", "to_user_id": clerk.id})).await;
        assert_eq!(
            (s, v["request"]["assignee_id"].as_i64(), v["assignee"].as_str()),
            (StatusCode::CREATED, Some(clerk.id), Some("公开办经办人")),
            "{b}: {v}"
        );
        let (_, q) = h.json("GET", "/api/v1/requests", &editor, None).await;
        assert_eq!(q["items"], json!([]), "{b}: not yet the bureau's");
        let village = orgs.iter().find(|o| o.kind.code() == "village").unwrap().id;
        let (s, v) =
            ev(r3, json!({"kind": "transfer", "on_date": "2025-08-26", "to_org_id": village, "note": "x"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("第二十七条"), "{b}: {v}");
        let (s, v) = ev(r3, json!({"kind": "transfer", "on_date": "2025-08-26", "to_org_id": edu})).await;
        assert!(s.is_client_error() && v["errors"][0]["field"] == "note", "{b}: a reason is needed: {v}");
        let (s, v) =
            ev(r3, json!({"kind": "transfer", "on_date": "2025-08-26", "to_org_id": edu, "note": "属教育部门职责"}))
                .await;
        assert_eq!(
            (s, v["request"]["org_id"].as_i64(), v["request"]["assignee_id"].is_null()),
            (StatusCode::CREATED, Some(edu), true),
            "{b}: {v}"
        );
        assert_eq!(v["request"]["due_on"], "2025-09-22", "{b}: the clock runs on from receipt");
        let (_, q) = h.json("GET", "/api/v1/requests", &editor, None).await;
        assert_eq!(q["items"].as_array().map(Vec::len), Some(1), "{b}: now in the bureau's queue: {q}");
        // The bureau may pass it on in turn: the answer says where it went, though the
        // bureau no longer sees the request afterwards.
        let town = orgs.iter().find(|o| o.kind.code() == "town").unwrap().id;
        let back = json!({"kind": "transfer", "on_date": "2025-08-27", "to_org_id": town, "note": "属街道职责"});
        let (s, v) = h.json("POST", format!("/api/v1/requests/{r3}/events"), &editor, Some(back)).await;
        assert_eq!((s, v["request"]["org_id"].as_i64()), (StatusCode::CREATED, Some(town)), "{b}: {v}");
        let (s, _) = h.json("GET", format!("/api/v1/requests/{r3}"), &editor, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: no longer the bureau's");

        // The daily reminder: one overdue request assigned to the clerk, one due today
        // unassigned (so every handler of the office is told).
        let (_, r4) = register("2025-08-01").await;
        let r4_no = id_of(&r4);
        let r4 = find(r4_no.clone()).await;
        ev(r4, json!({"kind": "assign", "on_date": "2025-08-04", "to_user_id": clerk.id})).await;
        let (_, r5) = register("2025-08-04").await;
        assert_eq!(r5["due_on"], "2025-09-01", "{b}");
        // Due today at the district government, which has no staff accounts: the office is told.
        let gov = orgs.iter().find(|o| o.kind.code() == "government").unwrap().id;
        let (_, r6) =
            h.json("POST", "/api/v1/requests", &office, Some(application(gov, "in_person", "2025-08-04"))).await;
        let (s, v) =
            h.json("POST", "/api/v1/requests", &office, Some(application(village, "in_person", "2025-08-04"))).await;
        assert!(
            s.is_client_error() && v["errors"][0]["field"] == "org_id",
            "{b}: a village committee takes no requests: {v}"
        );
        let due = app.reminders_for_today().await.unwrap();
        let to_office = due.iter().find(|r| r.display_name.contains("公开办（示例）")).unwrap();
        assert!(
            to_office.requests.iter().any(|q| q.tracking_no == r6["tracking_no"].as_str().unwrap()),
            "{b}: {due:?}"
        );
        let run = app.send_daily_reminders().await.unwrap();
        assert_eq!((run.people, run.console, run.emailed, run.no_email, run.failed), (2, 2, 1, 1, 0), "{b}: {run:?}");
        let mail = smtp.mail.lock().unwrap().clone();
        assert_eq!(mail.len(), 1, "{b}");
        assert_eq!(mail[0].to, ["clerk@example.gov.cn"], "{b}");
        assert!(
            mail[0].body.contains(&r4_no) && mail[0].body.contains("已超期") && mail[0].body.contains("今天到期"),
            "{b}: {}",
            mail[0].body
        );
        assert!(!mail[0].body.contains("某某科技"), "{b}: no applicant data in the mail");
        let again = app.send_daily_reminders().await.unwrap();
        assert_eq!((again.console, again.emailed), (0, 0), "{b}: once a day");
        assert_eq!(smtp.mail.lock().unwrap().len(), 1, "{b}");
        let seen = app.reminders_of(clerk.id, app.today()).await.unwrap();
        assert_eq!(
            seen.iter().map(|r| (r.via.code(), r.status.code(), r.requests)).collect::<Vec<_>>(),
            [("console", "sent", 2), ("email", "sent", 2)],
            "{b}"
        );
        // A mail server that is down: recorded as failed, the console reminder still there.
        let down = AppConfig {
            smtp: Some(gongkai_app::reminders::SmtpConfig {
                url: "smtp://127.0.0.1:9".into(),
                from: "gongkai@example.gov.cn".into(),
            }),
            ..AppConfig::default()
        };
        let next_day = app_with(&db, datetime!(2025-09-02 09:00 +8), down).await;
        let run = next_day.send_daily_reminders().await.unwrap();
        assert_eq!((run.console, run.emailed, run.failed), (2, 0, 1), "{b}: {run:?}");
    }
}

#[tokio::test]
async fn console_registration_private_attachments_report_page_and_first_day() {
    for db in databases().await {
        let b = db.backend;
        let demo = demo_app(&db).await;
        let office_org = demo.orgs().await.unwrap().iter().find(|o| o.kind.code() == "office").unwrap().id;
        let app = Arc::new(app_with(&db, datetime!(2025-09-01 09:00 +8), AppConfig::default()).await);
        let h = Http { router: gongkai_web::router(app.clone()) };
        let (_, office) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let (_, editor) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();

        // The public form takes private attachments; a disguised file is refused in Chinese.
        let org = office_org.to_string();
        let fields = [
            ("org_id", org.as_str()),
            ("applicant_kind", "natural"),
            ("name", "张三"),
            ("id_number", "11010519491231002X"),
            ("phone", "13800000000"),
            ("description", "2025年本区老旧小区改造计划"),
            ("medium", "electronic"),
            ("delivery", "online"),
        ];
        let (s, html) =
            h.page("POST", "/apply", Auth::None, Some(multipart(&fields, &[("计划.pdf", b"MZ not a pdf")]))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("内容与扩展名") && html.contains("value=\"张三\""), "{b}: kept what was typed");
        let (s, html) = h.page("POST", "/apply", Auth::None, Some(multipart(&fields, &[("身份证明.png", PNG)]))).await;
        assert_eq!(s, StatusCode::OK, "{b}: {html}");
        assert!(html.contains("受理编号"), "{b}");
        // A form posted without files (url-encoded) still works.
        let plain = format!(
            "org_id={office_org}&applicant_kind=natural&name=x&id_number=1&phone=1&description=x&medium=paper&delivery=pickup"
        );
        let (s, html) = h.page("POST", "/apply", Auth::None, Some(urlencoded(&plain))).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && html.contains("身份证号码应为18位"), "{b}");

        // Staff register a request that came by post, with its scanned letter.
        let (s, html) = h.page("GET", "/admin/requests/new", Auth::Session(&office.token), None).await;
        assert!(s == StatusCode::OK && html.contains("收到渠道") && html.contains("2025-09-01"), "{b}");
        let mut staff_fields = fields.to_vec();
        staff_fields.retain(|(k, _)| *k != "delivery");
        staff_fields.extend([
            ("csrf", office.csrf_token.as_str()),
            ("channel", "post_signed"),
            ("received_on", "2025-08-29"),
            ("delivery", "post"),
            ("address", "莱芜区凤城街道1号"),
        ]);
        let (s, _) = h
            .page(
                "POST",
                "/admin/requests/new",
                Auth::Session(&office.token),
                Some(multipart(&[("channel", "fax")], &[])),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}: no CSRF token");
        let (s, html) = h
            .page(
                "POST",
                "/admin/requests/new",
                Auth::Session(&office.token),
                Some(multipart(&staff_fields, &[("来信扫描.txt", "申请公开老旧小区改造计划".as_bytes())])),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}: {html}");
        assert!(html.contains("已登记") && html.contains("查询码") && html.contains("邮寄（需签收）"), "{b}");
        let link =
            html.split("href=\"").find(|p| p.contains("/attachments/")).unwrap().split('"').next().unwrap().to_string();
        let (s, bytes) = h.raw("GET", &link, Auth::Session(&office.token), None).await;
        assert_eq!(
            (s, String::from_utf8_lossy(&bytes).into_owned()),
            (StatusCode::OK, "申请公开老旧小区改造计划".to_string()),
            "{b}"
        );
        let api_link = format!("/api{}", link.replace("/admin", "/v1"));
        let t = token(&app, "office").await;
        let (s, bytes) = h.raw("GET", &api_link, Auth::Bearer(&t), None).await;
        assert_eq!((s, bytes.len()), (StatusCode::OK, "申请公开老旧小区改造计划".len()), "{b}: {api_link}");
        let (s, _) = h.raw("GET", &api_link, Auth::None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
        let audit = app
            .audit_log(&app.system_actor().await.unwrap(), Some(("info_request", rid_of(&link))), 1, 50)
            .await
            .unwrap();
        assert_eq!(
            audit.0.iter().filter(|r| r.action == "request.attachment.read").count(),
            2,
            "{b}: every read of an applicant's file is audited"
        );
        let (s, _) = h.raw("GET", &link, Auth::Session(&editor.token), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: another organisation's staff cannot read it");
        let (s, _) = h.raw("GET", &link, Auth::None, None).await;
        assert!(s.is_redirection(), "{b}: the public cannot");
        // Two requests for the same information: the queue suggests publishing it.
        let (_, html) = h.page("GET", "/admin/requests", Auth::Session(&office.token), None).await;
        assert!(html.contains("依申请转主动建议") && html.contains("2025年本区老旧小区改造计划"), "{b}");
        // Answered, then written up for the case library from the console.
        let rid = rid_of(&link);
        let decide = json!({"kind": "decision", "on_date": "2025-09-01", "outcome": "disclose", "basis": "第三十六条第（二）项"});
        let (s, _) = h.json("POST", format!("/api/v1/requests/{rid}/events"), &t, Some(decide)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let early = urlencoded(&format!(
            "csrf={}&title=申请公开老旧小区改造计划&summary={}",
            office.csrf_token, "申请人申请公开老旧小区改造计划，本机关予以公开。"
        ));
        let (_, html) =
            h.page("POST", &format!("/admin/requests/{rid}/case"), Auth::Session(&office.token), Some(early)).await;
        assert!(html.contains("送达申请人后"), "{b}: not before the applicant has the answer");
        let deliver = json!({"kind": "delivery", "on_date": "2025-09-01", "note": "邮寄送达"});
        h.json("POST", format!("/api/v1/requests/{rid}/events"), &t, Some(deliver)).await;
        // A reconsideration recorded from the console.
        let review = |extra: &str| {
            urlencoded(&format!(
                "csrf={}&kind=reconsideration&filed_on=2025-09-01&result=maintained{extra}",
                office.csrf_token
            ))
        };
        let (_, html) = h
            .page("POST", &format!("/admin/requests/{rid}/reviews"), Auth::Session(&office.token), Some(review("")))
            .await;
        assert!(
            html.contains("未能提交") && html.contains("aria-describedby=\"review-decided_on-err\""),
            "{b}: a result needs its date, told at the field"
        );
        let (_, html) = h
            .page(
                "POST",
                &format!("/admin/requests/{rid}/reviews"),
                Auth::Session(&office.token),
                Some(review("&decided_on=2025-09-01")),
            )
            .await;
        assert!(html.contains("已登记复议或诉讼") && html.contains("行政复议，2025-09-01 审结：结果维持"), "{b}");
        let case = |title: &str| {
            urlencoded(&format!(
                "csrf={}&title={title}&summary={}",
                office.csrf_token, "申请人申请公开老旧小区改造计划，本机关予以公开。"
            ))
        };
        let uri = format!("/admin/requests/{rid}/case");
        let (_, html) =
            h.page("POST", &uri, Auth::Session(&office.token), Some(case("张三申请老旧小区改造计划"))).await;
        assert!(
            html.contains("id=\"case-errors\"") && html.contains("value=\"张三申请老旧小区改造计划\""),
            "{b}: the applicant's name is refused, the title kept to correct"
        );
        let (_, html) =
            h.page("POST", &uri, Auth::Session(&office.token), Some(case("申请公开老旧小区改造计划"))).await;
        assert!(html.contains("已编入案例库"), "{b}");
        let (s, html) = h
            .page(
                "POST",
                "/admin/requests/new",
                Auth::Session(&office.token),
                Some(multipart(
                    &[("csrf", office.csrf_token.as_str()), ("channel", "post_signed"), ("received_on", "2025-09-30")],
                    &[],
                )),
            )
            .await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && html.contains("不能晚于今天"), "{b}: {html}");

        // Everyone keeps their own reminder address; only administrators change others'.
        let office_id = app
            .users(&app.system_actor().await.unwrap())
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == "office")
            .unwrap()
            .id;
        let mail = |e: &str| urlencoded(&format!("csrf={}&email={e}", office.csrf_token));
        let uri = format!("/admin/users/{office_id}/email");
        let (_, html) = h.page("POST", &uri, Auth::Session(&office.token), Some(mail("office%40"))).await;
        assert!(html.contains("电子邮箱格式不正确"), "{b}");
        let (_, html) = h.page("POST", &uri, Auth::Session(&office.token), Some(mail("office%40example.gov.cn"))).await;
        assert!(html.contains("已更新") && html.contains("value=\"office@example.gov.cn\""), "{b}");
        let (editor_actor, _) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        assert!(
            matches!(app.set_user_email(&editor_actor, office_id, "x@example.cn").await, Err(AppError::Forbidden(_))),
            "{b}"
        );

        // The annual report in the console, with the office's own figures.
        let (s, html) = h.page("GET", "/admin/reports/annual?year=2025", Auth::Session(&office.token), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(
            html.contains("三、收到和处理政府信息公开申请情况")
                && html.contains("申请人无正当理由逾期不补正")
                && html.contains("annual.xlsx?year=2025"),
            "{b}"
        );
        let form = |lic: &str| {
            urlencoded(&format!(
                "csrf={}&year=2025&licensing={lic}&penalty=3&enforcement=0&fees_wan_yuan=1.5",
                office.csrf_token
            ))
        };
        let (_, html) = h.page("POST", "/admin/reports/annual", Auth::Session(&office.token), Some(form("abc"))).await;
        assert!(html.contains("行政许可处理决定数量应为非负整数"), "{b}");
        let (_, html) = h.page("POST", "/admin/reports/annual", Auth::Session(&office.token), Some(form("12"))).await;
        assert!(html.contains("已保存填报数据"), "{b}");
        let (_, rep) = h.json("GET", "/api/v1/reports/annual?year=2025", &t, None).await;
        assert_eq!(
            (rep["part2"]["entered"]["licensing"].as_u64(), rep["part2"]["entered"]["penalty"].as_u64()),
            (Some(12), Some(3)),
            "{b}: {rep}"
        );

        // How the first day is counted is a setting: the same receipt, a day apart.
        let same_day = AppConfig { first_day: gongkai_domain::deadline::FirstDay::SameDay, ..AppConfig::default() };
        let sd = Arc::new(app_with(&db, datetime!(2025-09-01 09:00 +8), same_day).await);
        let hs = Http { router: gongkai_web::router(sd.clone()) };
        let (_, r) =
            hs.json("POST", "/api/v1/requests", &t, Some(application(office_org, "in_person", "2025-08-11"))).await;
        assert_eq!(r["due_on"], "2025-09-05", "{b}: day of receipt is day 1: {r}");
        let (_, r) =
            h.json("POST", "/api/v1/requests", &t, Some(application(office_org, "in_person", "2025-08-11"))).await;
        assert_eq!(r["due_on"], "2025-09-08", "{b}: the day after is day 1: {r}");
    }
}

async fn office_actor(app: &gongkai_app::App) -> gongkai_app::Actor {
    app.system_actor().await.unwrap()
}

#[tokio::test]
async fn the_demo_has_requests_at_every_stage() {
    for db in databases().await {
        demo_app(&db).await;
        let app = app_with(&db, datetime!(2025-09-01 09:00 +8), AppConfig::default()).await;
        app.load_demo_requests().await.unwrap();
        let office = app.system_actor().await.unwrap();
        let queue = app.request_queue(&office).await.unwrap();
        let mut statuses: Vec<&str> = queue.iter().map(|r| r.status.code()).collect();
        statuses.sort();
        assert_eq!(statuses, ["clarifying", "received", "received"], "{}", db.backend);
        assert!(queue.iter().any(|r| r.assignee_id.is_some()), "{}", db.backend);
        assert_eq!(app.cases(1, 10).await.unwrap().1, 1, "{}", db.backend);

        // Closed requests are out of the queue but found by the console's search.
        let b = db.backend;
        let app = Arc::new(app);
        let h = Http { router: gongkai_web::router(app.clone()) };
        let (_, office) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let find = |q: &str| format!("/admin/requests/find?{q}");
        let (s, html) = h.page("GET", &find("q=%E8%B5%B5%E5%85%AD"), Auth::Session(&office.token), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(html.contains("赵六（示例）") && html.contains("已办结"), "{b}: the closed request by its applicant");
        let closed = app
            .find_requests(
                &office_actor(&app).await,
                &gongkai_app::requests::RequestSearch { q: Some("赵六".into()), ..Default::default() },
            )
            .await
            .unwrap();
        let no = &closed[0].tracking_no;
        let (_, html) =
            h.page("GET", &find(&format!("q={}", no.to_lowercase())), Auth::Session(&office.token), None).await;
        assert!(html.contains(no.as_str()), "{b}: by its tracking number, typed in any case");
        let (_, html) = h.page("GET", &find("from=2025-08-31&to=2025-09-01"), Auth::Session(&office.token), None).await;
        assert!(html.contains("张三（示例）") && !html.contains("赵六（示例）"), "{b}: by the date received");
        let (s, html) = h.page("GET", &find("from=yesterday"), Auth::Session(&office.token), None).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && html.contains("YYYY-MM-DD"), "{b}: {s}");
        // The step form offers only what can come next; a closed request has none.
        let (_, html) =
            h.page("GET", &format!("/admin/requests/{}", closed[0].id), Auth::Session(&office.token), None).await;
        assert!(html.contains("这件申请已办结") && !html.contains("id=\"step-kind\""), "{b}: closed: no step form");
        let open = app
            .find_requests(
                &office_actor(&app).await,
                &gongkai_app::requests::RequestSearch { q: Some("张三".into()), ..Default::default() },
            )
            .await
            .unwrap();
        let (_, html) =
            h.page("GET", &format!("/admin/requests/{}", open[0].id), Auth::Session(&office.token), None).await;
        let form = &html[html.find("id=\"step-kind\"").expect("a step form")..];
        let form = &form[..form.find("</select>").unwrap()];
        assert!(form.contains("value=\"clarification\"") && form.contains("value=\"decision\""), "{b}: {form}");
        assert!(
            !form.contains("value=\"fee_paid\"") && !form.contains("value=\"delivery\""),
            "{b}: not before their time: {form}"
        );
        assert!(html.contains("<input type=\"date\" id=\"step-on_date\" name=\"on_date\""), "{b}: a date input");
        let (_, editor) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let (_, html) = h.page("GET", &find("q=%E8%B5%B5%E5%85%AD"), Auth::Session(&editor.token), None).await;
        assert!(!html.contains("赵六（示例）"), "{b}: another organisation's requests stay out");
    }
}

/// The request id in a console link such as /admin/requests/7/attachments/3.
fn rid_of(link: &str) -> i64 {
    link.split('/').nth(3).unwrap().parse().unwrap()
}

/// Two people recording a step at once: the rules hold for the steps as they are when the
/// step is written, not as they were when the form was read.
#[tokio::test]
async fn concurrent_steps_cannot_both_pass_the_rules() {
    for db in databases().await {
        let b = db.backend;
        let demo = demo_app(&db).await;
        let office_org = demo.orgs().await.unwrap().iter().find(|o| o.kind.code() == "office").unwrap().id;
        let app = Arc::new(app_with(&db, datetime!(2025-09-01 09:00 +8), AppConfig::default()).await);
        let actor = app.system_actor().await.unwrap();
        let input: gongkai_app::requests::NewRequest =
            serde_json::from_value(application(office_org, "in_person", "2025-08-25")).unwrap();
        let r = app.submit_request(Some(&actor), input).await.unwrap();
        let id =
            app.request_queue(&actor).await.unwrap().into_iter().find(|q| q.tracking_no == r.tracking_no).unwrap().id;
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (app, actor) = (app.clone(), actor.clone());
            tasks.push(tokio::spawn(async move {
                let step = gongkai_app::requests::StepInput {
                    kind: "clarification".into(),
                    on_date: "2025-08-26".into(),
                    note: Some("请说明项目名称".into()),
                    due_by: Some("2025-09-05".into()),
                    ..Default::default()
                };
                app.record_request_step(&actor, id, step).await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Conflict(_) | AppError::Step(gongkai_domain::handling::Refusal::ClarificationTwice)) => {}
                Err(e) => panic!("{b}: {e:?}"),
            }
        }
        assert_eq!(ok, 1, "{b}: one 补正 notice, however many clicks");
        let d = app.request_detail(&actor, id).await.unwrap();
        assert_eq!(d.events.iter().filter(|e| e.kind.code() == "clarification").count(), 1, "{b}");
    }
}

/// Late in December the reply date of a new request runs into a year whose holiday notice
/// may not be out yet: the request is taken all the same, steps go on, and the date appears
/// when the office loads the year.
#[tokio::test]
async fn requests_wait_for_next_years_calendar_instead_of_being_refused() {
    for db in databases().await {
        let b = db.backend;
        let demo = demo_app(&db).await;
        let office_org = demo.orgs().await.unwrap().iter().find(|o| o.kind.code() == "office").unwrap().id;
        let app = Arc::new(app_with(&db, datetime!(2026-12-15 10:00 +8), AppConfig::default()).await);
        let h = Http { router: gongkai_web::router(app.clone()) };
        let mut public = application(office_org, "", "");
        public.as_object_mut().unwrap().retain(|k, _| k != "channel" && k != "received_on");
        let (s, bytes) = h
            .raw(
                "POST",
                "/api/v1/requests",
                Auth::None,
                Some(("application/json".into(), public.to_string().into_bytes())),
            )
            .await;
        let r: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!((s, r["due_on"].is_null()), (StatusCode::CREATED, true), "{b}: {r}");
        assert!(r["due_note"].as_str().unwrap().contains("2027年节假日安排"), "{b}: {r}");
        // The applicant is told the same on the tracking page.
        let form = format!(
            "tracking_no={}&query_code={}",
            r["tracking_no"].as_str().unwrap(),
            r["query_code"].as_str().unwrap()
        );
        let (_, html) = h.page("POST", "/apply/track", Auth::None, Some(urlencoded(&form))).await;
        assert!(html.contains("待导入国务院办公厅2027年节假日安排后计算"), "{b}");
        // A request received earlier still has its date; the office is told to load 2027.
        let t = token(&app, "office").await;
        let (_, early) =
            h.json("POST", "/api/v1/requests", &t, Some(application(office_org, "in_person", "2026-11-20"))).await;
        assert_eq!(early["due_on"], "2026-12-18", "{b}: {early}");
        let (_, office) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let (_, html) = h.page("GET", "/admin/requests", Auth::Session(&office.token), None).await;
        assert!(html.contains("尚未导入2027年节假日安排"), "{b}");
        // Steps are not blocked meanwhile.
        let actor = app.system_actor().await.unwrap();
        let id = app
            .request_queue(&actor)
            .await
            .unwrap()
            .into_iter()
            .find(|q| q.tracking_no == r["tracking_no"].as_str().unwrap())
            .unwrap()
            .id;
        let assign = json!({"kind": "joint_review", "on_date": "2026-12-15", "party": "区司法局", "note": "同意公开"});
        let (s, v) = h.json("POST", format!("/api/v1/requests/{id}/events"), &t, Some(assign)).await;
        assert_eq!((s, v["due"].is_null()), (StatusCode::CREATED, true), "{b}: {v}");
        assert!(v["stopped"].as_str().unwrap().contains("2027"), "{b}: {v}");
        // Loading 2027 from the console gives the date: 12 working days in December, 元旦
        // off, 13 January. No shell command is asked of the office.
        assert!(html.contains("action=\"/admin/calendar\"") && !html.contains("gongkai calendar load"), "{b}");
        let form =
            format!("csrf={}&text=year%202027%0A2027-01-01%20holiday%20%E5%85%83%E6%97%A6%0A", office.csrf_token);
        let (_, html) = h.page("POST", "/admin/calendar", Auth::Session(&office.token), Some(urlencoded(&form))).await;
        assert!(html.contains("已导入2027年节假日安排"), "{b}: the notice after the redirect");
        let (_, v) = h.json("GET", format!("/api/v1/requests/{id}"), &t, None).await;
        assert_eq!(v["request"]["due_on"], "2027-01-13", "{b}: {v}");
        let (_, html) = h.page("GET", "/admin/requests", Auth::Session(&office.token), None).await;
        assert!(!html.contains("尚未导入2027年节假日安排"), "{b}");
    }
}
