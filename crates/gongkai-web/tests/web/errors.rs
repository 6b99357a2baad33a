//! The error policy as a caller meets it: under `/api/` every failure is
//! `{"code", "message"}` JSON with its own status; everywhere else it is the site's error
//! page. Bad ids, wrong methods, bodies over the limit and malformed JSON included.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongkai_testkit::{databases, demo_app};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    content_type: String,
    json: Value,
    text: String,
    headers: axum::http::HeaderMap,
}

async fn send(router: &axum::Router, method: &str, uri: &str, content_type: Option<&str>, body: Vec<u8>) -> Answer {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    let resp = router.clone().oneshot(b.body(Body::from(body)).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    Answer { status, content_type, json: serde_json::from_str(&text).unwrap_or(Value::Null), text, headers }
}

fn assert_json(a: &Answer, status: StatusCode, code: &str, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.text);
    assert!(a.content_type.starts_with("application/json"), "{what}: {} {}", a.content_type, a.text);
    assert_eq!(a.json["code"].as_str(), Some(code), "{what}: {}", a.text);
    let msg = a.json["message"].as_str().unwrap_or("");
    assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{what}: message in Chinese: {msg}");
}

fn assert_page(a: &Answer, status: StatusCode, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.text);
    assert!(a.content_type.starts_with("text/html"), "{what}: {}", a.content_type);
    assert!(a.text.contains("<html lang=\"zh-CN\">") && a.text.contains("返回首页"), "{what}: the site's error page");
}

#[tokio::test]
async fn every_api_failure_is_json_and_every_page_failure_is_a_page() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app);

        // A bad id in every family of API routes, whatever the method.
        for (method, uri) in [
            ("GET", "/api/v1/documents/abc"),
            ("PUT", "/api/v1/documents/abc"),
            ("POST", "/api/v1/documents/abc/actions"),
            ("POST", "/api/v1/documents/abc/revisions"),
            ("GET", "/api/v1/documents/abc/diff"),
            ("GET", "/api/v1/documents/1/diff?from=x&to=1"),
            ("GET", "/api/v1/interpretations/abc"),
            ("GET", "/api/v1/requests/abc"),
            ("POST", "/api/v1/requests/abc/events"),
            ("GET", "/api/v1/requests/abc/fee"),
            ("POST", "/api/v1/requests/abc/reviews"),
            ("POST", "/api/v1/requests/abc/case"),
            ("GET", "/api/v1/requests/abc/export"),
            ("GET", "/api/v1/requests/abc/letter"),
            ("PUT", "/api/v1/requests/abc/letter"),
            ("GET", "/api/v1/requests/abc/letter.docx"),
            ("GET", "/api/v1/requests/1/attachments/abc"),
            ("GET", "/api/v1/requests/0"),
            ("GET", "/api/v1/cases/abc"),
            ("GET", "/api/v1/cases/-3"),
        ] {
            let a = send(&router, method, uri, None, vec![]).await;
            assert_json(&a, StatusCode::BAD_REQUEST, "invalid_id", &format!("{b} {method} {uri}"));
        }

        // No such route, wrong method, bad query, bad body, wrong media type.
        let a = send(&router, "GET", "/api/v1/nothing-here", None, vec![]).await;
        assert_json(&a, StatusCode::NOT_FOUND, "not_found", b);
        let a = send(&router, "DELETE", "/api/v1/documents", None, vec![]).await;
        assert_json(&a, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", b);
        assert!(a.headers.contains_key(header::ALLOW), "{b}: 405 keeps its Allow header");
        let a = send(&router, "GET", "/api/v1/documents?page=many", None, vec![]).await;
        assert_json(&a, StatusCode::BAD_REQUEST, "invalid_query", b);
        let a = send(&router, "POST", "/api/v1/requests", Some("application/json"), b"{not json".to_vec()).await;
        assert_json(&a, StatusCode::BAD_REQUEST, "invalid_json", b);
        let a = send(&router, "POST", "/api/v1/requests", Some("application/json"), b"{\"name\": 5}".to_vec()).await;
        assert_json(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", b);
        let a = send(&router, "POST", "/api/v1/requests", Some("text/plain"), b"{}".to_vec()).await;
        assert_json(&a, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", b);

        // The same failures on pages are the site's error page.
        for uri in ["/cases/abc", "/admin/requests/abc", "/admin/requests/1/attachments/abc"] {
            let a = send(&router, "GET", uri, None, vec![]).await;
            assert_page(&a, StatusCode::BAD_REQUEST, &format!("{b} {uri}"));
            assert!(a.text.contains("“abc”不是有效的编号"), "{b} {uri}: says what was wrong");
        }
        let a = send(&router, "GET", "/no-such-page", None, vec![]).await;
        assert_page(&a, StatusCode::NOT_FOUND, b);
        let a = send(&router, "DELETE", "/search", None, vec![]).await;
        assert_page(&a, StatusCode::METHOD_NOT_ALLOWED, b);

        // Every answer names its request id for the access log.
        let a = send(&router, "GET", "/", None, vec![]).await;
        assert!(a.headers.contains_key("x-request-id"), "{b}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_in_json_under_the_api() {
    let db = gongkai_testkit::sqlite();
    demo_app(&db).await;
    let config = gongkai_app::AppConfig { max_upload_bytes: 1024 * 1024, ..Default::default() };
    let app = Arc::new(gongkai_testkit::app_with(&db, gongkai_testkit::fixed_now(), config).await);
    let router = gongkai_web::router(app);
    let big = format!("{{\"description\": \"{}\"}}", "x".repeat(3 * 1024 * 1024)).into_bytes();
    let a = send(&router, "POST", "/api/v1/requests", Some("application/json"), big).await;
    assert_json(&a, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "3 MB body, 1 MB limit");
    assert!(a.json["message"].as_str().unwrap().contains("1 MB"), "{}", a.text);
}

#[tokio::test]
async fn console_and_applicant_pages_are_never_cached() {
    let db = gongkai_testkit::sqlite();
    let router = gongkai_web::router(Arc::new(demo_app(&db).await));
    for uri in ["/admin/login", "/apply", "/api/v1/requests/track?tracking_no=x&query_code=y"] {
        let a = send(&router, "GET", uri, None, vec![]).await;
        let cc = a.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(cc.contains("no-store"), "{uri}: Cache-Control {cc:?}");
    }
    let a = send(&router, "GET", "/documents", None, vec![]).await;
    assert!(!a.headers.get(header::CACHE_CONTROL).is_some_and(|v| v.to_str().unwrap_or("").contains("no-store")));
}

#[tokio::test]
async fn pages_are_compressed_and_a_missing_page_offers_search() {
    let db = gongkai_testkit::sqlite();
    let router = gongkai_web::router(Arc::new(demo_app(&db).await));
    let req = Request::get("/documents").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
    let a = send(&router, "GET", "/no-such-page", None, vec![]).await;
    assert!(a.text.contains("action=\"/search\""), "the 404 page has a search box");
}

#[tokio::test]
async fn a_twenty_megabyte_report_or_message_is_refused_before_it_is_read() {
    let db = gongkai_testkit::sqlite();
    let app = Arc::new(demo_app(&db).await);
    let router = gongkai_web::router(app.clone());
    let huge = "a".repeat(20 * 1024 * 1024);
    let form = format!("kind=typo&description={huge}").into_bytes();
    let a = send(&router, "POST", "/error-report", Some("application/x-www-form-urlencoded"), form).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.text.contains("提交的内容过大（上限 64 KB）") && !a.text.contains(&huge[..1000]), "a page in Chinese");
    let json = format!("{{\"mailbox\":\"consult\",\"body\":\"{huge}\"}}").into_bytes();
    let a = send(&router, "POST", "/api/v1/messages", Some("application/json"), json).await;
    assert_json(&a, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "20 MB message");
    assert!(a.json["message"].as_str().unwrap().contains("64 KB"), "{}", a.text);
    assert!(app.message_inbox(&app.system_actor().await.unwrap()).await.unwrap().iter().all(|m| m.body.len() < 5000));
    // An ordinary upload keeps its own limit.
    let a = send(&router, "POST", "/api/v1/requests", Some("application/json"), b"{}".to_vec()).await;
    assert_ne!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
}
