//! One error policy for every use case and every interface.
//!
//! A use case fails with an [`AppError`]; nothing else crosses into the web layer or the
//! CLI. Each variant has one row in [`AppError::spec`]: the stable `code` the JSON API
//! answers with (`{"code", "message"}`; the city platform and scripts match on it), the
//! HTTP status, and the heading of the error page a browser sees. The message is always
//! Chinese and written for the person who made the request; it never carries a cause
//! that only an operator could use.
//!
//! Which variant to use:
//! - the request could not be read at all (a bad id in the path, a query string or body
//!   that does not parse, a body too large, a method the route lacks): `BadId`,
//!   `BadQuery`, `BadJson`, `BadJsonData`, `UnsupportedMediaType`, `TooLarge`,
//!   `MethodNotAllowed` — the web layer produces these from its extractors;
//! - the request was read but a field is wrong: `Validation`, with one message per field;
//! - the fields are fine but the rules of the workflow or the regulation refuse it:
//!   `Rule`; a handling step of a request is refused: `Step`, whose code is the
//!   refusal's own (`gongkai_domain::handling::Refusal::code`); someone else changed the
//!   record first: `Conflict`;
//! - who is asking: `Unauthorized` (nobody), `Forbidden` (not this person), `Locked`;
//! - `Unavailable`: a derived index is being rebuilt; try again shortly;
//! - `TooMany`: one address sent a form too often (429 with `Retry-After`);
//! - `AlreadyReceived`: the same application was filed moments ago (or under the same
//!   idempotency key); nothing new is filed;
//! - `Internal`: a fault of ours. Its text is the cause, logged with it where it is
//!   turned into an answer; the caller only ever sees the row's fixed message.

use gongkai_domain::FieldError;
use gongkai_store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("请先登录")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"))]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Rule(String),
    /// A handling step the regulation or the steps before it refuse, under the refusal's
    /// own code (`clarification_twice`, `extension_over_cap`, …).
    #[error("{0}")]
    Step(gongkai_domain::handling::Refusal),
    #[error("{0}")]
    Locked(String),
    #[error("“{0}”不是有效的编号")]
    BadId(String),
    #[error("查询参数有误：{0}")]
    BadQuery(String),
    #[error("请求体不是有效的 JSON：{0}")]
    BadJson(String),
    #[error("请求体的内容与接口要求不符：{0}")]
    BadJsonData(String),
    #[error("请以 application/json 提交请求体")]
    UnsupportedMediaType,
    /// The limit as read (21 MB, 64 KB); empty until the web layer fills it in.
    #[error("提交的内容过大（上限 {0}）")]
    TooLarge(String),
    #[error("该地址不支持此请求方法")]
    MethodNotAllowed,
    #[error("{0}")]
    Unavailable(String),
    /// The same application again (a refresh, a double click, a retried API call). The
    /// number is for the web layer to recognise the browser's own receipt; it is never
    /// shown to whoever resent the form.
    #[error("{message}")]
    AlreadyReceived { tracking_no: String, message: String },
    /// Too many requests from one address in a short time; `retry_after` seconds to wait.
    #[error("操作过于频繁，请{retry_after}秒后再试")]
    TooMany { retry_after: i64 },
    #[error("系统内部错误，请稍后重试")]
    Internal(String),
}

/// One row of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorSpec {
    /// Stable machine-readable code of the JSON API.
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Heading of the error page.
    pub heading: &'static str,
}

const fn row(code: &'static str, status: u16, heading: &'static str) -> ErrorSpec {
    ErrorSpec { code, status, heading }
}

impl AppError {
    /// The error table: code, status and page heading of every kind of failure.
    pub fn spec(&self) -> ErrorSpec {
        match self {
            AppError::NotFound(_) => row("not_found", 404, "您访问的页面不存在"),
            AppError::Unauthorized => row("unauthorized", 401, "请先登录"),
            AppError::Forbidden(_) => row("forbidden", 403, "没有权限"),
            AppError::Locked(_) => row("account_locked", 403, "账号暂时锁定"),
            AppError::Validation(_) => row("validation_failed", 422, "填写有误"),
            AppError::Rule(_) => row("rule_violated", 422, "不符合办理规则"),
            AppError::Step(r) => row(r.code(), 422, "不符合办理规则"),
            AppError::Conflict(_) => row("conflict", 409, "操作冲突"),
            AppError::BadId(_) => row("invalid_id", 400, "地址有误"),
            AppError::BadQuery(_) => row("invalid_query", 400, "请求有误"),
            AppError::BadJson(_) => row("invalid_json", 400, "请求有误"),
            AppError::BadJsonData(_) => row("invalid_json", 422, "请求有误"),
            AppError::UnsupportedMediaType => row("unsupported_media_type", 415, "请求有误"),
            AppError::TooLarge(_) => row("payload_too_large", 413, "提交的内容过大"),
            AppError::MethodNotAllowed => row("method_not_allowed", 405, "请求方法有误"),
            AppError::Unavailable(_) => row("rebuilding", 503, "请稍后再试"),
            AppError::AlreadyReceived { .. } => row("duplicate_request", 409, "申请已收到"),
            AppError::TooMany { .. } => row("rate_limited", 429, "请求过于频繁"),
            AppError::Internal(_) => row("internal", 500, "系统繁忙"),
        }
    }

    /// Stable machine-readable code for the API.
    pub fn code(&self) -> &'static str {
        self.spec().code
    }

    /// The text shown to the caller (never the cause of an internal error).
    pub fn message(&self) -> String {
        self.to_string()
    }

    pub fn field(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// The error as a form shows it: one (field, message) per field a validation names,
    /// the field a refused step names, else one message about the whole form (field "").
    pub fn by_field(&self) -> Vec<(&'static str, String)> {
        match self {
            AppError::Validation(errs) => errs.iter().map(|e| (e.field, e.message.clone())).collect(),
            AppError::Step(r) => vec![(r.field().unwrap_or(""), r.to_string())],
            e => vec![("", e.to_string())],
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        if e.is_unique_violation() {
            return AppError::Conflict("记录已存在（唯一性冲突）".into());
        }
        tracing::error!(error = %e, "store error");
        AppError::Internal(e.to_string())
    }
}

impl From<gongkai_store::DbErr> for AppError {
    fn from(e: gongkai_store::DbErr) -> Self {
        StoreError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_row_and_internal_causes_stay_private() {
        let all = [
            AppError::NotFound("x".into()),
            AppError::Unauthorized,
            AppError::Forbidden("x".into()),
            AppError::Locked("x".into()),
            AppError::Validation(vec![]),
            AppError::Rule("x".into()),
            AppError::Conflict("x".into()),
            AppError::BadId("abc".into()),
            AppError::BadQuery("x".into()),
            AppError::BadJson("x".into()),
            AppError::BadJsonData("x".into()),
            AppError::UnsupportedMediaType,
            AppError::TooLarge("20 MB".into()),
            AppError::MethodNotAllowed,
            AppError::Unavailable("x".into()),
            AppError::AlreadyReceived { tracking_no: "YSQ".into(), message: "x".into() },
            AppError::TooMany { retry_after: 30 },
            AppError::Internal("password=secret at db.rs:12".into()),
        ];
        for e in &all {
            let s = e.spec();
            assert!((400..600).contains(&s.status), "{e:?}");
            assert!(!s.code.is_empty() && s.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{e:?}");
            assert!(!s.heading.is_empty());
        }
        assert!(!AppError::Internal("password=secret".into()).message().contains("secret"));
        assert_eq!(AppError::BadId("abc".into()).message(), "“abc”不是有效的编号");
    }
}
