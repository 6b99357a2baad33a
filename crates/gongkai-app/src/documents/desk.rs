//! The console's front page for one person (工作台): what waits for their review, their
//! own drafts, what was published this month, and normative documents published without
//! the interpretation 谁起草谁解读 asks for.

use super::*;
use gongkai_domain::Category;
use gongkai_domain::workflow::{check_reviewer, parse_reviewers};
use gongkai_store::queries::DocQuery;
use gongkai_store::sea_orm::{ColumnTrait, QueryFilter};
use gongkai_store::{interpretation, interpretation_link};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

/// What the front page shows one person; lists hold at most 50 each.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Desk {
    /// 待我审核: submitted documents this person may pass now (never their own draft, nor
    /// a round whose earlier level they passed, where the four-eyes rule applies) and
    /// approved ones waiting to be published.
    pub to_review: Vec<DocumentView>,
    /// Drafts this person wrote that are not yet submitted.
    pub my_drafts: Vec<DocumentView>,
    /// Published since the first of this month, in the organisations this person sees.
    pub published_this_month: u64,
    /// 行政规范性文件 published without a live interpretation, where the rule applies.
    pub missing_interpretation: Vec<DocumentView>,
}

impl App {
    pub async fn desk(&self, actor: &Actor) -> Result<Desk> {
        let today = self.today();
        let conn = self.store.conn();
        let org_ids = (!actor.role.is_district_wide()).then(|| vec![actor.org_id]);
        let q = |statuses: &[Status]| DocQuery {
            statuses: Some(statuses.iter().map(|s| s.code().to_string()).collect()),
            org_ids: org_ids.clone(),
            imported: Some(false),
            limit: 50,
            ..Default::default()
        };
        let mut orgs: HashMap<i64, org::Model> = HashMap::new();
        let mut to_review = Vec::new();
        if actor.role.can_review() {
            let (rows, _) = queries::document_list(conn, &q(&[Status::Submitted, Status::Approved]), today).await?;
            for m in rows {
                if let Entry::Vacant(e) = orgs.entry(m.org_id) {
                    e.insert(self.org_row(m.org_id).await?);
                }
                let four_eyes = orgs.get(&m.org_id).is_some_and(|o| o.four_eyes);
                let barred = m.status == Status::Submitted.code()
                    && four_eyes
                    && check_reviewer(m.created_by, &parse_reviewers(&m.reviewed_by), actor.user_id).is_err();
                if !barred {
                    to_review.push(DocumentView::from_model(&m, today, false));
                }
            }
        }
        let my_drafts = if actor.role.can_edit() {
            let (rows, _) = queries::document_list(conn, &q(&[Status::Draft]), today).await?;
            rows.iter()
                .filter(|m| m.created_by.is_some() && m.created_by == actor.user_id)
                .map(|m| DocumentView::from_model(m, today, false))
                .collect()
        } else {
            vec![]
        };
        let month_start = today.replace_day(1).unwrap_or(today);
        let (_, published_this_month) = queries::document_list(
            conn,
            &DocQuery { published_from: Some(month_start), limit: 1, ..q(&[Status::Published]) },
            today,
        )
        .await?;
        let (normative, _) = queries::document_list(
            conn,
            &DocQuery {
                category: Some(Category::Normative.code().into()),
                latest_only: true,
                limit: 200,
                ..q(&[Status::Published])
            },
            today,
        )
        .await?;
        let ids: Vec<i64> = normative.iter().map(|m| m.id).collect();
        let links = interpretation_link::Entity::find()
            .filter(interpretation_link::Column::DocumentId.is_in(ids))
            .all(conn)
            .await?;
        let live: HashSet<i64> = interpretation::Entity::find()
            .filter(interpretation::Column::Id.is_in(links.iter().map(|l| l.interpretation_id)))
            .filter(interpretation::Column::Status.ne(Status::Withdrawn.code()))
            .all(conn)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        let explained: HashSet<i64> =
            links.iter().filter(|l| live.contains(&l.interpretation_id)).map(|l| l.document_id).collect();
        let mut missing_interpretation = Vec::new();
        for m in normative.iter().filter(|m| !explained.contains(&m.id)) {
            if let Entry::Vacant(e) = orgs.entry(m.org_id) {
                e.insert(self.org_row(m.org_id).await?);
            }
            if orgs.get(&m.org_id).is_some_and(|o| o.require_interpretation) {
                missing_interpretation.push(DocumentView::from_model(m, today, false));
            }
        }
        missing_interpretation.truncate(50);
        Ok(Desk { to_review, my_drafts, published_this_month, missing_interpretation })
    }
}
