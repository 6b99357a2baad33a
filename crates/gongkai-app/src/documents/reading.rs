//! Reading the library: lists, facets, a document with its versions, diffs.

use super::*;
use crate::{Actor, App, AppError, Result, opt};
use gongkai_domain::body::parse_body;
use gongkai_domain::diff::{self};
use gongkai_domain::document::written_date;
use gongkai_domain::workflow::WorkflowState;
use gongkai_domain::{Category, DocNo, DocumentKind, FieldError, Status, Validity};
use gongkai_store::queries::{self, DocQuery};
use gongkai_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use gongkai_store::{attachment, document, org};
use time::Date;

impl App {
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
    pub(super) async fn issuers_in_menu_order(&self, issuers: Vec<String>) -> Result<Vec<String>> {
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
                status: Status::parse(&i.status).unwrap_or(Status::Draft),
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
            .map(AttachmentMeta::from)
            .collect();
        let (repeals, repealed_by) = queries::repeal_links(conn, shown.id).await?;
        let family_repealers = match shown.repealed_by {
            Some(r) if !repealed_by.iter().any(|d| d.id == r) => {
                document::Entity::find_by_id(r).one(conn).await?.into_iter().collect()
            }
            _ => vec![],
        };
        let org = self.org_row(shown.org_id).await?;
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
}

pub(super) fn fmt_date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The version of a family in force on `date`.
pub(super) fn as_of_version(versions: &[&document::Model], date: Date) -> AsOf {
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
