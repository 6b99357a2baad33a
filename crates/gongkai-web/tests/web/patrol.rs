//! The content patrol: publishing stops on personal data unless a reviewer says why it may
//! be public (audited); the patrol of everything public lists what it found, masked, to
//! staff only.

use crate::{Browser, hidden, urlencode};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongkai_testkit::{databases, demo_app};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

/// An identity number that passes GB 11643's check, and a mobile number.
const ID: &str = "370116198001011235";
const MOBILE: &str = "13912345678";

#[tokio::test]
async fn personal_data_stops_publication_until_a_reviewer_says_why_and_the_patrol_lists_it_masked() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let pw = gongkai_app::demo::DEMO_PASSWORD;
        let (editor, _) = app.login("editor", pw).await.unwrap();
        let (reviewer, session) = app.login("reviewer", pw).await.unwrap();
        let act = |a: &str| gongkai_app::documents::ActionInput { action: a.into(), ..Default::default() };
        let body = format!("第一条 2025年第二批低保对象名单如下。\n第二条 张三，身份证号{ID}，联系电话{MOBILE}。");
        let d = app
            .create_document(
                &editor,
                gongkai_app::documents::DocumentInput {
                    title: "关于公布2025年第二批低保对象的公示".into(),
                    category: "其他文件".into(),
                    body,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        app.document_action(&editor, d.id, act("submit")).await.unwrap();
        app.document_action(&reviewer, d.id, act("approve")).await.unwrap();

        // Publishing from the console: refused, the number shown masked, an override offered.
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        let page = format!("/admin/documents/{}", d.id);
        let (_, html, _) = me.go("GET", &page, None).await;
        let csrf = hidden(&html, "csrf");
        let uri = format!("/admin/documents/{}/action", d.id);
        let (s, html, _) = me.go("POST", &uri, Some(format!("csrf={csrf}&action=publish"))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("发布前检查发现1处个人信息") && html.contains("3701**********1235"), "{b}: {html}");
        assert!(
            !html.contains(ID) || html.matches(ID).count() == 1,
            "{b}: the full number only in the body under review"
        );
        assert!(html.contains("id=\"act-patrol_override\"") && html.contains("href=\"#act-patrol_override\""), "{b}");
        let status = app.document_detail(Some(&reviewer), d.id, None).await.unwrap().document.status;
        assert_eq!(status, gongkai_domain::Status::Approved, "{b}: not published");

        // The API says the same, with the field to answer.
        let api = |method: &str, uri: &str, json: Option<serde_json::Value>, token: Option<&str>| {
            let mut r = Request::builder().method(method).uri(uri);
            if let Some(t) = token {
                r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            let body = match json {
                Some(j) => {
                    r = r.header(header::CONTENT_TYPE, "application/json");
                    Body::from(j.to_string())
                }
                None => Body::empty(),
            };
            let req = r.body(body).unwrap();
            let router = router.clone();
            async move {
                let resp = router.oneshot(req).await.unwrap();
                let s = resp.status();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                (s, String::from_utf8_lossy(&bytes).to_string())
            }
        };
        let token = app.create_token(&app.system_actor().await.unwrap(), "reviewer", "patrol test").await.unwrap();
        let (s, text) = api(
            "POST",
            &format!("/api/v1/documents/{}/actions", d.id),
            Some(serde_json::json!({"action": "publish"})),
            Some(&token),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {text}");
        assert!(text.contains("\"field\":\"patrol_override\"") && !text.contains(ID), "{b}: {text}");

        // A reason: published, and the reason with the masked findings in the audit log.
        let why = "依据《最低生活保障审核确认办法》公示，已征得本人同意";
        let form = format!("csrf={csrf}&action=publish&patrol_override={}", urlencode(why));
        let (s, _, _) = me.go("POST", &uri, Some(form)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let detail = app.document_detail(Some(&reviewer), d.id, None).await.unwrap();
        assert_eq!(detail.document.status, gongkai_domain::Status::Published, "{b}");
        let office = app.system_actor().await.unwrap();
        let audit = app.audit_log(&office, Some(("document", d.id)), 1, 50).await.unwrap();
        let row = audit.0.iter().find(|r| r.action == "document.patrol_override").expect("an audit row");
        let after = row.after.clone().unwrap_or_default();
        assert!(after.contains(why) && after.contains("3701**********1235") && !after.contains(ID), "{b}: {after}");

        // The patrol lists it (and the mobile), masked, to staff; not to the public.
        let (s, text) = api("GET", "/api/v1/patrol/findings", None, Some(&token)).await;
        assert_eq!(s, StatusCode::OK, "{b}: {text}");
        let found: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mine: Vec<&serde_json::Value> =
            found.as_array().unwrap().iter().filter(|f| f["record_id"] == d.id).collect();
        let kinds: Vec<&str> = mine.iter().map(|f| f["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["resident_id", "mobile"], "{b}: {text}");
        assert_eq!(found[0]["severity"], "high", "{b}: the worst first");
        assert!(!text.contains(ID) && !text.contains(MOBILE) && text.contains("139****5678"), "{b}: masked");
        let (s, _) = api("GET", "/api/v1/patrol/findings", None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}: staff only");
        let (s, html, _) = me.go("GET", "/admin/patrol", None).await;
        assert!(s == StatusCode::OK && html.contains("3701**********1235") && !html.contains(ID), "{b}");
        assert!(html.contains("关于公布2025年第二批低保对象的公示") && html.contains("身份证号码"), "{b}");
    }
}
