//! Search: the index is fed from the changes feed by a background indexer, rebuilt from
//! the database on demand, and answers "rebuilding" instead of failing meanwhile.

use crate::documents::validity_of;
use crate::{App, AppError, Result, opt};
use gongkai_domain::{Category, DocumentKind, Status, Validity};
use gongkai_search::{Results, SearchDoc, SearchIndex, SearchQuery};
use gongkai_store::queries;
use gongkai_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use gongkai_store::{attachment, document, interpretation, org};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The index and whether it is being rebuilt.
pub struct SearchState {
    pub index: SearchIndex,
    pub rebuilding: AtomicBool,
    sources: Vec<Arc<dyn SearchSource>>,
    /// The e5 model, when its file is in the data folder.
    pub(crate) semantic: std::sync::RwLock<semantic::Semantic>,
}

/// Runs index work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> gongkai_search::Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Query parameters of a search (portal, API, CLI).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SearchParams {
    /// 检索词：分词与二元切分、文号/索引号精确查找、"短语"、-排除词
    pub q: Option<String>,
    /// Kind of content: `document`, `interpretation`, … (see [`SearchSource`]).
    pub source: Option<String>,
    /// 发文机关
    pub issuer: Option<String>,
    /// 文件类别
    pub category: Option<String>,
    /// 文种
    pub kind: Option<String>,
    /// 主题分类
    pub topic: Option<String>,
    /// 年份
    pub year: Option<String>,
    /// 有效性
    pub validity: Option<String>,
    /// `relevance` (default) or `date`.
    pub sort: Option<String>,
    /// 页码
    pub page: Option<u64>,
    /// 每页条数，1–50
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchOutcome {
    /// The index is being rebuilt; try again shortly.
    pub rebuilding: bool,
    /// Nothing searchable was typed (empty or punctuation only): the newest documents.
    pub empty_query: bool,
    pub total: usize,
    pub page: u64,
    pub per_page: u64,
    pub hits: Vec<gongkai_search::Hit>,
    pub facets: gongkai_search::Facets,
    /// No record had every word; records with some of them are shown.
    pub relaxed: bool,
    /// A published title close to what was typed.
    pub did_you_mean: Option<String>,
}

pub const MAX_QUERY_CHARS: usize = 100;

/// The dictionary terms shipped with gongkai (the district office adds its own).
pub use gongkai_search::analysis::DISCLOSURE_TERMS as SHIPPED_TERMS;
/// What the API answers with, named here so that the web layer needs only this crate.
pub use gongkai_search::{Excerpt, Facets, Hit, Mark, Suggestion, passages::PassageHit};

fn search_doc(m: &document::Model, today: time::Date, attachment_text: String) -> SearchDoc {
    let validity = validity_of(m, today);
    SearchDoc {
        source: DOCUMENT.into(),
        id: m.id,
        org_id: Some(m.org_id),
        url: format!("/documents/{}", m.id),
        title: m.title.clone(),
        doc_no: m.doc_no.clone(),
        index_no: m.index_no.clone(),
        issuer: m.issuer.clone(),
        category: m.category.clone(),
        kind: m.kind.clone(),
        topic: m.topic.clone(),
        year: m.published_on.map(|d| d.year()),
        published_days: m.published_on.map(days_since_epoch),
        published_on: m.published_on.map(|d| d.to_string()),
        validity: validity.code().into(),
        current: m.superseded_by.is_none(),
        version_no: m.version_no,
        keywords: m.keywords.clone(),
        body: m.body.clone(),
        attachment_text,
        unreadable_attachments: vec![],
        html: None,
        attachment_files: vec![],
        privacy_exception: m.privacy_exception.clone(),
        passages: None,
        articles: true,
    }
}

fn days_since_epoch(d: time::Date) -> i64 {
    (d - time::Date::from_ordinal_date(1970, 1).unwrap_or(d)).whole_days()
}

pub const DOCUMENT: &str = "document";
pub const INTERPRETATION: &str = "interpretation";

pub(crate) type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A kind of public content that search covers. A new kind (catalog items, FAQs,
/// consultation drafts, service guides) implements this, records its changes in the changes
/// feed under [`SearchSource::name`], and is added to the list in [`App::with_search`]; the
/// index, the background indexer and rebuilds need no change.
pub trait SearchSource: Send + Sync {
    /// Its entity name in the changes feed, and its `source` in the index and in results.
    fn name(&self) -> &'static str;
    /// What results call it (文件, 政策解读, …).
    fn label(&self) -> &'static str;
    /// The public records among `ids`; ids not returned are removed from the index.
    fn load<'a>(&'a self, app: &'a App, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<SearchDoc>>>;
    /// The portal path of its pages, `/documents/` for `/documents/{id}`.
    fn path_prefix(&self) -> &'static str;
    /// Ids of public records greater than `after`, ascending, at most `limit` (for rebuilds).
    fn public_ids<'a>(&'a self, app: &'a App, after: i64, limit: u64) -> BoxFuture<'a, Result<Vec<i64>>>;
}

/// Published documents: every version, with the text of their attachments.
pub struct Documents;

impl SearchSource for Documents {
    fn name(&self) -> &'static str {
        DOCUMENT
    }
    fn label(&self) -> &'static str {
        "文件"
    }
    fn path_prefix(&self) -> &'static str {
        "/documents/"
    }
    fn load<'a>(&'a self, app: &'a App, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<SearchDoc>>> {
        Box::pin(async move {
            let conn = app.store.conn();
            let today = app.today();
            let rows = document::Entity::find()
                .filter(document::Column::Id.is_in(ids.to_vec()))
                .filter(document::Column::Status.eq(Status::Published.code()))
                .all(conn)
                .await?;
            // The attachments of the whole batch in one query (a patrol or a rebuild loads
            // hundreds of documents at a time). A withheld attachment is not public:
            // neither searched nor patrolled.
            let mut by_doc: std::collections::HashMap<i64, Vec<(String, String)>> = std::collections::HashMap::new();
            let found: Vec<(i64, String, String)> = attachment::Entity::find()
                .select_only()
                .columns([
                    attachment::Column::DocumentId,
                    attachment::Column::FileName,
                    attachment::Column::ExtractedText,
                ])
                .filter(attachment::Column::DocumentId.is_in(rows.iter().map(|m| m.id).collect::<Vec<_>>()))
                .filter(attachment::Column::WithheldReason.is_null())
                .order_by_asc(attachment::Column::Sort)
                .order_by_asc(attachment::Column::Id)
                .into_tuple()
                .all(conn)
                .await?;
            for (doc, name, text) in found {
                by_doc.entry(doc).or_default().push((name, text));
            }
            let mut out = Vec::new();
            for m in rows {
                let files = by_doc.remove(&m.id).unwrap_or_default();
                let (mut text, mut ranges) = (String::new(), Vec::new());
                for (name, t) in files.iter().filter(|(_, t)| !t.trim().is_empty()) {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    ranges.push((name.clone(), text.len(), text.len() + t.len()));
                    text.push_str(t);
                }
                let mut doc = search_doc(&m, today, text);
                doc.attachment_files = ranges;
                doc.unreadable_attachments =
                    files.iter().filter(|(_, t)| t.trim().is_empty()).map(|(n, _)| n.clone()).collect();
                out.push(doc);
            }
            Ok(out)
        })
    }
    fn public_ids<'a>(&'a self, app: &'a App, after: i64, limit: u64) -> BoxFuture<'a, Result<Vec<i64>>> {
        Box::pin(async move {
            Ok(document::Entity::find()
                .select_only()
                .column(document::Column::Id)
                .filter(document::Column::Id.gt(after))
                .filter(document::Column::Status.eq(Status::Published.code()))
                .order_by_asc(document::Column::Id)
                .limit(limit)
                .into_tuple()
                .all(app.store.conn())
                .await?)
        })
    }
}

/// Published interpretations (政策解读), under the organisation that wrote them.
pub struct Interpretations;

impl SearchSource for Interpretations {
    fn name(&self) -> &'static str {
        INTERPRETATION
    }
    fn label(&self) -> &'static str {
        "政策解读"
    }
    fn path_prefix(&self) -> &'static str {
        "/interpretations/"
    }
    fn load<'a>(&'a self, app: &'a App, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<SearchDoc>>> {
        Box::pin(async move {
            let conn = app.store.conn();
            let rows = interpretation::Entity::find()
                .filter(interpretation::Column::Id.is_in(ids.to_vec()))
                .filter(interpretation::Column::Status.eq(Status::Published.code()))
                .all(conn)
                .await?;
            let mut out = Vec::new();
            for m in rows {
                let issuer = org::Entity::find_by_id(m.org_id).one(conn).await?.map(|o| o.name).unwrap_or_default();
                let published = m.published_at.map(|t| t.to_offset(gongkai_domain::CST).date());
                let form = gongkai_domain::interpretation::Form::parse(&m.form).map(|f| f.label()).unwrap_or("");
                out.push(SearchDoc {
                    source: INTERPRETATION.into(),
                    id: m.id,
                    org_id: Some(m.org_id),
                    url: format!("/interpretations/{}", m.id),
                    title: m.title.clone(),
                    issuer,
                    kind: Some(m.form.clone()),
                    year: published.map(|d| d.year()),
                    published_days: published.map(days_since_epoch),
                    published_on: published.map(|d| d.to_string()),
                    current: true,
                    version_no: 1,
                    keywords: format!("政策解读 {form}"),
                    body: html_text(&m.body),
                    html: Some(m.body.clone()),
                    ..Default::default()
                });
            }
            Ok(out)
        })
    }
    fn public_ids<'a>(&'a self, app: &'a App, after: i64, limit: u64) -> BoxFuture<'a, Result<Vec<i64>>> {
        Box::pin(async move {
            Ok(interpretation::Entity::find()
                .select_only()
                .column(interpretation::Column::Id)
                .filter(interpretation::Column::Id.gt(after))
                .filter(interpretation::Column::Status.eq(Status::Published.code()))
                .order_by_asc(interpretation::Column::Id)
                .limit(limit)
                .into_tuple()
                .all(app.store.conn())
                .await?)
        })
    }
}

/// The text of sanitised HTML: tags dropped, block ends as line breaks, entities decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        if ["/p", "br", "br/", "br /", "/li", "/h1", "/h2", "/h3", "/h4", "/tr", "/div"].contains(&tag) {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every kind of content the public can read, in one list: search indexes it and the
/// content patrol scans it. A new kind of public content registers here.
pub fn content_sources() -> Vec<Arc<dyn SearchSource>> {
    vec![
        Arc::new(Documents),
        Arc::new(Interpretations),
        Arc::new(crate::requests::cases::Cases),
        Arc::new(crate::messages::Messages),
        Arc::new(crate::faq::Faqs),
    ]
}

/// What results and lists call a kind of content (文件, 政策解读, …).
pub fn content_label(name: &str) -> &'static str {
    content_sources().iter().find(|x| x.name() == name).map(|x| x.label()).unwrap_or("")
}

/// The public record a portal path shows, if it shows one: its source and id.
pub fn record_at(path: &str) -> Option<(Arc<dyn SearchSource>, i64)> {
    content_sources().into_iter().find_map(|s| {
        let id = path.strip_prefix(s.path_prefix())?.split('/').next()?.parse().ok()?;
        Some((s, id))
    })
}

impl App {
    pub fn with_search(mut self, index: SearchIndex, needs_rebuild: bool) -> App {
        let sources = content_sources();
        // The shipped expansion table at once; the office's approved rows come with
        // `use_expansions`.
        index.set_expansions(gongkai_search::passages::shipped_expansions());
        self.search = Some(Arc::new(SearchState {
            index,
            rebuilding: AtomicBool::new(needs_rebuild),
            sources,
            semantic: std::sync::RwLock::new(semantic::Semantic::off("未安装语义模型（运行 gongkai model install）")),
        }));
        self
    }

    fn sources(&self) -> &[Arc<dyn SearchSource>] {
        self.search.as_ref().map(|s| s.sources.as_slice()).unwrap_or_default()
    }

    /// The index was missing, corrupt or of an older schema and has not been rebuilt yet.
    pub fn search_needs_rebuild(&self) -> bool {
        self.search.as_ref().is_some_and(|s| s.rebuilding.load(Ordering::SeqCst))
    }

    pub(crate) fn search_state(&self) -> Result<&Arc<SearchState>> {
        self.search.as_ref().ok_or_else(|| AppError::Internal("search index not configured".into()))
    }

    /// What results call a source (文件, 政策解读).
    pub fn source_label(&self, name: &str) -> &'static str {
        content_label(name)
    }

    /// Brings the index up to the changes feed. Returns how many records were touched.
    pub async fn index_pending(&self) -> Result<usize> {
        let state = self.search_state()?.clone();
        // A read-only index is kept up by the process that owns it.
        if state.rebuilding.load(Ordering::SeqCst) || state.index.is_read_only() {
            return Ok(0);
        }
        let mut from = state.index.position();
        let mut n = 0;
        loop {
            let changes = queries::changes_since(self.store.conn(), from, 500).await?;
            let Some(last) = changes.last().map(|c| c.seq) else { break };
            let mut up = Vec::new();
            let mut gone = Vec::new();
            for source in self.sources() {
                let mut ids: Vec<i64> =
                    changes.iter().filter(|c| c.entity == source.name()).map(|c| c.entity_id).collect();
                ids.sort_unstable();
                ids.dedup();
                if ids.is_empty() {
                    continue;
                }
                n += ids.len();
                let docs = source.load(self, &ids).await?;
                gone.extend(
                    ids.iter().filter(|i| !docs.iter().any(|d| d.id == **i)).map(|i| (source.name().to_string(), *i)),
                );
                up.extend(docs);
            }
            let idx = state.clone();
            blocking(move || idx.index.apply(&up, &gone, Some(last))).await?;
            from = last;
        }
        Ok(n)
    }

    /// Rebuilds the whole index from the database.
    pub async fn reindex(&self) -> Result<usize> {
        let state = self.search_state()?.clone();
        if state.index.is_read_only() {
            return Err(AppError::Conflict(
                "搜索索引正由正在运行的 gongkai serve 使用，不能在此重建：请停止服务后再运行 gongkai reindex（服务启动时会自动补齐索引）"
                    .into(),
            ));
        }
        state.rebuilding.store(true, Ordering::SeqCst);
        let result = self.reindex_inner(&state).await;
        // A dictionary change during the rebuild leaves it marked for another one.
        let again = match &result {
            Ok((_, used)) => self.search_terms().await.map(|now| now != *used).unwrap_or(true),
            Err(_) => false,
        };
        state.rebuilding.store(again, Ordering::SeqCst);
        result.map(|(n, _)| n)
    }

    async fn reindex_inner(&self, state: &Arc<SearchState>) -> Result<(usize, Vec<String>)> {
        let position = queries::feed_position(self.store.conn()).await?;
        let terms = self.search_terms().await?;
        let idx = state.clone();
        let used = terms.clone();
        blocking(move || {
            idx.index.set_terms(&used);
            idx.index.clear()
        })
        .await?;
        let mut n = 0;
        for source in self.sources() {
            let mut last_id = 0;
            loop {
                let ids = source.public_ids(self, last_id, 200).await?;
                let Some(last) = ids.last().copied() else { break };
                last_id = last;
                let up = source.load(self, &ids).await?;
                n += up.len();
                let idx = state.clone();
                blocking(move || idx.index.apply(&up, &[], None)).await?;
            }
        }
        let idx = state.clone();
        blocking(move || {
            idx.index.apply(&[], &[], Some(position))?;
            idx.index.merge()
        })
        .await?;
        Ok((n, terms))
    }

    /// Runs a public search.
    pub async fn search(&self, p: &SearchParams) -> Result<SearchOutcome> {
        let mut errs = Vec::new();
        let text = opt(&p.q).unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            errs.push(gongkai_domain::FieldError::new("q", format!("检索词不超过{MAX_QUERY_CHARS}字")));
        }
        let category = match opt(&p.category) {
            None => None,
            Some(c) => Category::parse(&c).map(|c| c.code().to_string()).or_else(|| {
                errs.push(gongkai_domain::FieldError::new("category", "文件类别无效"));
                None
            }),
        };
        let kind = match opt(&p.kind) {
            None => None,
            Some(k) => DocumentKind::parse(&k).map(|k| k.code().to_string()).or_else(|| {
                errs.push(gongkai_domain::FieldError::new("kind", "文种无效"));
                None
            }),
        };
        let validity = match opt(&p.validity) {
            None => None,
            Some(v) => Validity::parse(&v).map(|v| v.code().to_string()).or_else(|| {
                errs.push(gongkai_domain::FieldError::new(
                    "validity",
                    "有效性应为 in_force、amended、repealed 或 expired",
                ));
                None
            }),
        };
        let year = match opt(&p.year) {
            None => None,
            Some(y) => match y.parse::<u64>() {
                Ok(y) if (1949..=2200).contains(&y) => Some(y),
                _ => {
                    errs.push(gongkai_domain::FieldError::new("year", "年份应为四位数字"));
                    None
                }
            },
        };
        let source = match opt(&p.source) {
            None => None,
            Some(v) if self.sources().iter().any(|x| x.name() == v) => Some(v),
            Some(_) => {
                let names: Vec<&str> = self.sources().iter().map(|x| x.name()).collect();
                errs.push(gongkai_domain::FieldError::new("source", format!("内容类型应为 {}", names.join("、"))));
                None
            }
        };
        let by_date = match opt(&p.sort).as_deref() {
            None | Some("relevance") => false,
            Some("date") => true,
            Some(_) => {
                errs.push(gongkai_domain::FieldError::new("sort", "排序应为 relevance 或 date"));
                false
            }
        };
        let per_page = p.per_page.unwrap_or(10);
        if !(1..=50).contains(&per_page) {
            errs.push(gongkai_domain::FieldError::new("per_page", "每页条数应为1至50"));
        }
        let page = p.page.unwrap_or(1);
        if !(1..=500).contains(&page) {
            errs.push(gongkai_domain::FieldError::new("page", "页码应为1至500"));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let state = self.search_state()?.clone();
        let empty_query = !text.chars().any(char::is_alphanumeric);
        if state.rebuilding.load(Ordering::SeqCst) {
            return Ok(SearchOutcome {
                rebuilding: true,
                empty_query,
                total: 0,
                page,
                per_page,
                hits: vec![],
                facets: Default::default(),
                relaxed: false,
                did_you_mean: None,
            });
        }
        let q = SearchQuery {
            text,
            source,
            issuer: opt(&p.issuer),
            category,
            kind,
            topic: opt(&p.topic),
            year,
            validity,
            by_date,
            offset: ((page - 1) * per_page) as usize,
            limit: per_page as usize,
        };
        let Results { total, hits, facets, relaxed, did_you_mean } = blocking(move || state.index.search(&q)).await?;
        Ok(SearchOutcome { rebuilding: false, empty_query, total, page, per_page, hits, facets, relaxed, did_you_mean })
    }

    /// Titles containing what has been typed so far (search box suggestions).
    pub async fn suggest(&self, typed: &str, k: u64) -> Result<Vec<gongkai_search::Suggestion>> {
        if typed.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::field("q", format!("检索词不超过{MAX_QUERY_CHARS}字")));
        }
        if !(1..=20).contains(&k) {
            return Err(AppError::field("k", "k 应为1至20"));
        }
        let state = self.search_state()?.clone();
        if state.rebuilding.load(Ordering::SeqCst) {
            return Ok(vec![]);
        }
        let typed = typed.to_string();
        blocking(move || state.index.suggest(&typed, k as usize)).await
    }
}

/// One question of an evaluation set (the format of shared/data/qa_dev.jsonl).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct EvalQuestion {
    pub question: String,
    pub gold_doc_id: String,
    pub gold_article: Option<String>,
}

/// Which half of an evaluation file: tuning is done on one half only, and every figure is
/// also reported on the other, kept back. A question's half is fixed by its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalHalf {
    Tune,
    Held,
    All,
}

impl EvalHalf {
    pub fn parse(s: &str) -> Option<EvalHalf> {
        match s {
            "tune" => Some(EvalHalf::Tune),
            "held" => Some(EvalHalf::Held),
            "all" => Some(EvalHalf::All),
            _ => None,
        }
    }

    pub fn includes(self, question: &str) -> bool {
        let held = gongkai_search::vectors::key(question) % 2 == 1;
        match self {
            EvalHalf::Tune => !held,
            EvalHalf::Held => held,
            EvalHalf::All => true,
        }
    }
}

/// Recall@1/5/10 and MRR@10, at document and article level.
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct EvalReport {
    pub questions: usize,
    pub doc_recall_at_1: f64,
    pub doc_recall_at_5: f64,
    pub doc_recall_at_10: f64,
    pub doc_mrr: f64,
    pub article_recall_at_1: f64,
    pub article_recall_at_5: f64,
    pub article_recall_at_10: f64,
    pub article_mrr: f64,
    /// Questions whose gold document is not in the library.
    pub missing_gold: usize,
}

/// Ranks (1-based) at which the gold document and the gold article first appear.
pub fn first_ranks(
    hits: &[(Option<String>, String)],
    gold_doc: &str,
    gold_article: Option<&str>,
) -> (Option<usize>, Option<usize>) {
    let doc = hits.iter().position(|(d, _)| d.as_deref() == Some(gold_doc)).map(|p| p + 1);
    let art = gold_article
        .and_then(|a| hits.iter().position(|(d, l)| d.as_deref() == Some(gold_doc) && l == a))
        .map(|p| p + 1);
    (doc, art)
}

/// (document rank, article rank) of one question; None when not in the top 10.
pub type Ranks = (Option<usize>, Option<usize>);

pub fn summarise(ranks: &[Ranks]) -> EvalReport {
    let n = ranks.len().max(1) as f64;
    let recall = |k: usize, f: &dyn Fn(&Ranks) -> Option<usize>| {
        ranks.iter().filter(|r| f(r).is_some_and(|x| x <= k)).count() as f64 / n
    };
    let mrr = |f: &dyn Fn(&Ranks) -> Option<usize>| {
        ranks.iter().map(|r| f(r).filter(|x| *x <= 10).map(|x| 1.0 / x as f64).unwrap_or(0.0)).sum::<f64>() / n
    };
    let d = |r: &Ranks| r.0;
    let a = |r: &Ranks| r.1;
    EvalReport {
        questions: ranks.len(),
        doc_recall_at_1: recall(1, &d),
        doc_recall_at_5: recall(5, &d),
        doc_recall_at_10: recall(10, &d),
        doc_mrr: mrr(&d),
        article_recall_at_1: recall(1, &a),
        article_recall_at_5: recall(5, &a),
        article_recall_at_10: recall(10, &a),
        article_mrr: mrr(&a),
        missing_gold: 0,
    }
}

impl App {
    /// The best `k` articles for a question, with their citations.
    pub async fn passages(&self, question: &str, k: u64) -> Result<Vec<gongkai_search::passages::PassageHit>> {
        let q = question.trim().to_string();
        if q.is_empty() {
            return Err(AppError::field("q", "请输入问题"));
        }
        if q.chars().count() > 200 {
            return Err(AppError::field("q", "问题不超过200字"));
        }
        if !(1..=50).contains(&k) {
            return Err(AppError::field("k", "k 应为1至50"));
        }
        let state = self.search_state()?.clone();
        if state.rebuilding.load(Ordering::SeqCst) {
            return Err(AppError::Rule("搜索索引正在重建，请稍后再试".into()));
        }
        let qv = self.query_vector(&q).await;
        blocking(move || Ok(state.index.retrieve(&q, k as usize, qv.as_deref())?.hits)).await
    }

    /// The corpus id (`external_id`) of a document, as evaluation sets name documents.
    pub(crate) async fn external_id(&self, doc_id: i64) -> Result<Option<String>> {
        Ok(document::Entity::find_by_id(doc_id).one(self.store.conn()).await?.and_then(|m| m.external_id))
    }

    /// Runs every question through passage retrieval and scores it against its gold
    /// document (by the corpus id kept as `external_id`) and article.
    pub async fn eval_retrieval(&self, questions: &[EvalQuestion]) -> Result<EvalReport> {
        let mut ranks = Vec::new();
        let mut missing = 0;
        let mut known: std::collections::HashMap<i64, Option<String>> = std::collections::HashMap::new();
        for q in questions {
            let present = document::Entity::find()
                .filter(document::Column::ExternalId.eq(q.gold_doc_id.clone()))
                .one(self.store.conn())
                .await?
                .is_some();
            if !present {
                missing += 1;
            }
            let hits = self.passages(&q.question, 10).await?;
            let mut labelled = Vec::new();
            for h in hits {
                if let std::collections::hash_map::Entry::Vacant(e) = known.entry(h.doc_id) {
                    let m = document::Entity::find_by_id(h.doc_id).one(self.store.conn()).await?;
                    e.insert(m.and_then(|m| m.external_id));
                }
                labelled.push((known.get(&h.doc_id).cloned().flatten(), h.label));
            }
            ranks.push(first_ranks(&labelled, &q.gold_doc_id, q.gold_article.as_deref()));
        }
        let mut r = summarise(&ranks);
        r.missing_gold = missing;
        Ok(r)
    }
}

/// This node's search index: rebuilt when it was lost, old or built with another
/// dictionary, then kept up with the changes feed twice a second. Every node keeps its own.
pub struct SearchIndexer;

impl crate::jobs::Job for SearchIndexer {
    fn kind(&self) -> &'static str {
        "search_index"
    }
    fn label(&self) -> &'static str {
        "搜索索引更新"
    }
    fn scope(&self) -> crate::jobs::Scope {
        crate::jobs::Scope::Node
    }
    fn every(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_millis(500))
    }
    fn run<'a>(&'a self, ctx: &'a crate::jobs::JobCtx) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let app = &ctx.app;
            if app.search.is_none() {
                return Ok(None);
            }
            if app.search_needs_rebuild() {
                let n = app.reindex().await?;
                tracing::info!(documents = n, "search index rebuilt");
            }
            app.index_pending().await?;
            Ok(None)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_and_mrr() {
        let hits = vec![
            (Some("a".to_string()), "第一条".to_string()),
            (Some("b".into()), "第二条".into()),
            (Some("b".into()), "第三条".into()),
        ];
        assert_eq!(first_ranks(&hits, "b", Some("第三条")), (Some(2), Some(3)));
        assert_eq!(first_ranks(&hits, "c", Some("第一条")), (None, None));
        let r = summarise(&[(Some(1), Some(1)), (Some(2), Some(3)), (None, None), (Some(6), None)]);
        assert_eq!((r.doc_recall_at_1, r.doc_recall_at_5, r.doc_recall_at_10), (0.25, 0.5, 0.75));
        assert!((r.doc_mrr - (1.0 + 0.5 + 1.0 / 6.0) / 4.0).abs() < 1e-9);
        assert!((r.article_mrr - (1.0 + 1.0 / 3.0) / 4.0).abs() < 1e-9);
    }
}

pub mod dictionary;
pub mod expansions;
pub mod model;
pub mod semantic;
