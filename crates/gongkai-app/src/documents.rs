//! The document library: create, edit, review, publish, revise, repeal, read.

use crate::{Actor, App, AppError, Result, opt};
use gongkai_domain::body::{Block, parse_body};
use gongkai_domain::diff::{self, Segment};
use gongkai_domain::document::written_date;
use gongkai_domain::workflow::{Action, WorkflowState};
use gongkai_domain::{
    Category, CreditCode, DisclosureMode, DocNo, DocumentDates, DocumentKind, FieldError, IndexNo, Status, Validity,
    ValidityFacts, derive_validity,
};
use gongkai_store::queries::{self, DocQuery};
use gongkai_store::sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use gongkai_store::{attachment, document, interpretation, interpretation_link, org, repeal_link};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// What an editor submits (form or JSON). Everything is text until validated.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DocumentInput {
    pub title: String,
    pub org_id: Option<i64>,
    pub issuer: Option<String>,
    pub co_issuers: Vec<String>,
    pub doc_no: Option<String>,
    pub kind: Option<String>,
    pub category: String,
    pub topic: Option<String>,
    pub signed_on: Option<String>,
    pub published_on: Option<String>,
    pub effective_on: Option<String>,
    pub expires_on: Option<String>,
    pub disclosure_mode: Option<String>,
    pub withheld_reason: Option<String>,
    pub keywords: Option<String>,
    pub body: String,
    pub version_note: Option<String>,
}

/// Where a reviewed record (a document, an interpretation) stands in its workflow.
pub(crate) struct Reviewed<'a> {
    pub status: &'a str,
    pub reviews_passed: i32,
    pub created_by: Option<i64>,
    pub reviewed_by: &'a str,
}

/// One workflow action on a reviewed record: who may take it, where it leads, and the
/// four-eyes rule on approval. Returns the next state and the reviewers of the round
/// after it (a new round, from submission or a send-back, starts from nobody).
pub(crate) fn review_step(
    actor: &Actor,
    org: &org::Model,
    action: &Action,
    r: Reviewed<'_>,
) -> Result<(WorkflowState, String)> {
    use gongkai_domain::workflow::{check_reviewer, join_reviewers, parse_reviewers};
    let allowed = if *action == Action::Submit { actor.role.can_edit() } else { actor.role.can_review() };
    if !allowed {
        return Err(AppError::Forbidden(format!("当前角色不能执行“{}”", action.label())));
    }
    let state = WorkflowState {
        status: Status::parse(r.status).unwrap_or(Status::Draft),
        reviews_passed: r.reviews_passed.clamp(0, 3) as u8,
    };
    let next = state.apply(action, org.review_levels as u8).map_err(|e| AppError::Conflict(e.to_string()))?;
    let reviewers = match action {
        Action::Approve => {
            let mut earlier = parse_reviewers(r.reviewed_by);
            if org.four_eyes {
                check_reviewer(r.created_by, &earlier, actor.user_id).map_err(|e| AppError::Rule(e.to_string()))?;
            }
            earlier.extend(actor.user_id);
            join_reviewers(&earlier)
        }
        Action::Submit | Action::Reject { .. } => String::new(),
        _ => r.reviewed_by.to_string(),
    };
    Ok((next, reviewers))
}

impl Valid {
    /// The year in the 索引号: the document's own (published, else signed), not the day it
    /// was typed in — a 2025 plan entered in 2026 is still …/2025-….
    fn index_year(&self, today: Date) -> i32 {
        self.dates.published_on.or(self.dates.signed_on).map(|d| d.year()).unwrap_or(today.year())
    }
}

pub(crate) struct Valid {
    title: String,
    issuer: Option<String>,
    co_issuers: Vec<String>,
    doc_no: Option<DocNo>,
    kind: Option<DocumentKind>,
    category: Category,
    topic: Option<String>,
    dates: DocumentDates,
    mode: DisclosureMode,
    withheld_reason: Option<String>,
    keywords: String,
    body: String,
    version_note: Option<String>,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 2_000_000;

pub fn parse_date(field: &'static str, label: &str, v: &Option<String>, errs: &mut Vec<FieldError>) -> Option<Date> {
    let s = opt(v)?;
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(&s, fmt) {
        Ok(d) if (1949..=2200).contains(&d.year()) => Some(d),
        _ => {
            errs.push(FieldError::new(field, format!("{label}格式应为 YYYY-MM-DD，例如 2025-06-27")));
            None
        }
    }
}

pub(crate) fn validate(input: &DocumentInput, topics: &[String]) -> Result<Valid, Vec<FieldError>> {
    let mut errs = Vec::new();
    use gongkai_domain::text::check;
    check(&mut errs, "title", "标题", &input.title, false);
    for (field, label, v) in [
        ("issuer", "发文机关", &input.issuer),
        ("doc_no", "发文字号", &input.doc_no),
        ("keywords", "关键词", &input.keywords),
        ("withheld_reason", "不予公开理由", &input.withheld_reason),
        ("version_note", "修订说明", &input.version_note),
    ] {
        check(&mut errs, field, label, v.as_deref().unwrap_or(""), false);
    }
    for c in &input.co_issuers {
        check(&mut errs, "co_issuers", "联合发文机关", c, false);
    }
    check(&mut errs, "body", "正文", &input.body, true);
    let title = input.title.trim().to_string();
    if title.is_empty() {
        errs.push(FieldError::new("title", "请填写标题"));
    } else if title.chars().count() > MAX_TITLE {
        errs.push(FieldError::new("title", format!("标题不能超过{MAX_TITLE}字")));
    }
    let doc_no = match opt(&input.doc_no) {
        None => None,
        Some(s) => match DocNo::parse(&s) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(FieldError::new("doc_no", e.to_string()));
                None
            }
        },
    };
    let kind = match opt(&input.kind) {
        None => None,
        Some(k) => match DocumentKind::parse(&k) {
            Some(k) => Some(k),
            None => {
                errs.push(FieldError::new("kind", "文种应为15种法定公文之一（通知、意见、决定……）"));
                None
            }
        },
    };
    let category = Category::parse(&input.category).unwrap_or_else(|| {
        errs.push(FieldError::new("category", "请选择文件类别：规章、行政规范性文件或其他文件"));
        Category::Other
    });
    let topic = opt(&input.topic);
    if let Some(t) = &topic
        && !topics.iter().any(|p| p == t)
    {
        errs.push(FieldError::new("topic", "主题分类不在分类表中"));
    }
    let dates = DocumentDates {
        signed_on: parse_date("signed_on", "成文日期", &input.signed_on, &mut errs),
        published_on: parse_date("published_on", "发布日期", &input.published_on, &mut errs),
        effective_on: parse_date("effective_on", "施行日期", &input.effective_on, &mut errs),
        expires_on: parse_date("expires_on", "有效期截止日期", &input.expires_on, &mut errs),
    };
    errs.extend(dates.validate());
    let mode = match opt(&input.disclosure_mode) {
        None => DisclosureMode::Proactive,
        Some(m) => DisclosureMode::parse(&m).unwrap_or_else(|| {
            errs.push(FieldError::new("disclosure_mode", "公开方式应为主动公开、依申请公开或不予公开"));
            DisclosureMode::Proactive
        }),
    };
    let withheld_reason = opt(&input.withheld_reason);
    if mode == DisclosureMode::Withheld && withheld_reason.is_none() {
        errs.push(FieldError::new("withheld_reason", "不予公开的，应写明理由（依据《条例》第十四条至第十六条）"));
    }
    let body = input.body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        errs.push(FieldError::new("body", "请填写正文"));
    } else if body.chars().count() > MAX_BODY {
        errs.push(FieldError::new("body", "正文过长"));
    }
    let co_issuers: Vec<String> =
        input.co_issuers.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if co_issuers.len() > 20 {
        errs.push(FieldError::new("co_issuers", "联合发文机关不超过20个"));
    }
    let keywords = opt(&input.keywords).unwrap_or_default();
    if keywords.chars().count() > 200 {
        errs.push(FieldError::new("keywords", "主题词不超过200字"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Valid {
        title,
        issuer: opt(&input.issuer),
        co_issuers,
        doc_no,
        kind,
        category,
        topic,
        dates,
        mode,
        withheld_reason: if mode == DisclosureMode::Withheld { withheld_reason } else { None },
        keywords,
        body,
        version_note: opt(&input.version_note),
    })
}

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
    pub kind: Option<String>,
    pub kind_label: Option<String>,
    pub category: String,
    pub category_label: String,
    pub legal_level: Option<String>,
    pub topic: Option<String>,
    pub signed_on: Option<Date>,
    pub signed_on_written: Option<String>,
    pub published_on: Option<Date>,
    pub effective_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub validity: String,
    pub validity_label: String,
    pub disclosure_mode: String,
    pub disclosure_mode_label: String,
    pub withheld_reason: Option<String>,
    pub keywords: String,
    pub status: String,
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
    pub fn from_model(m: &document::Model, today: Date, with_body: bool) -> DocumentView {
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
            kind: kind.map(|k| k.code().to_string()),
            kind_label: kind.map(|k| k.label().to_string()),
            category: category.code().into(),
            category_label: category.label().into(),
            legal_level: m.legal_level.clone(),
            topic: m.topic.clone(),
            signed_on: m.signed_on,
            signed_on_written: m.signed_on.map(written_date),
            published_on: m.published_on,
            effective_on: m.effective_on,
            expires_on: m.expires_on,
            validity: validity.code().into(),
            validity_label: validity.label().into(),
            disclosure_mode: mode.code().into(),
            disclosure_mode_label: mode.label().into(),
            withheld_reason: m.withheld_reason.clone(),
            keywords: m.keywords.clone(),
            status: status.code().into(),
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

pub fn validity_of(m: &document::Model, today: Date) -> Validity {
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
    pub status: String,
}

impl From<&document::Model> for DocRef {
    fn from(m: &document::Model) -> Self {
        DocRef {
            id: m.id,
            title: m.title.clone(),
            doc_no: m.doc_no.clone(),
            version_no: m.version_no,
            published_on: m.published_on,
            status: m.status.clone(),
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
    pub status: String,
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

/// Parses a publication time; the result is in UTC, as every stored instant is (SQLite
/// compares them as text).
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let parsed = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok().or_else(|| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        let fmt2 = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
        time::PrimitiveDateTime::parse(s, fmt)
            .or_else(|_| time::PrimitiveDateTime::parse(s, fmt2))
            .ok()
            .map(|p| p.assume_offset(gongkai_domain::CST))
    });
    parsed.map(|t| t.to_offset(time::UtcOffset::UTC))
}

impl App {
    async fn load_doc<C: ConnectionTrait>(&self, conn: &C, id: i64) -> Result<document::Model> {
        document::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("文件（编号 {id}）不存在")))
    }

    /// May `viewer` read this record? The public reads only what is published.
    fn may_read(viewer: Option<&Actor>, m: &document::Model) -> bool {
        m.status == Status::Published.code() || viewer.is_some_and(|a| a.may_see_org(m.org_id))
    }

    fn check_edit(actor: &Actor, m: &document::Model) -> Result<()> {
        if !actor.may_see_org(m.org_id) {
            return Err(AppError::Forbidden("不能修改其他机构的文件".into()));
        }
        if !actor.role.can_edit() {
            return Err(AppError::Forbidden("当前角色不能编辑文件".into()));
        }
        Ok(())
    }

    pub(crate) async fn assign_index_no<C: ConnectionTrait>(
        &self,
        conn: &C,
        org: &org::Model,
        year: i32,
    ) -> Result<String> {
        let seq = queries::next_index_seq(conn, org.id, year).await?;
        let credit = CreditCode::parse(&org.credit_code).map_err(|e| AppError::Internal(e.to_string()))?;
        let idx = IndexNo::new(credit, year as u16, seq as u32).map_err(|e| AppError::Rule(e.to_string()))?;
        Ok(idx.to_string())
    }

    fn apply_valid(am: &mut document::ActiveModel, v: Valid, org: &org::Model) {
        am.title = Set(v.title);
        am.issuer = Set(v.issuer.unwrap_or_else(|| org.name.clone()));
        am.co_issuers = Set(serde_json::to_string(&v.co_issuers).unwrap_or_else(|_| "[]".into()));
        am.doc_no_code = Set(v.doc_no.as_ref().map(|d| d.issuer_code().to_string()));
        am.doc_no_year = Set(v.doc_no.as_ref().and_then(|d| d.year()).map(i32::from));
        am.doc_no_seq = Set(v.doc_no.as_ref().map(|d| d.seq() as i64));
        am.doc_no = Set(v.doc_no.map(|d| d.to_string()));
        am.kind = Set(v.kind.map(|k| k.code().into()));
        am.category = Set(v.category.code().into());
        am.topic = Set(v.topic);
        am.signed_on = Set(v.dates.signed_on);
        am.published_on = Set(v.dates.published_on);
        am.effective_on = Set(v.dates.effective_on);
        am.expires_on = Set(v.dates.expires_on);
        am.disclosure_mode = Set(v.mode.code().into());
        am.withheld_reason = Set(v.withheld_reason);
        am.keywords = Set(v.keywords);
        am.body = Set(v.body);
        am.version_note = Set(v.version_note);
    }

    /// Creates a draft in the actor's organisation (or the one named, for the district office).
    pub async fn create_document(&self, actor: &Actor, input: DocumentInput) -> Result<DocumentView> {
        if !actor.role.can_edit() {
            return Err(AppError::Forbidden("当前角色不能起草文件".into()));
        }
        let org_id = input.org_id.unwrap_or(actor.org_id);
        if !actor.may_see_org(org_id) {
            return Err(AppError::Forbidden("不能为其他机构起草文件".into()));
        }
        let topics = self.topics().await?;
        let v = validate(&input, &topics).map_err(AppError::Validation)?;
        let org = self.org(org_id).await?;
        let tx = self.store.begin_write().await?;
        let now = self.now();
        let index_no = self.assign_index_no(&*tx, &org, v.index_year(self.today())).await?;
        let mut am = document::ActiveModel {
            family_id: Set(0),
            version_no: Set(1),
            index_no: Set(index_no),
            org_id: Set(org.id),
            status: Set(Status::Draft.code().into()),
            reviews_passed: Set(0),
            declared_expired: Set(false),
            is_sample: Set(org.is_sample),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        Self::apply_valid(&mut am, v, &org);
        let m = am.insert(&*tx).await?;
        // A new document starts its own family.
        let mut am: document::ActiveModel = m.into();
        am.family_id = Set(*am.id.as_ref());
        let m = am.update(&*tx).await?;
        self.audit(&*tx, actor, "document.create", "document", Some(m.id), None, Some(audit_value(&m))).await?;
        tx.commit().await?;
        Ok(DocumentView::from_model(&m, self.today(), true))
    }

    /// Edits a draft.
    pub async fn update_document(&self, actor: &Actor, id: i64, input: DocumentInput) -> Result<DocumentView> {
        let topics = self.topics().await?;
        let v = validate(&input, &topics).map_err(AppError::Validation)?;
        let tx = self.store.begin_write().await?;
        let before = self.load_doc(&*tx, id).await?;
        Self::check_edit(actor, &before)?;
        if before.status != Status::Draft.code() {
            return Err(AppError::Conflict("只有草稿可以修改；已发布的文件请“修订”生成新版本".into()));
        }
        let org = self.org(before.org_id).await?;
        let mut am: document::ActiveModel = before.clone().into();
        Self::apply_valid(&mut am, v, &org);
        am.updated_at = Set(self.now());
        let after = am.update(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "document.update",
            "document",
            Some(id),
            Some(audit_value(&before)),
            Some(audit_value(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(DocumentView::from_model(&after, self.today(), true))
    }

    /// Starts a new version of a published document, as a draft in the same family.
    pub async fn revise_document(&self, actor: &Actor, id: i64, input: DocumentInput) -> Result<DocumentView> {
        let topics = self.topics().await?;
        let v = validate(&input, &topics).map_err(AppError::Validation)?;
        let tx = self.store.begin_write().await?;
        let base = self.load_doc(&*tx, id).await?;
        Self::check_edit(actor, &base)?;
        if base.status != Status::Published.code() || base.superseded_by.is_some() {
            return Err(AppError::Conflict("只能修订当前有效的已发布版本".into()));
        }
        let family = queries::family(&*tx, base.family_id).await?;
        if family.iter().any(|d| d.status != Status::Published.code() && d.status != Status::Withdrawn.code()) {
            return Err(AppError::Conflict("该文件已有一个正在办理的新版本".into()));
        }
        let version_no = family.iter().map(|d| d.version_no).max().unwrap_or(1) + 1;
        let org = self.org(base.org_id).await?;
        let now = self.now();
        let index_no = self.assign_index_no(&*tx, &org, v.index_year(self.today())).await?;
        let mut am = document::ActiveModel {
            family_id: Set(base.family_id),
            version_no: Set(version_no),
            index_no: Set(index_no),
            org_id: Set(base.org_id),
            status: Set(Status::Draft.code().into()),
            reviews_passed: Set(0),
            declared_expired: Set(false),
            legal_level: Set(base.legal_level.clone()),
            is_sample: Set(base.is_sample),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        Self::apply_valid(&mut am, v, &org);
        let m = am.insert(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "document.revise",
            "document",
            Some(m.id),
            Some(serde_json::json!({"base": base.id})),
            Some(audit_value(&m)),
        )
        .await?;
        tx.commit().await?;
        Ok(DocumentView::from_model(&m, self.today(), true))
    }

    /// Records that this (draft) document repeals the given documents; the repeal takes
    /// effect when this document is published.
    pub async fn set_repeals(&self, actor: &Actor, id: i64, targets: &[i64]) -> Result<()> {
        let tx = self.store.begin_write().await?;
        let m = self.load_doc(&*tx, id).await?;
        Self::check_edit(actor, &m)?;
        if m.status != Status::Draft.code() {
            return Err(AppError::Conflict("只能在草稿中设置废止的文件".into()));
        }
        for t in targets {
            let target = document::Entity::find_by_id(*t)
                .one(&*tx)
                .await?
                .ok_or_else(|| AppError::field("repeals", format!("要废止的文件 {t} 不存在")))?;
            if target.family_id == m.family_id {
                return Err(AppError::field("repeals", "文件不能废止自身"));
            }
            if target.status != Status::Published.code() {
                return Err(AppError::field("repeals", format!("文件“{}”尚未发布，不能废止", target.title)));
            }
        }
        repeal_link::Entity::delete_many().filter(repeal_link::Column::RepealingId.eq(id)).exec(&*tx).await?;
        for t in targets {
            repeal_link::ActiveModel { repealing_id: Set(id), repealed_id: Set(*t) }.insert(&*tx).await?;
        }
        self.audit(
            &*tx,
            actor,
            "document.set_repeals",
            "document",
            Some(id),
            None,
            Some(serde_json::json!({ "repeals": targets })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs one workflow action.
    pub async fn document_action(&self, actor: &Actor, id: i64, input: ActionInput) -> Result<DocumentView> {
        let now = self.now();
        let action = match input.action.trim() {
            "submit" => Action::Submit,
            "approve" => Action::Approve,
            "reject" => Action::Reject { reason: input.reason.clone().unwrap_or_default() },
            "publish" => {
                let at = match opt(&input.publish_at) {
                    None => None,
                    Some(s) => Some(
                        parse_datetime(&s)
                            .ok_or_else(|| AppError::field("publish_at", "定时发布时间格式应为 YYYY-MM-DDTHH:MM"))?,
                    ),
                };
                return self.publish(actor, id, at).await;
            }
            "withdraw" => Action::Withdraw { reason: input.reason.clone().unwrap_or_default() },
            other => {
                return Err(AppError::field(
                    "action",
                    format!("未知操作“{other}”，应为 submit、approve、reject、publish 或 withdraw"),
                ));
            }
        };
        let tx = self.store.begin_write().await?;
        let before = self.load_doc(&*tx, id).await?;
        if !actor.may_see_org(before.org_id) {
            return Err(AppError::Forbidden("不能办理其他机构的文件".into()));
        }
        let org = self.org(before.org_id).await?;
        let reviewed = Reviewed {
            status: &before.status,
            reviews_passed: before.reviews_passed,
            created_by: before.created_by,
            reviewed_by: &before.reviewed_by,
        };
        let (next, reviewers) = review_step(actor, &org, &action, reviewed)?;
        // 谁起草谁解读: the interpretation is part of what goes for sign-off (审签).
        if action == Action::Submit {
            self.check_interpretation_rule(&*tx, &before, &org).await?;
        }
        let mut am: document::ActiveModel = before.clone().into();
        am.reviewed_by = Set(reviewers);
        am.status = Set(next.status.code().into());
        am.reviews_passed = Set(next.reviews_passed as i32);
        am.updated_at = Set(now);
        if let Action::Withdraw { reason } = &action {
            am.withdrawn_reason = Set(Some(reason.trim().to_string()));
        }
        if let Action::Reject { .. } = &action {
            am.publish_at = Set(None);
        }
        let after = am.update(&*tx).await?;
        if matches!(action, Action::Withdraw { .. }) && before.status == Status::Published.code() {
            self.on_withdraw(&*tx, &after).await?;
        }
        let reason = input.reason.clone();
        self.audit(
            &*tx,
            actor,
            &format!("document.{}", input.action.trim()),
            "document",
            Some(id),
            Some(serde_json::json!({"status": before.status, "reviews_passed": before.reviews_passed})),
            Some(serde_json::json!({"status": after.status, "reviews_passed": after.reviews_passed, "reason": reason})),
        )
        .await?;
        tx.commit().await?;
        Ok(DocumentView::from_model(&after, self.today(), false))
    }

    async fn publish(&self, actor: &Actor, id: i64, at: Option<OffsetDateTime>) -> Result<DocumentView> {
        let now = self.now();
        let future = at.is_some_and(|t| t > now);
        let tx = self.store.begin_write().await?;
        let before = self.load_doc(&*tx, id).await?;
        if !actor.may_see_org(before.org_id) {
            return Err(AppError::Forbidden("不能发布其他机构的文件".into()));
        }
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("当前角色不能发布文件".into()));
        }
        let org = self.org(before.org_id).await?;
        let state = WorkflowState {
            status: Status::parse(&before.status).unwrap_or(Status::Draft),
            reviews_passed: before.reviews_passed as u8,
        };
        let next = state
            .apply(&Action::Publish { at_future: future }, org.review_levels as u8)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        self.check_interpretation_rule(&*tx, &before, &org).await?;
        let mut am: document::ActiveModel = before.clone().into();
        am.status = Set(next.status.code().into());
        am.publish_at = Set(if future { at } else { None });
        am.updated_at = Set(now);
        let mut after = am.update(&*tx).await?;
        if next.status == Status::Published {
            after = self.on_publish(&*tx, after).await?;
        }
        self.audit(
            &*tx,
            actor,
            if future { "document.schedule" } else { "document.publish" },
            "document",
            Some(id),
            Some(serde_json::json!({"status": before.status})),
            Some(serde_json::json!({"status": after.status, "publish_at": after.publish_at, "published_on": after.published_on})),
        )
        .await?;
        tx.commit().await?;
        Ok(DocumentView::from_model(&after, self.today(), false))
    }

    /// 谁起草谁解读: a normative document needs an interpretation published with it.
    async fn check_interpretation_rule<C: ConnectionTrait>(
        &self,
        conn: &C,
        m: &document::Model,
        org: &org::Model,
    ) -> Result<()> {
        if m.category != Category::Normative.code() || !org.require_interpretation {
            return Ok(());
        }
        let links = interpretation_link::Entity::find()
            .filter(interpretation_link::Column::DocumentId.eq(m.id))
            .all(conn)
            .await?;
        let ids: Vec<i64> = links.iter().map(|l| l.interpretation_id).collect();
        let usable = interpretation::Entity::find()
            .filter(interpretation::Column::Id.is_in(ids))
            .filter(interpretation::Column::Status.ne(Status::Withdrawn.code()))
            .all(conn)
            .await?;
        if usable.is_empty() {
            return Err(AppError::Rule(
                "按照“谁起草谁解读”的要求，行政规范性文件的政策解读须与文件同步报审、同步发布：请先为本文件添加解读"
                    .into(),
            ));
        }
        Ok(())
    }

    /// What publication sets in motion: the date, older versions, repeals, interpretations.
    pub(crate) async fn on_publish<C: ConnectionTrait>(&self, conn: &C, m: document::Model) -> Result<document::Model> {
        let now = self.now();
        let mut m = m;
        if m.published_on.is_none() {
            let mut am: document::ActiveModel = m.into();
            am.published_on = Set(Some(self.today()));
            m = am.update(conn).await?;
        }
        queries::record_change(conn, "document", m.id, now).await?;
        for older in queries::family(conn, m.family_id).await? {
            if older.id != m.id
                && older.version_no < m.version_no
                && older.status == Status::Published.code()
                && older.superseded_by.is_none()
            {
                let id = older.id;
                let mut am: document::ActiveModel = older.into();
                am.superseded_by = Set(Some(m.id));
                am.updated_at = Set(now);
                am.update(conn).await?;
                queries::record_change(conn, "document", id, now).await?;
            }
        }
        let targets = repeal_link::Entity::find().filter(repeal_link::Column::RepealingId.eq(m.id)).all(conn).await?;
        for t in targets {
            let target = self.load_doc(conn, t.repealed_id).await?;
            for v in queries::family(conn, target.family_id).await? {
                if v.repealed_by.is_none() && v.status == Status::Published.code() {
                    let id = v.id;
                    let mut am: document::ActiveModel = v.into();
                    am.repealed_by = Set(Some(m.id));
                    am.updated_at = Set(now);
                    am.update(conn).await?;
                    queries::record_change(conn, "document", id, now).await?;
                }
            }
        }
        let links = interpretation_link::Entity::find()
            .filter(interpretation_link::Column::DocumentId.eq(m.id))
            .all(conn)
            .await?;
        for l in links {
            if let Some(i) = interpretation::Entity::find_by_id(l.interpretation_id).one(conn).await?
                && i.status != Status::Published.code()
                && i.status != Status::Withdrawn.code()
            {
                let iid = i.id;
                let mut am: interpretation::ActiveModel = i.into();
                am.status = Set(Status::Published.code().into());
                am.published_at = Set(Some(now));
                am.updated_at = Set(now);
                am.update(conn).await?;
                queries::record_change(conn, "interpretation", iid, now).await?;
            }
        }
        Ok(m)
    }

    async fn on_withdraw<C: ConnectionTrait>(&self, conn: &C, m: &document::Model) -> Result<()> {
        let now = self.now();
        queries::record_change(conn, "document", m.id, now).await?;
        let affected = document::Entity::find()
            .filter(
                gongkai_store::sea_orm::Condition::any()
                    .add(document::Column::SupersededBy.eq(m.id))
                    .add(document::Column::RepealedBy.eq(m.id)),
            )
            .all(conn)
            .await?;
        for d in affected {
            let id = d.id;
            let mut am: document::ActiveModel = d.clone().into();
            if d.superseded_by == Some(m.id) {
                am.superseded_by = Set(None);
            }
            if d.repealed_by == Some(m.id) {
                am.repealed_by = Set(None);
            }
            am.updated_at = Set(now);
            am.update(conn).await?;
            queries::record_change(conn, "document", id, now).await?;
        }
        Ok(())
    }

    /// Publishes scheduled documents whose time has come. Run by the background worker.
    pub async fn release_scheduled(&self) -> Result<usize> {
        let due = queries::due_scheduled(self.store.conn(), self.now()).await?;
        let mut n = 0;
        for d in due {
            let tx = self.store.begin_write().await?;
            let fresh = self.load_doc(&*tx, d.id).await?;
            if fresh.status != Status::Scheduled.code() {
                continue;
            }
            let mut am: document::ActiveModel = fresh.into();
            am.status = Set(Status::Published.code().into());
            am.updated_at = Set(self.now());
            let m = am.update(&*tx).await?;
            self.on_publish(&*tx, m).await?;
            let system = crate::Actor {
                user_id: None,
                username: "scheduler".into(),
                display_name: "定时发布".into(),
                role: gongkai_domain::Role::Admin,
                org_id: d.org_id,
            };
            self.audit(&*tx, &system, "document.release", "document", Some(d.id), None, None).await?;
            tx.commit().await?;
            n += 1;
        }
        Ok(n)
    }

    /// Lists documents. The public sees only what is published; staff see their
    /// organisation's records in every state, the district office everything.
    pub async fn list_documents(&self, viewer: Option<&Actor>, p: &ListParams) -> Result<DocumentPage> {
        let today = self.today();
        let per_page = p.per_page.unwrap_or(20).clamp(1, 100);
        let page = p.page.unwrap_or(1).clamp(1, 100_000);
        let q = self.doc_query(viewer, p)?;
        let q = DocQuery { offset: (page - 1) * per_page, limit: per_page, ..q };
        let (rows, total) = queries::document_list(self.store.conn(), &q, today).await?;
        Ok(DocumentPage {
            items: rows.iter().map(|m| DocumentView::from_model(m, today, false)).collect(),
            total,
            page,
            per_page,
            pages: total.div_ceil(per_page).max(1),
        })
    }

    pub(crate) fn doc_query(&self, viewer: Option<&Actor>, p: &ListParams) -> Result<DocQuery> {
        let mut errs = Vec::new();
        let mut q = DocQuery { latest_only: viewer.is_none(), ..Default::default() };
        match viewer {
            None => q.statuses = Some(vec![Status::Published.code().into()]),
            Some(a) => {
                if !a.role.is_district_wide() {
                    q.org_ids = Some(vec![a.org_id]);
                }
                if let Some(s) = opt(&p.status) {
                    match Status::parse(&s) {
                        Some(st) => q.statuses = Some(vec![st.code().into()]),
                        None => errs.push(FieldError::new("status", "状态无效")),
                    }
                }
            }
        }
        if let Some(o) = p.org {
            match &q.org_ids {
                Some(ids) if !ids.contains(&o) => {
                    return Err(AppError::Forbidden("不能查看其他机构的文件".into()));
                }
                _ => q.org_ids = Some(vec![o]),
            }
        }
        q.issuer = opt(&p.issuer);
        q.topic = opt(&p.topic);
        if let Some(c) = opt(&p.category) {
            match Category::parse(&c) {
                Some(c) => q.category = Some(c.code().into()),
                None => errs.push(FieldError::new("category", "文件类别无效")),
            }
        }
        if let Some(k) = opt(&p.kind) {
            match DocumentKind::parse(&k) {
                Some(k) => q.kind = Some(k.code().into()),
                None => errs.push(FieldError::new("kind", "文种无效")),
            }
        }
        if let Some(y) = opt(&p.year) {
            match y.parse::<i32>() {
                Ok(y) if (1949..=2200).contains(&y) => q.year = Some(y),
                _ => errs.push(FieldError::new("year", "年份应为四位数字")),
            }
        }
        if let Some(v) = opt(&p.validity) {
            match Validity::parse(&v) {
                Some(v) => q.validity = Some(v),
                None => errs.push(FieldError::new("validity", "有效性应为 in_force、amended、repealed 或 expired")),
            }
        }
        if let Some(t) = opt(&p.q) {
            if t.chars().count() > 100 {
                errs.push(FieldError::new("q", "检索词不超过100字"));
            }
            q.title_contains = Some(t);
        }
        match opt(&p.imported).as_deref() {
            None => {}
            Some("hide") => q.imported = Some(false),
            Some("only") => q.imported = Some(true),
            Some(_) => errs.push(FieldError::new("imported", "imported 应为 hide 或 only")),
        }
        if let Some(n) = opt(&p.doc_no) {
            match DocNo::parse_lenient(&n) {
                Some(d) => q.doc_no = Some((d.issuer_code().to_string(), d.year().map(i32::from), d.seq() as i64)),
                None => errs.push(FieldError::new("doc_no", "无法识别的发文字号")),
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        Ok(q)
    }

    /// The 发文机关 menu as a reader of a district portal expects it: the district's own
    /// bodies first, in the order of the organisation list, then the other issuers
    /// (imported laws and regulations) by how many documents they have.
    async fn issuers_in_menu_order(&self, issuers: Vec<String>) -> Result<Vec<String>> {
        use gongkai_store::sea_orm::{QueryOrder, QuerySelect};
        let orgs = org::Entity::find()
            .order_by_asc(org::Column::Sort)
            .order_by_asc(org::Column::Id)
            .all(self.store.conn())
            .await?;
        let counts: std::collections::HashMap<String, i64> = document::Entity::find()
            .select_only()
            .column(document::Column::Issuer)
            .column_as(document::Column::Id.count(), "n")
            .filter(document::Column::Status.eq(Status::Published.code()))
            .group_by(document::Column::Issuer)
            .into_tuple::<(String, i64)>()
            .all(self.store.conn())
            .await?
            .into_iter()
            .collect();
        let rank = |name: &str| orgs.iter().position(|o| o.name == name);
        let mut ordered = issuers;
        ordered.sort_by(|a, b| match (rank(a), rank(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => counts.get(b).cmp(&counts.get(a)).then_with(|| a.cmp(b)),
        });
        Ok(ordered)
    }

    /// Values for the filter menus of public lists: issuers, topics, years.
    pub async fn document_facets(&self) -> Result<Facets> {
        let conn = self.store.conn();
        let position = queries::feed_position(conn).await?;
        let mut cache = self.facet_cache.lock().await;
        if let Some((at, f)) = cache.as_ref()
            && *at == position
        {
            return Ok(f.clone());
        }
        let q =
            DocQuery { statuses: Some(vec![Status::Published.code().into()]), latest_only: true, ..Default::default() };
        let today = self.today();
        let issuers = queries::document_distinct(conn, &q, today, document::Column::Issuer).await?;
        let issuers = self.issuers_in_menu_order(issuers).await?;
        let topics = queries::document_distinct(conn, &q, today, document::Column::Topic).await?;
        let years = queries::document_years(conn, &q, today).await?;
        let f = (issuers, topics, years);
        *cache = Some((position, f.clone()));
        Ok(f)
    }

    /// One document with everything its page shows.
    pub async fn document_detail(
        &self,
        viewer: Option<&Actor>,
        id: i64,
        as_of: Option<Date>,
    ) -> Result<DocumentDetail> {
        let conn = self.store.conn();
        let today = self.today();
        let m = self.load_doc(conn, id).await?;
        if !Self::may_read(viewer, &m) {
            // Staff learn that the record exists but is not theirs; the public learns nothing.
            return Err(match viewer {
                Some(_) => AppError::Forbidden("不能查看其他机构未公开的文件".into()),
                None => AppError::NotFound(format!("文件（编号 {id}）不存在或尚未公开")),
            });
        }
        let family = queries::family(conn, m.family_id).await?;
        let visible: Vec<&document::Model> = family.iter().filter(|d| Self::may_read(viewer, d)).collect();
        let as_of_info = as_of.map(|d| as_of_version(&visible, d));
        // With ?as_of, show the version in force then.
        let shown = match as_of_info.as_ref().and_then(|a| a.version_id) {
            Some(vid) => family.iter().find(|d| d.id == vid).cloned().unwrap_or(m),
            None => m,
        };
        let ids: Vec<i64> = family.iter().map(|d| d.id).collect();
        let version_of: std::collections::HashMap<i64, i32> = family.iter().map(|d| (d.id, d.version_no)).collect();
        let mut interpretations = Vec::new();
        for (doc_id, i) in queries::interpretations_of(conn, &ids).await? {
            let public = i.status == Status::Published.code();
            if !public && !viewer.is_some_and(|a| a.may_see_org(i.org_id)) {
                continue;
            }
            let for_version_no = version_of.get(&doc_id).copied().unwrap_or(1);
            if for_version_no > shown.version_no || interpretations.iter().any(|x: &LinkedInterpretation| x.id == i.id)
            {
                continue;
            }
            let form = gongkai_domain::interpretation::Form::parse(&i.form);
            interpretations.push(LinkedInterpretation {
                id: i.id,
                title: i.title.clone(),
                form: i.form.clone(),
                form_label: form.map(|f| f.label().to_string()).unwrap_or_default(),
                published_at: i.published_at,
                status: i.status.clone(),
                status_label: Status::parse(&i.status).map(|s| s.label()).unwrap_or("").to_string(),
                for_version_no,
                earlier_version: for_version_no < shown.version_no,
            });
        }
        interpretations.sort_by_key(|i| (i.earlier_version, std::cmp::Reverse(i.id)));
        let attachments = attachment::Entity::find()
            .filter(attachment::Column::DocumentId.eq(shown.id))
            .all(conn)
            .await?
            .into_iter()
            .map(|a| AttachmentMeta {
                id: a.id,
                has_text: !a.extracted_text.is_empty(),
                file_name: a.file_name,
                content_type: a.content_type,
                size: a.size,
            })
            .collect();
        let (repeals, repealed_by) = queries::repeal_links(conn, shown.id).await?;
        let family_repealers = match shown.repealed_by {
            Some(r) if !repealed_by.iter().any(|d| d.id == r) => {
                document::Entity::find_by_id(r).one(conn).await?.into_iter().collect()
            }
            _ => vec![],
        };
        let org = self.org(shown.org_id).await?;
        let state = WorkflowState {
            status: Status::parse(&shown.status).unwrap_or(Status::Draft),
            reviews_passed: shown.reviews_passed as u8,
        };
        Ok(DocumentDetail {
            blocks: parse_body(&shown.body),
            next_review: state.next_review_name(org.review_levels as u8).map(str::to_string),
            needs_interpretation: shown.category == Category::Normative.code() && org.require_interpretation,
            document: DocumentView::from_model(&shown, today, true),
            versions: visible.iter().map(|d| DocRef::from(*d)).collect(),
            interpretations,
            attachments,
            repeals: repeals.iter().filter(|d| Self::may_read(viewer, d)).map(DocRef::from).collect(),
            repealed_by_docs: repealed_by
                .iter()
                .chain(family_repealers.iter())
                .filter(|d| d.status == Status::Published.code())
                .map(DocRef::from)
                .collect(),
            as_of: as_of_info,
            org_name: org.name,
        })
    }

    /// Differences between two versions of the same document.
    pub async fn document_diff(&self, viewer: Option<&Actor>, id: i64, from: i64, to: i64) -> Result<DiffView> {
        let conn = self.store.conn();
        let base = self.load_doc(conn, id).await?;
        if !Self::may_read(viewer, &base) {
            return Err(AppError::NotFound(format!("文件（编号 {id}）不存在或尚未公开")));
        }
        let family = queries::family(conn, base.family_id).await?;
        let find = |vid: i64, field: &'static str| {
            family
                .iter()
                .find(|d| d.id == vid && Self::may_read(viewer, d))
                .ok_or_else(|| AppError::field(field, format!("版本 {vid} 不属于该文件或尚未公开")))
        };
        let a = find(from, "from")?;
        let b = find(to, "to")?;
        let body = diff::diff(&a.body, &b.body);
        let (ins, del) = diff::stats(&body);
        let today = self.today();
        let (va, vb) = (DocumentView::from_model(a, today, false), DocumentView::from_model(b, today, false));
        let mut metadata = Vec::new();
        let pairs: [(&str, String, String); 7] = [
            ("发文字号", va.doc_no.clone().unwrap_or_default(), vb.doc_no.clone().unwrap_or_default()),
            ("成文日期", fmt_date(va.signed_on), fmt_date(vb.signed_on)),
            ("发布日期", fmt_date(va.published_on), fmt_date(vb.published_on)),
            ("施行日期", fmt_date(va.effective_on), fmt_date(vb.effective_on)),
            ("有效期至", fmt_date(va.expires_on), fmt_date(vb.expires_on)),
            ("主题分类", va.topic.clone().unwrap_or_default(), vb.topic.clone().unwrap_or_default()),
            ("文件类别", va.category_label.clone(), vb.category_label.clone()),
        ];
        for (label, x, y) in pairs {
            if x != y {
                metadata.push((label.to_string(), x, y));
            }
        }
        Ok(DiffView {
            from: DocRef::from(a),
            to: DocRef::from(b),
            title: diff::diff(&a.title, &b.title),
            body,
            inserted_chars: ins,
            deleted_chars: del,
            metadata,
        })
    }

    /// Published documents in force that expire within `days` (for the district office).
    pub async fn expiring_documents(&self, actor: &Actor, days: i64) -> Result<Vec<DocumentView>> {
        let today = self.today();
        let orgs = (!actor.role.is_district_wide()).then(|| vec![actor.org_id]);
        let rows =
            queries::expiring_between(self.store.conn(), today, today + time::Duration::days(days), orgs).await?;
        Ok(rows.iter().map(|m| DocumentView::from_model(m, today, false)).collect())
    }

    /// The raw record, for forms (permission-checked).
    pub async fn document_for_edit(&self, actor: &Actor, id: i64) -> Result<document::Model> {
        let m = self.load_doc(self.store.conn(), id).await?;
        if !actor.may_see_org(m.org_id) {
            return Err(AppError::Forbidden("不能查看其他机构的文件".into()));
        }
        Ok(m)
    }
}

fn fmt_date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The version of a family in force on `date`.
fn as_of_version(versions: &[&document::Model], date: Date) -> AsOf {
    let published: Vec<&&document::Model> = versions.iter().filter(|d| d.status == Status::Published.code()).collect();
    let start = |d: &document::Model| d.effective_on.or(d.published_on).or(d.signed_on);
    let current =
        published.iter().filter(|d| start(d).is_some_and(|s| s <= date)).max_by_key(|d| (start(d), d.version_no));
    match current {
        None => AsOf { date, version_id: None, note: format!("{} 时本文件尚未施行", written_date(date)) },
        Some(d) => {
            let note = if d.expires_on.is_some_and(|e| e < date) {
                format!("{} 时本文件已失效", written_date(date))
            } else {
                format!("{} 时施行的是第{}版", written_date(date), d.version_no)
            };
            AsOf { date, version_id: Some(d.id), note }
        }
    }
}

/// What the audit log keeps of a document: metadata and a digest of the body.
pub(crate) fn audit_value(m: &document::Model) -> serde_json::Value {
    let mut v = serde_json::to_value(m).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        let body = o.remove("body").and_then(|b| b.as_str().map(str::to_string)).unwrap_or_default();
        o.insert("body_chars".into(), body.chars().count().into());
        o.insert("body_sha256".into(), crate::sha256_hex(&body).into());
    }
    v
}

/// Publishes what was scheduled, once per cluster, every 20 seconds.
pub struct ReleaseScheduled;

impl crate::jobs::Job for ReleaseScheduled {
    fn kind(&self) -> &'static str {
        "release_scheduled"
    }
    fn label(&self) -> &'static str {
        "定时发布"
    }
    fn every(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(20))
    }
    fn run<'a>(&'a self, ctx: &'a crate::jobs::JobCtx) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let n = ctx.app.release_scheduled().await?;
            if n > 0 {
                tracing::info!(documents = n, "scheduled documents published");
            }
            Ok(None)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_reports_every_field() {
        let input = DocumentInput {
            title: " ".into(),
            doc_no: Some("莱政办发[2025]05号".into()),
            category: "x".into(),
            signed_on: Some("2025-06-27".into()),
            published_on: Some("2025-06-01".into()),
            disclosure_mode: Some("不予公开".into()),
            body: "正文".into(),
            ..Default::default()
        };
        let errs = match validate(&input, &[]) {
            Err(e) => e,
            Ok(_) => panic!("should fail"),
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "doc_no", "category", "published_on", "withheld_reason"]);
        assert!(errs[1].message.contains("莱政办发〔2025〕5号"));
    }
}
