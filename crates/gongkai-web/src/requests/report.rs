//! The annual report (年度报告) in the console: parts 二, 三, 四 for a year and an
//! organisation, the figures entered by hand, downloads as .docx and .xlsx.

use crate::WebState;
use crate::admin::{Fields, frame, need};
use crate::auth::Caller;
use crate::forms::StaffForm;
use crate::views::{self, Feedback};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use gongkai_app::AppError;
use gongkai_app::requests::AnnualReport;
use serde::Deserialize;

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin/reports/annual", get(report).post(report_figures))
}

#[derive(Template)]
#[template(path = "requests/report.html")]
struct ReportPage {
    frame: views::Frame,
    year: i32,
    org: Option<i64>,
    orgs: Vec<(i64, String)>,
    district_wide: bool,
    report: AnnualReport,
    /// (part, width in columns, rows); a row whose cells after the first are empty is a
    /// heading spanning the table.
    tables: Vec<(&'static str, usize, Vec<Vec<String>>)>,
    fb: Feedback,
}

impl ReportPage {
    fn is_org(&self, id: &i64) -> bool {
        self.org == Some(*id)
    }
    fn is_heading(&self, row: &[String]) -> bool {
        row.iter().skip(1).all(|c| c.is_empty())
    }
    /// The figures the office enters: (field, label, value now, input mode).
    fn figures(&self) -> Vec<(&'static str, &'static str, String, &'static str)> {
        let e = &self.report.part2.entered;
        vec![
            ("licensing", "行政许可：本年处理决定数量", e.licensing.to_string(), "numeric"),
            ("penalty", "行政处罚：本年处理决定数量", e.penalty.to_string(), "numeric"),
            ("enforcement", "行政强制：本年处理决定数量", e.enforcement.to_string(), "numeric"),
            ("fees_wan_yuan", "行政事业性收费：本年收费金额（万元）", e.fees_wan_yuan.to_string(), "decimal"),
        ]
    }
    fn query(&self) -> String {
        match self.org {
            Some(o) => format!("year={}&org={o}", self.year),
            None => format!("year={}", self.year),
        }
    }
}

#[derive(Deserialize, Default)]
struct ReportParams {
    year: Option<String>,
    org: Option<String>,
}

async fn report_page(s: &WebState, c: &Caller, year: i32, org: Option<i64>, fb: Feedback) -> Response {
    let actor = match need(c) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let report = match s.app.annual_report(actor, year, org).await {
        Ok(r) => r,
        Err(e) => return views::error_page(&s.app.config.site_name, &e),
    };
    let orgs = s
        .app
        .orgs()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| actor.may_see_org(o.id))
        .map(|o| (o.id, o.name))
        .collect();
    let tables = report
        .tables()
        .into_iter()
        .map(|(name, rows)| (name, rows.iter().map(Vec::len).max().unwrap_or(1), rows))
        .collect();
    views::render_as(
        fb.status(),
        &ReportPage {
            frame: frame(s, c, "政府信息公开工作年度报告"),
            year,
            org: report.org_id,
            orgs,
            district_wide: actor.role.is_district_wide(),
            report,
            tables,
            fb,
        },
    )
}

/// The year asked for; the last full year by default, as the report is written in January.
fn report_year(s: &WebState, v: Option<&String>) -> Result<i32, String> {
    match v.map(|y| y.trim()).filter(|y| !y.is_empty()) {
        None => Ok(s.app.today().year() - 1),
        Some(y) => y.parse().map_err(|_| format!("年份“{y}”应为四位数字")),
    }
}

fn report_org(v: Option<&String>) -> Result<Option<i64>, String> {
    match v.map(|o| o.trim()).filter(|o| !o.is_empty()) {
        None => Ok(None),
        Some(o) => o.parse().map(Some).map_err(|_| format!("机关编号“{o}”无效")),
    }
}

async fn report(State(s): State<WebState>, c: Caller, q: Result<Query<ReportParams>, QueryRejection>) -> Response {
    let p = q.map(|Query(p)| p).unwrap_or_default();
    match (report_year(&s, p.year.as_ref()), report_org(p.org.as_ref())) {
        (Ok(y), Ok(o)) => {
            let notice = crate::flash::take_notice(&s, &c).await;
            report_page(&s, &c, y, o, Feedback::notice(notice)).await
        }
        (Err(e), _) | (_, Err(e)) => views::error_page(&s.app.config.site_name, &AppError::field("year", e)),
    }
}

async fn report_figures(State(s): State<WebState>, f: StaffForm<Fields>) -> Response {
    let StaffForm { caller: c, actor, form: f, fields } = f;
    let actor = &actor;
    let (year, org) = match (report_year(&s, f.get("year")), report_org(f.get("org"))) {
        (Ok(y), Ok(o)) => (y, o),
        (Err(e), _) | (_, Err(e)) => return views::error_page(&s.app.config.site_name, &AppError::field("year", e)),
    };
    // Every field is checked, so the form shows each wrong figure at once.
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let mut count = |k: &'static str, label: &str| -> u64 {
        match f.get(k).map(|v| v.trim()).unwrap_or("") {
            "" => 0,
            v => v.parse().unwrap_or_else(|_| {
                errors.push((k, format!("{label}应为非负整数")));
                0
            }),
        }
    };
    let (licensing, penalty, enforcement) = (
        count("licensing", "行政许可处理决定数量"),
        count("penalty", "行政处罚处理决定数量"),
        count("enforcement", "行政强制处理决定数量"),
    );
    let fees_wan_yuan = match f.get("fees_wan_yuan").map(|v| v.trim()).unwrap_or("") {
        "" => 0.0,
        v => v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).unwrap_or_else(|| {
            errors.push(("fees_wan_yuan", "行政事业性收费金额应为不小于0的数字（万元）".into()));
            0.0
        }),
    };
    if !errors.is_empty() {
        return report_page(&s, &c, year, org, Feedback::refused_with("figures", fields, errors)).await;
    }
    let fig = gongkai_domain::report::EnteredFigures { licensing, penalty, enforcement, fees_wan_yuan };
    if let Err(e) = s.app.enter_report_figures(actor, year, org, fig).await {
        return report_page(&s, &c, year, org, Feedback::refused("figures", fields, &e)).await;
    }
    let back = match org {
        Some(o) => format!("/admin/reports/annual?year={year}&org={o}"),
        None => format!("/admin/reports/annual?year={year}"),
    };
    crate::flash::redirect_notice(&s, &c, &back, "已保存填报数据").await
}
