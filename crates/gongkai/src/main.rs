//! The `gongkai` binary: command line, configuration and wiring. The only place that
//! reads the clock, the environment or configuration files.

use clap::Parser;
use gongkai_domain::Clock;
use gongkai_domain::patrol::{FindingStatus, Severity};
use std::io::Read;
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

mod cli;
mod config;
mod http;
mod wiring;

use cli::*;
use config::*;
use wiring::*;

struct SystemClock;
impl Clock for SystemClock {
    // The one reading of the wall clock in the program (clippy.toml forbids the others).
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("错误：{msg}");
    std::process::exit(1)
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
        Command::Eval { cmd: EvalCmd::Retrieval { file: path, json, half, embed } } => {
            let (app, qs) = eval_setup(&cli, &file, path, half, *embed).await;
            let r = app.eval_retrieval(&qs).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                let s = app.semantic_status().await.unwrap_or_else(|e| fail(e));
                say!(
                    "检索方式：{}",
                    if s.enabled && s.covered > 0 {
                        format!("关键词 + 语义（向量 {} / {} 条）", s.covered, s.articles)
                    } else {
                        format!("仅关键词（{}）", s.note)
                    }
                );
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
        Command::Eval { cmd: EvalCmd::Answers { file: path, json, half, embed } } => {
            let (app, qs) = eval_setup(&cli, &file, path, half, *embed).await;
            let r = app.eval_answers(&qs).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                say!(
                    "问题 {} 个：回答 {}（{:.1}%），未找到足够依据 {}",
                    r.questions,
                    r.answered,
                    r.answered_share * 100.0,
                    r.refused
                );
                say!(
                    "引用准确率（首个引用即标准条款）：{:.3}（{} / {}）",
                    r.citation_precision,
                    r.cited_gold,
                    r.answered
                );
                say!("未回答但最相近条款中有标准条款：{}", r.refused_with_gold_listed);
            }
        }
        Command::Model { cmd: ModelCmd::Install { from, json } } => {
            let data = cli.data.clone().or(file.data.clone()).unwrap_or_else(|| std::path::PathBuf::from("data"));
            let r = gongkai_app::search::model::install(&data, from.as_deref()).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else if r.unchanged {
                say!("语义模型已安装且校验无误：{}", r.path.display());
            } else {
                say!("语义模型已安装：{}（来自 {}，SHA-256 校验无误）", r.path.display(), r.from);
            }
        }
        Command::Model { cmd: ModelCmd::Status { json } } => {
            let app = open(&cli, &file, IndexUse::Read).await;
            let s = app.semantic_status().await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            } else if s.enabled {
                say!("语义检索已启用：{}；已计算向量的条款 {} / {}", s.note, s.covered, s.articles);
            } else {
                say!("语义检索未启用：{}；条款 {} 条", s.note, s.articles);
            }
        }
        Command::Ask { question, json } => {
            let app = open(&cli, &file, IndexUse::Read).await;
            if app.search_needs_rebuild() {
                app.reindex().await.unwrap_or_else(|e| fail(e));
            } else {
                app.index_pending().await.unwrap_or_else(|e| fail(e));
            }
            let a =
                app.answer(&question.join(" "), gongkai_app::answers::Channel::Api).await.unwrap_or_else(|e| fail(e));
            if *json {
                say!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
            } else {
                if a.answered {
                    for s in &a.sentences {
                        let cites: Vec<String> = s.cites.iter().map(|n| format!("[{n}]")).collect();
                        say!("{}{}", s.text, cites.join(""));
                    }
                } else {
                    say!("未找到足够依据。最相近的条款：");
                }
                for s in &a.sources {
                    say!(
                        "[{}] 《{}》{}（{}{}）{}",
                        s.n,
                        s.title,
                        s.label,
                        s.version_date.as_deref().map(|d| format!("{d} 版，")).unwrap_or_default(),
                        s.validity_label,
                        s.url
                    );
                }
                say!("{}", a.disclaimer);
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
            // The bound address, so `--addr 127.0.0.1:0` tells which port it got.
            let bound = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.clone());
            say!("gongkai 已启动：http://{bound}/ （数据库：{}）", app.store().backend_name());
            let router = gongkai_web::router(app);
            tokio::spawn(async move {
                shutdown_signal().await;
                tracing::info!("stopping: no new requests or jobs are taken");
                let _ = stop_tx.send(true);
            });
            let header_timeout = std::time::Duration::from_secs(file.header_timeout_secs.unwrap_or(10).max(1));
            http::serve(listener, router, stop_rx.clone(), header_timeout, std::time::Duration::from_secs(10)).await;
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
        Command::Patrol { json } => {
            let app = open(&cli, &file, IndexUse::None).await;
            let actor = app.system_actor().await.unwrap_or_else(|e| fail(e));
            let run = app.run_patrol().await.unwrap_or_else(|e| fail(e));
            let open = [FindingStatus::Open, FindingStatus::Escalated];
            let found = app.patrol_findings(&actor, &open).await.unwrap_or_else(|e| fail(e));
            if *json {
                let out = serde_json::json!({"run": run, "findings": found});
                say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            } else {
                for f in &found {
                    say!(
                        "[{}] {} {}#{}《{}》{}：{} → {}（{}，{}前）",
                        f.severity.label(),
                        f.kind_label,
                        f.source,
                        f.record_id,
                        f.title,
                        f.field,
                        f.shown,
                        f.replacement,
                        f.status_label,
                        f.due_on.map(|d| d.to_string()).unwrap_or_default()
                    );
                }
                let high = found.iter().filter(|f| f.severity == Severity::High).count();
                say!(
                    "巡查完成：{} 件公开内容，新发现 {} 处，已整改 {} 处；待处理 {} 处，其中高风险 {} 处",
                    run.records,
                    run.new,
                    run.fixed,
                    found.len(),
                    high
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

/// Opens the app for an evaluation: the index brought up to date, vectors computed when
/// asked, and the questions of the chosen half.
async fn eval_setup(
    cli: &Cli,
    file: &FileConfig,
    path: &std::path::Path,
    half: &str,
    embed: bool,
) -> (gongkai_app::App, Vec<gongkai_app::search::EvalQuestion>) {
    let half = gongkai_app::search::EvalHalf::parse(half)
        .unwrap_or_else(|| fail("--half 应为 tune（调参用的一半）、held（留出的一半）或 all"));
    let app = open(cli, file, if embed { IndexUse::Own } else { IndexUse::Read }).await;
    if app.search_needs_rebuild() {
        app.reindex().await.unwrap_or_else(|e| fail(e));
    } else {
        app.index_pending().await.unwrap_or_else(|e| fail(e));
    }
    if embed {
        let s = app.semantic_status().await.unwrap_or_else(|e| fail(e));
        if !s.enabled {
            fail(format!("--embed 需要语义模型：{}", s.note));
        }
        let pb = progress_bar((s.articles - s.covered) as u64);
        loop {
            let n = app.embed_pending(64, 2).await.unwrap_or_else(|e| fail(e));
            if n == 0 {
                break;
            }
            pb.inc(n as u64);
        }
        pb.finish_and_clear();
    }
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(format!("无法读取 {}：{e}", path.display())));
    let mut qs = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<gongkai_app::search::EvalQuestion>(line) {
            Ok(q) if half.includes(&q.question) => qs.push(q),
            Ok(_) => {}
            Err(e) => fail(format!("第{}行：{e}", i + 1)),
        }
    }
    (app, qs)
}
