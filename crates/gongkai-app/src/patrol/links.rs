//! Links in what is public. A link to this site is checked against what the site serves
//! (a record that is no longer public, a page that does not exist); a link elsewhere is
//! asked, by a full patrol only, with a timeout, a few at a time, never of this machine or a
//! private network (a page must not be able to make the server probe the intranet), and
//! not at all on an intranet (`check_external_links`). What each address answered is kept
//! (`link_status`), so a publication's own patrol uses it without going out, and a patrol
//! that was interrupted asks only what it has not asked today.

use super::FindingView;
use crate::search::SearchSource;
use crate::{App, AppError, Result};
use gongkai_domain::patrol::FindingKind;
use gongkai_domain::patrol::links::{self, Target};
use gongkai_search::SearchDoc;
use gongkai_store::link_status;
use gongkai_store::sea_orm::Set;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Pages of the portal that show no one record. The web tests open each of them, so the
/// list cannot claim a page the site does not serve.
pub const PORTAL_PAGES: &[&str] = &[
    "/",
    "/documents",
    "/interpretations",
    "/cases",
    "/search",
    "/apply",
    "/apply/track",
    "/messages",
    "/messages/new",
    "/messages/track",
    "/error-report",
    "/error-reports",
    "/api/openapi.json",
];

/// How many outside sites are asked at once.
const CONCURRENCY: usize = 8;
/// An address asked within this many hours is not asked again (a restarted patrol).
const FRESH_HOURS: i64 = 20;

/// A link in a record, where it was found.
pub(crate) struct LinkUse {
    source: &'static str,
    record_id: i64,
    org_id: i64,
    title: String,
    field: &'static str,
    url: String,
}

/// The links of the records scanned so far: pages of this site by path, the rest by address.
#[derive(Default)]
pub(crate) struct Collected {
    internal: Vec<(LinkUse, String)>,
    external: Vec<LinkUse>,
}

impl Collected {
    /// The links of one record: addresses in its text and its attachments', and the links
    /// and media of its rich text.
    pub(crate) fn add(&mut self, source: &'static str, d: &SearchDoc, hosts: &[&str]) {
        let mut found: Vec<(&'static str, String)> = Vec::new();
        found.extend(links::text_links(&d.body).into_iter().map(|l| ("正文", l.url)));
        found.extend(links::text_links(&d.attachment_text).into_iter().map(|l| ("附件", l.url)));
        if let Some(html) = &d.html {
            found.extend(links::html_links(html).into_iter().map(|l| ("正文", l.url)));
        }
        let mut seen = HashSet::new();
        for (field, url) in found {
            if !seen.insert(url.clone()) {
                continue;
            }
            let at = |url: String| LinkUse {
                source,
                record_id: d.id,
                org_id: d.org_id.unwrap_or(0),
                title: d.title.clone(),
                field,
                url,
            };
            match links::target(&url, hosts) {
                Target::Internal(path) => self.internal.push((at(url), path)),
                Target::External(u) => self.external.push(at(u)),
                Target::Other => {}
            }
        }
    }
}

/// Images of a record's rich text without words for those who cannot see them.
pub(crate) fn images(source: &'static str, d: &SearchDoc) -> Vec<FindingView> {
    let Some(html) = &d.html else { return vec![] };
    links::images_without_alt(html)
        .into_iter()
        .map(|(_, _, src)| {
            let kind = FindingKind::ImageAlt;
            let about =
                FindingView::about(source, (d.id, d.org_id.unwrap_or(0)), &d.title, kind, &["正文", kind.code(), &src]);
            FindingView {
                shown: src, replacement: "为图片填写替代文字（alt），说明图片的内容".into(), ..about
            }
        })
        .collect()
}

fn broken(u: &LinkUse, reason: String) -> FindingView {
    let kind = FindingKind::BrokenLink;
    FindingView {
        field: u.field.to_string(),
        shown: u.url.chars().take(300).collect(),
        replacement: reason,
        ..FindingView::about(u.source, (u.record_id, u.org_id), &u.title, kind, &[u.field, kind.code(), &u.url])
    }
}

/// What one address answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub ok: bool,
    pub status: Option<i32>,
    /// Why it failed, in words.
    pub error: Option<String>,
}

impl Answer {
    fn reason(&self) -> String {
        match (&self.error, self.status) {
            (Some(e), _) => e.clone(),
            (None, Some(s)) => format!("打开时返回 HTTP {s}"),
            (None, None) => "无法打开".into(),
        }
    }
}

/// What the link checks of a run found.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct LinkCounts {
    /// Distinct outside addresses asked in this run.
    pub asked: usize,
    /// Links (of this site or outside) that do not open.
    pub broken: usize,
}

impl App {
    /// Findings for the links collected: this site's pages checked here, outside addresses
    /// asked when `ask` (a full patrol with `check_external_links` on), else judged by what
    /// was last learnt of them.
    pub(crate) async fn link_findings(&self, c: Collected, ask: bool) -> Result<(Vec<FindingView>, LinkCounts)> {
        let mut out = Vec::new();
        let mut counts = LinkCounts::default();
        let mut pages: HashMap<String, Option<&'static str>> = HashMap::new();
        for (u, path) in &c.internal {
            let why = match pages.get(path) {
                Some(w) => *w,
                None => {
                    let w = self.page_missing(path).await?;
                    pages.insert(path.clone(), w);
                    w
                }
            };
            if let Some(why) = why {
                out.push(broken(u, why.to_string()));
            }
        }
        let urls: Vec<String> = c.external.iter().map(|u| u.url.clone()).collect::<HashSet<_>>().into_iter().collect();
        let known = if ask && self.config.check_external_links {
            let (answers, asked) = self.ask_links(urls).await?;
            counts.asked = asked;
            answers
        } else {
            self.known_links(&urls).await?
        };
        for u in &c.external {
            if let Some(a) = known.get(&u.url)
                && !a.ok
            {
                out.push(broken(u, a.reason()));
            }
        }
        counts.broken = out.len();
        Ok((out, counts))
    }

    /// Why a path of this site shows nothing, if it does not.
    async fn page_missing(&self, path: &str) -> Result<Option<&'static str>> {
        let trimmed = if path.len() > 1 { path.trim_end_matches('/') } else { path };
        if PORTAL_PAGES.contains(&trimmed) || path.starts_with("/static/") {
            return Ok(None);
        }
        let Some((src, id)) = crate::search::record_at(path) else {
            return Ok(Some("本站没有这个页面"));
        };
        Ok(if is_public(self, src.as_ref(), id).await? {
            None
        } else {
            Some("链接指向的内容已撤回或不存在")
        })
    }

    async fn known_links(&self, urls: &[String]) -> Result<HashMap<String, Answer>> {
        let rows = link_status::of(self.store.conn(), urls).await?;
        Ok(rows.into_iter().map(|r| (r.url, Answer { ok: r.ok, status: r.status, error: r.error })).collect())
    }

    /// Asks each address not asked in the last hours, a few at a time, and keeps the answers
    /// as they come (an interrupted run keeps what it learnt). Returns every answer and how
    /// many addresses were asked now.
    pub(crate) async fn ask_links(&self, urls: Vec<String>) -> Result<(HashMap<String, Answer>, usize)> {
        use futures_util::StreamExt;
        let since = self.now() - time::Duration::hours(FRESH_HOURS);
        let rows = link_status::of(self.store.conn(), &urls).await?;
        let mut answers: HashMap<String, Answer> = HashMap::new();
        for r in rows.into_iter().filter(|r| r.checked_at >= since) {
            answers.insert(r.url, Answer { ok: r.ok, status: r.status, error: r.error });
        }
        let todo: Vec<String> = urls.into_iter().filter(|u| !answers.contains_key(u)).collect();
        let asked = todo.len();
        if todo.is_empty() {
            return Ok((answers, 0));
        }
        let checker = Checker::new(self.config.link_timeout_secs, &self.config.link_check_allow)?;
        let mut stream = futures_util::stream::iter(todo)
            .map(|u| {
                let checker = checker.clone();
                async move {
                    let a = checker.ask(&u).await;
                    (u, a)
                }
            })
            .buffer_unordered(CONCURRENCY);
        let mut batch = Vec::new();
        while let Some((url, a)) = stream.next().await {
            batch.push((url, a));
            if batch.len() >= 50 {
                self.keep_answers(std::mem::take(&mut batch), &mut answers).await?;
            }
        }
        self.keep_answers(batch, &mut answers).await?;
        Ok((answers, asked))
    }

    async fn keep_answers(&self, batch: Vec<(String, Answer)>, into: &mut HashMap<String, Answer>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let rows = batch
            .iter()
            .map(|(url, a)| link_status::row::ActiveModel {
                url: Set(url.clone()),
                ok: Set(a.ok),
                status: Set(a.status),
                error: Set(a.error.clone()),
                checked_at: Set(now),
                ..Default::default()
            })
            .collect();
        let tx = self.store.begin_write().await?;
        link_status::save(&*tx, rows).await?;
        tx.commit().await?;
        into.extend(batch);
        Ok(())
    }
}

/// Whether record `id` of `src` is public now, without loading it.
async fn is_public(app: &App, src: &dyn SearchSource, id: i64) -> Result<bool> {
    Ok(src.public_ids(app, id - 1, 1).await? == [id])
}

/// The HTTP client of the link checker and its rules.
#[derive(Clone)]
pub(crate) struct Checker {
    client: reqwest::Client,
    allow: Arc<Vec<String>>,
    timeout_secs: u64,
}

/// Resolves names to public addresses only (the allowed hosts excepted), so neither a link
/// nor a redirect reaches this machine or the intranet by name.
struct PublicOnly {
    allow: Arc<Vec<String>>,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let allowed = self.allow.iter().any(|a| a.split(':').next() == Some(host.as_str()));
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable: Vec<std::net::SocketAddr> =
                addrs.into_iter().filter(|a| allowed || links::is_public_address(a.ip())).collect();
            if usable.is_empty() {
                return Err("指向内网地址或本机，不予检查".into());
            }
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An address whose host is a literal IP that may not be asked.
fn private_literal(url: &reqwest::Url, allow: &[String]) -> bool {
    let literal = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    let Ok(host) = literal.parse::<std::net::IpAddr>() else { return false };
    let with_port = format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0));
    let allowed = allow.iter().any(|a| *a == with_port || Some(a.as_str()) == url.host_str());
    !allowed && !links::is_public_address(host)
}

impl Checker {
    pub(crate) fn new(timeout_secs: u64, allow: &[String]) -> Result<Checker> {
        let allow = Arc::new(allow.to_vec());
        let redirect_allow = allow.clone();
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| AppError::Internal(format!("tls: {e}")))?
            .with_root_certificates(rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() })
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .dns_resolver(Arc::new(PublicOnly { allow: allow.clone() }))
            .connect_timeout(std::time::Duration::from_secs(timeout_secs.min(5)))
            .timeout(std::time::Duration::from_secs(timeout_secs))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 5 {
                    attempt.error("重定向次数过多")
                } else if private_literal(attempt.url(), &redirect_allow) {
                    attempt.error("重定向到内网地址")
                } else {
                    attempt.follow()
                }
            }))
            .user_agent("gongkai-link-check/1 (government website patrol)")
            .build()
            .map_err(|e| AppError::Internal(format!("http client: {e}")))?;
        Ok(Checker { client, allow, timeout_secs })
    }

    /// Asks one address: HEAD, then GET when the site does not answer HEAD.
    pub(crate) async fn ask(&self, url: &str) -> Answer {
        let fail = |e: &str| Answer { ok: false, status: None, error: Some(e.to_string()) };
        let Ok(parsed) = reqwest::Url::parse(url) else { return fail("地址格式不正确") };
        if private_literal(&parsed, &self.allow) {
            return fail("指向内网地址或本机，公众无法访问");
        }
        let mut answer = self.once(reqwest::Method::HEAD, parsed.clone()).await;
        if matches!(answer.status, Some(403 | 405 | 501)) {
            answer = self.once(reqwest::Method::GET, parsed).await;
        }
        answer
    }

    async fn once(&self, method: reqwest::Method, url: reqwest::Url) -> Answer {
        match self.client.request(method, url).send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                Answer { ok: status < 400, status: Some(i32::from(status)), error: None }
            }
            Err(e) => {
                let why = if e.is_timeout() {
                    format!("{}秒内没有响应", self.timeout_secs)
                } else if e.is_redirect() {
                    "重定向出错".to_string()
                } else if format!("{e:?}").contains("不予检查") {
                    "指向内网地址或本机，公众无法访问".to_string()
                } else if e.is_connect() {
                    "无法连接".to_string()
                } else {
                    "无法打开".to_string()
                };
                Answer { ok: false, status: None, error: Some(why) }
            }
        }
    }
}
