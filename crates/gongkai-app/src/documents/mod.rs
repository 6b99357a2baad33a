//! The document library: create, edit, review, publish, revise, repeal, read.
//!
//! `input`: what an editor submits and its validation; `views`: what is shown and
//! answered; `workflow`: drafting, review, publication (also scheduled), revision and
//! repeal; `reading`: lists, facets, the detail with versions and interpretations, diffs;
//! `desk`: what waits for one person on the console's front page.

mod desk;
mod input;
mod reading;
mod views;
mod workflow;

pub use desk::Desk;
pub use input::*;
pub(crate) use reading::audit_value;
pub use views::*;
pub use workflow::ReleaseScheduled;
pub(crate) use workflow::{Reviewed, review_step};

use crate::{Actor, App, AppError, Result};
use gongkai_domain::{CreditCode, IndexNo, Status};
use gongkai_store::queries::{self};
use gongkai_store::sea_orm::{ConnectionTrait, EntityTrait, Set};
use gongkai_store::{document, org};

impl App {
    pub(super) async fn load_doc<C: ConnectionTrait>(&self, conn: &C, id: i64) -> Result<document::Model> {
        document::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("文件（编号 {id}）不存在")))
    }

    /// May `viewer` read this record? The public reads only what is published.
    pub(super) fn may_read(viewer: Option<&Actor>, m: &document::Model) -> bool {
        m.status == Status::Published.code() || viewer.is_some_and(|a| a.may_see_org(m.org_id))
    }

    pub(super) fn check_edit(actor: &Actor, m: &document::Model) -> Result<()> {
        if !actor.may_see_org(m.org_id) {
            return Err(AppError::Forbidden("不能修改其他机构的文件".into()));
        }
        if !actor.role.can_edit() {
            return Err(AppError::Forbidden("当前角色不能编辑文件".into()));
        }
        Ok(())
    }

    pub(crate) async fn assign_index_no<C: ConnectionTrait>(
        &self,
        conn: &C,
        org: &org::Model,
        year: i32,
    ) -> Result<String> {
        let seq = queries::next_index_seq(conn, org.id, year).await?;
        let credit = CreditCode::parse(&org.credit_code).map_err(|e| AppError::Internal(e.to_string()))?;
        let idx = IndexNo::new(credit, year as u16, seq as u32).map_err(|e| AppError::Rule(e.to_string()))?;
        Ok(idx.to_string())
    }

    pub(super) fn apply_valid(am: &mut document::ActiveModel, v: Valid, org: &org::Model) {
        am.title = Set(v.title);
        am.issuer = Set(v.issuer.unwrap_or_else(|| org.name.clone()));
        am.co_issuers = Set(serde_json::to_string(&v.co_issuers).unwrap_or_else(|_| "[]".into()));
        am.doc_no_code = Set(v.doc_no.as_ref().map(|d| d.issuer_code().to_string()));
        am.doc_no_year = Set(v.doc_no.as_ref().and_then(|d| d.year()).map(i32::from));
        am.doc_no_seq = Set(v.doc_no.as_ref().map(|d| d.seq() as i64));
        am.doc_no = Set(v.doc_no.map(|d| d.to_string()));
        am.kind = Set(v.kind.map(|k| k.code().into()));
        am.category = Set(v.category.code().into());
        am.topic = Set(v.topic);
        am.signed_on = Set(v.dates.signed_on);
        am.published_on = Set(v.dates.published_on);
        am.effective_on = Set(v.dates.effective_on);
        am.expires_on = Set(v.dates.expires_on);
        am.disclosure_mode = Set(v.mode.code().into());
        am.withheld_reason = Set(v.withheld_reason);
        am.keywords = Set(v.keywords);
        am.body = Set(v.body);
        am.version_note = Set(v.version_note);
        am.privacy_exception = Set(v.privacy_exception.map(|e| e.code().to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_reports_every_field() {
        let input = DocumentInput {
            title: " ".into(),
            doc_no: Some("莱政办发[2025]05号".into()),
            category: "x".into(),
            signed_on: Some("2025-06-27".into()),
            published_on: Some("2025-06-01".into()),
            disclosure_mode: Some("不予公开".into()),
            body: "正文".into(),
            ..Default::default()
        };
        let errs = match validate(&input, &[]) {
            Err(e) => e,
            Ok(_) => panic!("should fail"),
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "doc_no", "category", "published_on", "withheld_reason"]);
        assert!(errs[1].message.contains("莱政办发〔2025〕5号"));
    }
}
