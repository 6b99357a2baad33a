//! Search on the web: the portal's search page (`public`), the JSON API of search,
//! article passages and suggestions (`api`), and the district office's dictionary in the
//! console (`console`). Templates in `templates/search/`.

mod api;
mod console;
mod public;

pub(crate) use api::api;

pub(crate) fn routes() -> axum::Router<crate::WebState> {
    axum::Router::new()
        .merge(public::routes())
        .merge(console::routes())
        .merge(console::expansion_routes())
        .merge(console::qa_log_routes())
}
