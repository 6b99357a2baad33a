//! Post/Redirect/Get: a refresh or the back button never repeats an action, the same
//! application is never filed twice, and no text reaches an official page through the URL.

use crate::{Browser, hidden, urlencode};
use axum::http::StatusCode;
use gongkai_testkit::{databases, demo_app};
use std::sync::Arc;

fn tracking_no(html: &str) -> String {
    crate::text_of(html, "tracking-no", 13)
}

#[tokio::test]
async fn the_application_form_redirects_and_never_files_twice() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let org = app.request_orgs().await.unwrap()[0].id;
        let mut me = Browser::new(&router);
        let (_, form, _) = me.go("GET", "/apply", None).await;
        let idem = hidden(&form, "idem");
        let body = format!(
            "idem={idem}&org_id={org}&applicant_kind=natural&name=%E6%9D%8E%E5%9B%9B&id_number=11010519491231002X\
             &phone=13800000000&description=%E8%80%81%E6%97%A7%E5%B0%8F%E5%8C%BA%E6%94%B9%E9%80%A0%E6%B8%85%E5%8D%95\
             &medium=paper&delivery=pickup"
        );
        let (s, _, to) = me.go("POST", "/apply", Some(body.clone())).await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/apply/done")), "{b}");
        let (s, receipt, _) = me.go("GET", "/apply/done", None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {receipt}");
        let first = tracking_no(&receipt);
        assert!(receipt.contains("id=\"query-code\""), "{b}");

        // A refresh shows the same receipt; the back button and a resend file nothing new.
        let (_, again, _) = me.go("GET", "/apply/done", None).await;
        assert_eq!(tracking_no(&again), first, "{b}");
        let (s, _, to) = me.go("POST", "/apply", Some(body.clone())).await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/apply/done")), "{b}: the first receipt again");
        let (_, again, _) = me.go("GET", "/apply/done", None).await;
        assert_eq!(tracking_no(&again), first, "{b}");

        // Someone else sending the same name and description learns nothing.
        let mut other = Browser::new(&router);
        let (s, page, _) = other.go("POST", "/apply", Some(body.replace(&idem, "another-key"))).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        assert!(page.contains("不会重复受理") && page.contains("重新发放查询码") && !page.contains(&first), "{b}");
        let (s, _, _) = other.go("GET", "/apply/done", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: no receipt in a browser that sent nothing");

        // Only one request was filed.
        let office = app.system_actor().await.unwrap();
        let n = app.request_queue(&office).await.unwrap().iter().filter(|r| r.tracking_no.starts_with("YSQ")).count();
        assert_eq!(n, 1, "{b}: one request for three posts");

        // Tracking is a POST: the query code is never in a URL.
        let (_, track, _) = me.go("GET", &format!("/apply/track?tracking_no={first}"), None).await;
        assert!(track.contains("method=\"post\"") && track.contains(&first), "{b}");
    }
}

#[tokio::test]
async fn console_forms_redirect_and_their_notice_is_shown_once() {
    let db = gongkai_testkit::sqlite();
    let app = Arc::new(demo_app(&db).await);
    let router = gongkai_web::router(app.clone());
    let (_, session) = app.login("admin", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let mut me = Browser::new(&router);
    me.cookies.push(("gk_session".into(), session.token.clone()));
    let form = format!("csrf={}&path=%E6%B5%8B%E8%AF%95%E4%B8%BB%E9%A2%98", session.csrf_token);
    let (s, _, to) = me.go("POST", "/admin/topics", Some(form)).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/orgs")));
    let (_, page, _) = me.go("GET", "/admin/orgs", None).await;
    assert!(page.contains("已添加主题分类：测试主题"), "the notice after the redirect");
    let (_, page, _) = me.go("GET", "/admin/orgs", None).await;
    assert!(!page.contains("已添加主题分类"), "shown once");
    // A crafted message in the URL is not shown as a notice.
    let (_, page, _) = me.go("GET", "/admin/documents/1?msg=%E5%B7%B2%E5%AE%A1%E6%A0%B8", None).await;
    assert!(!page.contains("已审核"));
}

#[tokio::test]
async fn the_console_masks_identity_numbers_until_asked_and_the_asking_is_audited() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let org = app.request_orgs().await.unwrap()[0].id;
        let person = gongkai_app::requests::NewRequest {
            application: gongkai_domain::request::Application {
                applicant_kind: "natural".into(),
                name: "王五".into(),
                id_number: "11010519491231002X".into(),
                phone: "13800000000".into(),
                description: "某项目清单".into(),
                medium: "paper".into(),
                collect_by: "pickup".into(),
                ..Default::default()
            },
            org_id: org,
            intake_channel: None,
            received_on: None,
            attachments: vec![],
            idempotency_key: None,
        };
        app.submit_request(None, person).await.unwrap();
        let office = app.system_actor().await.unwrap();
        let id = app.request_queue(&office).await.unwrap()[0].id;
        let (_, session) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        let (_, page, _) = me.go("GET", &format!("/admin/requests/{id}"), None).await;
        assert!(page.contains("110105********002X") && !page.contains("11010519491231002X"), "{b}: masked");
        // A typed console form checks the session's CSRF token, and wants a session at all.
        let (s, page, _) = me.go("POST", &format!("/admin/requests/{id}/identity"), Some("csrf=forged".into())).await;
        assert!(s == StatusCode::FORBIDDEN && page.contains("CSRF"), "{b}: {s}");
        let (s, _, to) = Browser::new(&router)
            .go("POST", &format!("/admin/requests/{id}/identity"), Some(format!("csrf={}", session.csrf_token)))
            .await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/login")), "{b}: nobody signed in");
        let (log, _) = app.audit_log(&office, Some(("info_request", id)), 1, 20).await.unwrap();
        assert!(!log.iter().any(|r| r.action == "request.identity.reveal"), "{b}: refused forms reveal nothing");
        let (s, _, to) = me
            .go("POST", &format!("/admin/requests/{id}/identity"), Some(format!("csrf={}", session.csrf_token)))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let (_, page, _) = me.go("GET", to.as_deref().unwrap(), None).await;
        assert!(page.contains("11010519491231002X"), "{b}: shown in full once asked");
        let (_, page, _) = me.go("GET", &format!("/admin/requests/{id}"), None).await;
        assert!(!page.contains("11010519491231002X"), "{b}: masked again on the next visit");
        let (log, _) = app.audit_log(&office, Some(("info_request", id)), 1, 20).await.unwrap();
        assert!(log.iter().any(|r| r.action == "request.identity.reveal" && r.actor == "office"), "{b}");
    }
}

#[tokio::test]
async fn the_console_list_shows_the_districts_documents_and_keeps_its_filters() {
    let db = gongkai_testkit::sqlite();
    let app = Arc::new(demo_app(&db).await);
    let cli = app.system_actor().await.unwrap();
    let laws = include_str!("../../../gongkai/tests/fixtures/laws-sample.jsonl");
    app.import_jsonl(&cli, None, std::io::Cursor::new(laws), &|_, _| {}).await.unwrap();
    let router = gongkai_web::router(app.clone());
    let (_, session) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let mut me = Browser::new(&router);
    me.cookies.push(("gk_session".into(), session.token.clone()));
    let (_, page, _) = me.go("GET", "/admin/", None).await;
    assert!(
        page.contains("2025年莱芜区政务公开工作要点") && !page.contains("政府信息公开条例"),
        "the district's own first"
    );
    let (_, page, _) = me.go("GET", "/admin/?imported=only", None).await;
    assert!(page.contains("中华人民共和国政府信息公开条例"), "the laws on request");
    // Filters survive paging (30 a page).
    let office = app.token_actor(&app.create_token(&cli, "office", "t").await.unwrap()).await.unwrap().unwrap();
    for n in 0..31 {
        let d = gongkai_app::documents::DocumentInput {
            title: format!("关于分页测试的通知（{n}）"),
            category: "other".into(),
            body: "第一条 正文。".into(),
            ..Default::default()
        };
        app.create_document(&office, d).await.unwrap();
    }
    let (_, page, _) = me.go("GET", "/admin/?imported=all&category=other", None).await;
    let at = page.find("id=\"next-page\"").expect("a second page");
    let link = &page[page[..at].rfind("href=\"").unwrap()..at];
    assert!(link.contains("category=other") && link.contains("imported=all"), "{link}");
    assert!(
        page.contains("value=\"all\" selected") && page.contains("value=\"other\" selected"),
        "the filters stay selected"
    );
}

#[tokio::test]
async fn the_console_shows_words_not_codes_and_only_the_actions_allowed_now() {
    let db = gongkai_testkit::sqlite();
    let app = Arc::new(demo_app(&db).await);
    let router = gongkai_web::router(app.clone());
    let cli = app.system_actor().await.unwrap();
    let editor = app.token_actor(&app.create_token(&cli, "editor", "t").await.unwrap()).await.unwrap().unwrap();
    let d = gongkai_app::documents::DocumentInput {
        title: "关于按钮测试的通知".into(),
        category: "other".into(),
        body: "第一条 正文。".into(),
        ..Default::default()
    };
    let id = app.create_document(&editor, d).await.unwrap().id;
    let submit = gongkai_app::documents::ActionInput { action: "submit".into(), ..Default::default() };
    app.document_action(&editor, id, submit).await.unwrap();
    let page_as = |user: &'static str| {
        let (app, router) = (app.clone(), router.clone());
        async move {
            let (_, s) = app.login(user, gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
            let mut b = Browser::new(&router);
            b.cookies.push(("gk_session".into(), s.token));
            b.go("GET", &format!("/admin/documents/{id}"), None).await.1
        }
    };
    let as_editor = page_as("editor").await;
    assert!(
        !as_editor.contains("id=\"act-approve\"") && !as_editor.contains("id=\"act-submit\""),
        "submitted: nothing for the editor"
    );
    let as_reviewer = page_as("reviewer").await;
    assert!(
        as_reviewer.contains("id=\"act-approve\"") && !as_reviewer.contains("id=\"act-publish\""),
        "the reviewer can approve"
    );

    let (_, s) = app.login("admin", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let mut me = Browser::new(&router);
    me.cookies.push(("gk_session".into(), s.token));
    let (_, audit, _) = me.go("GET", "/admin/audit", None).await;
    assert!(audit.contains("登录") && audit.contains("提交审核") && audit.contains("状态：待审核"), "in words");
    assert!(
        !audit.contains("user.login") && !audit.contains("document.submit") && !audit.contains("{&quot;"),
        "no codes or JSON"
    );
}

#[tokio::test]
async fn the_application_form_defaults_need_nothing_more_and_errors_are_announced() {
    let db = gongkai_testkit::sqlite();
    let app = Arc::new(demo_app(&db).await);
    let router = gongkai_web::router(app.clone());
    let mut me = Browser::new(&router);
    let (_, form, _) = me.go("GET", "/apply", None).await;
    assert!(form.contains("value=\"online\" selected") && form.contains("value=\"electronic\" selected"), "defaults");
    assert!(form.contains("id=\"a-name\" required aria-required=\"true\""), "required fields are marked");
    // Only what a person must type, with the defaults left as they are: no error they did not make.
    let org = app.request_orgs().await.unwrap()[0].id;
    let body = format!(
        "idem={}&org_id={org}&applicant_kind=natural&name=%E6%9D%8E%E5%9B%9B&id_number=11010519491231002X&phone=13800000000\
         &description=%E6%9F%90%E9%A1%B9%E7%9B%AE%E6%B8%85%E5%8D%95&medium=electronic&delivery=online",
        hidden(&form, "idem")
    );
    let (s, _, _) = me.go("POST", "/apply", Some(body)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "accepted with the defaults");
    // Errors: each field marked and described, a summary linking to them.
    let bad = format!(
        "org_id={org}&applicant_kind=natural&name=x&id_number=123&phone=12&description=x&medium=paper&delivery=pickup"
    );
    let (s, page, _) = me.go("POST", "/apply", Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("aria-invalid=\"true\" aria-describedby=\"err-id_number\"")
            && page.contains("id=\"err-id_number\"")
    );
    assert!(
        page.contains("id=\"error-summary\"") && page.contains("href=\"#a-id\"") && page.contains("href=\"#a-phone\"")
    );
}

#[tokio::test]
async fn the_console_has_its_own_frame_and_the_portal_no_console_in_its_menu() {
    let db = gongkai_testkit::sqlite();
    let app = Arc::new(demo_app(&db).await);
    let router = gongkai_web::router(app.clone());
    let mut visitor = Browser::new(&router);
    let (_, home, _) = visitor.go("GET", "/", None).await;
    let nav = &home[home.find("aria-label=\"主导航\"").unwrap()..home.find("</nav>").unwrap()];
    assert!(!nav.contains("/admin/"), "the citizen's menu has no console entry: {nav}");
    let (_, s) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let mut clerk = Browser::new(&router);
    clerk.cookies.push(("gk_session".into(), s.token));
    let (_, page, _) = clerk.go("GET", "/admin/requests", None).await;
    assert!(page.contains("id=\"console-menu\"") && page.contains("管理后台"), "the console frame");
    assert!(!page.contains("aria-label=\"主导航\""), "not the citizen's navigation");
}

/// The repeal form names what a draft repeals as a clerk knows it — its 发文字号 in any
/// common spelling, or its whole title — never by an internal id; a name that matches
/// nothing is said so, and nothing is set.
#[tokio::test]
async fn the_repeal_form_takes_a_document_number_or_a_title_not_an_id() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let (editor, session) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let page = app
            .list_documents(None, &gongkai_app::documents::ListParams { per_page: Some(100), ..Default::default() })
            .await
            .unwrap();
        let numbered: Vec<_> =
            page.items.iter().filter(|d| d.doc_no.as_deref().is_some_and(|n| n.contains('〔'))).collect();
        let (by_no, by_title) = (numbered[0], numbered[1]);
        let draft = app
            .create_document(
                &editor,
                gongkai_app::documents::DocumentInput {
                    title: "关于废止部分文件的通知".into(),
                    category: "其他文件".into(),
                    body: "下列文件予以废止。".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        // Square brackets for 〔〕, as people type them.
        let respelled = by_no.doc_no.clone().unwrap().replace('〔', "[").replace('〕', "]");
        let targets = format!("{respelled}\n{}", by_title.title);
        let form = format!("csrf={}&targets={}", session.csrf_token, urlencode(&targets));
        let uri = format!("/admin/documents/{}/repeals", draft.id);
        let (s, _, to) = me.go("POST", &uri, Some(form)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let (_, html, _) = me.go("GET", to.as_deref().unwrap(), None).await;
        assert!(html.contains("已设置废止关系"), "{b}: {}", &html[..html.len().min(400)]);
        let detail = app.document_detail(Some(&editor), draft.id, None).await.unwrap();
        let mut got: Vec<i64> = detail.repeals.iter().map(|r| r.id).collect();
        got.sort();
        let mut want = vec![by_no.id, by_title.id];
        want.sort();
        assert_eq!(got, want, "{b}: both found, one by number and one by title");
        // A name nobody published: told, and the repeals stay as they were.
        let form = format!("csrf={}&targets={}", session.csrf_token, urlencode("并不存在的文件"));
        let (s, html, _) = me.go("POST", &uri, Some(form)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}: the form comes back, as typed");
        assert!(html.contains("找不到文号或标题为“并不存在的文件”的已发布文件"), "{b}");
        assert!(html.contains(">并不存在的文件</textarea>") && html.contains("href=\"#repeals-targets\""), "{b}");
        let detail = app.document_detail(Some(&editor), draft.id, None).await.unwrap();
        assert_eq!(detail.repeals.len(), 2, "{b}");
    }
}

/// The console's front page is a desk: a reviewer finds what waits for them, an editor
/// their drafts; nobody is offered their own draft to review (four-eyes), and the month's
/// publications are counted.
#[tokio::test]
async fn the_front_page_shows_each_person_what_waits_for_them() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let pw = gongkai_app::demo::DEMO_PASSWORD;
        let input = |title: &str| gongkai_app::documents::DocumentInput {
            title: title.into(),
            category: "其他文件".into(),
            body: "正文。".into(),
            ..Default::default()
        };
        let (editor, _) = app.login("editor", pw).await.unwrap();
        let sent = app.create_document(&editor, input("关于工作台审核测试的通知")).await.unwrap();
        let submit = || gongkai_app::documents::ActionInput { action: "submit".into(), ..Default::default() };
        app.document_action(&editor, sent.id, submit()).await.unwrap();
        app.create_document(&editor, input("关于工作台草稿测试的通知")).await.unwrap();
        // The office drafts and submits its own: it must not appear on its own desk.
        let (office, _) = app.login("office", pw).await.unwrap();
        let own = app.create_document(&office, input("关于公开办自拟文件的通知")).await.unwrap();
        app.document_action(&office, own.id, submit()).await.unwrap();
        let page = |user: &'static str| {
            let (app, router) = (app.clone(), router.clone());
            async move {
                let (_, session) = app.login(user, pw).await.unwrap();
                let mut me = Browser::new(&router);
                me.cookies.push(("gk_session".into(), session.token.clone()));
                me.go("GET", "/admin/", None).await.1
            }
        };
        let section = |html: &str, id: &str| -> String {
            html.split(&format!("id=\"{id}\""))
                .nth(1)
                .map(|s| s.split("</table>").next().unwrap_or(s).to_string())
                .unwrap_or_default()
        };
        let reviewer = page("reviewer").await;
        assert!(section(&reviewer, "to-review").contains("关于工作台审核测试的通知"), "{b}: the reviewer's desk");
        assert!(!reviewer.contains("关于公开办自拟文件的通知"), "{b}: another organisation's");
        let editor_page = page("editor").await;
        assert!(section(&editor_page, "my-drafts").contains("关于工作台草稿测试的通知"), "{b}: the editor's drafts");
        assert!(!editor_page.contains("id=\"to-review\""), "{b}: an editor reviews nothing");
        let office_page = page("office").await;
        let waiting = section(&office_page, "to-review");
        assert!(waiting.contains("关于工作台审核测试的通知"), "{b}: the office sees the district's");
        assert!(!waiting.contains("关于公开办自拟文件的通知"), "{b}: never its own draft");
        assert!(office_page.contains("本月发布"), "{b}");
    }
}

/// The reviewer sees what they approve: the body, and for a revision the changed
/// articles against the version before, on the review page itself.
#[tokio::test]
async fn the_review_page_shows_the_body_and_what_the_revision_changed() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let pw = gongkai_app::demo::DEMO_PASSWORD;
        let (editor, _) = app.login("editor", pw).await.unwrap();
        let (reviewer, session) = app.login("reviewer", pw).await.unwrap();
        let input = |body: &str| gongkai_app::documents::DocumentInput {
            title: "莱芜区校外培训监管办法".into(),
            category: "其他文件".into(),
            body: body.into(),
            ..Default::default()
        };
        let act = |a: &str| gongkai_app::documents::ActionInput { action: a.into(), ..Default::default() };
        let v1 = app
            .create_document(&editor, input("第一条 为了规范校外培训，制定本办法。\n第二条 本办法自发布之日起施行。"))
            .await
            .unwrap();
        app.document_action(&editor, v1.id, act("submit")).await.unwrap();
        app.document_action(&reviewer, v1.id, act("approve")).await.unwrap();
        app.document_action(&reviewer, v1.id, act("publish")).await.unwrap();
        let v2 = app
            .revise_document(
                &editor,
                v1.id,
                input("第一条 为了规范校外培训，保障学生权益，制定本办法。\n第二条 本办法自发布之日起施行。"),
            )
            .await
            .unwrap();
        app.document_action(&editor, v2.id, act("submit")).await.unwrap();
        let mut me = Browser::new(&router);
        me.cookies.push(("gk_session".into(), session.token.clone()));
        let (_, html, _) = me.go("GET", &format!("/admin/documents/{}", v2.id), None).await;
        let review = html.split("id=\"review-content\"").nth(1).expect("the review content");
        assert!(review.contains("保障学生权益"), "{b}: the body is on the review page");
        assert!(review.contains("与第1版相比的修改"), "{b}: against the version before");
        let changes = review.split("id=\"changes\"").nth(1).unwrap();
        assert!(changes.contains("<ins>") && changes.contains("保障学生权益"), "{b}: the inserted words marked");
        assert!(!changes.contains("自发布之日起施行"), "{b}: only the changed article");
    }
}
