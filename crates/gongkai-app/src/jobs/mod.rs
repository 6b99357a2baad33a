//! Background jobs: one runner for every kind of work that happens without a request.
//!
//! A job is a type implementing [`Job`], registered in [`registered`] (one line per job).
//! Two scopes:
//! - [`Scope::Cluster`]: runs once across every node sharing the database (scheduled
//!   publication, the daily reminder, the laws import; later comment periods closing,
//!   patrol runs, digests, catalog deadlines). A node claims it through the `job` table
//!   (`gongkai_store::job`) and holds it under a lease it renews while it works.
//! - [`Scope::Node`]: runs on every node for that node alone (its search index, DESIGN.md
//!   §5); the table only records how it went.
//!
//! A failed run is tried again after 5 s, 10 s, 20 s … (at most an hour) until
//! `max_attempts`; a one-off job then stays `failed` with its error for `gongkai jobs`,
//! a recurring one waits for its next period. [`JobRunner::run_until`] stops taking work
//! when told to shut down, lets running jobs finish for a while, and gives back what is
//! left so another node (or the next start) takes it at once.

use crate::{App, AppError, Result};
use gongkai_store::job::{self as q, NewJob, Outcome};
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// What a job's run returns: a progress note to keep (e.g. the date it last did its work).
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<String>>> + Send + 'a>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Cluster,
    Node,
}

/// One kind of background work.
pub trait Job: Send + Sync + 'static {
    /// Its name in the table and in `gongkai jobs`.
    fn kind(&self) -> &'static str;
    /// Shown in the console and `gongkai jobs`.
    fn label(&self) -> &'static str;
    fn scope(&self) -> Scope {
        Scope::Cluster
    }
    /// The period of a recurring job; None for one run, enqueued with [`App::enqueue_job`].
    fn every(&self) -> Option<Duration>;
    fn max_attempts(&self) -> i32 {
        5
    }
    fn run<'a>(&'a self, ctx: &'a JobCtx) -> JobFuture<'a>;
}

/// The registration list: every job there is.
pub fn registered() -> Vec<Arc<dyn Job>> {
    vec![
        Arc::new(crate::documents::ReleaseScheduled),
        Arc::new(crate::reminders::DailyReminder),
        Arc::new(crate::import::ImportLaws),
        Arc::new(crate::search::SearchIndexer),
        Arc::new(crate::search::semantic::EmbedPassages),
        Arc::new(crate::auth::PurgeExpired),
        Arc::new(crate::patrol::DailyPatrol),
    ]
}

/// What a run sees.
pub struct JobCtx {
    pub app: Arc<App>,
    /// The job's input (JSON), as enqueued.
    pub payload: String,
    /// The note the last successful run left.
    pub last_progress: Option<String>,
    progress: Arc<Mutex<Option<String>>>,
}

impl JobCtx {
    /// Records how far the run is; written to the table with the lease renewals.
    pub fn progress(&self, note: impl Into<String>) {
        if let Ok(mut p) = self.progress.lock() {
            *p = Some(note.into());
        }
    }
}

/// A job as `gongkai jobs` and the console show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub kind: String,
    pub label: String,
    pub key: String,
    pub scope: Scope,
    pub node: Option<String>,
    pub state: String,
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    pub every_secs: Option<i64>,
    pub runs: i64,
    pub attempts: i32,
    pub max_attempts: i32,
    pub claimed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_finished_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub progress: Option<String>,
}

impl App {
    /// Puts a one-off job in the queue, to run as soon as a node is free. A job under the
    /// same key that is still waiting or running is left as it is; a finished one runs again.
    pub async fn enqueue_job(&self, kind: &str, key: &str, payload: serde_json::Value) -> Result<()> {
        let job = registered()
            .into_iter()
            .find(|j| j.kind() == kind)
            .ok_or_else(|| AppError::Internal(format!("no job {kind}")))?;
        self.enqueue(job.as_ref(), key, payload).await
    }

    async fn enqueue(&self, job: &dyn Job, key: &str, payload: serde_json::Value) -> Result<()> {
        let kind = job.kind();
        let tx = self.store.begin_write().await?;
        let inserted = q::ensure(
            &*tx,
            NewJob {
                kind,
                key,
                node: None,
                run_at: self.now(),
                every_secs: None,
                max_attempts: job.max_attempts(),
                payload: payload.to_string(),
            },
            self.now(),
        )
        .await?;
        if !inserted {
            q::rearm(&*tx, key, self.now(), payload.to_string()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every job with how it last went.
    pub async fn jobs(&self) -> Result<Vec<JobView>> {
        let labels: HashMap<&str, &str> = registered().iter().map(|j| (j.kind(), j.label())).collect();
        Ok(q::list(self.store.conn())
            .await?
            .into_iter()
            .map(|j| JobView {
                label: labels.get(j.kind.as_str()).copied().unwrap_or("").to_string(),
                scope: if j.node.is_some() { Scope::Node } else { Scope::Cluster },
                kind: j.kind,
                key: j.key,
                node: j.node,
                state: j.state,
                run_at: j.run_at,
                every_secs: j.every_secs,
                runs: j.runs,
                attempts: j.attempts,
                max_attempts: j.max_attempts,
                claimed_by: j.claimed_by,
                last_finished_at: j.last_finished_at,
                last_error: j.last_error,
                progress: j.progress,
            })
            .collect())
    }

    /// One job by its key.
    pub async fn job(&self, key: &str) -> Result<Option<JobView>> {
        Ok(self.jobs().await?.into_iter().find(|j| j.key == key))
    }
}

/// Delay before try `attempt` (1-based) of a failed job.
pub fn backoff(attempt: i32) -> Duration {
    let secs = 5u64.saturating_mul(1u64 << (attempt.clamp(1, 20) - 1) as u32);
    Duration::from_secs(secs.min(3600))
}

struct Running {
    kind: String,
    handle: tokio::task::JoinHandle<()>,
    progress: Arc<Mutex<Option<String>>>,
    renewed: Instant,
}

/// Runs the registered jobs for one node.
pub struct JobRunner {
    app: Arc<App>,
    node: String,
    jobs: Vec<Arc<dyn Job>>,
    lease: Duration,
    running: Mutex<HashMap<i64, Running>>,
}

fn std_to_time(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

impl JobRunner {
    /// The runner of `node` (a name stable across restarts: host and data folder).
    pub fn new(app: Arc<App>, node: impl Into<String>) -> Arc<JobRunner> {
        Self::with_jobs(app, node, registered())
    }

    /// With other jobs than the registered ones (tests).
    pub fn with_jobs(app: Arc<App>, node: impl Into<String>, jobs: Vec<Arc<dyn Job>>) -> Arc<JobRunner> {
        Arc::new(JobRunner {
            app,
            node: node.into(),
            jobs,
            lease: Duration::from_secs(60),
            running: Mutex::new(HashMap::new()),
        })
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// Enqueues one of this runner's one-off jobs (see [`App::enqueue_job`]).
    pub async fn enqueue(&self, kind: &str, key: &str, payload: serde_json::Value) -> Result<()> {
        let job = self.handler(kind).ok_or_else(|| AppError::Internal(format!("no job {kind}")))?;
        self.app.enqueue(job.as_ref(), key, payload).await
    }

    fn node_key(&self, kind: &str) -> String {
        format!("{kind}@{}", self.node)
    }

    /// Takes back what this node held when it stopped, and puts every recurring job in
    /// the table if it is not there yet.
    pub async fn start(&self) -> Result<()> {
        let now = self.app.now();
        let tx = self.app.store.begin_write().await?;
        let released = q::release_node(&*tx, &self.node).await?;
        if released > 0 {
            tracing::info!(jobs = released, node = %self.node, "jobs left running at the last stop taken back");
        }
        for job in &self.jobs {
            let Some(every) = job.every() else { continue };
            let key = match job.scope() {
                Scope::Cluster => job.kind().to_string(),
                Scope::Node => self.node_key(job.kind()),
            };
            q::ensure(
                &*tx,
                NewJob {
                    kind: job.kind(),
                    key: &key,
                    node: (job.scope() == Scope::Node).then_some(self.node.as_str()),
                    run_at: now,
                    every_secs: Some(every.as_secs().max(1) as i64),
                    max_attempts: job.max_attempts(),
                    payload: "{}".into(),
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    fn handler(&self, kind: &str) -> Option<Arc<dyn Job>> {
        self.jobs.iter().find(|j| j.kind() == kind).cloned()
    }

    /// Claims one due cluster job of a kind this runner knows (a newer node's kinds are
    /// left to it) and that is not already running here.
    async fn claim(&self) -> Result<Option<q::Job>> {
        let busy: Vec<String> =
            self.running.lock().map(|r| r.values().map(|x| x.kind.clone()).collect()).unwrap_or_default();
        let kinds: Vec<&str> = self
            .jobs
            .iter()
            .filter(|j| j.scope() == Scope::Cluster && !busy.iter().any(|b| b == j.kind()))
            .map(|j| j.kind())
            .collect();
        if kinds.is_empty() {
            return Ok(None);
        }
        let tx = self.app.store.begin_write().await?;
        let job = q::claim(&*tx, &self.node, self.app.now(), std_to_time(self.lease), &kinds).await?;
        tx.commit().await?;
        Ok(job)
    }

    /// Runs one claimed job to its end and records the outcome.
    async fn execute(self: &Arc<Self>, job: q::Job, progress: Arc<Mutex<Option<String>>>) {
        let Some(handler) = self.handler(&job.kind) else { return };
        let ctx = JobCtx {
            app: self.app.clone(),
            payload: job.payload.clone(),
            last_progress: job.progress.clone(),
            progress: progress.clone(),
        };
        let h = handler.clone();
        // Its own task, so that a panic in the job is a failed run, not a dead runner.
        let result = match tokio::spawn(async move { h.run(&ctx).await }).await {
            Ok(r) => r,
            Err(e) => Err(AppError::Internal(format!("job panicked: {e}"))),
        };
        let now = self.app.now();
        let every = job.every_secs.map(|s| time::Duration::seconds(s.max(1)));
        let outcome = match result {
            Ok(note) => {
                let note = note.or_else(|| progress.lock().ok().and_then(|p| p.clone()));
                Outcome::Done { next: every.map(|e| now + e), progress: note }
            }
            Err(e) => {
                let attempts = job.attempts + 1;
                let cause = match &e {
                    AppError::Internal(c) => c.clone(),
                    other => other.message(),
                };
                tracing::warn!(job = %job.key, attempt = attempts, error = %cause, "job failed");
                if attempts < job.max_attempts {
                    Outcome::Failed { error: cause, retry_at: Some(now + std_to_time(backoff(attempts))), attempts }
                } else if let Some(e) = every {
                    // A recurring job gives up on this period and waits for the next.
                    Outcome::Failed { error: cause, retry_at: Some(now + e), attempts: 0 }
                } else {
                    Outcome::Failed { error: cause, retry_at: None, attempts }
                }
            }
        };
        let recorded = async {
            let tx = self.app.store.begin_write().await?;
            let mine = q::finish(&*tx, job.id, &self.node, now, outcome).await?;
            tx.commit().await?;
            Ok::<bool, AppError>(mine)
        };
        match recorded.await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(job = %job.key, "job finished after another node took it over"),
            Err(e) => tracing::error!(job = %job.key, error = %e, "could not record the job's end"),
        }
    }

    /// Claims and runs every due cluster job here and now, one after another. Returns how
    /// many ran.
    pub async fn run_due(self: &Arc<Self>) -> Result<usize> {
        let mut n = 0;
        while let Some(job) = self.claim().await? {
            self.execute(job, Arc::default()).await;
            n += 1;
        }
        Ok(n)
    }

    /// One turn of the loop: renew the leases of what runs here, forget what finished,
    /// and start every due job in a task of its own.
    pub async fn tick(self: &Arc<Self>) -> Result<usize> {
        let renew: Vec<(i64, Option<String>)> = match self.running.lock() {
            Ok(mut r) => {
                r.retain(|_, x| !x.handle.is_finished());
                r.iter_mut()
                    .filter(|(_, x)| x.renewed.elapsed() >= self.lease / 4)
                    .map(|(id, x)| {
                        x.renewed = Instant::now();
                        (*id, x.progress.lock().ok().and_then(|p| p.clone()))
                    })
                    .collect()
            }
            Err(_) => vec![],
        };
        for (id, progress) in renew {
            let tx = self.app.store.begin_write().await?;
            let until = self.app.now() + std_to_time(self.lease);
            if !q::renew(&*tx, id, &self.node, until, progress).await? {
                tracing::warn!(job = id, "lease lost: another node took the job over");
            }
            tx.commit().await?;
        }
        let mut started = 0;
        while let Some(job) = self.claim().await? {
            let progress: Arc<Mutex<Option<String>>> = Arc::default();
            let (id, kind) = (job.id, job.kind.clone());
            let me = self.clone();
            let p = progress.clone();
            let handle = tokio::spawn(async move { me.execute(job, p).await });
            if let Ok(mut r) = self.running.lock() {
                r.insert(id, Running { kind, handle, progress, renewed: Instant::now() });
            }
            started += 1;
        }
        Ok(started)
    }

    /// Runs this node's own jobs and claims cluster jobs until `shutdown` turns true; then
    /// waits up to `grace` for running jobs and gives back the rest.
    pub async fn run_until(self: Arc<Self>, mut shutdown: tokio::sync::watch::Receiver<bool>, grace: Duration) {
        if let Err(e) = self.start().await {
            tracing::error!(error = %e, "job runner could not start");
        }
        let mut node_loops = Vec::new();
        for job in self.jobs.iter().filter(|j| j.scope() == Scope::Node) {
            node_loops.push(tokio::spawn(self.clone().node_loop(job.clone(), shutdown.clone())));
        }
        loop {
            if *shutdown.borrow() {
                break;
            }
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "job runner tick failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => {}
            }
        }
        let deadline = Instant::now() + grace;
        loop {
            let left = self.running.lock().map(|r| r.values().filter(|x| !x.handle.is_finished()).count()).unwrap_or(0);
            if left == 0 || Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if let Ok(mut r) = self.running.lock() {
            for (_, x) in r.drain() {
                x.handle.abort();
            }
        }
        for l in node_loops {
            let _ = l.await;
        }
        let released = async {
            let tx = self.app.store.begin_write().await?;
            let n = q::release_node(&*tx, &self.node).await?;
            tx.commit().await?;
            Ok::<u64, AppError>(n)
        };
        match released.await {
            Ok(0) => tracing::info!("job runner stopped"),
            Ok(n) => tracing::info!(jobs = n, "job runner stopped; unfinished jobs given back"),
            Err(e) => tracing::error!(error = %e, "could not give back unfinished jobs"),
        }
    }

    /// A node job: run every period; the table is told at most every 30 s, and at once
    /// when it starts or stops failing.
    async fn node_loop(self: Arc<Self>, job: Arc<dyn Job>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let every = job.every().unwrap_or(Duration::from_secs(1));
        let key = self.node_key(job.kind());
        let (mut runs, mut last_error, mut told) = (0i64, None::<String>, None::<Instant>);
        while !*shutdown.borrow() {
            let ctx =
                JobCtx { app: self.app.clone(), payload: "{}".into(), last_progress: None, progress: Arc::default() };
            let h = job.clone();
            let result = match tokio::spawn(async move { h.run(&ctx).await }).await {
                Ok(r) => r,
                Err(e) => Err(AppError::Internal(format!("job panicked: {e}"))),
            };
            runs += 1;
            let error = result.err().map(|e| match e {
                AppError::Internal(c) => c,
                other => other.message(),
            });
            if let Some(e) = &error
                && last_error.as_ref() != Some(e)
            {
                tracing::warn!(job = %key, error = %e, "node job failed");
            }
            let changed = error != last_error;
            last_error = error;
            if changed || told.is_none_or(|t| t.elapsed() >= Duration::from_secs(30)) {
                let now = self.app.now();
                let r = async {
                    let tx = self.app.store.begin_write().await?;
                    q::record_node_run(&*tx, &key, now, now + std_to_time(every), runs, last_error.clone()).await?;
                    tx.commit().await?;
                    Ok::<(), AppError>(())
                };
                if r.await.is_ok() {
                    runs = 0;
                    told = Some(Instant::now());
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn retries_back_off_to_at_most_an_hour() {
        let secs: Vec<u64> = (1..=12).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]);
        assert_eq!(backoff(0), Duration::from_secs(5));
        assert_eq!(backoff(500), Duration::from_secs(3600));
    }
}
