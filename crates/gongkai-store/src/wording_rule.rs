//! The district office's additions to the patrol's list of 严重表述错误: a wrong form and
//! the right one. The table, its migration and queries.

use crate::entities::entity;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

entity!(row, "wording_rule", {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub wrong: String,
    pub right: String,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: time::OffsetDateTime,
});

pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find().order_by_asc(row::Column::Id).all(conn).await
}

pub async fn by_wrong<C: ConnectionTrait>(conn: &C, wrong: &str) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find().filter(row::Column::Wrong.eq(wrong)).one(conn).await
}

pub async fn insert<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.insert(conn).await
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find_by_id(id).one(conn).await
}

pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    row::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

pub struct M0021WordingRules;

impl MigrationName for M0021WordingRules {
    fn name(&self) -> &str {
        "m0021_wording_rules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0021WordingRules {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("wording_rule")
                .col(big_pk_auto("id"))
                .col(string("wrong").unique_key())
                .col(string("right"))
                .col(text("note"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("wording_rule").to_owned()).await
    }
}
