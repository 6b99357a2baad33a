//! 咨询建言 and 领导信箱 on the web: the form, receipt, tracking and published answers on the
//! portal (`public`), the inbox and the answer in the console (`console`), and the JSON API
//! (`api`). Templates in `templates/messages/`.

mod api;
mod console;
mod public;

pub(crate) use api::api;

pub(crate) fn routes() -> axum::Router<crate::WebState> {
    console::routes().merge(public::routes())
}
