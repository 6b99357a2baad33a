//! Regression tests for the trust defects (issue 10) that the API shows: text that could
//! break storage or spoof a title, outside images, index numbers dated by the server's
//! clock, and secrets in answers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongkai_testkit::{app_at, databases, demo_app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

async fn send(
    router: &axum::Router,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value, String) {
    let mut b = Request::builder().method(method).uri(uri);
    if !token.is_empty() {
        b = b.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(v) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let resp = router.clone().oneshot(b.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

fn doc(title: &str, body: &str) -> Value {
    json!({"title": title, "category": "other", "kind": "通知", "signed_on": "2025-06-20", "body": body})
}

#[tokio::test]
async fn control_characters_are_refused_with_a_clear_message_on_both_databases() {
    for db in databases().await {
        let b = db.backend;
        let app = demo_app(&db).await;
        let token = app.create_token(&app.system_actor().await.unwrap(), "editor", "t").await.unwrap();
        let router = gongkai_web::router(Arc::new(app));
        for (title, body, field) in [
            ("关于\u{0}的通知", "第一条 正文。", "title"),
            ("\u{202E}知通的作工开公", "第一条 正文。", "title"),
            ("关于测试的通知", "第一条 正文\u{0}。", "body"),
        ] {
            let (s, v, _) = send(&router, "POST", "/api/v1/documents", &token, Some(doc(title, body))).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
                "{b}: {v}"
            );
            assert_eq!(v["errors"][0]["field"], field, "{b}: {v}");
            assert!(v["message"].as_str().unwrap().contains("控制字符"), "{b}: {v}");
        }
        let (s, v, _) =
            send(&router, "POST", "/api/v1/documents", &token, Some(doc("关于测试的通知", "第一条\n第二条"))).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: line breaks are fine in a body: {v}");

        // Applications too (the public form and the API share the rules).
        let org = router_orgs(&router, &token).await;
        let person = json!({"applicant_kind": "natural", "name": "王\u{0}五", "id_number": "11010519491231002X",
            "phone": "13800000000", "description": "某项目清单", "medium": "paper", "delivery": "pickup", "org_id": org});
        let (s, v, _) = send(&router, "POST", "/api/v1/requests", "", Some(person)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {v}");
        assert!(v["message"].as_str().unwrap().contains("控制字符"), "{b}: {v}");
    }
}

async fn router_orgs(router: &axum::Router, token: &str) -> i64 {
    let (_, v, _) = send(router, "GET", "/api/v1/orgs", token, None).await;
    v.as_array().unwrap().iter().find(|o| o["kind"] == "office").map(|o| o["id"].as_i64().unwrap()).unwrap()
}

#[tokio::test]
async fn media_comes_from_https_or_this_site() {
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    let token = app.create_token(&app.system_actor().await.unwrap(), "editor", "t").await.unwrap();
    let router = gongkai_web::router(Arc::new(app));
    let (_, d, _) =
        send(&router, "POST", "/api/v1/documents", &token, Some(doc("关于测试的通知", "第一条 正文。"))).await;
    let id = d["id"].as_i64().unwrap();
    for (url, ok) in [
        ("//evil.example/x.png", false),
        ("http://example.gov.cn/x.png", false),
        ("https://www.laiwu.gov.cn/x.png", true),
    ] {
        let i = json!({"title": "图解", "form": "graphic", "media_url": url, "body": "", "document_ids": [id]});
        let (s, v, _) = send(&router, "POST", "/api/v1/interpretations", &token, Some(i)).await;
        assert_eq!(s == StatusCode::CREATED, ok, "{url}: {v}");
    }
}

#[tokio::test]
async fn the_index_number_year_is_the_documents_own() {
    for db in databases().await {
        let b = db.backend;
        demo_app(&db).await;
        // Typed in during 2026, signed in 2025.
        let app = app_at(&db, time::macros::datetime!(2026-03-02 09:00 +8)).await;
        let token = app.create_token(&app.system_actor().await.unwrap(), "editor", "t").await.unwrap();
        let router = gongkai_web::router(Arc::new(app));
        let (s, d, _) =
            send(&router, "POST", "/api/v1/documents", &token, Some(doc("关于2025年测试的通知", "第一条 正文。")))
                .await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {d}");
        assert!(d["index_no"].as_str().unwrap().contains("/2025-"), "{b}: {d}");
        let mut undated = doc("关于测试的通知", "第一条 正文。");
        undated["signed_on"] = Value::Null;
        let (_, d, _) = send(&router, "POST", "/api/v1/documents", &token, Some(undated)).await;
        assert!(d["index_no"].as_str().unwrap().contains("/2026-"), "{b}: no date of its own: this year's: {d}");
    }
}

#[tokio::test]
async fn the_query_code_hash_never_leaves_the_server() {
    for db in databases().await {
        let b = db.backend;
        let app = demo_app(&db).await;
        let token = app.create_token(&app.system_actor().await.unwrap(), "office", "t").await.unwrap();
        let router = gongkai_web::router(Arc::new(app));
        let org = router_orgs(&router, &token).await;
        let person = json!({"applicant_kind": "natural", "name": "王五", "id_number": "11010519491231002X",
            "phone": "13800000000", "description": "某项目清单", "medium": "paper", "delivery": "pickup", "org_id": org});
        let (s, v, _) = send(&router, "POST", "/api/v1/requests", "", Some(person)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {v}");
        let (_, q, _) = send(&router, "GET", "/api/v1/requests", &token, None).await;
        let id = q["items"].as_array().unwrap().iter().find(|r| r["tracking_no"] == v["tracking_no"]).unwrap()["id"]
            .as_i64()
            .unwrap();
        for uri in
            [format!("/api/v1/requests/{id}"), format!("/api/v1/requests/{id}/export"), "/api/v1/requests".to_string()]
        {
            let (s, _, raw) = send(&router, "GET", &uri, &token, None).await;
            assert_eq!(s, StatusCode::OK, "{b} {uri}: {raw}");
            assert!(!raw.contains("query_code_hash") && !raw.contains("argon2"), "{b} {uri}: {raw}");
        }
    }
}

async fn tokens(app: &gongkai_app::App, users: &[&str]) -> Vec<String> {
    let cli = app.system_actor().await.unwrap();
    let mut v = Vec::new();
    for u in users {
        v.push(app.create_token(&cli, u, "t").await.unwrap());
    }
    v
}

fn act(a: &str) -> Option<Value> {
    Some(json!({"action": a, "reason": "补充依据"}))
}

#[tokio::test]
async fn four_eyes_no_one_reviews_their_own_draft_and_each_level_is_another_person() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let t = tokens(&app, &["office", "deputy", "director", "admin"]).await;
        let (office, deputy, director) = (&t[0], &t[1], &t[2]);
        let router = gongkai_web::router(app.clone());
        let (s, d, _) =
            send(&router, "POST", "/api/v1/documents", office, Some(doc("关于四眼原则测试的通知", "第一条 正文。")))
                .await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {d}");
        let id = d["id"].as_i64().unwrap();
        let url = format!("/api/v1/documents/{id}/actions");
        assert_eq!(send(&router, "POST", &url, office, act("submit")).await.0, StatusCode::OK);
        let (s, v, _) = send(&router, "POST", &url, office, act("approve")).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rule_violated")), "{b}: {v}");
        assert!(v["message"].as_str().unwrap().contains("四眼原则"), "{b}: {v}");
        let (s, v, _) = send(&router, "POST", &url, deputy, act("approve")).await;
        assert_eq!(s, StatusCode::OK, "{b}: 初审 by another person: {v}");
        let (s, v, _) = send(&router, "POST", &url, deputy, act("approve")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: the same person cannot pass 终审 too: {v}");
        let (s, v, _) = send(&router, "POST", &url, director, act("approve")).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("approved")), "{b}: {v}");

        // Sent back, the next round starts from nobody: the deputy may review again.
        assert_eq!(send(&router, "POST", &url, director, act("reject")).await.0, StatusCode::OK);
        assert_eq!(send(&router, "POST", &url, office, act("submit")).await.0, StatusCode::OK);
        assert_eq!(send(&router, "POST", &url, deputy, act("approve")).await.0, StatusCode::OK, "{b}");

        // The administrator may switch the rule off for an organisation; that is audited.
        let admin = app.system_actor().await.unwrap();
        let office_org = app.orgs().await.unwrap().into_iter().find(|o| o.kind.code() == "office").unwrap();
        app.update_org_rules(&admin, office_org.id, 2, true, false).await.unwrap();
        let (s, v, _) = send(&router, "POST", &url, deputy, act("approve")).await;
        assert_eq!(s, StatusCode::OK, "{b}: rule off: {v}");
        let (log, _) = app.audit_log(&admin, Some(("org", office_org.id)), 1, 10).await.unwrap();
        assert!(
            log.iter()
                .any(|r| r.action == "org.update" && r.after.as_deref().unwrap_or("").contains("\"four_eyes\":false")),
            "{b}"
        );
    }
}

#[tokio::test]
async fn an_interpretation_of_a_public_document_is_reviewed_before_it_goes_out() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let t = tokens(&app, &["editor", "reviewer"]).await;
        let (editor, reviewer) = (&t[0], &t[1]);
        let router = gongkai_web::router(app.clone());
        let (_, d, _) =
            send(&router, "POST", "/api/v1/documents", editor, Some(doc("关于解读审核测试的通知", "第一条 正文。")))
                .await;
        let id = d["id"].as_i64().unwrap();
        let url = format!("/api/v1/documents/{id}/actions");
        assert_eq!(send(&router, "POST", &url, editor, act("submit")).await.0, StatusCode::OK);
        for a in ["approve", "publish"] {
            let (s, v, _) = send(&router, "POST", &url, reviewer, act(a)).await;
            assert_eq!(s, StatusCode::OK, "{b} {a}: {v}");
        }
        let i = json!({"title": "《关于解读审核测试的通知》解读", "form": "text", "body": "解读正文", "document_ids": [id]});
        let (s, v, _) = send(&router, "POST", "/api/v1/interpretations", editor, Some(i)).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::CREATED, Some("submitted")), "{b}: waits for review: {v}");
        let iid = v["id"].as_i64().unwrap();
        let (s, _, _) = send(&router, "GET", &format!("/api/v1/interpretations/{iid}"), "", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: not public before review");
        let iurl = format!("/api/v1/interpretations/{iid}/actions");
        let (s, _, _) = send(&router, "POST", &iurl, editor, act("approve")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}: an editor does not review");
        let (s, v, _) = send(&router, "POST", &iurl, reviewer, act("approve")).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("published")), "{b}: {v}");
        let (s, _, _) = send(&router, "GET", &format!("/api/v1/interpretations/{iid}"), "", None).await;
        assert_eq!(s, StatusCode::OK, "{b}: public after review");
    }
}

#[tokio::test]
async fn many_applications_by_one_person_in_a_day_are_received_and_flagged() {
    for db in databases().await {
        let b = db.backend;
        demo_app(&db).await;
        let config = gongkai_app::AppConfig { request_flag_per_day: 3, ..Default::default() };
        let app = Arc::new(gongkai_testkit::app_with(&db, gongkai_testkit::fixed_now(), config).await);
        let office = app.create_token(&app.system_actor().await.unwrap(), "office", "t").await.unwrap();
        let router = gongkai_web::router(app.clone());
        let org = router_orgs(&router, &office).await;
        for n in 1..=4 {
            let person = json!({"applicant_kind": "natural", "name": "王五", "id_number": "11010519491231002X",
                "phone": "13800000000", "description": format!("某项目清单之{n}"), "medium": "paper", "delivery": "pickup", "org_id": org});
            let (s, v, _) = send(&router, "POST", "/api/v1/requests", "", Some(person)).await;
            assert_eq!(s, StatusCode::CREATED, "{b}: every one is received: {v}");
        }
        let (_, q, _) = send(&router, "GET", "/api/v1/requests", &office, None).await;
        let mut counts: Vec<Option<i64>> =
            q["items"].as_array().unwrap().iter().map(|r| r["same_day_count"].as_i64()).collect();
        counts.sort();
        assert_eq!(counts, [None, None, Some(3), Some(4)], "{b}: {q}");
    }
}

#[tokio::test]
async fn the_issuer_menu_puts_the_districts_own_bodies_first() {
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    let laws = include_str!("../../../gongkai/tests/fixtures/laws-sample.jsonl");
    let cli = app.system_actor().await.unwrap();
    app.import_jsonl(&cli, None, std::io::Cursor::new(laws), &|_, _| {}).await.unwrap();
    let (issuers, _, _) = app.document_facets().await.unwrap();
    let orgs: Vec<String> = app.orgs().await.unwrap().into_iter().map(|o| o.name).collect();
    let first_other = issuers.iter().position(|i| !orgs.contains(i)).expect("imported issuers are listed");
    assert!(first_other > 0, "{issuers:?}");
    assert!(issuers[first_other..].iter().all(|i| !orgs.contains(i)), "the district's bodies come first: {issuers:?}");
    assert!(issuers.contains(&"国务院".to_string()), "{issuers:?}");
}

#[tokio::test]
async fn a_document_page_names_versions_by_date_and_fills_empty_fields() {
    let db = gongkai_testkit::sqlite();
    let router = gongkai_web::router(Arc::new(demo_app(&db).await));
    let (id, _) = revised_document(&router).await;
    let (_, _, html) = send(&router, "GET", &format!("/documents/{id}"), "", None).await;
    assert!(html.contains("施行日期"), "the metadata box shows 施行日期");
    assert!(html.contains("日修订") && html.contains("日发布"), "versions named by date and action");
    assert!(!html.contains("第2版"), "not 第N版 when the version has a date");
    let cells: Vec<&str> = html.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap_or("")).collect();
    assert!(!cells.iter().any(|c| c.trim().is_empty()), "no blank metadata cell: {cells:?}");
}

/// A corpus record without a 发文机关 was published under the district's own name, and one
/// record had 关于 as its issuer. The issuer now comes from the record or the title's
/// "X关于…"; a record that names none says 未注明.
#[tokio::test]
async fn imported_records_never_take_the_districts_name_or_a_title_fragment_as_issuer() {
    for db in databases().await {
        let b = db.backend;
        let app = demo_app(&db).await;
        let cli = app.system_actor().await.unwrap();
        let lines = [
            r#"{"id": "t-1", "title": "上海市人民代表大会关于代表议案的规定", "issuer": null, "doc_type": "地方性法规", "published_on": "2020-01-01", "body": "第一条 为了规范代表议案工作。"}"#,
            r#"{"id": "t-2", "title": "国家机关、事业单位贯彻《国务院关于职工工作时间的规定》的实施办法", "issuer": "关于", "doc_type": "部门规章", "published_on": "1995-03-25", "body": "第一条 为了贯彻规定。"}"#,
            r#"{"id": "t-3", "title": "上海市专利保护条例", "issuer": null, "doc_type": "地方性法规", "published_on": "2021-01-01", "body": "第一条 为了保护专利权。"}"#,
        ];
        let report = app.import_jsonl(&cli, None, std::io::Cursor::new(lines.join("\n")), &|_, _| {}).await.unwrap();
        assert_eq!(report.imported, 3, "{b}: {:?}", report.errors);
        let orgs: Vec<String> = app.orgs().await.unwrap().into_iter().map(|o| o.name).collect();
        for (title, want) in [
            ("上海市人民代表大会关于代表议案的规定", "上海市人民代表大会"),
            ("国家机关、事业单位贯彻《国务院关于职工工作时间的规定》的实施办法", "未注明"),
            ("上海市专利保护条例", "未注明"),
        ] {
            let found = app
                .list_documents(
                    None,
                    &gongkai_app::documents::ListParams { q: Some(title.into()), ..Default::default() },
                )
                .await
                .unwrap();
            let d = found.items.iter().find(|d| d.title == title).unwrap_or_else(|| panic!("{b}: {title}"));
            assert_eq!(d.issuer, want, "{b}: {title}");
            assert!(!orgs.contains(&d.issuer), "{b}: a law is not the district's");
        }
    }
}

/// A long document put its versions and interpretations after the last article, and its
/// diff was one block of the whole text. Now both come before the body, and the diff lists
/// the changed articles with jump links and can show only them.
#[tokio::test]
async fn versions_and_interpretations_come_first_and_the_diff_can_show_only_the_changed_articles() {
    let db = gongkai_testkit::sqlite();
    let router = gongkai_web::router(Arc::new(demo_app(&db).await));
    let (id, versions) = revised_document(&router).await;
    let (a, b) = (versions[0], versions[1]);
    let (_, _, html) = send(&router, "GET", &format!("/documents/{id}"), "", None).await;
    let body_at = html.find("<div class=\"body\">").expect("the body");
    for heading in ["id=\"versions\"", "id=\"interpretations\""] {
        let at = html.find(heading).unwrap_or_else(|| panic!("{heading}"));
        assert!(at < body_at, "{heading} comes before the articles");
    }
    let (from, to) = (a.min(b), a.max(b));
    let (_, _, full) = send(&router, "GET", &format!("/documents/{id}/diff?from={from}&to={to}"), "", None).await;
    let (_, _, only) =
        send(&router, "GET", &format!("/documents/{id}/diff?from={from}&to={to}&only=changed"), "", None).await;
    let units = |h: &str| h.matches("class=\"diff-unit").count();
    let changed = |h: &str| h.matches("class=\"diff-unit changed\"").count();
    assert!(changed(&full) >= 1, "the demo's revision changed something");
    assert!(units(&full) > changed(&full), "the full diff keeps the unchanged articles too");
    assert_eq!(units(&only), changed(&only), "only the changed articles");
    assert_eq!(changed(&only), changed(&full));
    assert!(full.contains("id=\"diff-only\"") && only.contains("id=\"diff-all\""), "the two views link to each other");
    let jump = full.split("aria-label=\"修改的条款\"").nth(1).expect("the jump list");
    assert!(jump.contains("href=\"#u-"), "jump links to the changed articles");
}

/// A demo document with at least two versions: its id and its versions' ids.
async fn revised_document(router: &axum::Router) -> (i64, Vec<i64>) {
    let (_, list, _) = send(router, "GET", "/api/v1/documents?per_page=100", "", None).await;
    for d in list["items"].as_array().unwrap() {
        let id = d["id"].as_i64().unwrap();
        let (_, one, _) = send(router, "GET", &format!("/api/v1/documents/{id}"), "", None).await;
        let versions: Vec<i64> =
            one["versions"].as_array().into_iter().flatten().filter_map(|v| v["id"].as_i64()).collect();
        if versions.len() >= 2 {
            return (id, versions);
        }
    }
    panic!("the demo has a revised document");
}
