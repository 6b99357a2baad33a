//! The binary end to end: organisations, users, tokens, import (twice) and export.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
}

fn data_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gongkai-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run(data: &PathBuf, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = bin();
    c.arg("--data").arg(data).arg("--config").arg("/nonexistent.toml").args(args);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("binary runs");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/laws-sample.jsonl");

#[test]
fn import_is_idempotent_and_reports_bad_lines() {
    let data = data_dir("import");
    let o = run(&data, &["import", FIXTURE], None);
    assert!(!o.status.success(), "import without any organisation fails clearly");
    assert!(String::from_utf8_lossy(&o.stderr).contains("请先创建机构"));

    let o = run(
        &data,
        &["org", "add", "示例区人民政府办公室", "--kind", "office", "--credit-code", "11371202K21349004N", "--json"],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o =
        run(&data, &["org", "add", "坏代码机构", "--kind", "department", "--credit-code", "11371202K21349004A"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("校验位错误"), "{}", String::from_utf8_lossy(&o.stderr));

    let o = run(&data, &["import", FIXTURE, "--json"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["imported"], 4, "{r}");
    let bad: Vec<i64> = r["errors"].as_array().unwrap().iter().map(|e| e[0].as_i64().unwrap()).collect();
    assert_eq!(bad, [3, 6], "bad lines reported with their numbers: {r}");

    let o = run(&data, &["import", FIXTURE, "--json"], None);
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (r["imported"].as_i64(), r["unchanged"].as_i64()),
        (Some(0), Some(4)),
        "running twice changes nothing: {r}"
    );

    let o = run(&data, &["export", "--format", "jsonl"], None);
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    let older: Vec<&serde_json::Value> = lines.iter().filter(|l| l["version_of"].is_string()).collect();
    assert_eq!(older.len(), 1, "the older version links to the newest");
    assert_eq!(older[0]["validity"], "已被修订");
    let ogi = lines.iter().find(|l| l["title"] == "中华人民共和国政府信息公开条例").unwrap();
    assert_eq!(ogi["doc_no"], "国务院令第711号");
    assert!(ogi["gongkai"]["index_no"].as_str().unwrap().starts_with("11371202K21349004N/2019-"));

    // Export, then import into a fresh database: the same records come back.
    let exported = data.join("all.jsonl");
    std::fs::write(&exported, stdout(&o)).unwrap();
    let data2 = data_dir("reimport");
    run(&data2, &["org", "add", "另一个机构", "--kind", "office", "--credit-code", "11370112MB2803691Q"], None);
    let o = run(&data2, &["import", exported.to_str().unwrap(), "--json"], None);
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["imported"], 4, "{r}");
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&data2);
}

#[test]
fn users_and_tokens_from_the_command_line() {
    let data = data_dir("users");
    run(
        &data,
        &["org", "add", "示例区人民政府办公室", "--kind", "office", "--credit-code", "11371202K21349004N"],
        None,
    );
    let o = run(
        &data,
        &["user", "add", "zhang", "--role", "editor", "--org", "11371202K21349004N", "--password-stdin", "--json"],
        Some("short\n"),
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("密码至少10位"));
    let o = run(
        &data,
        &["user", "add", "zhang", "--role", "editor", "--org", "11371202K21349004N", "--password-stdin", "--json"],
        Some("a-long-enough-password\n"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(
        &data,
        &["user", "add", "zhang", "--role", "editor", "--org", "1", "--password-stdin"],
        Some("a-long-enough-password\n"),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("已存在"));
    let o = run(&data, &["token", "create", "zhang"], None);
    assert!(o.status.success());
    assert!(stdout(&o).trim().starts_with("gk_"));
    let o = run(&data, &["token", "create", "nobody"], None);
    assert!(!o.status.success());
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn calendar_check_and_load() {
    let data = data_dir("calendar");
    let o = run(&data, &["calendar", "check", "2025-01-26", "2025-01-29", "2025-03-01", "2025-03-03", "--json"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let days: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let working: Vec<bool> = days.as_array().unwrap().iter().map(|d| d["working"].as_bool().unwrap()).collect();
    assert_eq!(working, [true, false, false, true], "make-up Sunday, 春节, Saturday, Monday");
    assert_eq!(days[1]["holiday"], "春节");
    let o = run(&data, &["calendar", "check", "2027-02-01"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("缺少2027年"), "a year without data is an explicit error");
    let o = run(&data, &["calendar", "check", "2025-02-30"], None);
    assert!(!o.status.success());

    // The district office loads next year's arrangement; it needs an organisation to act in.
    run(
        &data,
        &["org", "add", "示例区人民政府办公室", "--kind", "office", "--credit-code", "11371202K21349004N"],
        None,
    );
    let file = data.join("2027.txt");
    std::fs::write(&file, "year 2027\n2027-02-01 holiday 春节\n2027-02-06 workday 春节调休上班\n").unwrap();
    let o = run(&data, &["calendar", "load", file.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&data, &["calendar", "check", "2027-02-01", "2027-02-06", "--json"], None);
    let days: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((days[0]["working"].as_bool(), days[1]["working"].as_bool()), (Some(false), Some(true)));
    std::fs::write(&file, "year 2027\n2027-02-02 workday 错误\n").unwrap();
    let o = run(&data, &["calendar", "load", file.to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("不是周末"));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn search_from_the_command_line_and_rebuild_after_losing_the_index() {
    let data = data_dir("search");
    run(
        &data,
        &["org", "add", "示例区人民政府办公室", "--kind", "office", "--credit-code", "11371202K21349004N"],
        None,
    );
    run(&data, &["import", FIXTURE], None);
    let find = |data: &PathBuf| {
        let o = run(data, &["search", "政府信息公开", "--json"], None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        r["hits"][0]["title"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(find(&data), "中华人民共和国政府信息公开条例");
    let o = run(&data, &["search", "国务院令第711号", "--json"], None);
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["hits"][0]["exact"], true);
    std::fs::remove_dir_all(data.join("search")).unwrap();
    assert_eq!(find(&data), "中华人民共和国政府信息公开条例", "rebuilt from the database");
    let o = run(&data, &["reindex"], None);
    assert!(stdout(&o).contains("搜索索引已重建：5 件") || stdout(&o).contains("件"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn annual_report_from_the_command_line() {
    let data = data_dir("report");
    run(
        &data,
        &["org", "add", "示例区人民政府办公室", "--kind", "office", "--credit-code", "11371202K21349004N"],
        None,
    );
    let o = run(&data, &["report", "annual", "--year", "2025", "--json"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["part3"]["columns"][6], "总计");
    assert_eq!(r["part3"]["rows"].as_array().unwrap().len(), 30, "every row of the 2021 format");
    let o = run(&data, &["report", "annual", "--year", "2025"], None);
    assert!(stdout(&o).contains("（七）总计") && stdout(&o).contains("四、结转下年度继续办理"));
    let out = data.join("report.xlsx");
    let o = run(&data, &["report", "annual", "--year", "2025", "--out", out.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"), "an .xlsx file");
    let o = run(&data, &["report", "annual", "--year", "2025", "--out", "report.pdf"], None);
    assert!(!o.status.success());
    let o = run(&data, &["report", "annual", "--year", "99"], None);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("年份"));
}

#[test]
fn reminders_and_request_settings_from_the_configuration() {
    let data = data_dir("remind");
    std::fs::create_dir_all(&data).unwrap();
    let with_config = |toml: &str, args: &[&str]| {
        let path = data.join("gongkai.toml");
        std::fs::write(&path, toml).unwrap();
        let mut c = bin();
        c.arg("--data").arg(&data).arg("--config").arg(&path).args(args);
        c.output().unwrap()
    };
    let o = with_config("first_day = \"sometimes\"\n", &["remind"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("配置文件"), "{o:?}");
    let o = with_config("reminder_hour = 30\n", &["remind"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("reminder_hour"), "{o:?}");
    let o = with_config("[smtp]\nurl = \"ftp://mail\"\nfrom = \"gongkai@example.gov.cn\"\n", &["remind"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("[smtp]"), "{o:?}");
    let ok = "first_day = \"same_day\"\nreminder_hour = 7\n[smtp]\nurl = \"smtp://127.0.0.1:9\"\nfrom = \"gongkai@example.gov.cn\"\n";
    let o = with_config(ok, &["remind", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["people"], 0, "nothing open, nobody reminded: {v}");
    let o = run(
        &data,
        &["org", "add", "示例区人民政府办公室", "--kind", "office", "--credit-code", "11371202K21349004N"],
        None,
    );
    assert!(o.status.success());
    let o = run(
        &data,
        &["user", "add", "li", "--role", "editor", "--org", "1", "--email", "li@", "--password-stdin"],
        Some("a-long-enough-password\n"),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("电子邮箱格式不正确"), "{o:?}");
    let o = run(
        &data,
        &["user", "add", "li", "--role", "editor", "--org", "1", "--email", "li@example.gov.cn", "--password-stdin"],
        Some("a-long-enough-password\n"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn the_patrol_from_the_command_line_shows_personal_data_masked() {
    let data = data_dir("patrol");
    let o = run(
        &data,
        &["org", "add", "示例区民政局", "--kind", "department", "--credit-code", "11371202K21349004N"],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let leak = serde_json::json!({
        "id": "leak-1", "title": "低保对象公示", "issuer": "示例区民政局", "doc_no": "示民发[2025]3号",
        "doc_type": "其他", "written_on": "2025-07-01", "published_on": "2025-07-01", "validity": "有效",
        "category": "其他", "body": "第一条 张三，身份证号370116198001011235。\n第二条 依据示民发[2025]3号办理。"
    });
    let file = data.join("leak.jsonl");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(&file, format!("{leak}\n")).unwrap();
    let o = run(&data, &["import", file.to_str().unwrap(), "--json"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&data, &["patrol", "--json"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["run"]["records"].as_i64(), v["run"]["new"].as_i64()), (Some(1), Some(2)), "{out}");
    let found = &v["findings"];
    assert_eq!(found[0]["kind"], "resident_id", "the worst first: {out}");
    assert_eq!((found[0]["shown"].as_str(), found[0]["status"].as_str()), (Some("3701**********1235"), Some("open")));
    let doc_no = found.as_array().unwrap().iter().find(|f| f["kind"] == "doc_no").expect("the 文号 too");
    assert_eq!(doc_no["replacement"], "示民发〔2025〕3号", "{out}");
    // Not even part of the number: a context cut through it is masked up to its edge.
    assert!(!out.contains("1011235"), "never the number itself: {out}");
    // A second run finds the same: nothing new, nothing lost.
    let o = run(&data, &["patrol"], None);
    assert!(stdout(&o).contains("新发现 0 处") && stdout(&o).contains("其中高风险 1 处"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&data);
}
