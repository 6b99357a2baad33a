//! The organisation tree and the topic list.

use crate::{Actor, App, AppError, Result};
use gongkai_domain::{CreditCode, FieldError, OrgKind};
use gongkai_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use gongkai_store::{org, topic};
use serde::{Deserialize, Serialize};

/// An organisation as the API lists it (the field names are the published contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    pub name: String,
    /// 发文机关代字, e.g. 莱政办发.
    pub issuer_code: Option<String>,
    pub credit_code: String,
    pub review_levels: i32,
    pub require_interpretation: bool,
    pub is_sample: bool,
    pub sort: i32,
    pub created_at: time::OffsetDateTime,
    /// The four-eyes rule: the drafter does not review, each level is another person.
    pub four_eyes: bool,
}

impl Org {
    pub(crate) fn of(m: org::Model) -> Result<Org> {
        let kind = OrgKind::parse(&m.kind).ok_or_else(|| AppError::Internal(format!("unknown org kind {}", m.kind)))?;
        Ok(Org {
            id: m.id,
            parent_id: m.parent_id,
            kind,
            name: m.name,
            issuer_code: m.issuer_code,
            credit_code: m.credit_code,
            review_levels: m.review_levels,
            require_interpretation: m.require_interpretation,
            is_sample: m.is_sample,
            sort: m.sort,
            created_at: m.created_at,
            four_eyes: m.four_eyes,
        })
    }

    /// Whether a request for information can be addressed to it (not a village committee).
    pub fn takes_requests(&self) -> bool {
        self.kind.takes_requests()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewOrg {
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub issuer_code: Option<String>,
    pub credit_code: String,
    #[serde(default = "one")]
    pub review_levels: i32,
    #[serde(default = "yes")]
    pub require_interpretation: bool,
    #[serde(default)]
    pub is_sample: bool,
}
fn one() -> i32 {
    1
}
fn yes() -> bool {
    true
}

impl App {
    pub async fn create_org(&self, actor: &Actor, o: NewOrg) -> Result<Org> {
        if !actor.role.can_manage_users() {
            return Err(AppError::Forbidden("只有系统管理员可以维护机构".into()));
        }
        let mut errs = Vec::new();
        let name = o.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            errs.push(FieldError::new("name", "机构名称不能为空，且不超过100字"));
        }
        let kind = OrgKind::parse(&o.kind);
        if kind.is_none() {
            errs.push(FieldError::new("kind", "机构类型无效"));
        }
        let credit = CreditCode::parse(&o.credit_code);
        if let Err(e) = &credit {
            errs.push(FieldError::new("credit_code", e.to_string()));
        }
        if !(1..=3).contains(&o.review_levels) {
            errs.push(FieldError::new("review_levels", "审核级数应为1至3"));
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let credit = credit.map_err(|e| AppError::field("credit_code", e.to_string()))?;
        let tx = self.store.begin_write().await?;
        if let Some(p) = o.parent_id
            && org::Entity::find_by_id(p).one(&*tx).await?.is_none()
        {
            return Err(AppError::field("parent_id", "上级机构不存在"));
        }
        if org::Entity::find().filter(org::Column::CreditCode.eq(credit.as_str())).one(&*tx).await?.is_some() {
            return Err(AppError::Conflict(format!("统一社会信用代码 {credit} 已被使用")));
        }
        let count = org::Entity::find().count(&*tx).await? as i32;
        let m = org::ActiveModel {
            parent_id: Set(o.parent_id),
            kind: Set(kind.map(|k| k.code()).unwrap_or_default().into()),
            name: Set(name),
            issuer_code: Set(crate::opt(&o.issuer_code)),
            credit_code: Set(credit.to_string()),
            review_levels: Set(o.review_levels),
            require_interpretation: Set(o.require_interpretation),
            is_sample: Set(o.is_sample),
            sort: Set(count),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        self.audit(
            &*tx,
            actor,
            "org.create",
            "org",
            Some(m.id),
            None,
            Some(serde_json::to_value(&m).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Org::of(m)
    }

    /// Changes how many review levels an organisation requires and whether the
    /// drafter-interprets rule applies to it.
    pub async fn update_org_rules(
        &self,
        actor: &Actor,
        org_id: i64,
        review_levels: i32,
        require_interpretation: bool,
        four_eyes: bool,
    ) -> Result<Org> {
        if !actor.role.can_manage_users() {
            return Err(AppError::Forbidden("只有系统管理员可以维护机构".into()));
        }
        if !(1..=3).contains(&review_levels) {
            return Err(AppError::field("review_levels", "审核级数应为1至3"));
        }
        let tx = self.store.begin_write().await?;
        let before =
            org::Entity::find_by_id(org_id).one(&*tx).await?.ok_or_else(|| AppError::NotFound("机构不存在".into()))?;
        let mut am: org::ActiveModel = before.clone().into();
        am.review_levels = Set(review_levels);
        am.require_interpretation = Set(require_interpretation);
        am.four_eyes = Set(four_eyes);
        let after = am.update(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "org.update",
            "org",
            Some(org_id),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
        )
        .await?;
        tx.commit().await?;
        Org::of(after)
    }

    pub async fn orgs(&self) -> Result<Vec<Org>> {
        org::Entity::find()
            .order_by_asc(org::Column::Sort)
            .order_by_asc(org::Column::Id)
            .all(self.store.conn())
            .await?
            .into_iter()
            .map(Org::of)
            .collect()
    }

    /// The organisations a request can be addressed or transferred to.
    pub async fn request_orgs(&self) -> Result<Vec<Org>> {
        let mut all = self.orgs().await?;
        all.retain(Org::takes_requests);
        Ok(all)
    }

    pub async fn org(&self, id: i64) -> Result<Org> {
        Org::of(self.org_row(id).await?)
    }

    pub(crate) async fn org_row(&self, id: i64) -> Result<org::Model> {
        org::Entity::find_by_id(id).one(self.store.conn()).await?.ok_or_else(|| AppError::NotFound("机构不存在".into()))
    }

    pub async fn topics(&self) -> Result<Vec<String>> {
        let rows = topic::Entity::find().order_by_asc(topic::Column::Sort).all(self.store.conn()).await?;
        Ok(rows.into_iter().map(|t| t.path).collect())
    }

    /// Seeds the gov.cn topic tree when the topic table is empty.
    pub async fn ensure_topics(&self) -> Result<()> {
        if topic::Entity::find().count(self.store.conn()).await? > 0 {
            return Ok(());
        }
        let tx = self.store.begin_write().await?;
        for (i, p) in gongkai_domain::topic::default_topic_paths().into_iter().enumerate() {
            topic::ActiveModel { path: Set(p), sort: Set(i as i32), ..Default::default() }.insert(&*tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds a topic (`一级` or `一级\二级`) to the editable tree.
    pub async fn add_topic(&self, actor: &Actor, path: &str) -> Result<()> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以维护主题分类".into()));
        }
        let path = path.trim();
        let parts: Vec<&str> = path.split('\\').collect();
        if path.is_empty() || parts.len() > 2 || parts.iter().any(|p| p.trim().is_empty()) || path.chars().count() > 60
        {
            return Err(AppError::field("path", "主题分类应写作“一级”或“一级\\二级”"));
        }
        let tx = self.store.begin_write().await?;
        let count = topic::Entity::find().count(&*tx).await? as i32;
        if topic::Entity::find().filter(topic::Column::Path.eq(path)).one(&*tx).await?.is_some() {
            return Err(AppError::Conflict("该主题分类已存在".into()));
        }
        topic::ActiveModel { path: Set(path.to_string()), sort: Set(count), ..Default::default() }.insert(&*tx).await?;
        self.audit(&*tx, actor, "topic.create", "topic", None, None, Some(serde_json::json!({ "path": path }))).await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(crate) fn takes_requests(o: &org::Model) -> bool {
    gongkai_domain::OrgKind::parse(&o.kind).is_some_and(gongkai_domain::OrgKind::takes_requests)
}
