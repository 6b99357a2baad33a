//! Queries that are more than a lookup by key: filtered lists, sequences, the changes
//! feed and the audit log.

use crate::Result;
use crate::entities::*;
use gongkai_domain::Validity;
use sea_orm::sea_query::{Expr, ExprTrait, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use time::{Date, OffsetDateTime};

/// Filters for document lists (portal, admin console, API).
#[derive(Debug, Clone, Default)]
pub struct DocQuery {
    pub statuses: Option<Vec<String>>,
    pub org_ids: Option<Vec<i64>>,
    pub issuer: Option<String>,
    /// A topic path; its sub-topics match too.
    pub topic: Option<String>,
    pub category: Option<String>,
    pub kind: Option<String>,
    pub year: Option<i32>,
    pub validity: Option<Validity>,
    pub title_contains: Option<String>,
    /// Published on or after this day.
    pub published_from: Option<Date>,
    pub doc_no: Option<(String, Option<i32>, i64)>,
    /// Only the newest version of each family.
    pub latest_only: bool,
    /// Some(false): leave out imported laws and regulations (records with an external id);
    /// Some(true): only those.
    pub imported: Option<bool>,
    pub offset: u64,
    pub limit: u64,
}

/// Condition for a derived validity on `today` (mirrors `gongkai_domain::derive_validity`).
pub fn validity_condition(v: Validity, today: Date) -> Condition {
    use document::Column as C;
    let not_repealed = C::RepealedBy.is_null();
    let not_superseded = C::SupersededBy.is_null();
    match v {
        Validity::Repealed => Condition::all().add(C::RepealedBy.is_not_null()),
        Validity::Amended => Condition::all().add(not_repealed).add(C::SupersededBy.is_not_null()),
        Validity::Expired => Condition::all()
            .add(not_repealed)
            .add(not_superseded)
            .add(Condition::any().add(C::DeclaredExpired.eq(true)).add(C::ExpiresOn.lt(today))),
        Validity::InForce => Condition::all()
            .add(not_repealed)
            .add(not_superseded)
            .add(C::DeclaredExpired.eq(false))
            .add(Condition::any().add(C::ExpiresOn.is_null()).add(C::ExpiresOn.gte(today))),
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub fn document_condition(q: &DocQuery, today: Date) -> Condition {
    use document::Column as C;
    let mut c = Condition::all();
    if let Some(s) = &q.statuses {
        c = c.add(C::Status.is_in(s.clone()));
    }
    if let Some(o) = &q.org_ids {
        c = c.add(C::OrgId.is_in(o.clone()));
    }
    if let Some(i) = &q.issuer {
        c = c.add(C::Issuer.eq(i.clone()));
    }
    if let Some(t) = &q.topic {
        c = c.add(Condition::any().add(C::Topic.eq(t.clone())).add(C::Topic.like(format!("{}\\%", escape_like(t)))));
    }
    if let Some(v) = &q.category {
        c = c.add(C::Category.eq(v.clone()));
    }
    if let Some(v) = &q.kind {
        c = c.add(C::Kind.eq(v.clone()));
    }
    if let Some(y) = q.year
        && let (Ok(a), Ok(b)) = (
            Date::from_calendar_date(y, time::Month::January, 1),
            Date::from_calendar_date(y, time::Month::December, 31),
        )
    {
        c = c.add(C::PublishedOn.between(a, b));
    }
    if let Some(d) = q.published_from {
        c = c.add(C::PublishedOn.gte(d));
    }
    if let Some(v) = q.validity {
        c = c.add(validity_condition(v, today));
    }
    if let Some(t) = &q.title_contains {
        c = c.add(Expr::col((document::Entity, C::Title)).like(format!("%{}%", escape_like(t))));
    }
    match q.imported {
        Some(false) => c = c.add(C::ExternalId.is_null()),
        Some(true) => c = c.add(C::ExternalId.is_not_null()),
        None => {}
    }
    if let Some((code, year, seq)) = &q.doc_no {
        c = c.add(C::DocNoCode.eq(code.clone())).add(C::DocNoSeq.eq(*seq));
        if let Some(y) = year {
            c = c.add(C::DocNoYear.eq(*y));
        }
    }
    if q.latest_only {
        // The newest version is the one nothing newer has superseded; drafts of a new
        // version do not hide the published one.
        c = c.add(C::SupersededBy.is_null());
    }
    c
}

/// A page of documents, newest first, and the total matching. The body is left out (an
/// empty string): lists never show it, and laws run to hundreds of kilobytes.
pub async fn document_list<C: ConnectionTrait>(
    conn: &C,
    q: &DocQuery,
    today: Date,
) -> Result<(Vec<document::Model>, u64)> {
    use document::Column as Col;
    let cond = document_condition(q, today);
    // Count over the id only: counting `SELECT *` would read every body.
    let total = document::Entity::find().select_only().column(Col::Id).filter(cond.clone()).count(conn).await?;
    let rows = document::Entity::find()
        .select_only()
        .columns(Col::iter().filter(|c| !matches!(c, Col::Body)))
        .column_as(Expr::value(""), "body")
        .filter(cond)
        .order_by_desc(Col::PublishedOn)
        .order_by_desc(Col::Id)
        .offset(q.offset)
        .limit(Ord::max(q.limit, 1))
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Distinct values of a column among documents matching `q` (for filter menus).
pub async fn document_distinct<C: ConnectionTrait>(
    conn: &C,
    q: &DocQuery,
    today: Date,
    col: document::Column,
) -> Result<Vec<String>> {
    let rows: Vec<Option<String>> = document::Entity::find()
        .select_only()
        .column(col)
        .distinct()
        .filter(document_condition(q, today))
        .order_by_asc(col)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Years in which matching documents were published, newest first.
pub async fn document_years<C: ConnectionTrait>(conn: &C, q: &DocQuery, today: Date) -> Result<Vec<i32>> {
    let dates: Vec<Option<Date>> = document::Entity::find()
        .select_only()
        .column(document::Column::PublishedOn)
        .filter(document_condition(q, today))
        .into_tuple()
        .all(conn)
        .await?;
    let mut years: Vec<i32> = dates.into_iter().flatten().map(|d| d.year()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(years)
}

/// Next 7-digit sequence of an organisation's 索引号 for a year. Numbers are never reused:
/// the counter only grows, even when a draft is deleted.
pub async fn next_index_seq<C: ConnectionTrait>(conn: &C, org_id: i64, year: i32) -> Result<i64> {
    let row = index_seq::Entity::find_by_id((org_id, year)).lock(LockType::Update).one(conn).await;
    // SQLite has no row locks; the write gate already serialises writers there.
    let row = match row {
        Ok(r) => r,
        Err(_) => index_seq::Entity::find_by_id((org_id, year)).one(conn).await?,
    };
    match row {
        Some(r) => {
            let seq = r.next_seq;
            let mut am: index_seq::ActiveModel = r.into();
            am.next_seq = Set(seq + 1);
            am.update(conn).await?;
            Ok(seq)
        }
        None => {
            index_seq::ActiveModel { org_id: Set(org_id), year: Set(year), next_seq: Set(2) }.insert(conn).await?;
            Ok(1)
        }
    }
}

pub async fn record_change<C: ConnectionTrait>(
    conn: &C,
    entity: &str,
    entity_id: i64,
    at: OffsetDateTime,
) -> Result<i64> {
    let m = change_log::ActiveModel {
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        at: Set(at),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(m.seq)
}

/// The newest position of the changes feed (0 when empty).
pub async fn feed_position<C: ConnectionTrait>(conn: &C) -> Result<i64> {
    let last = change_log::Entity::find().order_by_desc(change_log::Column::Seq).one(conn).await?;
    Ok(last.map(|c| c.seq).unwrap_or(0))
}

pub async fn changes_since<C: ConnectionTrait>(conn: &C, since: i64, limit: u64) -> Result<Vec<change_log::Model>> {
    Ok(change_log::Entity::find()
        .filter(change_log::Column::Seq.gt(since))
        .order_by_asc(change_log::Column::Seq)
        .limit(limit)
        .all(conn)
        .await?)
}

/// One entry of the audit log: who, when, what, and the values before and after.
pub struct AuditEntry<'a> {
    pub at: OffsetDateTime,
    pub user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn audit<C: ConnectionTrait>(conn: &C, e: AuditEntry<'_>) -> Result<()> {
    audit_log::ActiveModel {
        at: Set(e.at),
        user_id: Set(e.user_id),
        actor: Set(e.actor.to_string()),
        action: Set(e.action.to_string()),
        entity: Set(e.entity.to_string()),
        entity_id: Set(e.entity_id),
        before: Set(e.before.map(|v| v.to_string())),
        after: Set(e.after.map(|v| v.to_string())),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

pub async fn audit_page<C: ConnectionTrait>(
    conn: &C,
    entity: Option<(&str, i64)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<audit_log::Model>, u64)> {
    let mut c = Condition::all();
    if let Some((e, id)) = entity {
        c = c.add(audit_log::Column::Entity.eq(e)).add(audit_log::Column::EntityId.eq(id));
    }
    let total = audit_log::Entity::find().filter(c.clone()).count(conn).await?;
    let rows = audit_log::Entity::find()
        .filter(c)
        .order_by_desc(audit_log::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Every version of a family, oldest first.
pub async fn family<C: ConnectionTrait>(conn: &C, family_id: i64) -> Result<Vec<document::Model>> {
    Ok(document::Entity::find()
        .filter(document::Column::FamilyId.eq(family_id))
        .order_by_asc(document::Column::VersionNo)
        .all(conn)
        .await?)
}

/// Interpretations linked to any of the documents, with the document each is linked to.
pub async fn interpretations_of<C: ConnectionTrait>(
    conn: &C,
    doc_ids: &[i64],
) -> Result<Vec<(i64, interpretation::Model)>> {
    if doc_ids.is_empty() {
        return Ok(vec![]);
    }
    let links = interpretation_link::Entity::find()
        .filter(interpretation_link::Column::DocumentId.is_in(doc_ids.to_vec()))
        .all(conn)
        .await?;
    let ids: Vec<i64> = links.iter().map(|l| l.interpretation_id).collect();
    let items = interpretation::Entity::find()
        .filter(interpretation::Column::Id.is_in(ids))
        .order_by_desc(interpretation::Column::Id)
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for i in items {
        for l in links.iter().filter(|l| l.interpretation_id == i.id) {
            out.push((l.document_id, i.clone()));
        }
    }
    Ok(out)
}

/// Documents linked to an interpretation.
pub async fn documents_of_interpretation<C: ConnectionTrait>(
    conn: &C,
    interpretation_id: i64,
) -> Result<Vec<document::Model>> {
    let links = interpretation_link::Entity::find()
        .filter(interpretation_link::Column::InterpretationId.eq(interpretation_id))
        .all(conn)
        .await?;
    let ids: Vec<i64> = links.into_iter().map(|l| l.document_id).collect();
    Ok(document::Entity::find().filter(document::Column::Id.is_in(ids)).all(conn).await?)
}

/// Published documents in force whose expiry falls within [from, to].
pub async fn expiring_between<C: ConnectionTrait>(
    conn: &C,
    from: Date,
    to: Date,
    org_ids: Option<Vec<i64>>,
) -> Result<Vec<document::Model>> {
    let mut c = Condition::all()
        .add(document::Column::Status.eq("published"))
        .add(document::Column::ExpiresOn.between(from, to))
        .add(document::Column::RepealedBy.is_null())
        .add(document::Column::SupersededBy.is_null());
    if let Some(o) = org_ids {
        c = c.add(document::Column::OrgId.is_in(o));
    }
    Ok(document::Entity::find().filter(c).order_by_asc(document::Column::ExpiresOn).all(conn).await?)
}

/// Documents the given document repeals, and those that repeal it.
pub async fn repeal_links<C: ConnectionTrait>(
    conn: &C,
    doc_id: i64,
) -> Result<(Vec<document::Model>, Vec<document::Model>)> {
    let repeals = repeal_link::Entity::find().filter(repeal_link::Column::RepealingId.eq(doc_id)).all(conn).await?;
    let repealed_by = repeal_link::Entity::find().filter(repeal_link::Column::RepealedId.eq(doc_id)).all(conn).await?;
    let a = document::Entity::find()
        .filter(document::Column::Id.is_in(repeals.into_iter().map(|r| r.repealed_id).collect::<Vec<_>>()))
        .all(conn)
        .await?;
    let b = document::Entity::find()
        .filter(document::Column::Id.is_in(repealed_by.into_iter().map(|r| r.repealing_id).collect::<Vec<_>>()))
        .all(conn)
        .await?;
    Ok((a, b))
}

/// Scheduled documents whose publication time has come.
pub async fn due_scheduled<C: ConnectionTrait>(conn: &C, now: OffsetDateTime) -> Result<Vec<document::Model>> {
    Ok(document::Entity::find()
        .filter(document::Column::Status.eq("scheduled"))
        .filter(document::Column::PublishAt.lte(now))
        .all(conn)
        .await?)
}
