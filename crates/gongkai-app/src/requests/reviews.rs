//! Administrative reconsideration and litigation recorded against a request.

use super::*;
use gongkai_domain::report::{ReviewKind, ReviewResult};

/// A reconsideration or lawsuit over a request, as staff record it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewInput {
    /// reconsideration, litigation_direct, litigation_after
    pub kind: String,
    pub filed_on: String,
    /// maintained, corrected, other, pending
    pub result: String,
    pub decided_on: Option<String>,
    pub note: Option<String>,
}

/// A reconsideration or lawsuit as the console and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub request_id: i64,
    pub kind: ReviewKind,
    pub filed_on: Date,
    pub result: ReviewResult,
    pub decided_on: Option<Date>,
    pub note: String,
    pub created_at: time::OffsetDateTime,
}

impl ReviewView {
    pub(super) fn of(m: request_review::Model) -> Result<ReviewView> {
        let bad = |what: &str, v: &str| AppError::Internal(format!("request_review {}: {what} {v:?}", m.id));
        Ok(ReviewView {
            kind: ReviewKind::parse(&m.kind).ok_or_else(|| bad("kind", &m.kind))?,
            result: ReviewResult::parse(&m.result).ok_or_else(|| bad("result", &m.result))?,
            id: m.id,
            request_id: m.request_id,
            filed_on: m.filed_on,
            decided_on: m.decided_on,
            note: m.note,
            created_at: m.created_at,
        })
    }

    /// How the console lists it.
    pub fn label(&self) -> String {
        match self.decided_on {
            Some(d) => format!("{} {}，{d} 审结：{}", self.filed_on, self.kind.label(), self.result.label()),
            None => format!("{} {}：{}", self.filed_on, self.kind.label(), self.result.label()),
        }
    }
}

/// A file the applicant sent, as staff see it listed (the content is downloaded apart).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: time::OffsetDateTime,
}

impl From<gongkai_store::request_attachment::Model> for AttachmentView {
    fn from(m: gongkai_store::request_attachment::Model) -> Self {
        AttachmentView {
            id: m.id,
            file_name: m.file_name,
            content_type: m.content_type,
            size: m.size,
            sha256: m.sha256,
            created_at: m.created_at,
        }
    }
}

impl App {
    /// Records a reconsideration or lawsuit and its result (维持, 纠正, 其他, 尚未审结).
    pub async fn record_review(&self, actor: &Actor, id: i64, input: ReviewInput) -> Result<ReviewView> {
        let (m, _) = self.request_for(actor, id).await?;
        let v = checked_review(&input, m.received_on, self.today())?;
        let tx = self.store.begin_write().await?;
        let r = review_model(m.id, &v, self.now()).insert(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "request.review",
            "info_request",
            Some(m.id),
            None,
            Some(serde_json::json!({"kind": r.kind, "result": r.result, "filed_on": r.filed_on.to_string()})),
        )
        .await?;
        tx.commit().await?;
        ReviewView::of(r)
    }
}

/// A review that passed its checks.
pub(super) struct CheckedReview {
    kind: gongkai_domain::report::ReviewKind,
    filed: Date,
    result: gongkai_domain::report::ReviewResult,
    decided: Option<Date>,
    note: String,
}

pub(super) fn checked_review(input: &ReviewInput, received: Date, today: Date) -> Result<CheckedReview> {
    use gongkai_domain::report::{ReviewKind, ReviewResult};
    let mut errs = Vec::new();
    let kind = ReviewKind::parse(&input.kind);
    if kind.is_none() {
        errs.push(gongkai_domain::FieldError::new(
            "kind",
            "类型应为 reconsideration（行政复议）、litigation_direct（未经复议直接起诉）或 litigation_after（复议后起诉）",
        ));
    }
    let result = ReviewResult::parse(&input.result);
    if result.is_none() {
        errs.push(gongkai_domain::FieldError::new("result", "结果应为 maintained、corrected、other 或 pending"));
    }
    let filed = match parse_date("filed_on", &input.filed_on) {
        Ok(d) => Some(d),
        Err(AppError::Validation(e)) => {
            errs.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(kind), Some(result), Some(filed)) = (kind, result, filed) else {
        return Err(AppError::Validation(errs));
    };
    let decided = match input.decided_on.as_deref().filter(|d| !d.trim().is_empty()) {
        None => None,
        Some(d) => Some(parse_date("decided_on", d)?),
    };
    if filed < received || filed > today {
        return Err(AppError::field("filed_on", "申请复议或起诉的日期应在收到申请之后、今天之前"));
    }
    match (result, decided) {
        (ReviewResult::Pending, Some(_)) => return Err(AppError::field("decided_on", "尚未审结的不应有审结日期")),
        (ReviewResult::Pending, None) => {}
        (_, None) => return Err(AppError::field("decided_on", "请填写审结日期")),
        (_, Some(d)) if d < filed || d > today => {
            return Err(AppError::field("decided_on", "审结日期应在申请之后、今天之前"));
        }
        _ => {}
    }
    Ok(CheckedReview { kind, filed, result, decided, note: input.note.clone().unwrap_or_default() })
}

pub(super) fn review_model(
    request_id: i64,
    v: &CheckedReview,
    now: time::OffsetDateTime,
) -> request_review::ActiveModel {
    request_review::ActiveModel {
        request_id: Set(request_id),
        kind: Set(v.kind.code().into()),
        filed_on: Set(v.filed),
        result: Set(v.result.code().into()),
        decided_on: Set(v.decided),
        note: Set(v.note.clone()),
        created_at: Set(now),
        ..Default::default()
    }
}
