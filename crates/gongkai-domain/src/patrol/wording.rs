//! 严重表述错误: wrong forms of fixed political and legal phrases (RULES.md §5.1 counts them
//! among the inspection's veto items). A shipped list, which the district office extends.

use super::{Finding, FindingKind};
use std::sync::OnceLock;

/// A wrong form and the correct one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordingRule {
    pub wrong: String,
    pub right: String,
}

/// The shipped list (`wording.txt`: one “wrong<TAB>right” per line).
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

pub(super) fn scan(text: &str, rules: &[WordingRule]) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in rules.iter().filter(|r| !r.wrong.is_empty()) {
        for (at, _) in text.match_indices(r.wrong.as_str()) {
            out.push(Finding::new(FindingKind::Wording, at, at + r.wrong.len(), r.right.clone()));
        }
    }
    out
}
