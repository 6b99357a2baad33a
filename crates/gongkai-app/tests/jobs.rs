//! The job runner on both databases: a cluster job runs once however many nodes share the
//! database, a failing job is retried with backoff and then given up, a job held by a node
//! that died is taken over once its lease runs out, and a stop gives back unfinished work.

use gongkai_app::App;
use gongkai_app::jobs::{Job, JobCtx, JobFuture, JobRunner};
use gongkai_testkit::{TestDb, app_at, databases, demo_app, fixed_now};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

/// Counts its runs; fails its first `fail_first` runs (or always with usize::MAX).
struct Counter {
    kind: &'static str,
    every: Option<Duration>,
    runs: Arc<AtomicUsize>,
    fail_first: usize,
    max_attempts: i32,
    takes: Duration,
}

impl Counter {
    fn new(kind: &'static str, every: Option<Duration>) -> Counter {
        Counter { kind, every, runs: Arc::default(), fail_first: 0, max_attempts: 5, takes: Duration::ZERO }
    }
}

impl Job for Counter {
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn label(&self) -> &'static str {
        "测试任务"
    }
    fn every(&self) -> Option<Duration> {
        self.every
    }
    fn max_attempts(&self) -> i32 {
        self.max_attempts
    }
    fn run<'a>(&'a self, _ctx: &'a JobCtx) -> JobFuture<'a> {
        Box::pin(async move {
            let n = self.runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.takes).await;
            if n < self.fail_first {
                return Err(gongkai_app::AppError::Internal(format!("try {} failed", n + 1)));
            }
            Ok(None)
        })
    }
}

fn shared(jobs: &[Arc<Counter>]) -> Vec<Arc<dyn Job>> {
    jobs.iter().map(|j| j.clone() as Arc<dyn Job>).collect()
}

async fn node(db: &TestDb, name: &str, at: OffsetDateTime, jobs: &[Arc<Counter>]) -> Arc<JobRunner> {
    JobRunner::with_jobs(Arc::new(app_at(db, at).await), name, shared(jobs))
}

async fn state(app: &App, key: &str) -> gongkai_app::jobs::JobView {
    app.job(key).await.unwrap().unwrap_or_else(|| panic!("no job {key}"))
}

#[tokio::test]
async fn a_cluster_job_runs_once_however_many_nodes_share_the_database() {
    for db in databases().await {
        let b = db.backend;
        let app = demo_app(&db).await;
        let t0 = fixed_now();
        let once = Arc::new(Counter::new("test_once", None));
        let every = Arc::new(Counter::new("test_every", Some(Duration::from_secs(60))));
        let jobs = [once.clone(), every.clone()];
        let (a, c) = (node(&db, "node-a", t0, &jobs).await, node(&db, "node-b", t0, &jobs).await);
        a.start().await.unwrap();
        c.start().await.unwrap();
        a.enqueue("test_once", "test_once", serde_json::json!({})).await.unwrap();
        for _ in 0..5 {
            let (x, y) = tokio::join!(a.run_due(), c.run_due());
            x.unwrap();
            y.unwrap();
        }
        assert_eq!(once.runs.load(Ordering::SeqCst), 1, "{b}: the one-off job ran once on two nodes");
        assert_eq!(every.runs.load(Ordering::SeqCst), 1, "{b}: the recurring job ran once in its period");
        assert_eq!(state(&app, "test_once").await.state, "done");

        // A minute later both nodes try again: one more run of the recurring job, in all.
        let later = t0 + time::Duration::seconds(61);
        let (a, c) = (node(&db, "node-a", later, &jobs).await, node(&db, "node-b", later, &jobs).await);
        let (x, y) = tokio::join!(a.run_due(), c.run_due());
        assert_eq!(x.unwrap() + y.unwrap(), 1, "{b}");
        assert_eq!(every.runs.load(Ordering::SeqCst), 2, "{b}");
        assert_eq!(once.runs.load(Ordering::SeqCst), 1, "{b}");
        let e = state(&app, "test_every").await;
        assert_eq!((e.state.as_str(), e.runs), ("due", 2), "{b}: {e:?}");
        assert_eq!(e.run_at, later + time::Duration::seconds(60), "{b}");

        // Enqueued again after it finished, the one-off job runs again.
        a.enqueue("test_once", "test_once", serde_json::json!({})).await.unwrap();
        a.run_due().await.unwrap();
        assert_eq!(once.runs.load(Ordering::SeqCst), 2, "{b}");
    }
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_then_given_up() {
    for db in databases().await {
        let b = db.backend;
        let app = demo_app(&db).await;
        let t0 = fixed_now();
        let flaky = Arc::new(Counter { fail_first: usize::MAX, max_attempts: 3, ..Counter::new("test_flaky", None) });
        let jobs = [flaky.clone()];
        let at = |secs: i64| t0 + time::Duration::seconds(secs);
        node(&db, "n", t0, &jobs).await.enqueue("test_flaky", "test_flaky", serde_json::json!({})).await.unwrap();
        node(&db, "n", t0, &jobs).await.run_due().await.unwrap();
        let s = state(&app, "test_flaky").await;
        assert_eq!((s.state.as_str(), s.attempts, s.run_at), ("due", 1, at(5)), "{b}: first retry after 5 s");
        assert_eq!(s.last_error.as_deref(), Some("try 1 failed"), "{b}");
        // Not before its time.
        assert_eq!(node(&db, "n", at(4), &jobs).await.run_due().await.unwrap(), 0, "{b}");
        node(&db, "n", at(5), &jobs).await.run_due().await.unwrap();
        let s = state(&app, "test_flaky").await;
        assert_eq!((s.attempts, s.run_at), (2, at(15)), "{b}: the second retry waits 10 s");
        node(&db, "n", at(15), &jobs).await.run_due().await.unwrap();
        let s = state(&app, "test_flaky").await;
        assert_eq!((s.state.as_str(), s.attempts), ("failed", 3), "{b}: given up after 3 tries");
        assert_eq!(node(&db, "n", at(3600), &jobs).await.run_due().await.unwrap(), 0, "{b}: a failed job stays failed");
        assert_eq!(flaky.runs.load(Ordering::SeqCst), 3);

        // Failing twice, then succeeding: done, with its error cleared.
        let shaky = Arc::new(Counter { fail_first: 2, ..Counter::new("test_shaky", None) });
        let jobs = [shaky.clone()];
        node(&db, "n", t0, &jobs).await.enqueue("test_shaky", "test_shaky", serde_json::json!({})).await.unwrap();
        for t in [0, 5, 15] {
            node(&db, "n", at(t), &jobs).await.run_due().await.unwrap();
        }
        let s = state(&app, "test_shaky").await;
        assert_eq!((s.state.as_str(), s.attempts, s.last_error), ("done", 0, None), "{b}");
    }
}

#[tokio::test]
async fn a_job_held_by_a_node_that_died_is_taken_over_after_its_lease() {
    for db in databases().await {
        let b = db.backend;
        let app = demo_app(&db).await;
        let t0 = fixed_now();
        let once = Arc::new(Counter::new("test_lease", None));
        let jobs = [once.clone()];
        node(&db, "dead", t0, &jobs).await.enqueue("test_lease", "test_lease", serde_json::json!({})).await.unwrap();
        // The node claims the job and dies before finishing it.
        let claimed =
            gongkai_store::job::claim(app.store().conn(), "dead", t0, time::Duration::seconds(60), &["test_lease"])
                .await
                .unwrap();
        assert!(claimed.is_some(), "{b}");
        assert_eq!(
            node(&db, "alive", t0 + time::Duration::seconds(30), &jobs).await.run_due().await.unwrap(),
            0,
            "{b}"
        );
        assert_eq!(
            node(&db, "alive", t0 + time::Duration::seconds(61), &jobs).await.run_due().await.unwrap(),
            1,
            "{b}"
        );
        assert_eq!(once.runs.load(Ordering::SeqCst), 1);

        // A node that restarts gives back at once what it held when it stopped.
        let again = Arc::new(Counter::new("test_restart", None));
        let jobs = [again.clone()];
        let n = node(&db, "restarts", t0, &jobs).await;
        n.enqueue("test_restart", "test_restart", serde_json::json!({})).await.unwrap();
        let conn = app.store().conn();
        gongkai_store::job::claim(conn, "restarts", t0, time::Duration::seconds(60), &["test_restart"]).await.unwrap();
        assert_eq!(n.run_due().await.unwrap(), 0, "{b}: still held");
        n.start().await.unwrap();
        assert_eq!(n.run_due().await.unwrap(), 1, "{b}: taken back at start");
    }
}

#[tokio::test]
async fn a_stop_lets_short_jobs_finish_and_gives_back_long_ones() {
    let db = gongkai_testkit::sqlite();
    let app = demo_app(&db).await;
    let t0 = fixed_now();
    let quick = Arc::new(Counter { takes: Duration::from_millis(50), ..Counter::new("test_quick", None) });
    let slow = Arc::new(Counter { takes: Duration::from_secs(30), ..Counter::new("test_slow", None) });
    let jobs = [quick.clone(), slow.clone()];
    let n = node(&db, "n", t0, &jobs).await;
    n.enqueue("test_quick", "test_quick", serde_json::json!({})).await.unwrap();
    n.enqueue("test_slow", "test_slow", serde_json::json!({})).await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(n.clone().run_until(stopped, Duration::from_millis(500)));
    for _ in 0..100 {
        if quick.runs.load(Ordering::SeqCst) == 1 && slow.runs.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running).await.expect("the runner stops within its grace").unwrap();
    assert_eq!(state(&app, "test_quick").await.state, "done");
    let s = state(&app, "test_slow").await;
    assert_eq!((s.state.as_str(), s.claimed_by.as_deref()), ("due", None), "given back for the next start: {s:?}");
}
