//! The district office's additions to the colloquial→statutory expansion table of policy
//! Q&A: proposed by one person, approved by another, audited. The table, its migration
//! and queries.

use crate::entities::entity;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

entity!(row, "search_expansion", {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub colloquial: String,
    /// The statutory terms, separated by 、.
    pub statutory: String,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: time::OffsetDateTime,
    /// Set when another person approved it; only approved rows are used.
    pub approved_by: Option<i64>,
    pub approved_at: Option<time::OffsetDateTime>,
});

pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find().order_by_asc(row::Column::Id).all(conn).await
}

pub async fn approved<C: ConnectionTrait>(conn: &C) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find().filter(row::Column::ApprovedAt.is_not_null()).order_by_asc(row::Column::Id).all(conn).await
}

pub async fn by_colloquial<C: ConnectionTrait>(conn: &C, word: &str) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find().filter(row::Column::Colloquial.eq(word)).one(conn).await
}

pub async fn insert<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.insert(conn).await
}

pub async fn update<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.update(conn).await
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find_by_id(id).one(conn).await
}

pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    row::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

pub struct M0026SearchExpansions;

impl MigrationName for M0026SearchExpansions {
    fn name(&self) -> &str {
        "m0026_search_expansions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0026SearchExpansions {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("search_expansion")
                .col(big_pk_auto("id"))
                .col(string("colloquial").unique_key())
                .col(string("statutory"))
                .col(text("note"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(big_integer_null("approved_by"))
                .col(timestamp_with_time_zone_null("approved_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("search_expansion").to_owned()).await
    }
}
