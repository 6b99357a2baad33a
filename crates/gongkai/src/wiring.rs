//! Opening the store, the search index and the app for a command, and stopping cleanly.

use super::*;
use gongkai_app::{App, AppConfig};
use gongkai_store::Store;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

/// Ctrl-C, or SIGTERM from a service manager.
pub(crate) async fn shutdown_signal() {
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

/// What a command needs of the data folder's search index.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexUse {
    /// Nothing: the command writes through the database, and whoever owns the index (the
    /// running server, or the next one to start) picks the change up from the feed.
    None,
    /// Searching: as owner when nobody else is, else read-only beside the running server.
    Read,
    /// Owning it (the server, a rebuild): refused while another process owns it.
    Own,
}

pub(crate) async fn open(cli: &Cli, file: &FileConfig, use_index: IndexUse) -> App {
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
    if let Some(n) = file.search_rate_per_minute {
        if n < 1 {
            fail("search_rate_per_minute 应为正整数");
        }
        config.search_rate_per_minute = n;
    }
    if let Some(n) = file.error_report_days {
        if !(1..=30).contains(&n) {
            fail("error_report_days 应为1至30个工作日");
        }
        config.error_report_days = n;
    }
    if let Some(n) = file.message_answer_days {
        // Beyond 60 working days the target would pass the 3-month line it is meant to keep.
        if !(1..=60).contains(&n) {
            fail("message_answer_days 应为1至60个工作日");
        }
        config.message_answer_days = n;
    }
    if let Some(h) = &file.site_hosts {
        config.site_hosts = h.iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect();
    }
    if let Some(on) = file.check_external_links {
        config.check_external_links = on;
    }
    if let Some(n) = file.link_timeout_secs {
        if !(1..=120).contains(&n) {
            fail("link_timeout_secs 应为1至120秒");
        }
        config.link_timeout_secs = n;
    }
    if let Some(n) = file.stale_notice_days {
        if !(1..=3650).contains(&n) {
            fail("stale_notice_days 应为1至3650天");
        }
        config.stale_notice_days = n;
    }
    for (i, v) in [file.finding_days_high, file.finding_days_medium, file.finding_days_low].into_iter().enumerate() {
        if let Some(n) = v {
            if !(1..=60).contains(&n) {
                fail("finding_days_high、finding_days_medium、finding_days_low 应为1至60个工作日");
            }
            config.finding_days[i] = n;
        }
    }
    for (v, slot) in [
        (file.qa_min_coverage, &mut config.qa_gate.min_coverage),
        (file.qa_min_dense, &mut config.qa_gate.min_dense),
        (file.qa_min_dense_agreed, &mut config.qa_gate.min_dense_agreed),
    ] {
        if let Some(v) = v {
            if !(0.0..=1.0).contains(&v) {
                fail("qa_min_coverage、qa_min_dense、qa_min_dense_agreed 应在0至1之间");
            }
            *slot = v;
        }
    }
    if let Some(d) = file.qa_log_days {
        if !(1..=3650).contains(&d) {
            fail("qa_log_days 应为1至3650天");
        }
        config.qa_log_days = d;
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
        app = app.with_search(index, fresh).with_semantic(Some(&data));
    }
    app.ensure_topics().await.unwrap_or_else(|e| fail(e));
    if use_index == IndexUse::None {
        return app;
    }
    // The index is rebuilt when the district office's dictionary changed since it was built.
    app.use_search_terms().await.unwrap_or_else(|e| fail(e));
    app.use_expansions().await.unwrap_or_else(|e| fail(e));
    app
}

pub(crate) fn progress_bar(total: u64) -> indicatif::ProgressBar {
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

pub(crate) async fn import_file(
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
