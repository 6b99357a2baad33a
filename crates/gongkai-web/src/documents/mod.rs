//! The document library on the web: the console (`console`) and the JSON API of
//! documents, interpretations and the changes feed (`api`). Templates in
//! `templates/documents/`.

mod api;
mod console;

pub(crate) use api::api;
pub(crate) use console::routes;
