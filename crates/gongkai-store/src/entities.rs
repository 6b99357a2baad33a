//! Table definitions. Dates are Beijing calendar dates; instants are stored in UTC.

macro_rules! entity {
    ($modname:ident, $table:literal, { $($body:tt)* }) => {
        pub mod $modname {
            use sea_orm::entity::prelude::*;
            #[allow(unused_imports)]
            use ::time::{Date, OffsetDateTime};

            #[sea_orm::model]
            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
            #[schema(as = $modname::Model)]
            #[sea_orm(table_name = $table)]
            pub struct Model { $($body)* }

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}
// Capability modules of this crate (`job`, …) declare their tables with it too.
pub(crate) use entity;

entity!(org, "org", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub issuer_code: Option<String>,
    #[sea_orm(unique)]
    pub credit_code: String,
    pub review_levels: i32,
    pub require_interpretation: bool,
    pub is_sample: bool,
    pub sort: i32,
    pub created_at: OffsetDateTime,
    /// The four-eyes rule: the drafter does not review, each level is another person.
    pub four_eyes: bool,
});

entity!(app_user, "app_user", {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_id: i64,
    #[serde(skip)]
    pub password_hash: String,
    pub failed_logins: i32,
    pub locked_until: Option<OffsetDateTime>,
    pub active: bool,
    pub created_at: OffsetDateTime,
    /// Where daily reminders go, when SMTP is configured.
    pub email: Option<String>,
});

entity!(session, "session", {
    /// SHA-256 of the cookie value; the cookie itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The last request made with it (idle timeout); None for sessions from before.
    pub last_seen_at: Option<OffsetDateTime>,
});

entity!(api_token, "api_token", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub user_id: i64,
    #[sea_orm(unique)]
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked: bool,
});

entity!(topic, "topic", {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub path: String,
    pub sort: i32,
});

entity!(index_seq, "index_seq", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub next_seq: i64,
});

entity!(document, "document", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Id of the first version; shared by every version of the same document.
    pub family_id: i64,
    pub version_no: i32,
    pub version_note: Option<String>,
    #[sea_orm(unique)]
    pub index_no: String,
    pub title: String,
    /// The publishing organisation in gongkai (owner of the record).
    pub org_id: i64,
    /// 发文机关 as printed; for imported documents it may be a body outside the district.
    pub issuer: String,
    /// JSON array of co-issuers' names.
    pub co_issuers: String,
    pub doc_no: Option<String>,
    pub doc_no_code: Option<String>,
    pub doc_no_year: Option<i32>,
    pub doc_no_seq: Option<i64>,
    pub kind: Option<String>,
    pub category: String,
    pub legal_level: Option<String>,
    pub topic: Option<String>,
    pub signed_on: Option<Date>,
    pub published_on: Option<Date>,
    pub effective_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub disclosure_mode: String,
    pub withheld_reason: Option<String>,
    pub keywords: String,
    pub body: String,
    pub status: String,
    pub reviews_passed: i32,
    pub publish_at: Option<OffsetDateTime>,
    pub withdrawn_reason: Option<String>,
    pub declared_expired: bool,
    pub superseded_by: Option<i64>,
    pub repealed_by: Option<i64>,
    #[sea_orm(unique)]
    pub external_id: Option<String>,
    pub source: Option<String>,
    pub history_note: Option<String>,
    pub is_sample: bool,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Who passed the review levels of this round (`"3,7"`).
    pub reviewed_by: String,
    /// A declared form in which its personal data is public by law (punishment,
    /// mandatory): `patrol::PrivacyException`.
    pub privacy_exception: Option<String>,
});

entity!(attachment, "attachment", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub content: Vec<u8>,
    pub extracted_text: String,
    pub sort: i32,
    pub created_at: OffsetDateTime,
    /// Not public: personal data in a file that cannot be masked here (a PDF, an OFD, a
    /// scan); shown in its place until a masked file is uploaded.
    pub withheld_reason: Option<String>,
});

entity!(interpretation, "interpretation", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub form: String,
    pub org_id: i64,
    pub author: Option<String>,
    /// Sanitised HTML.
    pub body: String,
    /// Image, video or H5 address for 图解 / 视频 / H5.
    pub media_url: Option<String>,
    pub status: String,
    pub published_at: Option<OffsetDateTime>,
    pub is_sample: bool,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub reviews_passed: i32,
    /// Who passed the review levels of this round (`"3,7"`).
    pub reviewed_by: String,
});

entity!(interpretation_link, "interpretation_link", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub interpretation_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
});

entity!(repeal_link, "repeal_link", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub repealing_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub repealed_id: i64,
});

entity!(audit_log, "audit_log", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: OffsetDateTime,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
});

entity!(change_log, "change_log", {
    /// The cursor of the changes feed: strictly increasing in commit order.
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub entity: String,
    pub entity_id: i64,
    pub at: OffsetDateTime,
});

entity!(calendar_year, "calendar_year", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// The year's file as loaded (see `gongkai_domain::calendar::parse_year`).
    pub source: String,
    pub loaded_at: OffsetDateTime,
});

entity!(search_term, "search_term", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// A word the search analyser must keep whole (the district office's dictionary).
    pub term: String,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
});
