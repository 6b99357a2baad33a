//! The district office's additions to the 严重表述错误 list the patrol checks: audited rows,
//! edited in the console, used from the next run on.

use crate::{Actor, App, AppError, Result};
use gongkai_domain::FieldError;
use gongkai_domain::patrol::shipped_wording;
use gongkai_store::sea_orm::Set;
use gongkai_store::wording_rule::{self as store, row};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WordingView {
    pub id: i64,
    pub wrong: String,
    pub right: String,
    pub note: String,
    pub created_at: time::OffsetDateTime,
}

impl From<row::Model> for WordingView {
    fn from(m: row::Model) -> Self {
        WordingView { id: m.id, wrong: m.wrong, right: m.right, note: m.note, created_at: m.created_at }
    }
}

impl App {
    pub async fn wording_rules(&self, actor: &Actor) -> Result<Vec<WordingView>> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("只有审核人员和公开办可以查看表述错误词表".into()));
        }
        Ok(store::list(self.store.conn()).await?.into_iter().map(Into::into).collect())
    }

    /// Adds a wrong form and its right one. Only forms that are never right belong in the
    /// list: a pattern that is a real word elsewhere would flag good text.
    pub async fn add_wording_rule(&self, actor: &Actor, wrong: &str, right: &str, note: &str) -> Result<WordingView> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以维护表述错误词表".into()));
        }
        let (wrong, right, note) = (wrong.trim(), right.trim(), note.trim());
        let mut errs = Vec::new();
        if !(2..=30).contains(&wrong.chars().count()) {
            errs.push(FieldError::new("wrong", "错误写法应为2至30个字"));
        }
        if !(1..=30).contains(&right.chars().count()) {
            errs.push(FieldError::new("right", "正确写法应为1至30个字"));
        } else if right == wrong || right.contains(wrong) {
            errs.push(FieldError::new(
                "right",
                "正确写法不能与错误写法相同，也不能包含错误写法（否则正确的文字也会被标出）",
            ));
        }
        if note.chars().count() > 200 {
            errs.push(FieldError::new("note", "说明不超过200字"));
        }
        for (field, label, text) in [("wrong", "错误写法", wrong), ("right", "正确写法", right), ("note", "说明", note)]
        {
            gongkai_domain::text::check(&mut errs, field, label, text, false);
        }
        if shipped_wording().iter().any(|r| r.wrong == wrong) {
            errs.push(FieldError::new("wrong", "系统内置词表中已有这个写法"));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let tx = self.store.begin_write().await?;
        if store::by_wrong(&*tx, wrong).await?.is_some() {
            return Err(AppError::field("wrong", format!("词表中已有“{wrong}”")));
        }
        let m = store::insert(
            &*tx,
            row::ActiveModel {
                wrong: Set(wrong.into()),
                right: Set(right.into()),
                note: Set(note.into()),
                created_by: Set(actor.user_id),
                created_at: Set(self.now()),
                ..Default::default()
            },
        )
        .await?;
        self.audit(
            &*tx,
            actor,
            "wording_rule.add",
            "wording_rule",
            Some(m.id),
            None,
            Some(serde_json::json!({"wrong": m.wrong, "right": m.right})),
        )
        .await?;
        tx.commit().await?;
        Ok(m.into())
    }

    pub async fn remove_wording_rule(&self, actor: &Actor, id: i64) -> Result<()> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以维护表述错误词表".into()));
        }
        let tx = self.store.begin_write().await?;
        let m = store::get(&*tx, id).await?.ok_or_else(|| AppError::NotFound("词表中没有这一条".into()))?;
        store::delete(&*tx, id).await?;
        self.audit(
            &*tx,
            actor,
            "wording_rule.remove",
            "wording_rule",
            Some(id),
            Some(serde_json::json!({"wrong": m.wrong, "right": m.right})),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
