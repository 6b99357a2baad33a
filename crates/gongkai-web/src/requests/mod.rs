//! Requests for disclosure (依申请公开) on the web: the public application form and
//! tracking page with the case library (`public`), the console for staff (`console`) and
//! the JSON API (`api`); a request's page and handling (`handling`), the annual report
//! (`report`). Templates in `templates/requests/`.

mod api;
mod console;
mod handling;
mod public;
mod report;

pub(crate) use api::api;
pub(crate) use public::{ApplyPage, new_request, read_form};

use crate::WebState;
use axum::Router;

/// The pages (public and console) of requests.
pub(crate) fn routes() -> Router<WebState> {
    Router::new().merge(public::routes()).merge(console::routes()).merge(handling::routes()).merge(report::routes())
}
