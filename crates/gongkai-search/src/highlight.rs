//! Snippets without re-segmenting stored text. A results page used to run jieba over a
//! window of every hit's body, which was most of its cost; here the query's words are
//! found by plain substring search, and jieba only looks at a few characters around each
//! occurrence to tell a real word (民政 in 民政局) from a chance substring (民政 in
//! 人民政府). A chance substring is never highlighted: the record may still be found
//! through the bigram fields (ranked last), but it is not shown as a match.

use crate::analysis::WordTokenizer;
use serde::Serialize;

/// A stretch of stored text with the query's matches marked. Plain text, never HTML: the
/// web layer escapes it and marks the ranges (`views::marked`); a cut is shown as `…` in
/// `text` itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Excerpt {
    pub text: String,
    /// Byte ranges of `text` that match the query, sorted and not overlapping.
    pub marks: Vec<Mark>,
}

/// One match in an [`Excerpt`]: `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
}

impl Excerpt {
    /// The text in order as (piece, matched) pairs, for a renderer to walk.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::with_capacity(self.marks.len() * 2 + 1);
        let mut at = 0;
        for m in &self.marks {
            if let (Some(before), Some(hit)) = (self.text.get(at..m.start), self.text.get(m.start..m.end)) {
                if !before.is_empty() {
                    out.push((before, false));
                }
                out.push((hit, true));
                at = m.end;
            }
        }
        if let Some(rest) = self.text.get(at..)
            && !rest.is_empty()
        {
            out.push((rest, false));
        }
        out
    }

    /// Puts `…` before the text (a cut), keeping the marks on their characters.
    pub(crate) fn cut_before(&mut self) {
        if !self.text.starts_with('…') {
            self.text.insert(0, '…');
            let n = '…'.len_utf8();
            for m in &mut self.marks {
                m.start += n;
                m.end += n;
            }
        }
    }

    /// Puts `…` after the text (a cut).
    pub(crate) fn cut_after(&mut self) {
        if !self.text.ends_with('…') {
            self.text.push('…');
        }
    }
}

/// Characters of context jieba sees on each side of an occurrence.
const CONTEXT: usize = 6;
/// Occurrences examined per needle: enough to pick a good window, bounded for huge texts.
const MAX_OCCURRENCES: usize = 16;

pub struct Highlighter<'a> {
    needles: Vec<String>,
    words: &'a WordTokenizer,
}

impl<'a> Highlighter<'a> {
    /// `needles`: the query's positive words and phrases, as typed (case-folded here).
    pub fn new(needles: &[String], words: &'a WordTokenizer) -> Highlighter<'a> {
        let mut n: Vec<String> =
            needles.iter().map(|s| s.trim().to_lowercase()).filter(|s| s.chars().any(char::is_alphanumeric)).collect();
        // Longer needles first, so a phrase wins over the words inside it.
        n.sort_by_key(|s| std::cmp::Reverse(s.len()));
        n.dedup();
        Highlighter { needles: n, words }
    }

    /// Byte ranges of `text` to highlight, sorted and not overlapping.
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        let lower;
        // ASCII case folding keeps byte offsets; other scripts are searched as they are.
        let hay = if text.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = text.to_ascii_lowercase();
            lower.as_str()
        } else {
            text
        };
        let mut out: Vec<(usize, usize)> = Vec::new();
        for needle in &self.needles {
            let found = hay
                .match_indices(needle.as_str())
                .map(|(i, _)| i)
                .take(MAX_OCCURRENCES * 4)
                .filter(|&i| self.is_word_at(text, i, i + needle.len()))
                .take(MAX_OCCURRENCES);
            for i in found {
                let r = (i, i + needle.len());
                if out.iter().all(|o| r.1 <= o.0 || r.0 >= o.1) {
                    out.push(r);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Whether jieba, seeing a little context, puts a word boundary at either end: 民政 in
    /// 民政局 starts a word, 政府 in 人民政府 ends one, 民政 in 人民政府 does neither.
    fn is_word_at(&self, text: &str, start: usize, end: usize) -> bool {
        // An ASCII needle (a year, an abbreviation) is a word whenever it is not glued to
        // other letters or digits.
        if text[start..end].is_ascii() {
            let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            return !glued(text[..start].chars().next_back()) && !glued(text[end..].chars().next());
        }
        let from = back_chars(text, start, CONTEXT);
        let to = forward_chars(text, end, CONTEXT);
        let (s, e) = (start - from, end - from);
        self.words.words(&text[from..to]).iter().any(|t| t.offset_from == s || t.offset_to == e)
    }

    /// An excerpt of about `max_chars` characters around the densest cluster of matches;
    /// the start of the text when nothing matches.
    pub fn snippet(&self, text: &str, max_chars: usize) -> Excerpt {
        let ranges = self.ranges(text);
        if ranges.is_empty() {
            return plain_start(text, max_chars);
        }
        // The match with the most other matches within the window after it.
        let span = max_chars * 3; // bytes: CJK characters take three
        let best = (0..ranges.len())
            .max_by_key(|&i| {
                let n = ranges[i..].iter().take_while(|r| r.0 < ranges[i].0 + span).count();
                (n, std::cmp::Reverse(i))
            })
            .unwrap_or(0);
        let start = back_chars(text, ranges[best].0, 20);
        let end = forward_chars(text, start, max_chars);
        let mut e = Excerpt {
            text: text[start..end].to_string(),
            marks: ranges
                .iter()
                .filter(|r| r.0 >= start && r.1 <= end)
                .map(|&(s, e)| Mark { start: s - start, end: e - start })
                .collect(),
        };
        if start > 0 {
            e.cut_before();
        }
        if end < text.len() {
            e.cut_after();
        }
        e
    }
}

/// The first `max_chars` characters, unmarked.
pub fn plain_start(text: &str, max_chars: usize) -> Excerpt {
    let end = forward_chars(text, 0, max_chars);
    let mut e = Excerpt { text: text[..end].to_string(), marks: vec![] };
    if end < text.len() {
        e.cut_after();
    }
    e
}

fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at].char_indices().rev().nth(n.saturating_sub(1)).map(|(i, _)| i).unwrap_or(0)
}

fn forward_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..].char_indices().nth(n).map(|(i, _)| at + i).unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The excerpt with its marks written as `<b>…</b>`, unescaped: what the tests read.
    fn snip(needles: &[&str], text: &str) -> String {
        let w = WordTokenizer::default();
        let n: Vec<String> = needles.iter().map(|s| s.to_string()).collect();
        let e = Highlighter::new(&n, &w).snippet(text, 60);
        e.pieces().iter().map(|(t, hit)| if *hit { format!("<b>{t}</b>") } else { t.to_string() }).collect()
    }

    #[test]
    fn min_zheng_is_highlighted_in_min_zheng_ju_but_not_inside_ren_min_zheng_fu() {
        let s = snip(&["民政"], "各街道人民政府、区民政局：现将有关事项通知如下。");
        assert!(s.contains("区<b>民政</b>局"), "{s}");
        assert!(s.contains("人民政府") && !s.contains("人<b>民政</b>府"), "{s}");
    }

    #[test]
    fn a_substring_across_two_words_is_never_highlighted() {
        let s = snip(&["民政"], "各街道人民政府：现将有关事项通知如下。");
        assert!(!s.contains("<b>"), "民政 is not a word of 人民政府: {s}");
    }

    #[test]
    fn overlapping_needles_never_overlap_or_panic() {
        let s = snip(&["人民政府", "民政", "政府"], "𠀀人民政府<script>𠀀");
        assert!(s.contains("<b>人民政府</b>"), "{s}");
        assert!(s.contains("<script>"), "plain text, escaped by whoever renders it: {s}");
        assert_eq!(s.matches("<b>").count(), 1, "{s}");
        assert_eq!(snip(&["x"], ""), "");
        assert_eq!(snip(&[], "短"), "短");
    }

    #[test]
    fn the_window_goes_to_the_match_deep_in_a_long_text() {
        let text = format!("{}第九十九条 泄露个人隐私的，依法追究责任。", "总则内容。".repeat(3000));
        let s = snip(&["个人隐私"], &text);
        assert!(s.starts_with('…') && s.contains("<b>个人隐私</b>"), "{s}");
        assert!(s.chars().count() < 80, "{s}");
    }

    #[test]
    fn ascii_is_case_folded_and_needs_boundaries() {
        let s = snip(&["ofd"], "支持OFD格式，不含 ofdx。");
        assert!(s.contains("<b>OFD</b>") && !s.contains("<b>ofd</b>x"), "{s}");
    }
}
