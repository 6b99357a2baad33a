//! Citations of documents no longer in force (废止, 失效) as if they were: a body that cites
//! 《…》 or a 发文字号 of such a document. A sentence that says the citation is repealed or
//! no longer applies (同时废止, 不再执行, …) is no finding: that is how repeals are written.

use super::{Finding, FindingKind};
use aho_corasick::{AhoCorasick, MatchKind};

/// A document no longer in force: its title and number, and what became of it.
#[derive(Debug, Clone)]
pub struct NotInForce {
    pub title: String,
    pub doc_no: Option<String>,
    /// 废止 or 失效
    pub validity: String,
}

/// The patterns to look for (《title》 and each 发文字号), in one automaton.
pub struct CitationSet {
    ac: Option<AhoCorasick>,
    /// For each pattern: the document it names.
    of: Vec<usize>,
    docs: Vec<NotInForce>,
}

/// Words that say, in the same sentence, that the citation no longer applies.
const SAYS_SO: &[&str] =
    &["废止", "失效", "停止执行", "不再执行", "停止施行", "不再施行", "同时作废", "予以撤销", "宣布失效"];

impl CitationSet {
    /// `docs` are the documents no longer in force whose title no document in force shares
    /// (an amended law keeps its title: citing it is right).
    pub fn new(docs: Vec<NotInForce>) -> CitationSet {
        let mut patterns = Vec::new();
        let mut of = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            if d.title.chars().count() >= 4 {
                patterns.push(format!("《{}》", d.title));
                of.push(i);
            }
            if let Some(n) = d.doc_no.as_deref().filter(|n| n.chars().count() >= 5) {
                patterns.push(n.to_string());
                of.push(i);
            }
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&patterns).ok()
        };
        CitationSet { ac, of, docs }
    }

    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// The citations in `text` of documents no longer in force, except in sentences that
    /// say so.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let Some(ac) = &self.ac else { return vec![] };
        let mut out = Vec::new();
        for m in ac.find_iter(text) {
            let d = &self.docs[self.of[m.pattern().as_usize()]];
            let start = text[..m.start()]
                .char_indices()
                .rev()
                .find(|(_, c)| matches!(c, '。' | '\n' | '；'))
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(0);
            let end = text[m.end()..].find(['。', '\n', '；']).map(|i| m.end() + i).unwrap_or(text.len());
            let sentence = &text[start..end];
            if SAYS_SO.iter().any(|w| sentence.contains(w)) {
                continue;
            }
            out.push(Finding::new(
                FindingKind::RepealedCitation,
                m.start(),
                m.end(),
                format!("该文件已{}", d.validity),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> CitationSet {
        CitationSet::new(vec![
            NotInForce {
                title: "莱芜区城乡低保管理办法".into(),
                doc_no: Some("莱政办发〔2019〕3号".into()),
                validity: "废止".into(),
            },
            NotInForce { title: "短".into(), doc_no: None, validity: "失效".into() },
        ])
    }

    #[test]
    fn a_citation_of_a_repealed_document_is_found_unless_the_sentence_says_so() {
        let s = set();
        let cases: &[(&str, usize)] = &[
            ("根据《莱芜区城乡低保管理办法》第五条，申请人应当……", 1),
            ("按照莱政办发〔2019〕3号文件执行。", 1),
            ("本办法自发布之日起施行，《莱芜区城乡低保管理办法》同时废止。", 0),
            ("莱政办发〔2019〕3号不再执行。", 0),
            ("《莱芜区城乡低保管理办法（修订）》", 0),
            ("一个短的标题：《短》", 0),
            ("", 0),
        ];
        for (text, n) in cases {
            let found = s.scan(text);
            assert_eq!(found.len(), *n, "{text}: {found:?}");
            assert!(found.iter().all(|f| f.kind == FindingKind::RepealedCitation && f.replacement == "该文件已废止"));
        }
        assert!(CitationSet::new(vec![]).is_empty());
    }
}
