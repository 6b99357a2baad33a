//! One set of migrations for SQLite and PostgreSQL. Never edit a released migration:
//! add a new one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Initial),
            Box::new(M0002Calendar),
            Box::new(M0003SearchTerms),
            Box::new(crate::requests::M0004Requests),
            Box::new(crate::requests::M0005Reviews),
            Box::new(crate::requests::M0006Cases),
            Box::new(crate::requests::M0007ReportFigures),
            Box::new(crate::requests::M0008RequestHandling),
            Box::new(crate::job::M0009Jobs),
            Box::new(crate::flash::M0010Flash),
            Box::new(crate::requests::M0011RequestIntake),
            Box::new(M0012FourEyes),
            Box::new(crate::login_throttle::M0013LoginThrottle),
            Box::new(M0014SessionIdle),
            Box::new(crate::requests::M0015RequestVolume),
            Box::new(crate::rate_limit::M0016RateLimit),
            Box::new(crate::requests::M0017GlossaryNames),
            Box::new(crate::requests::M0018StepTable),
            Box::new(crate::patrol::M0019PatrolFindings),
            Box::new(crate::error_report::M0020ErrorReports),
            Box::new(crate::wording_rule::M0021WordingRules),
            Box::new(crate::message::M0022Messages),
            Box::new(crate::link_status::M0023LinkStatus),
            Box::new(M0024AttachmentWithheld),
            Box::new(M0025PrivacyException),
            Box::new(crate::expansion::M0026SearchExpansions),
            Box::new(crate::qa_log::M0027QaLog),
            Box::new(crate::faq::M0028Faq),
        ]
    }
}

struct M0001Initial;

impl MigrationName for M0001Initial {
    fn name(&self) -> &str {
        "m0001_initial"
    }
}

pub(crate) fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from_table, from_col).to(to_table, "id").to_owned()
}

pub(crate) fn idx(table: &'static str, name: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Initial {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("org")
                .col(big_pk_auto("id"))
                .col(big_integer_null("parent_id"))
                .col(string("kind"))
                .col(string("name"))
                .col(string_null("issuer_code"))
                .col(string_uniq("credit_code"))
                .col(integer("review_levels").default(1))
                .col(boolean("require_interpretation").default(true))
                .col(boolean("is_sample").default(false))
                .col(integer("sort").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("org", "parent_id", "org"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("app_user")
                .col(big_pk_auto("id"))
                .col(string_uniq("username"))
                .col(string("display_name"))
                .col(string("role"))
                .col(big_integer("org_id"))
                .col(string("password_hash"))
                .col(integer("failed_logins").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("app_user", "org_id", "org"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("session")
                .col(string("id").primary_key())
                .col(big_integer("user_id"))
                .col(string("csrf_token"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk("session", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("api_token")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(big_integer("user_id"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(boolean("revoked").default(false))
                .foreign_key(&mut fk("api_token", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("topic")
                .col(big_pk_auto("id"))
                .col(string_uniq("path"))
                .col(integer("sort").default(0))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("index_seq")
                .col(big_integer("org_id"))
                .col(integer("year"))
                .col(big_integer("next_seq"))
                .primary_key(Index::create().col("org_id").col("year"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("document")
                .col(big_pk_auto("id"))
                .col(big_integer("family_id"))
                .col(integer("version_no").default(1))
                .col(text_null("version_note"))
                .col(string_uniq("index_no"))
                .col(text("title"))
                .col(big_integer("org_id"))
                .col(text("issuer"))
                .col(text("co_issuers"))
                .col(string_null("doc_no"))
                .col(string_null("doc_no_code"))
                .col(integer_null("doc_no_year"))
                .col(big_integer_null("doc_no_seq"))
                .col(string_null("kind"))
                .col(string("category"))
                .col(string_null("legal_level"))
                .col(string_null("topic"))
                .col(date_null("signed_on"))
                .col(date_null("published_on"))
                .col(date_null("effective_on"))
                .col(date_null("expires_on"))
                .col(string("disclosure_mode"))
                .col(text_null("withheld_reason"))
                .col(text("keywords"))
                .col(string("status"))
                .col(integer("reviews_passed").default(0).to_owned())
                .col(timestamp_with_time_zone_null("publish_at"))
                .col(text_null("withdrawn_reason"))
                .col(boolean("declared_expired").default(false))
                .col(big_integer_null("superseded_by"))
                .col(big_integer_null("repealed_by"))
                .col(string_null("external_id").unique_key())
                .col(text_null("source"))
                .col(text_null("history_note"))
                .col(boolean("is_sample").default(false))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                // Large values go last: SQLite walks a value's overflow pages to reach any
                // column stored after it, so a body in the middle made every filter read it.
                .col(text("body"))
                .foreign_key(&mut fk("document", "org_id", "org"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("document", "document_family", &["family_id", "version_no"])).await?;
        // Public lists: status and latest-version filter, newest first, answered from the index.
        m.create_index(idx("document", "document_public", &["status", "superseded_by", "published_on", "id"])).await?;
        m.create_index(idx("document", "document_doc_no", &["doc_no_code", "doc_no_year", "doc_no_seq"])).await?;
        m.create_index(idx("document", "document_org", &["org_id", "status"])).await?;
        m.create_table(
            Table::create()
                .table("attachment")
                .col(big_pk_auto("id"))
                .col(big_integer("document_id"))
                .col(text("file_name"))
                .col(string("content_type"))
                .col(big_integer("size"))
                .col(string("sha256"))
                .col(integer("sort").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(text("extracted_text"))
                .col(blob("content"))
                .foreign_key(&mut fk("attachment", "document_id", "document"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("attachment", "attachment_document", &["document_id"])).await?;
        m.create_table(
            Table::create()
                .table("interpretation")
                .col(big_pk_auto("id"))
                .col(text("title"))
                .col(string("form"))
                .col(big_integer("org_id"))
                .col(text_null("author"))
                .col(text("body"))
                .col(text_null("media_url"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(boolean("is_sample").default(false))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("interpretation", "org_id", "org"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("interpretation_link")
                .col(big_integer("interpretation_id"))
                .col(big_integer("document_id"))
                .primary_key(Index::create().col("interpretation_id").col("document_id"))
                .foreign_key(&mut fk("interpretation_link", "interpretation_id", "interpretation"))
                .foreign_key(&mut fk("interpretation_link", "document_id", "document"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("interpretation_link", "interpretation_link_document", &["document_id"])).await?;
        m.create_table(
            Table::create()
                .table("repeal_link")
                .col(big_integer("repealing_id"))
                .col(big_integer("repealed_id"))
                .primary_key(Index::create().col("repealing_id").col("repealed_id"))
                .foreign_key(&mut fk("repeal_link", "repealing_id", "document"))
                .foreign_key(&mut fk("repeal_link", "repealed_id", "document"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("user_id"))
                .col(string("actor"))
                .col(string("action"))
                .col(string("entity"))
                .col(big_integer_null("entity_id"))
                .col(text_null("before"))
                .col(text_null("after"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("audit_log", "audit_log_entity", &["entity", "entity_id"])).await?;
        m.create_table(
            Table::create()
                .table("change_log")
                .col(big_pk_auto("seq"))
                .col(string("entity"))
                .col(big_integer("entity_id"))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "change_log",
            "audit_log",
            "repeal_link",
            "interpretation_link",
            "interpretation",
            "attachment",
            "document",
            "index_seq",
            "topic",
            "api_token",
            "session",
            "app_user",
            "org",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// Years of the official calendar loaded by the district office (shipped years need no row).
struct M0002Calendar;

impl MigrationName for M0002Calendar {
    fn name(&self) -> &str {
        "m0002_calendar"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Calendar {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("calendar_year")
                .col(integer("year").primary_key())
                .col(text("source"))
                .col(timestamp_with_time_zone("loaded_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("calendar_year").to_owned()).await
    }
}

struct M0003SearchTerms;

impl MigrationName for M0003SearchTerms {
    fn name(&self) -> &str {
        "m0003_search_terms"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003SearchTerms {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("search_term")
                .col(big_pk_auto("id"))
                .col(string_uniq("term"))
                .col(string("note").default(""))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("search_term").to_owned()).await
    }
}

/// The four-eyes rule: who passed which review level, per document and interpretation;
/// the rule's switch per organisation. Interpretations get review levels of their own.
struct M0012FourEyes;

impl MigrationName for M0012FourEyes {
    fn name(&self) -> &str {
        "m0012_four_eyes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0012FourEyes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_col(m, "org", boolean("four_eyes").default(true).to_owned()).await?;
        add_col(m, "document", string("reviewed_by").default("").to_owned()).await?;
        add_col(m, "interpretation", integer("reviews_passed").default(0).to_owned()).await?;
        add_col(m, "interpretation", string("reviewed_by").default("").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (t, c) in [
            ("interpretation", "reviewed_by"),
            ("interpretation", "reviews_passed"),
            ("document", "reviewed_by"),
            ("org", "four_eyes"),
        ] {
            m.alter_table(Table::alter().table(t).drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}

/// When a session was last used, for the idle timeout.
struct M0014SessionIdle;

impl MigrationName for M0014SessionIdle {
    fn name(&self) -> &str {
        "m0014_session_idle"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0014SessionIdle {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_col(m, "session", timestamp_with_time_zone_null("last_seen_at")).await?;
        m.create_index(idx("session", "session_expires", &["expires_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("session_expires").table("session").to_owned()).await?;
        m.alter_table(Table::alter().table("session").drop_column("last_seen_at").to_owned()).await
    }
}

/// An attachment withheld from the public (personal data in a file that cannot be masked
/// here), with the reason shown in its place.
struct M0024AttachmentWithheld;

impl MigrationName for M0024AttachmentWithheld {
    fn name(&self) -> &str {
        "m0024_attachment_withheld"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0024AttachmentWithheld {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_col(m, "attachment", text_null("withheld_reason")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("attachment").drop_column("withheld_reason").to_owned()).await
    }
}

/// A document's declared exception to de-identification (惩戒公示, 强制性信息披露).
struct M0025PrivacyException;

impl MigrationName for M0025PrivacyException {
    fn name(&self) -> &str {
        "m0025_privacy_exception"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0025PrivacyException {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_col(m, "document", string_null("privacy_exception")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("document").drop_column("privacy_exception").to_owned()).await
    }
}

/// Adds a column to an existing table.
pub(crate) async fn add_col(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    let mut col = col;
    m.alter_table(Table::alter().table(table).add_column(&mut col).to_owned()).await
}
