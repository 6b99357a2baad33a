//! The `gongkai` binary: command line, configuration and wiring. The only place that
//! reads the clock, the environment or configuration files.

use clap::{Parser, Subcommand};
use gongkai_app::{App, AppConfig};
use gongkai_domain::Clock;
use gongkai_store::Store;
use serde::Deserialize;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

/// `println!` that ends the program quietly when the reader went away (`gongkai jobs |
/// head`) instead of panicking on the closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            fail(format!("无法输出：{e}"));
        }
    }};
}

#[derive(Parser)]
#[command(name = "gongkai", version, about = "gongkai 政务公开平台")]
struct Cli {
    /// Data folder (SQLite database, search index).
    #[arg(long, global = true, env = "GONGKAI_DATA")]
    data: Option<PathBuf>,
    /// postgres://… to run on PostgreSQL instead of the embedded SQLite.
    #[arg(long, global = true, env = "GONGKAI_DATABASE_URL")]
    database_url: Option<String>,
    /// Configuration file (defaults < file < environment < flags).
    #[arg(long, global = true, env = "GONGKAI_CONFIG", default_value = "gongkai.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the portal, admin console and API.
    Serve {
        #[arg(long, env = "GONGKAI_ADDR")]
        addr: Option<String>,
        /// Loads demo data on first start.
        #[arg(long)]
        demo: bool,
        /// Another laws corpus for the demo to import (JSON Lines, or .jsonl.gz) instead of
        /// the one shipped inside gongkai.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// The demo without the laws corpus.
        #[arg(long)]
        no_laws: bool,
    },
    /// Applies database migrations.
    Migrate,
    /// Rebuilds the search index from the database.
    Reindex,
    /// Evaluates retrieval quality.
    Eval {
        #[command(subcommand)]
        cmd: EvalCmd,
    },
    /// Searches what is published.
    Search {
        query: Vec<String>,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 10)]
        limit: u64,
    },
    /// Imports documents from JSON Lines (the laws-corpus format).
    Import {
        file: PathBuf,
        /// Organisation (id or credit code) that owns imported records.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Exports every published document as JSON Lines to standard output.
    Export {
        #[arg(long, default_value = "jsonl")]
        format: String,
    },
    /// Reports: `report annual --year 2025 [--org CODE] [--json]`.
    Report {
        #[command(subcommand)]
        cmd: ReportCmd,
    },
    /// Sends today's reminders now (the server also does it every working day).
    Remind {
        #[arg(long)]
        json: bool,
    },
    /// The official working-day calendar.
    Calendar {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// Manages organisations.
    Org {
        #[command(subcommand)]
        cmd: OrgCmd,
    },
    /// Manages users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Background jobs: what ran, failed and is due.
    Jobs {
        #[arg(long)]
        json: bool,
    },
    /// Manages API tokens.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
}

#[derive(Subcommand)]
enum EvalCmd {
    /// Recall@1/5/10 and MRR at document and article level for a question file in the
    /// format of shared/data/qa_dev.jsonl.
    Retrieval {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ReportCmd {
    /// The annual report's request table (part 三, 2021 national format), from the cases.
    Annual {
        #[arg(long)]
        year: i32,
        /// An organisation (id or credit code); the whole district when left out.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
        /// Also write the tables to FILE.docx or FILE.xlsx.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Tells, for each date, whether it is a working day and the holiday's name.
    Check {
        #[arg(required = true)]
        dates: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Loads a year's holiday arrangement from a file (format: crates/gongkai-domain/calendar/2026.txt).
    Load { file: PathBuf },
}

#[derive(Subcommand)]
enum OrgCmd {
    /// Adds an organisation.
    Add {
        name: String,
        /// government, office, department, town or village
        #[arg(long)]
        kind: String,
        /// 统一社会信用代码 (checked).
        #[arg(long)]
        credit_code: String,
        /// 机关代字, e.g. 莱政办发.
        #[arg(long)]
        issuer_code: Option<String>,
        #[arg(long)]
        parent: Option<i64>,
        #[arg(long, default_value_t = 1)]
        review_levels: i32,
        #[arg(long)]
        json: bool,
    },
    /// Lists organisations.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Adds a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// Organisation id or unified social credit code.
        #[arg(long)]
        org: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Where daily reminders are e-mailed (when SMTP is configured).
        #[arg(long)]
        email: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Creates a bearer token for a user and prints it once.
    Create {
        name: String,
        #[arg(long, default_value = "api")]
        label: String,
    },
}

/// `gongkai.toml`. An unknown key is refused, so a misspelt setting is never silently ignored.
#[derive(Deserialize, Default, Debug)]
#[serde(default, deny_unknown_fields)]
struct FileConfig {
    data: Option<PathBuf>,
    database_url: Option<String>,
    addr: Option<String>,
    site_name: Option<String>,
    max_upload_mb: Option<usize>,
    /// Search results kept per index generation (0 turns the cache off).
    search_cache: Option<usize>,
    /// How the first day of a legal period is counted: next_day (default) or same_day.
    first_day: Option<gongkai_domain::deadline::FirstDay>,
    /// Beijing hour of the daily reminder (default 8).
    reminder_hour: Option<u8>,
    /// E-mail for the daily reminder; without it reminders stay in the console.
    smtp: Option<gongkai_app::reminders::SmtpConfig>,
    /// Reverse proxies whose X-Forwarded-For header names the client.
    trusted_proxies: Option<Vec<std::net::IpAddr>>,
    /// Served over HTTPS (directly or behind a proxy): Secure cookies and HSTS.
    secure_cookies: Option<bool>,
    /// Minutes without a request after which a console session ends (default 30).
    session_idle_minutes: Option<i64>,
    /// Applications by one identity in one day from which the office is alerted (第三十五条).
    request_flag_per_day: Option<i32>,
    /// Submissions of a public form (apply, track, log in) per source address and minute.
    form_rate_per_minute: Option<u32>,
}

struct SystemClock;
impl Clock for SystemClock {
    // The one reading of the wall clock in the program (clippy.toml forbids the others).
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Parses `gongkai.toml`; the error names the line and, for a misspelt key, the keys known.
fn parse_config(text: &str) -> Result<FileConfig, String> {
    toml::from_str(text).map_err(|e| {
        let msg = e.message().replace("unknown field", "未知的设置项").replace("expected one of", "可用的设置项：");
        match e.span().and_then(|r| text.get(..r.start)).map(|before| before.matches('\n').count() + 1) {
            Some(line) => format!("第{line}行：{msg}"),
            None => msg,
        }
    })
}

/// This node's name in the job table: stable across restarts (the host and the data
/// folder), distinct for each node sharing one PostgreSQL.
fn node_name(cli: &Cli, file: &FileConfig) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    let data = cli.data.clone().or(file.data.clone()).unwrap_or_else(|| PathBuf::from("data"));
    let data = data.canonicalize().unwrap_or(data);
    format!("{host}:{}", data.display())
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("错误：{msg}");
    std::process::exit(1)
}

/// What a command needs of the data folder's search index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum IndexUse {
    /// Nothing: the command writes through the database, and whoever owns the index (the
    /// running server, or the next one to start) picks the change up from the feed.
    None,
    /// Searching: as owner when nobody else is, else read-only beside the running server.
    Read,
    /// Owning it (the server, a rebuild): refused while another process owns it.
    Own,
}

async fn open(cli: &Cli, file: &FileConfig, use_index: IndexUse) -> App {
    let data = cli.data.clone().or(file.data.clone()).unwrap_or_else(|| PathBuf::from("data"));
    if let Err(e) = std::fs::create_dir_all(&data) {
        fail(format!("无法创建数据目录 {}：{e}", data.display()));
    }
    let url = match cli.database_url.clone().or(file.database_url.clone()) {
        Some(u) => u,
        None => format!("sqlite://{}", data.join("gongkai.sqlite").display()),
    };
    let store = Store::connect(&url).await.unwrap_or_else(|e| fail(e));
    store.migrate().await.unwrap_or_else(|e| fail(e));
    let mut config = AppConfig::default();
    if let Some(s) = &file.site_name {
        config.site_name = s.clone();
    }
    if let Some(m) = file.max_upload_mb {
        config.max_upload_bytes = m * 1024 * 1024;
    }
    if let Some(f) = file.first_day {
        config.first_day = f;
    }
    if let Some(h) = file.reminder_hour {
        if h > 23 {
            fail("reminder_hour 应为 0 至 23");
        }
        config.reminder_hour = h;
    }
    if let Some(smtp) = &file.smtp
        && let Err(e) = smtp.check()
    {
        fail(format!("配置文件中的 [smtp] 有误：{e}"));
    }
    config.smtp = file.smtp.clone();
    if let Some(p) = &file.trusted_proxies {
        config.trusted_proxies = p.clone();
    }
    if let Some(s) = file.secure_cookies {
        config.secure_cookies = s;
    }
    if let Some(m) = file.session_idle_minutes {
        if !(1..=24 * 60).contains(&m) {
            fail("session_idle_minutes 应为 1 至 1440");
        }
        config.session_idle_minutes = m;
    }
    if let Some(n) = file.request_flag_per_day {
        if n < 1 {
            fail("request_flag_per_day 应为正整数");
        }
        config.request_flag_per_day = n;
    }
    if let Some(n) = file.form_rate_per_minute {
        if n < 1 {
            fail("form_rate_per_minute 应为正整数");
        }
        config.form_rate_per_minute = n;
    }
    let dir = data.join("search");
    let opened = match use_index {
        IndexUse::None => None,
        _ => match gongkai_search::SearchIndex::open(&dir) {
            Ok(x) => Some(x),
            Err(gongkai_search::SearchError::Busy(_)) if use_index == IndexUse::Read => {
                eprintln!("提示：gongkai serve 正在使用此数据目录，检索的是它已建立的索引");
                let index = gongkai_search::SearchIndex::open_read_only(&dir)
                    .unwrap_or_else(|e| fail(format!("无法读取搜索索引：{e}")));
                Some((index, false))
            }
            Err(e @ gongkai_search::SearchError::Busy(_)) => {
                fail(format!("{e}。同一数据目录只能运行一个服务；要重建索引，请先停止服务（服务启动时会自动补齐索引）"))
            }
            Err(e) => fail(format!("无法打开搜索索引：{e}")),
        },
    };
    let mut app = App::new(store, Arc::new(SystemClock), config);
    if let Some((mut index, fresh)) = opened {
        if let Some(n) = file.search_cache {
            index.set_cache_entries(n);
        }
        app = app.with_search(index, fresh);
    }
    app.ensure_topics().await.unwrap_or_else(|e| fail(e));
    if use_index == IndexUse::None {
        return app;
    }
    // The index is rebuilt when the district office's dictionary changed since it was built.
    app.use_search_terms().await.unwrap_or_else(|e| fail(e));
    app
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() {
        let pb = indicatif::ProgressBar::new(total);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    } else {
        indicatif::ProgressBar::hidden()
    }
}

async fn import_file(
    app: &App,
    path: &std::path::Path,
    org: Option<i64>,
) -> gongkai_app::Result<gongkai_app::import::ImportReport> {
    let reader = gongkai_app::import::open_jsonl(path)?;
    let actor = app.system_actor().await?;
    let pb = progress_bar(0);
    let report = app
        .import_jsonl(&actor, org, reader, &|done, total| {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
        })
        .await;
    pb.finish_and_clear();
    report
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let file: FileConfig = match std::fs::read_to_string(&cli.config) {
        Ok(s) => parse_config(&s).unwrap_or_else(|e| fail(format!("配置文件 {} 有误：{e}", cli.config.display()))),
        Err(_) => FileConfig::default(),
    };
    match &cli.command {
        Command::Eval { cmd: EvalCmd::Retrieval { file: path, json } } => {
            let app = open(&cli, &file, IndexUse::Read).await;
            if app.search_needs_rebuild() {
                app.reindex().await.unwrap_or_else(|e| fail(e));
            } else {
                app.index_pending().await.unwrap_or_else(|e| fail(e));
            }
            let text =
                std::fs::read_to_string(path).unwrap_or_else(|e| fail(format!("无法读取 {}：{e}", path.display())));
            let mut qs = Vec::new();
            for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                match serde_json::from_str::<gongkai_app::search::EvalQuestion>(line) {
                    Ok(q) => qs.push(q),
                    Err(e) => fail(format!("第{}行：{e}", i + 1)),
                }
            }
            let r = app.eval_retrieval(&qs).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                say!("问题 {} 个（其中 {} 个的标准答案文件不在库中）", r.questions, r.missing_gold);
                say!(
                    "文件级：Recall@1 {:.3}  Recall@5 {:.3}  Recall@10 {:.3}  MRR {:.3}",
                    r.doc_recall_at_1,
                    r.doc_recall_at_5,
                    r.doc_recall_at_10,
                    r.doc_mrr
                );
                say!(
                    "条款级：Recall@1 {:.3}  Recall@5 {:.3}  Recall@10 {:.3}  MRR {:.3}",
                    r.article_recall_at_1,
                    r.article_recall_at_5,
                    r.article_recall_at_10,
                    r.article_mrr
                );
            }
        }
        Command::Reindex => {
            let app = open(&cli, &file, IndexUse::Own).await;
            let n = app.reindex().await.unwrap_or_else(|e| fail(e));
            say!("搜索索引已重建：{n} 件");
        }
        Command::Search { query, json, limit } => {
            let app = open(&cli, &file, IndexUse::Read).await;
            if app.search_needs_rebuild() {
                app.reindex().await.unwrap_or_else(|e| fail(e));
            } else {
                app.index_pending().await.unwrap_or_else(|e| fail(e));
            }
            let p = gongkai_app::search::SearchParams {
                q: Some(query.join(" ")),
                per_page: Some(*limit),
                ..Default::default()
            };
            let r = app.search(&p).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                say!("共 {} 条", r.total);
                for h in r.hits {
                    say!(
                        "{}\t{}\t{}\t{}",
                        h.id,
                        h.published_on.unwrap_or_default(),
                        h.doc_no.unwrap_or_default(),
                        h.title
                    );
                }
            }
        }
        Command::Migrate => {
            open(&cli, &file, IndexUse::None).await;
            say!("数据库已是最新结构");
        }
        Command::Serve { addr, demo, corpus, no_laws } => {
            let app = Arc::new(open(&cli, &file, IndexUse::Own).await);
            if *demo && app.is_empty().await.unwrap_or(false) {
                app.load_demo().await.unwrap_or_else(|e| fail(format!("加载示例数据失败：{e}")));
                // Dated from today: needs this year's calendar, so a failure is only a warning.
                if let Err(e) = app.load_demo_requests().await {
                    tracing::warn!(error = %e, "demo requests skipped");
                }
                say!(
                    "已加载示例数据。管理后台 /admin/ 用户 admin、office、deputy、director、editor、reviewer，密码 {}",
                    gongkai_app::demo::DEMO_PASSWORD
                );
                // The laws corpus is imported in the background as a job: cut short by a stop,
                // it goes on at the next start (the import is idempotent).
                if !*no_laws {
                    let payload = match corpus {
                        Some(p) => serde_json::json!({ "path": p.canonicalize().unwrap_or(p.clone()) }),
                        None => serde_json::json!({}),
                    };
                    app.enqueue_job("import_laws", "import_laws", payload)
                        .await
                        .unwrap_or_else(|e| fail(format!("无法安排法律法规导入：{e}")));
                    say!("法律法规语料（3,457 件）将在后台导入，进度见管理后台首页或 gongkai jobs");
                }
            }
            // Background work: scheduled publication, the daily reminder and the laws import
            // once per cluster, this node's search index; all stopped cleanly on a signal.
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let runner = gongkai_app::jobs::JobRunner::new(app.clone(), node_name(&cli, &file));
            let jobs = tokio::spawn(runner.run_until(stop_rx.clone(), std::time::Duration::from_secs(10)));
            let addr = addr.clone().or(file.addr.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
            let listener =
                tokio::net::TcpListener::bind(&addr).await.unwrap_or_else(|e| fail(format!("无法监听 {addr}：{e}")));
            say!("gongkai 已启动：http://{addr}/ （数据库：{}）", app.store().backend_name());
            let router = gongkai_web::router(app);
            tokio::spawn(async move {
                shutdown_signal().await;
                tracing::info!("stopping: no new requests or jobs are taken");
                let _ = stop_tx.send(true);
            });
            let mut stopped = stop_rx.clone();
            // The peer's address reaches the handlers (login throttling by source).
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await
                .unwrap_or_else(|e| fail(e));
            let _ = jobs.await;
        }
        Command::Remind { json } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let r = app.send_daily_reminders().await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                say!(
                    "提醒 {} 人：后台 {} 条，邮件发送 {} 封，失败 {} 封，未登记邮箱 {} 人",
                    r.people,
                    r.console,
                    r.emailed,
                    r.failed,
                    r.no_email
                );
            }
        }
        Command::Import { file: path, org, json } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let org_id = match org {
                Some(o) => Some(app.find_org(o).await.unwrap_or_else(|e| fail(e)).id),
                None => None,
            };
            let r = import_file(&app, path, org_id).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                for (line, msg) in &r.errors {
                    eprintln!("第{line}行：{msg}");
                }
                say!(
                    "读取 {} 行：新导入 {}，已存在未改动 {}，出错跳过 {}",
                    r.lines,
                    r.imported,
                    r.unchanged,
                    r.errors.len()
                );
            }
        }
        Command::Export { format } => {
            if format != "jsonl" {
                fail("目前只支持 --format jsonl");
            }
            let app = open(&cli, &file, IndexUse::None).await;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let n = app.export_jsonl(&mut out).await.unwrap_or_else(|e| fail(e));
            drop(out);
            eprintln!("已导出 {n} 件");
        }
        Command::Calendar { cmd: CalendarCmd::Check { dates, json } } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            let mut parsed = Vec::new();
            for d in dates {
                match time::Date::parse(d.trim(), fmt) {
                    Ok(x) => parsed.push(x),
                    Err(_) => fail(format!("“{d}”不是 YYYY-MM-DD 格式的日期")),
                }
            }
            let days = app.calendar_days(&parsed).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&days).unwrap_or_default());
            } else {
                for d in days {
                    let what = match (&d.holiday, &d.makeup_for, d.working) {
                        (Some(h), _, _) => format!("休息（{h}）"),
                        (_, Some(m), _) => format!("工作日（{m}）"),
                        (_, _, true) => "工作日".to_string(),
                        _ => "休息（周末）".to_string(),
                    };
                    say!("{}\t{what}", d.date);
                }
            }
        }
        Command::Report { cmd: ReportCmd::Annual { year, org, json, out } } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let actor = app.system_actor().await.unwrap_or_else(|e| fail(e));
            let org_id = match org {
                None => None,
                Some(o) => Some(app.find_org(o).await.unwrap_or_else(|e| fail(e)).id),
            };
            let r = app.annual_report(&actor, *year, org_id).await.unwrap_or_else(|e| fail(e));
            if let Some(path) = out {
                let bytes = match path.extension().and_then(|e| e.to_str()) {
                    Some("docx") => r.docx(),
                    Some("xlsx") => r.xlsx(),
                    _ => fail("--out 的文件名应以 .docx 或 .xlsx 结尾"),
                }
                .unwrap_or_else(|e| fail(e));
                std::fs::write(path, bytes).unwrap_or_else(|e| fail(format!("无法写入 {}：{e}", path.display())));
            }
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                say!("三、收到和处理政府信息公开申请情况（{}年）", r.year);
                say!("{:<40}\t{}", "", r.part3.columns.join("\t"));
                for row in &r.part3.rows {
                    let indent = "  ".repeat(row.level as usize);
                    match row.values {
                        Some(v) => say!(
                            "{indent}{}\t{}",
                            row.label,
                            v.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("\t")
                        ),
                        None => say!("{indent}{}", row.label),
                    }
                }
            }
        }
        Command::Calendar { cmd: CalendarCmd::Load { file: path } } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let text =
                std::fs::read_to_string(path).unwrap_or_else(|e| fail(format!("无法读取 {}：{e}", path.display())));
            let actor = app.system_actor().await.unwrap_or_else(|e| fail(e));
            let year = app.load_calendar_year(&actor, &text).await.unwrap_or_else(|e| fail(e));
            say!("已导入{year}年节假日安排");
        }
        Command::Org { cmd: OrgCmd::Add { name, kind, credit_code, issuer_code, parent, review_levels, json } } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let actor = app.system_actor().await.unwrap_or_else(|e| fail(e));
            let o = app
                .create_org(
                    &actor,
                    gongkai_app::orgs::NewOrg {
                        name: name.clone(),
                        kind: kind.clone(),
                        parent_id: *parent,
                        issuer_code: issuer_code.clone(),
                        credit_code: credit_code.clone(),
                        review_levels: *review_levels,
                        require_interpretation: true,
                        is_sample: false,
                    },
                )
                .await
                .unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string(&o).unwrap_or_default());
            } else {
                say!("已添加机构 {}（编号 {}）", o.name, o.id);
            }
        }
        Command::Org { cmd: OrgCmd::List { json } } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let orgs = app.orgs().await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&orgs).unwrap_or_default());
            } else {
                for o in orgs {
                    say!("{}\t{}\t{}\t{}", o.id, o.credit_code, o.issuer_code.unwrap_or_default(), o.name);
                }
            }
        }
        Command::User { cmd: UserCmd::Add { name, role, org, display_name, email, password_stdin: _, json } } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let mut pw = String::new();
            std::io::stdin().read_to_string(&mut pw).unwrap_or_else(|e| fail(e));
            let actor = app.system_actor().await.unwrap_or_else(|e| fail(e));
            let u = app
                .add_user(
                    &actor,
                    gongkai_app::auth::NewUser {
                        username: name.clone(),
                        display_name: display_name.clone(),
                        role: role.clone(),
                        org: org.clone(),
                        password: pw.trim_end_matches(['\n', '\r']).to_string(),
                        email: email.clone(),
                    },
                )
                .await
                .unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::json!({"id": u.id, "username": u.username, "role": u.role, "org_id": u.org_id}));
            } else {
                say!("已添加用户 {}（编号 {}）", u.username, u.id);
            }
        }
        Command::Jobs { json } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let jobs = app.jobs().await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&jobs).unwrap_or_default());
            } else {
                let t = |t: Option<time::OffsetDateTime>| {
                    t.map(|t| t.to_offset(gongkai_domain::CST).to_string()).unwrap_or("—".into())
                };
                for j in jobs {
                    say!(
                        "{}\t{}\t{}\t下次 {}\t已运行 {} 次\t上次结束 {}{}{}",
                        j.key,
                        j.label,
                        j.state,
                        t(Some(j.run_at)),
                        j.runs,
                        t(j.last_finished_at),
                        j.progress.map(|p| format!("\t进度 {p}")).unwrap_or_default(),
                        j.last_error.map(|e| format!("\t错误：{e}")).unwrap_or_default(),
                    );
                }
            }
        }
        Command::Token { cmd: TokenCmd::Create { name, label } } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let actor = app.system_actor().await.unwrap_or_else(|e| fail(e));
            let t = app.create_token(&actor, name, label).await.unwrap_or_else(|e| fail(e));
            say!("{t}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../config/gongkai.example.toml");

    /// `key = value`, as opposed to prose that happens to contain " = ".
    fn is_setting(line: &str) -> bool {
        line.split_once(" = ")
            .is_some_and(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    }

    #[test]
    fn the_example_configuration_parses_with_every_setting_uncommented() {
        let c = parse_config(EXAMPLE).expect("the example as shipped");
        assert_eq!(c.reminder_hour, Some(8));
        // Commented settings are real settings too: uncommenting them must not be refused.
        let all: String = EXAMPLE
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || is_setting(rest) => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = parse_config(&all).expect("the example with every setting uncommented");
        assert!(c.database_url.is_some() && c.smtp.is_some(), "{c:?}");
    }

    #[test]
    fn an_unknown_or_misspelt_key_is_refused_with_its_line() {
        let e = parse_config("site_name = \"区政府\"\nreminder_hours = 9\n").unwrap_err();
        assert!(e.contains("第2行") && e.contains("reminder_hours") && e.contains("reminder_hour"), "{e}");
        let e = parse_config("[smtp]\nurl = \"smtp://x:25\"\nfrom = \"a@b.cn\"\npasswd = \"x\"\n").unwrap_err();
        assert!(e.contains("passwd"), "{e}");
    }
}
