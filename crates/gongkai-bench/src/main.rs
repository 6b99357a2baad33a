//! The search benchmark of issue 3. `corpus` writes the corpora and the queries every
//! engine runs; `run` builds one engine's index over one corpus and measures it, printing
//! one JSON line. Lucene runs the same files from `bench/lucene/LuceneBench.java`;
//! `scripts/search-bench.sh` runs everything in one go and prints the tables.
//!
//! A "page" is what a results page needs: the top 10 with snippets, the exact total, and
//! counts for five facets (issuer, category, validity, year, kind).

use clap::{Parser, Subcommand};
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

/// xorshift64*: a fixed seed makes the scaled corpus the same in every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ISSUERS: &[(&str, &str)] = &[
    ("莱芜区人民政府", "莱政发"),
    ("莱芜区人民政府办公室", "莱政办发"),
    ("莱芜区教育和体育局", "莱教体发"),
    ("莱芜区民政局", "莱民发"),
    ("莱芜区财政局", "莱财发"),
    ("莱芜区人力资源和社会保障局", "莱人社发"),
    ("莱芜区自然资源局", "莱自然资源发"),
    ("莱芜区住房和城乡建设局", "莱住建发"),
    ("莱芜区交通运输局", "莱交发"),
    ("莱芜区农业农村局", "莱农发"),
    ("莱芜区商务局", "莱商发"),
    ("莱芜区文化和旅游局", "莱文旅发"),
    ("莱芜区卫生健康局", "莱卫健发"),
    ("莱芜区应急管理局", "莱应急发"),
    ("莱芜区市场监督管理局", "莱市监发"),
    ("莱芜区医疗保障局", "莱医保发"),
    ("莱芜区发展和改革局", "莱发改发"),
    ("莱芜区司法局", "莱司发"),
    ("凤城街道办事处", "凤办发"),
    ("张家洼街道办事处", "张办发"),
    ("高庄街道办事处", "高办发"),
    ("口镇人民政府", "口政发"),
    ("寨里镇人民政府", "寨政发"),
    ("杨庄镇人民政府", "杨政发"),
];

fn law_validity(v: Option<&str>) -> &'static str {
    match v {
        Some("已被修订") => "amended",
        Some("失效") => "expired",
        Some("已废止") | Some("废止") => "repealed",
        _ => "in_force",
    }
}

/// The subject of a law's title: 中华人民共和国 and the 条例/法/办法 ending removed.
fn subject(title: &str) -> String {
    let t = title.trim_start_matches("中华人民共和国");
    let t = t.split(['（', '(']).next().unwrap_or(t);
    for end in ["实施细则", "实施办法", "管理办法", "管理条例", "条例", "办法", "规定", "法"] {
        if let Some(s) = t.strip_suffix(end)
            && s.chars().count() >= 2
        {
            return s.to_string();
        }
    }
    t.to_string()
}

fn corpus(laws: &Path, scaled: usize, out: &Path) {
    std::fs::create_dir_all(out).expect("out dir");
    let raw: Vec<serde_json::Value> = read_jsonl(laws);
    let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let recs: Vec<Rec> = raw
        .iter()
        .map(|v| {
            let published = s(v, "published_on").unwrap_or_default();
            Rec {
                id: s(v, "id").unwrap_or_default(),
                title: s(v, "title").unwrap_or_default(),
                doc_no: s(v, "doc_no"),
                issuer: s(v, "issuer").unwrap_or_default(),
                category: s(v, "category").unwrap_or_default(),
                kind: s(v, "doc_type").unwrap_or_default(),
                year: published.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0),
                validity: law_validity(s(v, "validity").as_deref()).into(),
                published_on: published,
                body: s(v, "body").unwrap_or_default(),
            }
        })
        .collect();
    write_jsonl(&out.join("laws.jsonl"), &recs);

    // Generated policy documents: real article text from the laws (so word frequencies are
    // those of real legal Chinese), district issuers, numbers and dates, 1–2 KB each.
    let arts: Vec<(String, Vec<String>)> = recs
        .iter()
        .map(|r| (subject(&r.title), gongkai_domain::body::articles(&r.body).into_iter().map(|(_, t)| t).collect()))
        .filter(|(_, a): &(String, Vec<String>)| a.len() >= 3)
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut seq: HashMap<(usize, i32), u32> = HashMap::new();
    let kinds = [("circular", 50), ("opinion", 20), ("notice", 10), ("decision", 8), ("reply", 7), ("letter", 5)];
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("scaled.jsonl")).expect("create"));
    for i in 0..scaled {
        let (subj, a) = &arts[rng.below(arts.len())];
        let (iss, code) = ISSUERS[rng.below(ISSUERS.len())];
        let iss_i = ISSUERS.iter().position(|x| x.0 == iss).unwrap_or(0);
        // Recent years more often, as on a real portal.
        let year = 2025 - (rng.below(18) * rng.below(18) / 17) as i32;
        let n = seq.entry((iss_i, year)).or_insert(0);
        *n += 1;
        let title = match rng.below(5) {
            0 => format!("{iss}关于进一步加强{subj}工作的通知"),
            1 => format!("{iss}关于印发《{subj}实施方案》的通知"),
            2 => format!("关于做好{year}年{subj}工作的通知"),
            3 => format!("{subj}管理办法（试行）"),
            _ => format!("关于贯彻落实{subj}有关规定的实施意见"),
        };
        let start = rng.below(a.len() - 2);
        let len = 2 + rng.below(5);
        let mut body = String::from("各街道办事处、镇人民政府，区政府各部门：\n");
        for (k, t) in a.iter().skip(start).take(len).enumerate() {
            body.push_str(&format!("第{}条 {}\n", gongkai_chinese(k + 1), t));
        }
        body.push_str(&format!(
            "本通知自印发之日起施行。\n{iss}\n{year}年{}月{}日",
            1 + rng.below(12),
            1 + rng.below(28)
        ));
        let mut pick = rng.below(100);
        let kind = kinds
            .iter()
            .find(|(_, p)| {
                if pick < *p {
                    true
                } else {
                    pick -= p;
                    false
                }
            })
            .map(|k| k.0)
            .unwrap_or("circular");
        let validity = match rng.below(20) {
            0 | 1 => "repealed",
            2 => "expired",
            3 => "amended",
            _ => "in_force",
        };
        let rec = Rec {
            id: format!("gen-{i:06}"),
            title,
            doc_no: Some(format!("{code}〔{year}〕{n}号")),
            issuer: iss.into(),
            category: if rng.below(10) < 3 { "normative".into() } else { "other".into() },
            kind: kind.into(),
            year,
            validity: validity.into(),
            published_on: format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
            body,
        };
        serde_json::to_writer(&mut w, &rec).expect("write");
        w.write_all(b"\n").expect("write");
    }
    drop(w);

    let q = |kind: &str, q: &str| Q { kind: kind.into(), q: q.into(), validity: None, year: None };
    let queries = vec![
        q("1-char word", "税"),
        q("1-char word", "港"),
        q("1-char word", "粮"),
        q("2-char word", "海关"),
        q("2-char word", "听证"),
        q("2-char word", "社保"),
        q("frequent word", "管理"),
        q("frequent word", "人民政府"),
        q("frequent word", "规定"),
        q("rare word", "无人机"),
        q("rare word", "区块链"),
        q("rare word", "冷链"),
        q("2–3-word AND", "安全生产 责任"),
        q("2–3-word AND", "个人信息 保护 义务"),
        q("2–3-word AND", "行政处罚 听证"),
        q("quoted phrase", "\"依法追究刑事责任\""),
        q("quoted phrase", "\"县级以上地方人民政府\""),
        q("quoted phrase", "\"政府信息公开\""),
        q("document number", "莱政办发〔2024〕12号"),
        q("document number", "莱民发〔2021〕3号"),
        q("document number", "莱教体发〔2025〕40号"),
        Q {
            kind: "keyword + filters + facets".into(),
            q: "安全".into(),
            validity: Some("in_force".into()),
            year: None,
        },
        Q {
            kind: "keyword + filters + facets".into(),
            q: "管理".into(),
            validity: Some("in_force".into()),
            year: Some(2020),
        },
        Q { kind: "keyword + filters + facets".into(), q: "教育".into(), validity: None, year: Some(2024) },
    ];
    write_jsonl(&out.join("queries.jsonl"), &queries);
}

fn gongkai_chinese(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].into(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[n - 10] }),
        _ => format!("{}十{}", D[n / 10], if n.is_multiple_of(10) { "" } else { D[n % 10] }),
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
    }
}
