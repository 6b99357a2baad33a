//! BM25 statistics of the live documents only. tantivy counts a deleted document in
//! document frequencies, document totals and field lengths until its segment is merged,
//! so the same records scored differently after an update than after a rebuild, and the
//! top hit for 政府信息公开条例 changed from run to run. Counting only what is alive makes a
//! score depend on the records, not on the segment layout.

use std::collections::HashMap;
use std::sync::Mutex;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED, Term};

/// Field lengths per searcher generation: the sum of the (encoded) lengths of live
/// documents, read once per generation.
#[derive(Default)]
pub(crate) struct LengthCache(Mutex<HashMap<(u64, Field), u64>>);

pub(crate) struct AliveStats<'a> {
    pub searcher: &'a Searcher,
    pub lengths: &'a LengthCache,
}

impl Bm25StatisticsProvider for AliveStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let generation = self.searcher.generation().generation_id();
        if let Some(n) = self.lengths.0.lock().ok().and_then(|m| m.get(&(generation, field)).copied()) {
            return Ok(n);
        }
        // The decoded field norms of every live document: a rebuilt index and an updated
        // one sum the same values (the exact token count is only known per segment).
        let mut total = 0u64;
        for seg in self.searcher.segment_readers() {
            let norms = seg.get_fieldnorms_reader(field)?;
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    total += u64::from(norms.fieldnorm(doc));
                }
            }
        }
        if let Ok(mut m) = self.lengths.0.lock() {
            if m.len() > 64 {
                m.clear();
            }
            m.insert((generation, field), total);
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.searcher.segment_readers().iter().map(|s| u64::from(s.num_docs())).sum())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut n = 0u64;
        for seg in self.searcher.segment_readers() {
            let inverted = seg.inverted_index(term.field())?;
            let df = u64::from(inverted.doc_freq(term)?);
            if df == 0 {
                continue;
            }
            let Some(alive) = seg.alive_bitset() else {
                n += df;
                continue;
            };
            // Deleted documents are few: seek each in the posting list.
            let mut dead = 0u64;
            if let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? {
                for doc in (0..seg.max_doc()).filter(|d| !alive.is_alive(*d)) {
                    // Seeking never goes back: a deleted document before the
                    // current one is not in the list.
                    let at = if postings.doc() >= doc { postings.doc() } else { postings.seek(doc) };
                    if at == TERMINATED {
                        break;
                    }
                    if at == doc {
                        dead += 1;
                    }
                }
            }
            n += df.saturating_sub(dead);
        }
        Ok(n)
    }
}
