//! 我为政府网站找错: reports from visitors, each routed to the body that owns the page, with
//! its reference, due date and answer. The reporter's contact is kept for the answer only.
//! The table, its migration and queries.

use crate::entities::entity;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use time::OffsetDateTime;

entity!(row, "error_report", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// ZC2025000001
    #[sea_orm(unique)]
    pub reference: String,
    pub kind: String,
    /// The page's path on this site, or empty.
    pub page: String,
    /// The record the page shows, when it shows one (source and id).
    pub source: Option<String>,
    pub record_id: Option<i64>,
    pub org_id: i64,
    pub description: String,
    pub contact: Option<String>,
    /// received, answered
    pub status: String,
    pub received_at: OffsetDateTime,
    pub due_on: Date,
    pub answer: Option<String>,
    pub answered_at: Option<OffsetDateTime>,
    pub answered_by: Option<i64>,
});

pub async fn insert<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.insert(conn).await
}

/// How many reports were received in `year`, for the next reference.
pub async fn count_in_year<C: ConnectionTrait>(conn: &C, year: i32) -> Result<u64, DbErr> {
    row::Entity::find().filter(row::Column::Reference.starts_with(format!("ZC{year}"))).count(conn).await
}

pub async fn by_reference<C: ConnectionTrait>(conn: &C, reference: &str) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find().filter(row::Column::Reference.eq(reference)).one(conn).await
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find_by_id(id).one(conn).await
}

/// The reports of `orgs` (None: every body), unanswered first by due date, then answered
/// newest first.
pub async fn list<C: ConnectionTrait>(conn: &C, orgs: Option<&[i64]>) -> Result<Vec<row::Model>, DbErr> {
    let mut q = row::Entity::find();
    if let Some(o) = orgs {
        q = q.filter(row::Column::OrgId.is_in(o.to_vec()));
    }
    let mut rows = q.order_by_desc(row::Column::Id).all(conn).await?;
    rows.sort_by_key(|r| (r.status != "received", if r.status == "received" { Some(r.due_on) } else { None }));
    Ok(rows)
}

/// Answered reports, newest first, a page of them.
pub async fn answered<C: ConnectionTrait>(conn: &C, offset: u64, limit: u64) -> Result<(Vec<row::Model>, u64), DbErr> {
    let q = row::Entity::find().filter(row::Column::Status.eq("answered"));
    let total = q.clone().count(conn).await?;
    let rows = q.order_by_desc(row::Column::AnsweredAt).offset(offset).limit(limit).all(conn).await?;
    Ok((rows, total))
}

pub async fn answer<C: ConnectionTrait>(
    conn: &C,
    m: row::Model,
    text: String,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<row::Model, DbErr> {
    let mut am: row::ActiveModel = m.into();
    am.status = Set("answered".into());
    am.answer = Set(Some(text));
    am.answered_by = Set(by);
    am.answered_at = Set(Some(now));
    am.update(conn).await
}

pub struct M0020ErrorReports;

impl MigrationName for M0020ErrorReports {
    fn name(&self) -> &str {
        "m0020_error_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0020ErrorReports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("error_report")
                .col(big_pk_auto("id"))
                .col(string("reference").unique_key())
                .col(string("kind"))
                .col(text("page"))
                .col(string_null("source"))
                .col(big_integer_null("record_id"))
                .col(big_integer("org_id"))
                .col(text("description"))
                .col(text_null("contact"))
                .col(string("status"))
                .col(timestamp_with_time_zone("received_at"))
                .col(date("due_on"))
                .col(text_null("answer"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(big_integer_null("answered_by"))
                .to_owned(),
        )
        .await?;
        m.create_index(crate::migration::idx("error_report", "error_report_org_status", &["org_id", "status"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("error_report").to_owned()).await
    }
}
