//! The 12345 hotline's knowledge base on the web: the published answers on the portal
//! (`public`), writing, review, import and the stale list in the console (`console`), the
//! JSON API (`api`). Templates in `templates/faq/`.

mod api;
mod console;
mod public;

pub(crate) use api::api;

pub(crate) fn routes() -> axum::Router<crate::WebState> {
    console::routes().merge(public::routes())
}
