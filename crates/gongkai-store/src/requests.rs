//! Requests for disclosure (依申请公开) in storage: their tables — the request, its steps,
//! the applicant's files, the reminders, reconsiderations and lawsuits, the case library
//! and the annual report's entered figures — and the migrations that made them.

use crate::entities::entity;
use crate::migration::{add_col, fk, idx};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

entity!(info_request, "info_request", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What the applicant follows the request by (YSQ + year + sequence).
    #[sea_orm(unique)]
    pub tracking_no: String,
    /// Argon2id (older rows: SHA-256) of the query code given to the applicant; the code
    /// itself is never stored, and this never leaves the server.
    #[serde(skip)]
    pub query_code_hash: String,
    /// The organisation that answers it.
    pub org_id: i64,
    /// 申请渠道 (`RequestChannel`).
    pub intake_channel: String,
    /// 收到申请之日, by the channel's rule (第三十一条).
    pub received_on: Date,
    pub due_on: Option<Date>,
    pub status: String,
    pub applicant_kind: String,
    /// Personal data from here to `purpose`: never on public pages, in search or in logs.
    pub name: String,
    pub id_number: String,
    pub contact_person: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    pub medium: String,
    /// 申请人领取方式 (`CollectBy`).
    pub collect_by: String,
    pub purpose: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub description: String,
    /// The staff member handling it, in the answering organisation.
    pub assignee_id: Option<i64>,
    /// The decision's national outcome code, once decided.
    pub outcome: Option<String>,
    /// SHA-256 of the submitter's idempotency key, if one was sent.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
    /// The applicant's applications that day (this one included), kept once it reached the
    /// office's threshold: a hint for 第三十五条, never a reason to refuse receipt.
    pub same_day_count: Option<i32>,
});

entity!(request_step, "request_step", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    /// `gongkai_domain::handling::StepKind`: received, clarification, third_party_consultation,
    /// extension, decision, service, …
    pub kind: String,
    /// The Beijing date it counts from.
    pub on_date: Date,
    pub at: OffsetDateTime,
    pub user_id: Option<i64>,
    pub note: String,
    /// extension: working days granted.
    pub days: Option<i32>,
    /// extension: who approved it.
    pub approver: Option<String>,
    /// decision: national outcome code.
    pub outcome: Option<String>,
    /// decision: the legal basis cited.
    pub basis: Option<String>,
    /// consultation: third_party or agency; joint_review: the organisation; fee_notice: per_request or per_page.
    pub party: Option<String>,
    /// clarification: the 补正 deadline set in the notice; fee_notice: the payment deadline.
    pub due_by: Option<Date>,
    /// fee_notice: the amount in 元.
    pub amount: Option<i64>,
    /// transfer: the organisation it went to.
    pub to_org_id: Option<i64>,
    /// assign: the person it went to.
    pub to_user_id: Option<i64>,
});

entity!(request_attachment, "request_attachment", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub content: Vec<u8>,
    pub created_at: OffsetDateTime,
});

// One day's reminder to one person, by one channel (console or email).
entity!(reminder, "reminder", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sent_on: Date,
    pub user_id: i64,
    /// How the person was told (`console`, `email`); not 公开渠道, which is `channel`.
    pub notify_via: String,
    pub requests: i32,
    /// sent, failed, no_email
    pub status: String,
    pub detail: String,
    pub at: OffsetDateTime,
});

entity!(request_review, "request_review", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    /// reconsideration, litigation_direct, litigation_after
    pub kind: String,
    pub filed_on: Date,
    /// maintained, corrected, other, pending
    pub result: String,
    pub decided_on: Option<Date>,
    pub note: String,
    pub created_at: OffsetDateTime,
});

entity!(request_case, "request_case", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The closed request it is drawn from; applicant data is never copied here.
    #[sea_orm(unique)]
    pub request_id: i64,
    pub org_id: i64,
    pub title: String,
    pub outcome: String,
    pub basis: String,
    pub received_on: Date,
    pub decided_on: Date,
    pub published_at: OffsetDateTime,
    pub summary: String,
});

entity!(report_figure, "report_figure", {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    /// 0 for the whole district.
    pub org_id: i64,
    /// JSON of `gongkai_domain::report::EnteredFigures`.
    pub figures: String,
    pub updated_at: OffsetDateTime,
});

pub(crate) struct M0004Requests;

impl MigrationName for M0004Requests {
    fn name(&self) -> &str {
        "m0004_requests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004Requests {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("info_request")
                .col(big_pk_auto("id"))
                .col(string_uniq("tracking_no"))
                .col(string("query_code_hash"))
                .col(big_integer("org_id"))
                .col(string("channel"))
                .col(date("received_on"))
                .col(date_null("due_on"))
                .col(string("status"))
                .col(string("applicant_kind"))
                .col(string("name"))
                .col(string("id_number"))
                .col(string_null("contact_person"))
                .col(string("phone"))
                .col(string_null("email"))
                .col(string_null("address"))
                .col(string("medium"))
                .col(string("delivery"))
                .col(text_null("purpose"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(text("description"))
                .foreign_key(&mut fk("info_request", "org_id", "org"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("info_request", "info_request_org_due", &["org_id", "status", "due_on"])).await?;
        m.create_table(
            Table::create()
                .table("request_event")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(string("kind"))
                .col(date("on_date"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("user_id"))
                .col(text("note"))
                .foreign_key(&mut fk("request_event", "request_id", "info_request"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("request_event", "request_event_request", &["request_id", "id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("request_event").to_owned()).await?;
        m.drop_table(Table::drop().table("info_request").to_owned()).await
    }
}

pub(crate) struct M0005Reviews;

impl MigrationName for M0005Reviews {
    fn name(&self) -> &str {
        "m0005_reviews"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005Reviews {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("request_review")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(string("kind"))
                .col(date("filed_on"))
                .col(string("result"))
                .col(date_null("decided_on"))
                .col(text("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("request_review", "request_id", "info_request"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("request_review").to_owned()).await
    }
}

pub(crate) struct M0006Cases;

impl MigrationName for M0006Cases {
    fn name(&self) -> &str {
        "m0006_cases"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006Cases {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("request_case")
                .col(big_pk_auto("id"))
                .col(big_integer_uniq("request_id"))
                .col(big_integer("org_id"))
                .col(string("title"))
                .col(string("outcome"))
                .col(string("basis"))
                .col(date("received_on"))
                .col(date("decided_on"))
                .col(timestamp_with_time_zone("published_at"))
                .col(text("summary"))
                .foreign_key(&mut fk("request_case", "request_id", "info_request"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("request_case").to_owned()).await
    }
}

pub(crate) struct M0007ReportFigures;

impl MigrationName for M0007ReportFigures {
    fn name(&self) -> &str {
        "m0007_report_figures"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0007ReportFigures {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("report_figure")
                .col(big_pk_auto("id"))
                .col(integer("year"))
                .col(big_integer("org_id"))
                .col(text("figures"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        let mut i = idx("report_figure", "report_figure_year_org", &["year", "org_id"]);
        m.create_index(i.unique().to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("report_figure").to_owned()).await
    }
}

/// Handling facts in their own columns (they were packed into `note`), assignment to a
/// person, private attachments on applications, staff e-mail and the reminder log.
pub(crate) struct M0008RequestHandling;

impl MigrationName for M0008RequestHandling {
    fn name(&self) -> &str {
        "m0008_request_handling"
    }
}

/// One column per statement: SQLite cannot add several in one ALTER TABLE.

#[async_trait::async_trait]
impl MigrationTrait for M0008RequestHandling {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_col(m, "app_user", string_null("email")).await?;
        add_col(m, "info_request", big_integer_null("assignee_id")).await?;
        add_col(m, "info_request", string_null("outcome")).await?;
        add_col(m, "request_event", integer_null("days")).await?;
        add_col(m, "request_event", string_null("approver")).await?;
        add_col(m, "request_event", string_null("outcome")).await?;
        add_col(m, "request_event", text_null("basis")).await?;
        add_col(m, "request_event", string_null("party")).await?;
        add_col(m, "request_event", date_null("due_by")).await?;
        add_col(m, "request_event", big_integer_null("amount")).await?;
        add_col(m, "request_event", big_integer_null("to_org_id")).await?;
        add_col(m, "request_event", big_integer_null("to_user_id")).await?;
        m.create_index(idx("info_request", "info_request_assignee", &["assignee_id", "status"])).await?;
        // Unpack the notes written before this migration.
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT id, request_id, kind, note FROM request_event WHERE kind IN ('extension', 'decision')",
            ))
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let request_id: i64 = row.try_get("", "request_id")?;
            let kind: String = row.try_get("", "kind")?;
            let note: String = row.try_get("", "note")?;
            let mut parts = note.splitn(3, '|');
            let (first, second, rest) =
                (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            let mut up = Query::update();
            up.table("request_event").and_where(Expr::col("id").eq(id));
            if kind == "extension" {
                up.value("days", first.parse::<i32>().ok()).value("approver", second).value("note", rest);
            } else {
                up.value("outcome", first).value("basis", second).value("note", rest);
                m.exec_stmt(
                    Query::update()
                        .table("info_request")
                        .value("outcome", first)
                        .and_where(Expr::col("id").eq(request_id))
                        .to_owned(),
                )
                .await?;
            }
            m.exec_stmt(up).await?;
        }
        m.create_table(
            Table::create()
                .table("request_attachment")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(string("file_name"))
                .col(string("content_type"))
                .col(big_integer("size"))
                .col(string("sha256"))
                .col(blob("content"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("request_attachment", "request_id", "info_request"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("request_attachment", "request_attachment_request", &["request_id"])).await?;
        m.create_table(
            Table::create()
                .table("reminder")
                .col(big_pk_auto("id"))
                .col(date("sent_on"))
                .col(big_integer("user_id"))
                .col(string("channel"))
                .col(integer("requests"))
                .col(string("status"))
                .col(text("detail"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk("reminder", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        let mut i = idx("reminder", "reminder_day_user_channel", &["sent_on", "user_id", "channel"]);
        m.create_index(i.unique().to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("reminder").to_owned()).await?;
        m.drop_table(Table::drop().table("request_attachment").to_owned()).await
    }
}

/// An idempotency key on each request, so that a retried submission is not filed twice.
pub(crate) struct M0011RequestIntake;

impl MigrationName for M0011RequestIntake {
    fn name(&self) -> &str {
        "m0011_request_intake"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0011RequestIntake {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_col(m, "info_request", string_null("idempotency_key")).await?;
        m.create_index(idx("info_request", "info_request_idempotency", &["idempotency_key"])).await?;
        m.create_index(idx("info_request", "info_request_recent", &["org_id", "created_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("info_request_recent").table("info_request").to_owned()).await?;
        m.drop_index(Index::drop().name("info_request_idempotency").table("info_request").to_owned()).await?;
        m.alter_table(Table::alter().table("info_request").drop_column("idempotency_key").to_owned()).await
    }
}

/// How many applications the same identity filed that day, kept on a request when it
/// reaches the office's threshold (第三十五条: 数量、频次明显超过合理范围).
pub(crate) struct M0015RequestVolume;

impl MigrationName for M0015RequestVolume {
    fn name(&self) -> &str {
        "m0015_request_volume"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0015RequestVolume {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_col(m, "info_request", integer_null("same_day_count")).await?;
        m.create_index(idx("info_request", "info_request_identity_day", &["id_number", "received_on"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("info_request_identity_day").table("info_request").to_owned()).await?;
        m.alter_table(Table::alter().table("info_request").drop_column("same_day_count").to_owned()).await
    }
}

/// The names the glossary settled before the coming capabilities use the words: a
/// request's channel is its intake channel (公开渠道 is `channel`), how the applicant
/// collects the information is `collect_by` (送达 is the step `service`), and 征求第三方意见
/// is `third_party_consultation` (征求意见 on drafts is `consultation`). `/api/v1` keeps
/// its published names; only storage changes here.
pub(crate) struct M0017GlossaryNames;

impl MigrationName for M0017GlossaryNames {
    fn name(&self) -> &str {
        "m0017_glossary_names"
    }
}

const STEP_RENAMES: [(&str, &str); 3] = [
    ("consultation", "third_party_consultation"),
    ("consultation_reply", "third_party_reply"),
    ("delivery", "service"),
];

#[async_trait::async_trait]
impl MigrationTrait for M0017GlossaryNames {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (old, new) in STEP_RENAMES {
            rename_step(m, old, new).await?;
        }
        for (old, new) in [("channel", "intake_channel"), ("delivery", "collect_by")] {
            m.alter_table(Table::alter().table("info_request").rename_column(old, new).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (old, new) in [("channel", "intake_channel"), ("delivery", "collect_by")] {
            m.alter_table(Table::alter().table("info_request").rename_column(new, old).to_owned()).await?;
        }
        for (old, new) in STEP_RENAMES {
            rename_step(m, new, old).await?;
        }
        Ok(())
    }
}

/// Migration 18: the last two names the glossary freed. The table of 办理环节 is
/// `request_step` (one name for a step in code, database and API); the reminder's
/// `channel` becomes `notify_via`, leaving `channel` to 公开渠道.
pub(crate) struct M0018StepTable;

impl MigrationName for M0018StepTable {
    fn name(&self) -> &str {
        "m0018_step_table"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0018StepTable {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.rename_table(Table::rename().table("request_event", "request_step").to_owned()).await?;
        m.alter_table(Table::alter().table("reminder").rename_column("channel", "notify_via").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("reminder").rename_column("notify_via", "channel").to_owned()).await?;
        m.rename_table(Table::rename().table("request_step", "request_event").to_owned()).await
    }
}

async fn rename_step(m: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let q = Query::update().table("request_event").value("kind", to).and_where(Expr::col("kind").eq(from)).to_owned();
    m.exec_stmt(q).await
}
