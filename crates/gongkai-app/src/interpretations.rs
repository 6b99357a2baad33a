//! Interpretations (政策解读): written, graphic, video, H5, expert and media forms,
//! linked to one or more documents and published with them.

use crate::{Actor, App, AppError, Result, opt};
use gongkai_domain::interpretation::Form;
use gongkai_domain::{FieldError, Status};
use gongkai_store::queries;
use gongkai_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use gongkai_store::{document, interpretation, interpretation_link};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InterpretationInput {
    pub title: String,
    pub form: String,
    pub author: Option<String>,
    /// Rich text; sanitised before it is stored.
    pub body: String,
    pub media_url: Option<String>,
    /// Documents it explains.
    pub document_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InterpretationView {
    pub id: i64,
    pub title: String,
    pub form: String,
    pub form_label: String,
    pub org_id: i64,
    pub author: Option<String>,
    pub body: String,
    pub media_url: Option<String>,
    pub status: Status,
    pub status_label: String,
    pub published_at: Option<OffsetDateTime>,
    pub is_sample: bool,
    pub documents: Vec<crate::documents::DocRef>,
}

fn view(m: &interpretation::Model, documents: Vec<crate::documents::DocRef>) -> InterpretationView {
    let form = Form::parse(&m.form);
    let status = Status::parse(&m.status).unwrap_or(Status::Draft);
    InterpretationView {
        id: m.id,
        title: m.title.clone(),
        form: m.form.clone(),
        form_label: form.map(|f| f.label().to_string()).unwrap_or_default(),
        org_id: m.org_id,
        author: m.author.clone(),
        body: m.body.clone(),
        media_url: m.media_url.clone(),
        status,
        status_label: status.label().into(),
        published_at: m.published_at,
        is_sample: m.is_sample,
        documents,
    }
}

/// Cleans user HTML down to what an article needs.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(html).to_string()
}

fn validate(input: &InterpretationInput) -> Result<Form> {
    let mut errs = Vec::new();
    use gongkai_domain::text::check;
    check(&mut errs, "title", "标题", &input.title, false);
    check(&mut errs, "author", "解读人", input.author.as_deref().unwrap_or(""), false);
    check(&mut errs, "media_url", "地址", input.media_url.as_deref().unwrap_or(""), false);
    check(&mut errs, "body", "解读正文", &input.body, true);
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errs.push(FieldError::new("title", "请填写标题（不超过200字）"));
    }
    let form = Form::parse(&input.form);
    if form.is_none() {
        errs.push(FieldError::new("form", "解读形式应为文字解读、图解、视频解读、H5解读、专家解读或媒体解读"));
    }
    let media = opt(&input.media_url);
    if matches!(form, Some(Form::Graphic | Form::Video | Form::H5)) && media.is_none() && input.body.trim().is_empty() {
        errs.push(FieldError::new("media_url", "图解、视频和H5解读须提供图片、视频或页面地址"));
    }
    if let Some(u) = &media
        && !media_url_ok(u)
    {
        errs.push(FieldError::new("media_url", "地址应以 https:// 开头，或为本站地址（以 / 开头）"));
    }
    if matches!(form, Some(Form::Text | Form::Expert | Form::Media)) && input.body.trim().is_empty() {
        errs.push(FieldError::new("body", "请填写解读正文"));
    }
    if matches!(form, Some(Form::Expert | Form::Media)) && opt(&input.author).is_none() {
        errs.push(FieldError::new("author", "专家解读、媒体解读须注明专家或媒体名称"));
    }
    if input.document_ids.is_empty() {
        errs.push(FieldError::new("document_ids", "请选择所解读的文件"));
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    form.ok_or_else(|| AppError::field("form", "解读形式无效"))
}

impl App {
    /// Creates an interpretation linked to documents of the actor's organisation. It is
    /// published together with its document, or on its own if the document is public.
    pub async fn create_interpretation(&self, actor: &Actor, input: InterpretationInput) -> Result<InterpretationView> {
        if !actor.role.can_edit() {
            return Err(AppError::Forbidden("当前角色不能起草解读".into()));
        }
        let form = validate(&input)?;
        let tx = self.store.begin_write().await?;
        let mut docs = Vec::new();
        for id in &input.document_ids {
            let d = document::Entity::find_by_id(*id)
                .one(&*tx)
                .await?
                .ok_or_else(|| AppError::field("document_ids", format!("文件 {id} 不存在")))?;
            if !actor.may_see_org(d.org_id) {
                return Err(AppError::Forbidden("不能为其他机构的文件添加解读".into()));
            }
            docs.push(d);
        }
        let now = self.now();
        let org_id = docs.first().map(|d| d.org_id).unwrap_or(actor.org_id);
        let any_public = docs.iter().any(|d| d.status == Status::Published.code());
        let m = interpretation::ActiveModel {
            title: Set(input.title.trim().to_string()),
            form: Set(form.code().into()),
            org_id: Set(org_id),
            author: Set(opt(&input.author)),
            body: Set(sanitize_html(&input.body)),
            media_url: Set(opt(&input.media_url)),
            // Linked to a public document it is reviewed on its own before it goes out;
            // otherwise it is reviewed with its document and published with it.
            status: Set(if any_public { Status::Submitted } else { Status::Draft }.code().into()),
            published_at: Set(None),
            is_sample: Set(docs.iter().any(|d| d.is_sample)),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        for d in &docs {
            interpretation_link::ActiveModel { interpretation_id: Set(m.id), document_id: Set(d.id) }
                .insert(&*tx)
                .await?;
        }
        self.audit(
            &*tx,
            actor,
            "interpretation.create",
            "interpretation",
            Some(m.id),
            None,
            serde_json::to_value(&m).ok(),
        )
        .await?;
        tx.commit().await?;
        Ok(view(&m, docs.iter().map(crate::documents::DocRef::from).collect()))
    }

    /// Review of an interpretation written for a document that is already public: `submit`
    /// (a draft or one sent back), `approve` (one review level; the four-eyes rule as for
    /// documents), `reject` (back to the drafter with a reason). Past the last level it is
    /// published at once if one of its documents is public, else with its document.
    pub async fn interpretation_action(
        &self,
        actor: &Actor,
        id: i64,
        action: &str,
        reason: Option<&str>,
    ) -> Result<InterpretationView> {
        use gongkai_domain::workflow::Action;
        let action = match action.trim() {
            "submit" => Action::Submit,
            "approve" => Action::Approve,
            "reject" => Action::Reject { reason: reason.unwrap_or("").to_string() },
            other => {
                return Err(AppError::field("action", format!("未知操作“{other}”，应为 submit、approve 或 reject")));
            }
        };
        let tx = self.store.begin_write().await?;
        let before = interpretation::Entity::find_by_id(id)
            .one(&*tx)
            .await?
            .ok_or_else(|| AppError::NotFound("解读不存在".into()))?;
        if !actor.may_see_org(before.org_id) {
            return Err(AppError::Forbidden("不能办理其他机构的解读".into()));
        }
        let org = self.org_row(before.org_id).await?;
        let reviewed = crate::documents::Reviewed {
            status: &before.status,
            reviews_passed: before.reviews_passed,
            created_by: before.created_by,
            reviewed_by: &before.reviewed_by,
        };
        let (next, reviewers) = crate::documents::review_step(actor, &org, &action, reviewed)?;
        let now = self.now();
        let mut am: interpretation::ActiveModel = before.clone().into();
        am.reviewed_by = Set(reviewers);
        let docs = self.linked_documents(&*tx, id).await?;
        let goes_out = next.status == Status::Approved && docs.iter().any(|d| d.status == Status::Published.code());
        am.status = Set(if goes_out { Status::Published } else { next.status }.code().into());
        am.reviews_passed = Set(next.reviews_passed as i32);
        am.updated_at = Set(now);
        if goes_out {
            am.published_at = Set(Some(now));
        }
        let after = am.update(&*tx).await?;
        if goes_out {
            queries::record_change(&*tx, "interpretation", id, now).await?;
        }
        self.audit(
            &*tx,
            actor,
            &format!(
                "interpretation.{}",
                match action {
                    Action::Submit => "submit",
                    Action::Approve => "approve",
                    _ => "reject",
                }
            ),
            "interpretation",
            Some(id),
            Some(serde_json::json!({"status": before.status, "reviews_passed": before.reviews_passed})),
            Some(serde_json::json!({"status": after.status, "reviews_passed": after.reviews_passed, "reason": reason})),
        )
        .await?;
        tx.commit().await?;
        if goes_out && let Err(e) = self.patrol_record("interpretation", id).await {
            tracing::warn!(error = %e, "patrol of a published interpretation");
        }
        Ok(view(&after, docs.iter().map(crate::documents::DocRef::from).collect()))
    }

    async fn linked_documents<C: gongkai_store::ConnectionTrait>(
        &self,
        conn: &C,
        id: i64,
    ) -> Result<Vec<document::Model>> {
        let ids: Vec<i64> = interpretation_link::Entity::find()
            .filter(interpretation_link::Column::InterpretationId.eq(id))
            .all(conn)
            .await?
            .into_iter()
            .map(|l| l.document_id)
            .collect();
        Ok(document::Entity::find().filter(document::Column::Id.is_in(ids)).all(conn).await?)
    }

    /// Withdraws a published interpretation.
    pub async fn withdraw_interpretation(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(AppError::field("reason", "请填写撤回的原因"));
        }
        let tx = self.store.begin_write().await?;
        let m = interpretation::Entity::find_by_id(id)
            .one(&*tx)
            .await?
            .ok_or_else(|| AppError::NotFound("解读不存在".into()))?;
        if !actor.may_see_org(m.org_id) || !actor.role.can_review() {
            return Err(AppError::Forbidden("无权撤回该解读".into()));
        }
        let before = m.status.clone();
        let mut am: interpretation::ActiveModel = m.into();
        am.status = Set(Status::Withdrawn.code().into());
        am.updated_at = Set(self.now());
        am.update(&*tx).await?;
        queries::record_change(&*tx, "interpretation", id, self.now()).await?;
        self.audit(
            &*tx,
            actor,
            "interpretation.withdraw",
            "interpretation",
            Some(id),
            Some(serde_json::json!({"status": before})),
            Some(serde_json::json!({"status": "withdrawn", "reason": reason})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn interpretation(&self, viewer: Option<&Actor>, id: i64) -> Result<InterpretationView> {
        let conn = self.store.conn();
        let m = interpretation::Entity::find_by_id(id).one(conn).await?;
        let m = m
            .filter(|m| m.status == Status::Published.code() || viewer.is_some_and(|a| a.may_see_org(m.org_id)))
            .ok_or_else(|| AppError::NotFound(format!("解读（编号 {id}）不存在或尚未公开")))?;
        let docs = queries::documents_of_interpretation(conn, id).await?;
        let docs = docs
            .iter()
            .filter(|d| d.status == Status::Published.code() || viewer.is_some_and(|a| a.may_see_org(d.org_id)))
            .map(crate::documents::DocRef::from)
            .collect();
        Ok(view(&m, docs))
    }

    /// Interpretations, newest first: published ones for the public; the actor's
    /// organisation's (all of them for the district office) for staff.
    pub async fn interpretations(
        &self,
        viewer: Option<&Actor>,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<InterpretationView>, u64)> {
        let conn = self.store.conn();
        let mut q = interpretation::Entity::find();
        match viewer {
            None => q = q.filter(interpretation::Column::Status.eq(Status::Published.code())),
            Some(a) if !a.role.is_district_wide() => q = q.filter(interpretation::Column::OrgId.eq(a.org_id)),
            Some(_) => {}
        }
        let total = q.clone().count(conn).await?;
        let rows = q
            .order_by_desc(interpretation::Column::PublishedAt)
            .order_by_desc(interpretation::Column::Id)
            .offset(page.saturating_sub(1) * per_page)
            .limit(per_page)
            .all(conn)
            .await?;
        let mut out = Vec::new();
        for m in rows {
            let docs = queries::documents_of_interpretation(conn, m.id).await?;
            out.push(view(
                &m,
                docs.iter()
                    .filter(|d| viewer.is_some() || d.status == Status::Published.code())
                    .map(crate::documents::DocRef::from)
                    .collect(),
            ));
        }
        Ok((out, total))
    }
}

/// A media address the portal may embed: https, or a path on this site. Not plain http
/// (mixed content), not `//host/…` (protocol-relative: another site), not `javascript:`.
fn media_url_ok(u: &str) -> bool {
    let host_ok = |rest: &str| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !host.contains('@') && !host.contains('\\')
    };
    match u.strip_prefix("https://") {
        Some(rest) => host_ok(rest) && !u.contains(char::is_whitespace),
        None => u.starts_with('/') && !u.starts_with("//") && !u.starts_with("/\\") && !u.contains(char::is_whitespace),
    }
}

#[cfg(test)]
mod media_tests {
    #[test]
    fn media_addresses_are_https_or_on_this_site() {
        for (u, ok) in [
            ("https://www.laiwu.gov.cn/tujie.png", true),
            ("/attachments/12", true),
            ("//evil.example/x.png", false),
            ("/\\evil.example/x.png", false),
            ("http://www.laiwu.gov.cn/x.png", false),
            ("javascript:alert(1)", false),
            ("https://user@evil.example/x", false),
            ("https:///x", false),
            ("/a b", false),
        ] {
            assert_eq!(super::media_url_ok(u), ok, "{u}");
        }
    }
}
