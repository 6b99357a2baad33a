//! Commands run against the data folder of a running server — exactly what this test is
//! about. They must never take the server's search index from it: commands that write go
//! through the database (the server's indexer picks the change up), `search` reads the
//! index read-only, and a rebuild or a second server is refused with a clear message.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

struct Killer(Child);
impl Drop for Killer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    c.arg("--data").arg(data).arg("--config").arg("/nonexistent.toml").args(args);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// GET over plain HTTP/1.0; the status and the body.
fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let resp = String::from_utf8_lossy(&buf).to_string();
    let status = resp.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, resp.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()))
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Total hits of a search through the running server's API (None while it is not up).
fn hits(addr: &str, q: &str) -> Option<u64> {
    let (status, body) = get(addr, &format!("/api/v1/search?q={}", encode(q)))?;
    if status != 200 {
        return None;
    }
    let v = serde_json::from_str::<serde_json::Value>(&body).ok()?;
    // The any-word fallback finds near misses; only records with every word count here.
    if v["relaxed"].as_bool() == Some(true) {
        return Some(0);
    }
    v["total"].as_u64()
}

/// Waits up to 90 s: on a loaded two-core CI machine a demo server with the browser test
/// beside it can take a while; this is a wait, not a measurement.
fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..900 {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting until {what}");
}

/// `serve --demo` with `extra` on a fresh data folder named `name`, on a port the server
/// picks itself (a port picked here could be taken by another test before the server binds).
fn demo_server(name: &str, extra: &[&str]) -> (std::path::PathBuf, String, Killer) {
    let data = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut args = vec!["--config", "/nonexistent.toml", "serve", "--demo"];
    args.extend(extra);
    let (addr, server) = serve(&data, &args);
    (data, addr, server)
}

/// Starts `gongkai --data <data> <args> --addr 127.0.0.1:0` and reads the bound address
/// from the line it prints when it listens. Its log is kept beside the data folder.
fn serve(data: &Path, args: &[&str]) -> (String, Killer) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("--data")
        .arg(data)
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(format!("{}.log", data.display())).unwrap())
        .spawn()
        .expect("server starts");
    let stdout = child.stdout.take().unwrap();
    let server = Killer(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("http://").nth(1).and_then(|r| r.split('/').next()).map(str::to_string))
        .unwrap_or_else(|| {
            let log = std::fs::read_to_string(format!("{}.log", data.display())).unwrap_or_default();
            panic!("the server did not start:\n{log}")
        });
    // Keep reading what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (addr, server)
}

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/laws-sample.jsonl");

#[test]
fn commands_beside_a_running_server_never_take_its_search_index() {
    let (data, addr, _server) = demo_server("gongkai-live", &["--no-laws"]);
    wait_until("the demo is searchable", || hits(&addr, "教育").is_some_and(|n| n > 0));
    assert_eq!(hits(&addr, "学生伤害事故"), Some(0), "not imported yet");

    // Every command that only writes through the database, while the server runs.
    let o = run(&data, &["token", "create", "admin"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        &data,
        &["user", "add", "clerk2", "--role", "editor", "--org", "2", "--password-stdin"],
        Some("long-enough-password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&data, &["import", FIXTURE, "--json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&data, &["report", "annual", "--year", "2025", "--json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&data, &["export", "--format", "jsonl"], None);
    assert!(o.status.success(), "{}", text(&o));

    // Searching from the command line reads what the server has indexed.
    let o = run(&data, &["search", "教育", "--json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["total"].as_u64().unwrap() > 0, "{r}");

    // A rebuild and a second server on the same folder are refused, clearly.
    let o = run(&data, &["reindex"], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("停止服务"), "{}", text(&o));
    let other = format!("127.0.0.1:{}", free_port());
    let o = run(&data, &["serve", "--addr", &other], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("同一数据目录只能运行一个服务"), "{}", text(&o));

    // The server's index survived all of it and took in the import from the feed.
    assert!(data.join("search").join("meta.json").exists(), "the index files are still there");
    wait_until("the imported laws are searchable", || hits(&addr, "学生伤害事故").is_some_and(|n| n > 0));
    assert!(hits(&addr, "教育").is_some_and(|n| n > 0));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_demo_imports_its_laws_in_a_job_that_gongkai_jobs_reports() {
    let (data, addr, _server) = demo_server("gongkai-live-jobs", &["--corpus", FIXTURE]);
    let job = |key: &str| -> Option<serde_json::Value> {
        let o = run(&data, &["jobs", "--json"], None);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        v.as_array()?.iter().find(|j| j["key"].as_str() == Some(key)).cloned()
    };
    let done = (0..900).any(|_| {
        let ok = job("import_laws").is_some_and(|j| j["state"].as_str() == Some("done"));
        if !ok {
            std::thread::sleep(Duration::from_millis(100));
        }
        ok
    });
    if !done {
        let log = std::fs::read_to_string(format!("{}.log", data.display())).unwrap_or_default();
        let o = run(&data, &["jobs", "--json"], None);
        panic!("the laws import did not finish: {}\nserver log:\n{log}", text(&o));
    }
    let j = job("import_laws").unwrap();
    assert_eq!(j["progress"], "6/6", "{j}");
    wait_until("the imported laws are searchable", || hits(&addr, "学生伤害事故").is_some_and(|n| n > 0));
    // The recurring jobs are there, and this node's own search indexer.
    for key in ["release_scheduled", "daily_reminder"] {
        let j = job(key).unwrap_or_else(|| panic!("{key}"));
        assert_eq!(j["scope"], "cluster", "{j}");
    }
    let o = run(&data, &["jobs", "--json"], None);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(all.as_array().unwrap().iter().any(|j| j["kind"] == "search_index" && j["scope"] == "node"), "{all}");
    let o = run(&data, &["jobs"], None);
    assert!(text(&o).contains("导入法律法规语料"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&data);
}

/// A client that opens a connection and never finishes its headers is cut off after
/// `header_timeout_secs`; whoever sends a whole request is still served.
#[test]
fn a_connection_that_never_finishes_its_headers_is_closed() {
    let data = std::env::temp_dir().join(format!("gk-slow-headers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let config = data.join("gongkai.toml");
    std::fs::write(&config, "header_timeout_secs = 1\n").unwrap();
    let config_arg = config.to_str().unwrap().to_string();
    let (addr, _server) = serve(&data, &["--config", &config_arg, "serve"]);
    wait_until("the server answers", || get(&addr, "/healthz").is_some_and(|(s, _)| s == 200));
    let mut slow = TcpStream::connect(&addr).unwrap();
    write!(slow, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").unwrap();
    // Far longer than the timeout; a server without one keeps waiting and this read fails
    // with WouldBlock/TimedOut instead of seeing the connection end.
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = Vec::new();
    let ended = slow.read_to_end(&mut buf);
    assert!(ended.is_ok(), "the half-sent request was left open: {ended:?}");
    let answer = String::from_utf8_lossy(&buf);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(get(&addr, "/healthz").map(|(s, _)| s), Some(200), "and the server still serves others");
    let _ = std::fs::remove_dir_all(&data);
}
