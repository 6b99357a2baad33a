//! Facet counts, collected in the same pass as the results.

use super::*;

pub(crate) const STR_FACETS: [&str; 6] = ["source", "issuer", "category", "validity", "kind", "topic"];

/// Counts of every facet's values among matching records, in one pass.
#[derive(Default)]
pub struct FacetFruit {
    strs: [HashMap<String, u64>; 6],
    year: HashMap<u64, u64>,
}

impl FacetFruit {
    pub(crate) fn take_from(&mut self, name: &str, other: FacetFruit) {
        match STR_FACETS.iter().position(|f| *f == name) {
            Some(i) => self.strs[i] = std::mem::take(&mut { other }.strs[i]),
            None => self.year = other.year,
        }
    }

    pub(crate) fn into_facets(self) -> Facets {
        let mut years: Vec<(String, u64)> =
            self.year.into_iter().filter(|(y, _)| *y > 0).map(|(y, n)| (y.to_string(), n)).collect();
        years.sort_by(|a, b| b.0.cmp(&a.0));
        let [source, issuer, category, validity, kind, topic] = self.strs.map(sorted);
        Facets { source, issuer, category, validity, kind, topic, year: years }
    }
}

pub(crate) struct FacetCounts;

/// Per segment, counts are kept by dictionary ordinal in plain vectors and turned into
/// strings once at the end.
pub(crate) struct FacetSegment {
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
