//! The patrol's link checker against a local HTTP server: a link that answers, one that is
//! gone, one whose site hangs, one to a private address, and links to this site's own pages.

use axum::http::StatusCode;
use axum::routing::get;
use gongkai_testkit::{app_with, databases, demo_app, fixed_now};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A site with pages that answer, are gone, hang, or refuse HEAD; `hits` counts requests.
async fn outside_site(hits: Arc<AtomicUsize>) -> String {
    let hang = move || {
        let hits = hits.clone();
        async move {
            hits.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            "late"
        }
    };
    let router = axum::Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
        .route("/hang", get(hang))
        .route("/get-only", get(|| async { "ok" }).head(|| async { StatusCode::METHOD_NOT_ALLOWED }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    addr
}

#[tokio::test]
async fn broken_links_are_found_without_stalling_on_a_hanging_site_or_asking_the_intranet() {
    for db in databases().await {
        let b = db.backend;
        demo_app(&db).await;
        let hits = Arc::new(AtomicUsize::new(0));
        let site = outside_site(hits.clone()).await;
        let config = gongkai_app::AppConfig {
            check_external_links: true,
            link_timeout_secs: 1,
            link_check_allow: vec![site.clone()],
            site_hosts: vec!["www.laiwu.gov.cn".into()],
            ..Default::default()
        };
        let app = app_with(&db, fixed_now(), config.clone()).await;
        let office = app.system_actor().await.unwrap();
        let published = app.list_documents(None, &Default::default()).await.unwrap();
        let live = published.items.iter().find(|d| d.status == gongkai_domain::Status::Published).unwrap().id;
        let body = format!(
            "第一条 参见http://{site}/ok、http://{site}/gone、http://{site}/hang、http://{site}/get-only。\n\
             第二条 内网http://10.255.255.1/admin和本机http://127.0.0.1:9/x不应出现在公开页面。\n\
             第三条 本站https://www.laiwu.gov.cn/documents/{live}、https://www.laiwu.gov.cn/documents/999999、\
             https://www.laiwu.gov.cn/nowhere、https://www.laiwu.gov.cn/messages。"
        );
        let doc = serde_json::json!({
            "id": "links-1", "title": "链接检查测试文件", "issuer": "济南市莱芜区人民政府办公室", "doc_type": "其他",
            "published_on": "2025-06-30", "validity": "有效", "category": "其他", "body": body
        });
        app.import_jsonl(&office, None, std::io::Cursor::new(format!("{doc}\n")), &|_, _| {}).await.unwrap();

        let run = app.run_patrol().await.unwrap();
        assert_eq!(run.links.asked, 6, "{b}: each outside address once: {run:?}");
        let found = app.patrol_findings(&office, &[]).await.unwrap();
        let mut broken: Vec<(String, String)> = found
            .iter()
            .filter(|f| f.kind == gongkai_domain::patrol::FindingKind::BrokenLink)
            .map(|f| (f.shown.clone(), f.replacement.clone()))
            .collect();
        broken.sort();
        let want = |u: &str, why: &str| (u.to_string(), why.to_string());
        let mut expected = vec![
            want(&format!("http://{site}/gone"), "打开时返回 HTTP 404"),
            want(&format!("http://{site}/hang"), "1秒内没有响应"),
            want("http://10.255.255.1/admin", "指向内网地址或本机，公众无法访问"),
            want("http://127.0.0.1:9/x", "指向内网地址或本机，公众无法访问"),
            want("https://www.laiwu.gov.cn/documents/999999", "链接指向的内容已撤回或不存在"),
            want("https://www.laiwu.gov.cn/nowhere", "本站没有这个页面"),
        ];
        expected.sort();
        assert_eq!(broken, expected, "{b}");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "{b}: the hanging page asked once, HEAD only");

        // Run again (as after a restart): nothing is asked again today, nothing is new.
        let again = app.run_patrol().await.unwrap();
        assert_eq!((again.links.asked, again.new), (0, 0), "{b}: {again:?}");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "{b}");

        // On an intranet the outside is never asked; what was learnt still counts.
        let intranet = gongkai_app::AppConfig { check_external_links: false, ..config };
        let later = fixed_now() + time::Duration::days(2);
        let run = app_with(&db, later, intranet).await.run_patrol().await.unwrap();
        assert_eq!(run.links.asked, 0, "{b}");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "{b}");
    }
}

/// Every page the link checker takes for one of the portal's is served.
#[tokio::test]
async fn the_portal_pages_the_link_checker_knows_are_served() {
    let db = gongkai_testkit::sqlite();
    let app = Arc::new(demo_app(&db).await);
    let router = gongkai_web::router(app);
    let mut visitor = crate::Browser::new(&router);
    for page in gongkai_app::patrol::links::PORTAL_PAGES {
        let (s, _, _) = visitor.go("GET", page, None).await;
        assert_eq!(s, StatusCode::OK, "{page}");
    }
}
