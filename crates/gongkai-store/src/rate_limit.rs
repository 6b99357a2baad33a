//! Requests per source address and form in fixed windows, kept in the database so that
//! the limit holds however many nodes serve the site. The table, its migration, queries.

use crate::entities::entity;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use time::OffsetDateTime;

entity!(row, "rate_limit", {
    /// `<form>:<address>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub window_start: OffsetDateTime,
    pub count: i32,
});

/// Counts one request under `key` (inside a write transaction); returns the count in the
/// current window and when that window ends.
pub async fn hit<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: OffsetDateTime,
    window: time::Duration,
) -> Result<(u32, OffsetDateTime), DbErr> {
    let found = row::Entity::find_by_id(key.to_string()).one(conn).await?;
    let (start, count) = match &found {
        Some(r) if r.window_start + window > now => (r.window_start, Ord::max(r.count, 0) as u32 + 1),
        _ => (now, 1),
    };
    let am = row::ActiveModel { key: Set(key.to_string()), window_start: Set(start), count: Set(count as i32) };
    if found.is_some() {
        am.update(conn).await?;
    } else {
        am.insert(conn).await?;
    }
    Ok((count, start + window))
}

pub struct M0016RateLimit;

impl MigrationName for M0016RateLimit {
    fn name(&self) -> &str {
        "m0016_rate_limit"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0016RateLimit {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rate_limit")
                .col(string("key").primary_key())
                .col(timestamp_with_time_zone("window_start"))
                .col(integer("count"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rate_limit").to_owned()).await
    }
}
