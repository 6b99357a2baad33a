//! The 12345 hotline's knowledge base: written, reviewed by another person, published to
//! the portal, search and Q&A; stale and hidden when its document is withdrawn; imported
//! from the hotline's export with row-level errors.

use super::*;
use gongkai_testkit::{databases, demo_app};
use std::sync::Arc;

const BASIS: &str = "《莱芜区政府信息公开申请办理规范（示例）》第三条";

fn entry() -> gongkai_app::faq::FaqForm {
    gongkai_app::faq::FaqForm {
        question: "政府信息公开申请写得不清楚怎么办".into(),
        answer: "申请内容不明确的，办理机关会在收到申请之日起七个工作日内一次性告知您补正，补正后重新计算答复期限。"
            .into(),
        basis: BASIS.into(),
        answered_on: Some("2025-06-20".into()),
        external_ref: Some("RX2025-0012".into()),
    }
}

#[tokio::test]
async fn a_hotline_answer_is_reviewed_published_cited_and_goes_stale_with_its_document() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let office = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;
        let admin = app.login("admin", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;

        // A basis the library does not have, or an article the document does not have.
        let bad = gongkai_app::faq::FaqForm { basis: "《不存在的办法》第一条".into(), ..entry() };
        assert!(
            matches!(app.faq_create(&office, &bad, "hotline").await, Err(gongkai_app::AppError::Validation(_))),
            "{b}"
        );
        let bad = gongkai_app::faq::FaqForm {
            basis: "《莱芜区政府信息公开申请办理规范（示例）》第九十条".into(),
            ..entry()
        };
        let e = app.faq_create(&office, &bad, "hotline").await.unwrap_err().to_string();
        assert!(e.contains("没有第九十条"), "{b}: {e}");

        let v = app.faq_create(&office, &entry(), "hotline").await.unwrap();
        assert_eq!(v.basis.len(), 1, "{b}");
        // Not by its writer; a draft is not public.
        assert!(matches!(app.faq_publish(&office, v.id).await, Err(gongkai_app::AppError::Forbidden(_))), "{b}");
        let mut visitor = Browser::new(&router);
        let (s, _, _) = visitor.go("GET", &format!("/faq/{}", v.id), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        app.faq_publish(&admin, v.id).await.unwrap();
        app.index_pending().await.unwrap();

        let (s, html, _) = visitor.go("GET", "/faq", None).await;
        assert!(s == StatusCode::OK && html.contains("政府信息公开申请写得不清楚怎么办"), "{b}");
        let (_, html, _) = visitor.go("GET", &format!("/faq/{}", v.id), None).await;
        assert!(html.contains("七个工作日内一次性告知") && html.contains("》第三条</a>"), "{b}");
        let (_, api, _) =
            visitor.go("GET", "/api/v1/search?q=%E5%86%99%E5%BE%97%E4%B8%8D%E6%B8%85%E6%A5%9A&source=faq", None).await;
        assert!(api.contains(&format!("\"/faq/{}\"", v.id)), "{b}: a search source: {api}");
        let q = urlencode("政府信息公开申请写得不清楚怎么办");
        let (_, html, _) = visitor.go("GET", &format!("/qa?q={q}"), None).await;
        assert!(
            html.contains("12345热线问答“政府信息公开申请写得不清楚怎么办”"),
            "{b}: cited as the hotline's answer: {html}"
        );

        // The document it rests on is withdrawn: the entry goes stale and leaves the
        // portal, search and Q&A until it is reviewed.
        let rules = v.basis[0].document_id;
        let withdraw = gongkai_app::documents::ActionInput {
            action: "withdraw".into(),
            reason: Some("示例：撤回复核".into()),
            ..Default::default()
        };
        app.document_action(&admin, rules, withdraw).await.unwrap();
        app.index_pending().await.unwrap();
        let stale = app.faq_get(&office, v.id).await.unwrap();
        assert_eq!(stale.status, gongkai_domain::faq::FaqStatus::Stale, "{b}");
        assert!(stale.stale_reason.as_deref().is_some_and(|r| r.contains("撤回")), "{b}");
        let (s, _, _) = visitor.go("GET", &format!("/faq/{}", v.id), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        let (_, html, _) = visitor.go("GET", &format!("/qa?q={q}"), None).await;
        assert!(!html.contains("12345热线问答“"), "{b}: no longer cited");
        // Publishing it again is refused while its basis does not hold.
        let e = app.faq_publish(&admin, v.id).await.unwrap_err().to_string();
        assert!(e.contains("撤回"), "{b}: {e}");
    }
}

#[tokio::test]
async fn the_hotline_export_is_imported_with_row_level_errors() {
    for db in databases().await {
        let b = db.backend;
        let app = Arc::new(demo_app(&db).await);
        let router = gongkai_web::router(app.clone());
        let (_, session) = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
        let mut office = Browser::new(&router);
        office.cookies.push(("gk_session".into(), session.token));
        let (s, html, _) = office.go("GET", "/admin/faq", None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let csrf = hidden(&html, "csrf");

        // A GBK CSV as spreadsheets save it: one good row, one without a basis.
        let csv = format!(
            "编号,问题,答复内容,政策依据,答复日期\nRX1,申请政府信息公开需要多长时间答复,能够当场答复的当场答复，不能当场答复的自收到申请之日起二十个工作日内答复。,{BASIS},2025/06/21\nRX2,问一个没有依据的问题,这条答复没有写依据，因此不能导入。,,2025/06/22\n"
        )
        .replace("第三条", "第四条");
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let boundary = "XgkBoundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hotline.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&gbk);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/admin/faq/import")
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(
                header::COOKIE,
                office.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "),
            )
            .body(Body::from(body))
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{b}");
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_string();
            if let Some((k, v)) = pair.split_once('=') {
                office.cookies.retain(|(n, _)| n != k);
                office.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let (_, html, _) = office.go("GET", "/admin/faq", None).await;
        assert!(html.contains("已导入 1 条") && html.contains("第3行"), "{b}: {html}");
        let me = app.login("office", gongkai_app::demo::DEMO_PASSWORD).await.unwrap().0;
        let list = app.faq_list(&me, None).await.unwrap();
        let e = list.iter().find(|e| e.external_ref.as_deref() == Some("RX1")).unwrap();
        assert_eq!((e.origin.as_str(), e.status.code()), ("import", "draft"), "{b}");
        assert_eq!(e.answered_on.map(|d| d.to_string()).as_deref(), Some("2025-06-21"), "{b}");
        assert_eq!(e.basis[0].label, "第四条", "{b}");
    }
}
