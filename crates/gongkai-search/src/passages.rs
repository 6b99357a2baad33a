//! Article-level retrieval for policy Q&A: every article (第X条) — or, in a district
//! document, every numbered part (一、（二）) — of every published version is a passage
//! with its document, label, version and validity. Lexical retrieval reads the question
//! as people type it (question words dropped, a named law preferred, colloquial words
//! expanded with a low weight); with article vectors, lexical and dense lists are fused.

use crate::analysis::{BigramTokenizer, WordTokenizer, bigrams, is_cjk};
use crate::highlight::Highlighter;
use crate::question::{strip_question, title_key};
use crate::vectors::VectorStore;
use crate::{BIGRAMS, Result, WORDS, text};
use serde::Serialize;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{DocAddress, DocId, Index, IndexReader, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};

#[derive(Clone, Copy)]
struct F {
    /// `source:id` of the record the passage belongs to (deletes go by it).
    pkey: Field,
    source: Field,
    doc_id: Field,
    version_no: Field,
    current: Field,
    title: Field,
    title_w: Field,
    title_key: Field,
    label: Field,
    text_w: Field,
    text_b: Field,
    url: Field,
    validity: Field,
    published_on: Field,
    vkey: Field,
}

fn schema() -> (Schema, F) {
    let mut b = Schema::builder();
    let f = F {
        pkey: b.add_text_field("pkey", STRING),
        source: b.add_text_field("source", STRING | STORED),
        doc_id: b.add_i64_field("doc_id", INDEXED | STORED | FAST),
        version_no: b.add_i64_field("version_no", STORED),
        current: b.add_u64_field("current", INDEXED | FAST | STORED),
        title: b.add_text_field("title", STORED),
        title_w: b.add_text_field("title_w", text(WORDS, false)),
        title_key: b.add_text_field("title_key", STRING | FAST),
        label: b.add_text_field("label", STORED),
        text_w: b.add_text_field("text_w", text(WORDS, true)),
        text_b: b.add_text_field("text_b", text(BIGRAMS, false)),
        url: b.add_text_field("url", STORED),
        validity: b.add_text_field("validity", STRING | STORED),
        published_on: b.add_text_field("published_on", STORED),
        vkey: b.add_u64_field("vkey", INDEXED | FAST | STORED),
    };
    (b.build(), f)
}

/// One article to index.
#[derive(Debug, Clone, Default)]
pub struct Passage {
    /// The kind of record (`document`, `faq`); with `doc_id` it names the record.
    pub source: String,
    pub doc_id: i64,
    pub version_no: i32,
    pub current: bool,
    pub title: String,
    pub label: String,
    pub text: String,
    pub url: String,
    /// The document's 有效性 code (`in_force`, `amended`, `repealed`, `expired`).
    pub validity: String,
    /// The date of this version.
    pub published_on: Option<String>,
}

/// What is embedded for a passage: its law, its label and its text (the engine windows
/// anything beyond 512 tokens).
pub fn embed_text(title: &str, label: &str, text: &str) -> String {
    format!("{title} {label} {text}")
}

/// A retrieved article with its citation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassageHit {
    /// The kind of record: `document`, or `faq` for a hotline entry.
    pub source: String,
    /// The record's id (a document's, or a hotline entry's).
    pub doc_id: i64,
    pub title: String,
    pub label: String,
    pub version_no: i64,
    pub current: bool,
    /// Where the portal shows the document.
    pub url: String,
    pub validity: String,
    /// The date of the version cited.
    pub published_on: Option<String>,
    pub text: String,
    /// The article around the question's words, with match ranges.
    pub excerpt: crate::Excerpt,
    /// The fused score (or the lexical one without vectors).
    pub score: f32,
    /// BM25 of the lexical retrieval, when it found the article.
    pub lexical: Option<f32>,
    /// Cosine with the question, when both have vectors.
    pub dense: Option<f32>,
    /// Ranks (1-based) in the lexical and the dense list.
    pub lexical_rank: Option<usize>,
    pub dense_rank: Option<usize>,
    #[serde(skip)]
    pub key: u64,
}

/// A colloquial word and the statutory terms it stands for (工资 → 劳动报酬).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub from: String,
    pub to: Vec<String>,
}

/// Weight of an added term against the user's own words (shared/domain/SEMANTIC-RETRIEVAL.md
/// §5: 0.3–0.5, so that added terms never outrank what was typed).
pub const EXPANSION_WEIGHT: f32 = 0.3;
/// Weight of the lexical list in the fused score; the dense list has the rest. Chosen on
/// the tuning half of qa_dev (docs/BENCHMARKS.md).
pub const LEXICAL_WEIGHT: f32 = 0.3;
/// How many of each list are fused.
pub const FUSE_DEPTH: usize = 100;
/// How much an article of the law the question names gains.
const NAMED_LAW_FACTOR: f32 = 3.0;

/// The table shipped in `expansions.txt` (`口语词<TAB>法定用语、法定用语`).
pub fn shipped_expansions() -> Vec<Expansion> {
    parse_expansions(include_str!("expansions.txt"))
}

/// Lines of `口语词<TAB>法定用语、法定用语`; `#` starts a comment.
pub fn parse_expansions(text: &str) -> Vec<Expansion> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.split_once('\t'))
        .map(|(from, to)| Expansion { from: from.trim().to_string(), to: split_terms(to) })
        .filter(|e| !e.from.is_empty() && !e.to.is_empty())
        .collect()
}

/// 期限、日内 (or commas) as terms.
pub fn split_terms(to: &str) -> Vec<String> {
    to.split(['、', ',', '，', ';', '；']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

/// The expansion table, matched as substrings of the question in one pass.
#[derive(Default)]
pub struct Expansions {
    list: Vec<Expansion>,
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl Expansions {
    pub fn new(list: Vec<Expansion>) -> Expansions {
        let list: Vec<Expansion> = list.into_iter().filter(|e| !e.from.trim().is_empty()).collect();
        let matcher = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(list.iter().map(|e| e.from.as_str()))
            .ok();
        Expansions { list, matcher }
    }

    /// The statutory terms for what `question` says, each once.
    pub fn terms(&self, question: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(m) = &self.matcher {
            for hit in m.find_iter(question) {
                for t in &self.list[hit.pattern().as_usize()].to {
                    if !out.contains(t) && !question.contains(t.as_str()) {
                        out.push(t.clone());
                    }
                }
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// The laws (titles as people say them) that passages belong to, for spotting one named
/// in a question; rebuilt when the passages change.
struct LawNames {
    generation: u64,
    matcher: Option<aho_corasick::AhoCorasick>,
    keys: Vec<String>,
}

/// What retrieval found for a question.
#[derive(Debug, Clone, Default)]
pub struct Retrieved {
    pub hits: Vec<PassageHit>,
    /// The law the question named (as people say it), when it named one.
    pub law: Option<String>,
    /// Whether the dense list took part.
    pub semantic: bool,
}

pub struct PassageIndex {
    index: Index,
    reader: IndexReader,
    writer: crate::WriterSlot,
    f: F,
    laws: Mutex<Option<Arc<LawNames>>>,
    lengths: crate::stats::LengthCache,
}

/// A lexical candidate before fusion.
struct Candidate {
    addr: DocAddress,
    lexical: Option<f32>,
    dense: Option<f32>,
    lexical_rank: Option<usize>,
    dense_rank: Option<usize>,
}

impl PassageIndex {
    fn from_index(index: Index, writable: bool) -> Result<PassageIndex> {
        index.tokenizers().register(WORDS, WordTokenizer::default());
        index.tokenizers().register(BIGRAMS, BigramTokenizer);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = crate::WriterSlot::new(&index, writable)?;
        Ok(PassageIndex { index, reader, writer, f: schema().1, laws: Mutex::new(None), lengths: Default::default() })
    }

    /// For searching only (see [`crate::SearchIndex::open_read_only`]).
    pub(crate) fn open_read_only(dir: &Path) -> Result<PassageIndex> {
        Self::from_index(Index::open_in_dir(dir)?, false)
    }

    /// Indexes with this word tokenizer from now on (after a dictionary change).
    pub fn set_words(&self, words: &WordTokenizer) {
        self.index.tokenizers().register(WORDS, words.clone());
    }

    pub fn in_memory() -> Result<PassageIndex> {
        Self::from_index(Index::create_in_ram(schema().0), true)
    }

    /// Opens the index in `dir`, or creates it empty (`true`: it must be rebuilt).
    pub fn open(dir: &Path) -> Result<(PassageIndex, bool)> {
        std::fs::create_dir_all(dir)?;
        if let Ok(index) = Index::open_in_dir(dir)
            && let Ok(p) = Self::from_index(index, true)
        {
            return Ok((p, false));
        }
        for entry in std::fs::read_dir(dir)? {
            let p = entry?.path();
            if p.is_dir() { std::fs::remove_dir_all(&p)? } else { std::fs::remove_file(&p)? }
        }
        Ok((Self::from_index(Index::create_in_dir(dir, schema().0)?, true)?, true))
    }

    /// Replaces the passages of the given records (source, id).
    pub fn apply(&self, records: &[(String, i64)], passages: &[Passage]) -> Result<()> {
        let mut w = self.writer.get()?;
        for (source, id) in records {
            w.delete_term(Term::from_field_text(self.f.pkey, &format!("{source}:{id}")));
        }
        for p in passages {
            let mut d = TantivyDocument::default();
            d.add_text(self.f.pkey, format!("{}:{}", p.source, p.doc_id));
            d.add_text(self.f.source, &p.source);
            d.add_i64(self.f.doc_id, p.doc_id);
            d.add_i64(self.f.version_no, p.version_no as i64);
            d.add_u64(self.f.current, p.current as u64);
            d.add_text(self.f.title, &p.title);
            d.add_text(self.f.title_w, &p.title);
            d.add_text(self.f.title_key, title_key(&p.title));
            d.add_text(self.f.label, &p.label);
            d.add_text(self.f.text_w, &p.text);
            d.add_text(self.f.text_b, &p.text);
            d.add_text(self.f.url, &p.url);
            d.add_text(self.f.validity, &p.validity);
            if let Some(on) = &p.published_on {
                d.add_text(self.f.published_on, on);
            }
            d.add_u64(self.f.vkey, crate::vectors::key(&embed_text(&p.title, &p.label, &p.text)));
            w.add_document(d)?;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    pub fn merge(&self) -> Result<()> {
        crate::merge_segments(&self.index, &self.writer)?;
        self.reader.reload()?;
        Ok(())
    }

    pub fn clear(&self) -> Result<()> {
        let mut w = self.writer.get()?;
        w.delete_all_documents()?;
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Every live passage of a current version, with its vector key.
    fn current_keys(searcher: &tantivy::Searcher) -> Result<Vec<(DocAddress, u64)>> {
        let mut out = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let keys = seg.fast_fields().u64("vkey")?.first_or_default_col(0);
            let current = seg.fast_fields().u64("current")?.first_or_default_col(0);
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_none_or(|a| a.is_alive(doc)) && current.get_val(doc) == 1 {
                    out.push((DocAddress::new(ord as u32, doc), keys.get_val(doc)));
                }
            }
        }
        Ok(out)
    }

    /// The current passages whose vectors `store` lacks, at most `limit`, as (key, text to
    /// embed): the embedding job's work list.
    pub fn missing_vectors(&self, store: &VectorStore, limit: usize) -> Result<Vec<(u64, String)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (addr, key) in Self::current_keys(&searcher)? {
            if store.contains(key) || !seen.insert(key) {
                continue;
            }
            let d: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            out.push((key, embed_text(&s(self.f.title), &s(self.f.label), &s(self.f.text_w))));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// (current passages with a vector, current passages).
    pub fn coverage(&self, store: &VectorStore) -> Result<(usize, usize)> {
        let keys = Self::current_keys(&self.reader.searcher())?;
        Ok((keys.iter().filter(|(_, k)| store.contains(*k)).count(), keys.len()))
    }

    fn law_names(&self, searcher: &tantivy::Searcher) -> Result<Arc<LawNames>> {
        let generation = searcher.generation().generation_id();
        if let Ok(l) = self.laws.lock()
            && let Some(n) = l.as_ref()
            && n.generation == generation
        {
            return Ok(n.clone());
        }
        let mut keys = std::collections::BTreeSet::new();
        for seg in searcher.segment_readers() {
            if let Some(col) = seg.fast_fields().str("title_key")? {
                let mut stream = col.dictionary().stream()?;
                while stream.advance() {
                    if let Ok(k) = std::str::from_utf8(stream.key())
                        && is_law_name(k)
                    {
                        keys.insert(k.to_string());
                    }
                }
            }
        }
        let keys: Vec<String> = keys.into_iter().collect();
        let matcher =
            aho_corasick::AhoCorasick::builder().match_kind(aho_corasick::MatchKind::LeftmostLongest).build(&keys).ok();
        let names = Arc::new(LawNames { generation, matcher, keys });
        if let Ok(mut l) = self.laws.lock() {
            *l = Some(names.clone());
        }
        Ok(names)
    }

    /// The law a question names, as people say it (the longest name found in it).
    pub fn named_law(&self, question: &str) -> Result<Option<String>> {
        let searcher = self.reader.searcher();
        let names = self.law_names(&searcher)?;
        let q: String = question.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        let Some(m) = &names.matcher else { return Ok(None) };
        Ok(m.find_iter(&q).max_by_key(|h| h.end() - h.start()).map(|h| names.keys[h.pattern().as_usize()].clone()))
    }

    /// The best `k` articles for a question, lexically (see [`PassageIndex::retrieve`]).
    pub fn search(&self, question: &str, k: usize, words: &WordTokenizer) -> Result<Vec<PassageHit>> {
        Ok(self.retrieve(question, k, words, &Expansions::default(), None)?.hits)
    }

    /// The best `k` articles for a question. Words are alternatives (a question is not a
    /// conjunction); rare words weigh most through BM25; a named law's articles come
    /// first; with `dense` (the question's vector and the store) the two lists are fused.
    pub fn retrieve(
        &self,
        question: &str,
        k: usize,
        words: &WordTokenizer,
        expansions: &Expansions,
        dense: Option<(&[f32], &VectorStore)>,
    ) -> Result<Retrieved> {
        let f = self.f;
        let k = k.clamp(1, 50);
        let asked = strip_question(question, words);
        let searcher = self.reader.searcher();
        let law = self.named_law(question)?;
        // The whole question is a title: that law's articles, in order, and nothing else.
        let only_law = law.as_deref().filter(|l| *l == title_key(question));
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut needles = Vec::new();
        for w in words.words(&asked) {
            needles.push(w.text.clone());
            should.push((Occur::Should, term(f.text_w, &w.text)));
            should.push((Occur::Should, Box::new(BoostQuery::new(term(f.title_w, &w.text), 0.5))));
        }
        // Every bigram of the question, weighted low: it finds words inside longer words
        // jieba made (费用 in 收取费用) and survives jieba cutting the question differently.
        let mut seen = std::collections::HashSet::new();
        for t in bigrams(&asked) {
            if t.text.chars().count() == 2 && t.text.chars().all(is_cjk) && seen.insert(t.text.clone()) {
                let q = TermQuery::new(Term::from_field_text(f.text_b, &t.text), IndexRecordOption::WithFreqs);
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), 0.4))));
            }
        }
        for t in expansions.terms(&asked) {
            for w in words.words(&t) {
                should.push((Occur::Should, Box::new(BoostQuery::new(term(f.text_w, &w.text), EXPANSION_WEIGHT))));
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(l) = only_law {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(f.title_key, l), IndexRecordOption::Basic)),
            ));
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_u64(f.current, 1), IndexRecordOption::Basic)),
            ));
        } else if should.is_empty() {
            return Ok(Retrieved { law, ..Default::default() });
        }
        if !should.is_empty() {
            clauses.push((
                if only_law.is_some() { Occur::Should } else { Occur::Must },
                Box::new(BooleanQuery::new(should)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let depth = if dense.is_some() { FUSE_DEPTH } else { k };
        let law_for_tweak = law.clone();
        let collector = TopDocs::with_limit(depth).tweak_score(move |seg: &SegmentReader| {
            let current = seg.fast_fields().u64("current").ok().map(|c| c.first_or_default_col(1));
            let doc_ids = seg.fast_fields().i64("doc_id").ok().map(|c| c.first_or_default_col(0));
            let keys = seg.fast_fields().str("title_key").ok().flatten();
            let named = law_for_tweak
                .as_ref()
                .and_then(|l| keys.as_ref().and_then(|k| k.dictionary().term_ord(l).ok().flatten()));
            let ords = keys.map(|k| k.ords().clone());
            move |doc: DocId, score: Score| {
                let mut s = score;
                if current.as_ref().is_some_and(|c| c.get_val(doc) == 0) {
                    s *= 0.6;
                }
                if let (Some(n), Some(o)) = (named, &ords)
                    && o.first(doc) == Some(n)
                {
                    s *= NAMED_LAW_FACTOR;
                }
                // Ties: the earlier article of the earlier document.
                (s, std::cmp::Reverse(doc_ids.as_ref().map(|c| c.get_val(doc)).unwrap_or(0)), std::cmp::Reverse(doc))
            }
        });
        let stats = crate::stats::AliveStats { searcher: &searcher, lengths: &self.lengths };
        let lexical = searcher.search_with_statistics_provider(&query, &collector, &stats)?;
        let mut cands: Vec<Candidate> = lexical
            .iter()
            .enumerate()
            .map(|(i, ((s, _, _), a))| Candidate {
                addr: *a,
                lexical: Some(*s),
                dense: None,
                lexical_rank: Some(i + 1),
                dense_rank: None,
            })
            .collect();
        let semantic = dense.is_some_and(|(_, store)| !store.is_empty());
        if let Some((qv, store)) = dense.filter(|_| semantic) {
            let keys_col = |addr: DocAddress| -> Option<u64> {
                let seg = searcher.segment_reader(addr.segment_ord);
                seg.fast_fields().u64("vkey").ok().map(|c| c.first_or_default_col(0).get_val(addr.doc_id))
            };
            for c in &mut cands {
                c.dense = keys_col(c.addr).and_then(|key| store.score(key, qv));
            }
            // Dense top list: nearest vectors, kept when a current passage (of the named
            // law, when the question is its title) has them.
            let mut rank = 0;
            for (key, cos) in store.nearest(qv, FUSE_DEPTH * 3) {
                let q = TermQuery::new(Term::from_field_u64(f.vkey, key), IndexRecordOption::Basic);
                let found = searcher.search(&q, &TopDocs::with_limit(4).order_by_score())?;
                let mut best: Option<DocAddress> = None;
                for (_, addr) in found {
                    let d: TantivyDocument = searcher.doc(addr)?;
                    let current = d.get_first(f.current).and_then(|v| v.as_u64()) == Some(1);
                    let in_law = only_law.is_none_or(|l| {
                        title_key(d.get_first(f.title).and_then(|v| v.as_str()).unwrap_or_default()) == l
                    });
                    if current && in_law {
                        best = Some(addr);
                        break;
                    }
                }
                let Some(addr) = best else { continue };
                rank += 1;
                match cands.iter_mut().find(|c| c.addr == addr) {
                    Some(c) => {
                        c.dense = Some(cos);
                        c.dense_rank = Some(rank);
                    }
                    None => cands.push(Candidate {
                        addr,
                        lexical: None,
                        dense: Some(cos),
                        lexical_rank: None,
                        dense_rank: Some(rank),
                    }),
                }
                if rank >= FUSE_DEPTH {
                    break;
                }
            }
        }
        // Min-max per list, then the weighted sum (SEMANTIC-RETRIEVAL.md §2: best or tied).
        let span = |v: Vec<f32>| {
            let lo = v.iter().copied().fold(f32::INFINITY, f32::min);
            let hi = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            (lo, (hi - lo).max(1e-6))
        };
        let (llo, lspan) = span(cands.iter().filter_map(|c| c.lexical).collect());
        let (dlo, dspan) = span(cands.iter().filter_map(|c| c.dense).collect());
        let mut scored: Vec<(f32, usize)> = cands
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let l = c.lexical.map(|s| (s - llo) / lspan).unwrap_or(0.0);
                let score = if semantic {
                    let d = c.dense.map(|s| (s - dlo) / dspan).unwrap_or(0.0);
                    LEXICAL_WEIGHT * l + (1.0 - LEXICAL_WEIGHT) * d
                } else {
                    c.lexical.unwrap_or(0.0)
                };
                (score, i)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let highlighter = Highlighter::new(&needles, words);
        let mut hits = Vec::new();
        for (score, i) in scored.into_iter().take(k) {
            let c = &cands[i];
            let d: TantivyDocument = searcher.doc(c.addr)?;
            let s = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let n = |field: Field| d.get_first(field).and_then(|v| v.as_i64()).unwrap_or_default();
            let text = s(f.text_w);
            hits.push(PassageHit {
                source: s(f.source),
                doc_id: n(f.doc_id),
                title: s(f.title),
                label: s(f.label),
                version_no: n(f.version_no),
                current: d.get_first(f.current).and_then(|v| v.as_u64()) == Some(1),
                url: s(f.url),
                validity: s(f.validity),
                published_on: d.get_first(f.published_on).and_then(|v| v.as_str()).map(str::to_string),
                excerpt: highlighter.snippet(&text, 200),
                text,
                score,
                lexical: c.lexical,
                dense: c.dense,
                lexical_rank: c.lexical_rank,
                dense_rank: c.dense_rank,
                key: d.get_first(f.vkey).and_then(|v| v.as_u64()).unwrap_or(0),
            });
        }
        Ok(Retrieved { hits, law, semantic })
    }
}

/// A title key long and specific enough to be taken for a law named in a question:
/// 刑法 and 民法典 (a 法 or 典 of two characters or more), otherwise four characters.
fn is_law_name(key: &str) -> bool {
    let n = key.chars().count();
    (n >= 2 && (key.ends_with('法') || key.ends_with('典'))) || n >= 4
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law(arts: &[(&str, &str)], title: &str, doc_id: i64) -> Vec<Passage> {
        arts.iter()
            .map(|(l, t)| Passage {
                source: "document".into(),
                doc_id,
                version_no: 1,
                current: true,
                title: title.into(),
                label: (*l).into(),
                text: (*t).into(),
                url: format!("/documents/{doc_id}"),
                validity: "in_force".into(),
                published_on: Some("2019-04-03".into()),
            })
            .collect()
    }

    fn index() -> PassageIndex {
        let p = PassageIndex::in_memory().unwrap();
        let arts = [
            (
                "第三十条",
                "政府信息公开申请内容不明确的，行政机关应当给予指导和释明，并自收到申请之日起7个工作日内一次性告知申请人作出补正。",
            ),
            (
                "第三十三条",
                "行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。不能当场答复的，应当自收到申请之日起20个工作日内予以答复。",
            ),
            ("第四十二条", "行政机关依申请提供政府信息，不收取费用。"),
        ];
        p.apply(&[("document".into(), 7)], &law(&arts, "中华人民共和国政府信息公开条例", 7)).unwrap();
        let other = [("第三十条", "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。")];
        p.apply(&[("document".into(), 8)], &law(&other, "中华人民共和国劳动合同法", 8)).unwrap();
        p
    }

    #[test]
    fn finds_the_article_that_answers() {
        let p = index();
        let w = WordTokenizer::default();
        // Lexical retrieval: the question has to share words with the article.
        let hits = p.search("要交费用吗？", 3, &w).unwrap();
        assert_eq!(hits[0].label, "第四十二条", "{hits:?}");
        assert_eq!((hits[0].validity.as_str(), hits[0].published_on.as_deref()), ("in_force", Some("2019-04-03")));
        let hits = p.search("多少个工作日内答复", 3, &w).unwrap();
        assert_eq!(hits[0].label, "第三十三条");
        assert!(!hits[0].excerpt.marks.is_empty(), "{:?}", hits[0].excerpt);
        p.apply(&[("document".into(), 7)], &[]).unwrap();
        assert!(p.search("费用", 3, &w).unwrap().is_empty(), "replaced when the document changes");
        assert!(p.search("？！", 3, &w).unwrap().is_empty());
    }

    #[test]
    fn a_named_law_comes_first_and_a_title_alone_lists_its_articles() {
        let p = index();
        let w = WordTokenizer::default();
        let r = p.retrieve("劳动合同法第三十条怎么规定的", 3, &w, &Expansions::default(), None).unwrap();
        assert_eq!(r.law.as_deref(), Some("劳动合同法"));
        assert_eq!(r.hits[0].title, "中华人民共和国劳动合同法", "{:?}", r.hits);
        let r = p.retrieve("中华人民共和国政府信息公开条例", 5, &w, &Expansions::default(), None).unwrap();
        assert_eq!(r.hits.len(), 3, "only that law's articles: {:?}", r.hits);
        assert!(r.hits.iter().all(|h| h.doc_id == 7));
    }

    #[test]
    fn colloquial_words_reach_the_statute_with_a_low_weight() {
        let p = index();
        let w = WordTokenizer::default();
        let plain = p.search("老板拖欠工资怎么办", 3, &w).unwrap();
        assert!(plain.iter().all(|h| h.doc_id != 8), "no shared word: {plain:?}");
        let e = Expansions::new(vec![
            Expansion { from: "工资".into(), to: vec!["劳动报酬".into()] },
            Expansion { from: "老板".into(), to: vec!["用人单位".into()] },
        ]);
        assert_eq!(e.terms("老板拖欠工资怎么办"), ["用人单位", "劳动报酬"]);
        let shipped = shipped_expansions();
        assert!(shipped.len() > 30 && shipped.iter().any(|e| e.from == "工资" && e.to == ["劳动报酬"]));
        let r = p.retrieve("老板拖欠工资怎么办", 3, &w, &e, None).unwrap();
        assert_eq!(r.hits[0].doc_id, 8, "{:?}", r.hits);
    }

    #[test]
    fn fusion_puts_the_nearest_vector_in_when_no_word_is_shared() {
        let p = index();
        let w = WordTokenizer::default();
        let store = VectorStore::in_memory("m", 4);
        // Vectors by hand: the fee article points where the question does.
        let hits = p.search("行政机关", 10, &w).unwrap();
        let mut vs = Vec::new();
        for h in &hits {
            let v = if h.label == "第四十二条" { vec![1.0, 0.0, 0.0, 0.0] } else { vec![0.0, 1.0, 0.0, 0.0] };
            vs.push((h.key, v));
        }
        store.add(&vs).unwrap();
        let q = [1.0f32, 0.0, 0.0, 0.0];
        let r = p.retrieve("收钱不", 3, &w, &Expansions::default(), Some((&q, &store))).unwrap();
        assert!(r.semantic);
        assert_eq!(r.hits[0].label, "第四十二条", "{:?}", r.hits);
        assert_eq!(r.hits[0].dense_rank, Some(1));
        let (covered, total) = p.coverage(&store).unwrap();
        assert_eq!((covered, total), (3, 4));
        assert_eq!(p.missing_vectors(&store, 10).unwrap().len(), 1);
    }
}
