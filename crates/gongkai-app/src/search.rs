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
    #[serde(flatten)]
    pub results: Option<Results>,
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
            return Ok(SearchOutcome { rebuilding: true, empty_query, total: 0, page, per_page, results: None });
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
        Ok(SearchOutcome {
            rebuilding: false,
            empty_query,
            total: results.total,
            page,
            per_page,
            results: Some(results),
        })
    }
}
