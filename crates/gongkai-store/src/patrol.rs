//! Patrol findings: what the content patrol found in public content, each with its owner,
//! due date and state (open, fixed, false positive, escalated). A finding is known by a
//! fingerprint of where it is and what it says, so a run that finds it again updates it and
//! a false positive stays dismissed; the text found is never stored, only its mask. The
//! table, its migration and queries.

use crate::entities::entity;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use time::OffsetDateTime;

entity!(row, "patrol_finding", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of source, record, field, kind and the span as written.
    #[sea_orm(unique)]
    pub fingerprint: String,
    pub source: String,
    pub record_id: i64,
    /// The body that owns the record and answers for the finding.
    pub org_id: i64,
    pub title: String,
    pub field: String,
    pub kind: String,
    pub severity: String,
    /// The span as staff may see it (personal data masked).
    pub shown: String,
    pub replacement: String,
    pub context: String,
    /// open, fixed, false_positive, escalated
    pub status: String,
    pub found_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// The run that last found it (a random token per run: clocks may stand still).
    pub last_run: String,
    pub due_on: Option<Date>,
    pub resolved_at: Option<OffsetDateTime>,
    pub resolved_by: Option<i64>,
    pub note: Option<String>,
});

/// The finding with `fingerprint`, if any run has seen it.
pub async fn by_fingerprint<C: ConnectionTrait>(conn: &C, fingerprint: &str) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find().filter(row::Column::Fingerprint.eq(fingerprint)).one(conn).await
}

pub async fn insert<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.insert(conn).await
}

/// Seen again by run `run` at `now`: an automatically fixed finding that is back opens
/// again.
pub async fn seen<C: ConnectionTrait>(
    conn: &C,
    m: row::Model,
    run: &str,
    now: OffsetDateTime,
) -> Result<row::Model, DbErr> {
    let reopened = m.status == "fixed";
    let mut am: row::ActiveModel = m.into();
    am.last_seen_at = Set(now);
    am.last_run = Set(run.into());
    if reopened {
        am.status = Set("open".into());
        am.resolved_at = Set(None);
        am.resolved_by = Set(None);
    }
    am.update(conn).await
}

/// Open or escalated findings a run no longer finds — of every record, or of one (source,
/// id): the text was corrected or the record is no longer public. They are fixed, by
/// nobody in particular.
pub async fn close_unseen<C: ConnectionTrait>(
    conn: &C,
    run: &str,
    now: OffsetDateTime,
    record: Option<(&str, i64)>,
) -> Result<u64, DbErr> {
    let mut q = row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value("fixed"))
        .col_expr(row::Column::ResolvedAt, Expr::value(now))
        .filter(row::Column::Status.is_in(["open", "escalated"]))
        .filter(row::Column::LastRun.ne(run));
    if let Some((source, id)) = record {
        q = q.filter(row::Column::Source.eq(source)).filter(row::Column::RecordId.eq(id));
    }
    Ok(q.exec(conn).await?.rows_affected)
}

/// The findings of `orgs` (None: every body), in `statuses` (empty: all), worst first,
/// then oldest.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    orgs: Option<&[i64]>,
    statuses: &[&str],
) -> Result<Vec<row::Model>, DbErr> {
    let mut q = row::Entity::find();
    if let Some(o) = orgs {
        q = q.filter(row::Column::OrgId.is_in(o.to_vec()));
    }
    if !statuses.is_empty() {
        q = q.filter(row::Column::Status.is_in(statuses.iter().map(|s| String::from(*s))));
    }
    let mut rows = q.order_by_asc(row::Column::Id).all(conn).await?;
    let rank = |s: &str| match s {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    rows.sort_by_key(|r| (rank(&r.severity), r.due_on, r.id));
    Ok(rows)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find_by_id(id).one(conn).await
}

/// A person's decision on a finding: its new state, when, by whom and why.
pub async fn resolve<C: ConnectionTrait>(
    conn: &C,
    m: row::Model,
    status: &str,
    by: Option<i64>,
    note: Option<String>,
    now: OffsetDateTime,
) -> Result<row::Model, DbErr> {
    let mut am: row::ActiveModel = m.into();
    am.status = Set(status.into());
    am.resolved_by = Set(by);
    am.note = Set(note);
    am.resolved_at = Set(if status == "escalated" { None } else { Some(now) });
    am.update(conn).await
}

pub struct M0019PatrolFindings;

impl MigrationName for M0019PatrolFindings {
    fn name(&self) -> &str {
        "m0019_patrol_findings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0019PatrolFindings {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("patrol_finding")
                .col(big_pk_auto("id"))
                .col(string("fingerprint").unique_key())
                .col(string("source"))
                .col(big_integer("record_id"))
                .col(big_integer("org_id"))
                .col(text("title"))
                .col(string("field"))
                .col(string("kind"))
                .col(string("severity"))
                .col(text("shown"))
                .col(text("replacement"))
                .col(text("context"))
                .col(string("status"))
                .col(timestamp_with_time_zone("found_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(string("last_run"))
                .col(date_null("due_on"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(big_integer_null("resolved_by"))
                .col(text_null("note"))
                .to_owned(),
        )
        .await?;
        m.create_index(crate::migration::idx("patrol_finding", "patrol_finding_org_status", &["org_id", "status"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("patrol_finding").to_owned()).await
    }
}
