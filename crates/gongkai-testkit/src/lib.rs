//! Test support: a fresh database per test on SQLite and, when reachable, PostgreSQL;
//! a fixed clock.

use sea_orm::{ConnectionTrait, Database};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use time::OffsetDateTime;

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    dir: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

// Only a unique name for a test database, not a time any code under test sees.
#[allow(clippy::disallowed_methods)]
fn unique() -> String {
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000
    )
}

pub fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(format!("gongkai-test-{}", unique()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    TestDb { backend: "sqlite", url: format!("sqlite://{}", dir.join("t.sqlite").display()), dir: Some(dir) }
}

/// A fresh PostgreSQL database, or None (with a message) when the server is absent.
/// With `GONGKAI_REQUIRE_PG=1` an absent server fails the test instead.
pub async fn postgres() -> Option<TestDb> {
    let admin_url = std::env::var("GONGKAI_TEST_PG").unwrap_or_else(|_| PG_ADMIN_URL.to_string());
    let required = std::env::var("GONGKAI_REQUIRE_PG").is_ok_and(|v| v == "1");
    let admin = match Database::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => {
            if required {
                panic!("GONGKAI_REQUIRE_PG=1 but PostgreSQL at {admin_url} is not reachable: {e}");
            }
            eprintln!(
                "SKIP PostgreSQL tests: {admin_url} not reachable ({e}); set GONGKAI_REQUIRE_PG=1 to make this a failure"
            );
            return None;
        }
    };
    let name = format!("gongkai_t_{}", unique());
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin_url.clone());
    Some(TestDb { backend: "postgresql", url: format!("{base}/{name}"), dir: None })
}

/// SQLite always, PostgreSQL when available.
pub async fn databases() -> Vec<TestDb> {
    let mut v = vec![sqlite()];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}

/// 2025-07-01 10:00 Beijing time.
pub fn fixed_now() -> OffsetDateTime {
    time::macros::datetime!(2025-07-01 02:00 UTC)
}

/// The default settings, except that a test never asks the outside world whether a link
/// answers (the link checker's own tests point it at a local server).
pub fn test_config() -> gongkai_app::AppConfig {
    gongkai_app::AppConfig { check_external_links: false, ..Default::default() }
}

/// An app on a migrated database with the demo district loaded, at [`fixed_now`].
pub async fn demo_app(db: &TestDb) -> gongkai_app::App {
    let store = gongkai_store::Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let app = gongkai_app::App::new(store, std::sync::Arc::new(gongkai_domain::FixedClock(fixed_now())), test_config())
        .with_search(gongkai_search::SearchIndex::in_memory().expect("index"), false);
    app.load_demo().await.expect("demo data loads");
    app.index_pending().await.expect("indexing");
    app
}

/// Another app on an existing database whose clock reads `now` (to let time pass).
pub async fn app_at(db: &TestDb, now: OffsetDateTime) -> gongkai_app::App {
    let store = gongkai_store::Store::connect(&db.url).await.expect("connect");
    gongkai_app::App::new(store, std::sync::Arc::new(gongkai_domain::FixedClock(now)), test_config())
}

/// An app on an existing database with its own settings, whose clock reads `now`.
pub async fn app_with(db: &TestDb, now: OffsetDateTime, config: gongkai_app::AppConfig) -> gongkai_app::App {
    let store = gongkai_store::Store::connect(&db.url).await.expect("connect");
    gongkai_app::App::new(store, std::sync::Arc::new(gongkai_domain::FixedClock(now)), config)
}

/// One message a [`FakeSmtp`] accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    /// Header lines as sent.
    pub headers: String,
    /// The body, base64 undone.
    pub body: String,
}

/// A local SMTP server that accepts everything and keeps the messages, so the reminder
/// e-mail is tested over a real connection.
pub struct FakeSmtp {
    pub url: String,
    pub mail: std::sync::Arc<std::sync::Mutex<Vec<Mail>>>,
}

pub async fn fake_smtp() -> FakeSmtp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mail: std::sync::Arc<std::sync::Mutex<Vec<Mail>>> = Default::default();
    let kept = mail.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let _ = smtp_session(sock, kept).await;
            });
        }
    });
    FakeSmtp { url: format!("smtp://127.0.0.1:{port}"), mail }
}

async fn smtp_session(
    sock: tokio::net::TcpStream,
    kept: std::sync::Arc<std::sync::Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (r, mut w) = sock.into_split();
    let mut lines = BufReader::new(r).lines();
    w.write_all(b"220 fake ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut data: Option<String> = None;
    while let Some(line) = lines.next_line().await? {
        if let Some(buf) = data.as_mut() {
            if line == "." {
                let raw = data.take().unwrap_or_default();
                let (headers, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
                let body = if headers.to_ascii_lowercase().contains("content-transfer-encoding: base64") {
                    use base64::Engine;
                    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default();
                    String::from_utf8_lossy(&bytes).into_owned()
                } else {
                    body.to_string()
                };
                kept.lock().expect("lock").push(Mail {
                    to: std::mem::take(&mut to),
                    headers: headers.to_string(),
                    body,
                });
                w.write_all(b"250 OK queued\r\n").await?;
            } else {
                buf.push_str(line.strip_prefix('.').unwrap_or(&line));
                buf.push('\n');
            }
            continue;
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            w.write_all(b"250-fake\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("DATA") {
            data = Some(String::new());
            w.write_all(b"354 go ahead\r\n").await?;
        } else if upper.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"250 OK\r\n").await?;
        }
    }
    Ok(())
}

/// The semantic model, from `GONGKAI_MODEL` or `target/model-data/model/` (where `.ci/run`
/// installs it). None, with a message, when it is absent; a failure instead when
/// `GONGKAI_REQUIRE_MODEL=1` (CI), as with PostgreSQL and the browser.
pub fn model() -> Option<std::sync::Arc<gongkai_embed::Embedder>> {
    let path = std::env::var("GONGKAI_MODEL").map(std::path::PathBuf::from).unwrap_or_else(|_| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/model-data/model")
            .join(gongkai_embed::MODEL_FILE)
    });
    match gongkai_embed::Embedder::open(&path) {
        Ok(e) => Some(std::sync::Arc::new(e)),
        Err(e) if std::env::var("GONGKAI_REQUIRE_MODEL").as_deref() == Ok("1") => {
            panic!("GONGKAI_REQUIRE_MODEL=1 but the semantic model cannot be opened: {e}")
        }
        Err(e) => {
            eprintln!("skipped: semantic model not available ({e})");
            None
        }
    }
}
