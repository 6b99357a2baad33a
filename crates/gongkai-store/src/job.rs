//! Background jobs: the `job` table, its migration and its queries.
//!
//! One row per job. A recurring job keeps its row and moves `run_at` on after each run; a
//! one-off job ends `done` or `failed`. Jobs with no `node` run once per cluster: a node
//! takes one by a conditional update that only one of several nodes sharing a PostgreSQL
//! can win (`state` and `lease_until` are re-checked by the update itself), and holds it
//! under a lease it renews while it works, so a node that dies leaves the job to another
//! once the lease has run out. Jobs with a `node` are that node's own (its search index);
//! their row only records how the node's runs went.

use crate::entities::entity;
use crate::migration::idx;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use time::OffsetDateTime;

entity!(row, "job", {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Which job this is (the runner's registration name).
    pub kind: String,
    /// One row per key: `kind` for a cluster job, `kind@node` for a node's own.
    #[sea_orm(unique)]
    pub key: String,
    /// The node whose own job this is; None: any node, once per cluster.
    pub node: Option<String>,
    /// `due`, `running`, `done` or `failed`.
    pub state: String,
    pub run_at: OffsetDateTime,
    /// Seconds between runs of a recurring job; None: runs once.
    pub every_secs: Option<i64>,
    /// Failed tries since the last success.
    pub attempts: i32,
    pub max_attempts: i32,
    pub claimed_by: Option<String>,
    pub lease_until: Option<OffsetDateTime>,
    pub runs: i64,
    pub last_started_at: Option<OffsetDateTime>,
    pub last_finished_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    /// How far a long job is, in words for the console ("1023/3457").
    pub progress: Option<String>,
    pub created_at: OffsetDateTime,
    /// The job's input as JSON.
    pub payload: String,
});

pub use row::Model as Job;

pub const DUE: &str = "due";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// A job to put in the table if its key is not there yet.
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub key: &'a str,
    pub node: Option<&'a str>,
    pub run_at: OffsetDateTime,
    pub every_secs: Option<i64>,
    pub max_attempts: i32,
    pub payload: String,
}

/// Inserts the job unless a job with its key exists (whatever its state). Returns true
/// when it was inserted.
pub async fn ensure<C: ConnectionTrait>(conn: &C, j: NewJob<'_>, now: OffsetDateTime) -> Result<bool, DbErr> {
    let am = row::ActiveModel {
        kind: Set(j.kind.into()),
        key: Set(j.key.into()),
        node: Set(j.node.map(str::to_string)),
        state: Set(DUE.into()),
        run_at: Set(j.run_at),
        every_secs: Set(j.every_secs),
        attempts: Set(0),
        max_attempts: Set(j.max_attempts),
        claimed_by: Set(None),
        lease_until: Set(None),
        runs: Set(0),
        last_started_at: Set(None),
        last_finished_at: Set(None),
        last_error: Set(None),
        progress: Set(None),
        created_at: Set(now),
        payload: Set(j.payload),
        ..Default::default()
    };
    let r = row::Entity::insert(am)
        .on_conflict(OnConflict::column(row::Column::Key).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(r > 0)
}

/// Puts a finished one-off job back to run again at `run_at` (a new import, say).
pub async fn rearm<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    run_at: OffsetDateTime,
    payload: String,
) -> Result<bool, DbErr> {
    let r = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(DUE))
        .col_expr(row::Column::RunAt, Expr::value(run_at))
        .col_expr(row::Column::Attempts, Expr::value(0))
        .col_expr(row::Column::Payload, Expr::value(payload))
        .col_expr(row::Column::Progress, Expr::value(Option::<String>::None))
        .filter(row::Column::Key.eq(key))
        .filter(row::Column::State.is_in([DONE, FAILED]))
        .exec(conn)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Takes one due cluster job of one of `kinds` for `node`, or one whose holder's lease
/// ran out. None when nothing is due or another node was quicker.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    node: &str,
    now: OffsetDateTime,
    lease: time::Duration,
    kinds: &[&str],
) -> Result<Option<Job>, DbErr> {
    let available = || {
        sea_orm::Condition::any()
            .add(row::Column::State.eq(DUE).and(row::Column::RunAt.lte(now)))
            .add(row::Column::State.eq(RUNNING).and(row::Column::LeaseUntil.lt(now)))
    };
    let candidates = row::Entity::find()
        .filter(row::Column::Node.is_null())
        .filter(available())
        .filter(row::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(row::Column::RunAt)
        .limit(8)
        .all(conn)
        .await?;
    for c in candidates {
        // The update re-checks availability: of two nodes racing, one changes the row.
        let r = row::Entity::update_many()
            .col_expr(row::Column::State, Expr::value(RUNNING))
            .col_expr(row::Column::ClaimedBy, Expr::value(node))
            .col_expr(row::Column::LeaseUntil, Expr::value(now + lease))
            .col_expr(row::Column::LastStartedAt, Expr::value(now))
            .filter(row::Column::Id.eq(c.id))
            .filter(available())
            .exec(conn)
            .await?;
        if r.rows_affected == 1 {
            return row::Entity::find_by_id(c.id).one(conn).await;
        }
    }
    Ok(None)
}

/// Extends the lease of a job `node` holds, and records its progress. False when the
/// job is no longer this node's (its lease ran out and another node took it).
pub async fn renew<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    node: &str,
    until: OffsetDateTime,
    progress: Option<String>,
) -> Result<bool, DbErr> {
    let mut u = row::Entity::update_many().col_expr(row::Column::LeaseUntil, Expr::value(until));
    if let Some(p) = progress {
        u = u.col_expr(row::Column::Progress, Expr::value(p));
    }
    let r = u
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::ClaimedBy.eq(node))
        .filter(row::Column::State.eq(RUNNING))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// How a run ended.
pub enum Outcome {
    /// Succeeded; run again at this time (recurring) or never (one-off).
    Done { next: Option<OffsetDateTime>, progress: Option<String> },
    /// Failed; try again at this time, or give up (`None`).
    Failed { error: String, retry_at: Option<OffsetDateTime>, attempts: i32 },
}

/// Records how the run of a job `node` held ended.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    node: &str,
    now: OffsetDateTime,
    outcome: Outcome,
) -> Result<bool, DbErr> {
    let u = row::Entity::update_many()
        .col_expr(row::Column::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(row::Column::LeaseUntil, Expr::value(Option::<OffsetDateTime>::None))
        .col_expr(row::Column::LastFinishedAt, Expr::value(now));
    let u = match outcome {
        Outcome::Done { next, progress } => {
            let u = u
                .col_expr(row::Column::Attempts, Expr::value(0))
                .col_expr(row::Column::LastError, Expr::value(Option::<String>::None))
                .col_expr(row::Column::Runs, Expr::col(row::Column::Runs).add(1));
            let u = match progress {
                Some(p) => u.col_expr(row::Column::Progress, Expr::value(p)),
                None => u,
            };
            match next {
                Some(at) => {
                    u.col_expr(row::Column::State, Expr::value(DUE)).col_expr(row::Column::RunAt, Expr::value(at))
                }
                None => u.col_expr(row::Column::State, Expr::value(DONE)),
            }
        }
        Outcome::Failed { error, retry_at, attempts } => {
            let u = u
                .col_expr(row::Column::Attempts, Expr::value(attempts))
                .col_expr(row::Column::LastError, Expr::value(error));
            match retry_at {
                Some(at) => {
                    u.col_expr(row::Column::State, Expr::value(DUE)).col_expr(row::Column::RunAt, Expr::value(at))
                }
                None => u.col_expr(row::Column::State, Expr::value(FAILED)),
            }
        }
    };
    let r = u.filter(row::Column::Id.eq(id)).filter(row::Column::ClaimedBy.eq(node)).exec(conn).await?;
    Ok(r.rows_affected == 1)
}

/// Gives back every job `node` holds (at start after a crash, and at a clean shutdown),
/// so that it runs again at once instead of after its lease.
pub async fn release_node<C: ConnectionTrait>(conn: &C, node: &str) -> Result<u64, DbErr> {
    let r = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(DUE))
        .col_expr(row::Column::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(row::Column::LeaseUntil, Expr::value(Option::<OffsetDateTime>::None))
        .filter(row::Column::ClaimedBy.eq(node))
        .filter(row::Column::State.eq(RUNNING))
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}

/// Records a run of a node's own job (no claim: only that node runs it).
pub async fn record_node_run<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: OffsetDateTime,
    next: OffsetDateTime,
    runs: i64,
    error: Option<String>,
) -> Result<(), DbErr> {
    row::Entity::update_many()
        .col_expr(row::Column::RunAt, Expr::value(next))
        .col_expr(row::Column::LastFinishedAt, Expr::value(now))
        .col_expr(row::Column::Runs, Expr::col(row::Column::Runs).add(runs))
        .col_expr(row::Column::LastError, Expr::value(error))
        .filter(row::Column::Key.eq(key))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn by_key<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Option<Job>, DbErr> {
    row::Entity::find().filter(row::Column::Key.eq(key)).one(conn).await
}

/// Every job, cluster jobs first, then by node and name.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<Job>, DbErr> {
    row::Entity::find().order_by_asc(row::Column::Node).order_by_asc(row::Column::Key).all(conn).await
}

pub struct M0009Jobs;

impl MigrationName for M0009Jobs {
    fn name(&self) -> &str {
        "m0009_jobs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0009Jobs {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("job")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(string_uniq("key"))
                .col(string_null("node"))
                .col(string("state"))
                .col(timestamp_with_time_zone("run_at"))
                .col(big_integer_null("every_secs"))
                .col(integer("attempts").default(0))
                .col(integer("max_attempts").default(5))
                .col(string_null("claimed_by"))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(big_integer("runs").default(0))
                .col(timestamp_with_time_zone_null("last_started_at"))
                .col(timestamp_with_time_zone_null("last_finished_at"))
                .col(text_null("last_error"))
                .col(string_null("progress"))
                .col(timestamp_with_time_zone("created_at"))
                .col(text("payload"))
                .to_owned(),
        )
        .await?;
        m.create_index(idx("job", "job_due", &["state", "run_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("job").to_owned()).await
    }
}
