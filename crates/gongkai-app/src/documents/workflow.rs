//! Drafting, review, publication (also scheduled), revision and repeal.

use super::*;
use crate::{Actor, App, AppError, Result, opt};
use gongkai_domain::workflow::{Action, WorkflowError, WorkflowState};
use gongkai_domain::{Category, Status};
use gongkai_store::queries::{self};
use gongkai_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use gongkai_store::{attachment, document, interpretation, interpretation_link, org, repeal_link};
use time::OffsetDateTime;

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
    let next = state.apply(action, org.review_levels as u8).map_err(|e| match e {
        // A field the person left empty, not a clash with the document's state.
        WorkflowError::ReasonRequired(_) => AppError::field("reason", e.to_string()),
        e => AppError::Conflict(e.to_string()),
    })?;
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

impl App {
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
        let org = self.org_row(org_id).await?;
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
        let org = self.org_row(before.org_id).await?;
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
        let org = self.org_row(base.org_id).await?;
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

    /// The published documents a repeal names, each by 发文字号 (in any common spelling:
    /// 〔〕 or [], with or without 第) or by its whole title, one per line or separated by
    /// ；. The console's repeal form asks for these, never for internal ids.
    pub async fn repeal_targets(&self, names: &str) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        let mut errs = Vec::new();
        for name in names.split(['\n', '；', ';']).map(str::trim).filter(|n| !n.is_empty()) {
            let mut q = queries::DocQuery {
                statuses: Some(vec![Status::Published.code().into()]),
                latest_only: true,
                limit: 20,
                ..Default::default()
            };
            match gongkai_domain::DocNo::parse_lenient(name) {
                Some(d) => q.doc_no = Some((d.issuer_code().to_string(), d.year().map(i32::from), d.seq() as i64)),
                None => q.title_contains = Some(name.to_string()),
            }
            let (rows, _) = queries::document_list(self.store.conn(), &q, self.today()).await?;
            let found: Vec<_> =
                rows.iter().filter(|m| q.doc_no.is_some() || m.title.trim() == name).map(|m| m.id).collect();
            match found.as_slice() {
                [id] => ids.push(*id),
                [] => errs.push(format!("找不到文号或标题为“{name}”的已发布文件")),
                _ => errs.push(format!("“{name}”对应{}份已发布文件，请改填发文字号", found.len())),
            }
        }
        if !errs.is_empty() {
            return Err(AppError::field("targets", errs.join("；")));
        }
        if ids.is_empty() {
            return Err(AppError::field("targets", "请填写被废止文件的发文字号或完整标题"));
        }
        Ok(ids)
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
                return self.publish(actor, id, at, opt(&input.patrol_override)).await;
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
        let org = self.org_row(before.org_id).await?;
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

    pub(super) async fn publish(
        &self,
        actor: &Actor,
        id: i64,
        at: Option<OffsetDateTime>,
        patrol_override: Option<String>,
    ) -> Result<DocumentView> {
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
        let org = self.org_row(before.org_id).await?;
        let state = WorkflowState {
            status: Status::parse(&before.status).unwrap_or(Status::Draft),
            reviews_passed: before.reviews_passed as u8,
        };
        let next = state
            .apply(&Action::Publish { at_future: future }, org.review_levels as u8)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        self.check_interpretation_rule(&*tx, &before, &org).await?;
        // The pre-publication check: personal data of high severity stops it, unless a
        // reviewer says why it may be public.
        // Withheld attachments will not be public: they do not stop it.
        let attachments: Vec<(String, String)> = attachment::Entity::find()
            .select_only()
            .columns([attachment::Column::FileName, attachment::Column::ExtractedText])
            .filter(attachment::Column::DocumentId.eq(id))
            .filter(attachment::Column::WithheldReason.is_null())
            .into_tuple()
            .all(&*tx)
            .await?;
        let labels: Vec<String> = attachments.iter().map(|(n, _)| format!("附件：{n}")).collect();
        let mut parts = vec![
            crate::patrol::Part { field: "标题", text: &before.title },
            crate::patrol::Part { field: "正文", text: &before.body },
        ];
        parts.extend(attachments.iter().zip(&labels).map(|((_, t), l)| crate::patrol::Part { field: l, text: t }));
        // Citations and wording are the daily patrol's: they never stop a publication.
        let found =
            crate::patrol::check("document", id, before.org_id, &before.title, &parts, &crate::patrol::Lists::none());
        let exception = before.privacy_exception.as_deref().and_then(gongkai_domain::patrol::PrivacyException::parse);
        if let Some(refusal) = crate::patrol::blocking(&found) {
            // A declared 惩戒公示 or 强制性信息披露, passed in review, is its own reason.
            let reason = match (patrol_override, exception) {
                (Some(r), _) => r,
                (None, Some(e)) => format!("文件声明为{}", e.label()),
                (None, None) => return Err(refusal),
            };
            let high: Vec<String> = found
                .iter()
                .filter(|f| f.severity == gongkai_domain::patrol::Severity::High)
                .map(|f| format!("{}：{}", f.kind_label, f.shown))
                .collect();
            self.audit(
                &*tx,
                actor,
                "document.patrol_override",
                "document",
                Some(id),
                None,
                Some(serde_json::json!({"reason": reason, "findings": high})),
            )
            .await?;
        }
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
        if after.status == Status::Published.code() {
            // Its findings (an override's included) go to the owner's list at once; the
            // daily patrol would find them too, so a failure here loses nothing.
            if let Err(e) = self.patrol_record(crate::search::DOCUMENT, id).await {
                tracing::warn!(error = %e, "patrol of a published document");
            }
            // The interpretations that went out with it.
            let links = interpretation_link::Entity::find()
                .filter(interpretation_link::Column::DocumentId.eq(id))
                .all(self.store.conn())
                .await?;
            for l in links {
                if let Err(e) = self.patrol_record("interpretation", l.interpretation_id).await {
                    tracing::warn!(error = %e, "patrol of a published interpretation");
                }
            }
        }
        Ok(DocumentView::from_model(&after, self.today(), false))
    }

    /// 谁起草谁解读: a normative document needs an interpretation published with it.
    pub(super) async fn check_interpretation_rule<C: ConnectionTrait>(
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
                let title = older.title.clone();
                let mut am: document::ActiveModel = older.into();
                am.superseded_by = Set(Some(m.id));
                am.updated_at = Set(now);
                am.update(conn).await?;
                queries::record_change(conn, "document", id, now).await?;
                // Hotline answers that rest on the old version are reviewed again.
                crate::faq::flag_stale(conn, &[id], &format!("依据的《{title}》已修订，请按新版本复核"), now).await?;
            }
        }
        let targets = repeal_link::Entity::find().filter(repeal_link::Column::RepealingId.eq(m.id)).all(conn).await?;
        for t in targets {
            let target = self.load_doc(conn, t.repealed_id).await?;
            for v in queries::family(conn, target.family_id).await? {
                if v.repealed_by.is_none() && v.status == Status::Published.code() {
                    let id = v.id;
                    let title = v.title.clone();
                    let mut am: document::ActiveModel = v.into();
                    am.repealed_by = Set(Some(m.id));
                    am.updated_at = Set(now);
                    am.update(conn).await?;
                    queries::record_change(conn, "document", id, now).await?;
                    crate::faq::flag_stale(conn, &[id], &format!("依据的《{title}》已废止"), now).await?;
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

    pub(super) async fn on_withdraw<C: ConnectionTrait>(&self, conn: &C, m: &document::Model) -> Result<()> {
        let now = self.now();
        queries::record_change(conn, "document", m.id, now).await?;
        crate::faq::flag_stale(conn, &[m.id], &format!("依据的《{}》已撤回", m.title), now).await?;
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
