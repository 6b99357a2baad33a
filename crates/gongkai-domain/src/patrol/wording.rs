//! 严重表述错误: wrong forms of fixed political and legal phrases (RULES.md §5.1 counts them
//! among the inspection's veto items). A shipped list, which the district office extends.

use super::{Finding, FindingKind};
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

/// A wrong form and the correct one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordingRule {
    pub wrong: String,
    pub right: String,
}

/// The shipped list (`wording.txt`: one line per rule, the wrong form, a tab, the right one).
pub fn shipped_wording() -> &'static [WordingRule] {
    static RULES: OnceLock<Vec<WordingRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        include_str!("wording.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(w, r)| WordingRule { wrong: w.trim().into(), right: r.trim().into() })
            .collect()
    })
}

/// The rules as one automaton, and the rules in its pattern order.
pub struct WordingSet {
    ac: Option<AhoCorasick>,
    rules: Vec<WordingRule>,
}

impl WordingSet {
    pub fn new(rules: &[WordingRule]) -> WordingSet {
        let rules: Vec<WordingRule> = rules.iter().filter(|r| !r.wrong.is_empty()).cloned().collect();
        // Leftmost-longest: of two wrong forms at one place, the longer is the error named.
        let ac = if rules.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(rules.iter().map(|r| r.wrong.as_str()))
                .ok()
        };
        WordingSet { ac, rules }
    }

    /// The shipped list, built once.
    pub fn shipped() -> &'static WordingSet {
        static SET: OnceLock<WordingSet> = OnceLock::new();
        SET.get_or_init(|| WordingSet::new(shipped_wording()))
    }

    pub(super) fn scan(&self, text: &str) -> Vec<Finding> {
        let Some(ac) = &self.ac else { return vec![] };
        ac.find_iter(text)
            .map(|m| {
                let r = &self.rules[m.pattern().as_usize()];
                Finding::new(FindingKind::Wording, m.start(), m.end(), r.right.clone())
            })
            .collect()
    }
}
