//! Console forms as typed extractors: [`StaffForm<T>`] gives a handler the signed-in
//! actor and the form already read into `T` — the same `Deserialize` structs the API
//! takes where the fields agree — after checking the form's CSRF token against the
//! session. Nobody signed in: a redirect to the login page. A bad token: the 403 page.
//! A body that does not fit `T`: the 400 page with the parser's words. [`Staff`] is the
//! same check for pages that only show.

use crate::WebState;
use crate::auth::{Caller, same_token};
use crate::error::WebError;
use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::AppError;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A CSRF-checked console form from a signed-in member of staff.
pub struct StaffForm<T> {
    pub caller: Caller,
    /// The signed-in actor (the extractor refuses a form without one).
    pub actor: gongkai_app::Actor,
    pub form: T,
    /// The fields as sent, to show a refused form again as it was typed (never the CSRF
    /// token, never a password).
    pub fields: Vec<(String, String)>,
}

/// A console page's signed-in member of staff. Nobody signed in: a redirect to the login
/// page. What the actor may see is checked by the use case, by role and organisation.
pub struct Staff {
    pub caller: Caller,
    pub actor: gongkai_app::Actor,
}

impl FromRequestParts<WebState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &WebState) -> Result<Self, Response> {
        let Ok(caller) = Caller::from_request_parts(parts, state).await;
        match caller.actor.clone() {
            Some(actor) => Ok(Staff { caller, actor }),
            None => Err(Redirect::to("/admin/login").into_response()),
        }
    }
}

/// A form that only confirms an action: its CSRF token is all it carries.
#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<WebState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(caller) = Caller::from_request_parts(&mut parts, state).await;
        let Some(actor) = caller.actor.clone() else {
            return Err(Redirect::to("/admin/login").into_response());
        };
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|_| WebError(AppError::TooLarge(String::new())).into_response())?;
        let read = |b: Bytes| Request::from_parts(parts.clone(), Body::from(b));
        let token = Form::<Token>::from_request(read(bytes.clone()), state).await.map(|Form(t)| t.csrf);
        let ok = matches!((&caller.csrf, token), (Some(a), Ok(b)) if same_token(a, &b));
        if !ok {
            return Err(WebError(AppError::Forbidden(
                "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into(),
            ))
            .into_response());
        }
        let fields = Form::<Vec<(String, String)>>::from_request(read(bytes.clone()), state)
            .await
            .map(|Form(f)| f)
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k != "csrf" && !k.contains("password"))
            .collect();
        match Form::<T>::from_request(read(bytes), state).await {
            Ok(Form(form)) => Ok(StaffForm { caller, actor, form, fields }),
            Err(e) => Err(WebError(AppError::BadQuery(e.body_text())).into_response()),
        }
    }
}
