//! What the link checker last learnt of each outside address: whether it answered, how,
//! and when. A patrol interrupted by a restart goes on from here instead of asking every
//! site again; a publication's own patrol reads it without going out to the network.

use crate::entities::entity;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

entity!(row, "link_status", {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub url: String,
    pub ok: bool,
    /// The HTTP status of the last answer, if one came.
    pub status: Option<i32>,
    /// Why it failed, in words (超时, 无法连接, 指向内网地址).
    pub error: Option<String>,
    pub checked_at: OffsetDateTime,
});

/// What is known of `urls`.
pub async fn of<C: ConnectionTrait>(conn: &C, urls: &[String]) -> Result<Vec<row::Model>, DbErr> {
    let mut out = Vec::new();
    // Bounded IN lists: PostgreSQL and SQLite both cap the parameters of one statement.
    for chunk in urls.chunks(500) {
        out.extend(row::Entity::find().filter(row::Column::Url.is_in(chunk.to_vec())).all(conn).await?);
    }
    Ok(out)
}

/// Records the answers, replacing what was known.
pub async fn save<C: ConnectionTrait>(conn: &C, rows: Vec<row::ActiveModel>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    row::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(row::Column::Url)
                .update_columns([row::Column::Ok, row::Column::Status, row::Column::Error, row::Column::CheckedAt])
                .to_owned(),
        )
        .exec(conn)
        .await?;
    Ok(())
}

pub struct M0023LinkStatus;

impl MigrationName for M0023LinkStatus {
    fn name(&self) -> &str {
        "m0023_link_status"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0023LinkStatus {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("link_status")
                .col(big_pk_auto("id"))
                .col(boolean("ok"))
                .col(integer_null("status"))
                .col(text_null("error"))
                .col(timestamp_with_time_zone("checked_at"))
                .col(text("url").unique_key())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("link_status").to_owned()).await
    }
}
