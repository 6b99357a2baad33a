//! Querying the index: the query language (words, bigrams, phrases, exclusions, document
//! and index numbers), filters, ranking, the results page with excerpts and facets,
//! suggestions and "did you mean".

use super::*;
use tantivy::query::ConstScoreQuery;

impl SearchIndex {
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
            // A word match ranks above any substring that is not one: the words score by
            // BM25 on top of a constant tier, the bigram fields (民政 inside 人民|政府) only
            // a little, so they are found — for recall — but come last.
            let as_word = || -> Box<dyn Query> {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, term(f.title_w, &w.text)),
                    (Occur::Should, term(f.body_w, &w.text)),
                ]))
            };
            let mut should: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, boosted(term(f.title_w, &w.text), 4.0)),
                (Occur::Should, boosted(term(f.body_w, &w.text), 1.0)),
                (Occur::Should, Box::new(ConstScoreQuery::new(as_word(), WORD_TIER))),
            ];
            scoring.extend(should.iter().map(|(o, q)| (*o, q.box_clone())));
            let one_cjk = w.text.chars().count() == 1 && w.text.chars().all(is_cjk);
            if !one_cjk && w.text.chars().any(is_cjk) {
                should.push((Occur::Should, boosted(self.bigram_phrase(f.title_b, &w.text), 0.02)));
                should.push((Occur::Should, boosted(self.bigram_phrase(f.body_b, &w.text), 0.005)));
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
        let typed = text.trim();
        let exact: Option<Box<dyn Query>> = if let Some(d) = DocNo::parse_lenient(typed) {
            Some(Box::new(TermQuery::new(
                Term::from_field_text(f.doc_no_key, &doc_no_key(&d)),
                IndexRecordOption::Basic,
            )))
        } else if let Ok(i) = IndexNo::parse(typed) {
            Some(Box::new(TermQuery::new(Term::from_field_text(f.index_no, &i.to_string()), IndexRecordOption::Basic)))
        } else if let Some(p) = doc_no_prefix(typed) {
            // 莱政办发〔2025〕: that issuer's numbers of that year, not others' that look alike.
            Some(Box::new(TermQuery::new(Term::from_field_text(f.doc_no_prefix, &p), IndexRecordOption::Basic)))
        } else {
            None
        };
        // A document or index number that exists is all that was meant: the same characters
        // as text would only add noise.
        if let Some(e) = &exact
            && searcher.search(e.as_ref(), &Count)? > 0
        {
            return Ok(Parsed { all: None, every: None, any: None, exact, needles: vec![] });
        }
        let stripped = crate::question::strip_question(typed, &words);
        let text = stripped.as_str();
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        let mut must_not: Vec<Box<dyn Query>> = Vec::new();
        let mut loose: Vec<Box<dyn Query>> = Vec::new();
        let mut needles = Vec::new();
        let mut in_order: Vec<String> = Vec::new();
        let mut loose_parts = 0usize;
        let mut loose_words: Vec<Box<dyn Query>> = Vec::new();
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
                    loose_parts += 1;
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
                // At least half of a typed word's parts (of three or more): a question
                // shares most of them with the answer, nonsense (量子纠缠火星移民) one
                // part with anything.
                let n = t.loose.len();
                loose_words.extend(t.loose.iter().map(|q| q.box_clone()));
                if n > 0 {
                    let min = if n >= 3 { n.div_ceil(2) } else { 1 };
                    let parts: Vec<(Occur, Box<dyn Query>)> = t.loose.into_iter().map(|q| (Occur::Should, q)).collect();
                    loose.push(Box::new(BooleanQuery::with_minimum_required_clauses(parts, min)));
                    loose_parts += n;
                }
                needles.extend(t.needles);
                in_order.extend(t.words);
            }
        }
        if must.is_empty() {
            return Ok(Parsed { all: None, every: None, any: None, exact, needles });
        }
        let build = |parts: &[Box<dyn Query>], occur: Occur| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = parts.iter().map(|q| (occur, q.box_clone())).collect();
            clauses.extend(must_not.iter().map(|q| (Occur::MustNot, q.box_clone())));
            Box::new(BooleanQuery::new(clauses))
        };
        // An unknown document number gets no any-word fallback: its pieces (莱, 2024, 号)
        // would match everything.
        let any = if loose_parts > 1 && exact.is_none() { Some(build(&loose, Occur::Should)) } else { None };
        // Every word somewhere, not side by side: tried before `any` for a sentence typed
        // in one run.
        let every =
            if loose_words.len() > 1 && exact.is_none() { Some(build(&loose_words, Occur::Must)) } else { None };
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
        // What was typed is a title, as people say it (政府信息公开条例): that record first.
        let key = crate::question::title_key(typed);
        if key.chars().count() >= 2 {
            let same = TermQuery::new(Term::from_field_text(f.title_key, &key), IndexRecordOption::Basic);
            all = Box::new(BooleanQuery::new(vec![
                (Occur::Must, all),
                (Occur::Should, Box::new(ConstScoreQuery::new(Box::new(same), TITLE_TIER))),
            ]));
        }
        Ok(Parsed { all: Some(all), every, any, exact, needles })
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
        let stats = stats::AliveStats { searcher, lengths: &self.lengths };
        if by_date {
            let c = top.tweak_score(newest);
            let (d, n, fc) = searcher.search_with_statistics_provider(query, &(c, Count, FacetCounts), &stats)?;
            return Ok((d.into_iter().map(|((days, _), a)| (days as f32, a)).collect(), n, fc));
        }
        let (d, n, fc) =
            searcher.search_with_statistics_provider(query, &(top.tweak_score(ranked), Count, FacetCounts), &stats)?;
        Ok((d.into_iter().map(|((s, _), a)| (s, a)).collect(), n, fc))
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
        // A question typed into the box rarely has its words side by side, or all of
        // them in one document.
        for fallback in [parsed.every, parsed.any] {
            if total == 0
                && let Some(f) = fallback
            {
                text = Some(f);
                let query = self.combined(&text, &parsed.exact, self.filters(q, None));
                (docs, total, main_counts) = self.run(&searcher, query.as_ref(), q, by_date)?;
                relaxed = total > 0;
            }
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
        let top = searcher.search(&query, &TopDocs::with_limit(k.clamp(1, 20) * 3).tweak_score(ranked))?;
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
            // People leave out bracketed parts such as （试行）, and 中华人民共和国.
            let dist = strsim::levenshtein(&typed_n, &title_n)
                .min(strsim::levenshtein(&typed_n, &norm(&without_brackets(&title))))
                .min(strsim::levenshtein(&typed_n, &crate::question::title_key(&title)));
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
pub(crate) fn body_snippet(body: &[u8], needles: &[String], h: &Highlighter) -> Excerpt {
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
pub(crate) fn cover(tokens: &[tantivy::tokenizer::Token]) -> Vec<(usize, String)> {
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
pub(crate) fn without_brackets(title: &str) -> String {
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

pub(crate) fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

pub(crate) fn key_of(d: &TantivyDocument, f: Fields) -> String {
    let s = d.get_first(f.source).and_then(|v| v.as_str()).unwrap_or_default();
    key_text(s, d.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0))
}

/// What a word found as a word adds to a record's score: more than any substring
/// (bigram) match can, so word matches rank first.
const WORD_TIER: f32 = 2.0;
/// What a record whose title is exactly what was typed adds: above every other match.
const TITLE_TIER: f32 = 500.0;

/// `莱政办发〔2025〕` or `莱政办发` typed alone: the key of that issuer's (and year's) numbers.
pub(crate) fn doc_no_prefix(typed: &str) -> Option<String> {
    let t = typed.trim();
    if t.chars().count() < 2 || t.chars().count() > 20 || !t.chars().next().is_some_and(is_cjk) {
        return None;
    }
    // A year in brackets, or a code that ends as 代字 do (莱政办发, 鲁政字, 国办函): plain
    // words are never taken for a number.
    let bracketed = t.ends_with(['〕', ']', '）', ')', '】']);
    if !bracketed && !t.ends_with(['发', '字', '函']) {
        return None;
    }
    let d = DocNo::parse_lenient(&format!("{t}1号"))?;
    if d.seq() != 1 || (bracketed && d.year().is_none()) {
        return None;
    }
    Some(match d.year() {
        Some(y) => format!("{}|{y}", d.issuer_code()),
        None => d.issuer_code().to_string(),
    })
}

/// [`rank`] with ties broken by record id, so equal scores never fall back on the
/// segment layout.
pub(crate) fn ranked(seg: &SegmentReader) -> impl Fn(DocId, Score) -> (Score, std::cmp::Reverse<i64>) + use<> {
    let r = rank(seg);
    let ids = seg.fast_fields().i64("id").ok().map(|c| c.first_or_default_col(0));
    move |doc, score| (r(doc, score), std::cmp::Reverse(ids.as_ref().map(|c| c.get_val(doc)).unwrap_or(0)))
}

/// Newest first, ties by record id.
pub(crate) fn newest(seg: &SegmentReader) -> impl Fn(DocId, Score) -> (i64, std::cmp::Reverse<i64>) + use<> {
    let days = seg.fast_fields().i64("published_days").ok().map(|c| c.first_or_default_col(0));
    let ids = seg.fast_fields().i64("id").ok().map(|c| c.first_or_default_col(0));
    move |doc, _| {
        (
            days.as_ref().map(|c| c.get_val(doc)).unwrap_or(0),
            std::cmp::Reverse(ids.as_ref().map(|c| c.get_val(doc)).unwrap_or(0)),
        )
    }
}

/// Ranking beyond BM25: in force above repealed, expired or amended; current versions above
/// old ones; a mild preference for recent records. Per segment, the validity values are
/// compared as dictionary ordinals, so no string is read per document.
pub(crate) fn rank(seg: &SegmentReader) -> impl Fn(DocId, Score) -> Score + use<> {
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

pub(crate) fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().filter(|(k, _)| !k.is_empty()).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

pub(crate) fn boosted(q: Box<dyn Query>, b: f32) -> Box<dyn Query> {
    if (b - 1.0).abs() < f32::EPSILON { q } else { Box::new(BoostQuery::new(q, b)) }
}
