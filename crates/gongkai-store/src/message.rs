//! 咨询建言 and 领导信箱: the public's messages, each with the body answering it, its clock,
//! the writer's name and contact (for the answer only) and the answer. The table, its
//! migration and queries.

use crate::entities::entity;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

entity!(row, "message", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// LY2025000001
    #[sea_orm(unique)]
    pub reference: String,
    /// consult, leader
    pub mailbox: String,
    pub category: String,
    /// The body answering it now (a 领导信箱 message starts with the district office).
    pub org_id: i64,
    /// received, answered, rejected
    pub status: String,
    /// The writer agreed to publication.
    pub consent: bool,
    /// Public now: answered, agreed to, and chosen to publish by the body.
    pub published: bool,
    pub received_at: OffsetDateTime,
    /// The body's target (working days).
    pub due_on: Date,
    /// Three months after receipt.
    pub limit_on: Date,
    /// Argon2id of the query code the writer follows it with.
    pub query_code_hash: String,
    pub name: String,
    pub contact: String,
    pub reject_reason: Option<String>,
    pub answered_at: Option<OffsetDateTime>,
    pub answered_by: Option<i64>,
    pub subject: String,
    pub body: String,
    pub answer: Option<String>,
    /// The message as published: de-identified, and checked by the body.
    pub public_body: Option<String>,
});

pub async fn insert<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.insert(conn).await
}

pub async fn update<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.update(conn).await
}

/// How many messages were received in `year`, for the next reference.
pub async fn count_in_year<C: ConnectionTrait>(conn: &C, year: i32) -> Result<u64, DbErr> {
    row::Entity::find().filter(row::Column::Reference.starts_with(format!("LY{year}"))).count(conn).await
}

pub async fn by_reference<C: ConnectionTrait>(conn: &C, reference: &str) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find().filter(row::Column::Reference.eq(reference)).one(conn).await
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find_by_id(id).one(conn).await
}

/// The messages of `orgs` (None: every body), oldest first.
pub async fn list<C: ConnectionTrait>(conn: &C, orgs: Option<&[i64]>) -> Result<Vec<row::Model>, DbErr> {
    let mut q = row::Entity::find();
    if let Some(o) = orgs {
        q = q.filter(row::Column::OrgId.is_in(o.to_vec()));
    }
    q.order_by_asc(row::Column::Id).all(conn).await
}

/// Published messages, newest answer first, a page of them, of one category or all.
pub async fn published<C: ConnectionTrait>(
    conn: &C,
    category: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<row::Model>, u64), DbErr> {
    let mut q = row::Entity::find().filter(row::Column::Published.eq(true));
    if let Some(c) = category {
        q = q.filter(row::Column::Category.eq(c));
    }
    let total = q.clone().count(conn).await?;
    let rows = q.order_by_desc(row::Column::AnsweredAt).offset(offset).limit(limit).all(conn).await?;
    Ok((rows, total))
}

/// Published messages among `ids`.
pub async fn published_in<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find()
        .filter(row::Column::Id.is_in(ids.to_vec()))
        .filter(row::Column::Published.eq(true))
        .all(conn)
        .await
}

/// Ids of published messages after `after`, ascending.
pub async fn published_ids<C: ConnectionTrait>(conn: &C, after: i64, limit: u64) -> Result<Vec<i64>, DbErr> {
    row::Entity::find()
        .select_only()
        .column(row::Column::Id)
        .filter(row::Column::Id.gt(after))
        .filter(row::Column::Published.eq(true))
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

pub struct M0022Messages;

impl MigrationName for M0022Messages {
    fn name(&self) -> &str {
        "m0022_messages"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0022Messages {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("message")
                .col(big_pk_auto("id"))
                .col(string("reference").unique_key())
                .col(string("mailbox"))
                .col(string("category"))
                .col(big_integer("org_id"))
                .col(string("status"))
                .col(boolean("consent"))
                .col(boolean("published"))
                .col(timestamp_with_time_zone("received_at"))
                .col(date("due_on"))
                .col(date("limit_on"))
                .col(string("query_code_hash"))
                .col(string("name"))
                .col(string("contact"))
                .col(string_null("reject_reason"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(big_integer_null("answered_by"))
                .col(text("subject"))
                .col(text("body"))
                .col(text_null("answer"))
                .col(text_null("public_body"))
                .to_owned(),
        )
        .await?;
        m.create_index(crate::migration::idx("message", "message_org_status", &["org_id", "status"])).await?;
        m.create_index(crate::migration::idx("message", "message_published", &["published", "answered_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("message").to_owned()).await
    }
}
