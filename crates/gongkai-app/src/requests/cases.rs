//! The case library (典型案例) of closed requests, with applicant data left out, and
//! suggestions to publish proactively what several people asked for (依申请转主动,
//! 《政府信息公开条例》第四十四条).

use crate::search::{BoxFuture, SearchSource, html_text};
use crate::{Actor, App, AppError, Result};
use gongkai_domain::request::Outcome;
use gongkai_search::SearchDoc;
use gongkai_store::queries;
use gongkai_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use gongkai_store::{info_request, org, request_case, request_step};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CaseInput {
    pub title: String,
    /// What was asked and how it was answered, in the office's words.
    pub summary: String,
    /// The basis as the public reads it; the decision's own when left out. Checked like
    /// the rest: a decision's basis may quote the applicant.
    pub basis: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub outcome: Outcome,
    pub outcome_label: String,
    pub basis: String,
    pub received_on: time::Date,
    pub decided_on: time::Date,
    pub summary: String,
}

/// Several requests asking for much the same information.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DisclosureSuggestion)]
pub struct Suggestion {
    pub org_id: i64,
    /// The requests that triggered it (tracking numbers and what they asked).
    pub requests: Vec<(String, String)>,
}

/// The applicant's own data, or anything shaped like an identity or phone number, in
/// any spelling (`domain::privacy`).
fn leaks(text: &str, r: &info_request::Model) -> Option<&'static str> {
    let mut own = vec![r.name.as_str(), r.id_number.as_str(), r.phone.as_str()];
    own.extend(r.email.as_deref());
    own.extend(r.contact_person.as_deref());
    own.extend(r.address.as_deref());
    gongkai_domain::privacy::leak(text, &own)
}

fn bigram_set(s: &str) -> HashSet<(char, char)> {
    let cs: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
    cs.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Half or more of the character pairs in common (Jaccard ≥ 0.5).
fn similar(x: &HashSet<(char, char)>, y: &HashSet<(char, char)>) -> bool {
    let inter = x.intersection(y).count();
    let union = x.len() + y.len() - inter;
    union > 0 && inter * 2 >= union
}

impl App {
    /// Publishes a decided request to the case library. Only the office's title and summary
    /// and the decision are shown; both texts are checked for the applicant's data.
    pub async fn publish_case(&self, actor: &Actor, request_id: i64, input: CaseInput) -> Result<CaseView> {
        let conn = self.store.conn();
        let r = info_request::Entity::find_by_id(request_id)
            .one(conn)
            .await?
            .filter(|r| actor.may_see_org(r.org_id))
            .ok_or_else(|| AppError::NotFound("没有这件申请，或不属于本机关".into()))?;
        let decision = request_step::Entity::find()
            .filter(request_step::Column::RequestId.eq(r.id))
            .filter(request_step::Column::Kind.eq("decision"))
            .one(conn)
            .await?
            .ok_or_else(|| AppError::Rule("只有已作出答复决定的申请才能编入案例库".into()))?;
        // The applicant hears the answer before the public reads it as a case.
        if r.status != "closed" {
            return Err(AppError::Rule("答复书送达申请人后才能编入案例库".into()));
        }
        let outcome = decision.outcome.as_deref().and_then(Outcome::parse).unwrap_or(Outcome::Other);
        let basis = crate::opt(&input.basis).or(decision.basis.clone()).unwrap_or_default();
        let title = input.title.trim().to_string();
        let summary = html_text(&ammonia::clean(input.summary.trim()));
        let mut errs = Vec::new();
        if !(4..=100).contains(&title.chars().count()) {
            errs.push(gongkai_domain::FieldError::new("title", "案例标题应为4至100字"));
        } else if let Some(m) = leaks(&title, &r) {
            errs.push(gongkai_domain::FieldError::new("title", format!("案例标题{m}")));
        }
        if !(10..=5000).contains(&summary.chars().count()) {
            errs.push(gongkai_domain::FieldError::new("summary", "案例摘要应为10至5000字"));
        } else if let Some(m) = leaks(&summary, &r) {
            errs.push(gongkai_domain::FieldError::new("summary", format!("案例摘要{m}")));
        }
        if let Some(m) = leaks(&basis, &r) {
            errs.push(gongkai_domain::FieldError::new(
                "basis",
                format!("答复依据{m}：请填写供公开的答复依据（不含申请人信息）"),
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let now = self.now();
        let tx = self.store.begin_write().await?;
        if request_case::Entity::find().filter(request_case::Column::RequestId.eq(r.id)).one(&*tx).await?.is_some() {
            return Err(AppError::Conflict("这件申请已经编入案例库".into()));
        }
        let c = request_case::ActiveModel {
            request_id: Set(r.id),
            org_id: Set(r.org_id),
            title: Set(title),
            outcome: Set(outcome.code().into()),
            basis: Set(basis),
            received_on: Set(r.received_on),
            decided_on: Set(decision.on_date),
            published_at: Set(now),
            summary: Set(summary),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        queries::record_change(&*tx, CASE, c.id, now).await?;
        self.audit(
            &*tx,
            actor,
            "case.publish",
            "request_case",
            Some(c.id),
            None,
            Some(serde_json::json!({"title": c.title})),
        )
        .await?;
        tx.commit().await?;
        if let Err(e) = self.patrol_record(CASE, c.id).await {
            tracing::warn!(error = %e, "patrol of a published case");
        }
        self.case(c.id).await
    }

    pub async fn case(&self, id: i64) -> Result<CaseView> {
        let c = request_case::Entity::find_by_id(id)
            .one(self.store.conn())
            .await?
            .ok_or_else(|| AppError::NotFound("没有这个案例".into()))?;
        self.case_view(c).await
    }

    async fn case_view(&self, c: request_case::Model) -> Result<CaseView> {
        let org_name =
            org::Entity::find_by_id(c.org_id).one(self.store.conn()).await?.map(|o| o.name).unwrap_or_default();
        let outcome = Outcome::parse(&c.outcome)
            .ok_or_else(|| AppError::Internal(format!("request_case {} has outcome {:?}", c.id, c.outcome)))?;
        Ok(CaseView {
            id: c.id,
            title: c.title,
            org_name,
            outcome_label: format!("{}：{}", outcome.group(), outcome.label()),
            outcome,
            basis: c.basis,
            received_on: c.received_on,
            decided_on: c.decided_on,
            summary: c.summary,
        })
    }

    /// The case library, newest first.
    pub async fn cases(&self, page: u64, per_page: u64) -> Result<(Vec<CaseView>, u64)> {
        let q = request_case::Entity::find().order_by_desc(request_case::Column::Id);
        let total = q.clone().count(self.store.conn()).await?;
        let rows = q.offset(page.saturating_sub(1) * per_page).limit(per_page).all(self.store.conn()).await?;
        let mut out = Vec::new();
        for c in rows {
            out.push(self.case_view(c).await?);
        }
        Ok((out, total))
    }

    /// Requests of the last 12 months to the same organisation that ask for much the same
    /// information (half their character pairs shared), two or more: candidates for
    /// proactive disclosure.
    pub async fn disclosure_suggestions(&self, actor: &Actor) -> Result<Vec<Suggestion>> {
        let since = self.today() - time::Duration::days(365);
        let mut q = info_request::Entity::find().filter(info_request::Column::ReceivedOn.gte(since));
        if !actor.role.is_district_wide() {
            q = q.filter(info_request::Column::OrgId.eq(actor.org_id));
        }
        let rows = q.order_by_asc(info_request::Column::Id).all(self.store.conn()).await?;
        // Each description's pairs once, not once per comparison: the loop below is quadratic.
        let sets: Vec<HashSet<(char, char)>> = rows.iter().map(|r| bigram_set(&r.description)).collect();
        let mut used = vec![false; rows.len()];
        let mut out = Vec::new();
        for i in 0..rows.len() {
            if used[i] {
                continue;
            }
            let group: Vec<usize> = (i..rows.len())
                .filter(|&j| !used[j] && rows[j].org_id == rows[i].org_id && similar(&sets[i], &sets[j]))
                .collect();
            if group.len() >= 2 {
                for &j in &group {
                    used[j] = true;
                }
                out.push(Suggestion {
                    org_id: rows[i].org_id,
                    requests: group
                        .iter()
                        .map(|&j| (rows[j].tracking_no.clone(), rows[j].description.clone()))
                        .collect(),
                });
            }
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.requests.len()));
        Ok(out)
    }
}

pub const CASE: &str = "request_case";

/// Published cases in search: a kind of content added through the registry.
pub struct Cases;

impl SearchSource for Cases {
    fn name(&self) -> &'static str {
        CASE
    }
    fn label(&self) -> &'static str {
        "依申请公开案例"
    }
    fn path_prefix(&self) -> &'static str {
        "/cases/"
    }
    fn load<'a>(&'a self, app: &'a App, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<SearchDoc>>> {
        Box::pin(async move {
            let rows = request_case::Entity::find()
                .filter(request_case::Column::Id.is_in(ids.to_vec()))
                .all(app.store.conn())
                .await?;
            let mut out = Vec::new();
            for c in rows {
                let org_id = Some(c.org_id);
                let v = app.case_view(c).await?;
                out.push(SearchDoc {
                    source: CASE.into(),
                    id: v.id,
                    org_id,
                    url: format!("/cases/{}", v.id),
                    title: v.title,
                    issuer: v.org_name,
                    year: Some(v.decided_on.year()),
                    published_on: Some(v.decided_on.to_string()),
                    current: true,
                    version_no: 1,
                    keywords: format!("依申请公开 案例 {}", v.outcome_label),
                    body: format!("{}\n答复依据：{}", v.summary, v.basis),
                    ..Default::default()
                });
            }
            Ok(out)
        })
    }
    fn public_ids<'a>(&'a self, app: &'a App, after: i64, limit: u64) -> BoxFuture<'a, Result<Vec<i64>>> {
        Box::pin(async move {
            Ok(request_case::Entity::find()
                .select_only()
                .column(request_case::Column::Id)
                .filter(request_case::Column::Id.gt(after))
                .order_by_asc(request_case::Column::Id)
                .limit(limit)
                .into_tuple()
                .all(app.store.conn())
                .await?)
        })
    }
}
