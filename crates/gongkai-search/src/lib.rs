//! Full-text search over what is published. One tantivy index in the data folder, derived
//! from the database and rebuildable at any time; every node keeps its own.
//!
//! Fields: jieba words (weighted higher) and CJK bigrams for title and text; exact keys for
//! document and index numbers; fast fields for filters, facets and ranking.

pub mod analysis;
pub mod passages;

use analysis::{BigramTokenizer, WordTokenizer, bigrams, is_cjk};
use gongkai_domain::{DocNo, IndexNo};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term,
};

/// Bumped whenever the schema or analysis changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;
const VERSION_FILE: &str = "gongkai-schema-version";
const WORDS: &str = "gk_words";
const BIGRAMS: &str = "gk_bigrams";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("搜索索引错误：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("搜索索引目录错误：{0}")]
    Io(#[from] std::io::Error),
    #[error("搜索索引损坏：{0}")]
    Open(String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

type MaybeQuery = Option<Box<dyn Query>>;

/// What gets indexed for one published record.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    pub id: i64,
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
    pub validity: String,
    pub current: bool,
    pub version_no: i32,
    pub keywords: String,
    pub body: String,
    pub attachment_text: String,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    title_w: Field,
    title_b: Field,
    body_w: Field,
    body_b: Field,
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
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", STORED),
        title_w: b.add_text_field("title_w", text(WORDS, false)),
        title_b: b.add_text_field("title_b", text(BIGRAMS, false)),
        body_w: b.add_text_field("body_w", text(WORDS, true)),
        body_b: b.add_text_field("body_b", text(BIGRAMS, false)),
        doc_no: b.add_text_field("doc_no", STORED),
        doc_no_key: b.add_text_field("doc_no_key", STRING),
        index_no: b.add_text_field("index_no", STRING | STORED),
        issuer: b.add_text_field("issuer", STRING | FAST | STORED),
        category: b.add_text_field("category", STRING | FAST | STORED),
        kind: b.add_text_field("kind", STRING | FAST),
        topic: b.add_text_field("topic", STRING | FAST),
        year: b.add_u64_field("year", INDEXED | FAST),
        published_days: b.add_i64_field("published_days", FAST),
        published_on: b.add_text_field("published_on", STORED),
        validity: b.add_text_field("validity", STRING | FAST | STORED),
        current: b.add_u64_field("current", INDEXED | FAST),
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

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: i64,
    pub title: String,
    pub doc_no: Option<String>,
    pub index_no: String,
    pub issuer: String,
    pub validity: String,
    pub published_on: Option<String>,
    pub current: bool,
    /// HTML-escaped text with matches in `<b>`.
    pub snippet: String,
    pub score: f32,
    /// Found by its document or index number.
    pub exact: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Facets {
    pub issuer: Vec<(String, u64)>,
    pub category: Vec<(String, u64)>,
    pub validity: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
    pub kind: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

pub struct SearchIndex {
    passages: passages::PassageIndex,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
    dir: Option<PathBuf>,
}

fn register(index: &Index) {
    index.tokenizers().register(WORDS, WordTokenizer::default());
    index.tokenizers().register(BIGRAMS, BigramTokenizer);
}

impl SearchIndex {
    fn from_index(index: Index, dir: Option<PathBuf>, passages: passages::PassageIndex) -> Result<SearchIndex> {
        register(&index);
        let (_, f) = schema();
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = index.writer_with_num_threads(1, 64_000_000)?;
        Ok(SearchIndex { passages, reader, writer: Mutex::new(writer), f, dir })
    }

    pub fn in_memory() -> Result<SearchIndex> {
        let (s, _) = schema();
        Self::from_index(Index::create_in_ram(s), None, passages::PassageIndex::in_memory()?)
    }

    /// Opens the index in `dir`. Returns `true` as the second value when the index was
    /// missing, corrupt or of another schema version and was created empty: the caller
    /// must rebuild it from the database.
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool)> {
        std::fs::create_dir_all(dir)?;
        let version_ok =
            std::fs::read_to_string(dir.join(VERSION_FILE)).ok().and_then(|v| v.trim().parse::<u32>().ok())
                == Some(SCHEMA_VERSION);
        if version_ok
            && let Ok(index) = Index::open_in_dir(dir)
            && let Ok((p, p_fresh)) = passages::PassageIndex::open(&dir.join("passages"))
            && let Ok(s) = Self::from_index(index, Some(dir.to_path_buf()), p)
        {
            return Ok((s, p_fresh));
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
        Ok((Self::from_index(index, Some(dir.to_path_buf()), p)?, true))
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
        doc.add_i64(f.id, d.id);
        doc.add_text(f.title, &d.title);
        let title_text = format!("{} {}", d.title, d.keywords);
        doc.add_text(f.title_w, &title_text);
        doc.add_text(f.title_b, &title_text);
        let body =
            if d.attachment_text.is_empty() { d.body.clone() } else { format!("{}\n{}", d.body, d.attachment_text) };
        doc.add_text(f.body_w, &body);
        doc.add_text(f.body_b, &body);
        if let Some(n) = &d.doc_no {
            doc.add_text(f.doc_no, n);
            if let Some(p) = DocNo::parse_lenient(n) {
                doc.add_text(f.doc_no_key, doc_no_key(&p));
            }
        }
        doc.add_text(f.index_no, &d.index_no);
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
    pub fn apply(&self, upserts: &[SearchDoc], deleted: &[i64], position: Option<i64>) -> Result<()> {
        let w = self.writer.lock().map_err(|_| SearchError::Open("writer lock poisoned".into()))?;
        for id in deleted.iter().chain(upserts.iter().map(|d| &d.id)) {
            w.delete_term(Term::from_field_i64(self.f.id, *id));
        }
        for d in upserts {
            w.add_document(self.to_doc(d))?;
        }
        drop(w);
        let mut w = self.writer.lock().map_err(|_| SearchError::Open("writer lock poisoned".into()))?;
        w.commit()?;
        drop(w);
        let touched: Vec<i64> = deleted.iter().copied().chain(upserts.iter().map(|d| d.id)).collect();
        let articles: Vec<passages::Passage> = upserts
            .iter()
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
        Ok(())
    }

    /// Empties the index (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        let mut w = self.writer.lock().map_err(|_| SearchError::Open("writer lock poisoned".into()))?;
        w.delete_all_documents()?;
        w.commit()?;
        drop(w);
        self.passages.clear()?;
        self.save_position(0)?;
        self.reader.reload()?;
        Ok(())
    }

    /// The best `k` articles for a question (policy Q&A).
    pub fn passages(&self, question: &str, k: usize) -> Result<Vec<passages::PassageHit>> {
        self.passages.search(question, k)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Clauses for one run of plain text: each word must match, in the word fields or as
    /// bigrams; titles weigh more.
    fn text_clauses(&self, text: &str) -> Vec<Box<dyn Query>> {
        let f = self.f;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        for w in WordTokenizer::default().words(text) {
            let mut should: Vec<(Occur, Box<dyn Query>)> = vec![
                (
                    Occur::Should,
                    boosted(
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.title_w, &w.text),
                            IndexRecordOption::WithFreqs,
                        )),
                        4.0,
                    ),
                ),
                (
                    Occur::Should,
                    boosted(
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.body_w, &w.text),
                            IndexRecordOption::WithFreqs,
                        )),
                        1.0,
                    ),
                ),
            ];
            if w.text.chars().any(is_cjk) {
                should.push((Occur::Should, boosted(self.bigram_phrase(f.title_b, &w.text), 1.5)));
                should.push((Occur::Should, boosted(self.bigram_phrase(f.body_b, &w.text), 0.3)));
            }
            out.push(Box::new(BooleanQuery::new(should)));
        }
        out
    }

    /// The text as consecutive bigrams in a bigram field (a substring match).
    fn bigram_phrase(&self, field: Field, text: &str) -> Box<dyn Query> {
        let terms: Vec<Term> = bigrams(text).into_iter().map(|t| Term::from_field_text(field, &t.text)).collect();
        match terms.len() {
            0 => Box::new(BooleanQuery::new(vec![])),
            1 => Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::WithFreqs)),
            _ => Box::new(PhraseQuery::new(terms)),
        }
    }

    /// Parses what people type: words, "quoted phrases", -excluded words; a document or
    /// index number in any common form is looked up exactly. Returns the text query (None
    /// when nothing searchable was typed) and the exact-number query.
    fn parse(&self, text: &str) -> (MaybeQuery, MaybeQuery) {
        let f = self.f;
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
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        let mut must_not: Vec<Box<dyn Query>> = Vec::new();
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
                }
                rest = r.get(end + 1..).unwrap_or("");
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (word, tail) = rest.split_at(end);
            rest = tail;
            if let Some(neg) = word.strip_prefix(['-', '－']) {
                for c in self.text_clauses(neg) {
                    must_not.push(c);
                }
            } else {
                must.extend(self.text_clauses(word));
            }
        }
        if must.is_empty() {
            return (None, exact);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = must.into_iter().map(|q| (Occur::Must, q)).collect();
        clauses.extend(must_not.into_iter().map(|q| (Occur::MustNot, q)));
        (Some(Box::new(BooleanQuery::new(clauses))), exact)
    }

    fn filters(&self, q: &SearchQuery, except: Option<&str>) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.f;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut term = |name: &str, field: Field, v: &Option<String>| {
            if except != Some(name)
                && let Some(v) = v
            {
                out.push((
                    Occur::Must,
                    Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic)),
                ));
            }
        };
        term("issuer", f.issuer, &q.issuer);
        term("category", f.category, &q.category);
        term("kind", f.kind, &q.kind);
        term("topic", f.topic, &q.topic);
        term("validity", f.validity, &q.validity);
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

    fn combined(
        &self,
        text: &Option<Box<dyn Query>>,
        exact: &Option<Box<dyn Query>>,
        filters: Vec<(Occur, Box<dyn Query>)>,
    ) -> Box<dyn Query> {
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

    /// Runs a search: the page of hits with snippets, the exact total, and facet counts
    /// that leave out each facet's own filter (so one can switch).
    pub fn search(&self, q: &SearchQuery) -> Result<Results> {
        let f = self.f;
        let searcher = self.reader.searcher();
        let (text, exact) = self.parse(&q.text);
        let query = self.combined(&text, &exact, self.filters(q, None));
        let limit = q.limit.clamp(1, 100);
        let top = TopDocs::with_limit(limit).and_offset(q.offset.min(10_000));
        let (docs, total, main_counts): (Vec<(f32, DocAddress)>, usize, FacetFruit) =
            if q.by_date || (text.is_none() && exact.is_none()) {
                let c = top.order_by_fast_field::<i64>("published_days", tantivy::Order::Desc);
                let (d, n, fc) = searcher.search(&query, &(c, Count, FacetCounts))?;
                (d.into_iter().map(|(days, a)| (days.unwrap_or(0) as f32, a)).collect(), n, fc)
            } else {
                // In force above repealed or expired, current versions above old ones, and a
                // mild preference for recent documents.
                let c = top.tweak_score(move |seg: &SegmentReader| {
                    let current = seg.fast_fields().u64("current").ok().map(|c| c.first_or_default_col(1));
                    let days = seg.fast_fields().i64("published_days").ok().map(|c| c.first_or_default_col(0));
                    let validity = seg.fast_fields().str("validity").ok().flatten();
                    move |doc: DocId, score: Score| {
                        let mut s = score;
                        if current.as_ref().is_some_and(|c| c.get_val(doc) == 0) {
                            s *= 0.5;
                        }
                        if let Some(v) = &validity {
                            let mut buf = String::new();
                            if let Some(ord) = v.ords().first(doc) {
                                let _ = v.ord_to_str(ord, &mut buf);
                            }
                            if buf != "in_force" {
                                s *= 0.7;
                            }
                        }
                        if let Some(d) = &days {
                            let years_ago = ((20_400 - d.get_val(doc)).max(0) as f32) / 365.0;
                            s *= 1.0 + 0.15 / (1.0 + years_ago / 5.0);
                        }
                        s
                    }
                });
                searcher.search(&query, &(c, Count, FacetCounts))?
            };
        let snippets = match &text {
            Some(t) => {
                let mut g = SnippetGenerator::create(&searcher, t.as_ref(), f.body_w)?;
                g.set_max_num_chars(160);
                Some(g)
            }
            None => None,
        };
        let exact_ids: Vec<i64> = match &exact {
            Some(e) => {
                let ids = searcher.search(e.as_ref(), &TopDocs::with_limit(20).order_by_score())?;
                ids.into_iter()
                    .filter_map(|(_, a)| searcher.doc::<TantivyDocument>(a).ok())
                    .filter_map(|d| d.get_first(f.id).and_then(|v| v.as_i64()))
                    .collect()
            }
            None => vec![],
        };
        let needles: Vec<String> = WordTokenizer::default().words(&q.text).into_iter().map(|t| t.text).collect();
        let mut hits = Vec::new();
        for (score, addr) in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text_of = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
            let id = doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0);
            // Snippets look at a window around the first match only: re-tokenising a whole
            // law (tens of kilobytes) for every hit was most of a results page's cost.
            let snippet = match &snippets {
                Some(g) => {
                    let body = text_of(f.body_w).unwrap_or_default();
                    let s = g.snippet(snippet_window(&body, &needles));
                    if s.fragment().is_empty() { String::new() } else { s.to_html() }
                }
                None => String::new(),
            };
            let snippet = if snippet.is_empty() {
                let body = text_of(f.body_w).unwrap_or_default();
                escape(&body.chars().take(120).collect::<String>())
            } else {
                snippet
            };
            hits.push(Hit {
                id,
                title: text_of(f.title).unwrap_or_default(),
                doc_no: text_of(f.doc_no),
                index_no: text_of(f.index_no).unwrap_or_default(),
                issuer: text_of(f.issuer).unwrap_or_default(),
                validity: text_of(f.validity).unwrap_or_default(),
                published_on: text_of(f.published_on),
                current: true,
                snippet,
                score,
                exact: exact_ids.contains(&id),
            });
        }
        // Exact number matches first, whatever the sort.
        hits.sort_by_key(|h| !h.exact);
        // One pass counted every facet over the main query; a facet whose own filter is set
        // is counted again without it, so one can switch to another value.
        let active = [
            ("issuer", q.issuer.is_some()),
            ("category", q.category.is_some()),
            ("validity", q.validity.is_some()),
            ("kind", q.kind.is_some()),
            ("year", q.year.is_some()),
        ];
        let mut counts = main_counts;
        for (name, on) in active {
            if on {
                let fq = self.combined(&text, &exact, self.filters(q, Some(name)));
                let other = searcher.search(fq.as_ref(), &FacetCounts)?;
                counts.take_from(name, other);
            }
        }
        let mut years: Vec<(String, u64)> =
            counts.year.into_iter().filter(|(y, _)| *y > 0).map(|(y, n)| (y.to_string(), n)).collect();
        years.sort_by(|a, b| b.0.cmp(&a.0));
        let facets = Facets {
            issuer: sorted(counts.issuer),
            category: sorted(counts.category),
            validity: sorted(counts.validity),
            kind: sorted(counts.kind),
            year: years,
        };
        Ok(Results { total, hits, facets })
    }
}

/// About 1,000 bytes of `body` around the first place a needle occurs.
fn snippet_window<'a>(body: &'a str, needles: &[String]) -> &'a str {
    let pos = needles.iter().filter_map(|n| body.find(n.as_str())).min().unwrap_or(0);
    let mut start = pos.saturating_sub(240);
    while !body.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (pos + 760).min(body.len());
    while !body.is_char_boundary(end) {
        end += 1;
    }
    &body[start..end]
}

fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().filter(|(k, _)| !k.is_empty()).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

fn boosted(q: Box<dyn Query>, b: f32) -> Box<dyn Query> {
    if (b - 1.0).abs() < f32::EPSILON { q } else { Box::new(BoostQuery::new(q, b)) }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Counts of every facet's values among matching documents, in one pass.
#[derive(Default)]
pub struct FacetFruit {
    issuer: HashMap<String, u64>,
    category: HashMap<String, u64>,
    validity: HashMap<String, u64>,
    kind: HashMap<String, u64>,
    year: HashMap<u64, u64>,
}

impl FacetFruit {
    fn take_from(&mut self, name: &str, other: FacetFruit) {
        match name {
            "issuer" => self.issuer = other.issuer,
            "category" => self.category = other.category,
            "validity" => self.validity = other.validity,
            "kind" => self.kind = other.kind,
            _ => self.year = other.year,
        }
    }
}

const STR_FACETS: [&str; 4] = ["issuer", "category", "validity", "kind"];

struct FacetCounts;

struct FacetSegment {
    cols: Vec<Option<tantivy::columnar::StrColumn>>,
    year: Option<tantivy::columnar::Column<u64>>,
    ords: Vec<BTreeMap<u64, u64>>,
    years: HashMap<u64, u64>,
}

impl Collector for FacetCounts {
    type Fruit = FacetFruit;
    type Child = FacetSegment;
    fn for_segment(&self, _: u32, seg: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mut cols = Vec::new();
        for f in STR_FACETS {
            cols.push(seg.fast_fields().str(f)?);
        }
        Ok(FacetSegment {
            cols,
            year: seg.fast_fields().u64("year").ok(),
            ords: vec![BTreeMap::new(); 4],
            years: HashMap::new(),
        })
    }
    fn requires_scoring(&self) -> bool {
        false
    }
    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut out = FacetFruit::default();
        for f in fruits {
            for (dst, src) in [
                (&mut out.issuer, f.issuer),
                (&mut out.category, f.category),
                (&mut out.validity, f.validity),
                (&mut out.kind, f.kind),
            ] {
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
        for (i, c) in self.cols.iter().enumerate() {
            if let Some(c) = c
                && let Some(ord) = c.ords().first(doc)
            {
                *self.ords[i].entry(ord).or_insert(0) += 1;
            }
        }
        if let Some(y) = &self.year
            && let Some(v) = y.first(doc)
        {
            *self.years.entry(v).or_insert(0) += 1;
        }
    }
    fn harvest(self) -> FacetFruit {
        let mut maps: Vec<HashMap<String, u64>> = Vec::new();
        for (i, c) in self.cols.iter().enumerate() {
            let mut m = HashMap::new();
            if let Some(c) = c {
                for (ord, n) in &self.ords[i] {
                    let mut s = String::new();
                    if c.ord_to_str(*ord, &mut s).unwrap_or(false) {
                        m.insert(s, *n);
                    }
                }
            }
            maps.push(m);
        }
        let mut it = maps.into_iter();
        FacetFruit {
            issuer: it.next().unwrap_or_default(),
            category: it.next().unwrap_or_default(),
            validity: it.next().unwrap_or_default(),
            kind: it.next().unwrap_or_default(),
            year: self.years,
        }
    }
}

#[cfg(test)]
mod tests {
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
            id,
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
        assert!(r2.hits[0].snippet.contains("<b>"), "{}", r2.hits[0].snippet);
    }

    #[test]
    fn empty_or_punctuation_only_lists_by_date_and_updates_apply() {
        let s = index();
        let r = s.search(&SearchQuery { text: "，。！".into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!(r.total, 6);
        s.apply(&[], &[2], None).unwrap();
        assert!(ids(&s, "社会救助").is_empty(), "withdrawn records disappear");
    }

    #[test]
    fn snippets_find_matches_deep_in_long_bodies() {
        let s = SearchIndex::in_memory().unwrap();
        let body = format!("{}第九十九条 违反本条例规定泄露个人隐私的，依法追究责任。", "总则内容。".repeat(4000));
        s.apply(&[doc(9, "某某条例", None, "某机关", "in_force", true, 2020, &body)], &[], None).unwrap();
        let r = s.search(&SearchQuery { text: "个人隐私".into(), limit: 10, ..Default::default() }).unwrap();
        assert!(r.hits[0].snippet.contains("<b>个人隐私</b>"), "{}", r.hits[0].snippet);
        assert_eq!(snippet_window("短文", &["不存在".into()]), "短文");
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
