//! The OpenAPI 3.1 description served at `/api/openapi.json`, generated from the code: the
//! schemas are derived beside the types (`utoipa::ToSchema`), each path beside its handler
//! (`#[utoipa::path]` in `api.rs`), and `utoipa_axum::routes!` registers route and
//! description together. This module holds what all paths share: the document's head,
//! the bearer scheme, the error body and the failures every endpoint may answer with.

use crate::WebState;
use std::collections::BTreeMap;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

/// A failure, as every endpoint answers it.
#[derive(serde::Serialize, ToSchema)]
pub struct ApiError {
    /// Stable machine-readable code: `validation_failed`, `not_found`, `rate_limited`, or a
    /// handling step's own refusal (`clarification_twice`, `extension_over_cap`, …).
    #[schema(examples("validation_failed"))]
    pub code: String,
    /// What went wrong, in Chinese, for the person who made the request.
    pub message: String,
    /// One entry per field at fault, when there is one.
    pub errors: Option<Vec<gongkai_domain::FieldError>>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gongkai 政务公开平台 API",
        description = "政府文件库、检索、依申请公开与年度报告。写接口需要 `Authorization: Bearer <token>`（`gongkai token create` 生成），或会话加 `X-CSRF-Token`。"
    ),
    servers((url = "/")),
    components(schemas(ApiError)),
    modifiers(&Bearer)
)]
struct Head;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The router the API's paths are added to, carrying the document's head.
pub fn base() -> OpenApiRouter<WebState> {
    OpenApiRouter::with_openapi(Head::openapi())
}

/// The failures of every endpoint, by status.
pub fn failures() -> BTreeMap<String, RefOr<Response>> {
    [
        ("400", "请求无法读取：编号、查询参数或 JSON 有误"),
        ("401", "需要登录或令牌"),
        ("403", "没有权限，或会话缺少 X-CSRF-Token"),
        ("404", "没有这条记录"),
        ("409", "冲突：记录已被他人更新，或重复提交"),
        ("413", "提交的内容过大"),
        ("415", "请以 application/json 提交"),
        ("422", "填写有误，或不符合办理规则（code 说明是哪一条）"),
        ("429", "操作过于频繁（Retry-After）"),
        ("503", "索引正在重建，请稍后再试（Retry-After）"),
    ]
    .into_iter()
    .map(|(status, description)| {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build();
        let r = ResponseBuilder::new().description(description).content("application/json", content).build();
        (status.to_string(), RefOr::T(r))
    })
    .collect()
}

/// A downloaded file.
pub fn binary() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).into()
}
