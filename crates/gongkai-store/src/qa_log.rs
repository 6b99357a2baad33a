//! What policy Q&A was asked and answered, kept for audit for a set period: questions are
//! masked before they are written here, and nothing here is public or searchable. The
//! table, its migration and queries.

use crate::entities::entity;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

entity!(row, "qa_log", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub asked_at: time::OffsetDateTime,
    /// `portal` or `api`.
    pub channel: String,
    pub answered: bool,
    /// Whether the operator's language model wrote the answer.
    pub written: bool,
    /// The best passage's evidence in thousandths, for calibrating the gate: word
    /// coverage and the cosine with the question.
    pub coverage_pm: i32,
    pub dense_pm: Option<i32>,
    /// The citations shown, as 《title》label lines.
    pub citations: String,
    /// The question, masked.
    pub question: String,
    /// The answer as shown.
    pub answer: String,
    /// What was sent to the language model (masked), when one was asked.
    pub prompt: Option<String>,
});

pub async fn insert<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    sea_orm::ActiveModelTrait::insert(am, conn).await
}

/// Entries asked at or after `since`, newest first, at most `limit`.
pub async fn recent<C: ConnectionTrait>(
    conn: &C,
    since: time::OffsetDateTime,
    limit: u64,
) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find()
        .filter(row::Column::AskedAt.gte(since))
        .order_by_desc(row::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Removes entries asked before `before` (the retention period). Returns how many.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: time::OffsetDateTime) -> Result<u64, DbErr> {
    Ok(row::Entity::delete_many().filter(row::Column::AskedAt.lt(before)).exec(conn).await?.rows_affected)
}

pub struct M0027QaLog;

impl MigrationName for M0027QaLog {
    fn name(&self) -> &str {
        "m0027_qa_log"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0027QaLog {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("qa_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("asked_at"))
                .col(string("channel"))
                .col(boolean("answered"))
                .col(boolean("written"))
                .col(integer("coverage_pm"))
                .col(integer_null("dense_pm"))
                .col(text("citations"))
                .col(text("question"))
                .col(text("answer"))
                .col(text_null("prompt"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("qa_log_asked_at").table("qa_log").col("asked_at").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("qa_log").to_owned()).await
    }
}
