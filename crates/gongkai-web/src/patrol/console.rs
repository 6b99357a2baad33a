//! The patrol's findings in the console, for reviewers and the district office.

use crate::WebState;
use crate::admin::frame;
use crate::forms::Staff;
use crate::views::{self, Frame, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use gongkai_app::patrol::FindingView;

pub(crate) fn routes() -> Router<WebState> {
    Router::new().route("/admin/patrol", get(findings))
}

#[derive(Template)]
#[template(path = "patrol/findings.html")]
struct FindingsPage {
    frame: Frame,
    found: Vec<FindingView>,
    high: usize,
}

impl FindingsPage {
    /// Where the finding is, in the console.
    fn link(&self, f: &FindingView) -> String {
        match f.source {
            "document" => format!("/admin/documents/{}", f.record_id),
            "interpretation" => format!("/interpretations/{}", f.record_id),
            _ => format!("/cases/{}", f.record_id),
        }
    }
    fn source_label(&self, f: &FindingView) -> &'static str {
        match f.source {
            "document" => "文件",
            "interpretation" => "政策解读",
            _ => "依申请公开案例",
        }
    }
}

async fn findings(State(s): State<WebState>, Staff { caller: c, actor }: Staff) -> Response {
    match s.app.patrol(&actor).await {
        Ok(found) => {
            let high = found.iter().filter(|f| f.severity.code() == "high").count();
            render(&FindingsPage { frame: frame(&s, &c, "内容巡查"), found, high })
        }
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}
