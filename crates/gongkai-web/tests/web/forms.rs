//! The console's forms: every field labelled, dates as date inputs, required fields marked,
//! no addresses or codes for a clerk to read; and a refused form comes back as it was typed,
//! each error beside its field and linked from a summary that takes focus.

use crate::{Browser, hidden, urlencode};
use axum::http::StatusCode;
use gongkai_testkit::{app_with, databases, demo_app};
use std::collections::HashMap;
use std::sync::Arc;
use time::macros::datetime;

/// One tag of a page: its name and attributes (a bare attribute has an empty value).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn get(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    fn has(&self, k: &str) -> bool {
        self.get(k).is_some()
    }
}

/// The opening tags of `html`, in order, with the byte offset of each. Good enough for
/// the pages askama writes: attribute values are quoted and never hold a raw `>`.
fn tags(html: &str) -> Vec<(usize, Tag)> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut base = 0;
    while let Some(at) = rest.find('<') {
        let after = &rest[at + 1..];
        let Some(end) = after.find('>') else { break };
        let inner = &after[..end];
        if inner.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let name_end = inner.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(inner.len());
            let mut attrs = Vec::new();
            let mut a = inner[name_end..].trim_start();
            while !a.is_empty() && !a.starts_with('/') {
                let key_end = a.find(|c: char| c == '=' || c.is_whitespace() || c == '/').unwrap_or(a.len());
                let key = a[..key_end].to_string();
                a = &a[key_end..];
                let mut value = String::new();
                if let Some(v) = a.strip_prefix("=\"") {
                    let close = v.find('"').unwrap_or(v.len());
                    value = v[..close].to_string();
                    a = &v[(close + 1).min(v.len())..];
                }
                attrs.push((key, value));
                a = a.trim_start();
            }
            out.push((base + at, Tag { name: inner[..name_end].to_ascii_lowercase(), attrs }));
        }
        base += at + 1 + end + 1;
        rest = &after[end + 1..];
    }
    out
}

/// The text of `html` with its tags taken out.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// What is wrong with the forms and links of one console page, in words.
fn problems(page: &str, html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let all = tags(html);
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (_, t) in &all {
        if let Some(id) = t.get("id") {
            *ids.entry(id).or_default() += 1;
        }
        let mut seen = Vec::new();
        for (k, _) in &t.attrs {
            if seen.contains(&k) {
                out.push(format!("{page}: <{}> has {k} twice", t.name));
            }
            seen.push(k);
        }
    }
    for (id, n) in &ids {
        if *n > 1 {
            out.push(format!("{page}: id {id} is used {n} times"));
        }
    }
    let labels: Vec<&str> = all.iter().filter(|(_, t)| t.name == "label").filter_map(|(_, t)| t.get("for")).collect();
    // Inside a POST form: each control has a label, dates are date inputs, and a field
    // marked * is required.
    let mut in_post = false;
    for (at, t) in &all {
        match t.name.as_str() {
            "form" => in_post = t.get("method") == Some("post"),
            "input" | "select" | "textarea" if in_post => {
                let kind = t.get("type").unwrap_or("text");
                if matches!(kind, "hidden" | "submit" | "checkbox") {
                    continue;
                }
                let name = t.get("name").unwrap_or("");
                let id = t.get("id").unwrap_or("");
                if id.is_empty() || (!labels.contains(&id) && !t.has("aria-label")) {
                    out.push(format!("{page}: field {name} has no label"));
                }
                if (name.ends_with("_on") || name.ends_with("_by") || name == "on_date") && kind != "date" {
                    out.push(format!("{page}: field {name} is a date but not a date input"));
                }
                let label_at = all
                    .iter()
                    .rev()
                    .find(|(p, l)| p < at && l.name == "label" && l.get("for") == Some(id))
                    .map(|(p, _)| *p);
                if let Some(p) = label_at {
                    let label = &html[p..*at];
                    if label.contains("class=\"req\"") && !t.has("required") {
                        out.push(format!("{page}: field {name} is marked required but not required"));
                    }
                }
                if let Some(d) = t.get("aria-describedby") {
                    for part in d.split_whitespace() {
                        if !ids.contains_key(part) {
                            out.push(format!("{page}: field {name} is described by a missing {part}"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // Links read as words: no address as link text.
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        let a = &rest[at..];
        let open = a.find('>').unwrap_or(0);
        let close = a.find("</a>").unwrap_or(a.len());
        let words = text(&a[open + 1..close.max(open + 1)]);
        let words = words.trim();
        if words.starts_with('/') || words.starts_with("http") {
            out.push(format!("{page}: a link reads as an address: {words}"));
        }
        rest = &a[open + 1..];
    }
    // Codes a clerk should never read, in the text or in the hints fields show.
    let mut words = text(html);
    for (_, t) in &all {
        for k in ["placeholder", "title", "aria-label"] {
            if let Some(v) = t.get(k) {
                words.push(' ');
                words.push_str(v);
            }
        }
    }
    for code in [
        "draft",
        "submitted",
        "approved",
        "published",
        "withdrawn",
        "third_party",
        "per_request",
        "per_page",
        "reconsideration",
        "user.login",
        "YYYY-MM-DD",
    ] {
        if words.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')).any(|w| w == code) {
            out.push(format!("{page}: the page shows the code {code}"));
        }
    }
    out
}

async fn signed_in(router: &axum::Router, app: &gongkai_app::App, user: &str) -> Browser {
    let (_, s) = app.login(user, gongkai_app::demo::DEMO_PASSWORD).await.unwrap();
    let mut b = Browser::new(router);
    b.cookies.push(("gk_session".into(), s.token));
    b
}

#[tokio::test]
async fn every_console_form_field_is_labelled_typed_and_marked_and_links_read_as_words() {
    let db = gongkai_testkit::sqlite();
    demo_app(&db).await;
    let app = app_with(&db, datetime!(2025-09-01 09:00 +8), Default::default()).await;
    app.load_demo_requests().await.unwrap();
    let app = Arc::new(app);
    let router = gongkai_web::router(app.clone());
    let office = app.system_actor().await.unwrap();
    let mut pages: Vec<String> = [
        "/admin/",
        "/admin/orgs",
        "/admin/users",
        "/admin/search-terms",
        "/admin/expansions",
        "/admin/qa-log",
        "/admin/faq",
        "/admin/faq/new",
        "/admin/requests",
        "/admin/requests/find",
        "/admin/requests/new",
        "/admin/reports/annual?year=2025",
        "/admin/documents/new",
        "/admin/audit",
        "/admin/patrol",
        "/admin/wording",
        "/admin/error-reports",
        "/admin/messages",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    let all = app.find_requests(&office, &Default::default()).await.unwrap();
    assert!(all.len() >= 3, "the demo's requests at several stages");
    pages.extend(all.iter().map(|r| format!("/admin/requests/{}", r.id)));
    let docs = app.list_documents(Some(&office), &Default::default()).await.unwrap();
    pages.extend(docs.items.iter().take(6).map(|d| format!("/admin/documents/{}", d.id)));
    let messages = app.message_inbox(&office).await.unwrap();
    assert!(messages.iter().any(|m| m.published) && messages.iter().any(|m| m.stage.is_some()), "answered and waiting");
    pages.extend(messages.iter().map(|m| format!("/admin/messages/{}", m.id)));
    let mut found = Vec::new();
    for user in ["admin", "reviewer"] {
        let mut b = signed_in(&router, &app, user).await;
        for p in &pages {
            let (s, html, _) = b.go("GET", p, None).await;
            if s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND {
                continue;
            }
            assert_eq!(s, StatusCode::OK, "{user} {p}");
            found.extend(problems(&format!("{user} {p}"), &html));
        }
    }
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
}

#[test]
fn the_form_check_finds_what_it_is_for() {
    let bad = r#"<form method="post"><label for="x-a">A <span class="req">*</span></label><input id="x-a" name="a">
        <input id="x-b" name="filed_on" placeholder="YYYY-MM-DD"><textarea name="c"></textarea>
        <input id="x-a" name="d" aria-describedby="nowhere" aria-describedby="twice"></form><a href="/api/v1/x">/api/v1/x</a><td>draft</td>"#;
    let p = problems("t", bad);
    for want in [
        "field a is marked required",
        "field filed_on is a date",
        "field c has no label",
        "field filed_on has no label",
        "id x-a is used 2 times",
        "has aria-describedby twice",
        "described by a missing nowhere",
        "reads as an address",
        "shows the code draft",
        "shows the code YYYY-MM-DD",
    ] {
        assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
    }
    let good = r#"<form method="post"><label for="x-a">A <span class="req">*</span></label><input id="x-a" name="a" required>
        <label for="x-b">日期</label><input type="date" id="x-b" name="filed_on"></form><a href="/api/v1/x">下载</a>"#;
    assert!(problems("t", good).is_empty(), "{:?}", problems("t", good));
}

/// The value of the input `id` in `html`, as the page shows it.
fn value_of(html: &str, id: &str) -> Option<String> {
    tags(html).into_iter().find(|(_, t)| t.get("id") == Some(id)).and_then(|(_, t)| t.get("value").map(str::to_string))
}

/// Whether the page marks `id` as invalid, described by its message, and links to it from
/// a summary that takes focus.
fn marked(html: &str, id: &str) -> bool {
    let field = tags(html).into_iter().find(|(_, t)| t.get("id") == Some(id));
    let err = format!("{id}-err");
    field.is_some_and(|(_, t)| {
        t.get("aria-invalid") == Some("true")
            && t.get("aria-describedby").is_some_and(|d| d.split_whitespace().any(|p| p == err))
    }) && html.contains(&format!("id=\"{err}\""))
        && html.contains(&format!("href=\"#{id}\""))
        && html.contains("class=\"alert error-summary\" role=\"alert\"")
        && html.contains("autofocus")
}

#[tokio::test]
async fn a_refused_console_form_comes_back_as_typed_with_each_error_at_its_field() {
    for db in databases().await {
        let b = db.backend;
        demo_app(&db).await;
        let app = app_with(&db, datetime!(2025-09-01 09:00 +8), Default::default()).await;
        app.load_demo_requests().await.unwrap();
        let app = Arc::new(app);
        let router = gongkai_web::router(app.clone());
        let mut me = signed_in(&router, &app, "admin").await;

        // A new user with a bad e-mail and a short password: what was typed stays (never
        // the password), each error is at its field.
        let (_, page, _) = me.go("GET", "/admin/users", None).await;
        let csrf = hidden(&page, "csrf");
        let org = app.orgs().await.unwrap()[1].id;
        let form = format!(
            "csrf={csrf}&username=wang.li&display_name={}&email=not-an-address&role=editor&org={org}&password=short",
            urlencode("王丽")
        );
        let (s, html, _) = me.go("POST", "/admin/users", Some(form)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(marked(&html, "user-email") && marked(&html, "user-password"), "{b}: {html}");
        assert!(!marked(&html, "user-username"), "{b}: only the fields at fault");
        assert_eq!(value_of(&html, "user-username").as_deref(), Some("wang.li"), "{b}");
        assert_eq!(value_of(&html, "user-display_name").as_deref(), Some("王丽"), "{b}");
        assert_eq!(value_of(&html, "user-email").as_deref(), Some("not-an-address"), "{b}");
        assert_eq!(value_of(&html, "user-password"), None, "{b}: a password is never sent back");
        assert!(html.contains(&format!("<option value=\"{org}\" selected>")), "{b}: the organisation chosen");
        assert!(app.users(&app.system_actor().await.unwrap()).await.unwrap().iter().all(|u| u.username != "wang.li"));

        // A handling step the regulation refuses: an extension over 20 working days. The
        // note the clerk wrote is still there, the error is at the number of days.
        let office = app.system_actor().await.unwrap();
        let open = app
            .find_requests(
                &office,
                &gongkai_app::requests::RequestSearch { q: Some("张三".into()), ..Default::default() },
            )
            .await
            .unwrap();
        let rid = open[0].id;
        let (_, page, _) = me.go("GET", &format!("/admin/requests/{rid}"), None).await;
        let csrf = hidden(&page, "csrf");
        let note = "涉及多个科室，需调取档案";
        let form = format!(
            "csrf={csrf}&form=step&kind=extension&on_date=2025-09-01&note={}&days=30&approver={}",
            urlencode(note),
            urlencode("李主任")
        );
        let (s, html, _) = me.go("POST", &format!("/admin/requests/{rid}/events"), Some(form)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(marked(&html, "step-days"), "{b}: {html}");
        assert_eq!(value_of(&html, "step-note").as_deref(), Some(note), "{b}");
        assert_eq!(value_of(&html, "step-days").as_deref(), Some("30"), "{b}");
        assert!(html.contains("<option value=\"extension\" selected>"), "{b}: the step chosen");
        assert!(html.contains("第三十三条"), "{b}: the rule's own words");

        // A transfer without a reason: the transfer form is the one marked, not the step form.
        let other = app.request_orgs().await.unwrap().into_iter().find(|o| o.id != open[0].org_id).unwrap().id;
        let form = format!("csrf={csrf}&form=transfer&kind=transfer&on_date=2025-09-01&to_org_id={other}&note=");
        let (s, html, _) = me.go("POST", &format!("/admin/requests/{rid}/events"), Some(form)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(marked(&html, "transfer-note") && !html.contains("id=\"step-errors\""), "{b}: {html}");

        // A success still redirects (Post/Redirect/Get) and says so once.
        let form = format!("csrf={csrf}&path={}", urlencode("综合政务\\政务公开专区"));
        let (s, _, to) = me.go("POST", "/admin/topics", Some(form)).await;
        assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/orgs")), "{b}");
        let (_, html, _) = me.go("GET", "/admin/orgs", None).await;
        assert!(html.contains("id=\"flash\"") && html.contains("已添加主题分类"), "{b}");
        let form = format!("csrf={csrf}&term={}&note=", urlencode("一 网"));
        let (s, html, _) = me.go("POST", "/admin/search-terms", Some(form)).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && marked(&html, "term-term"), "{b}: {s}");
        assert_eq!(value_of(&html, "term-term").as_deref(), Some("一 网"), "{b}");
    }
}
