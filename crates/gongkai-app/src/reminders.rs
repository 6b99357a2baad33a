//! The daily reminder to the people handling requests: every request with 5, 3 or 1
//! working days left, or overdue, goes to its assignee (or, while nobody is assigned, to
//! the staff of the answering organisation). The same reminder names the body's 咨询建言
//! and 领导信箱 messages past their target or near the 3-month line, well before it. It is always written to the console; it is
//! e-mailed too when SMTP is configured and the person has an address. Each person gets
//! one reminder per day and channel, even with several servers running the job.

use crate::requests::QueueRow;
use crate::{App, AppError, Result};
use gongkai_domain::notify::{NotifyVia, ReminderStatus};
use gongkai_store::sea_orm::sea_query::OnConflict;
use gongkai_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use gongkai_store::{app_user, reminder};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// One reminder as it was sent.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReminderSent {
    pub sent_on: Date,
    pub via: NotifyVia,
    pub status: ReminderStatus,
    /// How many requests it named.
    pub requests: i32,
}

impl ReminderSent {
    fn of(m: reminder::Model) -> Result<ReminderSent> {
        let bad = || AppError::Internal(format!("reminder {} has via {:?} status {:?}", m.id, m.notify_via, m.status));
        Ok(ReminderSent {
            sent_on: m.sent_on,
            via: NotifyVia::parse(&m.notify_via).ok_or_else(bad)?,
            status: ReminderStatus::parse(&m.status).ok_or_else(bad)?,
            requests: m.requests,
        })
    }

    /// What the console says of it.
    pub fn describe(&self) -> &'static str {
        match (self.via, self.status) {
            (NotifyVia::Console, _) => "后台提醒",
            (NotifyVia::Email, ReminderStatus::Sent) => "已发送邮件",
            (NotifyVia::Email, ReminderStatus::NoEmail) => "未发送邮件（未登记电子邮箱）",
            (NotifyVia::Email, ReminderStatus::Sending) => "邮件发送中",
            (NotifyVia::Email, ReminderStatus::Failed) => "邮件发送失败",
        }
    }
}

/// `[smtp]` in the configuration file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtp://user:password@host:587?tls=required`, `smtps://host:465`, or `smtp://host:25`
    /// for a relay inside the government network.
    pub url: String,
    /// The sender, e.g. `区政务公开办 <gongkai@example.gov.cn>`.
    pub from: String,
}

/// What one person is reminded of today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reminder {
    pub user_id: i64,
    pub display_name: String,
    pub email: Option<String>,
    pub requests: Vec<QueueRow>,
    /// Messages of the person's body past their target or near the 3-month line:
    /// reference, where it stands, the last day.
    pub messages: Vec<(String, &'static str, Date)>,
}

impl Reminder {
    /// The message text: tracking numbers and dates only, never the applicant.
    pub fn text(&self, today: Date) -> String {
        let mut t = format!("{}，您好：\n\n", self.display_name);
        if !self.requests.is_empty() {
            t.push_str(&format!(
                "截至{today}，您负责的依申请公开事项中有{}件临近答复期限或已超期：\n\n",
                self.requests.len()
            ));
        }
        for r in &self.requests {
            let due = r.due_on.map(|d| d.to_string()).unwrap_or_default();
            let left = match r.working_days_left {
                Some(n) if n < 0 => format!("已超期{}个工作日", -n),
                Some(0) => "今天到期".into(),
                Some(n) => format!("剩余{n}个工作日"),
                None => String::new(),
            };
            t.push_str(&format!("  {}　答复期限{due}　{left}\n", r.tracking_no));
        }
        if !self.requests.is_empty() {
            t.push_str("\n请登录后台“依申请公开”及时办理。\n");
        }
        if !self.messages.is_empty() {
            t.push_str(&format!(
                "\n本单位的咨询建言、领导信箱留言中有{}件需要尽快答复（有效留言不得超过三个月未答复）：\n\n",
                self.messages.len()
            ));
            for (reference, stage, limit) in &self.messages {
                t.push_str(&format!("  {reference}　{stage}　最迟{limit}答复\n"));
            }
            t.push_str("\n请登录后台“咨询建言”办理。\n");
        }
        t.push_str("本邮件由系统自动发送。\n");
        t
    }

    /// The e-mail's subject.
    pub fn subject(&self, today: Date) -> String {
        match (self.requests.len(), self.messages.len()) {
            (r, 0) => format!("【依申请公开】{r}件临近答复期限或已超期（{today}）"),
            (0, m) => format!("【咨询建言】{m}件留言需要尽快答复（{today}）"),
            (r, m) => format!("【依申请公开】{r}件临近答复期限或已超期，另有{m}件留言需要尽快答复（{today}）"),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReminderRun {
    pub people: usize,
    /// Console reminders written now (not already written earlier today).
    pub console: usize,
    pub emailed: usize,
    pub failed: usize,
    /// People with something due but no e-mail address (SMTP configured).
    pub no_email: usize,
}

impl App {
    /// Whether today's reminders are due: on working days, from the configured Beijing hour.
    pub async fn reminder_time(&self) -> Result<bool> {
        let hour = self.now().to_offset(gongkai_domain::CST).hour();
        if hour < self.config.reminder_hour {
            return Ok(false);
        }
        let cal = self.calendar().await?;
        Ok(cal.day(self.today()).map(|d| d.reason_off().is_none()).unwrap_or(false))
    }

    /// Who is reminded of what today.
    pub async fn reminders_for_today(&self) -> Result<Vec<Reminder>> {
        let rows: Vec<QueueRow> =
            self.open_requests(None).await?.into_iter().filter(|r| !r.warning.is_empty()).collect();
        let office = self.system_actor().await?;
        let messages: Vec<crate::messages::StaffMessage> = self
            .message_inbox(&office)
            .await?
            .into_iter()
            .filter(|m| m.stage.is_some_and(|s| s != gongkai_domain::message::AgeStage::OnTime))
            .collect();
        if rows.is_empty() && messages.is_empty() {
            return Ok(vec![]);
        }
        let users = app_user::Entity::find()
            .filter(app_user::Column::Active.eq(true))
            .order_by_asc(app_user::Column::Id)
            .all(self.store.conn())
            .await?;
        let mut by_user: BTreeMap<i64, Vec<QueueRow>> = BTreeMap::new();
        for r in rows {
            let assignee = r.assignee_id.filter(|a| users.iter().any(|u| u.id == *a && u.org_id == r.org_id));
            match assignee {
                Some(a) => by_user.entry(a).or_default().push(r),
                None => {
                    // Administrators run the system and reviewers sign off documents; they
                    // are not handling staff. An organisation without staff accounts falls
                    // to the district office.
                    let mut staff: Vec<i64> = users
                        .iter()
                        .filter(|u| u.org_id == r.org_id && u.role != "admin" && u.role != "reviewer")
                        .map(|u| u.id)
                        .collect();
                    if staff.is_empty() {
                        staff = users.iter().filter(|u| u.role == "office").map(|u| u.id).collect();
                    }
                    for u in staff {
                        by_user.entry(u).or_default().push(r.clone());
                    }
                }
            }
        }
        // A body's messages go to its staff who answer them (editors, the office), or to the
        // district office when the body has none.
        let mut by_user_messages: BTreeMap<i64, Vec<(String, &'static str, Date)>> = BTreeMap::new();
        for m in &messages {
            let mut staff: Vec<i64> = users
                .iter()
                .filter(|u| u.org_id == m.org_id && (u.role == "editor" || u.role == "office"))
                .map(|u| u.id)
                .collect();
            if staff.is_empty() {
                staff = users.iter().filter(|u| u.role == "office").map(|u| u.id).collect();
            }
            for u in staff {
                by_user_messages.entry(u).or_default().push((
                    m.reference.clone(),
                    m.stage_label.unwrap_or(""),
                    m.limit_on,
                ));
            }
        }
        let people: std::collections::BTreeSet<i64> = by_user.keys().chain(by_user_messages.keys()).copied().collect();
        Ok(people
            .into_iter()
            .filter_map(|id| {
                let u = users.iter().find(|u| u.id == id)?;
                Some(Reminder {
                    user_id: id,
                    display_name: u.display_name.clone(),
                    email: u.email.clone(),
                    requests: by_user.remove(&id).unwrap_or_default(),
                    messages: by_user_messages.remove(&id).unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Sends today's reminders. Safe to call any number of times a day.
    pub async fn send_daily_reminders(&self) -> Result<ReminderRun> {
        let today = self.today();
        let list = self.reminders_for_today().await?;
        // A broken mail setting must not cost the console reminders (it is also checked at start).
        let mailer = match self.config.smtp.as_ref().map(mailer) {
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "reminder e-mail disabled");
                None
            }
            None => None,
        };
        let mut run = ReminderRun { people: list.len(), ..Default::default() };
        for r in &list {
            let text = r.text(today);
            if self.claim(today, r, NotifyVia::Console, ReminderStatus::Sent, &text).await? {
                run.console += 1;
            }
            let Some((transport, from)) = &mailer else { continue };
            let Some(addr) = r.email.as_deref() else {
                if self.claim(today, r, NotifyVia::Email, ReminderStatus::NoEmail, "没有登记电子邮箱").await? {
                    run.no_email += 1;
                }
                continue;
            };
            if !self.claim(today, r, NotifyVia::Email, ReminderStatus::Sending, &text).await? {
                continue; // another run (or server) took it
            }
            let subject = r.subject(today);
            let sent = async {
                let to: Mailbox = addr.parse().map_err(|e| format!("邮箱地址有误：{e}"))?;
                let msg = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    // Base64 passes every relay, whatever it thinks of 8-bit text.
                    .body(
                        Body::new_with_encoding(text.clone(), ContentTransferEncoding::Base64)
                            .map_err(|_| "正文编码失败".to_string())?,
                    )
                    .map_err(|e| e.to_string())?;
                transport.send(msg).await.map_err(|e| e.to_string())
            }
            .await;
            let (status, detail) = match sent {
                Ok(_) => {
                    run.emailed += 1;
                    (ReminderStatus::Sent, text)
                }
                Err(e) => {
                    run.failed += 1;
                    tracing::warn!(user = r.user_id, "reminder e-mail failed: {e}");
                    (ReminderStatus::Failed, e)
                }
            };
            if let Some(row) = reminder::Entity::find()
                .filter(reminder::Column::SentOn.eq(today))
                .filter(reminder::Column::UserId.eq(r.user_id))
                .filter(reminder::Column::NotifyVia.eq(NotifyVia::Email.code()))
                .one(self.store.conn())
                .await?
            {
                let mut am: reminder::ActiveModel = row.into();
                am.status = Set(status.code().into());
                am.detail = Set(detail);
                am.update(self.store.conn()).await?;
            }
        }
        Ok(run)
    }

    /// Writes the day's row for a person and channel; false when it already exists.
    async fn claim(
        &self,
        day: Date,
        r: &Reminder,
        via: NotifyVia,
        status: ReminderStatus,
        detail: &str,
    ) -> Result<bool> {
        let row = reminder::ActiveModel {
            sent_on: Set(day),
            user_id: Set(r.user_id),
            notify_via: Set(via.code().into()),
            requests: Set(i32::try_from(r.requests.len()).unwrap_or(i32::MAX)),
            status: Set(status.code().into()),
            detail: Set(detail.into()),
            at: Set(self.now()),
            ..Default::default()
        };
        let done = reminder::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([reminder::Column::SentOn, reminder::Column::UserId, reminder::Column::NotifyVia])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(self.store.conn())
            .await?;
        Ok(done > 0)
    }

    /// The reminders a person received on `day`, for the console.
    pub async fn reminders_of(&self, user_id: i64, day: Date) -> Result<Vec<ReminderSent>> {
        reminder::Entity::find()
            .filter(reminder::Column::SentOn.eq(day))
            .filter(reminder::Column::UserId.eq(user_id))
            .order_by_asc(reminder::Column::NotifyVia)
            .all(self.store.conn())
            .await?
            .into_iter()
            .map(ReminderSent::of)
            .collect()
    }
}

impl SmtpConfig {
    /// Checks the address and the sender without connecting, for a clear error at start.
    pub fn check(&self) -> Result<()> {
        mailer(self).map(|_| ())
    }
}

fn mailer(c: &SmtpConfig) -> Result<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&c.url)
        .map_err(|e| AppError::Internal(format!("SMTP 地址有误：{e}")))?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build();
    let from = c.from.parse().map_err(|e| AppError::Internal(format!("SMTP 发件人有误：{e}")))?;
    Ok((transport, from))
}

/// The daily reminder, once per cluster: looked at every minute, sent once a working day
/// from `reminder_hour` (the note keeps the date it was last sent).
pub struct DailyReminder;

impl crate::jobs::Job for DailyReminder {
    fn kind(&self) -> &'static str {
        "daily_reminder"
    }
    fn label(&self) -> &'static str {
        "依申请公开到期提醒"
    }
    fn every(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(60))
    }
    fn run<'a>(&'a self, ctx: &'a crate::jobs::JobCtx) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let today = ctx.app.today().to_string();
            if ctx.last_progress.as_deref() == Some(today.as_str()) || !ctx.app.reminder_time().await? {
                return Ok(ctx.last_progress.clone());
            }
            let r = ctx.app.send_daily_reminders().await?;
            tracing::info!(people = r.people, emailed = r.emailed, failed = r.failed, "reminders sent");
            Ok(Some(today))
        })
    }
}
