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
pub mod question;
mod stats;
pub mod vectors;

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
pub const SCHEMA_VERSION: u32 = 7;
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
    /// The body that owns the record (not indexed: the content patrol routes findings to it).
    pub org_id: Option<i64>,
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
    /// Attachments whose text could not be read (scans, encrypted files): not indexed;
    /// the content patrol says it could not check them.
    pub unreadable_attachments: Vec<String>,
    /// Index its articles (第X条) as passages for Q&A.
    pub articles: bool,
    /// Its passages for Q&A as (label, text), when they are not cut from the body (a
    /// hotline entry is one passage).
    pub passages: Option<Vec<(String, String)>>,
    /// Rich text as published (interpretations): not indexed; the content patrol checks
    /// its links and images.
    pub html: Option<String>,
    /// Each readable attachment's name and the byte range of its text in
    /// `attachment_text`: the patrol names the file a finding is in. Not indexed.
    pub attachment_files: Vec<(String, usize, usize)>,
    /// A declared exception to de-identification (惩戒公示, 强制性信息披露), by its code:
    /// the patrol records its personal data as public by law. Not indexed.
    pub privacy_exception: Option<String>,
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
    /// 发文机关代字 and 代字|年份 of the document number, for a number typed in part.
    doc_no_prefix: Field,
    /// The title as people say it ([`question::title_key`]); its column lists every law name.
    title_key: Field,
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
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
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
        doc_no_prefix: b.add_text_field("doc_no_prefix", STRING),
        title_key: b.add_text_field("title_key", STRING | FAST),
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
    /// Every word, anywhere (the first fallback when `all` finds nothing).
    every: MaybeQuery,
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
    passage_results: cache::Cache<passages::Retrieved>,
    lengths: stats::LengthCache,
    expansions: RwLock<Arc<passages::Expansions>>,
    vectors: RwLock<Option<Arc<vectors::VectorStore>>>,
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
            lengths: stats::LengthCache::default(),
            expansions: RwLock::new(Arc::new(passages::Expansions::default())),
            vectors: RwLock::new(None),
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
        doc.add_text(f.title_key, question::title_key(&d.title));
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
                doc.add_text(f.doc_no_prefix, p.issuer_code());
                if let Some(y) = p.year() {
                    doc.add_text(f.doc_no_prefix, format!("{}|{y}", p.issuer_code()));
                }
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
        // Passages belong to records with articles or passages of their own.
        let has_passages = |d: &SearchDoc| d.articles || d.passages.is_some();
        let touched: Vec<(String, i64)> = deleted
            .iter()
            .cloned()
            .chain(upserts.iter().filter(|d| has_passages(d)).map(|d| (d.source.clone(), d.id)))
            .collect();
        let articles: Vec<passages::Passage> = upserts
            .iter()
            .filter(|d| has_passages(d))
            .flat_map(|d| {
                let cut = match &d.passages {
                    Some(p) => p.clone(),
                    None => gongkai_domain::body::passages(&d.body),
                };
                cut.into_iter().map(move |(label, text)| passages::Passage {
                    source: d.source.clone(),
                    doc_id: d.id,
                    version_no: d.version_no,
                    current: d.current,
                    title: d.title.clone(),
                    label,
                    text,
                    url: d.url.clone(),
                    validity: d.validity.clone(),
                    published_on: d.published_on.clone(),
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

    /// The best `k` articles for a question (policy Q&A), lexically.
    pub fn passages(&self, question: &str, k: usize) -> Result<Vec<passages::PassageHit>> {
        Ok(self.retrieve(question, k, None)?.hits)
    }

    /// The best `k` articles for a question: lexical, fused with the dense list when the
    /// question's vector is given and article vectors are loaded.
    pub fn retrieve(&self, question: &str, k: usize, query_vector: Option<&[f32]>) -> Result<passages::Retrieved> {
        let generation = self.generation();
        let key = format!("{k}|{}|{question}", query_vector.is_some());
        if let Some(r) = self.passage_results.get(generation, &key) {
            return Ok(r);
        }
        let expansions = self.expansions.read().map(|e| e.clone()).unwrap_or_default();
        let store = self.vectors.read().ok().and_then(|v| v.clone());
        let dense = match (query_vector, store.as_deref()) {
            (Some(q), Some(s)) => Some((q, s)),
            _ => None,
        };
        let r = self.passages.retrieve(question, k, &self.words(), &expansions, dense)?;
        self.passage_results.put(generation, key, r.clone());
        Ok(r)
    }

    /// The colloquial→statutory table used from now on.
    pub fn set_expansions(&self, list: Vec<passages::Expansion>) {
        if let Ok(mut e) = self.expansions.write() {
            *e = Arc::new(passages::Expansions::new(list));
        }
        self.changed();
    }

    /// The article vectors used from now on (None: lexical only).
    pub fn set_vectors(&self, store: Option<Arc<vectors::VectorStore>>) {
        if let Ok(mut v) = self.vectors.write() {
            *v = store;
        }
        self.changed();
    }

    pub fn vectors(&self) -> Option<Arc<vectors::VectorStore>> {
        self.vectors.read().ok().and_then(|v| v.clone())
    }

    /// Vectors were added: cached passage lists are void.
    pub fn vectors_changed(&self) {
        self.changed();
    }

    /// The law a question names, as people say it.
    pub fn named_law(&self, question: &str) -> Result<Option<String>> {
        self.passages.named_law(question)
    }

    /// Current passages still without a vector, as (key, text to embed).
    pub fn missing_vectors(&self, limit: usize) -> Result<Vec<(u64, String)>> {
        match self.vectors() {
            Some(s) => self.passages.missing_vectors(&s, limit),
            None => Ok(vec![]),
        }
    }

    /// (current passages with a vector, current passages).
    pub fn vector_coverage(&self) -> Result<(usize, usize)> {
        match self.vectors() {
            Some(s) => self.passages.coverage(&s),
            None => Ok((0, self.passages.coverage(&vectors::VectorStore::in_memory("", 0))?.1)),
        }
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
}

mod facets;
mod query;
#[cfg(test)]
mod tests;

use facets::*;
use query::*;
