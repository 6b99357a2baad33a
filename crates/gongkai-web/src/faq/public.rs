//! 热线问答 on the portal: the published entries and one entry with its basis.

use crate::WebState;
use crate::error::Id;
use crate::views::{self, Frame, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use gongkai_app::faq::FaqView;

pub(super) fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new().route("/faq", get(list)).route("/faq/{id}", get(show))
}

#[derive(Template)]
#[template(path = "faq/list.html")]
struct ListPage {
    frame: Frame,
    entries: Vec<FaqView>,
}

#[derive(Template)]
#[template(path = "faq/show.html")]
struct ShowPage {
    frame: Frame,
    e: FaqView,
}

async fn list(State(s): State<WebState>) -> Response {
    match s.app.faq_public_list().await {
        Ok(entries) => render(&ListPage {
            frame: Frame::new(&s.app.config.site_name, "12345热线问答", "互动交流").crumb("12345热线问答", "/faq"),
            entries,
        }),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}

async fn show(State(s): State<WebState>, Id(id): Id) -> Response {
    match s.app.faq_public(id).await {
        Ok(e) => render(&ShowPage {
            frame: Frame::new(&s.app.config.site_name, "12345热线问答", "互动交流")
                .crumb("12345热线问答", "/faq")
                .crumb(e.question.chars().take(20).collect::<String>(), format!("/faq/{id}")),
            e,
        }),
        Err(e) => views::error_page(&s.app.config.site_name, &e),
    }
}
