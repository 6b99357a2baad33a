//! The content patrol on the web: the findings and the 找错 reports in the console
//! (`console`), the 我为政府网站找错 form and answers on the portal (`public`), and the JSON
//! API (`api`). Templates in `templates/patrol/`.

mod api;
mod console;
mod public;

pub(crate) use api::api;

pub(crate) fn routes() -> axum::Router<crate::WebState> {
    console::routes().merge(public::routes())
}
