//! What the library shows and answers.

use gongkai_domain::body::Block;
use gongkai_domain::diff::Segment;
use gongkai_domain::document::written_date;
use gongkai_domain::{Category, DisclosureMode, DocumentKind, Status, Validity, ValidityFacts, derive_validity};
use gongkai_store::document;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// A document as people and the API see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub family_id: i64,
    pub version_no: i32,
    pub version_note: Option<String>,
    pub index_no: String,
    pub title: String,
    pub org_id: i64,
    pub issuer: String,
    pub co_issuers: Vec<String>,
    pub doc_no: Option<String>,
    pub kind: Option<DocumentKind>,
    pub kind_label: Option<String>,
    pub category: Category,
    pub category_label: String,
    pub legal_level: Option<String>,
    pub topic: Option<String>,
    pub signed_on: Option<Date>,
    pub signed_on_written: Option<String>,
    pub published_on: Option<Date>,
    pub effective_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub validity: Validity,
    pub validity_label: String,
    pub disclosure_mode: DisclosureMode,
    pub disclosure_mode_label: String,
    pub withheld_reason: Option<String>,
    pub keywords: String,
    /// A declared form in which its personal data is public by law.
    #[schema(value_type = Option<String>)]
    pub privacy_exception: Option<gongkai_domain::patrol::PrivacyException>,
    pub status: Status,
    pub status_label: String,
    pub reviews_passed: i32,
    pub publish_at: Option<OffsetDateTime>,
    pub withdrawn_reason: Option<String>,
    pub superseded_by: Option<i64>,
    pub repealed_by: Option<i64>,
    pub is_sample: bool,
    pub updated_at: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl DocumentView {
    pub(crate) fn from_model(m: &document::Model, today: Date, with_body: bool) -> DocumentView {
        let validity = validity_of(m, today);
        let status = Status::parse(&m.status).unwrap_or(Status::Draft);
        let kind = m.kind.as_deref().and_then(DocumentKind::parse);
        let category = Category::parse(&m.category).unwrap_or(Category::Other);
        let mode = DisclosureMode::parse(&m.disclosure_mode).unwrap_or(DisclosureMode::Proactive);
        DocumentView {
            id: m.id,
            family_id: m.family_id,
            version_no: m.version_no,
            version_note: m.version_note.clone(),
            index_no: m.index_no.clone(),
            title: m.title.clone(),
            org_id: m.org_id,
            issuer: m.issuer.clone(),
            co_issuers: serde_json::from_str(&m.co_issuers).unwrap_or_default(),
            doc_no: m.doc_no.clone(),
            kind,
            kind_label: kind.map(|k| k.label().to_string()),
            category,
            category_label: category.label().into(),
            legal_level: m.legal_level.clone(),
            topic: m.topic.clone(),
            signed_on: m.signed_on,
            signed_on_written: m.signed_on.map(written_date),
            published_on: m.published_on,
            effective_on: m.effective_on,
            expires_on: m.expires_on,
            validity,
            validity_label: validity.label().into(),
            disclosure_mode: mode,
            disclosure_mode_label: mode.label().into(),
            withheld_reason: m.withheld_reason.clone(),
            keywords: m.keywords.clone(),
            privacy_exception: m.privacy_exception.as_deref().and_then(gongkai_domain::patrol::PrivacyException::parse),
            status,
            status_label: status.label().into(),
            reviews_passed: m.reviews_passed,
            publish_at: m.publish_at,
            withdrawn_reason: m.withdrawn_reason.clone(),
            superseded_by: m.superseded_by,
            repealed_by: m.repealed_by,
            is_sample: m.is_sample,
            updated_at: m.updated_at,
            body: with_body.then(|| m.body.clone()),
        }
    }
}

pub(crate) fn validity_of(m: &document::Model, today: Date) -> Validity {
    derive_validity(
        ValidityFacts {
            expires_on: m.expires_on,
            superseded: m.superseded_by.is_some(),
            repealed: m.repealed_by.is_some(),
            declared_expired: m.declared_expired,
        },
        today,
    )
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocRef {
    pub id: i64,
    pub title: String,
    pub doc_no: Option<String>,
    pub version_no: i32,
    pub published_on: Option<Date>,
    pub status: Status,
}

impl From<&document::Model> for DocRef {
    fn from(m: &document::Model) -> Self {
        DocRef {
            id: m.id,
            title: m.title.clone(),
            doc_no: m.doc_no.clone(),
            version_no: m.version_no,
            published_on: m.published_on,
            status: Status::parse(&m.status).unwrap_or(Status::Draft),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedInterpretation {
    pub id: i64,
    pub title: String,
    pub form: String,
    pub form_label: String,
    pub published_at: Option<OffsetDateTime>,
    pub status: Status,
    pub status_label: String,
    /// The version of the document this interpretation was written for.
    pub for_version_no: i32,
    /// True when it explains an earlier version than the one shown.
    pub earlier_version: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentMeta {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub has_text: bool,
    /// Withheld from the public, and why (personal data in a file that cannot be masked).
    pub withheld: Option<String>,
}

impl From<gongkai_store::attachment::Model> for AttachmentMeta {
    fn from(a: gongkai_store::attachment::Model) -> AttachmentMeta {
        AttachmentMeta {
            id: a.id,
            has_text: !a.extracted_text.is_empty(),
            withheld: a.withheld_reason,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
        }
    }
}

/// The version in force on a date, for `?as_of=`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AsOf {
    pub date: Date,
    /// The version in force then, if any.
    pub version_id: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentDetail {
    pub document: DocumentView,
    pub blocks: Vec<Block>,
    pub versions: Vec<DocRef>,
    pub interpretations: Vec<LinkedInterpretation>,
    pub attachments: Vec<AttachmentMeta>,
    pub repeals: Vec<DocRef>,
    pub repealed_by_docs: Vec<DocRef>,
    pub as_of: Option<AsOf>,
    pub org_name: String,
    pub next_review: Option<String>,
    /// 谁起草谁解读 applies: a normative document of an organisation that keeps the rule.
    pub needs_interpretation: bool,
}

/// Issuers, topics and years of the published documents.
pub type Facets = (Vec<String>, Vec<String>, Vec<i32>);

/// Query parameters of document lists.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListParams {
    /// 发文机关
    pub issuer: Option<String>,
    /// 主题分类
    pub topic: Option<String>,
    /// 文件类别
    pub category: Option<String>,
    /// 文种
    pub kind: Option<String>,
    /// 发布年份
    pub year: Option<String>,
    /// 有效性
    pub validity: Option<String>,
    /// 标题包含
    pub q: Option<String>,
    /// 发文字号（常见写法均可）
    pub doc_no: Option<String>,
    /// 机关编号
    pub org: Option<i64>,
    /// 状态（仅工作人员）
    pub status: Option<String>,
    /// `hide`: leave out the imported laws and regulations; `only`: only them.
    pub imported: Option<String>,
    /// 页码
    pub page: Option<u64>,
    /// 每页条数，1–100
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentPage {
    pub items: Vec<DocumentView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
}

/// Body of a workflow action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionInput {
    pub action: String,
    pub reason: Option<String>,
    /// `YYYY-MM-DDTHH:MM` Beijing time, or RFC 3339; for scheduled publication.
    pub publish_at: Option<String>,
    /// Publishing despite personal data the pre-publication check found: why it may be
    /// public (惩戒公示, 强制性信息披露, the person's consent). Recorded in the audit log.
    pub patrol_override: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DiffView {
    pub from: DocRef,
    pub to: DocRef,
    pub title: Vec<Segment>,
    pub body: Vec<Segment>,
    pub inserted_chars: usize,
    pub deleted_chars: usize,
    pub metadata: Vec<(String, String, String)>,
}
