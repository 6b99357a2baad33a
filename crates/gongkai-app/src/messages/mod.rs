//! 咨询建言 and 领导信箱: a citizen or an enterprise writes to a body (or to the district's
//! leaders, whose office forwards it); the body answers in the console within its target
//! and before the inspection's 3-month line; the writer follows it with a reference and a
//! query code; the message and its answer are published, de-identified, when the writer
//! agreed and the body chose to. Published ones are public content like any other: in
//! search and under the patrol, through the content registry.
//!
//! The writer's name and contact are for the answer only: staff of the answering body and
//! the district office see them, nothing public does, and no audit row or log names them.

use crate::search::{BoxFuture, SearchSource};
use crate::{Actor, App, AppError, Result};
use gongkai_domain::FieldError;
use gongkai_domain::message::{self, AgeStage, Mailbox, MessageCategory, MessageInput, MessageStatus, RejectReason};
use gongkai_search::SearchDoc;
use gongkai_store::message::{self as store, row};
use gongkai_store::queries;
use gongkai_store::sea_orm::Set;
use serde::{Deserialize, Serialize};
use time::Date;

/// Its entity name in the changes feed and its `source` in search.
pub const MESSAGE: &str = "message";

/// A message as the public form and the API send it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewMessage {
    /// consult (咨询建言) or leader (领导信箱)
    pub mailbox: String,
    /// policy, service, business, suggestion, other (or the Chinese name)
    pub category: String,
    /// The body asked (咨询建言); a 领导信箱 message goes to the district office
    pub org_id: Option<i64>,
    pub subject: String,
    pub body: String,
    /// Never published
    pub name: String,
    /// A telephone number or e-mail address for the answer; never published
    pub contact: String,
    /// The writer agrees that the message and its answer are published, without their
    /// name and contact
    pub consent: bool,
}

/// What the writer is told once: the reference and the query code to follow it by.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageReceipt {
    pub reference: String,
    /// Shown once; kept only as a salted hash.
    pub query_code: String,
    pub org_name: String,
    /// The body's target.
    pub due_on: Date,
}

/// A published message as anyone reads it: no name, no contact, the text de-identified.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMessage {
    pub id: i64,
    pub reference: String,
    #[schema(value_type = String)]
    pub mailbox: Mailbox,
    pub mailbox_label: &'static str,
    #[schema(value_type = String)]
    pub category: MessageCategory,
    pub category_label: &'static str,
    pub org_name: String,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub received_on: Date,
    pub answered_on: Date,
}

/// The writer's view, given the reference and the query code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackedMessage {
    pub reference: String,
    pub mailbox_label: &'static str,
    pub category_label: &'static str,
    pub org_name: String,
    pub subject: String,
    #[schema(value_type = String)]
    pub status: MessageStatus,
    pub status_label: &'static str,
    pub received_on: Date,
    pub due_on: Date,
    pub answer: Option<String>,
    pub answered_on: Option<Date>,
    /// Why it was not taken up, and where to go instead.
    pub reject_reason: Option<String>,
    pub published: bool,
}

/// A message as the answering body's staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffMessage {
    pub id: i64,
    pub reference: String,
    #[schema(value_type = String)]
    pub mailbox: Mailbox,
    pub mailbox_label: &'static str,
    #[schema(value_type = String)]
    pub category: MessageCategory,
    pub category_label: &'static str,
    pub org_id: i64,
    pub org_name: String,
    pub subject: String,
    pub body: String,
    pub name: String,
    pub contact: String,
    pub consent: bool,
    #[schema(value_type = String)]
    pub status: MessageStatus,
    pub status_label: &'static str,
    /// Where an unanswered message stands on its clock (none once answered or rejected).
    #[schema(value_type = Option<String>)]
    pub stage: Option<AgeStage>,
    pub stage_label: Option<&'static str>,
    pub received_on: Date,
    pub due_on: Date,
    /// Three months after receipt.
    pub limit_on: Date,
    pub answer: Option<String>,
    pub answered_on: Option<Date>,
    pub reject_reason: Option<String>,
    pub published: bool,
    /// The message as it would be published: what was published, or the text with what
    /// the patrol takes for personal data masked, for the body to check.
    pub public_question: String,
}

/// The body's answer: the reply, and whether (and as what text) the message is published.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MessageAnswer {
    pub answer: String,
    /// Publish the message and the answer (only when the writer agreed)
    pub publish: bool,
    /// The message as published, checked by the body; the de-identified text when left out
    pub question: Option<String>,
}

/// Where the public channel stands, for the overview and the portal.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct MessageSummary {
    pub received: usize,
    pub answered: usize,
    pub rejected: usize,
    pub waiting: usize,
    pub past_target: usize,
    pub near_limit: usize,
    /// Valid messages unanswered for more than 3 months (互动回应差).
    pub past_limit: usize,
    /// Days from receipt to answer, on average, of the answered messages.
    pub average_reply_days: Option<f64>,
}

fn bad(m: &row::Model, what: &str) -> AppError {
    AppError::Internal(format!("message {}: unknown {what}", m.id))
}

fn parsed(m: &row::Model) -> Result<(Mailbox, MessageCategory, MessageStatus)> {
    Ok((
        Mailbox::parse(&m.mailbox).ok_or_else(|| bad(m, "mailbox"))?,
        MessageCategory::parse(&m.category).ok_or_else(|| bad(m, "category"))?,
        MessageStatus::parse(&m.status).ok_or_else(|| bad(m, "status"))?,
    ))
}

fn reject_label(m: &row::Model) -> Option<String> {
    m.reject_reason.as_deref().map(|r| RejectReason::parse(r).map(|x| x.label().to_string()).unwrap_or(r.to_string()))
}

fn not_found() -> AppError {
    AppError::NotFound("留言编号或查询码不正确".into())
}

/// A text of the answer or the published message that the public would read: checked for
/// the patrol's personal data and for the writer's own name and contact.
fn public_text(errs: &mut Vec<FieldError>, field: &'static str, label: &str, text: &str, own: &[&str]) {
    let personal = gongkai_domain::patrol::scan(text, &[])
        .into_iter()
        .any(|f| f.kind.is_personal() && f.severity != gongkai_domain::patrol::Severity::Low);
    if personal {
        errs.push(FieldError::new(field, format!("{label}将公开，不得含有身份证号码、手机号码等个人信息")));
    } else if gongkai_domain::privacy::leak(text, own).is_some() {
        errs.push(FieldError::new(field, format!("{label}将公开，不得含有留言人的姓名或联系方式")));
    }
}

impl App {
    async fn org_name(&self, id: i64) -> Result<String> {
        Ok(self.orgs().await?.into_iter().find(|o| o.id == id).map(|o| o.name).unwrap_or_default())
    }

    /// The bodies a 咨询建言 message may be written to: every body that answers the public
    /// (村（居） committees answer through their 街道（镇）).
    pub async fn message_bodies(&self) -> Result<Vec<crate::orgs::Org>> {
        Ok(self.orgs().await?.into_iter().filter(|o| o.kind != gongkai_domain::OrgKind::Village).collect())
    }

    /// Files a message from the public form or the API.
    pub async fn submit_message(&self, input: NewMessage) -> Result<MessageReceipt> {
        let m = message::validate(&MessageInput {
            mailbox: input.mailbox,
            category: input.category,
            subject: input.subject,
            body: input.body,
            name: input.name,
            contact: input.contact,
            consent: input.consent,
        });
        let office = self.system_actor().await?.org_id;
        let bodies = self.message_bodies().await?;
        let org_id = match (m.as_ref().map(|m| m.mailbox), input.org_id) {
            (Ok(Mailbox::Leader), _) | (_, None) => Ok(office),
            (_, Some(id)) if bodies.iter().any(|o| o.id == id) => Ok(id),
            _ => Err(FieldError::new("org_id", "请选择受理单位")),
        };
        let (m, org_id) = match (m, org_id) {
            (Ok(m), Ok(o)) => (m, o),
            (m, o) => {
                let mut errs = m.err().unwrap_or_default();
                errs.extend(o.err());
                return Err(AppError::Validation(errs));
            }
        };
        let today = self.today();
        let due_on = crate::calendar::due_after(&self.calendar().await?, today, self.config.message_answer_days);
        let (query_code, hash) = crate::requests::new_query_code().await?;
        let now = self.now();
        let tx = self.store.begin_write().await?;
        let n = store::count_in_year(&*tx, today.year()).await?;
        let reference = message::reference(today.year(), n as u32 + 1);
        let saved = store::insert(
            &*tx,
            row::ActiveModel {
                reference: Set(reference.clone()),
                mailbox: Set(m.mailbox.code().into()),
                category: Set(m.category.code().into()),
                org_id: Set(org_id),
                status: Set(MessageStatus::Received.code().into()),
                consent: Set(m.consent),
                published: Set(false),
                received_at: Set(now),
                due_on: Set(due_on),
                limit_on: Set(message::limit_on(today)),
                query_code_hash: Set(hash),
                name: Set(m.name),
                contact: Set(m.contact),
                subject: Set(m.subject),
                body: Set(m.body),
                ..Default::default()
            },
        )
        .await?;
        let actor = Actor::public(org_id);
        // The audit row names the message, never what was written or by whom.
        let what = serde_json::json!({"reference": reference, "mailbox": saved.mailbox, "org_id": org_id});
        self.audit(&*tx, &actor, "message.receive", MESSAGE, Some(saved.id), None, Some(what)).await?;
        tx.commit().await?;
        Ok(MessageReceipt { reference, query_code, org_name: self.org_name(org_id).await?, due_on })
    }

    /// The writer's view of a message, given its reference and query code. A wrong code and
    /// an unknown reference get the same answer after the same work.
    pub async fn track_message(&self, reference: &str, code: &str) -> Result<TrackedMessage> {
        let reference = reference.trim().to_ascii_uppercase();
        let code = code.trim().to_ascii_uppercase();
        if reference.is_empty() || code.is_empty() || reference.len() > 32 || code.len() > 32 {
            return Err(not_found());
        }
        let m = store::by_reference(self.store.conn(), &reference).await?;
        if !crate::requests::query_code_matches(m.as_ref().map(|m| m.query_code_hash.clone()), &code).await {
            return Err(not_found());
        }
        let m = m.ok_or_else(not_found)?;
        let (mailbox, category, status) = parsed(&m)?;
        Ok(TrackedMessage {
            reference: m.reference.clone(),
            mailbox_label: mailbox.label(),
            category_label: category.label(),
            org_name: self.org_name(m.org_id).await?,
            subject: m.subject.clone(),
            status,
            status_label: status.label(),
            received_on: crate::beijing_date(m.received_at),
            due_on: m.due_on,
            answer: m.answer.clone(),
            answered_on: m.answered_at.map(crate::beijing_date),
            reject_reason: reject_label(&m),
            published: m.published,
        })
    }

    fn public_message(&self, m: row::Model, org_name: String) -> Result<PublicMessage> {
        let (mailbox, category, _) = parsed(&m)?;
        Ok(PublicMessage {
            id: m.id,
            reference: m.reference,
            mailbox,
            mailbox_label: mailbox.label(),
            category,
            category_label: category.label(),
            org_name,
            subject: m.subject,
            question: m.public_body.unwrap_or_default(),
            answer: m.answer.unwrap_or_default(),
            received_on: crate::beijing_date(m.received_at),
            answered_on: m.answered_at.map(crate::beijing_date).unwrap_or(crate::beijing_date(m.received_at)),
        })
    }

    /// Published messages, newest answer first.
    pub async fn published_messages(
        &self,
        category: Option<MessageCategory>,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<PublicMessage>, u64)> {
        let (rows, total) = store::published(
            self.store.conn(),
            category.map(|c| c.code()),
            page.saturating_sub(1) * per_page,
            per_page,
        )
        .await?;
        let orgs = self.orgs().await?;
        let name = |id: i64| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
        let out = rows.into_iter().map(|m| self.public_message(m.clone(), name(m.org_id))).collect::<Result<_>>()?;
        Ok((out, total))
    }

    /// One published message.
    pub async fn published_message(&self, id: i64) -> Result<PublicMessage> {
        let m = store::published_in(self.store.conn(), &[id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound("没有这条公开的留言".into()))?;
        let name = self.org_name(m.org_id).await?;
        self.public_message(m, name)
    }

    fn staff_message(&self, m: row::Model, org_name: String) -> Result<StaffMessage> {
        let (mailbox, category, status) = parsed(&m)?;
        let stage = (status == MessageStatus::Received).then(|| message::stage(self.today(), m.due_on, m.limit_on));
        let public_question = m.public_body.clone().unwrap_or_else(|| message::deidentify(&m.body));
        Ok(StaffMessage {
            id: m.id,
            reference: m.reference.clone(),
            mailbox,
            mailbox_label: mailbox.label(),
            category,
            category_label: category.label(),
            org_id: m.org_id,
            org_name,
            subject: m.subject.clone(),
            status,
            status_label: status.label(),
            stage,
            stage_label: stage.map(|s| s.label()),
            received_on: crate::beijing_date(m.received_at),
            due_on: m.due_on,
            limit_on: m.limit_on,
            answered_on: m.answered_at.map(crate::beijing_date),
            reject_reason: reject_label(&m),
            published: m.published,
            public_question,
            consent: m.consent,
            name: m.name,
            contact: m.contact,
            answer: m.answer,
            body: m.body,
        })
    }

    fn may_answer(actor: &Actor) -> Result<()> {
        if !actor.role.can_edit() && !actor.role.can_review() {
            return Err(AppError::Forbidden("没有办理留言的权限".into()));
        }
        Ok(())
    }

    /// The messages `actor`'s body answers (the district office: all), those waiting first
    /// by how close they are to the 3-month line, then the rest newest first.
    pub async fn message_inbox(&self, actor: &Actor) -> Result<Vec<StaffMessage>> {
        App::may_answer(actor)?;
        let orgs = if actor.role.is_district_wide() { None } else { Some(vec![actor.org_id]) };
        let names = self.orgs().await?;
        let name = |id: i64| names.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
        let mut out: Vec<StaffMessage> = store::list(self.store.conn(), orgs.as_deref())
            .await?
            .into_iter()
            .map(|m| {
                let n = name(m.org_id);
                self.staff_message(m, n)
            })
            .collect::<Result<_>>()?;
        out.sort_by_key(|m| {
            let waiting = m.status == MessageStatus::Received;
            (!waiting, if waiting { m.limit_on } else { Date::MIN }, std::cmp::Reverse(m.id))
        });
        Ok(out)
    }

    /// One message, for its answering body and the district office.
    pub async fn message_for(&self, actor: &Actor, id: i64) -> Result<StaffMessage> {
        App::may_answer(actor)?;
        let m = self.own_message(self.store.conn(), actor, id).await?;
        let name = self.org_name(m.org_id).await?;
        self.staff_message(m, name)
    }

    async fn own_message<C: gongkai_store::ConnectionTrait>(
        &self,
        conn: &C,
        actor: &Actor,
        id: i64,
    ) -> Result<row::Model> {
        store::get(conn, id)
            .await?
            .filter(|m| actor.may_see_org(m.org_id))
            .ok_or_else(|| AppError::NotFound("没有这条留言，或不属于本单位".into()))
    }

    /// Answers a message. The answer goes to the writer; with `publish` (only when they
    /// agreed) the message, as the body checked it, and the answer become public.
    pub async fn answer_message(&self, actor: &Actor, id: i64, a: MessageAnswer) -> Result<StaffMessage> {
        App::may_answer(actor)?;
        let tx = self.store.begin_write().await?;
        let m = self.own_message(&*tx, actor, id).await?;
        if m.status != MessageStatus::Received.code() {
            return Err(AppError::Conflict("这条留言已经办结".into()));
        }
        let own = [m.name.as_str(), m.contact.as_str()];
        let mut errs = Vec::new();
        let answer = a.answer.trim().to_string();
        if !(5..=3000).contains(&answer.chars().count()) {
            errs.push(FieldError::new("answer", "答复应为5至3000字"));
        }
        gongkai_domain::text::check(&mut errs, "answer", "答复", &answer, true);
        if a.publish {
            public_text(&mut errs, "answer", "答复", &answer, &own);
        }
        let question = a.question.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let question = question.map(str::to_string).unwrap_or_else(|| message::deidentify(&m.body));
        if a.publish {
            if !m.consent {
                errs.push(FieldError::new("publish", "留言人未同意公开，只能答复留言人，不能公开"));
            } else if !(10..=message::MAX_BODY).contains(&question.chars().count()) {
                errs.push(FieldError::new("question", "公开的留言内容应为10至2000字"));
            } else {
                gongkai_domain::text::check(&mut errs, "question", "公开的留言内容", &question, true);
                public_text(&mut errs, "question", "留言内容", &question, &own);
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let now = self.now();
        let mut am: row::ActiveModel = m.into();
        am.status = Set(MessageStatus::Answered.code().into());
        am.answer = Set(Some(answer));
        am.answered_at = Set(Some(now));
        am.answered_by = Set(actor.user_id);
        am.published = Set(a.publish);
        am.public_body = Set(a.publish.then_some(question));
        let after = store::update(&*tx, am).await?;
        if after.published {
            queries::record_change(&*tx, MESSAGE, after.id, now).await?;
        }
        let what = serde_json::json!({"status": after.status, "published": after.published});
        self.audit(
            &*tx,
            actor,
            "message.answer",
            MESSAGE,
            Some(id),
            Some(serde_json::json!({"status": "received"})),
            Some(what),
        )
        .await?;
        tx.commit().await?;
        let name = self.org_name(after.org_id).await?;
        let view = self.staff_message(after, name)?;
        if view.published
            && let Err(e) = self.patrol_record(MESSAGE, id).await
        {
            tracing::warn!(error = %e, "patrol of a published message");
        }
        Ok(view)
    }

    /// Passes a waiting message to another body: the district office to any body, a body
    /// back to the district office (not its business). The clock keeps running from receipt.
    pub async fn forward_message(&self, actor: &Actor, id: i64, to: i64, note: &str) -> Result<StaffMessage> {
        App::may_answer(actor)?;
        let office = self.system_actor().await?.org_id;
        let bodies = self.message_bodies().await?;
        let tx = self.store.begin_write().await?;
        let m = self.own_message(&*tx, actor, id).await?;
        if !bodies.iter().any(|o| o.id == to) {
            return Err(AppError::field("org_id", "请选择转办的单位"));
        }
        if !actor.role.is_district_wide() && to != office {
            return Err(AppError::field("org_id", "只能退回公开办，由公开办转办"));
        }
        let note = note.trim();
        if note.chars().count() > 200 {
            return Err(AppError::field("note", "转办说明不超过200字"));
        }
        if m.status != MessageStatus::Received.code() {
            return Err(AppError::Conflict("这条留言已经办结".into()));
        }
        if m.org_id == to {
            return Err(AppError::field("org_id", "留言已由该单位办理"));
        }
        let from = m.org_id;
        let mut am: row::ActiveModel = m.into();
        am.org_id = Set(to);
        let after = store::update(&*tx, am).await?;
        self.audit(
            &*tx,
            actor,
            "message.forward",
            MESSAGE,
            Some(id),
            Some(serde_json::json!({"org_id": from})),
            Some(serde_json::json!({"org_id": to, "note": note})),
        )
        .await?;
        tx.commit().await?;
        let name = self.org_name(to).await?;
        self.staff_message(after, name)
    }

    /// Does not take a message up, with the reason the writer is told. A reviewer decides:
    /// a rejected message leaves the age clock.
    pub async fn reject_message(&self, actor: &Actor, id: i64, reason: &str) -> Result<StaffMessage> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("不予受理须由审核人员或公开办决定".into()));
        }
        let reason = RejectReason::parse(reason).ok_or_else(|| AppError::field("reason", "请选择不予受理的理由"))?;
        let tx = self.store.begin_write().await?;
        let m = self.own_message(&*tx, actor, id).await?;
        if m.status != MessageStatus::Received.code() {
            return Err(AppError::Conflict("这条留言已经办结".into()));
        }
        let now = self.now();
        let mut am: row::ActiveModel = m.into();
        am.status = Set(MessageStatus::Rejected.code().into());
        am.reject_reason = Set(Some(reason.code().into()));
        am.answered_at = Set(Some(now));
        am.answered_by = Set(actor.user_id);
        let after = store::update(&*tx, am).await?;
        self.audit(
            &*tx,
            actor,
            "message.reject",
            MESSAGE,
            Some(id),
            Some(serde_json::json!({"status": "received"})),
            Some(serde_json::json!({"status": "rejected", "reason": reason.code()})),
        )
        .await?;
        tx.commit().await?;
        let name = self.org_name(after.org_id).await?;
        self.staff_message(after, name)
    }

    /// Takes a published message off the portal (the patrol found something, or the
    /// writer asked); the answer to the writer stands.
    pub async fn unpublish_message(&self, actor: &Actor, id: i64) -> Result<StaffMessage> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("撤下公开的留言须由审核人员或公开办决定".into()));
        }
        let tx = self.store.begin_write().await?;
        let m = self.own_message(&*tx, actor, id).await?;
        if !m.published {
            return Err(AppError::Conflict("这条留言没有公开".into()));
        }
        let mut am: row::ActiveModel = m.into();
        am.published = Set(false);
        let after = store::update(&*tx, am).await?;
        queries::record_change(&*tx, MESSAGE, id, self.now()).await?;
        let (before, now) = (serde_json::json!({"published": true}), serde_json::json!({"published": false}));
        self.audit(&*tx, actor, "message.unpublish", MESSAGE, Some(id), Some(before), Some(now)).await?;
        tx.commit().await?;
        let name = self.org_name(after.org_id).await?;
        let view = self.staff_message(after, name)?;
        // Its findings are closed: it is no longer public.
        if let Err(e) = self.patrol_record(MESSAGE, id).await {
            tracing::warn!(error = %e, "patrol of an unpublished message");
        }
        Ok(view)
    }

    /// The channel's figures for `actor`'s bodies: by state, by clock, and the average
    /// reply time.
    pub async fn message_summary(&self, actor: &Actor) -> Result<MessageSummary> {
        let all = self.message_inbox(actor).await?;
        Ok(summarise(&all))
    }

    /// The channel's figures over every body, for the portal (counts only).
    pub async fn public_message_summary(&self) -> Result<MessageSummary> {
        let office = self.system_actor().await?;
        self.message_summary(&office).await
    }
}

fn summarise(all: &[StaffMessage]) -> MessageSummary {
    let waiting: Vec<&StaffMessage> = all.iter().filter(|m| m.status == MessageStatus::Received).collect();
    let count = |s: AgeStage| waiting.iter().filter(|m| m.stage == Some(s)).count();
    let replies: Vec<f64> = all
        .iter()
        .filter(|m| m.status == MessageStatus::Answered)
        .filter_map(|m| m.answered_on.map(|a| (a - m.received_on).whole_days() as f64))
        .collect();
    MessageSummary {
        received: all.len(),
        answered: replies.len(),
        rejected: all.iter().filter(|m| m.status == MessageStatus::Rejected).count(),
        waiting: waiting.len(),
        past_target: count(AgeStage::PastTarget),
        near_limit: count(AgeStage::NearLimit),
        past_limit: count(AgeStage::PastLimit),
        average_reply_days: (!replies.is_empty())
            .then(|| (replies.iter().sum::<f64>() / replies.len() as f64 * 10.0).round() / 10.0),
    }
}

/// The messages as a workbook for the office's ledger (留言办理台账): one row each, with the
/// clock and the reply time; no name, no contact, no text (a ledger travels).
pub fn messages_xlsx(rows: &[StaffMessage]) -> Result<Vec<u8>> {
    let columns = [
        ("留言编号", 16.0),
        ("信箱", 10.0),
        ("类别", 10.0),
        ("标题", 36.0),
        ("办理单位", 28.0),
        ("收到", 12.0),
        ("办理期限", 12.0),
        ("最迟（三个月）", 14.0),
        ("状态", 16.0),
        ("答复日期", 12.0),
        ("用时（天）", 10.0),
        ("公开", 6.0),
    ];
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|m| {
            let state = match (m.stage_label, &m.reject_reason) {
                (Some(s), _) => s.to_string(),
                (None, Some(why)) => format!("{}：{why}", m.status_label),
                (None, None) => m.status_label.to_string(),
            };
            vec![
                m.reference.clone(),
                m.mailbox_label.to_string(),
                m.category_label.to_string(),
                m.subject.clone(),
                m.org_name.clone(),
                m.received_on.to_string(),
                m.due_on.to_string(),
                m.limit_on.to_string(),
                state,
                m.answered_on.map(|d| d.to_string()).unwrap_or_default(),
                m.answered_on.map(|d| (d - m.received_on).whole_days().to_string()).unwrap_or_default(),
                if m.published { "是" } else { "否" }.to_string(),
            ]
        })
        .collect();
    crate::office::ledger_xlsx("留言办理", &columns, &rows)
}

/// Published messages in search and under the patrol.
pub struct Messages;

impl SearchSource for Messages {
    fn name(&self) -> &'static str {
        MESSAGE
    }
    fn label(&self) -> &'static str {
        "互动交流"
    }
    fn path_prefix(&self) -> &'static str {
        "/messages/"
    }
    fn load<'a>(&'a self, app: &'a App, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<SearchDoc>>> {
        Box::pin(async move {
            let rows = store::published_in(app.store.conn(), ids).await?;
            let orgs = app.orgs().await?;
            let mut out = Vec::new();
            for m in rows {
                let org_id = m.org_id;
                let issuer = orgs.iter().find(|o| o.id == org_id).map(|o| o.name.clone()).unwrap_or_default();
                let v = app.public_message(m, issuer)?;
                out.push(SearchDoc {
                    source: MESSAGE.into(),
                    id: v.id,
                    org_id: Some(org_id),
                    url: format!("/messages/{}", v.id),
                    title: v.subject,
                    issuer: v.org_name,
                    year: Some(v.answered_on.year()),
                    published_on: Some(v.answered_on.to_string()),
                    current: true,
                    version_no: 1,
                    keywords: format!("{} {}", v.mailbox_label, v.category_label),
                    body: format!("{}\n答复：{}", v.question, v.answer),
                    ..Default::default()
                });
            }
            Ok(out)
        })
    }
    fn public_ids<'a>(&'a self, app: &'a App, after: i64, limit: u64) -> BoxFuture<'a, Result<Vec<i64>>> {
        Box::pin(async move { Ok(store::published_ids(app.store.conn(), after, limit).await?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(id: i64, stage: AgeStage) -> StaffMessage {
        let d = time::macros::date!(2025 - 07 - 01);
        StaffMessage {
            id,
            reference: String::new(),
            mailbox: Mailbox::Consult,
            mailbox_label: "",
            category: MessageCategory::Other,
            category_label: "",
            org_id: 1,
            org_name: String::new(),
            subject: String::new(),
            body: String::new(),
            name: String::new(),
            contact: String::new(),
            consent: false,
            status: MessageStatus::Received,
            status_label: "",
            stage: Some(stage),
            stage_label: None,
            received_on: d,
            due_on: d,
            limit_on: d,
            answer: None,
            answered_on: None,
            reject_reason: None,
            published: false,
            public_question: String::new(),
        }
    }

    #[test]
    fn the_summary_counts_by_clock_and_averages_the_replies() {
        let d = time::macros::date!(2025 - 07 - 01);
        let answered = |days: i64| StaffMessage {
            status: MessageStatus::Answered,
            stage: None,
            answered_on: Some(d + time::Duration::days(days)),
            ..waiting(9, AgeStage::OnTime)
        };
        let all = [
            waiting(1, AgeStage::OnTime),
            waiting(2, AgeStage::PastLimit),
            waiting(3, AgeStage::NearLimit),
            answered(3),
            answered(4),
            StaffMessage { status: MessageStatus::Rejected, stage: None, ..waiting(5, AgeStage::OnTime) },
        ];
        let s = summarise(&all);
        assert_eq!((s.received, s.answered, s.rejected, s.waiting), (6, 2, 1, 3));
        assert_eq!((s.past_target, s.near_limit, s.past_limit), (0, 1, 1));
        assert_eq!(s.average_reply_days, Some(3.5));
    }
}
