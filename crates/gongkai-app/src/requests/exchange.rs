//! The case format exchanged with the city platform.

use super::reviews::{checked_review, review_model};
use super::*;
use gongkai_domain::handling::{self, RecordedStep, RequestFacts, Step};

/// A whole case as exchanged with the city platform (`format`: [`EXCHANGE_FORMAT`]). It
/// carries the applicant's data: export and import are for staff, and both are audited.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Exchange {
    pub format: String,
    pub tracking_no: String,
    /// The answering organisation, by its 统一社会信用代码.
    pub org_credit_code: String,
    /// 申请渠道 (v2: `channel`).
    #[serde(alias = "channel")]
    pub intake_channel: String,
    pub received_on: String,
    pub status: String,
    pub application: Application,
    pub events: Vec<ExchangeEvent>,
    pub reviews: Vec<ReviewInput>,
}

/// A handling step as exchanged: the same fields as [`StepInput`], minus the ones that
/// name local people or organisations (assignment and transfer stay inside one system).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ExchangeEvent {
    pub kind: String,
    pub on_date: String,
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}

/// The format written. v3 names the steps as the glossary does (`third_party_consultation`,
/// `third_party_reply`, `service`); [`EXCHANGE_FORMATS_READ`] still reads v2 files, whose
/// step names (`consultation`, `consultation_reply`, `delivery`) are taken as before.
pub const EXCHANGE_FORMAT: &str = "gongkai.request.v3";
/// Every format import takes.
pub const EXCHANGE_FORMATS_READ: [&str; 2] = ["gongkai.request.v2", EXCHANGE_FORMAT];

impl App {
    pub async fn export_request(&self, actor: &Actor, id: i64) -> Result<Exchange> {
        let (m, events) = self.request_for(actor, id).await?;
        let conn = self.store.conn();
        let org = org::Entity::find_by_id(m.org_id).one(conn).await?.map(|o| o.credit_code).unwrap_or_default();
        let reviews =
            request_review::Entity::find().filter(request_review::Column::RequestId.eq(m.id)).all(conn).await?;
        let tx = self.store.begin_write().await?;
        self.audit(&*tx, actor, "request.export", "info_request", Some(m.id), None, None).await?;
        tx.commit().await?;
        Ok(Exchange {
            format: EXCHANGE_FORMAT.into(),
            tracking_no: m.tracking_no,
            org_credit_code: org,
            intake_channel: m.intake_channel,
            received_on: m.received_on.to_string(),
            status: m.status,
            application: Application {
                applicant_kind: m.applicant_kind,
                name: m.name,
                id_number: m.id_number,
                contact_person: m.contact_person,
                phone: m.phone,
                email: m.email,
                address: m.address,
                description: m.description,
                purpose: m.purpose,
                medium: m.medium,
                collect_by: m.collect_by,
            },
            events: events
                .into_iter()
                .filter_map(|e| StepKind::parse_any(&e.kind).filter(|k| !k.is_local()).map(|k| (k, e)))
                .map(|(k, e)| ExchangeEvent {
                    kind: k.code().into(),
                    on_date: e.on_date.to_string(),
                    note: e.note,
                    days: e.days.and_then(|d| u32::try_from(d).ok()),
                    approver: e.approver,
                    outcome: e.outcome,
                    basis: e.basis,
                    party: e.party,
                    due_by: e.due_by.map(|d| d.to_string()),
                    amount: e.amount,
                })
                .collect(),
            reviews: reviews
                .into_iter()
                .map(|r| ReviewInput {
                    kind: r.kind,
                    filed_on: r.filed_on.to_string(),
                    result: r.result,
                    decided_on: r.decided_on.map(|d| d.to_string()),
                    note: Some(r.note),
                })
                .collect(),
        })
    }

    /// Takes in a case from the city platform: checked like a new application, its events
    /// in order and of known kinds, all written in one transaction. Returns the new id and
    /// a fresh query code (the platform's own code is not known here).
    pub async fn import_request(&self, actor: &Actor, x: Exchange) -> Result<(i64, String)> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以导入市级平台的申请".into()));
        }
        if !EXCHANGE_FORMATS_READ.contains(&x.format.as_str()) {
            return Err(AppError::field("format", format!("format 应为 {}", EXCHANGE_FORMATS_READ.join(" 或 "))));
        }
        let app = request::validate(&x.application).map_err(AppError::Validation)?;
        let tracking_no = x.tracking_no.trim().to_ascii_uppercase();
        if tracking_no.is_empty()
            || tracking_no.len() > 32
            || !tracking_no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(AppError::field("tracking_no", "受理编号只能包含字母、数字和短横线，不超过32位"));
        }
        let channel =
            RequestChannel::parse(&x.intake_channel).ok_or_else(|| AppError::field("intake_channel", "渠道无效"))?;
        let received = parse_date("received_on", &x.received_on)?;
        if received > self.today() {
            return Err(AppError::field("received_on", "收到申请的日期不能晚于今天"));
        }
        let conn = self.store.conn();
        let target = org::Entity::find()
            .filter(org::Column::CreditCode.eq(x.org_credit_code.trim()))
            .one(conn)
            .await?
            .ok_or_else(|| AppError::field("org_credit_code", "没有这个统一社会信用代码的机关"))?;
        // Every step is replayed through the same checks as a step typed in the console.
        let now = self.now();
        let cal = self.calendar().await?;
        let cx = self.step_context(&cal, actor);
        let req = RequestFacts { received_on: received, org_id: target.id };
        let receipt = format!("{}：{}", channel.label(), channel.receipt_rule());
        let mut steps = vec![RecordedStep { on: received, note: receipt, step: Step::Received }];
        for (i, e) in x.events.iter().enumerate() {
            let at = |msg: String| {
                AppError::Validation(vec![gongkai_domain::FieldError::new(
                    "events",
                    format!("第{}个办理环节（{}）：{msg}", i + 1, e.kind),
                )])
            };
            let kind = StepKind::parse_any(&e.kind);
            if kind == Some(StepKind::Received) {
                if i != 0 || e.on_date != x.received_on {
                    return Err(at("收到申请只能是第一个环节，日期与 received_on 一致".into()));
                }
                continue;
            }
            if kind.is_some_and(StepKind::is_local) {
                return Err(at("指定承办人和转交是本系统内部的环节，不能导入".into()));
            }
            let input = StepInput {
                kind: e.kind.clone(),
                on_date: e.on_date.clone(),
                note: Some(e.note.clone()),
                days: e.days,
                approver: e.approver.clone(),
                outcome: e.outcome.clone(),
                basis: e.basis.clone(),
                party: e.party.clone(),
                due_by: e.due_by.clone(),
                amount: e.amount,
                to_user_id: None,
                to_org_id: None,
            };
            let step = super::steps::check_step(req, &steps, &input, &cx).map_err(|err| at(err.to_string()))?;
            steps.push(step);
        }
        let status = handling::status_of(&steps);
        let due = super::steps::reply_due(&cal, self.config.first_day, received, &steps)?.map(|d| d.due);
        let outcome = steps.iter().find_map(|s| match &s.step {
            Step::Decision { outcome, .. } => Some(outcome.code().to_string()),
            _ => None,
        });
        let reviews =
            x.reviews.iter().map(|r| checked_review(r, received, self.today())).collect::<Result<Vec<_>>>()?;
        let (query_code, query_code_hash) = new_query_code().await?;
        let tx = self.store.begin_write().await?;
        if info_request::Entity::find()
            .filter(info_request::Column::TrackingNo.eq(tracking_no.clone()))
            .one(&*tx)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(format!("受理编号 {tracking_no} 已存在")));
        }
        let row = NewRow {
            tracking_no: &tracking_no,
            query_code_hash,
            org_id: target.id,
            intake_channel: channel,
            received,
            due,
            status: status.code(),
            created_by: actor.user_id,
            now,
        };
        let mut row = request_row(row, app);
        row.outcome = Set(outcome);
        let m = row.insert(&*tx).await?;
        for s in &steps {
            let mut row: request_step::ActiveModel = super::steps::row_of(m.id, s, &cx).into();
            row.id = gongkai_store::sea_orm::ActiveValue::NotSet;
            row.insert(&*tx).await?;
        }
        for r in &reviews {
            review_model(m.id, r, now).insert(&*tx).await?;
        }
        self.audit(
            &*tx,
            actor,
            "request.import",
            "info_request",
            Some(m.id),
            None,
            Some(serde_json::json!({"tracking_no": m.tracking_no, "events": x.events.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok((m.id, query_code))
    }
}
