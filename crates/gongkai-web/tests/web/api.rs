//! The HTTP API and portal, driven through the real router on SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongkai_testkit::{databases, demo_app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

struct Client {
    router: axum::Router,
    app: Arc<gongkai_app::App>,
}

impl Client {
    async fn new(db: &gongkai_testkit::TestDb) -> Client {
        let app = Arc::new(demo_app(db).await);
        Client { router: gongkai_web::router(app.clone()), app }
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
    }

    async fn token(&self, user: &str) -> String {
        let actor = self.app.system_actor().await.unwrap();
        self.app.create_token(&actor, user, "test").await.unwrap()
    }

    async fn first_id(&self, q: &str) -> i64 {
        let (_, v, _) = self.send("GET", &format!("/api/v1/documents?{q}"), None, None).await;
        v["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("no document for {q}: {v}"))
    }
}

/// What a browser shows after a console form: a 303 is followed, with the session and the
/// flash cookie the redirect set, to the page that shows the notice.
async fn follow(router: &axum::Router, resp: axum::response::Response, session: &str) -> (StatusCode, String) {
    if resp.status() != StatusCode::SEE_OTHER {
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        return (status, String::from_utf8_lossy(&bytes).to_string());
    }
    let to = resp.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(!to.contains("msg="), "no message travels in the URL: {to}");
    let flash = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("gk_flash=").map(|r| r.split(';').next().unwrap_or("").to_string()));
    let mut cookie = format!("gk_session={session}");
    if let Some(f) = flash {
        cookie.push_str(&format!("; gk_flash={f}"));
    }
    let req = Request::builder().uri(&to).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).to_string())
}

fn doc(title: &str, category: &str) -> Value {
    json!({"title": title, "category": category, "doc_no": "莱教体发〔2025〕21号", "kind": "通知", "signed_on": "2025-06-20",
           "effective_on": "2025-07-01", "expires_on": "2030-06-30", "body": "第一条 为了测试，制定本办法。\n第二条 本办法自发布之日起施行。"})
}

#[tokio::test]
async fn public_reads_on_both_databases() {
    for db in databases().await {
        let c = Client::new(&db).await;
        let b = db.backend;
        let (s, v, _) = c.send("GET", "/api/v1/documents?per_page=100", None, None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let titles: Vec<&str> = v["items"].as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap()).collect();
        assert!(titles.iter().any(|t| t.contains("2025年莱芜区政务公开工作要点")), "{b}: the work plan is published");
        assert!(!titles.iter().any(|t| t.contains("草稿")), "{b}: drafts are not public");
        assert_eq!(
            titles.iter().filter(|t| **t == "莱芜区政府信息公开申请办理规范（示例）").count(),
            1,
            "{b}: only the newest version is listed"
        );

        let (_, v, _) = c.send("GET", "/api/v1/documents?validity=repealed", None, None).await;
        assert_eq!(v["total"], 1, "{b}");
        assert_eq!(v["items"][0]["validity_label"], "废止");
        let (s, v, _) = c.send("GET", "/api/v1/documents?validity=sometimes", None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")), "{b}");
        let (s, v, _) = c.send("GET", "/api/v1/documents?page=abc", None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")), "{b}");
        let (_, v, _) = c
            .send(
                "GET",
                "/api/v1/documents?doc_no=%E8%8E%B1%E6%94%BF%E5%8A%9E%E5%8F%91%5B2021%5D12%E5%8F%B7",
                None,
                None,
            )
            .await;
        assert_eq!(v["items"][0]["doc_no"], "莱政办发〔2021〕12号", "{b}: a document number typed with [] is found");
        let (_, v, _) = c.send("GET", "/api/v1/documents?category=normative&year=2025", None, None).await;
        assert_eq!(v["total"], 1, "{b}");

        let id = c.first_id("q=%E7%94%B3%E8%AF%B7%E5%8A%9E%E7%90%86%E8%A7%84%E8%8C%83").await;
        let (s, d, _) = c.send("GET", &format!("/api/v1/documents/{id}"), None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d["document"]["version_no"], 2, "{b}");
        assert_eq!(d["versions"].as_array().unwrap().len(), 2);
        let interp = d["interpretations"].as_array().unwrap();
        assert_eq!(interp.len(), 2, "{b}: both versions' interpretations are shown");
        assert!(interp.iter().any(|i| i["earlier_version"] == true && i["for_version_no"] == 1), "{b}: {interp:?}");
        assert!(d["blocks"].as_array().unwrap().iter().any(|bl| bl["type"] == "article" && bl["label"] == "第五条"));
        let (_, old, _) = c.send("GET", &format!("/api/v1/documents/{id}?as_of=2024-01-01"), None, None).await;
        assert_eq!(old["document"]["version_no"], 1, "{b}: in force on 2024-01-01 was version 1");
        assert_eq!(old["document"]["validity"], "amended");
        let (_, none, _) = c.send("GET", &format!("/api/v1/documents/{id}?as_of=2020-01-01"), None, None).await;
        assert!(none["as_of"]["note"].as_str().unwrap().contains("尚未施行"), "{b}");
        let (s, v, _) = c.send("GET", &format!("/api/v1/documents/{id}?as_of=2024-13-01"), None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));

        let v1 = d["versions"][0]["id"].as_i64().unwrap();
        let (s, diff, _) = c.send("GET", &format!("/api/v1/documents/{id}/diff?from={v1}&to={id}"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let segs = diff["body"].as_array().unwrap();
        assert!(segs.iter().any(|s| s["change"] == "delete" && s["text"].as_str().unwrap().contains("十五")), "{b}");
        assert!(segs.iter().any(|s| s["change"] == "insert" && s["text"].as_str().unwrap().contains("二十")), "{b}");
        let (s, _, _) = c.send("GET", &format!("/api/v1/documents/{id}/diff?from=999999&to={id}"), None, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, v, _) = c.send("GET", &format!("/api/v1/documents/{id}/diff"), None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));

        let (s, v, _) = c.send("GET", "/api/v1/documents/999999", None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
        let (s, v, _) = c.send("GET", "/api/v1/documents/abc", None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_id")));
        let (s, v, _) = c.send("GET", "/api/v1/nothing-here", None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));

        let (s, _, html) = c.send("GET", &format!("/documents/{id}"), None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("name=\"ArticleTitle\""), "{b}");
        for label in ["索引号", "主题分类", "发文机关", "成文日期", "发文字号", "发布日期", "有效性"]
        {
            assert!(html.contains(label), "{b}: metadata box shows {label}");
        }
        let (_, _, html) = c.send("GET", &format!("/documents/{v1}"), None, None).await;
        assert!(html.contains("该文件已修改"), "{b}: old versions carry a banner");
        let repealed = c.first_id("validity=repealed").await;
        let (_, _, html) = c.send("GET", &format!("/documents/{repealed}"), None, None).await;
        assert!(
            html.contains("该文件已废止") && html.contains("效能监测办法"),
            "{b}: the banner names what repealed it"
        );
        let (s, _, html) = c.send("GET", "/no/such/page", None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(html.contains("您访问的页面不存在"));
        let (s, _, html) = c.send("GET", "/documents?validity=bogus", None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("有效性应为"), "{b}: bad filters explained on the page");
    }
}

#[tokio::test]
async fn writes_need_auth_and_follow_the_rules() {
    for db in databases().await {
        let c = Client::new(&db).await;
        let b = db.backend;
        let editor = c.token("editor").await;
        let reviewer = c.token("reviewer").await;
        let office = c.token("office").await;

        let (s, v, _) = c.send("POST", "/api/v1/documents", None, Some(doc("无令牌", "其他文件"))).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "{b}");
        let (s, _, _) = c.send("POST", "/api/v1/documents", Some("gk_wrong"), Some(doc("坏令牌", "其他文件"))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, v, _) = c.send("GET", "/api/v1/documents", Some("gk_wrong"), None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));

        let mut bad = doc("格式错误的文件", "其他文件");
        bad["doc_no"] = json!("莱教体发[2025]第05号");
        bad["published_on"] = json!("2025-06-01");
        let (s, v, _) = c.send("POST", "/api/v1/documents", Some(&editor), Some(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let errs = v["errors"].as_array().unwrap();
        assert!(
            errs.iter()
                .any(|e| e["field"] == "doc_no" && e["message"].as_str().unwrap().contains("莱教体发〔2025〕5号")),
            "{v}"
        );
        assert!(errs.iter().any(|e| e["field"] == "published_on"), "{v}");
        let (s, v, _) = c.send("POST", "/api/v1/documents", Some(&editor), Some(json!({"title": 5}))).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_json")), "{b}");

        let (s, d, _) = c
            .send("POST", "/api/v1/documents", Some(&editor), Some(doc("关于规范校外培训的办法", "行政规范性文件")))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {d}");
        let id = d["id"].as_i64().unwrap();
        assert!(d["index_no"].as_str().unwrap().contains("/2025-00000"), "{b}: index number {}", d["index_no"]);
        let act = |a: &str| json!({"action": a});
        let (s, _, _) =
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(&editor), Some(act("approve"))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}: editors do not approve");
        // 谁起草谁解读: a normative document goes for review with its interpretation.
        let (s, v, _) =
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(&editor), Some(act("submit"))).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rule_violated")), "{b}: {v}");
        assert!(v["message"].as_str().unwrap().contains("谁起草谁解读"));
        let (s, _, _) = c.send("GET", &format!("/api/v1/documents/{id}"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: unpublished documents are not public");
        let interp = json!({"title": "关于规范校外培训的办法解读", "form": "text", "body": "<p>要点</p><script>alert(1)</script>", "document_ids": [id]});
        let (s, i, _) = c.send("POST", "/api/v1/interpretations", Some(&editor), Some(interp)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {i}");
        assert!(!i["body"].as_str().unwrap().contains("script"), "rich text is sanitised");
        assert_eq!(i["status"], "draft");
        let (s, _, _) =
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(&editor), Some(act("submit"))).await;
        assert_eq!(s, StatusCode::OK);
        let (s, v, _) =
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(&reviewer), Some(act("publish"))).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}: not yet reviewed: {v}");
        let (s, _, _) =
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(&reviewer), Some(act("approve"))).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _, _) =
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(&reviewer), Some(act("publish"))).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, d, _) = c.send("GET", &format!("/api/v1/documents/{id}"), None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d["interpretations"][0]["status"], "published", "{b}: published together");
        assert_eq!(d["document"]["published_on"], "2025-07-01", "{b}: dated by the clock");

        let (s, _, _) =
            c.send("PUT", &format!("/api/v1/documents/{id}"), Some(&editor), Some(doc("改标题", "其他文件"))).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        let plan = c.first_id("q=%E5%B7%A5%E4%BD%9C%E8%A6%81%E7%82%B9").await;
        let (s, _, _) = c
            .send(
                "POST",
                &format!("/api/v1/documents/{plan}/revisions"),
                Some(&editor),
                Some(doc("改别人的", "其他文件")),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        // Staff of another organisation may neither read this organisation's drafts nor change them.
        let system = c.app.system_actor().await.unwrap();
        let civil = c.app.orgs().await.unwrap().into_iter().find(|o| o.name.contains("民政局")).unwrap();
        c.app
            .add_user(
                &system,
                gongkai_app::auth::NewUser {
                    username: "minzheng".into(),
                    display_name: None,
                    role: "editor".into(),
                    org: civil.id.to_string(),
                    password: "another-long-password".into(),
                    email: None,
                },
            )
            .await
            .unwrap();
        let outsider = c.token("minzheng").await;
        let (_, draft, _) =
            c.send("POST", "/api/v1/documents", Some(&editor), Some(doc("教体局内部草稿", "其他文件"))).await;
        let draft_id = draft["id"].as_i64().unwrap();
        let (s, v, _) = c.send("GET", &format!("/api/v1/documents/{draft_id}"), Some(&outsider), None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{b}");
        let (s, _, _) = c
            .send("PUT", &format!("/api/v1/documents/{draft_id}"), Some(&outsider), Some(doc("篡改", "其他文件")))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, _, _) = c.send("GET", &format!("/api/v1/documents/{draft_id}"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: the public is told nothing");
        let (_, mine, _) = c.send("GET", "/api/v1/documents?per_page=100", Some(&outsider), None).await;
        assert_eq!(mine["total"], 0, "{b}: staff lists show their own organisation only");

        let (s, v, _) = c
            .send(
                "POST",
                &format!("/api/v1/documents/{id}/actions"),
                Some(&reviewer),
                Some(json!({"action": "explode"})),
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));

        let mut rev = doc("关于规范校外培训的办法", "其他文件");
        rev["doc_no"] = json!("莱教体发〔2025〕30号");
        rev["body"] = json!("第一条 为了测试修订，制定本办法。\n第二条 本办法自发布之日起施行。");
        let (s, r, _) = c.send("POST", &format!("/api/v1/documents/{id}/revisions"), Some(&editor), Some(rev)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {r}");
        let rid = r["id"].as_i64().unwrap();
        assert_eq!(r["version_no"], 2);
        for a in ["submit", "approve", "publish"] {
            let tok = if a == "submit" { &editor } else { &reviewer };
            let (s, v, _) = c.send("POST", &format!("/api/v1/documents/{rid}/actions"), Some(tok), Some(act(a))).await;
            assert_eq!(s, StatusCode::OK, "{b} {a}: {v}");
        }
        let (_, old, _) = c.send("GET", &format!("/api/v1/documents/{id}"), None, None).await;
        assert_eq!(old["document"]["validity"], "amended", "{b}");

        let (_, before, _) = c.send("GET", "/api/v1/changes?since=0&limit=500", None, None).await;
        let cursor = before["next_cursor"].as_i64().unwrap();
        let (s, v, _) = c
            .send(
                "POST",
                &format!("/api/v1/documents/{rid}/actions"),
                Some(&office),
                Some(json!({"action": "withdraw"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: a reason is required: {v}");
        assert_eq!(v["errors"][0]["field"], "reason", "{b}: the field is named: {v}");
        let (s, _, _) = c
            .send(
                "POST",
                &format!("/api/v1/documents/{rid}/actions"),
                Some(&office),
                Some(json!({"action": "withdraw", "reason": "发现错误"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, old, _) = c.send("GET", &format!("/api/v1/documents/{id}"), None, None).await;
        assert_eq!(old["document"]["validity"], "in_force", "{b}");
        let (_, feed, _) = c.send("GET", &format!("/api/v1/changes?since={cursor}"), None, None).await;
        let items = feed["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["id"] == rid && i["removed"] == true), "{b}: {feed}");
        assert!(items.iter().any(|i| i["id"] == id && i["removed"] == false));
        assert!(items.iter().all(|i| i["seq"].as_i64().unwrap() > cursor));
        let (_, again, _) = c.send("GET", &format!("/api/v1/changes?since={}", feed["next_cursor"]), None, None).await;
        assert_eq!(again["items"].as_array().unwrap().len(), 0, "{b}: nothing repeats");
        let (s, _, _) = c.send("GET", "/api/v1/changes?since=-1", None, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        let actor = c.app.system_actor().await.unwrap();
        let (log, _) = c.app.audit_log(&actor, Some(("document", rid)), 1, 50).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
        for a in ["document.revise", "document.submit", "document.approve", "document.publish", "document.withdraw"] {
            assert!(actions.contains(&a), "{b}: {a} in {actions:?}");
        }

        // The drafter-interprets rule can be switched off per organisation.
        let edu = c.app.orgs().await.unwrap().into_iter().find(|o| o.name.contains("教育和体育局")).unwrap();
        let admin = c.app.system_actor().await.unwrap();
        c.app.update_org_rules(&admin, edu.id, 1, false, true).await.unwrap();
        let (_, d, _) = c
            .send("POST", "/api/v1/documents", Some(&editor), Some(doc("不需解读的规范性文件", "行政规范性文件")))
            .await;
        let nid = d["id"].as_i64().unwrap();
        for a in ["submit", "approve", "publish"] {
            let tok = if a == "submit" { &editor } else { &reviewer };
            let (s, v, _) = c.send("POST", &format!("/api/v1/documents/{nid}/actions"), Some(tok), Some(act(a))).await;
            assert_eq!(s, StatusCode::OK, "{b} {a}: {v}");
        }
        assert!(c.app.update_org_rules(&admin, edu.id, 4, true, true).await.is_err(), "at most three review levels");
    }
}

/// The description is generated from the routes, and both directions hold: every
/// documented path and method is routed, and every route is documented (the API module
/// registers handlers only through `routes!`, which carries each handler's description).
/// Every operation states its responses with their schemas, every write its body, and
/// every schema referenced is defined.
#[tokio::test]
async fn openapi_is_generated_from_the_routes_both_ways() {
    let db = gongkai_testkit::sqlite();
    let c = Client::new(&db).await;
    let (s, spec, _) = c.send("GET", "/api/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "{}", spec["openapi"]);
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 30, "{} paths", paths.len());
    if std::env::var("DUMP_OPENAPI").is_ok() {
        std::fs::write("/tmp/openapi.json", serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    }
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let uri = path.replace("{id}", "1").replace("{aid}", "1");
            let (s, v, _) = c.send(&method.to_uppercase(), &uri, None, None).await;
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is routed: {v}");
            assert!(
                !(s == StatusCode::NOT_FOUND && v["message"].as_str().unwrap_or("").contains("页面不存在")),
                "{method} {path} is routed: {v}"
            );
            assert!(op["summary"].as_str().is_some_and(|t| !t.is_empty()), "{method} {path}: a summary");
            let responses = op["responses"].as_object().unwrap();
            let ok: Vec<_> = responses.iter().filter(|(code, _)| code.starts_with('2')).collect();
            assert_eq!(ok.len(), 1, "{method} {path}: one success response");
            let (code, r) = ok[0];
            if code != "204" {
                let content = r["content"].as_object().unwrap_or_else(|| panic!("{method} {path}: a body"));
                assert!(content.values().all(|m| m["schema"].is_object()), "{method} {path}: a schema");
            }
            for failure in ["400", "401", "404", "422"] {
                assert!(responses.contains_key(failure), "{method} {path}: {failure}");
            }
            if method == "post" || method == "put" {
                assert!(
                    op["requestBody"]["content"]["application/json"]["schema"].is_object(),
                    "{method} {path}: its body"
                );
            }
        }
    }
    assert!(operations >= 38, "{operations} operations");
    // Every route is documented: API handlers are registered only through `routes!`; the
    // one route added by hand is the description itself.
    let mut by_hand = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let all = std::fs::read_to_string(&p).unwrap();
                // A unit test's own router is not the API.
                let src = all.split("#[cfg(test)]").next().unwrap_or_default();
                for (i, _) in src.match_indices(".route(\"") {
                    let path: String = src[i + 8..].chars().take_while(|c| *c != '"').collect();
                    if path.starts_with("/api") || path.starts_with("/v1") {
                        by_hand.push(path);
                    }
                }
            }
        }
    }
    assert_eq!(by_hand, ["/api/openapi.json"], "API routes outside routes!");
    // Every reference resolves.
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for (i, _) in text.match_indices("#/components/schemas/") {
        let name: String = text[i + 21..].chars().take_while(|c| *c != '"').collect();
        assert!(schemas.contains_key(&name), "schema {name} is defined");
    }
    // The request detail is described with the published names of the contract.
    let detail = &schemas["RequestView"]["properties"];
    assert!(detail["channel"].is_object() && detail["delivery"].is_object(), "{detail}");
}

#[tokio::test]
async fn login_locks_out_and_forms_need_csrf() {
    let db = gongkai_testkit::sqlite();
    let c = Client::new(&db).await;
    for _ in 0..5 {
        assert!(c.app.login("editor", "wrong-password").await.is_err());
    }
    let e = c.app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.expect_err("locked");
    assert!(e.to_string().contains("锁定"), "{e}");
    let (_, session) = c.app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let post = |body: String| {
        Request::builder()
            .method("POST")
            .uri("/admin/documents")
            .header(header::COOKIE, format!("gk_session={}", session.token))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let resp = c.router.clone().oneshot(post("title=x&category=other&body=y&csrf=forged".into())).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = c
        .router
        .clone()
        .oneshot(post(format!("title=&category=other&body=y&doc_no=%E8%8E%B1%5B2025%5D5&csrf={}", session.csrf_token)))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("请填写标题") && html.contains("莱〔2025〕5号"), "errors shown next to fields in Chinese");
    assert!(html.contains("id=\"title\" name=\"title\" aria-invalid=\"true\""), "the field is marked invalid");
    assert!(html.contains("href=\"#title\"") && html.contains("href=\"#doc_no\""), "the summary links to the fields");
}

#[tokio::test]
async fn accessible_and_elderly_modes_switch_without_javascript() {
    let db = gongkai_testkit::sqlite();
    let c = Client::new(&db).await;
    let req = Request::builder()
        .uri("/mode?set=elder")
        .header(header::REFERER, "http://example.org/documents?page=2")
        .body(Body::empty())
        .unwrap();
    let resp = c.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[header::LOCATION], "/documents?page=2");
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.starts_with("gk_mode=elder"), "{cookie}");
    let req =
        Request::builder().uri("/static/mode.css").header(header::COOKIE, "gk_mode=elder").body(Body::empty()).unwrap();
    let css = c.router.clone().oneshot(req).await.unwrap().into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&css).contains("font-size:22px"));
    let (_, _, plain) = c.send("GET", "/static/mode.css", None, None).await;
    assert!(plain.is_empty(), "standard mode adds nothing");
    let req = Request::builder()
        .uri("/mode?set=evil")
        .header(header::REFERER, "http://x//evil.example/")
        .body(Body::empty())
        .unwrap();
    let resp = c.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.headers()[header::LOCATION], "/", "never redirects off the site");
}

fn multipart(csrf: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "gongkaiBOUNDARY7MA4YWxk";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn scheduled_publication_and_attachments() {
    for db in databases().await {
        let c = Client::new(&db).await;
        let b = db.backend;
        let editor = c.token("editor").await;
        let reviewer = c.token("reviewer").await;
        let (_, d, _) = c
            .send(
                "POST",
                "/api/v1/documents",
                Some(&editor),
                Some(doc("关于暑期校园开放的通知<script>alert(1)</script>", "其他文件")),
            )
            .await;
        let id = d["id"].as_i64().unwrap();

        // Attachments through the console form, with the session's CSRF token.
        let (_, session) = c.app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let upload = |name: &str, content: &[u8], csrf: &str| {
            let (ct, body) = multipart(csrf, name, content);
            Request::builder()
                .method("POST")
                .uri(format!("/admin/documents/{id}/attachments"))
                .header(header::COOKIE, format!("gk_session={}", session.token))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap()
        };
        let resp = c
            .router
            .clone()
            .oneshot(upload("开放安排.txt", "七月每周六开放。".as_bytes(), &session.csrf_token))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{b}");
        let (_, html) = follow(&c.router, resp, &session.token).await;
        assert!(html.contains("已上传附件：开放安排.txt"), "{b}: the notice is shown once after the redirect");
        let resp = c
            .router
            .clone()
            .oneshot(upload("伪装.pdf", b"MZ\x90\x00this is no pdf", &session.csrf_token))
            .await
            .unwrap();
        let (_, html) = follow(&c.router, resp, &session.token).await;
        assert!(html.contains("的内容与扩展名"), "{b}: disguised file refused");
        let resp = c.router.clone().oneshot(upload("病毒.exe", b"MZ", &session.csrf_token)).await.unwrap();
        let (_, html) = follow(&c.router, resp, &session.token).await;
        assert!(html.contains("的文件类型"), "{b}");
        // A crafted ?msg= shows nothing.
        let req = Request::builder()
            .uri(format!("/admin/documents/{id}?msg=%E7%B3%BB%E7%BB%9F%E9%80%9A%E7%9F%A5"))
            .header(header::COOKIE, format!("gk_session={}", session.token))
            .body(Body::empty())
            .unwrap();
        let (_, html) = follow(&c.router, c.router.clone().oneshot(req).await.unwrap(), &session.token).await;
        assert!(!html.contains("系统通知"), "{b}: text from the URL is never shown as a notice");
        let resp = c.router.clone().oneshot(upload("开放安排.txt", b"x", "forged")).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let too_big = vec![b'a'; 21 * 1024 * 1024];
        let resp = c.router.clone().oneshot(upload("大文件.txt", &too_big, &session.csrf_token)).await.unwrap();
        let (status, html) = follow(&c.router, resp, &session.token).await;
        assert!(status == StatusCode::PAYLOAD_TOO_LARGE || html.contains("上传失败"), "{b}: {status}");
        let detail = c.app.document_detail(None, id, None).await;
        assert!(detail.is_err(), "drafts are not public");
        let actor = c.app.token_actor(&editor).await.unwrap().unwrap();
        let detail = c.app.document_detail(Some(&actor), id, None).await.unwrap();
        assert_eq!(detail.attachments.len(), 1, "{b}");
        assert!(detail.attachments[0].has_text);
        let att = detail.attachments[0].id;
        let (s, _, _) = c.send("GET", &format!("/attachments/{att}"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: a draft's attachment is not public");

        // Scheduled publication: not public until its time, then released by the worker.
        for a in ["submit", "approve"] {
            let tok = if a == "submit" { &editor } else { &reviewer };
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(tok), Some(json!({"action": a}))).await;
        }
        let (s, v, _) = c
            .send(
                "POST",
                &format!("/api/v1/documents/{id}/actions"),
                Some(&reviewer),
                Some(json!({"action": "publish", "publish_at": "2025-07-02 09:00"})),
            )
            .await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("scheduled")), "{b}: {v}");
        let (s, v, _) = c
            .send(
                "POST",
                &format!("/api/v1/documents/{id}/actions"),
                Some(&reviewer),
                Some(json!({"action": "publish", "publish_at": "tomorrow"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {v}");
        assert_eq!(c.app.release_scheduled().await.unwrap(), 0, "not yet");
        let (s, _, _) = c.send("GET", &format!("/api/v1/documents/{id}"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let later = gongkai_testkit::app_at(&db, time::macros::datetime!(2025-07-02 01:30 UTC)).await;
        assert_eq!(later.release_scheduled().await.unwrap(), 1, "{b}");
        let (s, d, _) = c.send("GET", &format!("/api/v1/documents/{id}"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(d["document"]["status"], "published");
        let (s, _, text) = c.send("GET", &format!("/attachments/{att}"), None, None).await;
        assert_eq!((s, text.as_str()), (StatusCode::OK, "七月每周六开放。"), "{b}");

        let (_, _, html) = c.send("GET", &format!("/documents/{id}"), None, None).await;
        assert!(
            html.contains("关于暑期校园开放的通知&#60;script&#62;") && !html.contains("<script>alert"),
            "{b}: titles are escaped: {}",
            &html[html.find("暑期").unwrap_or(0)..][..80]
        );

        // The district office sees what expires within 90 days.
        let office_actor = c.app.token_actor(&c.token("office").await).await.unwrap().unwrap();
        let soon = gongkai_testkit::app_at(&db, time::macros::datetime!(2026-11-27 01:00 UTC)).await;
        let expiring = soon.expiring_documents(&office_actor, 90).await.unwrap();
        assert!(expiring.iter().any(|d| d.title.contains("学生资助")), "{b}: expires 2027-01-31");
        assert!(!expiring.iter().any(|d| d.title.contains("申请办理规范")), "{b}: expires 2030");

        // Validity changes by itself when the expiry date passes.
        let far = gongkai_testkit::app_at(&db, time::macros::datetime!(2030-07-02 01:30 UTC)).await;
        let d = far.document_detail(None, id, None).await.unwrap();
        assert_eq!(d.document.validity.code(), "expired", "{b}: expires_on 2030-06-30 has passed");
    }
}

#[tokio::test]
async fn search_api_portal_and_freshness() {
    for db in databases().await {
        let c = Client::new(&db).await;
        let b = db.backend;
        let (s, v, raw) = c.send("GET", "/api/v1/search?q=%E5%85%8D%E7%94%B3%E5%8D%B3%E4%BA%AB", None, None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {v}");
        assert_eq!(raw.matches("\"total\"").count(), 1, "{b}: no duplicate keys: {raw}");
        assert!(v["hits"][0]["title"].as_str().unwrap().contains("学生资助"), "{b}: {v}");
        assert!(
            !v["hits"][0]["snippet"].as_str().unwrap().is_empty(),
            "{b}: a snippet even when only the title matched"
        );
        let (_, v2, _) = c.send("GET", "/api/v1/search?q=%E8%B5%84%E5%8A%A9%E8%B5%84%E9%87%91", None, None).await;
        assert!(v2["hits"][0]["snippet"].as_str().unwrap().contains("<b>"), "{b}: {v2}");
        for key in ["issuer", "category", "validity", "year", "kind", "topic", "source"] {
            assert!(v["facets"][key].is_array(), "{key}");
        }
        // A document number typed with square brackets finds the document first.
        let (_, v, _) = c
            .send("GET", "/api/v1/search?q=%E8%8E%B1%E6%94%BF%E5%8A%9E%E5%8F%91%5B2021%5D12%E5%8F%B7", None, None)
            .await;
        assert_eq!(
            (v["hits"][0]["doc_no"].as_str(), v["hits"][0]["exact"].as_bool()),
            (Some("莱政办发〔2021〕12号"), Some(true)),
            "{b}: {v}"
        );
        // Filters, and the validity facet still offers the other values.
        let (_, v, _) = c.send("GET", "/api/v1/search?q=%E5%8A%9E%E6%B3%95&validity=repealed", None, None).await;
        assert!(v["hits"].as_array().unwrap().iter().all(|h| h["validity"] == "repealed"), "{b}: {v}");
        assert!(v["facets"]["validity"].as_array().unwrap().len() >= 2, "{b}: {v}");
        // Bad parameters.
        for (q, status) in [
            ("q=x&validity=maybe", StatusCode::UNPROCESSABLE_ENTITY),
            ("q=x&per_page=0", StatusCode::UNPROCESSABLE_ENTITY),
            ("q=x&sort=random", StatusCode::UNPROCESSABLE_ENTITY),
            ("q=x&year=25", StatusCode::UNPROCESSABLE_ENTITY),
            ("q=x&page=abc", StatusCode::BAD_REQUEST),
        ] {
            let (s, v, _) = c.send("GET", &format!("/api/v1/search?{q}"), None, None).await;
            assert_eq!(s, status, "{b} {q}: {v}");
            assert!(v["code"].is_string());
        }
        // Every filter and paging parameter, over every published document (no words).
        let all = "/api/v1/search?source=document";
        let (_, base, _) = c.send("GET", all, None, None).await;
        let count_of = |facet: &str, value: &str| {
            base["facets"][facet].as_array().unwrap().iter().find(|p| p[0] == value).map(|p| p[1].as_u64().unwrap())
        };
        let enc = crate::urlencode;
        for (param, value, facet) in [
            ("issuer", "济南市莱芜区教育和体育局（示例）", Some("issuer")),
            ("category", "normative", Some("category")),
            ("kind", "circular", Some("kind")),
            ("year", "2025", Some("year")),
            ("validity", "in_force", Some("validity")),
            ("topic", "综合政务\\政务公开", Some("topic")),
        ] {
            let (s, v, _) = c.send("GET", &format!("{all}&{param}={}", enc(value)), None, None).await;
            assert_eq!(s, StatusCode::OK, "{b} {param}: {v}");
            let total = v["total"].as_u64().unwrap();
            assert!(total >= 1 && total < base["total"].as_u64().unwrap(), "{b} {param}: {total} of {}", base["total"]);
            if let Some(f) = facet {
                assert_eq!(Some(total), count_of(f, value), "{b} {param}: the facet count promised this many");
            }
        }
        let (_, v, _) = c.send("GET", &format!("{all}&year=2025"), None, None).await;
        assert!(v["hits"].as_array().unwrap().iter().all(|h| h["published_on"].as_str().unwrap().starts_with("2025")));
        let (_, v, _) = c.send("GET", &format!("{all}&sort=date&per_page=50"), None, None).await;
        let dates: Vec<&str> =
            v["hits"].as_array().unwrap().iter().map(|h| h["published_on"].as_str().unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{b}: newest first: {dates:?}");
        let (_, p1, _) = c.send("GET", &format!("{all}&per_page=2&page=1"), None, None).await;
        let (_, p2, _) = c.send("GET", &format!("{all}&per_page=2&page=2"), None, None).await;
        assert_eq!((p1["hits"].as_array().unwrap().len(), p2["page"].as_u64()), (2, Some(2)), "{b}");
        assert_ne!(p1["hits"][0]["id"], p2["hits"][0]["id"], "{b}: page 2 is another page");
        assert_eq!(p1["total"], p2["total"]);
        for q in ["category=bogus", "kind=bogus"] {
            let (s, v, _) = c.send("GET", &format!("{all}&{q}"), None, None).await;
            assert_eq!(
                (s, v["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
                "{b} {q}"
            );
        }
        let long = "%E6%94%BF".repeat(101);
        let (s, _, _) = c.send("GET", &format!("/api/v1/search?q={long}"), None, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: overlong query");
        let (_, v, _) = c.send("GET", "/api/v1/search?q=%EF%BC%8C%E3%80%82", None, None).await;
        assert_eq!(v["empty_query"], true, "{b}: punctuation only");
        assert!(v["total"].as_u64().unwrap() >= 6);

        // Freshness: publishing and withdrawing reach the index through the feed.
        let editor = c.token("editor").await;
        let reviewer = c.token("reviewer").await;
        let mut d = doc("关于开展校园足球联赛的通知", "其他文件");
        d["body"] = json!("各学校：现就开展青少年校园足球联赛有关事项通知如下。");
        let (_, d, _) = c.send("POST", "/api/v1/documents", Some(&editor), Some(d)).await;
        let id = d["id"].as_i64().unwrap();
        for a in ["submit", "approve", "publish"] {
            let tok = if a == "submit" { &editor } else { &reviewer };
            c.send("POST", &format!("/api/v1/documents/{id}/actions"), Some(tok), Some(json!({"action": a}))).await;
        }
        let found = |v: &Value| v["hits"].as_array().unwrap().iter().any(|h| h["id"] == id);
        let q = "/api/v1/search?q=%E6%A0%A1%E5%9B%AD%E8%B6%B3%E7%90%83";
        c.app.index_pending().await.unwrap();
        let (_, v, _) = c.send("GET", q, None, None).await;
        assert!(found(&v), "{b}: published document is searchable: {v}");
        c.send(
            "POST",
            &format!("/api/v1/documents/{id}/actions"),
            Some(&reviewer),
            Some(json!({"action": "withdraw", "reason": "重复发布"})),
        )
        .await;
        c.app.index_pending().await.unwrap();
        let (_, v, _) = c.send("GET", q, None, None).await;
        assert!(!found(&v), "{b}: withdrawn document is gone");

        // Article-level retrieval with citations.
        let (s, v, _) = c.send("GET", "/api/v1/passages?q=%E5%BB%B6%E9%95%BF%E7%AD%94%E5%A4%8D%E6%9C%9F%E9%99%90%E6%9C%80%E9%95%BF%E5%A4%9A%E4%B9%85&k=3", None, None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {v}");
        let first = &v["passages"][0];
        assert_eq!((first["label"].as_str(), first["version_no"].as_i64()), (Some("第五条"), Some(2)), "{b}: {v}");
        assert!(first["title"].as_str().unwrap().contains("申请办理规范"));
        for (q, code) in
            [("q=&k=3", "validation_failed"), ("q=x&k=0", "validation_failed"), ("q=x&k=abc", "invalid_query")]
        {
            let (s, v, _) = c.send("GET", &format!("/api/v1/passages?{q}"), None, None).await;
            assert!(s.is_client_error() && v["code"] == code, "{b} {q}: {s} {v}");
        }

        // The portal page.
        let (_, _, html) = c.send("GET", "/search?q=%E5%BB%B6%E6%9C%9F%E7%AD%94%E5%A4%8D", None, None).await;
        assert!(html.contains("相关条款") && html.contains("#art-5"), "{b}: articles linked by anchor");
        let (s, _, html) = c.send("GET", "/search?q=%E7%9B%91%E6%B5%8B", None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("效能监测办法") && html.contains("<b>"), "{b}");
        let (_, _, html) = c.send("GET", "/search?q=", None, None).await;
        assert!(html.contains("请输入检索词"), "{b}");
        assert!(
            html.contains("<h2>主题分类</h2>") && html.contains("<h2>文种</h2>"),
            "{b}: every filter has its facet menu"
        );
        let (_, _, html) = c.send("GET", "/search?q=x&validity=bogus", None, None).await;
        assert!(html.contains("有效性应为"), "{b}");
    }
}

#[tokio::test]
async fn search_covers_interpretations_suggests_and_keeps_the_office_dictionary() {
    for db in databases().await {
        let c = Client::new(&db).await;
        let b = db.backend;
        let enc = crate::urlencode;
        // Interpretations are in the same index, marked with their source and address.
        let (s, v, _) =
            c.send("GET", &format!("/api/v1/search?q={}&source=interpretation", enc("修订要点")), None, None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {v}");
        let hit = &v["hits"][0];
        assert_eq!(hit["source"], "interpretation", "{b}: {v}");
        assert!(hit["url"].as_str().unwrap().starts_with("/interpretations/"), "{b}: {v}");
        assert!(hit["title"].as_str().unwrap().starts_with("图解"), "{b}: {v}");
        let (_, v, _) = c.send("GET", &format!("/api/v1/search?q={}", enc("申请办理规范")), None, None).await;
        let sources: Vec<&str> =
            v["facets"]["source"].as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
        assert!(sources.contains(&"document") && sources.contains(&"interpretation"), "{b}: {v}");
        let old: Vec<&Value> = v["hits"].as_array().unwrap().iter().filter(|h| h["current"] == false).collect();
        assert!(!old.is_empty(), "{b}: the earlier version is found and marked: {v}");
        let (s, v, _) = c.send("GET", "/api/v1/search?q=x&source=nosuchkind", None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")), "{b}");

        // The portal shows what the hit is and links to it.
        let (_, _, html) = c.send("GET", &format!("/search?q={}", enc("修订要点")), None, None).await;
        assert!(
            html.contains("<span class=\"tag\">政策解读</span>") && html.contains("href=\"/interpretations/"),
            "{b}"
        );

        // A question typed into the box: no document has every word, some words are found.
        let (_, v, _) = c.send("GET", &format!("/api/v1/search?q={}", enc("学生资助 招生入学 考核")), None, None).await;
        assert_eq!(v["relaxed"], true, "{b}: {v}");
        assert!(v["total"].as_u64().unwrap() >= 3, "{b}: {v}");
        let (_, _, html) = c.send("GET", &format!("/search?q={}", enc("学生资助 招生入学 考核")), None, None).await;
        assert!(html.contains("未找到同时包含全部检索词的结果"), "{b}");

        // Did you mean: a title typed with one wrong character.
        let (_, v, _) =
            c.send("GET", &format!("/api/v1/search?q={}", enc("莱芜区政务公开效能检测办法")), None, None).await;
        assert_eq!(v["did_you_mean"], "莱芜区政务公开效能监测办法（示例）", "{b}: {v}");
        let (_, _, html) = c.send("GET", &format!("/search?q={}", enc("莱芜区政务公开效能检测办法")), None, None).await;
        assert!(html.contains("您是不是要找") && html.contains("效能监测办法（示例）</a>"), "{b}");

        // Title suggestions while typing, and their bad parameters.
        let (s, v, _) = c.send("GET", &format!("/api/v1/suggest?q={}", enc("免申即享")), None, None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {v}");
        assert_eq!(v["suggestions"][0]["title"], "莱芜区学生资助“免申即享”实施办法（示例）", "{b}: {v}");
        assert!(v["suggestions"][0]["url"].as_str().unwrap().starts_with("/documents/"));
        for (q, code) in [("q=%E5%85%8D%E7%94%B3&k=0", "validation_failed"), ("q=x&k=z", "invalid_query")] {
            let (s, v, _) = c.send("GET", &format!("/api/v1/suggest?{q}"), None, None).await;
            assert!(s.is_client_error() && v["code"] == code, "{b} {q}: {s} {v}");
        }
        let (_, v, _) = c.send("GET", "/api/v1/suggest?q=%E5%85%8D", None, None).await;
        assert_eq!(v["suggestions"], json!([]), "{b}: one character suggests nothing");

        // The district office's dictionary: only the office may change it; a change marks
        // the index for rebuilding (search says so meanwhile), and the rebuilt index keeps
        // the term whole.
        let office = c.app.token_actor(&c.token("office").await).await.unwrap().unwrap();
        let editor = c.app.token_actor(&c.token("editor").await).await.unwrap().unwrap();
        assert!(matches!(
            c.app.add_search_term(&editor, "一业一证", "").await,
            Err(gongkai_app::AppError::Forbidden(_))
        ));
        for bad in ["一", "一业 一证", "一业一证一业一证一业一证一", "免申，即享"] {
            let r = c.app.add_search_term(&office, bad, "").await;
            assert!(matches!(r, Err(gongkai_app::AppError::Validation(_))), "{b}: {bad} {r:?}");
        }
        let t = c.app.add_search_term(&office, "政策找人", "服务企业的常用说法").await.unwrap();
        assert!(c.app.search_needs_rebuild(), "{b}");
        let (s, v, _) = c.send("GET", &format!("/api/v1/search?q={}", enc("政策找人")), None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("rebuilding")), "{b}");
        assert!(matches!(
            c.app.add_search_term(&office, "政策找人", "").await,
            Err(gongkai_app::AppError::Conflict(_))
        ));
        c.app.reindex().await.unwrap();
        assert!(!c.app.search_needs_rebuild(), "{b}");
        let (_, v, _) = c.send("GET", &format!("/api/v1/search?q={}", enc("政策找人")), None, None).await;
        let hit = v["hits"].as_array().unwrap().iter().find(|h| h["source"] == "interpretation").cloned();
        let hit = hit.unwrap_or_else(|| panic!("{b}: {v}"));
        assert!(hit["snippet"].as_str().unwrap().contains("<b>政策找人</b>"), "{b}: {hit}");
        // The same excerpt as plain text with match ranges, for clients that mark it themselves.
        let text = hit["excerpt"]["text"].as_str().unwrap();
        let m = &hit["excerpt"]["marks"][0];
        let (start, end) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
        assert_eq!(&text[start..end], "政策找人", "{b}: {hit}");
        let (audit, _) = c.app.audit_log(&office, Some(("search_term", t.id)), 1, 10).await.unwrap();
        assert_eq!(audit[0].action, "search_term.add", "{b}");
        c.app.remove_search_term(&office, t.id).await.unwrap();
        assert!(c.app.search_needs_rebuild(), "{b}: removing a term rebuilds too");
        c.app.reindex().await.unwrap();

        // Withdrawing an interpretation removes it from search.
        let iid: i64 = hit["id"].as_i64().unwrap();
        c.app.withdraw_interpretation(&office, iid, "内容更新").await.unwrap();
        c.app.index_pending().await.unwrap();
        let (_, v, _) =
            c.send("GET", &format!("/api/v1/search?q={}&source=interpretation", enc("政策找人")), None, None).await;
        assert!(v["hits"].as_array().unwrap().iter().all(|h| h["id"] != iid), "{b}: {v}");
    }
}

#[tokio::test]
async fn requests_are_taken_in_with_their_legal_due_date_and_tracked_by_code() {
    for db in databases().await {
        let c = Client::new(&db).await;
        let b = db.backend;
        let (_, orgs, _) = c.send("GET", "/api/v1/orgs", None, None).await;
        let org_id = orgs.as_array().unwrap()[0]["id"].as_i64().unwrap();
        let person = json!({
            "applicant_kind": "natural", "name": "张三", "id_number": "11010519491231002x",
            "phone": "0531-76212345", "email": "zhang@example.cn",
            "description": "莱芜区2024年老旧小区改造项目清单", "medium": "electronic", "delivery": "email",
            "org_id": org_id
        });
        // The demo clock reads 2025-07-01 (a Tuesday): day 1 is 2 July, day 20 is 29 July.
        let (s, v, _) = c.send("POST", "/api/v1/requests", None, Some(person.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {v}");
        assert_eq!(v["tracking_no"], "YSQ2025000001", "{b}");
        assert_eq!((v["received_on"].as_str(), v["due_on"].as_str()), (Some("2025-07-01"), Some("2025-07-29")), "{b}");
        let code = v["query_code"].as_str().unwrap().to_string();
        assert_eq!(code.len(), 8);
        assert_eq!(v["due"]["base"]["days"][3]["skipped"], "周末", "{b}: the calculation is shown: {}", v["due"]);
        // The same application again (a retry, a double click) is not filed twice, and the
        // answer does not give away the first one's number.
        let (s, v2, raw) = c.send("POST", "/api/v1/requests", None, Some(person.clone())).await;
        assert_eq!((s, v2["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_request")), "{b}: {v2}");
        assert!(
            !raw.contains("YSQ2025000001") && v2["message"].as_str().unwrap().contains("不会重复受理"),
            "{b}: {raw}"
        );
        let mut other = person.clone();
        other["description"] = json!("莱芜区2024年老旧小区改造项目的资金安排");
        let (_, v2, _) = c.send("POST", "/api/v1/requests", None, Some(other)).await;
        assert_eq!(v2["tracking_no"], "YSQ2025000002", "{b}: numbers follow on");

        // Tracking: the right code shows progress and nothing personal; a wrong code and an
        // unknown number get the same answer.
        let (s, t, raw) = c
            .send("GET", &format!("/api/v1/requests/track?tracking_no=YSQ2025000001&query_code={code}"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{b}: {t}");
        assert_eq!((t["due_on"].as_str(), t["events"][0]["label"].as_str()), (Some("2025-07-29"), Some("收到申请")));
        assert!(!raw.contains("张三") && !raw.contains("110105") && !raw.contains("zhang@"), "{b}: {raw}");
        let (s1, w1, _) =
            c.send("GET", "/api/v1/requests/track?tracking_no=YSQ2025000001&query_code=AAAAAAAA", None, None).await;
        let (s2, w2, _) = c
            .send("GET", &format!("/api/v1/requests/track?tracking_no=YSQ2025999999&query_code={code}"), None, None)
            .await;
        assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND), "{b}");
        assert_eq!(w1, w2, "{b}: a wrong code reveals nothing");
        let req = Request::builder()
            .method("POST")
            .uri("/apply/track")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("tracking_no=YSQ2025000001&query_code=AAAAAAAA"))
            .unwrap();
        let resp = c.router.clone().oneshot(req).await.unwrap();
        let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(html.contains("受理编号或查询码不正确") && !html.contains("张三"), "{b}");

        // Bad input: a precise message per field.
        let mut bad = person.clone();
        bad["id_number"] = json!("110105194912310021");
        bad["delivery"] = json!("post");
        let (s, v, _) = c.send("POST", "/api/v1/requests", None, Some(bad)).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")), "{b}");
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains("校验位") && msg.contains("通信地址"), "{b}: {msg}");
        let mut org = person.clone();
        org["applicant_kind"] = json!("legal_service");
        let (_, v, _) = c.send("POST", "/api/v1/requests", None, Some(org)).await;
        assert!(v["message"].as_str().unwrap().contains("统一社会信用代码"), "{b}: {v}");
        let mut public_post = person.clone();
        public_post["channel"] = json!("post_signed");
        let (s, _, _) = c.send("POST", "/api/v1/requests", None, Some(public_post)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: the public cannot pick another channel");

        // Staff register a request handed in on a make-up working Sunday (2025-01-26, before
        // the Spring Festival): day 1 is 27 January, the holiday 28 Jan–4 Feb does not count,
        // the make-up Saturday 8 February does; day 20 is 28 February.
        let app = gongkai_testkit::app_at(&db, time::macros::datetime!(2025-02-10 09:00 +8)).await;
        let router = gongkai_web::router(Arc::new(app));
        let office = c.token("office").await;
        let mut in_person = person.clone();
        in_person["channel"] = json!("in_person");
        in_person["received_on"] = json!("2025-01-26");
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/requests")
            .header(header::AUTHORIZATION, format!("Bearer {office}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(in_person.to_string()))
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let v: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!(status, StatusCode::CREATED, "{b}: {v}");
        assert_eq!(
            (v["tracking_no"].as_str(), v["due_on"].as_str()),
            (Some("YSQ2025000003"), Some("2025-02-28")),
            "{b}: {v}"
        );

        // The public form works without JavaScript and keeps what was typed on an error.
        let (s, _, html) = c.send("GET", "/apply", None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("政府信息公开申请") && html.contains("社会公益组织"), "{b}");
        let form = format!(
            "org_id={org_id}&applicant_kind=natural&name=%E6%9D%8E%E5%9B%9B&id_number=123&phone=13800000000&description=x&medium=paper&delivery=pickup"
        );
        let req = Request::builder()
            .method("POST")
            .uri("/apply")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let resp = c.router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(html.contains("身份证号码应为18位") && html.contains("value=\"李四\""), "{b}");
    }
}

#[tokio::test]
async fn handling_steps_move_the_legal_clock_and_the_queue_warns() {
    for db in databases().await {
        let c = Client::new(&db).await;
        let b = db.backend;
        let office = c.token("office").await;
        let editor = c.token("editor").await;
        // Staff work on 2025-09-01 (a Monday).
        let later = Arc::new(gongkai_testkit::app_at(&db, time::macros::datetime!(2025-09-01 09:00 +8)).await);
        let router = gongkai_web::router(later.clone());
        let send = |method: &str, uri: &str, token: &str, body: Option<Value>| {
            let mut r =
                Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
            let body = match body {
                Some(v) => {
                    r = r.header(header::CONTENT_TYPE, "application/json");
                    Body::from(v.to_string())
                }
                None => Body::empty(),
            };
            let req = r.body(body).unwrap();
            let router = router.clone();
            async move {
                let resp = router.oneshot(req).await.unwrap();
                let s = resp.status();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                (s, serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null))
            }
        };
        let (_, orgs, _) = c.send("GET", "/api/v1/orgs", None, None).await;
        let office_org =
            orgs.as_array().unwrap().iter().find(|o| o["kind"] == "office").unwrap()["id"].as_i64().unwrap();
        let register = |received: &str| {
            json!({
                "applicant_kind": "commercial", "name": "某某科技有限公司", "id_number": "91350100M000100Y43",
                "contact_person": "王五", "phone": "13800000000", "description": "2025年度区级产业扶持资金拨付明细",
                "medium": "paper", "delivery": "pickup", "org_id": office_org,
                "channel": "post_signed", "received_on": received
            })
        };
        let (s, r) = send("POST", "/api/v1/requests", &office, Some(register("2025-07-01"))).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {r}");
        let (_, queue) = send("GET", "/api/v1/requests", &office, None).await;
        let id =
            queue["items"].as_array().unwrap().iter().find(|i| i["tracking_no"] == r["tracking_no"]).unwrap()["id"]
                .as_i64()
                .unwrap();
        let ev = |body: Value| send("POST", &format!("/api/v1/requests/{id}/events"), &office, Some(body));

        // 补正: only within 7 working days of receipt (by 10 July), only once; the clock
        // stops, and restarts from the day the clarified request arrives.
        let (s, v) =
            ev(json!({"kind": "clarification", "on_date": "2025-07-14", "note": "请说明所需资金的项目范围"})).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("clarification_late")), "{b}: {v}");
        assert!(v["message"].as_str().unwrap().contains("2025-07-10"), "{b}: {v}");
        let (s, v) = ev(
            json!({"kind": "clarification", "on_date": "2025-07-08", "note": "请说明所需资金的项目范围", "due_by": "2025-07-18"}),
        )
        .await;
        assert_eq!(
            (s, v["request"]["status"].as_str(), v["due"].is_null()),
            (StatusCode::CREATED, Some("clarifying"), true),
            "{b}: {v}"
        );
        let (s, v) = ev(json!({"kind": "clarification", "on_date": "2025-07-09", "note": "再次补正"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("一次性"), "{b}: {v}");
        assert_eq!(v["code"], "clarification_twice", "{b}: each refusal has its own code: {v}");
        let (_, v) = ev(json!({"kind": "clarified", "on_date": "2025-07-15"})).await;
        assert_eq!(v["request"]["due_on"], "2025-08-12", "{b}: 20 working days from 15 July: {v}");

        // Consultation time does not count: 20 July to 31 July is left out.
        let (s, v) = ev(json!({"kind": "consultation", "on_date": "2025-07-20", "note": "书面征求某某公司意见"})).await;
        assert!(
            s.is_client_error() && v["message"].as_str().unwrap().contains("第三方"),
            "{b}: the party is named: {v}"
        );
        let (_, v) = ev(
            json!({"kind": "consultation", "on_date": "2025-07-20", "party": "third_party", "note": "书面征求某某公司意见"}),
        )
        .await;
        assert_eq!(
            (v["request"]["status"].as_str(), v["request"]["due_on"].is_null()),
            (Some("consulting"), true),
            "{b}"
        );
        // The consulted party answers within 15 working days: asked on Sunday 20 July, by 8 August.
        assert_eq!(v["consultation_answer_due"], "2025-08-08", "{b}: {v}");
        let (_, v) = ev(json!({"kind": "consultation_reply", "on_date": "2025-07-31", "note": "第三方同意公开"})).await;
        assert_eq!(v["request"]["due_on"], "2025-08-25", "{b}: {v}");

        // 联合会商: opinions of several organisations, the clock unchanged.
        let (_, v) = ev(json!({"kind": "joint_review", "on_date": "2025-08-01", "party": "区财政局", "note": "资金明细涉及企业商业信息，建议区分处理"})).await;
        assert_eq!(v["request"]["due_on"], "2025-08-25", "{b}: {v}");
        let (s, _) = ev(json!({"kind": "joint_review", "on_date": "2025-08-01", "note": "无参加机关"})).await;
        assert!(s.is_client_error(), "{b}");

        // One extension, at most 20 working days, with the approver recorded.
        let (s, v) =
            ev(json!({"kind": "extension", "on_date": "2025-08-20", "days": 25, "approver": "公开办主任"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("20个工作日"), "{b}: {v}");
        assert_eq!(
            (v["code"].as_str(), v["errors"][0]["field"].as_str()),
            (Some("extension_over_cap"), Some("days")),
            "{b}: {v}"
        );
        let (s, v) = ev(json!({"kind": "extension", "on_date": "2025-08-20", "days": 10})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("批准人"), "{b}: {v}");
        let (_, v) =
            ev(json!({"kind": "extension", "on_date": "2025-08-20", "days": 10, "approver": "公开办主任"})).await;
        assert_eq!(v["request"]["due_on"], "2025-09-08", "{b}: {v}");
        assert!(v["due"]["extended"]["days"].is_array(), "{b}: the extension's days are shown");

        // A decision needs a national outcome category and its legal basis.
        let (s, v) = ev(json!({"kind": "decision", "on_date": "2025-09-01", "outcome": "予以公开"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("法律依据"), "{b}: {v}");
        assert_eq!(v["code"], "decision_without_basis", "{b}: {v}");
        let (s, v) =
            ev(json!({"kind": "decision", "on_date": "2025-09-01", "outcome": "大概公开", "basis": "第三十六条"}))
                .await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("答复结果"), "{b}: {v}");
        let (s, v) = ev(
            json!({"kind": "decision", "on_date": "2025-09-01", "outcome": "partial", "basis": "《条例》第三十七条"}),
        )
        .await;
        assert_eq!((s, v["request"]["status"].as_str()), (StatusCode::CREATED, Some("decided")), "{b}: {v}");
        let (s, v) = ev(json!({"kind": "consultation", "on_date": "2025-09-01", "note": "x"})).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("already_decided")),
            "{b}: nothing after the decision: {v}"
        );

        // The reply letter: drafted from the decision, edited, downloaded as .docx, then sent.
        let (s, l) = send("GET", &format!("/api/v1/requests/{id}/letter"), &office, None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {l}");
        let text = l["text"].as_str().unwrap().to_string();
        assert!(text.starts_with("政府信息公开申请答复书") && text.contains("《条例》第三十七条"), "{b}: {text}");
        assert!(text.contains("区分处理") && text.contains("六十日内"), "{b}: {text}");
        let edited = text.replace("（请填写）", "涉及第三方商业秘密的单价部分");
        let (s, l) =
            send("PUT", &format!("/api/v1/requests/{id}/letter"), &office, Some(json!({"text": edited}))).await;
        assert_eq!((s, l["saved"].as_bool()), (StatusCode::OK, Some(true)), "{b}: {l}");
        let req = Request::builder()
            .uri(format!("/api/v1/requests/{id}/letter.docx"))
            .header(header::AUTHORIZATION, format!("Bearer {office}"))
            .body(Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{b}");
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let docx = gongkai_app::attachments::docx_text(&bytes).expect("a readable .docx");
        assert!(docx.contains("政府信息公开申请答复书") && docx.contains("单价部分"), "{b}: {docx}");
        let (s, v) = ev(json!({"kind": "delivery", "on_date": "2025-09-01"})).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("送达方式"), "{b}: {v}");
        let (_, v) = ev(json!({"kind": "delivery", "on_date": "2025-09-01", "note": "电子邮件送达"})).await;
        assert_eq!(v["request"]["status"], "closed", "{b}: {v}");
        let (s, _) =
            send("PUT", &format!("/api/v1/requests/{id}/letter"), &office, Some(json!({"text": edited}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: no edits after sending");

        // The case library: the decided request, with nothing of the applicant's.
        let case = |title: &str, summary: &str| {
            send(
                "POST",
                &format!("/api/v1/requests/{id}/case"),
                &office,
                Some(json!({"title": title, "summary": summary})),
            )
        };
        let (s, v) = case("产业扶持资金明细申请案例", "某某科技有限公司申请公开产业扶持资金拨付明细。").await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("申请人"), "{b}: {v}");
        let (s, v) = case("产业扶持资金明细申请案例", "申请人（电话13800000000）申请公开资金拨付明细。").await;
        assert!(s.is_client_error(), "{b}: {v}");
        // The applicant's own numbers in another spelling: spaced, full-width.
        for spelled in [
            "代码 9135 0100 M000 100Y43 的企业申请公开资金明细。",
            "代码９１３５０１００Ｍ０００１００Ｙ４３的企业申请公开资金明细。",
        ] {
            let (s, v) = case("产业扶持资金明细申请案例", spelled).await;
            assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("申请人"), "{b}: {spelled}: {v}");
        }
        // The basis is published too, and checked like the rest.
        let (s, v) = send(
            "POST",
            &format!("/api/v1/requests/{id}/case"),
            &office,
            Some(json!({"title": "产业扶持资金明细申请案例", "summary": "一家企业申请公开区级产业扶持资金拨付明细，经征求意见后区分处理。",
                        "basis": "第三十七条（申请人某某科技有限公司）"})),
        )
        .await;
        assert_eq!(v["errors"][0]["field"], "basis", "{b}: {s} {v}");
        let (s, v) = case(
            "产业扶持资金明细申请案例",
            "一家企业申请公开区级产业扶持资金拨付明细，涉及第三方商业信息，经征求意见后区分处理。",
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {v}");
        assert!(v["outcome_label"].as_str().unwrap().starts_with("（二）部分公开"), "{b}: {v}");
        let (_, list, raw) = c.send("GET", "/api/v1/cases", None, None).await;
        assert_eq!(list["total"], 1, "{b}");
        assert!(
            !raw.contains("某某科技") && !raw.contains("91350100M000100Y43") && !raw.contains("13800000000"),
            "{b}: {raw}"
        );
        let (_, _, html) = c.send("GET", &format!("/cases/{}", v["id"]), None, None).await;
        assert!(html.contains("区分处理") && !html.contains("王五"), "{b}");
        // Cases came into search through the content registry.
        c.app.index_pending().await.unwrap();
        let (_, v, _) = c
            .send("GET", "/api/v1/search?q=%E4%BA%A7%E4%B8%9A%E6%89%B6%E6%8C%81&source=request_case", None, None)
            .await;
        assert_eq!(v["hits"][0]["url"], format!("/cases/{}", list["items"][0]["id"]), "{b}: {v}");

        // The queue: open requests by due date; due today warns at 1 day, a past date is overdue.
        send("POST", "/api/v1/requests", &office, Some(register("2025-08-04"))).await; // due 2025-09-01
        send("POST", "/api/v1/requests", &office, Some(register("2025-07-28"))).await; // due 2025-08-25
        let (_, q) = send("GET", "/api/v1/requests", &office, None).await;
        let rows: Vec<(String, String)> = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["due_on"].as_str().unwrap_or("").to_string(), i["warning"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(rows[0], ("2025-08-25".to_string(), "overdue".to_string()), "{b}: {q}");
        assert_eq!(rows[1], ("2025-09-01".to_string(), "1".to_string()), "{b}: {q}");
        assert!(!rows.iter().any(|(d, _)| d == "2025-09-08"), "{b}: decided requests leave the queue");
        // The console shows the reminders to the office when it opens.
        let (_, session) = later.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let req = Request::builder()
            .uri("/admin/")
            .header(header::COOKIE, format!("gk_session={}", session.token))
            .body(Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(html.contains("依申请公开督办提醒") && html.contains("已逾期") && html.contains("1日预警"), "{b}");

        // The console: the queue, a request with its reckoning, and a step recorded by form.
        let page = |uri: String, form: Option<String>| {
            let mut r = Request::builder().uri(uri).header(header::COOKIE, format!("gk_session={}", session.token));
            let body = match form {
                Some(f) => {
                    r = r.method("POST").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                    Body::from(f)
                }
                None => Body::empty(),
            };
            let req = r.body(body).unwrap();
            let router = router.clone();
            let token = session.token.clone();
            async move {
                let resp = router.clone().oneshot(req).await.unwrap();
                follow(&router, resp, &token).await.1
            }
        };
        let open_id = q["items"][1]["id"].as_i64().unwrap();
        let html = page("/admin/requests".into(), None).await;
        assert!(html.contains(q["items"][1]["tracking_no"].as_str().unwrap()) && html.contains("已逾期"), "{b}");
        let html = page(format!("/admin/requests/{open_id}"), None).await;
        assert!(html.contains("计算过程") && html.contains("某某科技有限公司") && html.contains("第20个工作日"), "{b}");
        let form =
            |kind: &str, extra: &str| format!("csrf={}&kind={kind}&on_date=2025-09-01{extra}", session.csrf_token);
        let html = page(format!("/admin/requests/{open_id}/events"), Some(form("clarification", "&note=x"))).await;
        assert!(html.contains("未能提交") && html.contains("7个工作日内"), "{b}: too late for 补正");
        let html = page(
            format!("/admin/requests/{open_id}/events"),
            Some(form("consultation", "&party=agency&note=%E5%8C%BA%E8%B4%A2%E6%94%BF%E5%B1%80")),
        )
        .await;
        assert!(html.contains("已登记") && html.contains("征求其他机关意见"), "{b}");

        // Three requests for the same information: a suggestion to publish it proactively.
        let (_, sg) = send("GET", "/api/v1/requests/suggestions", &office, None).await;
        assert_eq!(sg["suggestions"][0]["requests"].as_array().map(Vec::len), Some(3), "{b}: {sg}");
        // Another organisation's staff see neither the queue rows nor the request.
        let (_, q) = send("GET", "/api/v1/requests", &editor, None).await;
        assert_eq!(q["items"], json!([]), "{b}");
        let (s, _) = send("GET", &format!("/api/v1/requests/{id}"), &editor, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        let (s, _) = send("GET", "/api/v1/requests", "nonsense", None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");

        // Fees: the third request this month from the same company is still free per 件;
        // 150 pages cost 700 + 50 × 20 元.
        let (_, q) = send("GET", "/api/v1/requests", &office, None).await;
        let last = q["items"][0]["id"].as_i64().unwrap();
        let (s, f) = send("GET", &format!("/api/v1/requests/{last}/fee?basis=per_request"), &office, None).await;
        assert_eq!((s, f["fee"]["total_yuan"].as_u64()), (StatusCode::OK, Some(0)), "{b}: {f}");
        let (_, f) = send("GET", &format!("/api/v1/requests/{last}/fee?basis=per_page&pages=150"), &office, None).await;
        assert_eq!(f["fee"]["total_yuan"], 1700, "{b}: {f}");
        assert!(f["explain"].as_str().unwrap().contains("第101至200：50×20元=1000元"), "{b}: {f}");
        let (s, _) = send("GET", &format!("/api/v1/requests/{last}/fee?basis=per_page"), &office, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: pages are needed");

        // The annual report's part 三 from these cases: three companies' requests new in
        // 2025, one decided 部分公开, two carried into 2026.
        let (s, r) = send("GET", "/api/v1/reports/annual?year=2025", &office, None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {r}");
        let row = |label: &str| {
            r["part3"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["label"].as_str().unwrap().starts_with(label))
                .unwrap()["values"]
                .clone()
        };
        assert_eq!(row("一、"), json!([0, 3, 0, 0, 0, 0, 3]), "{b}");
        assert_eq!(row("（二）部分公开"), json!([0, 1, 0, 0, 0, 0, 1]), "{b}");
        assert_eq!(row("（七）总计"), json!([0, 1, 0, 0, 0, 0, 1]), "{b}");
        assert_eq!(row("四、"), json!([0, 2, 0, 0, 0, 0, 2]), "{b}");
        // Part 四: a reconsideration upheld, recorded against the decided request.
        let (s, v) = send(
            "POST",
            &format!("/api/v1/requests/{id}/reviews"),
            &office,
            Some(json!({"kind": "reconsideration", "filed_on": "2025-09-01", "result": "maintained"})),
        )
        .await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("审结日期"), "{b}: {v}");
        let (s, v) = send(
            "POST",
            &format!("/api/v1/requests/{id}/reviews"),
            &office,
            Some(json!({"kind": "reconsideration", "filed_on": "2025-09-01", "result": "maintained", "decided_on": "2025-09-01"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {v}");
        let (_, r) = send("GET", "/api/v1/reports/annual?year=2025", &office, None).await;
        assert_eq!(r["part4"]["values"][0], json!([1, 0, 0, 0, 1]), "{b}: {r}");
        // Part 二: the library's figures, and the office's own.
        let (s, _) = send(
            "PUT",
            "/api/v1/reports/annual/figures",
            &office,
            Some(json!({"year": 2025, "licensing": 120, "penalty": 8, "enforcement": 0, "fees_wan_yuan": -1.0})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: a negative amount");
        let (s, _) = send(
            "PUT",
            "/api/v1/reports/annual/figures",
            &office,
            Some(json!({"year": 2025, "licensing": 120, "penalty": 8, "enforcement": 0, "fees_wan_yuan": 1.25})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        let (_, r) = send("GET", "/api/v1/reports/annual?year=2025", &office, None).await;
        assert_eq!(
            (r["part2"]["entered"]["licensing"].as_u64(), r["part2"]["entered"]["fees_wan_yuan"].as_f64()),
            (Some(120), Some(1.25))
        );
        let normative = &r["part2"]["normative"];
        assert!(normative["issued"].as_u64().unwrap() >= 1 && normative["in_force"].as_u64().unwrap() >= 1, "{b}: {r}");
        // Exports: Word with the three tables, Excel with one sheet per part.
        let get_bytes = |uri: String| {
            let req = Request::builder()
                .uri(uri)
                .header(header::AUTHORIZATION, format!("Bearer {office}"))
                .body(Body::empty())
                .unwrap();
            let router = router.clone();
            async move {
                let resp = router.oneshot(req).await.unwrap();
                (resp.status(), resp.into_body().collect().await.unwrap().to_bytes())
            }
        };
        let (s, bytes) = get_bytes("/api/v1/reports/annual.docx?year=2025".into()).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let text = gongkai_app::attachments::docx_text(&bytes).expect("a readable .docx");
        assert!(
            text.contains("本年新收政府信息公开申请数量") && text.contains("行政许可") && text.contains("结果维持"),
            "{b}: {text}"
        );
        let (s, bytes) = get_bytes("/api/v1/reports/annual.xlsx?year=2025".into()).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let raw = String::from_utf8_lossy(&bytes);
        assert!(bytes.starts_with(b"PK") && raw.contains("xl/worksheets/sheet3.xml"), "{b}: three sheets");
        let (s, _) = send("GET", &format!("/api/v1/reports/annual?year=2025&org={office_org}"), &editor, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}: another organisation's report");
        let (s, v) = send("GET", "/api/v1/reports/annual", &office, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")), "{b}");

        // Exchange with the city platform: a whole case out, and back in under its own number.
        let (s, x) = send("GET", &format!("/api/v1/requests/{id}/export"), &office, None).await;
        assert_eq!((s, x["format"].as_str()), (StatusCode::OK, Some("gongkai.request.v3")), "{b}: {x}");
        let kinds: Vec<&str> = x["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "received",
                "clarification",
                "clarified",
                "third_party_consultation",
                "third_party_reply",
                "joint_review",
                "extension",
                "decision",
                "letter",
                "service"
            ]
        );
        assert_eq!(
            (x["intake_channel"].as_str(), x["application"]["collect_by"].as_str()),
            (Some("post_signed"), Some("pickup")),
            "{b}: {x}"
        );
        let (s, v) = send("POST", "/api/v1/requests/import", &office, Some(x.clone())).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}: the same number twice: {v}");
        let mut other = x.clone();
        other["tracking_no"] = json!("SJPT-2025-0001");
        let (s, v) = send("POST", "/api/v1/requests/import", &editor, Some(other.clone())).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}: {v}");
        let mut broken = other.clone();
        broken["events"][2]["on_date"] = json!("2025-07-01");
        let (s, v) = send("POST", "/api/v1/requests/import", &office, Some(broken)).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("第3个办理环节"), "{b}: {v}");
        // Imported steps pass the same rules as steps typed in the console.
        let mut twice = other.clone();
        twice["events"][2] =
            json!({"kind": "clarification", "on_date": "2025-07-09", "note": "再次补正", "due_by": "2025-07-20"});
        let (s, v) = send("POST", "/api/v1/requests/import", &office, Some(twice)).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("一次性"), "{b}: {v}");
        let mut no_basis = other.clone();
        no_basis["events"][7]["basis"] = json!(null);
        let (s, v) = send("POST", "/api/v1/requests/import", &office, Some(no_basis)).await;
        assert!(s.is_client_error() && v["message"].as_str().unwrap().contains("法律依据"), "{b}: {v}");
        let (s, v) = send("POST", "/api/v1/requests/import", &office, Some(other)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: {v}");
        let (_, back) = send("GET", &format!("/api/v1/requests/{}/export", v["id"]), &office, None).await;
        assert_eq!(
            (back["status"].as_str(), back["events"].as_array().map(Vec::len)),
            (Some("closed"), Some(10)),
            "{b}"
        );
        assert_eq!(back["reviews"][0]["result"], "maintained", "{b}");

        // A file in the earlier format (v2: the old step, channel and delivery names) still imports.
        let mut v2 = x.clone();
        v2["format"] = json!("gongkai.request.v2");
        v2["tracking_no"] = json!("SJPT-2025-0002");
        let obj = v2.as_object_mut().unwrap();
        let channel = obj.remove("intake_channel").unwrap();
        obj.insert("channel".into(), channel);
        let app = v2["application"].as_object_mut().unwrap();
        let collect = app.remove("collect_by").unwrap();
        app.insert("delivery".into(), collect);
        for e in v2["events"].as_array_mut().unwrap() {
            let old = match e["kind"].as_str().unwrap() {
                "third_party_consultation" => "consultation",
                "third_party_reply" => "consultation_reply",
                "service" => "delivery",
                k => k,
            };
            e["kind"] = json!(old);
        }
        let (s, v) = send("POST", "/api/v1/requests/import", &office, Some(v2)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}: v2 imports: {v}");
        let (_, back) = send("GET", &format!("/api/v1/requests/{}", v["id"]), &office, None).await;
        let kinds: Vec<&str> = back["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert!(
            kinds.contains(&"consultation") && kinds.contains(&"delivery"),
            "{b}: the API keeps its published step names: {kinds:?}"
        );
        assert_eq!(
            (back["request"]["channel"].as_str(), back["request"]["delivery"].as_str()),
            (Some("post_signed"), Some("pickup")),
            "{b}: {back}"
        );
    }
}
