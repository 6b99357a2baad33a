//! Search: the index is fed from the changes feed by a background indexer, rebuilt from
//! the database on demand, and answers "rebuilding" instead of failing meanwhile.

use crate::documents::validity_of;
use crate::{App, AppError, Result, opt};
use gongkai_domain::{Category, DocumentKind, Status, Validity};
use gongkai_search::{Results, SearchDoc, SearchIndex, SearchQuery};
use gongkai_store::queries;
use gongkai_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use gongkai_store::{attachment, document};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The index and whether it is being rebuilt.
pub struct SearchState {
    pub index: SearchIndex,
    pub rebuilding: AtomicBool,
}

/// Query parameters of a search (portal, API, CLI).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub issuer: Option<String>,
    pub category: Option<String>,
    pub kind: Option<String>,
    pub topic: Option<String>,
    pub year: Option<String>,
    pub validity: Option<String>,
    /// `relevance` (default) or `date`.
    pub sort: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize)]
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
}

pub const MAX_QUERY_CHARS: usize = 100;

fn search_doc(m: &document::Model, today: time::Date, attachment_text: String) -> SearchDoc {
    let validity = validity_of(m, today);
    SearchDoc {
        id: m.id,
        title: m.title.clone(),
        doc_no: m.doc_no.clone(),
        index_no: m.index_no.clone(),
        issuer: m.issuer.clone(),
        category: m.category.clone(),
        kind: m.kind.clone(),
        topic: m.topic.clone(),
        year: m.published_on.map(|d| d.year()),
        published_days: m.published_on.map(|d| (d - time::Date::from_ordinal_date(1970, 1).unwrap_or(d)).whole_days()),
        published_on: m.published_on.map(|d| d.to_string()),
        validity: validity.code().into(),
        current: m.superseded_by.is_none(),
        version_no: m.version_no,
        keywords: m.keywords.clone(),
        body: m.body.clone(),
        attachment_text,
    }
}

impl App {
    pub fn with_search(mut self, index: SearchIndex, needs_rebuild: bool) -> App {
        self.search = Some(Arc::new(SearchState { index, rebuilding: AtomicBool::new(needs_rebuild) }));
        self
    }

    /// The index was missing, corrupt or of an older schema and has not been rebuilt yet.
    pub fn search_needs_rebuild(&self) -> bool {
        self.search.as_ref().is_some_and(|s| s.rebuilding.load(Ordering::SeqCst))
    }

    fn search_state(&self) -> Result<&Arc<SearchState>> {
        self.search.as_ref().ok_or_else(|| AppError::Internal("search index not configured".into()))
    }

    async fn search_docs(&self, ids: &[i64]) -> Result<(Vec<SearchDoc>, Vec<i64>)> {
        let conn = self.store.conn();
        let today = self.today();
        let rows = document::Entity::find().filter(document::Column::Id.is_in(ids.to_vec())).all(conn).await?;
        let mut up = Vec::new();
        let mut gone: Vec<i64> = ids.to_vec();
        for m in rows {
            if m.status == Status::Published.code() {
                gone.retain(|i| *i != m.id);
                let texts: Vec<String> = attachment::Entity::find()
                    .select_only()
                    .column(attachment::Column::ExtractedText)
                    .filter(attachment::Column::DocumentId.eq(m.id))
                    .into_tuple()
                    .all(conn)
                    .await?;
                up.push(search_doc(&m, today, texts.join("\n")));
            }
        }
        Ok((up, gone))
    }

    /// Brings the index up to the changes feed. Returns how many records were touched.
    pub async fn index_pending(&self) -> Result<usize> {
        let state = self.search_state()?.clone();
        if state.rebuilding.load(Ordering::SeqCst) {
            return Ok(0);
        }
        let mut from = state.index.position();
        let mut n = 0;
        loop {
            let changes = queries::changes_since(self.store.conn(), from, 500).await?;
            let Some(last) = changes.last().map(|c| c.seq) else { break };
            let mut ids: Vec<i64> = changes.iter().filter(|c| c.entity == "document").map(|c| c.entity_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let (up, gone) = self.search_docs(&ids).await?;
            n += ids.len();
            let idx = state.clone();
            tokio::task::spawn_blocking(move || idx.index.apply(&up, &gone, Some(last)))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            from = last;
        }
        Ok(n)
    }

    /// Rebuilds the whole index from the database.
    pub async fn reindex(&self) -> Result<usize> {
        let state = self.search_state()?.clone();
        state.rebuilding.store(true, Ordering::SeqCst);
        let result = self.reindex_inner(&state).await;
        state.rebuilding.store(false, Ordering::SeqCst);
        result
    }

    async fn reindex_inner(&self, state: &Arc<SearchState>) -> Result<usize> {
        let position = queries::feed_position(self.store.conn()).await?;
        let idx = state.clone();
        tokio::task::spawn_blocking(move || idx.index.clear())
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut last_id = 0;
        let mut n = 0;
        loop {
            let ids: Vec<i64> = document::Entity::find()
                .select_only()
                .column(document::Column::Id)
                .filter(document::Column::Id.gt(last_id))
                .filter(document::Column::Status.eq(Status::Published.code()))
                .order_by_asc(document::Column::Id)
                .limit(200)
                .into_tuple()
                .all(self.store.conn())
                .await?;
            let Some(last) = ids.last().copied() else { break };
            last_id = last;
            let (up, _) = self.search_docs(&ids).await?;
            n += up.len();
            let idx = state.clone();
            tokio::task::spawn_blocking(move || idx.index.apply(&up, &[], None))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
        }
        let idx = state.clone();
        tokio::task::spawn_blocking(move || idx.index.apply(&[], &[], Some(position)))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(n)
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
            });
        }
        let q = SearchQuery {
            text,
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
        let results = tokio::task::spawn_blocking(move || state.index.search(&q))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let Results { total, hits, facets } = results;
        Ok(SearchOutcome { rebuilding: false, empty_query, total, page, per_page, hits, facets })
    }
}

/// One question of an evaluation set (the format of shared/data/qa_dev.jsonl).
#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuestion {
    pub question: String,
    pub gold_doc_id: String,
    pub gold_article: Option<String>,
}

/// Recall@1/5/10 and MRR@10, at document and article level.
#[derive(Debug, Clone, Serialize, Default)]
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
        tokio::task::spawn_blocking(move || state.index.passages(&q, k as usize))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))
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
