//! The 12345 hotline's knowledge base (热线问答库): question–answer entries with the
//! documents and articles they rely on. The tables, their migration and queries.

use crate::entities::entity;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

entity!(row, "faq", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The body whose answer it is.
    pub org_id: i64,
    /// `draft`, `published`, `stale` (a document it relies on was revised, repealed or
    /// withdrawn: hidden until reviewed) or `withdrawn`.
    pub status: String,
    /// `hotline` (written in the console) or `import`.
    pub origin: String,
    /// The hotline's own number of the entry, when imported.
    pub external_ref: Option<String>,
    pub answered_on: Option<time::Date>,
    pub created_by: Option<i64>,
    pub created_at: time::OffsetDateTime,
    pub reviewed_by: Option<i64>,
    pub published_at: Option<time::OffsetDateTime>,
    pub stale_reason: Option<String>,
    pub updated_at: time::OffsetDateTime,
    pub question: String,
    pub answer: String,
});

entity!(basis, "faq_basis", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub faq_id: i64,
    pub document_id: i64,
    /// 第X条 (or a district document's part), empty for the document as a whole.
    pub label: String,
});

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<row::Model>, DbErr> {
    row::Entity::find_by_id(id).one(conn).await
}

pub async fn insert<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.insert(conn).await
}

pub async fn update<C: ConnectionTrait>(conn: &C, am: row::ActiveModel) -> Result<row::Model, DbErr> {
    am.update(conn).await
}

/// Entries, newest first, optionally of one status.
pub async fn list<C: ConnectionTrait>(conn: &C, status: Option<&str>, limit: u64) -> Result<Vec<row::Model>, DbErr> {
    let mut q = row::Entity::find().order_by_desc(row::Column::Id);
    if let Some(s) = status {
        q = q.filter(row::Column::Status.eq(s));
    }
    q.limit(limit).all(conn).await
}

/// Published entries with ids in `ids`.
pub async fn published_in<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<row::Model>, DbErr> {
    row::Entity::find()
        .filter(row::Column::Id.is_in(ids.to_vec()))
        .filter(row::Column::Status.eq("published"))
        .all(conn)
        .await
}

/// Ids of published entries greater than `after`, ascending.
pub async fn published_ids<C: ConnectionTrait>(conn: &C, after: i64, limit: u64) -> Result<Vec<i64>, DbErr> {
    Ok(row::Entity::find()
        .filter(row::Column::Id.gt(after))
        .filter(row::Column::Status.eq("published"))
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

pub async fn bases<C: ConnectionTrait>(conn: &C, faq_ids: &[i64]) -> Result<Vec<basis::Model>, DbErr> {
    basis::Entity::find()
        .filter(basis::Column::FaqId.is_in(faq_ids.to_vec()))
        .order_by_asc(basis::Column::Id)
        .all(conn)
        .await
}

pub async fn replace_bases<C: ConnectionTrait>(conn: &C, faq_id: i64, list: &[(i64, String)]) -> Result<(), DbErr> {
    basis::Entity::delete_many().filter(basis::Column::FaqId.eq(faq_id)).exec(conn).await?;
    for (document_id, label) in list {
        basis::ActiveModel {
            faq_id: sea_orm::Set(faq_id),
            document_id: sea_orm::Set(*document_id),
            label: sea_orm::Set(label.clone()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Published entries that rely on any of `documents`.
pub async fn relying_on<C: ConnectionTrait>(conn: &C, documents: &[i64]) -> Result<Vec<row::Model>, DbErr> {
    let ids: Vec<i64> = basis::Entity::find()
        .filter(basis::Column::DocumentId.is_in(documents.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.faq_id)
        .collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    published_in(conn, &ids).await
}

pub struct M0028Faq;

impl MigrationName for M0028Faq {
    fn name(&self) -> &str {
        "m0028_faq"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0028Faq {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("faq")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(string("status"))
                .col(string("origin"))
                .col(string_null("external_ref"))
                .col(date_null("answered_on"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(big_integer_null("reviewed_by"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(text_null("stale_reason"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(text("question"))
                .col(text("answer"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("faq_status").table("faq").col("status").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("faq_basis")
                .col(big_pk_auto("id"))
                .col(big_integer("faq_id"))
                .col(big_integer("document_id"))
                .col(string("label"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("faq_basis_document").table("faq_basis").col("document_id").to_owned())
            .await?;
        m.create_index(Index::create().name("faq_basis_faq").table("faq_basis").col("faq_id").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("faq_basis").to_owned()).await?;
        m.drop_table(Table::drop().table("faq").to_owned()).await
    }
}
