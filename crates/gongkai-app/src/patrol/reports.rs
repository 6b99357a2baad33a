//! 我为政府网站找错: a visitor reports an error on a page; the report goes to the body that
//! owns the page (the district office for pages of no one record) with a due date in
//! working days, is answered in the console, and can be followed by its reference. A
//! 隐私泄露 report patrols the record the page shows at once — the site never fetches an
//! address someone typed. The reporter's contact is for the answer only: never public.

use crate::{Actor, App, AppError, Result};
use gongkai_domain::patrol::report::{self, ReportInput, ReportKind, ReportStatus};
use gongkai_store::error_report::{self as store, row};
use gongkai_store::sea_orm::Set;
use serde::Serialize;
use time::Date;

/// What the visitor is told: the reference to follow it by, and by when it is answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportReceipt {
    pub reference: String,
    pub due_on: Date,
}

/// A report as anyone with its reference sees it: no description, no contact (a reference
/// can be guessed), the answer as the body wrote it for the public.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicReport {
    pub reference: String,
    #[schema(value_type = String)]
    pub kind: ReportKind,
    pub kind_label: &'static str,
    pub page: String,
    #[schema(value_type = String)]
    pub status: ReportStatus,
    pub status_label: &'static str,
    pub received_on: Date,
    pub due_on: Date,
    pub answer: Option<String>,
    pub answered_on: Option<Date>,
}

/// A report as the owning body's staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffReport {
    pub id: i64,
    #[serde(flatten)]
    pub public: PublicReport,
    pub org_id: i64,
    pub description: String,
    /// How the reporter asked to be answered, if they did.
    pub contact: Option<String>,
    pub overdue: bool,
}

fn public(m: &row::Model) -> Result<PublicReport> {
    let kind = ReportKind::parse(&m.kind).ok_or_else(|| AppError::Internal(format!("report {}: kind", m.id)))?;
    let status =
        ReportStatus::parse(&m.status).ok_or_else(|| AppError::Internal(format!("report {}: status", m.id)))?;
    Ok(PublicReport {
        reference: m.reference.clone(),
        kind,
        kind_label: kind.label(),
        page: m.page.clone(),
        status,
        status_label: status.label(),
        received_on: crate::beijing_date(m.received_at),
        due_on: m.due_on,
        answer: m.answer.clone(),
        answered_on: m.answered_at.map(crate::beijing_date),
    })
}

impl App {
    fn staff_report(&self, m: row::Model) -> Result<StaffReport> {
        let p = public(&m)?;
        let overdue = p.status == ReportStatus::Received && p.due_on < self.today();
        Ok(StaffReport {
            id: m.id,
            public: p,
            org_id: m.org_id,
            description: m.description,
            contact: m.contact,
            overdue,
        })
    }

    /// Files a visitor's report. `site_hosts` are the names this site answers to, so a full
    /// address of one of its pages is accepted and cut to its path.
    pub async fn submit_error_report(&self, input: ReportInput, site_hosts: &[&str]) -> Result<ReportReceipt> {
        let r = report::validate(&input, site_hosts).map_err(AppError::Validation)?;
        // Whose page: the body that owns the record it shows, else the district office.
        let shown = crate::search::record_at(&r.page);
        let mut owner = None;
        if let Some((src, id)) = &shown
            && let Some(d) = src.load(self, &[*id]).await?.into_iter().next()
        {
            owner = d.org_id;
        }
        let org_id = match owner {
            Some(o) => o,
            None => self.system_actor().await?.org_id,
        };
        let today = self.today();
        let due_on = crate::calendar::due_after(&self.calendar().await?, today, self.config.error_report_days);
        let now = self.now();
        let tx = self.store.begin_write().await?;
        let n = store::count_in_year(&*tx, today.year()).await?;
        let reference = report::reference(today.year(), n as u32 + 1);
        let m = store::insert(
            &*tx,
            row::ActiveModel {
                reference: Set(reference.clone()),
                kind: Set(r.kind.code().into()),
                page: Set(r.page.clone()),
                source: Set(shown.as_ref().map(|(s, _)| s.name().to_string())),
                record_id: Set(shown.as_ref().map(|(_, id)| *id)),
                org_id: Set(org_id),
                description: Set(r.description),
                contact: Set(r.contact),
                status: Set(ReportStatus::Received.code().into()),
                received_at: Set(now),
                due_on: Set(due_on),
                ..Default::default()
            },
        )
        .await?;
        // The audit row names the report, never what the visitor wrote or how to reach them.
        let actor = Actor::public(org_id);
        self.audit(
            &*tx,
            &actor,
            "error_report.receive",
            "error_report",
            Some(m.id),
            None,
            Some(serde_json::json!({"reference": reference, "kind": m.kind, "page": m.page})),
        )
        .await?;
        tx.commit().await?;
        if r.kind == ReportKind::Privacy
            && let Some((src, id)) = shown
            && let Err(e) = self.patrol_record(src.name(), id).await
        {
            tracing::warn!(error = %e, "patrol after a privacy report");
        }
        Ok(ReportReceipt { reference, due_on })
    }

    /// A report by its reference, as the public may see it.
    pub async fn track_error_report(&self, reference: &str) -> Result<PublicReport> {
        let r = reference.trim().to_ascii_uppercase();
        let m = store::by_reference(self.store.conn(), &r).await?.ok_or_else(|| {
            AppError::NotFound(format!("没有编号为“{}”的找错留言", r.chars().take(20).collect::<String>()))
        })?;
        public(&m)
    }

    /// Answered reports for the public list, newest first.
    pub async fn answered_error_reports(&self, page: u64, per_page: u64) -> Result<(Vec<PublicReport>, u64)> {
        let (rows, total) = store::answered(self.store.conn(), page.saturating_sub(1) * per_page, per_page).await?;
        Ok((rows.iter().map(public).collect::<Result<_>>()?, total))
    }

    /// The reports `actor`'s body answers (the district office: all).
    pub async fn error_reports(&self, actor: &Actor) -> Result<Vec<StaffReport>> {
        if !actor.role.can_edit() && !actor.role.can_review() {
            return Err(AppError::Forbidden("没有查看找错留言的权限".into()));
        }
        let orgs = if actor.role.is_district_wide() { None } else { Some(vec![actor.org_id]) };
        store::list(self.store.conn(), orgs.as_deref()).await?.into_iter().map(|m| self.staff_report(m)).collect()
    }

    /// Answers a report; the answer is public, so it may carry no personal data.
    pub async fn answer_error_report(&self, actor: &Actor, id: i64, answer: &str) -> Result<StaffReport> {
        if !actor.role.can_edit() && !actor.role.can_review() {
            return Err(AppError::Forbidden("没有答复找错留言的权限".into()));
        }
        let text = answer.trim().to_string();
        let n = text.chars().count();
        let mut errs = Vec::new();
        if !(5..=2000).contains(&n) {
            errs.push(gongkai_domain::FieldError::new("answer", "答复应为5至2000字"));
        }
        gongkai_domain::text::check(&mut errs, "answer", "答复", &text, true);
        let personal = gongkai_domain::patrol::scan(&text, &[])
            .into_iter()
            .any(|f| f.kind.is_personal() && f.severity != gongkai_domain::patrol::Severity::Low);
        if personal {
            errs.push(gongkai_domain::FieldError::new("answer", "答复将公开，不得含有身份证号码、手机号码等个人信息"));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let tx = self.store.begin_write().await?;
        let m = store::get(&*tx, id)
            .await?
            .filter(|m| actor.may_see_org(m.org_id))
            .ok_or_else(|| AppError::NotFound("没有这条找错留言".into()))?;
        if m.status == ReportStatus::Answered.code() {
            return Err(AppError::Conflict("这条留言已经答复".into()));
        }
        let after = store::answer(&*tx, m, text, actor.user_id, self.now()).await?;
        self.audit(
            &*tx,
            actor,
            "error_report.answer",
            "error_report",
            Some(id),
            Some(serde_json::json!({"status": "received"})),
            Some(serde_json::json!({"status": after.status})),
        )
        .await?;
        tx.commit().await?;
        self.staff_report(after)
    }
}
