//! Failed logins per user name and per source address (`domain::login`): the table, its
//! migration and its queries. Keys are `user:<name>` and `addr:<ip>`; a name that matches
//! no account is counted like any other, so the answers never tell which accounts exist.

use crate::entities::entity;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use time::OffsetDateTime;

entity!(row, "login_throttle", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Failures in a row.
    pub failures: i32,
    /// No try is checked before this instant.
    pub wait_until: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
});

pub async fn get<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find_by_id(key.to_string()).one(conn).await
}

/// Counts one more failure under `key` (call inside a write transaction: writers are
/// serialised, so parallel failures all count). Returns the failures in a row.
pub async fn fail<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: OffsetDateTime,
    wait: impl Fn(u32) -> Option<time::Duration>,
) -> Result<u32, DbErr> {
    let failures = get(conn, key).await?.map(|r| Ord::max(r.failures, 0) as u32).unwrap_or(0) + 1;
    let am = row::ActiveModel {
        key: Set(key.to_string()),
        failures: Set(failures as i32),
        wait_until: Set(wait(failures).map(|d| now + d)),
        updated_at: Set(now),
    };
    match get(conn, key).await? {
        Some(_) => am.update(conn).await?,
        None => am.insert(conn).await?,
    };
    Ok(failures)
}

pub async fn clear<C: ConnectionTrait>(conn: &C, key: &str) -> Result<(), DbErr> {
    row::Entity::delete_by_id(key.to_string()).exec(conn).await?;
    Ok(())
}

pub struct M0013LoginThrottle;

impl MigrationName for M0013LoginThrottle {
    fn name(&self) -> &str {
        "m0013_login_throttle"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0013LoginThrottle {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("login_throttle")
                .col(string("key").primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone_null("wait_until"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("login_throttle").to_owned()).await
    }
}
