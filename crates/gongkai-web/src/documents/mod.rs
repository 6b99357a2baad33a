//! The document library on the web: the portal's pages (`public`), the console
//! (`console`) and the JSON API of documents, interpretations and the changes feed
//! (`api`). Templates in `templates/documents/`.

mod api;
mod console;
mod public;

pub(crate) use api::api;

pub(crate) fn routes() -> axum::Router<crate::WebState> {
    axum::Router::new().merge(public::routes()).merge(console::routes())
}
