//! Policy Q&A and its table of colloquial words, as the public and the office use them.

use super::*;
use gongkai_testkit::{databases, demo_app};
use std::sync::Arc;

#[tokio::test]
async fn a_question_is_answered_with_its_article_version_and_validity_or_refused() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let mut visitor = Browser::new(&router);

        // A law-style document: cited by article, version date and validity.
        let q = urlencode("申请内容不明确的，多少个工作日内告知补正？");
        let (s, html, _) = visitor.go("GET", &format!("/qa?q={q}"), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(html.contains("<h2>回答</h2>"), "{b}: {html}");
        assert!(html.contains("第三条（") && html.contains("现行有效"), "{b}: cites the article and its validity");
        assert!(html.contains("不构成法律意见") && html.contains("href=\"/apply\"") && html.contains("12345"), "{b}");

        // A district notice numbered 一、二、: cited by its part.
        let q = urlencode("招生结果在哪里公开");
        let (_, html, _) = visitor.go("GET", &format!("/qa?q={q}"), None).await;
        assert!(html.contains("》二、"), "{b}: the part is the citation: {html}");

        // Nothing to go on: 未找到足够依据, no guess.
        let q = urlencode("量子纠缠火星移民签证怎么办理");
        let (s, html, _) = visitor.go("GET", &format!("/qa?q={q}"), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(html.contains("未找到足够依据") && !html.contains("<h2>回答</h2>"), "{b}");

        // Too long: said beside the box, the question kept.
        let long = urlencode(&"问".repeat(201));
        let (s, html, _) = visitor.go("GET", &format!("/qa?q={long}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("问题不超过200字") && html.contains("aria-invalid=\"true\""), "{b}");

        // The API: the same answer as JSON, bad input as {code, message}.
        let q = urlencode("申请内容不明确的，多少个工作日内告知补正？");
        let (s, body, _) = visitor.go("GET", &format!("/api/v1/answers?q={q}"), None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["answered"], true, "{b}");
        let first = &v["sources"][v["sentences"][0]["cites"][0].as_u64().unwrap() as usize - 1];
        assert_eq!((first["label"].as_str(), first["validity"].as_str()), (Some("第三条"), Some("in_force")), "{b}");
        assert!(first["version_date"].as_str().is_some_and(|d| d.len() == 10), "{b}");
        assert_eq!(v["semantic"], false, "{b}: no model in the tests' data");
        let (s, body, _) = visitor.go("GET", "/api/v1/answers?q=", None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(body.contains("\"code\"") && body.contains("请输入问题"), "{b}: {body}");

        // Kept for audit masked: the phone typed into a question never reaches the log.
        let q = urlencode("我叫张三，电话13800138000，申请内容不明确的怎么补正");
        visitor.go("GET", &format!("/qa?q={q}"), None).await;
        let office = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;
        let log = app.qa_log(&office, 7).await.unwrap();
        assert!(log.iter().any(|e| e.question.contains("怎么补正")), "{b}");
        assert!(log.iter().all(|e| !e.question.contains("13800138000") && !e.question.contains("张三")), "{b}");
        let editor = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;
        assert!(app.qa_log(&editor, 7).await.is_err(), "{b}: the office only");
    }
}

#[tokio::test]
async fn a_colloquial_word_is_proposed_approved_by_another_and_then_used() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let (_, session) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let mut office = Browser::new(&router);
        office.cookies.push(("gk_session".into(), session.token));
        let (s, html, _) = office.go("GET", "/admin/expansions", None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(html.contains("劳动报酬"), "{b}: the shipped table is shown");
        let csrf = hidden(&html, "csrf");

        // Refused as typed, kept.
        let bad = format!("csrf={csrf}&colloquial={}&statutory=", urlencode("说明书"));
        let (s, html, _) = office.go("POST", "/admin/expansions", Some(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("href=\"#exp-statutory\"") && html.contains("value=\"说明书\""), "{b}");

        let ok = format!(
            "csrf={csrf}&colloquial={}&statutory={}&note={}",
            urlencode("改正"),
            urlencode("补正"),
            urlencode("群众常说改正")
        );
        let (s, _, to) = office.go("POST", "/admin/expansions", Some(ok)).await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/expansions")), "{b}");
        let rows = app.expansion_list().await.unwrap();
        let row = rows.iter().find(|r| r.colloquial == "改正").unwrap();
        assert!(row.approved_at.is_none(), "{b}");

        // Not by the person who proposed it.
        let me = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;
        assert!(matches!(app.approve_expansion(&me, row.id).await, Err(gongkai_app::AppError::Forbidden(_))), "{b}");
        let (_, html, _) = office.go("GET", "/admin/expansions", None).await;
        assert!(!html.contains(&format!("/admin/expansions/{}/approve", row.id)), "{b}: no button for one's own");

        let admin = app.login("admin", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;
        app.approve_expansion(&admin, row.id).await.unwrap();
        let (audit, _) = app.audit_log(&admin, Some(("search_expansion", row.id)), 1, 20).await.unwrap();
        assert!(audit.len() >= 2, "{b}: proposed and approved, audited");
        let editor = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;
        assert!(app.remove_expansion(&editor, row.id).await.is_err(), "{b}: the office only");
    }
}

#[tokio::test]
async fn with_the_model_an_article_is_found_that_shares_no_word_with_the_question() {
    let Some(model) = gongkai_testkit::model() else { return };
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    // Lexical only: the question's words are not in the article.
    let q = "回复要等几个星期";
    let before = app.passages(q, 5).await.unwrap();
    assert!(before.iter().all(|h| h.dense.is_none()));
    let app = Arc::new(app.with_embedder(model));
    let s = app.semantic_status().await.unwrap();
    assert!(s.enabled && s.covered == 0 && s.articles > 10, "{s:?}");
    while app.embed_pending(64, 2).await.unwrap() > 0 {}
    let s = app.semantic_status().await.unwrap();
    assert_eq!(s.covered, s.articles, "every current article has its vector");
    let hits = app.passages(q, 3).await.unwrap();
    assert!(hits.iter().any(|h| h.text.contains("工作日内予以答复")), "{hits:#?}");
    assert!(hits.iter().all(|h| h.dense.is_some()), "fused with the dense list");
    let router = gongkai_web::router(app.clone());
    let (_, html, _) = Browser::new(&router).go("GET", &format!("/qa?q={}", urlencode(q)), None).await;
    assert!(!html.contains("未启用语义检索"), "the page no longer says it is lexical only");
}
