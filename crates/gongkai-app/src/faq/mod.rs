//! The 12345 hotline's knowledge base (热线问答库, `faq`): question–answer entries written
//! by the hotline or imported from its export, each linked to the documents and articles
//! it relies on. Published after review by someone other than its writer; when a document
//! it relies on is revised, repealed or withdrawn the entry goes stale and leaves search
//! and Q&A until it is reviewed again. Published entries are a search source and a Q&A
//! source, cited as 12345热线问答.

mod import;

pub use import::{FaqImportReport, RowError};

use crate::search::{BoxFuture, SearchSource};
use crate::{Actor, App, AppError, Result};
use gongkai_domain::faq::{self as rules, FaqInput, FaqStatus};
use gongkai_domain::{FieldError, Status};
use gongkai_search::SearchDoc;
use gongkai_store::faq as store;
use gongkai_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use gongkai_store::{document, queries};
use serde::{Deserialize, Serialize};

/// The entity name of entries in the changes feed and the index.
pub const FAQ: &str = "faq";

/// A document an entry relies on, resolved in the library.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FaqBasis {
    pub document_id: i64,
    pub title: String,
    /// 第X条, or empty for the document as a whole.
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FaqView {
    pub id: i64,
    pub org_id: i64,
    pub status: FaqStatus,
    /// `hotline` or `import`.
    pub origin: String,
    pub external_ref: Option<String>,
    pub question: String,
    pub answer: String,
    pub basis: Vec<FaqBasis>,
    pub answered_on: Option<time::Date>,
    pub published_at: Option<time::OffsetDateTime>,
    pub stale_reason: Option<String>,
    pub created_by: Option<i64>,
    pub reviewed_by: Option<i64>,
}

/// What a writer submits (console form, API, one imported row).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FaqForm {
    pub question: String,
    pub answer: String,
    /// 《文件名》第X条, several separated by 、 or ；
    pub basis: String,
    /// YYYY-MM-DD, the hotline's answer date.
    pub answered_on: Option<String>,
    pub external_ref: Option<String>,
}

fn status_of(code: &str) -> Result<FaqStatus> {
    FaqStatus::parse(code).ok_or_else(|| AppError::Internal(format!("unknown faq status {code}")))
}

impl App {
    async fn faq_view<C: ConnectionTrait>(&self, conn: &C, m: store::row::Model) -> Result<FaqView> {
        let bases = store::bases(conn, &[m.id]).await?;
        let mut basis = Vec::new();
        for b in bases {
            let title =
                document::Entity::find_by_id(b.document_id).one(conn).await?.map(|d| d.title).unwrap_or_default();
            basis.push(FaqBasis {
                document_id: b.document_id,
                title,
                label: b.label,
                url: format!("/documents/{}", b.document_id),
            });
        }
        Ok(FaqView {
            id: m.id,
            org_id: m.org_id,
            status: status_of(&m.status)?,
            origin: m.origin,
            external_ref: m.external_ref,
            question: m.question,
            answer: m.answer,
            basis,
            answered_on: m.answered_on,
            published_at: m.published_at,
            stale_reason: m.stale_reason,
            created_by: m.created_by,
            reviewed_by: m.reviewed_by,
        })
    }

    /// The documents named in a basis: the current published version of each title (as
    /// written, or as people say it), with the article checked against its text.
    pub(crate) async fn resolve_basis<C: ConnectionTrait>(
        &self,
        conn: &C,
        cited: &[rules::Cited],
    ) -> Result<Vec<(i64, String)>> {
        let mut out = Vec::new();
        let mut errs = Vec::new();
        for c in cited {
            let candidates = document::Entity::find()
                .filter(document::Column::Status.eq(Status::Published.code()))
                .filter(document::Column::SupersededBy.is_null())
                .filter(
                    document::Column::Title
                        .contains(gongkai_search::question::title_key(&c.title).chars().take(6).collect::<String>()),
                )
                .all(conn)
                .await?;
            let key = gongkai_search::question::title_key(&c.title);
            let found = candidates
                .iter()
                .find(|d| d.title == c.title)
                .or_else(|| candidates.iter().find(|d| gongkai_search::question::title_key(&d.title) == key));
            let Some(d) = found else {
                errs.push(FieldError::new(
                    "basis",
                    format!("依据中的《{}》不在本站文件库中（须为已发布的现行文件）", c.title),
                ));
                continue;
            };
            if !c.label.is_empty() {
                let labels: Vec<String> = gongkai_domain::body::passages(&d.body).into_iter().map(|(l, _)| l).collect();
                let same = |l: &str| {
                    l == c.label
                        || gongkai_domain::body::chinese_number(l.trim_start_matches('第').trim_end_matches('条'))
                            == gongkai_domain::body::chinese_number(
                                c.label.trim_start_matches('第').trim_end_matches('条'),
                            )
                };
                match labels.iter().find(|l| same(l)) {
                    Some(l) => out.push((d.id, l.clone())),
                    None => errs.push(FieldError::new("basis", format!("《{}》中没有{}", c.title, c.label))),
                }
            } else {
                out.push((d.id, String::new()));
            }
        }
        if errs.is_empty() { Ok(out) } else { Err(AppError::Validation(errs)) }
    }

    fn faq_input(f: &FaqForm) -> Result<(Vec<rules::Cited>, Option<time::Date>, Option<String>)> {
        let mut errs = Vec::new();
        let cited = match rules::validate(&FaqInput {
            question: f.question.clone(),
            answer: f.answer.clone(),
            basis: f.basis.clone(),
        }) {
            Ok(c) => c,
            Err(e) => {
                errs.extend(e);
                vec![]
            }
        };
        let answered_on = match f.answered_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")) {
                Ok(d) => Some(d),
                Err(_) => {
                    errs.push(FieldError::new("answered_on", "答复日期应为 YYYY-MM-DD"));
                    None
                }
            },
        };
        let external_ref = f.external_ref.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if external_ref.as_ref().is_some_and(|r| r.chars().count() > 40) {
            errs.push(FieldError::new("external_ref", "热线编号不超过40个字符"));
        }
        if errs.is_empty() { Ok((cited, answered_on, external_ref)) } else { Err(AppError::Validation(errs)) }
    }

    /// Writes a new entry (a draft until someone else reviews it).
    pub async fn faq_create(&self, actor: &Actor, f: &FaqForm, origin: &str) -> Result<FaqView> {
        if !actor.role.can_edit() {
            return Err(AppError::Forbidden("只有编辑和公开办可以编写热线问答".into()));
        }
        let (cited, answered_on, external_ref) = Self::faq_input(f)?;
        let tx = self.store.begin_write().await?;
        let basis = self.resolve_basis(&*tx, &cited).await?;
        let now = self.now();
        let m = store::insert(
            &*tx,
            store::row::ActiveModel {
                org_id: Set(actor.org_id),
                status: Set(FaqStatus::Draft.code().into()),
                origin: Set(origin.into()),
                external_ref: Set(external_ref),
                answered_on: Set(answered_on),
                created_by: Set(actor.user_id),
                created_at: Set(now),
                reviewed_by: Set(None),
                published_at: Set(None),
                stale_reason: Set(None),
                updated_at: Set(now),
                question: Set(f.question.trim().to_string()),
                answer: Set(f.answer.trim().to_string()),
                ..Default::default()
            },
        )
        .await?;
        store::replace_bases(&*tx, m.id, &basis).await?;
        self.audit(&*tx, actor, "faq.create", FAQ, Some(m.id), None, Some(serde_json::json!({"question": m.question})))
            .await?;
        let v = self.faq_view(&*tx, m).await?;
        tx.commit().await?;
        Ok(v)
    }

    async fn faq_for_edit<C: ConnectionTrait>(&self, conn: &C, actor: &Actor, id: i64) -> Result<store::row::Model> {
        let Some(m) = store::get(conn, id).await? else {
            return Err(AppError::NotFound("没有这条热线问答".into()));
        };
        if !actor.role.is_district_wide() && m.org_id != actor.org_id {
            return Err(AppError::Forbidden("只能处理本单位的热线问答".into()));
        }
        Ok(m)
    }

    /// Changes an entry; it goes back to review (and out of search) until approved again.
    pub async fn faq_update(&self, actor: &Actor, id: i64, f: &FaqForm) -> Result<FaqView> {
        if !actor.role.can_edit() {
            return Err(AppError::Forbidden("只有编辑和公开办可以修改热线问答".into()));
        }
        let (cited, answered_on, external_ref) = Self::faq_input(f)?;
        let tx = self.store.begin_write().await?;
        let m = self.faq_for_edit(&*tx, actor, id).await?;
        let basis = self.resolve_basis(&*tx, &cited).await?;
        let was_public = m.status == FaqStatus::Published.code();
        let before = serde_json::json!({"question": m.question, "answer": m.answer, "status": m.status});
        let mut am = m.into_active_model();
        am.question = Set(f.question.trim().to_string());
        am.answer = Set(f.answer.trim().to_string());
        am.answered_on = Set(answered_on);
        am.external_ref = Set(external_ref);
        am.status = Set(FaqStatus::Draft.code().into());
        am.stale_reason = Set(None);
        am.reviewed_by = Set(None);
        // The writer of this version is whoever changed it: another person reviews.
        am.created_by = Set(actor.user_id);
        am.updated_at = Set(self.now());
        let m = store::update(&*tx, am).await?;
        store::replace_bases(&*tx, id, &basis).await?;
        if was_public {
            queries::record_change(&*tx, FAQ, id, self.now()).await?;
        }
        self.audit(
            &*tx,
            actor,
            "faq.update",
            FAQ,
            Some(id),
            Some(before),
            Some(serde_json::json!({"question": m.question})),
        )
        .await?;
        let v = self.faq_view(&*tx, m).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Publishes a draft (or a stale entry once reviewed): never by its writer, and only
    /// while every document it relies on still holds.
    pub async fn faq_publish(&self, actor: &Actor, id: i64) -> Result<FaqView> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("只有审核员和公开办可以发布热线问答".into()));
        }
        let tx = self.store.begin_write().await?;
        let m = self.faq_for_edit(&*tx, actor, id).await?;
        let status = status_of(&m.status)?;
        if !matches!(status, FaqStatus::Draft | FaqStatus::Stale) {
            return Err(AppError::Conflict(format!("这条热线问答{}，不能发布", status.label())));
        }
        if gongkai_domain::workflow::check_reviewer(m.created_by, &[], actor.user_id).is_err() {
            return Err(AppError::Forbidden("不能审核自己编写的热线问答，请由另一位审核员发布".into()));
        }
        let today = self.today();
        for b in store::bases(&*tx, &[id]).await? {
            let d = document::Entity::find_by_id(b.document_id).one(&*tx).await?;
            let reason = match &d {
                None => Some("依据的文件已不存在".to_string()),
                Some(d) => rules::stale_reason(
                    &d.title,
                    d.superseded_by.is_none(),
                    crate::documents::validity_of(d, today).code(),
                    d.status == Status::Published.code(),
                ),
            };
            if let Some(r) = reason {
                return Err(AppError::Rule(format!("{r}：请修改依据后再发布")));
            }
        }
        let now = self.now();
        let mut am = m.into_active_model();
        am.status = Set(FaqStatus::Published.code().into());
        am.reviewed_by = Set(actor.user_id);
        am.published_at = Set(Some(now));
        am.stale_reason = Set(None);
        am.updated_at = Set(now);
        let m = store::update(&*tx, am).await?;
        queries::record_change(&*tx, FAQ, id, now).await?;
        self.audit(&*tx, actor, "faq.publish", FAQ, Some(id), None, None).await?;
        let v = self.faq_view(&*tx, m).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn faq_withdraw(&self, actor: &Actor, id: i64) -> Result<FaqView> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("只有审核员和公开办可以撤回热线问答".into()));
        }
        let tx = self.store.begin_write().await?;
        let m = self.faq_for_edit(&*tx, actor, id).await?;
        let mut am = m.into_active_model();
        am.status = Set(FaqStatus::Withdrawn.code().into());
        am.updated_at = Set(self.now());
        let m = store::update(&*tx, am).await?;
        queries::record_change(&*tx, FAQ, id, self.now()).await?;
        self.audit(&*tx, actor, "faq.withdraw", FAQ, Some(id), None, None).await?;
        let v = self.faq_view(&*tx, m).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Entries for the console (the office sees all, others their body's), newest first.
    pub async fn faq_list(&self, actor: &Actor, status: Option<FaqStatus>) -> Result<Vec<FaqView>> {
        if !actor.role.can_edit() && !actor.role.can_review() {
            return Err(AppError::Forbidden("无权查看热线问答".into()));
        }
        let rows = store::list(self.store.conn(), status.map(|s| s.code()), 500).await?;
        let mut out = Vec::new();
        for m in rows.into_iter().filter(|m| actor.role.is_district_wide() || m.org_id == actor.org_id) {
            out.push(self.faq_view(self.store.conn(), m).await?);
        }
        Ok(out)
    }

    /// One entry for staff.
    pub async fn faq_get(&self, actor: &Actor, id: i64) -> Result<FaqView> {
        let m = self.faq_for_edit(self.store.conn(), actor, id).await?;
        self.faq_view(self.store.conn(), m).await
    }

    /// A published entry, for the portal.
    pub async fn faq_public(&self, id: i64) -> Result<FaqView> {
        match store::get(self.store.conn(), id).await? {
            Some(m) if m.status == FaqStatus::Published.code() => self.faq_view(self.store.conn(), m).await,
            _ => Err(AppError::NotFound("没有这条热线问答，或它正在复核".into())),
        }
    }

    /// Published entries, newest first.
    pub async fn faq_public_list(&self) -> Result<Vec<FaqView>> {
        let rows = store::list(self.store.conn(), Some(FaqStatus::Published.code()), 500).await?;
        let mut out = Vec::new();
        for m in rows {
            out.push(self.faq_view(self.store.conn(), m).await?);
        }
        Ok(out)
    }
}

/// Marks stale every published entry that relies on one of `documents` (revised,
/// repealed or withdrawn in the same transaction), with the reason, and takes them out of
/// search and Q&A through the changes feed.
pub(crate) async fn flag_stale<C: ConnectionTrait>(
    conn: &C,
    documents: &[i64],
    reason: &str,
    now: time::OffsetDateTime,
) -> Result<usize> {
    if documents.is_empty() {
        return Ok(0);
    }
    let rows = store::relying_on(conn, documents).await?;
    let n = rows.len();
    for m in rows {
        let id = m.id;
        let mut am = m.into_active_model();
        am.status = Set(FaqStatus::Stale.code().into());
        am.stale_reason = Set(Some(reason.to_string()));
        am.updated_at = Set(now);
        store::update(conn, am).await?;
        queries::record_change(conn, FAQ, id, now).await?;
    }
    Ok(n)
}

/// Published hotline entries, for search and Q&A.
pub struct Faqs;

impl SearchSource for Faqs {
    fn name(&self) -> &'static str {
        FAQ
    }
    fn label(&self) -> &'static str {
        "热线问答"
    }
    fn path_prefix(&self) -> &'static str {
        "/faq/"
    }
    fn load<'a>(&'a self, app: &'a App, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<SearchDoc>>> {
        Box::pin(async move {
            let rows = store::published_in(app.store.conn(), ids).await?;
            let orgs = app.orgs().await?;
            let mut out = Vec::new();
            for m in rows {
                let issuer = orgs.iter().find(|o| o.id == m.org_id).map(|o| o.name.clone()).unwrap_or_default();
                let on = m.answered_on.or(m.published_at.map(|p| p.date()));
                out.push(SearchDoc {
                    source: FAQ.into(),
                    id: m.id,
                    org_id: Some(m.org_id),
                    url: format!("/faq/{}", m.id),
                    title: m.question.clone(),
                    issuer,
                    year: on.map(|d| d.year()),
                    published_on: on.map(|d| d.to_string()),
                    current: true,
                    version_no: 1,
                    keywords: "12345 热线".into(),
                    body: m.answer.clone(),
                    passages: Some(vec![(HOTLINE_LABEL.to_string(), m.answer.clone())]),
                    ..Default::default()
                });
            }
            Ok(out)
        })
    }
    fn public_ids<'a>(&'a self, app: &'a App, after: i64, limit: u64) -> BoxFuture<'a, Result<Vec<i64>>> {
        Box::pin(async move { Ok(store::published_ids(app.store.conn(), after, limit).await?) })
    }
}

/// The label of an entry's one passage: what Q&A cites it as.
pub const HOTLINE_LABEL: &str = "12345热线答复";
