//! Policy Q&A on the web: the portal's 智能问答 page (`public`) and `/api/v1/answers`
//! (`api`). Templates in `templates/answers/`.

mod api;
mod public;

pub(crate) use api::api;

pub(crate) fn routes() -> axum::Router<crate::WebState> {
    public::routes()
}
