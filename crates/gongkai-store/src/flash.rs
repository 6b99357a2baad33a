//! Flash messages: what a page shows once after a form redirected to it (Post/Redirect/
//! Get), kept server-side under a random browser token so that no one can put text on an
//! official page through a crafted link. The `flash` table, its migration and queries.

use crate::entities::entity;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use time::OffsetDateTime;

entity!(row, "flash", {
    /// SHA-256 of the browser's flash token; the token itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub expires_at: OffsetDateTime,
    /// What to show, as JSON.
    pub payload: String,
});

/// Stores (or replaces) the flash under `id` and drops every expired one.
pub async fn put<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    payload: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), DbErr> {
    row::Entity::delete_many().filter(row::Column::ExpiresAt.lt(now)).exec(conn).await?;
    let am = row::ActiveModel { id: Set(id.into()), expires_at: Set(expires_at), payload: Set(payload.into()) };
    row::Entity::insert(am)
        .on_conflict(
            OnConflict::column(row::Column::Id)
                .update_columns([row::Column::ExpiresAt, row::Column::Payload])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The flash under `id`, if it has not expired.
pub async fn get<C: ConnectionTrait>(conn: &C, id: &str, now: OffsetDateTime) -> Result<Option<String>, DbErr> {
    Ok(row::Entity::find_by_id(id.to_string())
        .filter(row::Column::ExpiresAt.gte(now))
        .one(conn)
        .await?
        .map(|r| r.payload))
}

pub async fn delete<C: ConnectionTrait>(conn: &C, id: &str) -> Result<(), DbErr> {
    row::Entity::delete_by_id(id.to_string()).exec(conn).await?;
    Ok(())
}

pub struct M0010Flash;

impl MigrationName for M0010Flash {
    fn name(&self) -> &str {
        "m0010_flash"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0010Flash {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("flash")
                .col(string("id").primary_key())
                .col(timestamp_with_time_zone("expires_at"))
                .col(text("payload"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("flash").to_owned()).await
    }
}
