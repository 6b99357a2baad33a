//! Full-text search over what is published. One tantivy index in the data folder, derived
//! from the database and rebuildable at any time; every node keeps its own.
//!
//! Every kind of public content (documents, interpretations, later catalog items, FAQs…)
//! arrives as a [`SearchDoc`] tagged with its `source`; nothing here knows the kinds.
//! Fields: jieba words (weighted higher) and CJK bigrams for title and text; exact keys for
//! document and index numbers; fast fields for filters, facets and ranking.

pub mod analysis;
pub mod cache;
pub mod highlight;
pub mod passages;

pub use highlight::{Excerpt, Mark};

use analysis::{BigramTokenizer, CharTokenizer, WordTokenizer, bigrams, is_cjk};
use gongkai_domain::{DocNo, IndexNo};
use highlight::Highlighter;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term,
};

/// Bumped whenever the schema or analysis changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 5;
const VERSION_FILE: &str = "gongkai-schema-version";
const TERMS_FILE: &str = "gongkai-terms";
const WORDS: &str = "gk_words";
const BIGRAMS: &str = "gk_bigrams";
const CHARS: &str = "gk_chars";
/// Characters in a hit's snippet.
const SNIPPET_CHARS: usize = 110;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("搜索索引错误：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("搜索索引目录错误：{0}")]
    Io(#[from] std::io::Error),
    #[error("搜索索引损坏：{0}")]
    Open(String),
    /// Another process (a running `gongkai serve`) owns the index in this folder.
    #[error("搜索索引 {0} 正由另一个 gongkai 进程（如正在运行的 gongkai serve）使用")]
    Busy(String),
    #[error("搜索索引以只读方式打开，不能写入")]
    ReadOnly,
}

/// The index writer, absent when the index was opened read-only beside its owner.
pub(crate) struct WriterSlot(Option<Mutex<IndexWriter>>);

impl WriterSlot {
    fn new(index: &Index, writable: bool) -> Result<WriterSlot> {
        Ok(WriterSlot(if writable { Some(Mutex::new(index.writer_with_num_threads(1, 64_000_000)?)) } else { None }))
    }

    pub(crate) fn get(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.0
            .as_ref()
            .ok_or(SearchError::ReadOnly)?
            .lock()
            .map_err(|_| SearchError::Open("writer lock poisoned".into()))
    }
}

/// The lock file beside an index folder: whoever holds it (one process at a time) may
/// write the index, and may throw it away when it is corrupt. Released when dropped,
/// also when the process dies.
struct OwnerLock(#[allow(dead_code)] std::fs::File);

impl OwnerLock {
    fn lock_path(dir: &Path) -> PathBuf {
        let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "search".into());
        dir.with_file_name(format!("{name}.lock"))
    }

    fn take(dir: &Path) -> Result<OwnerLock> {
        let path = Self::lock_path(dir);
        let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
        match f.try_lock() {
            Ok(()) => Ok(OwnerLock(f)),
            Err(std::fs::TryLockError::WouldBlock) => Err(SearchError::Busy(dir.display().to_string())),
            Err(std::fs::TryLockError::Error(e)) => Err(SearchError::Io(e)),
        }
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

type MaybeQuery = Option<Box<dyn Query>>;
/// A page's top documents, the exact total and the facet counts.
type PageFruit = (Vec<(f32, DocAddress)>, usize, FacetFruit);

/// What gets indexed for one published record of any kind.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    /// The kind of content (`document`, `interpretation`, …); with `id` it names the record.
    pub source: String,
    pub id: i64,
    /// Where the portal shows it.
    pub url: String,
    pub title: String,
    pub doc_no: Option<String>,
    pub index_no: String,
    pub issuer: String,
    pub category: String,
    pub kind: Option<String>,
    pub topic: Option<String>,
    pub year: Option<i32>,
    /// Days since 1970-01-01 of the publication date.
    pub published_days: Option<i64>,
    pub published_on: Option<String>,
    /// Empty for content that has no validity of its own.
    pub validity: String,
    pub current: bool,
    pub version_no: i32,
    pub keywords: String,
    pub body: String,
    pub attachment_text: String,
    /// Index its articles (第X条) as passages for Q&A.
    pub articles: bool,
}

/// Names one indexed record: its source and id.
pub type Key = (String, i64);

fn key_text(source: &str, id: i64) -> String {
    format!("{source}:{id}")
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    source: Field,
    id: Field,
    url: Field,
    title: Field,
    title_w: Field,
    title_b: Field,
    body: Field,
    body_w: Field,
    body_b: Field,
    chars: Field,
    doc_no: Field,
    doc_no_key: Field,
    index_no: Field,
    issuer: Field,
    category: Field,
    kind: Field,
    topic: Field,
    year: Field,
    published_days: Field,
    published_on: Field,
    validity: Field,
    current: Field,
}

/// A text field analysed by `tokenizer`, with positions for phrases.
pub(crate) fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let o = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored { o.set_stored() } else { o }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let f = Fields {
        key: b.add_text_field("key", STRING),
        source: b.add_text_field("source", STRING | FAST | STORED),
        id: b.add_i64_field("id", INDEXED | STORED),
        url: b.add_text_field("url", STORED),
        title: b.add_text_field("title", STORED),
        title_w: b.add_text_field("title_w", text(WORDS, false)),
        title_b: b.add_text_field("title_b", text(BIGRAMS, false)),
        body: b.add_text_field("body", STORED),
        body_w: b.add_text_field("body_w", text(WORDS, false)),
        body_b: b.add_text_field("body_b", text(BIGRAMS, false)),
        chars: b.add_text_field(
            "chars",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(CHARS).set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        doc_no: b.add_text_field("doc_no", STORED),
        doc_no_key: b.add_text_field("doc_no_key", STRING),
        index_no: b.add_text_field("index_no", STRING | STORED),
        issuer: b.add_text_field("issuer", STRING | FAST | STORED),
        category: b.add_text_field("category", STRING | FAST),
        kind: b.add_text_field("kind", STRING | FAST),
        topic: b.add_text_field("topic", STRING | FAST),
        year: b.add_u64_field("year", INDEXED | FAST),
        published_days: b.add_i64_field("published_days", FAST),
        published_on: b.add_text_field("published_on", STORED),
        validity: b.add_text_field("validity", STRING | FAST | STORED),
        current: b.add_u64_field("current", INDEXED | FAST | STORED),
    };
    (b.build(), f)
}

fn doc_no_key(d: &DocNo) -> String {
    format!("{}|{}|{}", d.issuer_code(), d.year().map(|y| y.to_string()).unwrap_or_default(), d.seq())
}

/// Filters and paging of one search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub source: Option<String>,
    pub issuer: Option<String>,
    pub category: Option<String>,
    pub kind: Option<String>,
    pub topic: Option<String>,
    pub year: Option<u64>,
    pub validity: Option<String>,
    /// Newest first instead of by relevance.
    pub by_date: bool,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub source: String,
    pub id: i64,
    pub url: String,
    pub title: String,
    pub doc_no: Option<String>,
    pub index_no: String,
    pub issuer: String,
    pub validity: String,
    pub published_on: Option<String>,
    /// False for an earlier version of a revised document.
    pub current: bool,
    /// Where the query matched, as plain text with match ranges.
    pub excerpt: Excerpt,
    pub score: f32,
    /// Found by its document or index number.
    pub exact: bool,
}

#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct Facets {
    pub source: Vec<(String, u64)>,
    pub issuer: Vec<(String, u64)>,
    pub category: Vec<(String, u64)>,
    pub validity: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
    pub kind: Vec<(String, u64)>,
    pub topic: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// No record had every word, so records with some of them are shown.
    pub relaxed: bool,
    /// A published title close to what was typed ("did you mean").
    pub did_you_mean: Option<String>,
}

/// A title offered while typing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub title: String,
    pub url: String,
}

/// The clauses of one typed word.
struct Token {
    strict: Box<dyn Query>,
    loose: Vec<Box<dyn Query>>,
    needles: Vec<String>,
    /// Its jieba words, in order.
    words: Vec<String>,
}

/// What was typed, parsed.
struct Parsed {
    /// Every positive word and phrase must match (None: nothing searchable typed).
    all: MaybeQuery,
    /// At least one of them must match (the fallback when `all` finds nothing).
    any: MaybeQuery,
    /// A document or index number, looked up exactly.
    exact: MaybeQuery,
    /// Positive words and phrases, for highlighting.
    needles: Vec<String>,
}

pub struct SearchIndex {
    index: Index,
    passages: passages::PassageIndex,
    reader: IndexReader,
    writer: WriterSlot,
    /// Held for as long as this process owns the on-disk index.
    _owner: Option<OwnerLock>,
    f: Fields,
    dir: Option<PathBuf>,
    /// The word tokenizer with the current dictionary (queries use the same one as indexing).
    words: RwLock<Arc<WordTokenizer>>,
    /// The district office's terms the index was last rebuilt with (in-memory indexes).
    built_terms: Mutex<Vec<String>>,
    /// Bumped by every change to the index; cached results of older generations are void.
    generation: std::sync::atomic::AtomicU64,
    results: cache::Cache<Results>,
    passage_results: cache::Cache<Vec<passages::PassageHit>>,
}

/// Results kept per index generation (see [`cache`]).
pub const DEFAULT_CACHE_ENTRIES: usize = 2_000;

fn register(index: &Index, words: &WordTokenizer) {
    index.tokenizers().register(WORDS, words.clone());
    index.tokenizers().register(BIGRAMS, BigramTokenizer);
    index.tokenizers().register(CHARS, CharTokenizer);
}

fn normalise_terms(terms: &[String]) -> Vec<String> {
    let mut t: Vec<String> = terms.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    t.sort();
    t.dedup();
    t
}

impl SearchIndex {
    fn from_index(
        index: Index,
        dir: Option<PathBuf>,
        passages: passages::PassageIndex,
        owner: Option<OwnerLock>,
        writable: bool,
    ) -> Result<SearchIndex> {
        let words = WordTokenizer::default();
        register(&index, &words);
        let (_, f) = schema();
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = WriterSlot::new(&index, writable)?;
        Ok(SearchIndex {
            index,
            passages,
            reader,
            writer,
            _owner: owner,
            f,
            dir,
            words: RwLock::new(Arc::new(words)),
            built_terms: Mutex::new(vec![]),
            generation: std::sync::atomic::AtomicU64::new(1),
            results: cache::Cache::new(DEFAULT_CACHE_ENTRIES),
            passage_results: cache::Cache::new(DEFAULT_CACHE_ENTRIES),
        })
    }

    pub fn in_memory() -> Result<SearchIndex> {
        let (s, _) = schema();
        Self::from_index(Index::create_in_ram(s), None, passages::PassageIndex::in_memory()?, None, true)
    }

    /// Opens the index in `dir` as its owner. Returns `true` as the second value when the
    /// index was missing, corrupt or of another schema version and was created empty: the
    /// caller must rebuild it from the database. [`SearchError::Busy`] when another process
    /// owns it: a locked index is never taken for a corrupt one.
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool)> {
        std::fs::create_dir_all(dir)?;
        let owner = OwnerLock::take(dir)?;
        let version_ok =
            std::fs::read_to_string(dir.join(VERSION_FILE)).ok().and_then(|v| v.trim().parse::<u32>().ok())
                == Some(SCHEMA_VERSION);
        let mut owner = Some(owner);
        if version_ok
            && let Ok(index) = Index::open_in_dir(dir)
            && let Ok((p, p_fresh)) = passages::PassageIndex::open(&dir.join("passages"))
        {
            match Self::from_index(index, Some(dir.to_path_buf()), p, owner.take(), true) {
                Ok(s) => return Ok((s, p_fresh)),
                // tantivy's own writer lock held although ours was free: someone else
                // writes here without our lock; leave their files alone.
                Err(SearchError::Index(tantivy::TantivyError::LockFailure(..))) => {
                    return Err(SearchError::Busy(dir.display().to_string()));
                }
                Err(_) => owner = Some(OwnerLock::take(dir)?),
            }
        }
        // Derived data: throw it away and start again.
        for entry in std::fs::read_dir(dir)? {
            let p = entry?.path();
            if p.is_dir() {
                std::fs::remove_dir_all(&p)?;
            } else {
                std::fs::remove_file(&p)?;
            }
        }
        let (s, _) = schema();
        let index = Index::create_in_dir(dir, s)?;
        std::fs::write(dir.join(VERSION_FILE), SCHEMA_VERSION.to_string())?;
        let (p, _) = passages::PassageIndex::open(&dir.join("passages"))?;
        Ok((Self::from_index(index, Some(dir.to_path_buf()), p, owner, true)?, true))
    }

    /// Opens the index in `dir` for searching only, beside the process that owns it (a
    /// command run while the server is up). Nothing on disk is changed; a missing or
    /// unreadable index is an error, never a reason to delete anything.
    pub fn open_read_only(dir: &Path) -> Result<SearchIndex> {
        let version_ok =
            std::fs::read_to_string(dir.join(VERSION_FILE)).ok().and_then(|v| v.trim().parse::<u32>().ok())
                == Some(SCHEMA_VERSION);
        if !version_ok {
            return Err(SearchError::Open(format!("{} 不是本版本的搜索索引", dir.display())));
        }
        let index = Index::open_in_dir(dir)?;
        let p = passages::PassageIndex::open_read_only(&dir.join("passages"))?;
        Self::from_index(index, Some(dir.to_path_buf()), p, None, false)
    }

    /// Opened without a writer (see [`SearchIndex::open_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.writer.0.is_none()
    }

    /// Uses the shipped dictionary plus `terms` (the district office's) from now on.
    /// Returns true when the index was built with other terms and must be rebuilt.
    pub fn set_terms(&self, terms: &[String]) -> bool {
        let terms = normalise_terms(terms);
        let words = WordTokenizer::with_terms(&terms);
        register(&self.index, &words);
        self.passages.set_words(&words);
        if let Ok(mut w) = self.words.write() {
            *w = Arc::new(words);
        }
        self.changed();
        self.built_with() != terms
    }

    fn built_with(&self) -> Vec<String> {
        match &self.dir {
            Some(d) => std::fs::read_to_string(d.join(TERMS_FILE))
                .map(|s| s.lines().map(str::to_string).collect())
                .unwrap_or_default(),
            None => self.built_terms.lock().map(|t| t.clone()).unwrap_or_default(),
        }
    }

    /// The word tokenizer in use (queries must cut text as indexing did).
    pub fn words(&self) -> Arc<WordTokenizer> {
        self.words.read().map(|w| w.clone()).unwrap_or_default()
    }

    /// The changes-feed position the index has caught up with.
    pub fn position(&self) -> i64 {
        self.dir
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d.join("position")).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn save_position(&self, seq: i64) -> Result<()> {
        if let Some(d) = &self.dir {
            std::fs::write(d.join("position"), seq.to_string())?;
        }
        Ok(())
    }

    fn to_doc(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, key_text(&d.source, d.id));
        doc.add_text(f.source, &d.source);
        doc.add_i64(f.id, d.id);
        doc.add_text(f.url, &d.url);
        doc.add_text(f.title, &d.title);
        let title_text = format!("{} {}", d.title, d.keywords);
        doc.add_text(f.title_w, &title_text);
        doc.add_text(f.title_b, &title_text);
        let body =
            if d.attachment_text.is_empty() { d.body.clone() } else { format!("{}\n{}", d.body, d.attachment_text) };
        doc.add_text(f.body, &body);
        doc.add_text(f.body_w, &body);
        doc.add_text(f.body_b, &body);
        doc.add_text(f.chars, &title_text);
        doc.add_text(f.chars, &body);
        if let Some(n) = &d.doc_no {
            doc.add_text(f.doc_no, n);
            if let Some(p) = DocNo::parse_lenient(n) {
                doc.add_text(f.doc_no_key, doc_no_key(&p));
            }
        }
        if !d.index_no.is_empty() {
            doc.add_text(f.index_no, &d.index_no);
        }
        doc.add_text(f.issuer, &d.issuer);
        doc.add_text(f.category, &d.category);
        doc.add_text(f.kind, d.kind.as_deref().unwrap_or(""));
        doc.add_text(f.topic, d.topic.as_deref().unwrap_or(""));
        doc.add_u64(f.year, d.year.unwrap_or(0).max(0) as u64);
        doc.add_i64(f.published_days, d.published_days.unwrap_or(0));
        if let Some(p) = &d.published_on {
            doc.add_text(f.published_on, p);
        }
        doc.add_text(f.validity, &d.validity);
        doc.add_u64(f.current, d.current as u64);
        doc
    }

    /// Replaces these records (deletes first) and removes `deleted`; then commits and
    /// records the feed position reached.
    pub fn apply(&self, upserts: &[SearchDoc], deleted: &[Key], position: Option<i64>) -> Result<()> {
        let w = self.writer.get()?;
        let keys =
            deleted.iter().map(|(s, i)| key_text(s, *i)).chain(upserts.iter().map(|d| key_text(&d.source, d.id)));
        for k in keys {
            w.delete_term(Term::from_field_text(self.f.key, &k));
        }
        for d in upserts {
            w.add_document(self.to_doc(d))?;
        }
        drop(w);
        let mut w = self.writer.get()?;
        w.commit()?;
        drop(w);
        // Passages are per document with articles; their ids are document ids.
        let touched: Vec<i64> = deleted
            .iter()
            .filter(|(s, _)| s == "document")
            .map(|(_, i)| *i)
            .chain(upserts.iter().filter(|d| d.articles).map(|d| d.id))
            .collect();
        let articles: Vec<passages::Passage> = upserts
            .iter()
            .filter(|d| d.articles)
            .flat_map(|d| {
                gongkai_domain::body::articles(&d.body).into_iter().map(move |(label, text)| passages::Passage {
                    doc_id: d.id,
                    version_no: d.version_no,
                    current: d.current,
                    title: d.title.clone(),
                    label,
                    text,
                })
            })
            .collect();
        if !touched.is_empty() {
            self.passages.apply(&touched, &articles)?;
        }
        if let Some(p) = position {
            self.save_position(p)?;
        }
        self.reader.reload()?;
        self.changed();
        Ok(())
    }

    /// Merges all segments into one (after a rebuild): one segment searches fastest.
    pub fn merge(&self) -> Result<()> {
        merge_segments(&self.index, &self.writer)?;
        self.passages.merge()?;
        self.reader.reload()?;
        self.changed();
        Ok(())
    }

    /// Empties the index before a rebuild, which will use the current dictionary.
    pub fn clear(&self) -> Result<()> {
        let mut w = self.writer.get()?;
        w.delete_all_documents()?;
        w.commit()?;
        drop(w);
        self.passages.clear()?;
        self.save_position(0)?;
        let terms = self.words().extra_terms().to_vec();
        match &self.dir {
            Some(d) => std::fs::write(d.join(TERMS_FILE), terms.join("\n"))?,
            None => {
                if let Ok(mut t) = self.built_terms.lock() {
                    *t = terms;
                }
            }
        }
        self.reader.reload()?;
        self.changed();
        Ok(())
    }

    /// The best `k` articles for a question (policy Q&A).
    pub fn passages(&self, question: &str, k: usize) -> Result<Vec<passages::PassageHit>> {
        let generation = self.generation();
        let key = format!("{k}|{question}");
        if let Some(hit) = self.passage_results.get(generation, &key) {
            return Ok(hit);
        }
        let hits = self.passages.search(question, k, &self.words())?;
        self.passage_results.put(generation, key, hits.clone());
        Ok(hits)
    }

    /// Keeps at most `entries` results and passage lists per index generation (0: none).
    pub fn set_cache_entries(&mut self, entries: usize) {
        self.results = cache::Cache::new(entries);
        self.passage_results = cache::Cache::new(entries);
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn changed(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Clauses for one word as typed (no spaces): `strict` matches records containing it
    /// (as a word, or as a substring through the bigram fields), `loose` holds one clause per
    /// jieba word inside it (for the any-word fallback), `needles` what to highlight.
    /// Titles weigh more than bodies, word matches more than substrings.
    fn token_clauses(&self, token: &str, words: &WordTokenizer) -> Token {
        let f = self.f;
        let mut loose: Vec<Box<dyn Query>> = Vec::new();
        let mut per_word: Vec<Box<dyn Query>> = Vec::new();
        let mut scoring: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let cut = words.words(token);
        for w in &cut {
            let mut should: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, boosted(term(f.title_w, &w.text), 4.0)),
                (Occur::Should, boosted(term(f.body_w, &w.text), 1.0)),
            ];
            scoring.extend(should.iter().map(|(o, q)| (*o, q.box_clone())));
            let one_cjk = w.text.chars().count() == 1 && w.text.chars().all(is_cjk);
            if !one_cjk && w.text.chars().any(is_cjk) {
                should.push((Occur::Should, boosted(self.bigram_phrase(f.title_b, &w.text), 1.5)));
                should.push((Occur::Should, boosted(self.bigram_phrase(f.body_b, &w.text), 0.3)));
            }
            per_word.push(Box::new(BooleanQuery::new(should)));
            // A lone character inside a question (是, 的, 吗) stays a word match only: found
            // anywhere, it would match nearly everything.
            // In the any-word fallback (mostly questions typed into the box) titles do not
            // count: the words of a question describe content, and topic words (租赁, 破产)
            // in many titles crowded out the law that answers. Chosen on qa_dev: Recall@5 of
            // the fallback 0.187 with the title weights of `strict`, 0.552 without.
            let mut l: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, term(f.body_w, &w.text))];
            if !one_cjk && w.text.chars().any(is_cjk) {
                l.push((Occur::Should, boosted(self.bigram_phrase(f.body_b, &w.text), 0.3)));
                l.push((Occur::Should, boosted(self.bigram_phrase(f.title_b, &w.text), 0.0)));
            }
            l.push((Occur::Should, boosted(term(f.title_w, &w.text), 0.0)));
            loose.push(Box::new(BooleanQuery::new(l)));
        }
        if cut.len() == 1 && token.chars().count() == 1 && token.chars().all(is_cjk) {
            // One character typed on its own: found anywhere, 税 in 税收 and in 纳税.
            let strict = Box::new(BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(TermQuery::new(Term::from_field_text(f.chars, token), IndexRecordOption::WithFreqs))
                        as Box<dyn Query>,
                ),
                (Occur::Should, per_word[0].box_clone()),
            ]));
            return Token { strict, loose, needles: vec![token.to_string()], words: vec![token.to_string()] };
        }
        if cut.len() <= 1 {
            let strict = per_word.pop().unwrap_or_else(|| Box::new(BooleanQuery::new(vec![])));
            let words: Vec<String> = cut.into_iter().map(|t| t.text).collect();
            return Token { strict, loose, needles: words.clone(), words };
        }
        // Several words typed together (安全生产) must occur together, as people expect and
        // as the other engines do; the words themselves still score.
        let together = BooleanQuery::new(vec![
            (Occur::Should, boosted(self.bigram_phrase(f.title_b, token), 1.5)),
            (Occur::Should, boosted(self.bigram_phrase(f.body_b, token), 0.3)),
        ]);
        scoring.push((Occur::Must, Box::new(together)));
        let words = cut.into_iter().map(|t| t.text).collect();
        Token { strict: Box::new(BooleanQuery::new(scoring)), loose, needles: vec![token.to_string()], words }
    }

    /// The text as consecutive bigrams in a bigram field (a substring match).
    fn bigram_phrase(&self, field: Field, text: &str) -> Box<dyn Query> {
        let terms: Vec<(usize, Term)> =
            cover(&bigrams(text)).into_iter().map(|(offset, t)| (offset, Term::from_field_text(field, &t))).collect();
        match terms.len() {
            0 => Box::new(BooleanQuery::new(vec![])),
            1 => Box::new(TermQuery::new(terms[0].1.clone(), IndexRecordOption::WithFreqs)),
            _ => Box::new(PhraseQuery::new_with_offset(terms)),
        }
    }

    /// Parses what people type: words, "quoted phrases", -excluded words; a document or
    /// index number in any common form is looked up exactly.
    fn parse(&self, text: &str, searcher: &tantivy::Searcher) -> Result<Parsed> {
        let f = self.f;
        let words = self.words();
        let text = text.trim();
        let exact: Option<Box<dyn Query>> = if let Some(d) = DocNo::parse_lenient(text) {
            Some(Box::new(TermQuery::new(
                Term::from_field_text(f.doc_no_key, &doc_no_key(&d)),
                IndexRecordOption::Basic,
            )))
        } else if let Ok(i) = IndexNo::parse(text) {
            Some(Box::new(TermQuery::new(Term::from_field_text(f.index_no, &i.to_string()), IndexRecordOption::Basic)))
        } else {
            None
        };
        // A document or index number that exists is all that was meant: the same characters
        // as text would only add noise.
        if let Some(e) = &exact
            && searcher.search(e.as_ref(), &Count)? > 0
        {
            return Ok(Parsed { all: None, any: None, exact, needles: vec![] });
        }
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        let mut must_not: Vec<Box<dyn Query>> = Vec::new();
        let mut loose: Vec<Box<dyn Query>> = Vec::new();
        let mut needles = Vec::new();
        let mut in_order: Vec<String> = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix(['"', '“', '”']) {
                let end = r.find(['"', '“', '”']).unwrap_or(r.len());
                let phrase = &r[..end];
                if phrase.chars().any(char::is_alphanumeric) {
                    must.push(Box::new(BooleanQuery::new(vec![
                        (Occur::Should, boosted(self.bigram_phrase(f.title_b, phrase), 4.0)),
                        (Occur::Should, self.bigram_phrase(f.body_b, phrase)),
                    ])));
                    needles.push(phrase.to_string());
                    loose.push(
                        must.last().map(|q| q.box_clone()).unwrap_or_else(|| Box::new(BooleanQuery::new(vec![]))),
                    );
                }
                rest = r.get(end + 1..).unwrap_or("");
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (word, tail) = rest.split_at(end);
            rest = tail;
            if let Some(neg) = word.strip_prefix(['-', '－']) {
                if neg.chars().any(char::is_alphanumeric) {
                    must_not.push(self.token_clauses(neg, &words).strict);
                }
            } else if word.chars().any(char::is_alphanumeric) {
                let t = self.token_clauses(word, &words);
                must.push(t.strict);
                loose.extend(t.loose);
                needles.extend(t.needles);
                in_order.extend(t.words);
            }
        }
        if must.is_empty() {
            return Ok(Parsed { all: None, any: None, exact, needles });
        }
        let build = |parts: &[Box<dyn Query>], occur: Occur| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = parts.iter().map(|q| (occur, q.box_clone())).collect();
            clauses.extend(must_not.iter().map(|q| (Occur::MustNot, q.box_clone())));
            Box::new(BooleanQuery::new(clauses))
        };
        // An unknown document number gets no any-word fallback: its pieces (莱, 2024, 号)
        // would match everything.
        let any = if loose.len() > 1 && exact.is_none() { Some(build(&loose, Occur::Should)) } else { None };
        let mut all = build(&must, Occur::Must);
        if must.len() > 1 && in_order.len() > 1 {
            // Words typed apart but found close together, in order, rank above scattered ones.
            let near = |field: Field, boost: f32| -> (Occur, Box<dyn Query>) {
                let mut p = PhraseQuery::new(in_order.iter().map(|w| Term::from_field_text(field, w)).collect());
                p.set_slop(2);
                (Occur::Should, boosted(Box::new(p), boost))
            };
            all = Box::new(BooleanQuery::new(vec![(Occur::Must, all), near(f.title_w, 6.0), near(f.body_w, 3.0)]));
        }
        Ok(Parsed { all: Some(all), any, exact, needles })
    }

    fn filters(&self, q: &SearchQuery, except: Option<&str>) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.f;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |name: &str, field: Field, v: &Option<String>| {
            if except != Some(name)
                && let Some(v) = v
            {
                out.push((
                    Occur::Must,
                    Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic)),
                ));
            }
        };
        add("source", f.source, &q.source);
        add("issuer", f.issuer, &q.issuer);
        add("category", f.category, &q.category);
        add("kind", f.kind, &q.kind);
        add("topic", f.topic, &q.topic);
        add("validity", f.validity, &q.validity);
        if except != Some("year")
            && let Some(y) = q.year
        {
            out.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_u64(f.year, y), IndexRecordOption::Basic)),
            ));
        }
        out
    }

    fn combined(&self, text: &MaybeQuery, exact: &MaybeQuery, filters: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
        let mut main: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match (text, exact) {
            (Some(t), Some(e)) => main.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, t.box_clone()),
                    (Occur::Should, boosted(e.box_clone(), 1000.0)),
                ])),
            )),
            (Some(t), None) => main.push((Occur::Must, t.box_clone())),
            (None, Some(e)) => main.push((Occur::Must, boosted(e.box_clone(), 1000.0))),
            (None, None) => main.push((Occur::Must, Box::new(tantivy::query::AllQuery))),
        }
        main.extend(filters);
        Box::new(BooleanQuery::new(main))
    }

    /// Top documents, exact total and facet counts of one query.
    fn run(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        q: &SearchQuery,
        by_date: bool,
    ) -> Result<PageFruit> {
        let limit = q.limit.clamp(1, 100);
        let top = TopDocs::with_limit(limit).and_offset(q.offset.min(10_000));
        if by_date {
            let c = top.order_by_fast_field::<i64>("published_days", tantivy::Order::Desc);
            let (d, n, fc) = searcher.search(query, &(c, Count, FacetCounts))?;
            return Ok((d.into_iter().map(|(days, a)| (days.unwrap_or(0) as f32, a)).collect(), n, fc));
        }
        Ok(searcher.search(query, &(top.tweak_score(rank), Count, FacetCounts))?)
    }

    /// Runs a search: the page of hits with snippets, the exact total, and facet counts
    /// that leave out each facet's own filter (so one can switch).
    pub fn search(&self, q: &SearchQuery) -> Result<Results> {
        let generation = self.generation();
        let key = format!("{q:?}");
        if let Some(r) = self.results.get(generation, &key) {
            return Ok(r);
        }
        let r = self.search_uncached(q)?;
        self.results.put(generation, key, r.clone());
        Ok(r)
    }

    fn search_uncached(&self, q: &SearchQuery) -> Result<Results> {
        let f = self.f;
        let searcher = self.reader.searcher();
        let parsed = self.parse(&q.text, &searcher)?;
        let by_date = q.by_date || (parsed.all.is_none() && parsed.exact.is_none());
        let mut text = parsed.all;
        let query = self.combined(&text, &parsed.exact, self.filters(q, None));
        let (mut docs, mut total, mut main_counts) = self.run(&searcher, query.as_ref(), q, by_date)?;
        let mut relaxed = false;
        let strict_total = total;
        if total == 0
            && let Some(any) = parsed.any
        {
            // A question typed into the box rarely has every word in one document.
            text = Some(any);
            let query = self.combined(&text, &parsed.exact, self.filters(q, None));
            (docs, total, main_counts) = self.run(&searcher, query.as_ref(), q, by_date)?;
            relaxed = total > 0;
        }
        let exact_keys: Vec<String> = match &parsed.exact {
            Some(e) => searcher
                .search(e.as_ref(), &TopDocs::with_limit(20).order_by_score())?
                .into_iter()
                .filter_map(|(_, a)| searcher.doc::<TantivyDocument>(a).ok())
                .map(|d| key_of(&d, f))
                .collect(),
            None => vec![],
        };
        let words = self.words();
        let highlighter = Highlighter::new(&parsed.needles, &words);
        let mut hits = Vec::new();
        for (score, addr) in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
            let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or_default();
            let excerpt = body_snippet(body.as_bytes(), &parsed.needles, &highlighter);
            hits.push(Hit {
                exact: exact_keys.contains(&key_of(&doc, f)),
                source: s(f.source).unwrap_or_default(),
                id: doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0),
                url: s(f.url).unwrap_or_default(),
                title: s(f.title).unwrap_or_default(),
                doc_no: s(f.doc_no),
                index_no: s(f.index_no).unwrap_or_default(),
                issuer: s(f.issuer).unwrap_or_default(),
                validity: s(f.validity).unwrap_or_default(),
                published_on: s(f.published_on),
                current: doc.get_first(f.current).and_then(|v| v.as_u64()) != Some(0),
                excerpt,
                score,
            });
        }
        // Exact number matches first, whatever the sort.
        hits.sort_by_key(|h| !h.exact);
        // One pass counted every facet over the main query; a facet whose own filter is set
        // is counted again without it, so one can switch to another value.
        let active = [
            ("source", q.source.is_some()),
            ("issuer", q.issuer.is_some()),
            ("category", q.category.is_some()),
            ("validity", q.validity.is_some()),
            ("kind", q.kind.is_some()),
            ("topic", q.topic.is_some()),
            ("year", q.year.is_some()),
        ];
        let mut counts = main_counts;
        for (name, on) in active {
            if on {
                let fq = self.combined(&text, &parsed.exact, self.filters(q, Some(name)));
                let other = searcher.search(fq.as_ref(), &FacetCounts)?;
                counts.take_from(name, other);
            }
        }
        // A near-miss title finds few records with every word.
        let did_you_mean = if parsed.exact.is_none() && q.offset == 0 && strict_total < 3 {
            self.did_you_mean(&q.text)?
        } else {
            None
        };
        Ok(Results { total, hits, facets: counts.into_facets(), relaxed, did_you_mean })
    }

    /// Titles containing what has been typed so far, current versions first.
    pub fn suggest(&self, typed: &str, k: usize) -> Result<Vec<Suggestion>> {
        let f = self.f;
        let typed = typed.trim();
        if typed.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            return Ok(vec![]);
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, self.bigram_phrase(f.title_b, typed)),
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_u64(f.current, 1), IndexRecordOption::Basic))),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(k.clamp(1, 20) * 3).tweak_score(rank))?;
        let mut out: Vec<Suggestion> = Vec::new();
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let title = s(f.title);
            if !out.iter().any(|o| o.title == title) {
                out.push(Suggestion { title, url: s(f.url) });
            }
            if out.len() >= k {
                break;
            }
        }
        Ok(out)
    }

    /// A published title within a few typing mistakes of `typed`, if `typed` looks like a
    /// title and is not one.
    pub fn did_you_mean(&self, typed: &str) -> Result<Option<String>> {
        let f = self.f;
        let norm = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
        let typed_n = norm(typed);
        let n = typed_n.chars().count();
        if !(5..=80).contains(&n) || typed_n.chars().filter(|c| is_cjk(*c)).count() * 2 < n {
            return Ok(None);
        }
        let mut seen = std::collections::HashSet::new();
        let should: Vec<(Occur, Box<dyn Query>)> = bigrams(&typed_n)
            .into_iter()
            .filter(|t| seen.insert(t.text.clone()))
            .map(|t| (Occur::Should, term(f.title_b, &t.text)))
            .collect();
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(should)) as Box<dyn Query>),
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_u64(f.current, 1), IndexRecordOption::Basic))),
        ]);
        let searcher = self.reader.searcher();
        let mut best: Option<(usize, String)> = None;
        for (_, addr) in searcher.search(&query, &TopDocs::with_limit(20).order_by_score())? {
            let d: TantivyDocument = searcher.doc(addr)?;
            let title = d.get_first(f.title).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let title_n = norm(&title);
            if title_n.contains(&typed_n) {
                return Ok(None); // what was typed is (part of) a real title
            }
            // People leave out bracketed parts such as （试行）.
            let dist = strsim::levenshtein(&typed_n, &title_n)
                .min(strsim::levenshtein(&typed_n, &norm(&without_brackets(&title))));
            if best.as_ref().is_none_or(|b| dist < b.0) {
                best = Some((dist, title));
            }
        }
        let allowed = (n / 5).max(1);
        Ok(best.filter(|(d, _)| *d >= 1 && *d <= allowed).map(|(_, t)| t))
    }
}

/// The snippet of a stored body. The needles are found with memchr's substring search; only
/// a window around the first match is highlighted (a law runs to tens of kilobytes).
fn body_snippet(body: &[u8], needles: &[String], h: &Highlighter) -> Excerpt {
    let first = needles
        .iter()
        .filter_map(|n| {
            let n = n.as_bytes();
            memchr::memmem::find(body, n).or_else(|| {
                // ASCII letters in any case (rare in Chinese documents: copy only then).
                n.iter()
                    .any(u8::is_ascii_alphabetic)
                    .then(|| memchr::memmem::find(&body.to_ascii_lowercase(), n))
                    .flatten()
            })
        })
        .min();
    let (mut start, mut end) = match first {
        Some(p) => (p.saturating_sub(240), (p + 960).min(body.len())),
        None => (0, (SNIPPET_CHARS * 4).min(body.len())),
    };
    // Onto character boundaries (UTF-8 continuation bytes are 10xxxxxx).
    while start < body.len() && body[start] & 0xC0 == 0x80 {
        start += 1;
    }
    while end > start && end < body.len() && body[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    let Ok(text) = std::str::from_utf8(&body[start..end]) else { return Excerpt::default() };
    let mut s =
        if first.is_none() { highlight::plain_start(text, SNIPPET_CHARS) } else { h.snippet(text, SNIPPET_CHARS) };
    if start > 0 {
        s.cut_before();
    }
    if end < body.len() {
        s.cut_after();
    }
    s
}

/// The fewest bigrams, with their positions, that still pin a substring down: inside a run
/// of CJK bigrams every other one can go (人民政府 → 人民@0, 政府@2), because the two kept
/// around it fix both its characters and runs are further apart than that (`bigrams`).
/// Matching a phrase reads the positions of each of its terms; for a word found in every
/// document that was most of a page's cost.
fn cover(tokens: &[tantivy::tokenizer::Token]) -> Vec<(usize, String)> {
    let in_run = |a: &tantivy::tokenizer::Token, b: &tantivy::tokenizer::Token| b.position == a.position + 1;
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut skipped_last = false;
    for (i, t) in tokens.iter().enumerate() {
        let skip =
            !skipped_last && i > 0 && i + 1 < tokens.len() && in_run(&tokens[i - 1], t) && in_run(t, &tokens[i + 1]);
        skipped_last = skip;
        if !skip {
            out.push((t.position, t.text.clone()));
        }
    }
    let base = out.first().map(|(p, _)| *p).unwrap_or(0);
    out.into_iter().map(|(p, t)| (p - base, t)).collect()
}

/// A title without its bracketed parts: 某某办法（试行） → 某某办法.
fn without_brackets(title: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in title.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Merges every searchable segment of `index` into one.
pub(crate) fn merge_segments(index: &Index, writer: &WriterSlot) -> Result<()> {
    let mut w = writer.get()?;
    let ids = index.searchable_segment_ids()?;
    if ids.len() > 1 {
        w.merge(&ids).wait()?;
    }
    Ok(())
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn key_of(d: &TantivyDocument, f: Fields) -> String {
    let s = d.get_first(f.source).and_then(|v| v.as_str()).unwrap_or_default();
    key_text(s, d.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0))
}

/// Ranking beyond BM25: in force above repealed, expired or amended; current versions above
/// old ones; a mild preference for recent records. Per segment, the validity values are
/// compared as dictionary ordinals, so no string is read per document.
fn rank(seg: &SegmentReader) -> impl Fn(DocId, Score) -> Score + use<> {
    let current = seg.fast_fields().u64("current").ok().map(|c| c.first_or_default_col(1));
    let days = seg.fast_fields().i64("published_days").ok().map(|c| c.first_or_default_col(0));
    let validity = seg.fast_fields().str("validity").ok().flatten();
    // Ordinals that are not penalised: in force, and content without a validity of its own.
    let fine: Vec<u64> = validity
        .as_ref()
        .map(|v| ["in_force", ""].into_iter().filter_map(|s: &str| v.dictionary().term_ord(s).ok().flatten()).collect())
        .unwrap_or_default();
    let ords = validity.map(|v| v.ords().clone());
    move |doc: DocId, score: Score| {
        let mut s = score;
        if current.as_ref().is_some_and(|c| c.get_val(doc) == 0) {
            s *= 0.5;
        }
        if let Some(o) = &ords
            && o.first(doc).is_some_and(|ord| !fine.contains(&ord))
        {
            s *= 0.7;
        }
        if let Some(d) = &days {
            let years_ago = ((20_400 - d.get_val(doc)).max(0) as f32) / 365.0;
            s *= 1.0 + 0.15 / (1.0 + years_ago / 5.0);
        }
        s
    }
}

fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().filter(|(k, _)| !k.is_empty()).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

fn boosted(q: Box<dyn Query>, b: f32) -> Box<dyn Query> {
    if (b - 1.0).abs() < f32::EPSILON { q } else { Box::new(BoostQuery::new(q, b)) }
}

const STR_FACETS: [&str; 6] = ["source", "issuer", "category", "validity", "kind", "topic"];

/// Counts of every facet's values among matching records, in one pass.
#[derive(Default)]
pub struct FacetFruit {
    strs: [HashMap<String, u64>; 6],
    year: HashMap<u64, u64>,
}

impl FacetFruit {
    fn take_from(&mut self, name: &str, other: FacetFruit) {
        match STR_FACETS.iter().position(|f| *f == name) {
            Some(i) => self.strs[i] = std::mem::take(&mut { other }.strs[i]),
            None => self.year = other.year,
        }
    }

    fn into_facets(self) -> Facets {
        let mut years: Vec<(String, u64)> =
            self.year.into_iter().filter(|(y, _)| *y > 0).map(|(y, n)| (y.to_string(), n)).collect();
        years.sort_by(|a, b| b.0.cmp(&a.0));
        let [source, issuer, category, validity, kind, topic] = self.strs.map(sorted);
        Facets { source, issuer, category, validity, kind, topic, year: years }
    }
}

struct FacetCounts;

/// Per segment, counts are kept by dictionary ordinal in plain vectors and turned into
/// strings once at the end.
struct FacetSegment {
    cols: Vec<Option<tantivy::columnar::StrColumn>>,
    ords: Vec<Vec<u64>>,
    year: Option<tantivy::columnar::Column<u64>>,
    years: HashMap<u64, u64>,
}

impl Collector for FacetCounts {
    type Fruit = FacetFruit;
    type Child = FacetSegment;
    fn for_segment(&self, _: u32, seg: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mut cols = Vec::new();
        let mut ords = Vec::new();
        for f in STR_FACETS {
            let c = seg.fast_fields().str(f)?;
            ords.push(vec![0; c.as_ref().map(|c| c.num_terms()).unwrap_or(0)]);
            cols.push(c);
        }
        Ok(FacetSegment { cols, ords, year: seg.fast_fields().u64("year").ok(), years: HashMap::new() })
    }
    fn requires_scoring(&self) -> bool {
        false
    }
    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut out = FacetFruit::default();
        for f in fruits {
            for (dst, src) in out.strs.iter_mut().zip(f.strs) {
                for (k, v) in src {
                    *dst.entry(k).or_insert(0) += v;
                }
            }
            for (k, v) in f.year {
                *out.year.entry(k).or_insert(0) += v;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetFruit;
    fn collect(&mut self, doc: DocId, _: Score) {
        for (c, counts) in self.cols.iter().zip(self.ords.iter_mut()) {
            if let Some(c) = c
                && let Some(ord) = c.ords().first(doc)
                && let Some(n) = counts.get_mut(ord as usize)
            {
                *n += 1;
            }
        }
        if let Some(y) = &self.year
            && let Some(v) = y.first(doc)
        {
            *self.years.entry(v).or_insert(0) += 1;
        }
    }
    fn harvest(self) -> FacetFruit {
        let mut strs: [HashMap<String, u64>; 6] = Default::default();
        for ((c, counts), out) in self.cols.iter().zip(self.ords).zip(strs.iter_mut()) {
            if let Some(c) = c {
                for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                    let mut s = String::new();
                    if c.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                        out.insert(s, n);
                    }
                }
            }
        }
        FacetFruit { strs, year: self.years }
    }
}

#[cfg(test)]
mod tests {
    /// An excerpt with its marks as `<b>…</b>`, for assertions.
    fn b(e: &crate::Excerpt) -> String {
        e.pieces().iter().map(|(t, hit)| if *hit { format!("<b>{t}</b>") } else { t.to_string() }).collect()
    }
    use super::*;

    #[allow(clippy::too_many_arguments)] // a table of test records reads best flat
    fn doc(
        id: i64,
        title: &str,
        doc_no: Option<&str>,
        issuer: &str,
        validity: &str,
        current: bool,
        year: i32,
        body: &str,
    ) -> SearchDoc {
        SearchDoc {
            source: "document".into(),
            id,
            url: format!("/documents/{id}"),
            articles: true,
            title: title.into(),
            doc_no: doc_no.map(Into::into),
            index_no: format!("11371202K21349004N/{year}-{id:07}"),
            issuer: issuer.into(),
            category: "other".into(),
            kind: Some("circular".into()),
            topic: None,
            year: Some(year),
            published_days: Some((year as i64 - 1970) * 365),
            published_on: Some(format!("{year}-06-01")),
            validity: validity.into(),
            current,
            version_no: 1,
            keywords: String::new(),
            body: body.into(),
            attachment_text: String::new(),
        }
    }

    fn index() -> SearchIndex {
        let s = SearchIndex::in_memory().unwrap();
        s.apply(
            &[
                doc(
                    1,
                    "莱芜区人民政府关于加强安全生产工作的通知",
                    Some("莱政发〔2024〕3号"),
                    "莱芜区人民政府",
                    "in_force",
                    true,
                    2024,
                    "各街道人民政府：为加强安全生产，现通知如下。",
                ),
                doc(
                    2,
                    "莱芜区民政局关于做好社会救助工作的通知",
                    Some("莱民发〔2025〕5号"),
                    "莱芜区民政局",
                    "in_force",
                    true,
                    2025,
                    "民政部门应当做好低保、特困供养等社会救助工作。",
                ),
                doc(
                    3,
                    "学生资助免申即享实施办法",
                    Some("莱教体发〔2024〕6号"),
                    "莱芜区教育和体育局",
                    "in_force",
                    true,
                    2024,
                    "符合条件的学生免申即享，资金直达。",
                ),
                doc(
                    4,
                    "政务公开工作考核办法",
                    Some("莱政办发〔2021〕12号"),
                    "莱芜区人民政府办公室",
                    "repealed",
                    true,
                    2021,
                    "考核采取日常监测与年度评估相结合的方式。",
                ),
                doc(
                    5,
                    "政府信息公开申请办理规范",
                    Some("莱政办发〔2023〕3号"),
                    "莱芜区人民政府办公室",
                    "amended",
                    false,
                    2023,
                    "应当自收到申请之日起十五个工作日内答复。",
                ),
                doc(
                    6,
                    "政府信息公开申请办理规范",
                    Some("莱政办发〔2025〕8号"),
                    "莱芜区人民政府办公室",
                    "in_force",
                    true,
                    2025,
                    "应当自收到申请之日起二十个工作日内答复。",
                ),
            ],
            &[],
            None,
        )
        .unwrap();
        s
    }

    fn ids(s: &SearchIndex, text: &str) -> Vec<i64> {
        s.search(&SearchQuery { text: text.into(), limit: 10, ..Default::default() })
            .unwrap()
            .hits
            .iter()
            .map(|h| h.id)
            .collect()
    }

    #[test]
    fn min_zheng_does_not_rank_every_people_s_government_first() {
        let got = ids(&index(), "民政");
        assert_eq!(got.first(), Some(&2), "{got:?}");
    }

    #[test]
    fn document_numbers_in_any_form_come_first() {
        let s = index();
        for v in ["莱民发〔2025〕5号", "莱民发[2025]5号", "莱民发（2025）5号", "莱民发2025年5号", "莱民发 2025 5"]
        {
            let r = s.search(&SearchQuery { text: v.into(), limit: 10, ..Default::default() }).unwrap();
            assert_eq!(r.hits.first().map(|h| (h.id, h.exact)), Some((2, true)), "{v}");
        }
        assert_eq!(ids(&s, "11371202K21349004N/2024-0000003").first(), Some(&3));
    }

    #[test]
    fn phrases_exclusions_and_dictionary_terms() {
        let s = index();
        assert_eq!(ids(&s, "免申即享"), [3]);
        assert_eq!(ids(&s, "社会救助"), [2]);
        let r = s.search(&SearchQuery { text: "救助社会".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(r.relaxed, "words typed together must occur together; only the fallback finds their parts");
        assert_eq!(ids(&s, "\"社会救助\""), [2]);
        let with = ids(&s, "通知");
        assert!(with.contains(&1) && with.contains(&2));
        let without = ids(&s, "通知 -安全生产");
        assert!(!without.contains(&1) && without.contains(&2), "{without:?}");
    }

    #[test]
    fn current_and_in_force_versions_rank_first() {
        let got = ids(&index(), "申请办理规范");
        assert_eq!(got, [6, 5], "the old version is found but ranks below");
    }

    #[test]
    fn facets_leave_out_their_own_filter() {
        let s = index();
        let r = s
            .search(&SearchQuery {
                text: "办法".into(),
                validity: Some("in_force".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(r.total, 1);
        let v: HashMap<String, u64> = r.facets.validity.into_iter().collect();
        assert_eq!((v.get("in_force"), v.get("repealed")), (Some(&1), Some(&1)), "switching validity stays possible");
        let years: HashMap<String, u64> = r.facets.year.into_iter().collect();
        assert_eq!(years.get("2024"), Some(&1));
        assert_eq!(years.get("2021"), None, "other facets respect the validity filter");
    }

    #[test]
    fn snippets_highlight_without_panicking_on_overlaps() {
        let s = index();
        let r = s
            .search(&SearchQuery {
                text: "中华人民共和国 人民政府 安全生产".into(), limit: 10, ..Default::default()
            })
            .unwrap();
        let r2 = s.search(&SearchQuery { text: "安全生产".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(r.hits.is_empty() || r.hits[0].id == 1);
        assert!(b(&r2.hits[0].excerpt).contains("<b>"), "{:?}", r2.hits[0].excerpt);
    }

    #[test]
    fn empty_or_punctuation_only_lists_by_date_and_updates_apply() {
        let s = index();
        let r = s.search(&SearchQuery { text: "，。！".into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!(r.total, 6);
        s.apply(&[], &[("document".into(), 2)], None).unwrap();
        assert!(ids(&s, "社会救助").is_empty(), "withdrawn records disappear");
    }

    #[test]
    fn snippets_find_matches_deep_in_long_bodies() {
        let s = SearchIndex::in_memory().unwrap();
        let body = format!("{}第九十九条 违反本条例规定泄露个人隐私的，依法追究责任。", "总则内容。".repeat(4000));
        s.apply(&[doc(9, "某某条例", None, "某机关", "in_force", true, 2020, &body)], &[], None).unwrap();
        let r = s.search(&SearchQuery { text: "个人隐私".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(b(&r.hits[0].excerpt).contains("<b>个人隐私</b>"), "{:?}", r.hits[0].excerpt);
    }

    #[test]
    fn other_kinds_of_content_share_the_index_without_colliding() {
        let s = index();
        let interp = SearchDoc {
            source: "interpretation".into(),
            id: 2, // the same number as a document: keys are per source
            url: "/interpretations/2".into(),
            title: "《关于做好社会救助工作的通知》政策解读".into(),
            issuer: "莱芜区民政局".into(),
            body: "一图读懂社会救助新规：低保申请更便捷。".into(),
            current: true,
            ..Default::default()
        };
        s.apply(&[interp], &[], None).unwrap();
        let r = s.search(&SearchQuery { text: "社会救助".into(), limit: 10, ..Default::default() }).unwrap();
        let got: Vec<(String, i64)> = r.hits.iter().map(|h| (h.source.clone(), h.id)).collect();
        assert!(got.contains(&("document".into(), 2)) && got.contains(&("interpretation".into(), 2)), "{got:?}");
        let sources: HashMap<String, u64> = r.facets.source.iter().cloned().collect();
        assert_eq!((sources.get("document"), sources.get("interpretation")), (Some(&1), Some(&1)));
        let only = s
            .search(&SearchQuery {
                text: "社会救助".into(),
                source: Some("interpretation".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(only.hits.iter().map(|h| h.url.as_str()).collect::<Vec<_>>(), ["/interpretations/2"]);
        // An interpretation has no validity of its own and is not ranked down for it.
        s.apply(&[], &[("interpretation".into(), 2)], None).unwrap();
        assert_eq!(ids(&s, "社会救助"), [2], "removing the interpretation leaves the document");
    }

    #[test]
    fn one_character_is_found_inside_longer_words() {
        let s = index();
        // 救 only occurs inside 社会救助 / 救助; 助 at the end of a run too.
        assert_eq!(ids(&s, "救"), [2]);
        let r = s.search(&SearchQuery { text: "助".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(r.hits.iter().any(|h| h.id == 2) && r.hits.iter().any(|h| h.id == 3), "{:?}", r.hits);
        assert!(b(&r.hits.iter().find(|h| h.id == 2).unwrap().excerpt).contains("<b>助</b>"));
    }

    #[test]
    fn words_found_together_rank_above_scattered_words() {
        let s = SearchIndex::in_memory().unwrap();
        let scattered = "安全生产是各项工作的底线。压实责任，层层落实责任，严肃追究责任。";
        let together = "各单位应当按照有关规定和工作要求，认真落实安全生产责任，细化各项具体措施。";
        s.apply(
            &[
                doc(1, "关于某事项的通知", None, "某局", "in_force", true, 2025, scattered),
                doc(2, "关于另一事项的通知", None, "某局", "in_force", true, 2020, together),
            ],
            &[],
            None,
        )
        .unwrap();
        assert_eq!(ids(&s, "安全生产 责任"), [2, 1], "the older document ranks first: its words stand together");
    }

    #[test]
    fn phrases_use_every_other_bigram_but_never_match_across_a_break() {
        let texts = |q: &str| cover(&bigrams(q)).into_iter().map(|(p, t)| format!("{t}@{p}")).collect::<Vec<_>>();
        assert_eq!(texts("人民政府"), ["人民@0", "政府@2"]);
        assert_eq!(texts("无人机"), ["无人@0", "人机@1"]);
        assert_eq!(texts("政府信息公开"), ["政府@0", "信息@2", "公开@4"]);
        let s = SearchIndex::in_memory().unwrap();
        s.apply(
            &[
                doc(1, "甲", None, "某局", "in_force", true, 2025, "人民（一）政府和人民。政府"),
                doc(2, "乙", None, "某局", "in_force", true, 2025, "县人民政府"),
            ],
            &[],
            None,
        )
        .unwrap();
        assert_eq!(ids(&s, "人民政府"), [2]);
        assert_eq!(ids(&s, "\"人民政府\""), [2]);
    }

    #[test]
    fn old_versions_are_marked() {
        let r = index().search(&SearchQuery { text: "申请办理规范".into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!(r.hits.iter().map(|h| (h.id, h.current)).collect::<Vec<_>>(), [(6, true), (5, false)]);
    }

    #[test]
    fn the_office_dictionary_keeps_a_term_whole_after_a_rebuild() {
        let s = SearchIndex::in_memory().unwrap();
        let d = doc(
            1,
            "关于推行一业一证改革的通知",
            None,
            "莱芜区行政审批服务局",
            "in_force",
            true,
            2025,
            "推行一业一证。",
        );
        s.apply(std::slice::from_ref(&d), &[], None).unwrap();
        let before: Vec<String> = s.words().words("一业一证").into_iter().map(|t| t.text).collect();
        assert_ne!(before, ["一业一证"], "jieba splits it without the term");
        assert!(s.set_terms(&["一业一证".into()]), "the index was built without the term: rebuild needed");
        s.clear().unwrap();
        s.apply(&[d], &[], None).unwrap();
        assert_eq!(s.words().words("一业一证").into_iter().map(|t| t.text).collect::<Vec<_>>(), ["一业一证"]);
        assert!(!s.set_terms(&[" 一业一证 ".into()]), "same dictionary: no rebuild");
        assert_eq!(ids(&s, "一业一证"), [1]);
        let r = s.search(&SearchQuery { text: "一业一证".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(b(&r.hits[0].excerpt).contains("<b>一业一证</b>"), "{:?}", r.hits[0].excerpt);
    }

    #[test]
    fn a_question_falls_back_to_any_word_and_a_near_miss_title_is_suggested() {
        let s = index();
        let r =
            s.search(&SearchQuery { text: "社会救助 安全生产 考核".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(r.relaxed && r.total >= 3, "{} {}", r.relaxed, r.total);
        let strict = s.search(&SearchQuery { text: "社会救助".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(!strict.relaxed);
        let r =
            s.search(&SearchQuery { text: "政务公开工作考评办法".into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!(r.did_you_mean.as_deref(), Some("政务公开工作考核办法"));
        let r =
            s.search(&SearchQuery { text: "政务公开工作考核办法".into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!(r.did_you_mean, None, "an exact title needs no suggestion");
        let r = s
            .search(&SearchQuery { text: "完全无关的一段文字内容".into(), limit: 10, ..Default::default() })
            .unwrap();
        assert_eq!(r.did_you_mean, None, "far from every title");
    }

    #[test]
    fn titles_are_suggested_while_typing() {
        let s = index();
        let got: Vec<String> = s.suggest("申请办理", 5).unwrap().into_iter().map(|x| x.title).collect();
        assert_eq!(got, ["政府信息公开申请办理规范"], "one entry per title, current version");
        assert_eq!(s.suggest("免申", 5).unwrap()[0].url, "/documents/3");
        assert!(s.suggest("免", 5).unwrap().is_empty(), "one character is too little");
        assert!(s.suggest("，。", 5).unwrap().is_empty());
    }

    #[test]
    fn a_corrupt_or_old_index_is_recreated() {
        let dir = std::env::temp_dir().join(format!("gk-search-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (_, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(fresh, "a missing index must be rebuilt");
        let (s, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(!fresh);
        drop(s);
        std::fs::write(dir.join("meta.json"), "garbage").unwrap();
        let (_, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(fresh, "a corrupt index is recreated");
        std::fs::write(dir.join(VERSION_FILE), "0").unwrap();
        let (_, fresh) = SearchIndex::open(&dir).unwrap();
        assert!(fresh, "an index of an older schema is recreated");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
