//! Logging in as an attacker would try it: parallel guesses, guessing which accounts
//! exist, locking the administrator out, many names from one address; and sessions that
//! end when left alone.

use axum::body::Body;
use axum::http::{Request, header};
use gongkai_app::AppError;
use gongkai_app::demo::DEMO_PASSWORD;
use gongkai_testkit::{app_at, app_with, demo_app, fixed_now};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

fn message(r: Result<(gongkai_app::Actor, gongkai_app::auth::SessionInfo), AppError>) -> String {
    match r {
        Ok(_) => "logged in".into(),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn parallel_wrong_passwords_are_all_counted() {
    for db in gongkai_testkit::databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let tries: Vec<_> = (0..30)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { app.login("editor", "wrong-password").await.is_err() })
            })
            .collect();
        for t in tries {
            assert!(t.await.unwrap());
        }
        let m = message(app.login("editor", DEMO_PASSWORD).await);
        assert!(m.contains("暂时锁定") && m.contains("15分钟"), "{b}: 30 failures at once all count: {m}");
    }
}

#[tokio::test]
async fn unknown_names_get_the_same_answers_after_the_same_work() {
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    let before = app.password_checks();
    let unknown = message(app.login("nobody", "wrong-password").await);
    assert_eq!(app.password_checks(), before + 1, "an unknown name costs one password check too");
    let known = message(app.login("office", "wrong-password").await);
    assert_eq!(app.password_checks(), before + 2);
    assert_eq!(unknown, known);
    assert_eq!(known, "用户名或密码错误");
    for _ in 0..4 {
        let _ = app.login("nobody", "x").await;
        let _ = app.login("office", "x").await;
    }
    let (u, k) = (message(app.login("nobody", "x").await), message(app.login("office", "x").await));
    assert_eq!(u, k, "throttled alike: the answer does not tell which account exists");
    assert!(k.contains("暂时锁定"), "{k}");
}

#[tokio::test]
async fn a_wait_ends_and_the_owner_gets_back_in() {
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    for _ in 0..5 {
        let _ = app.login("admin", "guess").await;
    }
    assert!(message(app.login("admin", DEMO_PASSWORD).await).contains("请1分钟后再试"));
    let later = app_at(&db, fixed_now() + time::Duration::seconds(61)).await;
    assert_eq!(message(later.login("admin", DEMO_PASSWORD).await), "logged in", "not locked for ever");
}

#[tokio::test]
async fn many_names_from_one_address_are_throttled_by_the_address() {
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    for name in ["a1", "a2", "a3", "a4", "a5"] {
        let _ = app.login_from(name, "x", Some("203.0.113.9")).await;
    }
    let m = message(app.login_from("editor", DEMO_PASSWORD, Some("203.0.113.9")).await);
    assert!(m.contains("暂时锁定"), "{m}");
    let m = message(app.login_from("editor", DEMO_PASSWORD, Some("198.51.100.1")).await);
    assert_eq!(m, "logged in", "another address is not held up");
}

#[tokio::test]
async fn a_session_left_alone_ends() {
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    let (_, s) = app.login("office", DEMO_PASSWORD).await.unwrap();
    let at = |minutes: i64| fixed_now() + time::Duration::minutes(minutes);
    assert!(app_at(&db, at(29)).await.session_actor(&s.token).await.unwrap().is_some(), "in use after 29 minutes");
    assert!(app_at(&db, at(58)).await.session_actor(&s.token).await.unwrap().is_some(), "29 minutes after last use");
    assert!(app_at(&db, at(89)).await.session_actor(&s.token).await.unwrap().is_none(), "31 minutes idle: ended");
    assert!(app_at(&db, at(90)).await.session_actor(&s.token).await.unwrap().is_none(), "and it stays ended");
    // Expired rows are cleaned up by the hourly job.
    let (_, other) = app.login("editor", DEMO_PASSWORD).await.unwrap();
    let later = app_at(&db, at(600)).await;
    assert!(later.purge_expired().await.unwrap() >= 1);
    assert!(later.session_actor(&other.token).await.unwrap().is_none());
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_and_tls_settings_when_asked() {
    let db = gongkai_testkit::sqlite();
    demo_app(&db).await;
    for secure in [false, true] {
        let config = gongkai_app::AppConfig { secure_cookies: secure, ..Default::default() };
        let router = gongkai_web::router(Arc::new(app_with(&db, fixed_now(), config).await));
        let resp = router.clone().oneshot(Request::get("/admin/login").body(Body::empty()).unwrap()).await.unwrap();
        let h = resp.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(h.contains_key(header::STRICT_TRANSPORT_SECURITY), secure);
        let cookie = h.get(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let html = String::from_utf8_lossy(&body);
        assert!(
            !html.contains("<script>") && !html.contains(" style="),
            "no inline script or style for the policy to block"
        );
    }
}

#[tokio::test]
async fn public_forms_are_limited_per_source_address() {
    for db in gongkai_testkit::databases().await {
        let b = db.backend;
        demo_app(&db).await;
        let config = gongkai_app::AppConfig { form_rate_per_minute: 3, ..Default::default() };
        let router = gongkai_web::router(Arc::new(app_with(&db, fixed_now(), config).await));
        let from = |addr: &str, uri: &str, ct: &str, body: &str| {
            let mut req =
                Request::post(uri).header(header::CONTENT_TYPE, ct).body(Body::from(body.to_string())).unwrap();
            let peer: std::net::SocketAddr = format!("{addr}:40000").parse().unwrap();
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            req
        };
        let track = "tracking_no=YSQ2025000001&query_code=AAAAAAAA";
        for _ in 0..3 {
            let resp = router
                .clone()
                .oneshot(from("203.0.113.9", "/apply/track", "application/x-www-form-urlencoded", track))
                .await
                .unwrap();
            assert_ne!(resp.status().as_u16(), 429, "{b}");
        }
        let resp = router
            .clone()
            .oneshot(from("203.0.113.9", "/apply/track", "application/x-www-form-urlencoded", track))
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 429, "{b}: the fourth in a minute");
        assert!(resp.headers().contains_key(header::RETRY_AFTER), "{b}");
        let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(html.contains("操作过于频繁"), "{b}: told in Chinese");
        // The API answers in JSON; another address is not held up.
        let json = r#"{"tracking_no": "YSQ2025000001", "query_code": "AAAAAAAA"}"#;
        let resp = router
            .clone()
            .oneshot(from("203.0.113.9", "/api/v1/requests/track", "application/json", json))
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 429, "{b}: tracking by the API counts with the form");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "rate_limited", "{b}: {v}");
        let resp = router
            .clone()
            .oneshot(from("198.51.100.1", "/apply/track", "application/x-www-form-urlencoded", track))
            .await
            .unwrap();
        assert_ne!(resp.status().as_u16(), 429, "{b}");
    }
}

/// A search costs the node's index a query: one address may not run more than
/// `search_rate_per_minute` of them (page and API together); other addresses are unaffected.
#[tokio::test]
async fn searches_are_limited_per_source_address() {
    let db = gongkai_testkit::sqlite();
    demo_app(&db).await;
    let config = gongkai_app::AppConfig { search_rate_per_minute: 3, ..Default::default() };
    let router = gongkai_web::router(Arc::new(app_with(&db, fixed_now(), config).await));
    let from = |addr: &str, uri: &str| {
        let mut req = Request::get(uri).body(Body::empty()).unwrap();
        let peer: std::net::SocketAddr = format!("{addr}:40000").parse().unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        req
    };
    for uri in ["/search?q=%E6%95%99%E8%82%B2", "/api/v1/search?q=%E6%95%99%E8%82%B2", "/search?q=%E5%85%AC%E5%BC%80"] {
        let resp = router.clone().oneshot(from("198.51.100.4", uri)).await.unwrap();
        assert_ne!(resp.status().as_u16(), 429, "{uri}");
    }
    let resp = router.clone().oneshot(from("198.51.100.4", "/search?q=x")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 429, "the fourth search in a minute");
    assert!(resp.headers().contains_key(header::RETRY_AFTER));
    let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("操作过于频繁"), "told in Chinese");
    let resp = router.clone().oneshot(from("198.51.100.4", "/api/v1/passages?q=x")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["code"], "rate_limited", "the API answers in its own form");
    // Reading documents is not searching, and another address has its own allowance.
    let resp = router.clone().oneshot(from("198.51.100.4", "/documents")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let resp = router.clone().oneshot(from("198.51.100.5", "/search?q=x")).await.unwrap();
    assert_ne!(resp.status().as_u16(), 429);
}
