//! The district office's dictionary of terms that must stay whole in search.

use super::*;
use crate::Actor;
use gongkai_store::sea_orm::{ActiveModelTrait, Set};
use gongkai_store::search_term;
use serde::Serialize;

/// Longest term accepted: a long compound hides its parts from search (DESIGN.md).
pub const MAX_TERM_CHARS: usize = 12;

/// A word of the dictionary, with why it was added.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchTerm {
    pub id: i64,
    pub term: String,
    pub note: String,
    pub created_at: time::OffsetDateTime,
}

impl From<search_term::Model> for SearchTerm {
    fn from(m: search_term::Model) -> SearchTerm {
        SearchTerm { id: m.id, term: m.term, note: m.note, created_at: m.created_at }
    }
}

impl App {
    /// Every term, oldest first.
    pub async fn search_term_list(&self) -> Result<Vec<SearchTerm>> {
        let rows = search_term::Entity::find().order_by_asc(search_term::Column::Id).all(self.store.conn()).await?;
        Ok(rows.into_iter().map(SearchTerm::from).collect())
    }

    pub async fn search_terms(&self) -> Result<Vec<String>> {
        Ok(self.search_term_list().await?.into_iter().map(|t| t.term).collect())
    }

    /// Puts the stored dictionary into use. Returns true when the index was built with
    /// another dictionary; it is then marked for rebuilding.
    pub async fn use_search_terms(&self) -> Result<bool> {
        let terms = self.search_terms().await?;
        let state = self.search_state()?.clone();
        let stale = state.index.set_terms(&terms);
        // Beside a running server the server rebuilds; a reader searches what it has.
        if stale && !state.index.is_read_only() {
            state.rebuilding.store(true, Ordering::SeqCst);
        }
        Ok(stale)
    }

    /// Adds a term (district office only). The index is rebuilt by the caller or the
    /// background worker, which sees `search_needs_rebuild`.
    pub async fn add_search_term(&self, actor: &Actor, term: &str, note: &str) -> Result<SearchTerm> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以维护检索词典".into()));
        }
        let term = term.trim();
        let n = term.chars().count();
        if !(2..=MAX_TERM_CHARS).contains(&n) {
            return Err(AppError::field("term", format!("词语应为2至{MAX_TERM_CHARS}个字")));
        }
        if !term.chars().all(|c| gongkai_search::analysis::is_cjk(c) || c.is_ascii_alphanumeric()) {
            return Err(AppError::field("term", "词语只能包含汉字、字母和数字，不能有空格或标点"));
        }
        if note.chars().count() > 200 {
            return Err(AppError::field("note", "说明不超过200字"));
        }
        let tx = self.store.begin_write().await?;
        if search_term::Entity::find().filter(search_term::Column::Term.eq(term)).one(&*tx).await?.is_some() {
            return Err(AppError::Conflict(format!("词典中已有“{term}”")));
        }
        let m = search_term::ActiveModel {
            term: Set(term.to_string()),
            note: Set(note.trim().to_string()),
            created_by: Set(actor.user_id),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        self.audit(
            &*tx,
            actor,
            "search_term.add",
            "search_term",
            Some(m.id),
            None,
            Some(serde_json::json!({"term": m.term, "note": m.note})),
        )
        .await?;
        tx.commit().await?;
        self.use_search_terms().await?;
        Ok(m.into())
    }

    pub async fn remove_search_term(&self, actor: &Actor, id: i64) -> Result<()> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以维护检索词典".into()));
        }
        let tx = self.store.begin_write().await?;
        let Some(m) = search_term::Entity::find_by_id(id).one(&*tx).await? else {
            return Err(AppError::NotFound("词典中没有这个词".into()));
        };
        search_term::Entity::delete_by_id(id).exec(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "search_term.remove",
            "search_term",
            Some(id),
            Some(serde_json::json!({"term": m.term, "note": m.note})),
            None,
        )
        .await?;
        tx.commit().await?;
        self.use_search_terms().await?;
        Ok(())
    }
}
