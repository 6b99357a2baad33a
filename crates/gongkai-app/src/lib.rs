//! Use cases of gongkai. Every write runs in one transaction, is authorised by role and
//! organisation, and is written to the audit log. The web layer and the CLI call only this.

pub mod answers;
pub mod attachments;
pub mod auth;
pub mod calendar;
pub mod demo;
pub mod documents;
pub mod error;
pub mod faq;
pub mod feed;
pub mod flash;
pub mod import;
pub mod interpretations;
pub mod jobs;
pub mod messages;
pub mod office;
pub mod orgs;
pub mod patrol;
pub mod reminders;
pub mod requests;
pub mod search;

#[cfg(test)]
mod boundary;

use gongkai_domain::patrol::Severity;
use gongkai_domain::{Clock, Role};
use gongkai_store::Store;
use gongkai_store::queries::{self, AuditEntry};
use serde::Serialize;
use std::sync::Arc;

/// Settings the composition root passes in.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub max_upload_bytes: usize,
    pub session_hours: i64,
    pub lockout_threshold: i32,
    pub lockout_minutes: i64,
    pub site_name: String,
    /// How the first day of every legal period is counted (the regulation does not say).
    pub first_day: gongkai_domain::deadline::FirstDay,
    /// Where daily reminders are e-mailed from; None: reminders stay in the console.
    pub smtp: Option<crate::reminders::SmtpConfig>,
    /// Beijing hour at which the daily reminder is sent.
    pub reminder_hour: u8,
    /// Reverse proxies whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Behind TLS: cookies marked Secure and HSTS sent.
    pub secure_cookies: bool,
    /// A console session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// From this many applications by one identity in one day the office is alerted
    /// (第三十五条). The regulation sets no number; the district decides.
    pub request_flag_per_day: i32,
    /// Submissions of one public form (applying, tracking, logging in) per source address
    /// and minute.
    pub form_rate_per_minute: u32,
    /// Searches (the page, `/api/v1/search`, `/api/v1/passages`) per source address and
    /// minute, counted on each node.
    pub search_rate_per_minute: u32,
    /// Working days a body has to answer a 我为政府网站找错 report.
    pub error_report_days: u32,
    /// Working days a body has to answer a 咨询建言 or 领导信箱 message: the district's
    /// target, well inside the inspection's 3 months.
    pub message_answer_days: u32,
    /// The names this site answers to: its own full addresses are checked as its pages.
    pub site_hosts: Vec<String>,
    /// Whether a full patrol asks other sites if their links answer (off on an intranet).
    pub check_external_links: bool,
    /// Seconds an outside site has to answer the link checker.
    pub link_timeout_secs: u64,
    /// Hosts the link checker may ask although they are private or this machine (tests'
    /// local servers); never set in production.
    pub link_check_allow: Vec<String>,
    /// Days after its deadline from which a notice still current is listed for 定期清理
    /// (a district's setting; no rule was found).
    pub stale_notice_days: u32,
    /// Working days the owning body has to deal with a patrol finding, by severity (high,
    /// medium, low): personal data that identifies someone at once, the rest within the
    /// week or two. The district's setting.
    pub finding_days: [u32; 3],
    /// When policy Q&A answers rather than listing the nearest articles.
    pub qa_gate: gongkai_domain::qa::Gate,
    /// Days questions and answers are kept for audit.
    pub qa_log_days: u32,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            max_upload_bytes: 20 * 1024 * 1024,
            session_hours: 8,
            lockout_threshold: 5,
            lockout_minutes: 15,
            site_name: "济南市莱芜区人民政府 · 示例".into(),
            first_day: Default::default(),
            smtp: None,
            reminder_hour: 8,
            trusted_proxies: vec![],
            secure_cookies: false,
            session_idle_minutes: 30,
            request_flag_per_day: 5,
            form_rate_per_minute: 20,
            search_rate_per_minute: 120,
            error_report_days: gongkai_domain::patrol::report::DEFAULT_ANSWER_DAYS,
            message_answer_days: gongkai_domain::message::DEFAULT_ANSWER_DAYS,
            site_hosts: vec![],
            check_external_links: true,
            link_timeout_secs: 10,
            link_check_allow: vec![],
            stale_notice_days: 180,
            finding_days: [Severity::High, Severity::Medium, Severity::Low].map(Severity::working_days),
            qa_gate: gongkai_domain::qa::Gate::default(),
            qa_log_days: 180,
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub config: AppConfig,
    /// Filter menus of the public lists, keyed by the changes-feed position they were
    /// computed at: any public change moves the feed, so a stale menu is never served.
    pub(crate) facet_cache: Arc<tokio::sync::Mutex<Option<(i64, documents::Facets)>>>,
    pub(crate) search: Option<Arc<search::SearchState>>,
    /// Passwords checked so far (see `App::password_checks`).
    pub(crate) password_checks: Arc<std::sync::atomic::AtomicU64>,
}

/// Who is acting.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: i64,
}

impl Actor {
    /// The command line acts as a district-wide administrator, recorded as `cli`.
    pub fn system(org_id: i64) -> Actor {
        Actor { user_id: None, username: "cli".into(), display_name: "命令行".into(), role: Role::Admin, org_id }
    }

    /// A member of the public, as audit rows name what the public forms file (never who).
    pub(crate) fn public(org_id: i64) -> Actor {
        Actor { user_id: None, username: "public".into(), display_name: "公众".into(), role: Role::Editor, org_id }
    }

    pub fn may_see_org(&self, org_id: i64) -> bool {
        self.role.is_district_wide() || self.org_id == org_id
    }
}

pub use error::{AppError, ErrorSpec};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> App {
        App { store, clock, config, facet_cache: Arc::default(), search: None, password_checks: Arc::default() }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn today(&self) -> time::Date {
        self.clock.today()
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    #[allow(clippy::too_many_arguments)] // one argument per column of the audit row
    pub(crate) async fn audit<C: gongkai_store::ConnectionTrait>(
        &self,
        conn: &C,
        actor: &Actor,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<()> {
        queries::audit(
            conn,
            AuditEntry {
                at: self.now(),
                user_id: actor.user_id,
                actor: &actor.username,
                action,
                entity,
                entity_id,
                before,
                after,
            },
        )
        .await?;
        Ok(())
    }

    /// One page of the audit log (administrators and the district office).
    pub async fn audit_log(
        &self,
        actor: &Actor,
        entity: Option<(&str, i64)>,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<AuditRecord>, u64)> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有系统管理员和公开办可以查看审计日志".into()));
        }
        let (rows, total) =
            queries::audit_page(self.store.conn(), entity, page.saturating_sub(1) * per_page, per_page).await?;
        Ok((rows.into_iter().map(AuditRecord::from).collect(), total))
    }
}

/// One line of the audit log: who did what to which record, with the values before and
/// after as JSON text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub at: time::OffsetDateTime,
    pub user_id: Option<i64>,
    /// The user name, or `cli` / `public` / `system`.
    pub actor: String,
    /// `document.publish`, `request.step`, …: open-ended, one per use case.
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<gongkai_store::audit_log::Model> for AuditRecord {
    fn from(m: gongkai_store::audit_log::Model) -> AuditRecord {
        AuditRecord {
            at: m.at,
            user_id: m.user_id,
            actor: m.actor,
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id,
            before: m.before,
            after: m.after,
        }
    }
}

/// Random bytes as lowercase hex, for tokens.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    hex::encode(buf)
}

/// Compares two secrets without telling, by its timing, how much of them matched.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// Trims and turns empty into None.
/// The Beijing date of a stored instant (instants are stored in UTC).
pub(crate) fn beijing_date(t: time::OffsetDateTime) -> time::Date {
    t.to_offset(gongkai_domain::CST).date()
}

pub(crate) fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}
