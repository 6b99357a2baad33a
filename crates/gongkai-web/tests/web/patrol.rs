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

/// A draft of the demo's editor.
async fn draft(app: &gongkai_app::App, title: &str, body: String) -> i64 {
    let (editor, _) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let input = gongkai_app::documents::DocumentInput {
        title: title.into(),
        category: "其他文件".into(),
        body,
        ..Default::default()
    };
    app.create_document(&editor, input).await.unwrap().id
}

/// Takes a document through `steps`: the editor submits, the reviewer does the rest.
async fn take(app: &gongkai_app::App, id: i64, steps: &[&str]) {
    for step in steps {
        let who = if *step == "submit" { "editor" } else { "reviewer" };
        let (actor, _) = app.login(who, gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let input = gongkai_app::documents::ActionInput { action: step.to_string(), ..Default::default() };
        app.document_action(&actor, id, input).await.unwrap();
    }
}

#[tokio::test]
async fn personal_data_stops_publication_until_a_reviewer_says_why_and_the_patrol_lists_it_masked() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let (reviewer, session) = app.login("reviewer", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let body = format!("第一条 2025年第二批低保对象名单如下。\n第二条 张三，身份证号{ID}，联系电话{MOBILE}。");
        let id = draft(&app, "关于公布2025年第二批低保对象的公示", body).await;
        take(&app, id, &["submit", "approve"]).await;

        // Publishing from the console: refused, the number shown masked, an override offered.
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        let page = format!("/admin/documents/{}", id);
        let (_, html, _) = me.go("GET", &page, None).await;
        let csrf = hidden(&html, "csrf");
        let uri = format!("/admin/documents/{}/action", id);
        let (s, html, _) = me.go("POST", &uri, Some(format!("csrf={csrf}&action=publish"))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("发布前检查发现1处个人信息") && html.contains("3701**********1235"), "{b}: {html}");
        assert!(
            !html.contains(ID) || html.matches(ID).count() == 1,
            "{b}: the full number only in the body under review"
        );
        assert!(html.contains("id=\"act-patrol_override\"") && html.contains("href=\"#act-patrol_override\""), "{b}");
        let status = app.document_detail(Some(&reviewer), id, None).await.unwrap().document.status;
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
            &format!("/api/v1/documents/{}/actions", id),
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
        let detail = app.document_detail(Some(&reviewer), id, None).await.unwrap();
        assert_eq!(detail.document.status, gongkai_domain::Status::Published, "{b}");
        let office = app.system_actor().await.unwrap();
        let audit = app.audit_log(&office, Some(("document", id)), 1, 50).await.unwrap();
        let row = audit.0.iter().find(|r| r.action == "document.patrol_override").expect("an audit row");
        let after = row.after.clone().unwrap_or_default();
        assert!(after.contains(why) && after.contains("3701**********1235") && !after.contains(ID), "{b}: {after}");

        // Publishing put its findings (and the mobile's) on the owner's list, masked, for
        // staff only.
        let (s, text) = api("GET", "/api/v1/patrol/findings?status=open", None, Some(&token)).await;
        assert_eq!(s, StatusCode::OK, "{b}: {text}");
        let found: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mine: Vec<&serde_json::Value> = found.as_array().unwrap().iter().filter(|f| f["record_id"] == id).collect();
        let kinds: Vec<&str> = mine.iter().map(|f| f["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["resident_id", "mobile"], "{b}: the worst first: {text}");
        assert!(mine.iter().all(|f| f["status"] == "open" && f["due_on"].is_string()), "{b}: {text}");
        assert!(!text.contains(ID) && !text.contains(MOBILE) && text.contains("139****5678"), "{b}: masked");
        let (s, _) = api("GET", "/api/v1/patrol/findings", None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}: staff only");
        // The overview for monitoring: by kind, body and age, reports and messages.
        let (s, text) = api("GET", "/api/v1/patrol/summary", None, Some(&token)).await;
        let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(s == StatusCode::OK && summary["by_kind"][0][0] == "身份证号码", "{b}: {text}");
        assert!(summary["messages"]["received"].is_number() && !text.contains(ID), "{b}: {text}");
        let (s, _) = api("GET", "/api/v1/patrol/findings?status=gone", None, Some(&token)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: a state that is not one");
        let (s, html, _) = me.go("GET", "/admin/patrol", None).await;
        assert!(s == StatusCode::OK && html.contains("3701**********1235") && !html.contains(ID), "{b}");
        let overview = html.split("id=\"patrol-overview\"").nth(1).expect("the overview");
        assert!(overview.contains("<th scope=\"row\">身份证号码</th><td>1</td>"), "{b}: by kind");
        assert!(overview.contains("<th scope=\"row\">今天发现</th><td>2</td>"), "{b}: by age");
        let (s, book, _) = me.go("GET", "/admin/patrol.xlsx", None).await;
        assert!(s == StatusCode::OK && book.starts_with("PK"), "{b}: a workbook");
        assert!(html.contains("关于公布2025年第二批低保对象的公示") && html.contains("身份证号码"), "{b}");

        // The mobile is the office's own line, say: a false positive needs its reason, then
        // stays dismissed when the patrol runs again.
        let mobile = mine[1]["id"].as_i64().unwrap();
        let (s, html, _) = me
            .go("POST", &format!("/admin/patrol/{mobile}"), Some(format!("csrf={csrf}&status=false_positive&note=")))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("href=\"#finding-note\"") && html.contains("id=\"finding-note\""), "{b}: {html}");
        let note = urlencode("这是公示联系人的办公电话");
        let (s, _, _) = me
            .go(
                "POST",
                &format!("/admin/patrol/{mobile}"),
                Some(format!("csrf={csrf}&status=false_positive&note={note}")),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let run = app.run_patrol().await.unwrap();
        assert_eq!(run.new, 0, "{b}: nothing new on a second run");
        let office = app.system_actor().await.unwrap();
        let all = app.patrol_findings(&office, &[]).await.unwrap();
        let status_of = |id: i64| all.iter().find(|f| f.id == id).unwrap().status;
        assert_eq!(status_of(mobile), gongkai_domain::patrol::FindingStatus::FalsePositive, "{b}");
        let resident = mine[0]["id"].as_i64().unwrap();
        assert_eq!(status_of(resident), gongkai_domain::patrol::FindingStatus::Open, "{b}");

        // Withdrawn from the public: the next run finds nothing there, and the finding is
        // fixed.
        let withdraw = gongkai_app::documents::ActionInput {
            action: "withdraw".into(),
            reason: Some("含有个人信息".into()),
            ..Default::default()
        };
        app.document_action(&reviewer, id, withdraw).await.unwrap();
        let run = app.run_patrol().await.unwrap();
        assert!(run.fixed >= 1, "{b}: {run:?}");
        let all = app.patrol_findings(&office, &[]).await.unwrap();
        assert_eq!(all.iter().find(|f| f.id == resident).unwrap().status, gongkai_domain::patrol::FindingStatus::Fixed);
        assert_eq!(
            all.iter().find(|f| f.id == mobile).unwrap().status,
            gongkai_domain::patrol::FindingStatus::FalsePositive,
            "{b}: a dismissal stays"
        );
    }
}

/// The reference on the receipt page.
fn reference_in(html: &str) -> String {
    crate::text_of(html, "report-reference", 12)
}

#[tokio::test]
async fn an_error_report_goes_to_the_pages_owner_with_a_due_date_and_its_answer_is_public() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let office = app.system_actor().await.unwrap();
        let (editor, _) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        // A published document of the editor's body.
        let docs = app.list_documents(Some(&editor), &Default::default()).await.unwrap();
        let doc =
            docs.items.iter().find(|d| d.org_id == editor.org_id && d.status == gongkai_domain::Status::Published);
        let doc = doc.expect("the demo has a published document of 教体局").clone();
        let page = format!("/documents/{}", doc.id);

        // From the page, the form knows which page; the answer is due in 3 working days
        // (2025-07-01 is a Tuesday: 2, 3 and 4 July).
        let mut visitor = Browser::new(&router);
        let host = [("host", "www.laiwu.gov.cn"), ("referer", &format!("https://www.laiwu.gov.cn{page}") as &str)];
        let (s, html, _) = visitor.go_with("GET", "/error-report", None, &host).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(html.contains(&format!("value=\"{page}\"")), "{b}: the page filled in");
        let form = |kind: &str, page: &str, text: &str, extra: &str| {
            format!(
                "kind={kind}&page={}&description={}&contact={}{extra}",
                urlencode(page),
                urlencode(text),
                urlencode("me@example.cn")
            )
        };
        let (s, _, to) = visitor
            .go_with("POST", "/error-report", Some(form("typo", &page, "第二条“制定”写成了“制订”", "")), &host)
            .await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/error-report/done")), "{b}");
        let (_, html, _) = visitor.go("GET", "/error-report/done", None).await;
        let reference = reference_in(&html);
        assert!(reference.starts_with("ZC2025") && html.contains("2025-07-04"), "{b}: {html}");

        // Routed to the page's owner: the editor's body sees it (with the contact), another
        // body does not.
        let mine = app.error_reports(&editor).await.unwrap();
        let r = mine.iter().find(|r| r.public.reference == reference).expect("routed to the owner");
        assert_eq!((r.org_id, r.contact.as_deref()), (doc.org_id, Some("me@example.cn")), "{b}");
        let (other, _) = app.login("deputy", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        if other.org_id != editor.org_id && !other.role.is_district_wide() {
            assert!(app.error_reports(&other).await.unwrap().iter().all(|r| r.public.reference != reference), "{b}");
        }

        // Bad input is told at its field; a robot's form is thanked and filed nowhere.
        let (s, html, _) = visitor
            .go_with("POST", "/error-report", Some(form("typo", "https://evil.example/x", "错", "")), &host)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("href=\"#report-page\"") && html.contains("href=\"#report-description\""), "{b}");
        let before = app.error_reports(&office).await.unwrap().len();
        let (s, _, _) = visitor
            .go_with("POST", "/error-report", Some(form("typo", &page, "机器人填写的内容", "&website=x")), &host)
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        assert_eq!(app.error_reports(&office).await.unwrap().len(), before, "{b}: nothing filed");

        // Answered in the console: personal data is refused, a proper answer is public.
        let (_, session) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let mut clerk = Browser::new(&router);
        clerk.cookies.push(("gk_session".into(), session.token.clone()));
        let (s, html, _) = clerk.go("GET", "/admin/error-reports", None).await;
        assert!(s == StatusCode::OK && html.contains(&reference) && html.contains("me@example.cn"), "{b}");
        let csrf = hidden(&html, "csrf");
        let uri = format!("/admin/error-reports/{}/answer", r.id);
        let leak = format!("csrf={csrf}&answer={}", urlencode("已转交张三（身份证370116198001011235）处理"));
        let (s, html, _) = clerk.go("POST", &uri, Some(leak)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("不得含有身份证号码") && html.contains("id=\"answer-answer\""), "{b}");
        let ok = format!("csrf={csrf}&answer={}", urlencode("感谢指正，已改为“制定”。"));
        let (s, _, _) = clerk.go("POST", &uri, Some(ok)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let (_, html, _) = visitor.go("GET", &format!("/error-reports?reference={reference}"), None).await;
        assert!(html.contains("已答复") && html.contains("感谢指正"), "{b}");
        assert!(!html.contains("me@example.cn") && !html.contains("写成了"), "{b}: no contact, no description");
        let (s, text, _) = visitor.go("GET", &format!("/api/v1/error-reports/{reference}"), None).await;
        assert!(
            s == StatusCode::OK && text.contains("\"status\":\"answered\"") && !text.contains("me@example.cn"),
            "{b}"
        );

        // A privacy report patrols the record the page shows, at once.
        let leaky = serde_json::json!({
            "id": "leak-web", "title": "临时救助对象名单", "issuer": "济南市莱芜区人民政府办公室", "doc_type": "其他",
            "published_on": "2025-06-30", "validity": "有效", "category": "其他",
            "body": "第一条 李四，身份证号370116198512310026。"
        });
        app.import_jsonl(&office, None, std::io::Cursor::new(format!("{leaky}\n")), &|_, _| {}).await.unwrap();
        let leaked = app.list_documents(None, &Default::default()).await.unwrap();
        let leaked = leaked.items.iter().find(|d| d.title == "临时救助对象名单").unwrap().id;
        let found = |app: Arc<gongkai_app::App>| async move {
            app.patrol_findings(&app.system_actor().await.unwrap(), &[])
                .await
                .unwrap()
                .iter()
                .filter(|f| f.record_id == leaked)
                .count()
        };
        assert_eq!(found(app.clone()).await, 0, "{b}: not patrolled yet");
        let report = form("privacy", &format!("/documents/{leaked}"), "名单里有完整的身份证号码", "");
        let (s, _, _) = visitor.go_with("POST", "/error-report", Some(report), &host).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        assert_eq!(found(app.clone()).await, 1, "{b}: patrolled on the report");
    }
}

#[tokio::test]
async fn masking_replaces_the_numbers_and_then_the_document_publishes() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let pw = gongkai_app::demo::DEMO_PASSWORD;
        let (editor, _) = app.login("editor", pw).await.unwrap();
        let (reviewer, session) = app.login("reviewer", pw).await.unwrap();
        let body = format!("第一条 王五，身份证号{ID}，手机{MOBILE}，住幸福小区3号楼2单元501室。");
        let id = draft(&app, "关于2025年助学金发放名单的公示", body).await;
        // A scanned attachment cannot be read: the patrol will say so, for a person to look.
        let scan = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage".to_vec();
        app.add_attachment(&editor, id, "助学金名单（扫描件）.pdf", scan).await.unwrap();
        take(&app, id, &["submit", "approve"]).await;
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        let (_, html, _) = me.go("GET", &format!("/admin/documents/{}", id), None).await;
        let csrf = hidden(&html, "csrf");
        let (s, html, _) = me
            .go("POST", &format!("/admin/documents/{}/action", id), Some(format!("csrf={csrf}&action=publish")))
            .await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && html.contains("id=\"act-mask\""), "{b}: masking offered");
        let (s, _, to) = me.go("POST", &format!("/admin/documents/{}/mask", id), Some(format!("csrf={csrf}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let (_, html, _) = me.go("GET", to.as_deref().unwrap(), None).await;
        assert!(html.contains("已去标识化 3 处"), "{b}: the three spans named, masked");
        let body = app.document_detail(Some(&reviewer), id, None).await.unwrap().document.body.unwrap_or_default();
        assert!(
            body.contains("3701**********1235") && body.contains("139****5678") && body.contains("**号楼**单元**室"),
            "{b}: {body}"
        );
        assert!(!body.contains(ID) && !body.contains(MOBILE), "{b}");
        // Nothing personal left: it publishes without a reason, and the audit keeps the masks.
        let (s, _, _) = me
            .go("POST", &format!("/admin/documents/{}/action", id), Some(format!("csrf={csrf}&action=publish")))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let office = app.system_actor().await.unwrap();
        let audit = app.audit_log(&office, Some(("document", id)), 1, 50).await.unwrap();
        let row = audit.0.iter().find(|r| r.action == "document.mask_personal").expect("audited");
        assert!(!row.after.clone().unwrap_or_default().contains(ID), "{b}");
        let found = app.patrol_findings(&office, &[]).await.unwrap();
        let unread: Vec<&str> = found
            .iter()
            .filter(|f| f.record_id == id && f.kind == gongkai_domain::patrol::FindingKind::UnreadableAttachment)
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(unread, ["附件：助学金名单（扫描件）.pdf"], "{b}");
        // Once public, a document is revised, not masked in place.
        let (s, html, _) = me.go("POST", &format!("/admin/documents/{}/mask", id), Some(format!("csrf={csrf}"))).await;
        assert!(s == StatusCode::CONFLICT && html.contains("修订"), "{b}: {s}");
    }
}

#[tokio::test]
async fn citing_a_repealed_document_as_in_force_is_found_but_the_repeal_itself_is_not() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let (editor, _) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let all_steps = ["submit", "approve", "publish"];
        let old = draft(&app, "莱芜区校车安全管理暂行办法", "第一条 为加强校车安全管理，制定本办法。".into()).await;
        take(&app, old, &all_steps).await;
        let new = draft(
            &app,
            "莱芜区校车安全管理办法",
            "第一条 为加强校车安全管理，制定本办法。\n第二条 本办法自发布之日起施行，《莱芜区校车安全管理暂行办法》同时废止。".into(),
        )
        .await;
        app.set_repeals(&editor, new, &[old]).await.unwrap();
        take(&app, new, &all_steps).await;
        let citing = draft(
            &app,
            "关于开展校车安全检查的通知",
            "第一条 依据《莱芜区校车安全管理暂行办法》，开展校车安全检查。".into(),
        )
        .await;
        take(&app, citing, &all_steps).await;
        app.run_patrol().await.unwrap();
        let office = app.system_actor().await.unwrap();
        let found = app.patrol_findings(&office, &[]).await.unwrap();
        let cites: Vec<(i64, &str)> = found
            .iter()
            .filter(|f| f.kind == gongkai_domain::patrol::FindingKind::RepealedCitation)
            .map(|f| (f.record_id, f.replacement.as_str()))
            .collect();
        assert_eq!(cites, [(citing, "该文件已废止")], "{b}: only the citation as if in force");
    }
}

#[tokio::test]
async fn the_office_extends_the_wording_list_and_the_next_patrol_uses_it() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let (_, session) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        let (_, html, _) = me.go("GET", "/admin/wording", None).await;
        assert!(html.contains("中华人名共和国"), "{b}: the shipped list is shown");
        let csrf = hidden(&html, "csrf");
        let add = |wrong: &str, right: &str| {
            format!("csrf={csrf}&wrong={}&right={}&note=", urlencode(wrong), urlencode(right))
        };
        let (s, html, _) = me.go("POST", "/admin/wording", Some(add("莱芜市", "济南市莱芜区莱芜市"))).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && html.contains("href=\"#wording-right\""), "{b}: {s}");
        let (s, _, _) = me.go("POST", "/admin/wording", Some(add("莱芜市政府", "济南市莱芜区人民政府"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let (s, _, _) = me.go("POST", "/admin/wording", Some(add("莱芜市政府", "别的"))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: no rule twice");
        // A reviewer reads the list but does not change it.
        let (reviewer, _) = app.login("reviewer", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        assert!(app.add_wording_rule(&reviewer, "某某", "某", "").await.is_err(), "{b}");

        let office = app.system_actor().await.unwrap();
        let leaky = serde_json::json!({
            "id": "wording-1", "title": "关于春季植树的通知", "issuer": "济南市莱芜区人民政府办公室", "doc_type": "其他",
            "published_on": "2025-06-30", "validity": "有效", "category": "其他",
            "body": "第一条 经莱芜市政府同意，开展春季植树活动。"
        });
        app.import_jsonl(&office, None, std::io::Cursor::new(format!("{leaky}\n")), &|_, _| {}).await.unwrap();
        app.run_patrol().await.unwrap();
        let found = app.patrol_findings(&office, &[]).await.unwrap();
        let wording: Vec<(&str, &str)> = found
            .iter()
            .filter(|f| f.kind == gongkai_domain::patrol::FindingKind::Wording && f.title == "关于春季植树的通知")
            .map(|f| (f.shown.as_str(), f.replacement.as_str()))
            .collect();
        assert_eq!(wording, [("莱芜市政府", "济南市莱芜区人民政府")], "{b}");
    }
}

/// A zip archive of `files`, as Office and OFD files are.
fn archive(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A 低保 list as a .docx whose identity number Word split across two runs.
fn dibao_docx() -> Vec<u8> {
    let body = "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\
        <w:p><w:r><w:t>2025年第二季度城乡低保对象名单</w:t></w:r></w:p>\
        <w:p><w:r><w:t>张三 370116198512</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>310026 凤城街道</w:t></w:r></w:p>\
        </w:body></w:document>";
    archive(&[("[Content_Types].xml", "<Types/>"), ("word/document.xml", body)])
}

/// A contact sheet: an identity number as text, a mobile number as a number.
fn contacts_xlsx() -> Vec<u8> {
    archive(&[
        ("[Content_Types].xml", "<Types/>"),
        ("xl/workbook.xml", "<workbook><sheets><sheet name=\"名单\" sheetId=\"1\"/></sheets></workbook>"),
        ("xl/sharedStrings.xml", "<sst><si><t>李四</t></si><si><t>370116198001011235</t></si></sst>"),
        (
            "xl/worksheets/sheet1.xml",
            "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\"><v>13912345678</v></c></row></sheetData></worksheet>",
        ),
    ])
}

/// An OFD page with an identity number: it cannot be rewritten here.
fn list_ofd() -> Vec<u8> {
    archive(&[
        ("OFD.xml", "<ofd:OFD/>"),
        (
            "Doc_0/Pages/Page_0/Content.xml",
            "<ofd:Page><ofd:TextObject><ofd:TextCode>王五 370116198001011235</ofd:TextCode></ofd:TextObject></ofd:Page>",
        ),
    ])
}

async fn with_files(app: &gongkai_app::App, title: &str) -> i64 {
    let (editor, _) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let id = draft(app, title, "第一条 名单见附件。".into()).await;
    app.add_attachment(&editor, id, "低保名单.docx", dibao_docx()).await.unwrap();
    app.add_attachment(&editor, id, "联系表.xlsx", contacts_xlsx()).await.unwrap();
    app.add_attachment(&editor, id, "名单.ofd", list_ofd()).await.unwrap();
    id
}

#[tokio::test]
async fn a_patrol_over_the_demo_finds_a_dibao_list_in_its_attachments_and_a_withheld_file_leaves_the_public() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let office = app.system_actor().await.unwrap();
        let (reviewer, session) = app.login("reviewer", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let id = with_files(&app, "2025年第二季度低保对象公示").await;
        take(&app, id, &["submit", "approve"]).await;
        // Published by a reviewer over the check, with a reason, as a leak would be.
        let publish = gongkai_app::documents::ActionInput {
            action: "publish".into(),
            patrol_override: Some("公示期内按规定公开".into()),
            ..Default::default()
        };
        app.document_action(&reviewer, id, publish).await.unwrap();

        let run = app.run_patrol().await.unwrap();
        assert!(run.records > 3, "{b}: the whole demo: {run:?}");
        let found = app.patrol_findings(&office, &[]).await.unwrap();
        let mut mine: Vec<(String, &str, String)> = found
            .iter()
            .filter(|f| f.record_id == id && f.kind.is_personal())
            .map(|f| (f.field.clone(), f.kind.code(), f.shown.clone()))
            .collect();
        mine.sort();
        assert_eq!(
            mine,
            [
                ("附件：低保名单.docx".to_string(), "resident_id", "3701**********0026".to_string()),
                ("附件：名单.ofd".to_string(), "resident_id", "3701**********1235".to_string()),
                ("附件：联系表.xlsx".to_string(), "mobile", "139****5678".to_string()),
                ("附件：联系表.xlsx".to_string(), "resident_id", "3701**********1235".to_string()),
            ],
            "{b}: each file named, nothing shown in full"
        );

        // The reviewer withholds the OFD: the public is told why, staff still read it, and
        // the next patrol no longer counts it as public.
        let doc = app.document_detail(Some(&reviewer), id, None).await.unwrap();
        let ofd = doc.attachments.iter().find(|a| a.file_name == "名单.ofd").unwrap().id;
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        let (_, html, _) = me.go("GET", &format!("/admin/documents/{id}"), None).await;
        let csrf = hidden(&html, "csrf");
        let form = format!("csrf={csrf}&document_id={id}");
        let (s, _, _) = me.go("POST", &format!("/admin/attachments/{ofd}/withhold"), Some(form)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let mut visitor = Browser::new(&router);
        let (s, html, _) = visitor.go("GET", &format!("/attachments/{ofd}"), None).await;
        assert!(s == StatusCode::NOT_FOUND && html.contains("已暂停公开"), "{b}: {s}");
        let (_, html, _) = visitor.go("GET", &format!("/documents/{id}"), None).await;
        assert!(html.contains("名单.ofd") && !html.contains(&format!("/attachments/{ofd}\"")), "{b}");
        let (s, _, _) = me.go("GET", &format!("/attachments/{ofd}"), None).await;
        assert_eq!(s, StatusCode::OK, "{b}: staff still read it");
        let open = app.patrol_findings(&office, &[gongkai_domain::patrol::FindingStatus::Open]).await.unwrap();
        assert!(open.iter().all(|f| f.field != "附件：名单.ofd"), "{b}: no longer public, closed");
    }
}

#[tokio::test]
async fn masking_rewrites_word_and_excel_attachments_and_withholds_what_it_cannot_rewrite() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let (reviewer, _) = app.login("reviewer", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let id = with_files(&app, "2025年第三季度低保对象公示").await;
        let m = app.mask_document(&reviewer, id).await.unwrap();
        let mut files = m.files.clone();
        files.sort();
        assert_eq!(files.len(), 3, "{b}: {files:?}");
        assert!(files[0].0 == "低保名单.docx" && files[0].1 == "已去标识化1处", "{b}: {files:?}");
        assert!(files[1].0 == "名单.ofd" && files[1].1.starts_with("已暂停公开"), "{b}: {files:?}");
        assert!(files[2].0 == "联系表.xlsx" && files[2].1 == "已去标识化2处", "{b}: {files:?}");

        // What the public will download holds masks, in files Word and Excel still open
        // (the archive entries are intact).
        let doc = app.document_detail(Some(&reviewer), id, None).await.unwrap();
        for a in &doc.attachments {
            let file = app.attachment(Some(&reviewer), a.id).await.unwrap();
            if a.file_name == "名单.ofd" {
                assert!(a.withheld.is_some(), "{b}");
                continue;
            }
            let text =
                gongkai_app::attachments::extract_text(a.file_name.rsplit('.').next().unwrap(), &file.content).await;
            assert!(!text.contains("198512310026") && !text.contains("198001011235"), "{b}: {text}");
            assert!(!text.contains(MOBILE) && (text.contains("**********")), "{b}: {text}");
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(file.content)).unwrap();
            assert!(z.by_name("[Content_Types].xml").is_ok(), "{b}");
        }
        // Nothing public holds personal data now: it publishes without a reason.
        take(&app, id, &["submit", "approve", "publish"]).await;
        let mut visitor = Browser::new(&router);
        let ofd = doc.attachments.iter().find(|a| a.file_name == "名单.ofd").unwrap().id;
        let (s, _, _) = visitor.go("GET", &format!("/attachments/{ofd}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        let office = app.system_actor().await.unwrap();
        let audit = app.audit_log(&office, Some(("document", id)), 1, 50).await.unwrap();
        let row = audit.0.iter().find(|r| r.action == "document.mask_personal").expect("audited");
        let after = row.after.clone().unwrap_or_default();
        assert!(after.contains("低保名单.docx") && !after.contains("198512310026"), "{b}: {after}");
    }
}

#[tokio::test]
async fn a_declared_punishment_notice_publishes_its_names_and_the_patrol_records_them_as_public_by_law() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let (editor, _) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let input = gongkai_app::documents::DocumentInput {
            title: "失信被执行人名单公示".into(),
            category: "其他文件".into(),
            body: format!("第一条 被执行人赵某，身份证号{ID}，拒不履行生效判决。"),
            privacy_exception: Some("惩戒公示".into()),
            ..Default::default()
        };
        let id = app.create_document(&editor, input).await.unwrap().id;
        // Not a silent skip: the record says so, a reviewer passes it, the audit names it.
        let bad = gongkai_app::documents::DocumentInput {
            title: "x名单".into(),
            category: "其他文件".into(),
            body: "正文".into(),
            privacy_exception: Some("随便公开".into()),
            ..Default::default()
        };
        let err = app.create_document(&editor, bad).await.unwrap_err();
        assert!(err.to_string().contains("惩戒公示或强制性信息披露"), "{b}: {err}");
        take(&app, id, &["submit", "approve", "publish"]).await;
        let office = app.system_actor().await.unwrap();
        let audit = app.audit_log(&office, Some(("document", id)), 1, 50).await.unwrap();
        let row = audit.0.iter().find(|r| r.action == "document.patrol_override").expect("audited");
        assert!(row.after.clone().unwrap_or_default().contains("惩戒公示"), "{b}");

        app.run_patrol().await.unwrap();
        let all = app.patrol_findings(&office, &[]).await.unwrap();
        let f = all.iter().find(|f| f.record_id == id && f.source == "document").expect("recorded");
        assert_eq!(f.status, gongkai_domain::patrol::FindingStatus::Excepted, "{b}");
        assert!(f.note.as_deref().unwrap_or("").contains("惩戒公示") && f.shown == "3701**********1235", "{b}");
        let open = app.patrol_findings(&office, &[gongkai_domain::patrol::FindingStatus::Open]).await.unwrap();
        assert!(open.iter().all(|f| f.record_id != id || f.source != "document"), "{b}: not work to do");
    }
}

#[tokio::test]
async fn the_patrol_lists_what_has_gone_stale_and_dates_that_cannot_exist() {
    for db in databases().await {
        let b = db.backend;
        demo_app(&db).await;
        // The district gives low findings 5 working days (the default is 10).
        let config = gongkai_app::AppConfig { finding_days: [1, 3, 5], ..gongkai_testkit::test_config() };
        let app = gongkai_testkit::app_with(&db, gongkai_testkit::fixed_now(), config).await;
        let office = app.system_actor().await.unwrap();
        let rec = |id: &str, title: &str, published: &str, body: &str, extra: serde_json::Value| {
            let v = serde_json::json!({
                "id": id, "title": title, "issuer": "济南市莱芜区人民政府办公室", "doc_type": "其他",
                "published_on": published, "validity": "有效", "category": "其他", "body": body
            });
            let mut v = v;
            if !extra.is_null() {
                v["gongkai"] = extra;
            }
            v.to_string()
        };
        let lines = [
            // The deadline passed 182 days before 2025-07-01: past the district's 180.
            rec(
                "stale-1",
                "关于报送2024年度统计资料的通知",
                "2024-12-01",
                "请于2024年12月31日前报送区政府办公室。",
                serde_json::Value::Null,
            ),
            // 150 days: not yet.
            rec(
                "stale-2",
                "关于报送2025年一季度资料的通知",
                "2025-01-20",
                "请于2025年2月1日前报送。",
                serde_json::Value::Null,
            ),
            // In force until 2025-07-20: 19 days left.
            rec(
                "stale-3",
                "莱芜区临时救助办法",
                "2023-07-20",
                "第一条 本办法自2023年7月20日起施行，有效期至2025年7月20日。第二条 2025年2月30日前完成评估。",
                serde_json::json!({"expires_on": "2025-07-20", "co_issuers": [], "keywords": "", "version_no": 1, "validity": "有效"}),
            ),
            // Written after it was published, as an older system let through.
            serde_json::json!({
                "id": "stale-4", "title": "关于调整2025年城乡低保标准的通知", "issuer": "济南市莱芜区人民政府办公室",
                "doc_type": "其他", "written_on": "2025-06-10", "published_on": "2025-06-01", "validity": "有效",
                "category": "其他", "body": "第一条 自2025年7月1日起调整。"
            })
            .to_string(),
        ];
        let report =
            app.import_jsonl(&office, None, std::io::Cursor::new(lines.join("\n") + "\n"), &|_, _| {}).await.unwrap();
        assert_eq!(report.imported, 4, "{b}: {report:?}");
        app.run_patrol().await.unwrap();
        let found = app.patrol_findings(&office, &[]).await.unwrap();
        let of = |title: &str, kind: gongkai_domain::patrol::FindingKind| {
            found
                .iter()
                .filter(|f| f.title == title && f.kind == kind)
                .map(|f| f.replacement.clone())
                .collect::<Vec<_>>()
        };
        use gongkai_domain::patrol::FindingKind::{BadDate, Expiring, OldNotice};
        let old = of("关于报送2024年度统计资料的通知", OldNotice);
        assert!(old.len() == 1 && old[0].contains("已过182天"), "{b}: {old:?}");
        assert!(of("关于报送2025年一季度资料的通知", OldNotice).is_empty(), "{b}");
        let soon = of("莱芜区临时救助办法", Expiring);
        assert!(soon.len() == 1 && soon[0].starts_with("19天后失效"), "{b}: {soon:?}");
        // Tuesday 2025-07-01 + 5 working days.
        let due = found.iter().find(|f| f.kind == Expiring).and_then(|f| f.due_on);
        assert_eq!(due, Some(time::macros::date!(2025 - 07 - 08)), "{b}");
        assert_eq!(of("莱芜区临时救助办法", BadDate), ["2025年2月没有30日"], "{b}");
        assert_eq!(of("关于调整2025年城乡低保标准的通知", BadDate), ["成文日期晚于发布日期，请核对"], "{b}");
    }
}
