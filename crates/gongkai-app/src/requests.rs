//! Requests for disclosure (依申请公开): intake from the public form and the API, staff
//! registration of requests that came in person, by post or by fax, the legal reply date on
//! the official calendar, and the applicant's tracking page.

use crate::{Actor, App, AppError, Result, sha256_hex};
use gongkai_domain::deadline::{FirstDay, ReplyDue, RequestClock};
use gongkai_domain::request::{self, Application, Channel, QUERY_CODE_LEN};
use gongkai_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use gongkai_store::{info_request, org, request_event};
use serde::{Deserialize, Serialize};
use time::Date;

/// A request as submitted: the application, the organisation asked, and for staff the
/// channel it came through and the receipt date that channel's rule gives.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewRequest {
    #[serde(flatten)]
    pub application: Application,
    pub org_id: i64,
    /// Staff only; the public form is always `online`.
    pub channel: Option<String>,
    /// Staff only: YYYY-MM-DD.
    pub received_on: Option<String>,
}

/// What the applicant is given: keep the query code, it is shown once.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub tracking_no: String,
    pub query_code: String,
    pub received_on: Date,
    pub due_on: Date,
    /// How the due date was counted, day by day.
    pub due: ReplyDue,
}

/// What the tracking page shows: no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    pub tracking_no: String,
    pub org_name: String,
    pub received_on: Date,
    pub due_on: Option<Date>,
    pub status: String,
    pub status_label: String,
    pub events: Vec<PublicEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicEvent {
    pub on_date: Date,
    pub label: String,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "received" => "已受理，正在办理",
        "clarifying" => "待申请人补正",
        "consulting" => "征求意见中",
        "decided" => "已答复",
        "closed" => "已办结",
        _ => "办理中",
    }
}

fn event_label(kind: &str) -> String {
    match kind {
        "received" => "收到申请".into(),
        other => other.to_string(),
    }
}

/// The same answer for an unknown number and a wrong code: neither reveals anything.
fn not_found() -> AppError {
    AppError::NotFound("受理编号或查询码不正确".into())
}

impl App {
    /// Takes in a request. `actor` is None for the public form and the public API (always
    /// online, received today); staff register other channels with the channel's date.
    pub async fn submit_request(&self, actor: Option<&Actor>, input: NewRequest) -> Result<Receipt> {
        let (app, mut errs) = match request::validate(&input.application) {
            Ok(a) => (Some(a), vec![]),
            Err(e) => (None, e),
        };
        let channel = match (actor, input.channel.as_deref().map(str::trim).filter(|c| !c.is_empty())) {
            (None, None | Some("online")) => Some(Channel::Online),
            (None, Some(_)) => {
                errs.push(gongkai_domain::FieldError::new("channel", "网上申请的渠道只能是 online"));
                None
            }
            (Some(_), None) => Some(Channel::Online),
            (Some(_), Some(c)) => Channel::parse(c).or_else(|| {
                errs.push(gongkai_domain::FieldError::new(
                    "channel",
                    "渠道应为 online、in_person、post_signed、post_unsigned 或 fax",
                ));
                None
            }),
        };
        let stated = match input.received_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]")) {
                Ok(d) => Some(d),
                Err(_) => {
                    errs.push(gongkai_domain::FieldError::new("received_on", "日期格式应为 YYYY-MM-DD"));
                    None
                }
            },
        };
        let today = self.today();
        let received = match channel {
            Some(c) if errs.iter().all(|e| e.field != "received_on") => match request::receipt_date(c, stated, today) {
                Ok(d) => Some(d),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
            _ => None,
        };
        let target = org::Entity::find_by_id(input.org_id).one(self.store.conn()).await?;
        if target.is_none() {
            errs.push(gongkai_domain::FieldError::new("org_id", "请选择受理申请的机关"));
        }
        if let (Some(a), Some(o)) = (actor, &target)
            && !a.may_see_org(o.id)
        {
            return Err(AppError::Forbidden("只能登记本机关收到的申请".into()));
        }
        let (Some(app), Some(channel), Some(received), Some(target), true) =
            (app, channel, received, target, errs.is_empty())
        else {
            return Err(AppError::Validation(errs));
        };
        let cal = self.calendar().await?;
        let clock = RequestClock { received_on: Some(received), ..Default::default() };
        let due = clock
            .reply_due(&cal, FirstDay::default())
            .map_err(|e| AppError::Rule(e.to_string()))?
            .ok_or_else(|| AppError::Internal("no due date for a received request".into()))?;
        let mut random = [0u8; QUERY_CODE_LEN];
        getrandom::fill(&mut random).map_err(|e| AppError::Internal(e.to_string()))?;
        let query_code = request::query_code(&random);
        let now = self.now();
        let tx = self.store.begin_write().await?;
        // Writers are serialised (Store::begin_write), so the next number is safe to take.
        let prefix = request::tracking_no(received.year(), 0);
        let prefix = &prefix[..prefix.len() - 6];
        let last = info_request::Entity::find()
            .filter(info_request::Column::TrackingNo.starts_with(prefix))
            .order_by_desc(info_request::Column::TrackingNo)
            .one(&*tx)
            .await?;
        let seq = last.and_then(|m| m.tracking_no[prefix.len()..].parse::<u32>().ok()).unwrap_or(0) + 1;
        let tracking_no = request::tracking_no(received.year(), seq);
        let m = info_request::ActiveModel {
            tracking_no: Set(tracking_no.clone()),
            query_code_hash: Set(sha256_hex(&query_code)),
            org_id: Set(target.id),
            channel: Set(channel.code().into()),
            received_on: Set(received),
            due_on: Set(Some(due.due)),
            status: Set("received".into()),
            applicant_kind: Set(app.applicant_kind.code().into()),
            name: Set(app.name),
            id_number: Set(app.id_number),
            contact_person: Set(app.contact_person),
            phone: Set(app.phone),
            email: Set(app.email),
            address: Set(app.address),
            medium: Set(app.medium.code().into()),
            delivery: Set(app.delivery.code().into()),
            purpose: Set(app.purpose),
            created_by: Set(actor.and_then(|a| a.user_id)),
            created_at: Set(now),
            description: Set(app.description),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        request_event::ActiveModel {
            request_id: Set(m.id),
            kind: Set("received".into()),
            on_date: Set(received),
            at: Set(now),
            user_id: Set(actor.and_then(|a| a.user_id)),
            note: Set(format!("{}：{}", channel.label(), channel.receipt_rule())),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        // The audit row names the request, never the applicant.
        let public = Actor {
            user_id: None,
            username: "public".into(),
            display_name: "公众".into(),
            role: gongkai_domain::Role::Editor,
            org_id: target.id,
        };
        self.audit(
            &*tx,
            actor.unwrap_or(&public),
            "request.receive",
            "info_request",
            Some(m.id),
            None,
            Some(serde_json::json!({
                "tracking_no": m.tracking_no, "org_id": m.org_id, "channel": m.channel,
                "received_on": received.to_string(), "due_on": due.due.to_string(),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(Receipt { tracking_no, query_code, received_on: received, due_on: due.due, due })
    }

    /// The applicant's view of a request, given its number and query code.
    pub async fn track_request(&self, tracking_no: &str, query_code: &str) -> Result<PublicStatus> {
        let tracking_no = tracking_no.trim().to_ascii_uppercase();
        let code = query_code.trim().to_ascii_uppercase();
        if tracking_no.is_empty() || code.is_empty() || tracking_no.len() > 32 || code.len() > 32 {
            return Err(not_found());
        }
        let conn = self.store.conn();
        let Some(m) = info_request::Entity::find()
            .filter(info_request::Column::TrackingNo.eq(tracking_no))
            .one(conn)
            .await?
            .filter(|m| m.query_code_hash == sha256_hex(&code))
        else {
            return Err(not_found());
        };
        let org_name = org::Entity::find_by_id(m.org_id).one(conn).await?.map(|o| o.name).unwrap_or_default();
        let events = request_event::Entity::find()
            .filter(request_event::Column::RequestId.eq(m.id))
            .order_by_asc(request_event::Column::Id)
            .all(conn)
            .await?
            .into_iter()
            .map(|e| PublicEvent { on_date: e.on_date, label: event_label(&e.kind) })
            .collect();
        Ok(PublicStatus {
            tracking_no: m.tracking_no,
            org_name,
            received_on: m.received_on,
            due_on: m.due_on,
            status_label: status_label(&m.status).into(),
            status: m.status,
            events,
        })
    }
}
