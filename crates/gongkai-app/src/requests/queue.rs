//! The console's view of open requests: the supervision queue with its warnings, and the
//! search over every request, open or closed.

use super::*;

/// What the console's request search asks: a tracking number or words of the applicant's
/// name or the description, and a range of receipt dates; open and closed requests alike
/// (a 复议 or 诉讼 needs the old file).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RequestSearch {
    pub q: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One request found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FoundRequest {
    pub id: i64,
    pub tracking_no: String,
    pub org_id: i64,
    pub applicant: String,
    pub description: String,
    pub received_on: Date,
    pub status_label: String,
}

impl App {
    /// Requests of the actor's organisation (every one for the district office) matching
    /// `p`, newest first, at most 100.
    pub async fn find_requests(&self, actor: &Actor, p: &RequestSearch) -> Result<Vec<FoundRequest>> {
        let mut errs = Vec::new();
        let from = parse_date_into("from", &p.from, &mut errs);
        let to = parse_date_into("to", &p.to, &mut errs);
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let mut q = info_request::Entity::find();
        if !actor.role.is_district_wide() {
            q = q.filter(info_request::Column::OrgId.eq(actor.org_id));
        }
        if let Some(text) = crate::opt(&p.q) {
            let text: String = text.chars().take(50).collect();
            q = q.filter(
                gongkai_store::sea_orm::Condition::any()
                    .add(info_request::Column::TrackingNo.eq(text.to_ascii_uppercase()))
                    .add(info_request::Column::Name.contains(&text))
                    .add(info_request::Column::Description.contains(&text)),
            );
        }
        if let Some(d) = from {
            q = q.filter(info_request::Column::ReceivedOn.gte(d));
        }
        if let Some(d) = to {
            q = q.filter(info_request::Column::ReceivedOn.lte(d));
        }
        let rows = q
            .order_by_desc(info_request::Column::ReceivedOn)
            .order_by_desc(info_request::Column::Id)
            .limit(100)
            .all(self.store.conn())
            .await?;
        rows.into_iter()
            .map(|m| -> Result<FoundRequest> {
                Ok(FoundRequest {
                    id: m.id,
                    tracking_no: m.tracking_no,
                    org_id: m.org_id,
                    applicant: m.name,
                    description: m.description.chars().take(60).collect(),
                    received_on: m.received_on,
                    status_label: stored_status(m.id, &m.status)?.label().into(),
                })
            })
            .collect()
    }
}

/// One row of a supervision queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueRow {
    pub id: i64,
    pub tracking_no: String,
    pub org_id: i64,
    pub assignee_id: Option<i64>,
    pub status: RequestStatus,
    pub received_on: Date,
    pub due_on: Option<Date>,
    /// Working days left after today up to the due date (0: due today; negative: overdue).
    pub working_days_left: Option<i64>,
    /// `overdue`, `1`, `3`, `5` (days-left thresholds) or empty.
    pub warning: String,
    /// The applicant's applications that day, when past the office's threshold (第三十五条).
    pub same_day_count: Option<i32>,
}

impl App {
    /// The supervision queue: open requests by due date, with 5/3/1-working-day warnings
    /// and overdue ones marked. The district office sees every organisation's.
    pub async fn request_queue(&self, actor: &Actor) -> Result<Vec<QueueRow>> {
        self.open_requests((!actor.role.is_district_wide()).then_some(actor.org_id)).await
    }

    /// Open requests of one organisation (or all), by due date, with their warnings.
    pub(crate) async fn open_requests(&self, org_id: Option<i64>) -> Result<Vec<QueueRow>> {
        let mut q = info_request::Entity::find()
            .filter(info_request::Column::Status.ne("decided"))
            .filter(info_request::Column::Status.ne("closed"));
        if let Some(o) = org_id {
            q = q.filter(info_request::Column::OrgId.eq(o));
        }
        let rows = q.order_by_asc(info_request::Column::DueOn).all(self.store.conn()).await?;
        let cal = self.calendar().await?;
        let today = self.today();
        let mut out = Vec::new();
        for m in rows {
            let left = match m.due_on {
                None => None,
                Some(due) => Some(working_days_between(&cal, today, due).map_err(|e| AppError::Rule(e.to_string()))?),
            };
            let warning = match left {
                Some(n) if n < 0 => "overdue",
                Some(n) if n <= 1 => "1",
                Some(n) if n <= 3 => "3",
                Some(n) if n <= 5 => "5",
                _ => "",
            };
            out.push(QueueRow {
                id: m.id,
                tracking_no: m.tracking_no,
                org_id: m.org_id,
                assignee_id: m.assignee_id,
                status: stored_status(m.id, &m.status)?,
                received_on: m.received_on,
                due_on: m.due_on,
                working_days_left: left,
                warning: warning.into(),
                same_day_count: m.same_day_count,
            });
        }
        // Stopped clocks (no due date) last.
        out.sort_by_key(|r| (r.due_on.is_none(), r.due_on));
        Ok(out)
    }
}

/// Working days after `today` up to and including `due`; negative when `due` has passed.
fn working_days_between(
    cal: &gongkai_domain::calendar::WorkCalendar,
    today: Date,
    due: Date,
) -> std::result::Result<i64, gongkai_domain::calendar::CalendarError> {
    let (from, to, sign) = if due >= today { (today, due, 1) } else { (due, today, -1) };
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.next_day().unwrap_or(d);
        if cal.day(d)?.reason_off().is_none() {
            n += 1;
        }
    }
    Ok(sign * n)
}
