//! The content patrol on the web: the console's findings page (`console`) and the JSON list
//! (`api`). Templates in `templates/patrol/`.

mod api;
mod console;

pub(crate) use api::api;
pub(crate) use console::routes;
