//! The search benchmark of issue 3. `corpus` writes the corpora and the queries every
//! engine runs; `run` builds one engine's index over one corpus and measures it, printing
//! one JSON line. Lucene runs the same files from `bench/lucene/LuceneBench.java`;
//! `scripts/search-bench.sh` runs everything in one go and prints the tables.
//!
//! A "page" is what a results page needs: the top 10 with snippets, the exact total, and
//! counts for five facets (issuer, category, validity, year, kind).

mod corpus;
mod patrol;

use clap::{Parser, Subcommand};
use corpus::*;
use gongkai_search::analysis::{WordTokenizer, is_cjk};
use gongkai_search::{SearchDoc, SearchIndex, SearchQuery};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{self, ConnectOptions, Connection, Row, SqliteConnection};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes laws.jsonl (the laws corpus, normalised), scaled.jsonl (N generated
    /// policy documents) and queries.jsonl into OUT.
    Corpus {
        #[arg(long)]
        laws: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        scaled: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Builds ENGINE's index over CORPUS in WORK, runs the queries and the QA questions.
    Run {
        #[arg(long)]
        engine: String,
        #[arg(long)]
        corpus: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        #[arg(long)]
        qa: Option<PathBuf>,
        #[arg(long)]
        work: PathBuf,
        #[arg(long, default_value_t = 50)]
        iterations: usize,
    },
    /// The content patrol's detectors over every body of a JSON Lines corpus, on one core:
    /// throughput, and what they find (the laws hold no personal data: every personal hit
    /// there is a false positive).
    Patrol {
        #[arg(long)]
        corpus: PathBuf,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Precision and recall of the personal-data detectors on a labelled file
    /// (bench/patrol/labelled.jsonl).
    PatrolLabels {
        #[arg(long)]
        labelled: PathBuf,
    },
    /// A full patrol (the app's run_patrol) over the laws corpus and N generated documents
    /// with an attachment each, in a fresh SQLite database in WORK: throughput, peak memory.
    PatrolFull {
        #[arg(long)]
        laws: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        generated: usize,
        #[arg(long)]
        work: PathBuf,
    },
}

/// One document, the same for every engine.
#[derive(Serialize, Deserialize, Clone)]
struct Rec {
    id: String,
    title: String,
    doc_no: Option<String>,
    issuer: String,
    category: String,
    kind: String,
    year: i32,
    validity: String,
    published_on: String,
    body: String,
}

/// One benchmark query: `kind` is the query type reported.
#[derive(Serialize, Deserialize, Clone)]
struct Q {
    kind: String,
    q: String,
    validity: Option<String>,
    year: Option<i32>,
}

#[derive(Deserialize)]
struct QaLine {
    question: String,
    gold_doc_id: String,
}

#[derive(Serialize)]
struct KindResult {
    kind: String,
    queries: Vec<String>,
    hits: Vec<usize>,
    p50_us: f64,
    p99_us: f64,
}

#[derive(Serialize)]
struct Report {
    engine: String,
    corpus: String,
    docs: usize,
    build_secs: f64,
    index_bytes: u64,
    rss_kb: u64,
    kinds: Vec<KindResult>,
    qa_questions: usize,
    recall_at_5: Option<f64>,
    /// gongkai only: article retrieval (the Q&A path) at document level.
    passages_recall_at_5: Option<f64>,
}

fn read_jsonl<T: for<'a> Deserialize<'a>>(path: &Path) -> Vec<T> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(&l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn write_jsonl<T: Serialize>(path: &Path, items: &[T]) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for i in items {
        serde_json::to_writer(&mut w, i).expect("write");
        w.write_all(b"\n").expect("write");
    }
}

fn dir_size(p: &Path) -> u64 {
    let Ok(m) = std::fs::metadata(p) else { return 0 };
    if m.is_file() {
        return m.len();
    }
    std::fs::read_dir(p).map(|rd| rd.filter_map(Result::ok).map(|e| dir_size(&e.path())).sum()).unwrap_or(0)
}

/// Peak resident memory of this process.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e6
}

/// One engine, behind the same two questions.
enum Engine {
    Gongkai { index: Box<SearchIndex>, ids: Vec<String> },
    Fts5 { conn: SqliteConnection, jieba: bool, words: WordTokenizer },
}

struct Page {
    total: usize,
    /// Kept so that no engine can skip building its page.
    bytes: usize,
}

async fn build(engine: &str, recs: &[Rec], work: &Path) -> Engine {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).expect("work dir");
    match engine {
        "gongkai" => {
            let (mut index, _) = SearchIndex::open(&work.join("search")).expect("index");
            // Pages are computed every time, as the peers compute theirs (the portal's
            // results cache is measured separately, with wrk).
            index.set_cache_entries(0);
            for (chunk_no, chunk) in recs.chunks(5_000).enumerate() {
                let docs: Vec<SearchDoc> = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, r)| SearchDoc {
                        source: "document".into(),
                        org_id: None,
                        unreadable_attachments: vec![],
                        html: None,
                        attachment_files: vec![],
                        privacy_exception: None,
                        passages: None,
                        id: (chunk_no * 5_000 + i) as i64,
                        url: String::new(),
                        title: r.title.clone(),
                        doc_no: r.doc_no.clone(),
                        index_no: String::new(),
                        issuer: r.issuer.clone(),
                        category: r.category.clone(),
                        kind: Some(r.kind.clone()),
                        topic: None,
                        year: Some(r.year),
                        published_days: published_days(&r.published_on),
                        published_on: Some(r.published_on.clone()),
                        validity: r.validity.clone(),
                        current: true,
                        version_no: 1,
                        keywords: String::new(),
                        body: r.body.clone(),
                        attachment_text: String::new(),
                        articles: true,
                    })
                    .collect();
                index.apply(&docs, &[], None).expect("apply");
            }
            index.merge().expect("merge");
            Engine::Gongkai { index: Box::new(index), ids: recs.iter().map(|r| r.id.clone()).collect() }
        }
        "fts5-trigram" | "fts5-jieba" => {
            let jieba = engine == "fts5-jieba";
            let opts = SqliteConnectOptions::new()
                .filename(work.join("fts.sqlite"))
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Off)
                .synchronous(SqliteSynchronous::Off)
                .disable_statement_logging();
            let mut conn = opts.connect().await.expect("sqlite");
            let tokenizer = if jieba { "unicode61" } else { "trigram" };
            for sql in [
                "CREATE TABLE meta(id INTEGER PRIMARY KEY, ext_id TEXT, title TEXT, doc_no TEXT, issuer TEXT, \
                 category TEXT, kind TEXT, year INTEGER, validity TEXT, published_on TEXT)"
                    .to_string(),
                "CREATE INDEX meta_doc_no ON meta(doc_no)".to_string(),
                format!("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='{tokenizer}')"),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("schema");
            }
            let words = WordTokenizer::default();
            let mut tx = conn.begin().await.expect("tx");
            for (i, r) in recs.iter().enumerate() {
                sqlx::query("INSERT INTO meta VALUES (?,?,?,?,?,?,?,?,?,?)")
                    .bind(i as i64)
                    .bind(&r.id)
                    .bind(&r.title)
                    .bind(&r.doc_no)
                    .bind(&r.issuer)
                    .bind(&r.category)
                    .bind(&r.kind)
                    .bind(r.year)
                    .bind(&r.validity)
                    .bind(&r.published_on)
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
                let (t, b) = if jieba {
                    (segment(&words, &r.title), segment(&words, &r.body))
                } else {
                    (r.title.clone(), r.body.clone())
                };
                sqlx::query("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)")
                    .bind(i as i64)
                    .bind(t)
                    .bind(b)
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
            }
            tx.commit().await.expect("commit");
            sqlx::query("INSERT INTO fts(fts) VALUES('optimize')").execute(&mut conn).await.expect("optimize");
            Engine::Fts5 { conn, jieba, words }
        }
        other => panic!("unknown engine {other}"),
    }
}

fn published_days(d: &str) -> Option<i64> {
    let y: i64 = d.get(..4)?.parse().ok()?;
    let m: i64 = d.get(5..7)?.parse().ok()?;
    let day: i64 = d.get(8..10)?.parse().ok()?;
    Some((y - 1970) * 365 + (y - 1969) / 4 + (m - 1) * 30 + day)
}

/// jieba words separated by spaces, for FTS5's unicode61 tokenizer.
fn segment(words: &WordTokenizer, text: &str) -> String {
    let mut s = String::with_capacity(text.len() * 2);
    for t in words.words(text) {
        s.push_str(&t.text);
        s.push(' ');
    }
    s
}

/// The FTS5 MATCH expression for what was typed: words must all occur, "phrases" as
/// phrases. Trigram: each word a quoted substring; jieba: each word its quoted token run.
fn fts_match(q: &str, jieba: bool, words: &WordTokenizer) -> String {
    let mut parts = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        rest = rest.trim_start();
        let (piece, tail) = if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').unwrap_or(r.len());
            (&r[..end], r.get(end + 1..).unwrap_or(""))
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            rest.split_at(end)
        };
        rest = tail;
        if piece.is_empty() {
            continue;
        }
        let text = if jieba { segment(words, piece).trim().to_string() } else { piece.to_string() };
        parts.push(format!("\"{}\"", text.replace('"', "")));
    }
    parts.join(" AND ")
}

/// Any of the question's terms (for QA recall): trigrams or jieba words, OR-ed.
fn fts_any(q: &str, jieba: bool, words: &WordTokenizer) -> String {
    let mut terms: Vec<String> = if jieba {
        words.words(q).into_iter().map(|t| t.text).collect()
    } else {
        let mut v = Vec::new();
        for run in q.split(|c: char| !is_cjk(c) && !c.is_alphanumeric()) {
            let cs: Vec<char> = run.chars().collect();
            for w in cs.windows(3) {
                v.push(w.iter().collect());
            }
        }
        v
    };
    terms.sort();
    terms.dedup();
    terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR ")
}

impl Engine {
    async fn page(&mut self, q: &Q) -> Page {
        match self {
            Engine::Gongkai { index, .. } => {
                let r = index
                    .search(&SearchQuery {
                        text: q.q.clone(),
                        validity: q.validity.clone(),
                        year: q.year.map(|y| y as u64),
                        limit: 10,
                        ..Default::default()
                    })
                    .expect("search");
                let bytes = r.hits.iter().map(|h| h.excerpt.text.len() + h.title.len()).sum::<usize>()
                    + r.facets.issuer.len()
                    + r.facets.year.len();
                Page { total: r.total, bytes }
            }
            Engine::Fts5 { conn, jieba, words } => {
                let mut filters = String::new();
                if q.validity.is_some() {
                    filters.push_str(" AND m.validity = ?2");
                }
                if q.year.is_some() {
                    filters.push_str(" AND m.year = ?3");
                }
                let is_doc_no = q.kind == "document number";
                let (top_sql, all_sql) = if is_doc_no {
                    (
                        format!(
                            "SELECT m.title, substr(fts.body, 1, 60) FROM meta m JOIN fts ON fts.rowid = m.id WHERE m.doc_no = ?1{filters} LIMIT 10"
                        ),
                        format!(
                            "SELECT m.issuer, m.category, m.validity, m.year, m.kind FROM meta m WHERE m.doc_no = ?1{filters}"
                        ),
                    )
                } else {
                    (
                        format!(
                            "SELECT m.title, snippet(fts, 1, '<b>', '</b>', '…', 24) FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ?1{filters} ORDER BY bm25(fts, 4.0, 1.0) LIMIT 10"
                        ),
                        format!(
                            "SELECT m.issuer, m.category, m.validity, m.year, m.kind FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ?1{filters}"
                        ),
                    )
                };
                let arg = if is_doc_no { q.q.clone() } else { fts_match(&q.q, *jieba, words) };
                let run = |sql: String| {
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(arg.clone()).bind(q.validity.clone()).bind(q.year)
                };
                let top = run(top_sql).fetch_all(&mut *conn).await.unwrap_or_default();
                let mut bytes: usize =
                    top.iter().map(|r| r.get::<String, _>(0).len() + r.get::<String, _>(1).len()).sum();
                let rows = run(all_sql).fetch_all(&mut *conn).await.unwrap_or_default();
                let mut facets: [HashMap<String, u64>; 5] = Default::default();
                for r in &rows {
                    for (i, f) in facets.iter_mut().enumerate() {
                        let v: String = if i == 3 { r.get::<i64, _>(3).to_string() } else { r.get(i) };
                        *f.entry(v).or_insert(0) += 1;
                    }
                }
                bytes += facets.iter().map(|f| f.len()).sum::<usize>();
                Page { total: rows.len(), bytes }
            }
        }
    }

    /// External ids of the top 5 documents for a question.
    async fn top5(&mut self, question: &str) -> Vec<String> {
        match self {
            Engine::Gongkai { index, ids } => index
                .search(&SearchQuery { text: question.into(), limit: 5, ..Default::default() })
                .map(|r| r.hits.iter().map(|h| ids[h.id as usize].clone()).collect())
                .unwrap_or_default(),
            Engine::Fts5 { conn, jieba, words } => {
                let m = fts_any(question, *jieba, words);
                sqlx::query("SELECT m.ext_id FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ?1 ORDER BY bm25(fts, 4.0, 1.0) LIMIT 5")
                    .bind(m)
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap_or_default()
                    .iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect()
            }
        }
    }

    /// gongkai's Q&A path: documents in the order their articles come.
    fn passage_top5(&self, question: &str) -> Option<Vec<String>> {
        let Engine::Gongkai { index, ids } = self else { return None };
        let mut out: Vec<String> = Vec::new();
        for h in index.passages(question, 10).unwrap_or_default() {
            let id = ids[h.doc_id as usize].clone();
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out.truncate(5);
        Some(out)
    }
}

async fn run(engine: &str, corpus: &Path, queries: &Path, qa: Option<&Path>, work: &Path, iterations: usize) {
    let recs: Vec<Rec> = read_jsonl(corpus);
    let queries: Vec<Q> = read_jsonl(queries);
    let t0 = Instant::now();
    let mut e = build(engine, &recs, work).await;
    let build_secs = t0.elapsed().as_secs_f64();
    let docs = recs.len();
    drop(recs);
    let index_bytes = dir_size(work);
    let mut kinds: Vec<KindResult> = Vec::new();
    let mut sink = 0usize;
    let mut samples: HashMap<String, Vec<Duration>> = HashMap::new();
    for q in &queries {
        // Warm-up (the JVM needs it most; every engine gets the same).
        for _ in 0..5 {
            sink += e.page(q).await.bytes;
        }
    }
    for _ in 0..iterations {
        for q in &queries {
            let t = Instant::now();
            let p = e.page(q).await;
            samples.entry(q.kind.clone()).or_default().push(t.elapsed());
            sink += p.bytes;
        }
    }
    for q in &queries {
        let total = e.page(q).await.total;
        match kinds.iter_mut().find(|k| k.kind == q.kind) {
            Some(k) => {
                k.queries.push(q.q.clone());
                k.hits.push(total);
            }
            None => kinds.push(KindResult {
                kind: q.kind.clone(),
                queries: vec![q.q.clone()],
                hits: vec![total],
                p50_us: 0.0,
                p99_us: 0.0,
            }),
        }
    }
    for k in &mut kinds {
        let mut s = samples.remove(&k.kind).unwrap_or_default();
        s.sort();
        k.p50_us = percentile(&s, 0.50);
        k.p99_us = percentile(&s, 0.99);
    }
    let (mut qa_questions, mut recall, mut precall) = (0, None, None);
    if let Some(qa) = qa {
        let lines: Vec<QaLine> = read_jsonl(qa);
        qa_questions = lines.len();
        let (mut hit, mut phit) = (0usize, 0usize);
        for l in &lines {
            if e.top5(&l.question).await.contains(&l.gold_doc_id) {
                hit += 1;
            }
            if e.passage_top5(&l.question).is_some_and(|v| v.contains(&l.gold_doc_id)) {
                phit += 1;
            }
        }
        recall = Some(hit as f64 / lines.len().max(1) as f64);
        if matches!(e, Engine::Gongkai { .. }) {
            precall = Some(phit as f64 / lines.len().max(1) as f64);
        }
    }
    let report = Report {
        engine: engine.into(),
        corpus: corpus.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default(),
        docs,
        build_secs,
        index_bytes,
        rss_kb: rss_kb(),
        kinds,
        qa_questions,
        recall_at_5: recall,
        passages_recall_at_5: precall,
    };
    eprintln!("({sink} bytes of pages built)");
    println!("{}", serde_json::to_string(&report).expect("json"));
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    match Cli::parse().cmd {
        Cmd::Corpus { laws, scaled, out } => corpus(&laws, scaled, &out),
        Cmd::Run { engine, corpus, queries, qa, work, iterations } => {
            run(&engine, &corpus, &queries, qa.as_deref(), &work, iterations).await
        }
        Cmd::Patrol { corpus, rounds } => patrol::detectors(&corpus, rounds),
        Cmd::PatrolLabels { labelled } => patrol::labels(&labelled),
        Cmd::PatrolFull { laws, generated, work } => patrol::full(&laws, generated, &work).await,
    }
}
