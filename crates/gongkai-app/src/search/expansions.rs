//! The colloquial→statutory table of policy Q&A: the shipped file plus the district
//! office's rows, each proposed by one person and approved by another (four eyes), every
//! change audited. Only approved rows are used.

use super::*;
use crate::Actor;
use gongkai_search::passages::{Expansion, shipped_expansions, split_terms};
use gongkai_store::expansion;
use gongkai_store::sea_orm::{IntoActiveModel, Set};

/// A row of the office's table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpansionRow {
    pub id: i64,
    /// What people say (工资).
    pub colloquial: String,
    /// The statutory terms (劳动报酬).
    pub statutory: Vec<String>,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: time::OffsetDateTime,
    pub approved_by: Option<i64>,
    pub approved_at: Option<time::OffsetDateTime>,
}

impl From<expansion::row::Model> for ExpansionRow {
    fn from(m: expansion::row::Model) -> ExpansionRow {
        ExpansionRow {
            id: m.id,
            statutory: split_terms(&m.statutory),
            colloquial: m.colloquial,
            note: m.note,
            created_by: m.created_by,
            created_at: m.created_at,
            approved_by: m.approved_by,
            approved_at: m.approved_at,
        }
    }
}

/// What a new row needs.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExpansionInput {
    pub colloquial: String,
    /// Terms separated by 、 or commas.
    pub statutory: String,
    #[serde(default)]
    pub note: String,
}

fn office_only(actor: &Actor) -> Result<()> {
    if actor.role.is_district_wide() {
        Ok(())
    } else {
        Err(AppError::Forbidden("只有公开办可以维护问答同义词表".into()))
    }
}

impl App {
    /// The shipped table as (colloquial, terms).
    pub fn shipped_expansions(&self) -> Vec<(String, Vec<String>)> {
        shipped_expansions().into_iter().map(|e| (e.from, e.to)).collect()
    }

    /// The office's rows, oldest first.
    pub async fn expansion_list(&self) -> Result<Vec<ExpansionRow>> {
        Ok(expansion::list(self.store.conn()).await?.into_iter().map(ExpansionRow::from).collect())
    }

    /// Puts the shipped table and the approved rows into use (an office row replaces a
    /// shipped one for the same word).
    pub async fn use_expansions(&self) -> Result<usize> {
        let Some(state) = self.search.as_ref() else { return Ok(0) };
        let rows = expansion::approved(self.store.conn()).await?;
        let mut list: Vec<Expansion> =
            shipped_expansions().into_iter().filter(|e| !rows.iter().any(|r| r.colloquial == e.from)).collect();
        list.extend(rows.into_iter().map(|r| Expansion { from: r.colloquial, to: split_terms(&r.statutory) }));
        let n = list.len();
        state.index.set_expansions(list);
        Ok(n)
    }

    /// Proposes a row; it is used once another person of the office approves it.
    pub async fn propose_expansion(&self, actor: &Actor, input: &ExpansionInput) -> Result<ExpansionRow> {
        office_only(actor)?;
        let colloquial = input.colloquial.trim();
        let terms = split_terms(&input.statutory);
        let mut errs = Vec::new();
        let n = colloquial.chars().count();
        if !(1..=12).contains(&n) || !colloquial.chars().all(|c| c.is_alphanumeric()) {
            errs.push(gongkai_domain::FieldError::new("colloquial", "口语词应为1至12个字，不含空格或标点"));
        }
        if terms.is_empty() || terms.len() > 6 {
            errs.push(gongkai_domain::FieldError::new("statutory", "请填写1至6个法定用语，用顿号分隔"));
        } else if terms.iter().any(|t| t.chars().count() > 12 || !t.chars().all(|c| c.is_alphanumeric())) {
            errs.push(gongkai_domain::FieldError::new("statutory", "每个法定用语不超过12个字，不含空格或标点"));
        } else if terms.iter().any(|t| t == colloquial) {
            errs.push(gongkai_domain::FieldError::new("statutory", "法定用语不能与口语词相同"));
        }
        if input.note.chars().count() > 200 {
            errs.push(gongkai_domain::FieldError::new("note", "说明不超过200字"));
        }
        gongkai_domain::text::check(&mut errs, "note", "说明", &input.note, false);
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let tx = self.store.begin_write().await?;
        if expansion::by_colloquial(&*tx, colloquial).await?.is_some() {
            return Err(AppError::Conflict(format!("同义词表中已有“{colloquial}”")));
        }
        let m = expansion::insert(
            &*tx,
            expansion::row::ActiveModel {
                colloquial: Set(colloquial.to_string()),
                statutory: Set(terms.join("、")),
                note: Set(input.note.trim().to_string()),
                created_by: Set(actor.user_id),
                created_at: Set(self.now()),
                approved_by: Set(None),
                approved_at: Set(None),
                ..Default::default()
            },
        )
        .await?;
        self.audit(
            &*tx,
            actor,
            "search_expansion.propose",
            "search_expansion",
            Some(m.id),
            None,
            Some(serde_json::json!({"colloquial": m.colloquial, "statutory": m.statutory, "note": m.note})),
        )
        .await?;
        tx.commit().await?;
        Ok(m.into())
    }

    /// Approves a proposed row: never by the person who proposed it.
    pub async fn approve_expansion(&self, actor: &Actor, id: i64) -> Result<ExpansionRow> {
        office_only(actor)?;
        let tx = self.store.begin_write().await?;
        let Some(m) = expansion::get(&*tx, id).await? else {
            return Err(AppError::NotFound("同义词表中没有这一行".into()));
        };
        if m.approved_at.is_some() {
            return Err(AppError::Conflict("这一行已经审核通过".into()));
        }
        if m.created_by.is_some() && m.created_by == actor.user_id {
            return Err(AppError::Forbidden("不能审核自己提出的同义词，请由公开办另一位同事审核".into()));
        }
        let mut am = m.clone().into_active_model();
        am.approved_by = Set(actor.user_id);
        am.approved_at = Set(Some(self.now()));
        let m = expansion::update(&*tx, am).await?;
        self.audit(
            &*tx,
            actor,
            "search_expansion.approve",
            "search_expansion",
            Some(id),
            None,
            Some(serde_json::json!({"colloquial": m.colloquial, "statutory": m.statutory})),
        )
        .await?;
        tx.commit().await?;
        self.use_expansions().await?;
        Ok(m.into())
    }

    pub async fn remove_expansion(&self, actor: &Actor, id: i64) -> Result<()> {
        office_only(actor)?;
        let tx = self.store.begin_write().await?;
        let Some(m) = expansion::get(&*tx, id).await? else {
            return Err(AppError::NotFound("同义词表中没有这一行".into()));
        };
        expansion::delete(&*tx, id).await?;
        self.audit(
            &*tx,
            actor,
            "search_expansion.remove",
            "search_expansion",
            Some(id),
            Some(serde_json::json!({"colloquial": m.colloquial, "statutory": m.statutory, "note": m.note})),
            None,
        )
        .await?;
        tx.commit().await?;
        self.use_expansions().await?;
        Ok(())
    }
}
