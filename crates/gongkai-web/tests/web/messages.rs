//! 咨询建言 and 领导信箱: written on the portal, routed to the body, followed with the
//! reference and query code, answered in the console, published de-identified when the
//! writer agreed, and watched on the 3-month clock.

use crate::{Browser, hidden, text_of, urlencode};
use axum::http::StatusCode;
use gongkai_testkit::{app_with, databases, demo_app, fixed_now};
use std::sync::Arc;

fn form(mailbox: &str, org: &str, subject: &str, body: &str, extra: &str) -> String {
    format!(
        "mailbox={mailbox}&category=business&org_id={org}&subject={}&body={}&name={}&contact={}{extra}",
        urlencode(subject),
        urlencode(body),
        urlencode("王小五"),
        urlencode("13912345678"),
    )
}

#[tokio::test]
async fn a_message_reaches_its_body_is_answered_and_published_without_the_writer() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let (editor, session) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let edu = editor.org_id.to_string();
        let mut visitor = Browser::new(&router);

        // The form offers the bodies, not village committees.
        let (s, html, _) = visitor.go("GET", "/messages/new?box=consult", None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(html.contains(&format!("value=\"{edu}\"")) && !html.contains("居民委员会"), "{b}");

        // Refused as typed: markup in the text, no contact; nothing is lost.
        let bad = form("consult", &edu, "开办补贴怎么申请", "<script>alert(1)</script>请问补贴", "")
            .replace("contact=", "contact=x");
        let (s, html, _) = visitor.go("POST", "/messages/new", Some(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("href=\"#message-body\"") && html.contains("href=\"#message-contact\""), "{b}");
        assert!(html.contains("value=\"开办补贴怎么申请\""), "{b}: the subject kept");

        // A robot is thanked and nothing is filed.
        let before = app.message_inbox(&app.system_actor().await.unwrap()).await.unwrap().len();
        let robot = form("consult", &edu, "开办补贴怎么申请", "请问开办补贴到哪里申请办理？", "&website=x");
        let (s, _, _) = visitor.go("POST", "/messages/new", Some(robot)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        assert_eq!(app.message_inbox(&app.system_actor().await.unwrap()).await.unwrap().len(), before, "{b}");

        // Filed: the receipt shows the reference and the code, the target in working days
        // (10 from Tuesday 2025-07-01: 15 July).
        let text = "我公司新注册，身份证号370116198001011235，请问开办补贴到哪里申请？";
        let ok = form("consult", &edu, "开办补贴怎么申请", text, "&consent=on");
        let (s, _, to) = visitor.go("POST", "/messages/new", Some(ok)).await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/messages/done")), "{b}");
        let (_, html, _) = visitor.go("GET", "/messages/done", None).await;
        let reference = text_of(&html, "message-reference", 12);
        let code = text_of(&html, "message-code", 8);
        assert!(reference.starts_with("LY2025") && html.contains("2025-07-15") && html.contains("教育和体育局"), "{b}");

        // Routed to the body: its staff see the writer, another body does not see it.
        let inbox = app.message_inbox(&editor).await.unwrap();
        let m = inbox.iter().find(|m| m.reference == reference).expect("in the body's inbox").clone();
        assert_eq!((m.name.as_str(), m.contact.as_str()), ("王小五", "13912345678"), "{b}");
        assert!(!m.public_question.contains("198001011235"), "{b}: offered masked: {}", m.public_question);
        let (deputy, _) = app.login("deputy", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        assert!(app.message_inbox(&deputy).await.unwrap().iter().all(|x| x.reference != reference), "{b}");

        // Followed with the code only: a wrong one is told apart from nothing.
        let track = |code: &str| format!("reference={reference}&query_code={code}");
        let (s, html, _) = visitor.go("POST", "/messages/track", Some(track("WRONGCODE"))).await;
        assert!(s == StatusCode::NOT_FOUND && html.contains("留言编号或查询码不正确"), "{b}");
        let (s, html, _) = visitor.go("POST", "/messages/track", Some(track(&code))).await;
        assert!(s == StatusCode::OK && html.contains("办理中"), "{b}");

        // Answered in the console: an answer naming the writer's phone is refused when
        // published; a proper one redirects and publishes.
        let mut clerk = Browser::new(&router);
        clerk.cookies.push(("gk_session".into(), session.token.clone()));
        let page = format!("/admin/messages/{}", m.id);
        let (s, html, _) = clerk.go("GET", &page, None).await;
        assert!(s == StatusCode::OK && html.contains("王小五") && html.contains("13912345678"), "{b}");
        let csrf = hidden(&html, "csrf");
        let answer = |a: &str| {
            format!("csrf={csrf}&answer={}&publish=on&question={}", urlencode(a), urlencode(&m.public_question))
        };
        let uri = format!("{page}/answer");
        let (s, html, _) =
            clerk.go("POST", &uri, Some(answer("已电话联系您（13912345678），补贴在区政务服务中心申请。"))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(
            html.contains("不得含有身份证号码、手机号码等个人信息") && html.contains("id=\"answer-answer\""),
            "{b}"
        );
        let (s, _, to) = clerk.go("POST", &uri, Some(answer("您好！开办补贴在区政务服务中心企业服务窗口申请。"))).await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some(page.as_str())), "{b}");

        // Public: in the list and on its page, without the writer or the number.
        let (_, html, _) = visitor.go("GET", "/messages", None).await;
        assert!(html.contains("开办补贴怎么申请"), "{b}");
        let (s, html, _) = visitor.go("GET", &format!("/messages/{}", m.id), None).await;
        assert!(s == StatusCode::OK && html.contains("企业服务窗口") && html.contains("请问开办补贴"), "{b}");
        for private in ["王小五", "13912345678", "198001011235"] {
            assert!(!html.contains(private), "{b}: {private} on the public page");
        }
        let (_, json, _) = visitor.go("GET", "/api/v1/messages?category=business", None).await;
        assert!(json.contains("开办补贴怎么申请") && !json.contains("王小五"), "{b}: {json}");
        // The writer reads the answer with the code.
        let (_, html, _) = visitor.go("POST", "/messages/track", Some(track(&code))).await;
        assert!(html.contains("已答复") && html.contains("企业服务窗口"), "{b}");
        // The office's ledger: the reference and the clock, not the writer.
        let (s, _, _) = clerk.go("GET", "/admin/messages.xlsx", None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let book = gongkai_app::messages::messages_xlsx(&app.message_inbox(&editor).await.unwrap()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
        let mut strings = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
        assert!(strings.contains(&reference) && strings.contains("已答复") && !strings.contains("王小五"), "{b}");
        // Public content like any other: the registry knows its page.
        let (src, id) = gongkai_app::search::record_at(&format!("/messages/{}", m.id)).expect("a content kind");
        assert_eq!((src.name(), id), ("message", m.id), "{b}");
    }
}

#[tokio::test]
async fn a_leader_mailbox_message_is_forwarded_and_the_three_month_clock_warns() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let office = app.system_actor().await.unwrap();
        let (editor, _) = app.login("editor", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let (reviewer, _) = app.login("reviewer", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let new = |subject: &str, consent: bool| gongkai_app::messages::NewMessage {
            mailbox: "leader".into(),
            category: "suggestion".into(),
            org_id: Some(editor.org_id), // ignored: the leaders' mailbox goes to the district
            subject: subject.into(),
            body: "建议学校周边增设交通安全设施，保障学生上下学安全。".into(),
            name: "赵六".into(),
            contact: "zhao@example.cn".into(),
            consent,
        };
        let r = app.submit_message(new("学校周边交通安全建议", false)).await.unwrap();
        let m = app.message_inbox(&office).await.unwrap().into_iter().find(|m| m.reference == r.reference).unwrap();
        assert_eq!(m.org_id, office.org_id, "{b}: to the district first");

        // A body may only hand it back to the district; the office forwards it anywhere.
        let err = app.forward_message(&editor, m.id, editor.org_id, "").await.unwrap_err();
        assert_eq!(err.spec().status, 404, "{b}: not the editor's yet");
        app.forward_message(&office, m.id, editor.org_id, "请教体局办理").await.unwrap();
        assert!(app.message_inbox(&editor).await.unwrap().iter().any(|x| x.id == m.id), "{b}");
        let err = app.forward_message(&editor, m.id, office.org_id + 3, "").await.unwrap_err();
        assert!(err.to_string().contains("只能退回"), "{b}: {err}");

        // Not agreed to publication: answered to the writer only.
        let a = gongkai_app::messages::MessageAnswer {
            answer: "感谢建议，已转交交警部门研究。".into(),
            publish: true,
            question: None,
        };
        let err = app.answer_message(&editor, m.id, a.clone()).await.unwrap_err();
        assert!(err.to_string().contains("未同意公开"), "{b}: {err}");

        // Time passes: 10 working days, then near and past 3 months.
        let waiting = app.submit_message(new("校车线路调整建议", true)).await.unwrap();
        let later = |days: i64| {
            let db = &db;
            async move {
                let now = gongkai_testkit::fixed_now() + time::Duration::days(days);
                app_with(db, now, gongkai_app::AppConfig::default()).await
            }
        };
        let stage = |app: gongkai_app::App, office: gongkai_app::Actor, reference: String| async move {
            let all = app.message_inbox(&office).await.unwrap();
            let m = all.into_iter().find(|m| m.reference == reference).unwrap();
            (m.stage.map(|s| s.code()), app.message_summary(&office).await.unwrap())
        };
        let (st, _) = stage(later(20).await, office.clone(), waiting.reference.clone()).await;
        assert_eq!(st, Some("past_target"), "{b}");
        // The daily reminder names it to the district office, well before the 3 months.
        let reminders = later(20).await.reminders_for_today().await.unwrap();
        let office_user = reminders.iter().find(|r| r.display_name.contains("公开办")).expect("the office is reminded");
        let named = office_user.messages.iter().find(|(r, _, _)| *r == waiting.reference).expect("named");
        assert_eq!(named.1, "已超过办理期限", "{b}");
        let text = office_user.text(fixed_now().date());
        assert!(text.contains(&waiting.reference) && !text.contains("赵六") && !text.contains("zhao@"), "{b}: {text}");
        let (st, _) = stage(later(80).await, office.clone(), waiting.reference.clone()).await;
        assert_eq!(st, Some("near_limit"), "{b}");
        let (st, summary) = stage(later(93).await, office.clone(), waiting.reference.clone()).await;
        assert_eq!(st, Some("past_limit"), "{b}");
        assert!(summary.past_limit >= 1, "{b}: {summary:?}");

        // A reviewer does not take up a petition; the writer is told where to go, and it
        // leaves the clock.
        let id = app
            .message_inbox(&office)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.reference == waiting.reference)
            .unwrap()
            .id;
        app.forward_message(&office, id, editor.org_id, "").await.unwrap();
        let err = app.reject_message(&editor, id, "petition").await.unwrap_err();
        assert_eq!(err.spec().status, 403, "{b}: an editor does not decide");
        let done = app.reject_message(&reviewer, id, "petition").await.unwrap();
        assert!(done.stage.is_none() && done.reject_reason.as_deref().unwrap().contains("网上信访"), "{b}");
        let tracked = app.track_message(&waiting.reference, &waiting.query_code).await.unwrap();
        assert_eq!(tracked.status_label, "不予受理", "{b}");
    }
}
