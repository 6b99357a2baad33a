//! Chinese analysis: jieba words (non-overlapping, so snippets never see overlapping
//! tokens) and CJK bigrams (so any two-character substring is found).

use jieba_rs::Jieba;
use std::sync::{Arc, LazyLock};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Terms jieba splits wrongly. Kept short on purpose: a long compound in the dictionary
/// hides its parts from search (shared/DESIGN.md).
pub const DISCLOSURE_TERMS: &[&str] = &[
    "免申即享",
    "一网通办",
    "政务公开",
    "依申请公开",
    "主动公开",
    "政策解读",
    "行政规范性文件",
    "直达快享",
    "一件事",
    "秒报秒批",
];

static JIEBA: LazyLock<Arc<Jieba>> = LazyLock::new(|| {
    let mut j = Jieba::new();
    for t in DISCLOSURE_TERMS {
        j.add_word(t, Some(100_000), None);
    }
    Arc::new(j)
});

pub fn jieba() -> Arc<Jieba> {
    JIEBA.clone()
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// jieba `cut`: each word once, in order; punctuation and spaces dropped; ASCII lowercased.
#[derive(Clone)]
pub struct WordTokenizer {
    jieba: Arc<Jieba>,
    /// The district office's terms on top of [`DISCLOSURE_TERMS`].
    extra: Vec<String>,
}

impl Default for WordTokenizer {
    fn default() -> Self {
        WordTokenizer { jieba: jieba(), extra: vec![] }
    }
}

pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

impl WordTokenizer {
    /// The shipped dictionary plus the district office's own terms.
    pub fn with_terms(extra: &[String]) -> WordTokenizer {
        if extra.is_empty() {
            return WordTokenizer::default();
        }
        let mut j = (*JIEBA.clone()).clone();
        for t in extra {
            j.add_word(t, Some(100_000), None);
        }
        WordTokenizer { jieba: Arc::new(j), extra: extra.to_vec() }
    }

    pub fn extra_terms(&self) -> &[String] {
        &self.extra
    }

    pub fn words(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        for (position, t) in
            self.jieba.cut(text, true).into_iter().filter(|t| t.word.chars().any(is_word_char)).enumerate()
        {
            out.push(Token {
                offset_from: t.byte_start,
                offset_to: t.byte_end,
                position,
                text: t.word.to_lowercase(),
                position_length: 1,
            });
        }
        out
    }

    /// The words as indexed: each jieba word, and at its position the dictionary words of
    /// two and three characters inside a longer word (民政 in 民政局, 劳动 and 合同 in
    /// 劳动合同法), so a query for the short word finds it as a word. A chance substring
    /// across two words (民政 in 人民|政府) is not one of them.
    pub fn index_words(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        for w in self.words(text) {
            let chars: Vec<(usize, char)> = w.text.char_indices().collect();
            if chars.len() >= 3 && chars.iter().all(|(_, c)| is_cjk(*c)) {
                for n in [2usize, 3] {
                    for i in 0..=chars.len().saturating_sub(n) {
                        if n == chars.len() {
                            continue;
                        }
                        let start = chars[i].0;
                        let end = chars.get(i + n).map(|c| c.0).unwrap_or(w.text.len());
                        let sub = &w.text[start..end];
                        if self.jieba.has_word(sub) {
                            out.push(Token {
                                offset_from: w.offset_from + start,
                                offset_to: w.offset_from + end,
                                position: w.position,
                                text: sub.to_string(),
                                position_length: 1,
                            });
                        }
                    }
                }
            }
            out.push(w);
        }
        out
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream { tokens: self.index_words(text), index: 0 }
    }
}

/// Overlapping CJK bigrams (a lone CJK character stays a unigram); other letters and digits
/// form lowercase words. Positions leave a gap of two between runs, so a phrase built from
/// every other bigram (see `cover` in lib.rs) can never match across a break.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

const RUN_GAP: usize = 2;

pub fn bigrams(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let mut position = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !out.is_empty() && (is_cjk(c) || is_word_char(c)) {
            position += RUN_GAP;
        }
        if is_cjk(c) {
            let mut j = i;
            while j < chars.len() && is_cjk(chars[j].1) {
                j += 1;
            }
            let run = &chars[i..j];
            let end_of = |k: usize| if k < chars.len() { chars[k].0 } else { text.len() };
            if run.len() == 1 {
                out.push(Token {
                    offset_from: start,
                    offset_to: end_of(i + 1),
                    position,
                    text: c.to_string(),
                    position_length: 1,
                });
                position += 1;
            } else {
                for (k, (s, _)) in run.iter().enumerate().take(run.len() - 1) {
                    let e = end_of(i + k + 2);
                    out.push(Token {
                        offset_from: *s,
                        offset_to: e,
                        position,
                        text: text[*s..e].to_string(),
                        position_length: 1,
                    });
                    position += 1;
                }
            }
            i = j;
        } else if is_word_char(c) {
            let mut j = i;
            while j < chars.len() && is_word_char(chars[j].1) && !is_cjk(chars[j].1) {
                j += 1;
            }
            let e = if j < chars.len() { chars[j].0 } else { text.len() };
            out.push(Token {
                offset_from: start,
                offset_to: e,
                position,
                text: text[start..e].to_lowercase(),
                position_length: 1,
            });
            position += 1;
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream { tokens: bigrams(text), index: 0 }
    }
}

/// Every CJK character on its own, so a one-character query (税) finds 税收 and 纳税 with
/// one term lookup. Indexed without positions: it only ever matches single characters.
#[derive(Clone, Default)]
pub struct CharTokenizer;

impl Tokenizer for CharTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = text
            .char_indices()
            .filter(|(_, c)| is_cjk(*c))
            .enumerate()
            .map(|(position, (i, c))| Token {
                offset_from: i,
                offset_to: i + c.len_utf8(),
                position,
                text: c.to_string(),
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, index: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        WordTokenizer::default().words(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn dictionary_terms_stay_whole_but_parts_are_not_hidden() {
        assert!(words("企业可以免申即享政策红利").contains(&"免申即享".to_string()));
        assert!(words("推进一网通办改革").contains(&"一网通办".to_string()));
        // 人民政府 is not in our dictionary: its parts remain findable.
        let w = words("莱芜区人民政府办公室");
        assert!(w.iter().any(|t| t.contains("政府")), "{w:?}");
    }

    #[test]
    fn word_tokens_never_overlap() {
        let toks = WordTokenizer::default().words("中华人民共和国政府信息公开条例");
        for pair in toks.windows(2) {
            assert!(pair[0].offset_to <= pair[1].offset_from, "{pair:?}");
        }
    }

    #[test]
    fn bigrams_cover_every_two_characters() {
        let b: Vec<(String, usize)> = bigrams("人民政府 2025年").into_iter().map(|t| (t.text, t.position)).collect();
        let want = [("人民", 0), ("民政", 1), ("政府", 2), ("2025", 5), ("年", 8)];
        assert_eq!(b, want.map(|(t, p)| (t.to_string(), p)), "runs are two positions apart");
    }
}
