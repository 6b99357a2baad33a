//! `gongkai.toml`: what it may say, and how it is read.

use super::*;
use serde::Deserialize;
use std::path::PathBuf;

/// `gongkai.toml`. An unknown key is refused, so a misspelt setting is never silently ignored.
#[derive(Deserialize, Default, Debug)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub(crate) data: Option<PathBuf>,
    pub(crate) database_url: Option<String>,
    pub(crate) addr: Option<String>,
    pub(crate) site_name: Option<String>,
    pub(crate) max_upload_mb: Option<usize>,
    /// Search results kept per index generation (0 turns the cache off).
    pub(crate) search_cache: Option<usize>,
    /// How the first day of a legal period is counted: next_day (default) or same_day.
    pub(crate) first_day: Option<gongkai_domain::deadline::FirstDay>,
    /// Beijing hour of the daily reminder (default 8).
    pub(crate) reminder_hour: Option<u8>,
    /// E-mail for the daily reminder; without it reminders stay in the console.
    pub(crate) smtp: Option<gongkai_app::reminders::SmtpConfig>,
    /// Reverse proxies whose X-Forwarded-For header names the client.
    pub(crate) trusted_proxies: Option<Vec<std::net::IpAddr>>,
    /// Served over HTTPS (directly or behind a proxy): Secure cookies and HSTS.
    pub(crate) secure_cookies: Option<bool>,
    /// Minutes without a request after which a console session ends (default 30).
    pub(crate) session_idle_minutes: Option<i64>,
    /// Applications by one identity in one day from which the office is alerted (第三十五条).
    pub(crate) request_flag_per_day: Option<i32>,
    /// Submissions of a public form (apply, track, log in) per source address and minute.
    pub(crate) form_rate_per_minute: Option<u32>,
    /// Searches per source address and minute, on each node.
    pub(crate) search_rate_per_minute: Option<u32>,
    /// Working days a body has to answer a 我为政府网站找错 report (default 3).
    pub(crate) error_report_days: Option<u32>,
    /// Working days a body has to answer a 咨询建言 or 领导信箱 message (default 10).
    pub(crate) message_answer_days: Option<u32>,
    /// The names this site answers to (www.laiwu.gov.cn): its own full addresses in a text
    /// are checked as pages, not fetched.
    pub(crate) site_hosts: Option<Vec<String>>,
    /// Whether the patrol asks other sites if their links still answer (off on an
    /// intranet without a way out).
    pub(crate) check_external_links: Option<bool>,
    /// Seconds an outside site has to answer the link checker (default 10).
    pub(crate) link_timeout_secs: Option<u64>,
    /// Days after its deadline from which a notice is listed for 定期清理 (default 180).
    pub(crate) stale_notice_days: Option<u32>,
    /// Working days to deal with a patrol finding, by severity (defaults 1, 3, 10).
    pub(crate) finding_days_high: Option<u32>,
    pub(crate) finding_days_medium: Option<u32>,
    pub(crate) finding_days_low: Option<u32>,
    /// Policy Q&A answers only on this much evidence (defaults calibrated on qa_dev):
    /// the share of the question's words in the best article (lexical only), the cosine of
    /// question and article with the model, and the cosine when both lists agree.
    pub(crate) qa_min_coverage: Option<f32>,
    pub(crate) qa_min_dense: Option<f32>,
    pub(crate) qa_min_dense_agreed: Option<f32>,
    /// Days questions and answers are kept for audit (default 180), masked.
    pub(crate) qa_log_days: Option<u32>,
    /// Seconds a client has to send a request's headers before the connection is closed.
    pub(crate) header_timeout_secs: Option<u64>,
}

/// Parses `gongkai.toml`; the error names the line and, for a misspelt key, the keys known.
pub(crate) fn parse_config(text: &str) -> Result<FileConfig, String> {
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
pub(crate) fn node_name(cli: &Cli, file: &FileConfig) -> String {
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
