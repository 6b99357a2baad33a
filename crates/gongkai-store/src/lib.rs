//! Persistence for gongkai on SQLite (the embedded default) and PostgreSQL, through one
//! code path: sea-orm entities, one set of migrations, the same queries.
//!
//! Writes go through [`Store::begin_write`], which serialises writers: on SQLite with an
//! in-process lock (SQLite has one writer anyway, and waiting here beats `SQLITE_BUSY`),
//! on PostgreSQL with a transaction-scoped advisory lock, so that the changes feed's
//! sequence numbers become visible in the order they were assigned.

pub mod entities;
pub mod error_report;
pub mod expansion;
pub mod faq;
pub mod flash;
pub mod job;
pub mod link_status;
pub mod login_throttle;
pub mod message;
pub mod migration;
pub mod patrol;
pub mod qa_log;
pub mod queries;
pub mod rate_limit;
pub mod requests;
pub mod wording_rule;

pub use entities::*;
pub use requests::*;
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, Statement};
use sea_orm_migration::MigratorTrait;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(#[from] DbErr),
    #[error("不支持的数据库地址：{0}（应为 sqlite://… 或 postgres://…）")]
    UnsupportedUrl(String),
    #[error("数据冲突：{0}")]
    Conflict(String),
}

impl StoreError {
    /// A unique-constraint violation, reported as a conflict rather than a failure.
    pub fn is_unique_violation(&self) -> bool {
        let s = match self {
            StoreError::Db(e) => e.to_string(),
            StoreError::Conflict(_) => return true,
            _ => return false,
        };
        s.contains("UNIQUE constraint failed") || s.contains("duplicate key value")
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    write_gate: Arc<Mutex<()>>,
}

/// A write transaction holding the writers' lock until it commits or is dropped.
pub struct WriteTx {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await?;
        Ok(())
    }
}

/// Arbitrary key for the PostgreSQL advisory lock that serialises writers.
const PG_WRITE_LOCK: i64 = 0x676f6e676b6169;

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        let backend_ok =
            url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://");
        if !backend_ok {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        let url = if url.starts_with("sqlite:") && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        } else {
            url.to_string()
        };
        let mut opts = ConnectOptions::new(url.clone());
        opts.max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let db = Database::connect(opts).await?;
        if db.get_database_backend() == DbBackend::Sqlite {
            // WAL lets readers go on while one writer writes; it persists in the file.
            db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
            db.execute_unprepared("PRAGMA synchronous=NORMAL").await?;
        }
        Ok(Store { db, write_gate: Arc::new(Mutex::new(())) })
    }

    /// Brings the schema up to date. In one write transaction (both databases have
    /// transactional DDL), so that two processes starting together on a new database — a
    /// command beside a starting server, two nodes — migrate it once, one after the other.
    pub async fn migrate(&self) -> Result<()> {
        let tx = self.begin_write().await?;
        migration::Migrator::up(&tx.txn, None).await?;
        tx.commit().await
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Postgres => "postgresql",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    pub async fn begin_write(&self) -> Result<WriteTx> {
        match self.db.get_database_backend() {
            DbBackend::Postgres => {
                let txn = self.db.begin().await?;
                txn.execute_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})"),
                ))
                .await?;
                Ok(WriteTx { txn, _gate: None })
            }
            _ => {
                let gate = self.write_gate.clone().lock_owned().await;
                // IMMEDIATE takes the file's write lock at BEGIN: another process writing the
                // same file (a command beside the server) is then waited for (busy timeout),
                // instead of failing with "database is locked" when a read turns into a write.
                let txn = self
                    .db
                    .begin_with_options(sea_orm::TransactionOptions {
                        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?;
                Ok(WriteTx { txn, _gate: Some(gate) })
            }
        }
    }

    /// Refreshes the planner's statistics after a bulk load (and, on PostgreSQL, the
    /// visibility map, so counts are answered from indexes).
    pub async fn analyze(&self) -> Result<()> {
        match self.db.get_database_backend() {
            DbBackend::Postgres => self.db.execute_unprepared("VACUUM (ANALYZE) document").await?,
            _ => self.db.execute_unprepared("ANALYZE").await?,
        };
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        self.db.close().await?;
        Ok(())
    }
}

pub use sea_orm;
pub use sea_orm_migration;
