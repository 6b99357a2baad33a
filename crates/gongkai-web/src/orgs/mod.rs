//! Organisations and staff on the web: the console pages (`console`) and the JSON list
//! (`api`). Templates in `templates/orgs/`.

mod api;
mod console;

pub(crate) use api::api;
pub(crate) use console::routes;
