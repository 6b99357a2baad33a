//! Article-level retrieval for policy Q&A: every article (第X条) of every published
//! version is a passage with its document, label and version.

use crate::analysis::{BigramTokenizer, WordTokenizer, bigrams, is_cjk};
use crate::highlight::Highlighter;
use crate::{BIGRAMS, Result, WORDS, text};
use serde::Serialize;
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, Value};
use tantivy::{DocId, Index, IndexReader, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term};

#[derive(Clone, Copy)]
struct F {
    doc_id: Field,
    version_no: Field,
    current: Field,
    title: Field,
    title_w: Field,
    label: Field,
    text_w: Field,
    text_b: Field,
}

fn schema() -> (Schema, F) {
    let mut b = Schema::builder();
    let f = F {
        doc_id: b.add_i64_field("doc_id", INDEXED | STORED | FAST),
        version_no: b.add_i64_field("version_no", STORED),
        current: b.add_u64_field("current", INDEXED | FAST | STORED),
        title: b.add_text_field("title", STORED),
        title_w: b.add_text_field("title_w", text(WORDS, false)),
        label: b.add_text_field("label", STORED),
        text_w: b.add_text_field("text_w", text(WORDS, true)),
        text_b: b.add_text_field("text_b", text(BIGRAMS, false)),
    };
    (b.build(), f)
}

/// One article to index.
#[derive(Debug, Clone)]
pub struct Passage {
    pub doc_id: i64,
    pub version_no: i32,
    pub current: bool,
    pub title: String,
    pub label: String,
    pub text: String,
}

/// A retrieved article with its citation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassageHit {
    pub doc_id: i64,
    pub title: String,
    pub label: String,
    pub version_no: i64,
    pub current: bool,
    pub text: String,
    /// The article around the question's words, with match ranges.
    pub excerpt: crate::Excerpt,
    pub score: f32,
}

pub struct PassageIndex {
    index: Index,
    reader: IndexReader,
    writer: crate::WriterSlot,
    f: F,
}

impl PassageIndex {
    fn from_index(index: Index, writable: bool) -> Result<PassageIndex> {
        index.tokenizers().register(WORDS, WordTokenizer::default());
        index.tokenizers().register(BIGRAMS, BigramTokenizer);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = crate::WriterSlot::new(&index, writable)?;
        Ok(PassageIndex { index, reader, writer, f: schema().1 })
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

    /// Replaces the passages of the given documents.
    pub fn apply(&self, doc_ids: &[i64], passages: &[Passage]) -> Result<()> {
        let mut w = self.writer.get()?;
        for id in doc_ids {
            w.delete_term(Term::from_field_i64(self.f.doc_id, *id));
        }
        for p in passages {
            let mut d = TantivyDocument::default();
            d.add_i64(self.f.doc_id, p.doc_id);
            d.add_i64(self.f.version_no, p.version_no as i64);
            d.add_u64(self.f.current, p.current as u64);
            d.add_text(self.f.title, &p.title);
            d.add_text(self.f.title_w, &p.title);
            d.add_text(self.f.label, &p.label);
            d.add_text(self.f.text_w, &p.text);
            d.add_text(self.f.text_b, &p.text);
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

    /// The best `k` articles for a question. Words are alternatives (a question is not a
    /// conjunction); rare words weigh most through BM25, titles help when a law is named.
    pub fn search(&self, question: &str, k: usize, words: &WordTokenizer) -> Result<Vec<PassageHit>> {
        let f = self.f;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut needles = Vec::new();
        for w in words.words(question) {
            let t: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(f.text_w, &w.text), IndexRecordOption::WithFreqs));
            needles.push(w.text.clone());
            should.push((Occur::Should, t));
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(Term::from_field_text(f.title_w, &w.text), IndexRecordOption::WithFreqs)),
                    0.5,
                )),
            ));
        }
        // Every bigram of the question, weighted low: it finds words inside longer words
        // jieba made (费用 in 收取费用) and survives jieba cutting the question differently.
        let mut seen = std::collections::HashSet::new();
        for t in bigrams(question) {
            if t.text.chars().count() == 2 && t.text.chars().all(is_cjk) && seen.insert(t.text.clone()) {
                let q = TermQuery::new(Term::from_field_text(f.text_b, &t.text), IndexRecordOption::WithFreqs);
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), 0.4))));
            }
        }
        if should.is_empty() {
            return Ok(vec![]);
        }
        let query = BooleanQuery::new(should);
        let searcher = self.reader.searcher();
        let collector = TopDocs::with_limit(k.clamp(1, 50)).tweak_score(move |seg: &SegmentReader| {
            let current = seg.fast_fields().u64("current").ok().map(|c| c.first_or_default_col(1));
            move |doc: DocId, score: Score| {
                if current.as_ref().is_some_and(|c| c.get_val(doc) == 0) { score * 0.6 } else { score }
            }
        });
        let top = searcher.search(&query, &collector)?;
        let highlighter = Highlighter::new(&needles, words);
        let mut out = Vec::new();
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let i = |field: Field| d.get_first(field).and_then(|v| v.as_i64()).unwrap_or_default();
            let text = s(f.text_w);
            out.push(PassageHit {
                doc_id: i(f.doc_id),
                title: s(f.title),
                label: s(f.label),
                version_no: i(f.version_no),
                current: d.get_first(f.current).and_then(|v| v.as_u64()) == Some(1),
                excerpt: highlighter.snippet(&text, 200),
                text,
                score,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_article_that_answers() {
        let p = PassageIndex::in_memory().unwrap();
        let law = "中华人民共和国政府信息公开条例";
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
        let passages: Vec<Passage> = arts
            .iter()
            .map(|(l, t)| Passage {
                doc_id: 7,
                version_no: 1,
                current: true,
                title: law.into(),
                label: (*l).into(),
                text: (*t).into(),
            })
            .collect();
        p.apply(&[7], &passages).unwrap();
        // Lexical retrieval: the question has to share words with the article.
        let hits = p.search("要交费用吗？", 3, &WordTokenizer::default()).unwrap();
        assert_eq!(hits[0].label, "第四十二条", "{hits:?}");
        let hits = p.search("多少个工作日内答复", 3, &WordTokenizer::default()).unwrap();
        assert_eq!(hits[0].label, "第三十三条");
        assert!(!hits[0].excerpt.marks.is_empty(), "{:?}", hits[0].excerpt);
        p.apply(&[7], &[]).unwrap();
        assert!(
            p.search("费用", 3, &WordTokenizer::default()).unwrap().is_empty(),
            "replaced when the document changes"
        );
        assert!(p.search("？！", 3, &WordTokenizer::default()).unwrap().is_empty());
    }
}
