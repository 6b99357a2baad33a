//! Differences between two versions of a text, marked for Chinese: sentences are matched
//! first, then the characters inside changed sentences, so a one-character amendment shows
//! as one character rather than as a rewritten paragraph.

use serde::Serialize;
use similar::{Algorithm, DiffTag, TextDiff, capture_diff_slices};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Equal,
    Insert,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub change: Change,
    pub text: String,
}

/// Sentences end after 。！？；, a line break, or their ASCII forms.
fn sentences(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if matches!(c, '。' | '！' | '？' | '；' | '\n' | '!' | '?' | ';') {
            let end = i + c.len_utf8();
            out.push(&s[start..end]);
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

fn push(out: &mut Vec<Segment>, change: Change, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.change == change => last.text.push_str(text),
        _ => out.push(Segment { change, text: text.to_string() }),
    }
}

pub fn diff(old: &str, new: &str) -> Vec<Segment> {
    let a = sentences(old);
    let b = sentences(new);
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Patience, &a, &b) {
        let (tag, ra, rb) = op.as_tag_tuple();
        let old_part: String = a[ra].concat();
        let new_part: String = b[rb].concat();
        match tag {
            DiffTag::Equal => push(&mut out, Change::Equal, &old_part),
            DiffTag::Delete => push(&mut out, Change::Delete, &old_part),
            DiffTag::Insert => push(&mut out, Change::Insert, &new_part),
            DiffTag::Replace => {
                let d = TextDiff::configure().algorithm(Algorithm::Myers).diff_chars(&old_part, &new_part);
                for c in d.iter_all_changes() {
                    let change = match c.tag() {
                        similar::ChangeTag::Equal => Change::Equal,
                        similar::ChangeTag::Insert => Change::Insert,
                        similar::ChangeTag::Delete => Change::Delete,
                    };
                    push(&mut out, change, c.value());
                }
            }
        }
    }
    cleanup(out)
}

/// Folds tiny equal runs that sit between changes into the change, so a reader sees
/// `[-十五][+二十]` rather than `[+二]十[-五]`.
fn cleanup(segs: Vec<Segment>) -> Vec<Segment> {
    const SMALL: usize = 2;
    let mut out: Vec<Segment> = Vec::new();
    let (mut del, mut ins) = (String::new(), String::new());
    let n = segs.len();
    for (i, s) in segs.iter().enumerate() {
        let between_changes = s.change == Change::Equal
            && (!del.is_empty() || !ins.is_empty())
            && i + 1 < n
            && s.text.chars().count() <= SMALL;
        match s.change {
            Change::Delete => del.push_str(&s.text),
            Change::Insert => ins.push_str(&s.text),
            Change::Equal if between_changes => {
                del.push_str(&s.text);
                ins.push_str(&s.text);
            }
            Change::Equal => {
                push(&mut out, Change::Delete, &std::mem::take(&mut del));
                push(&mut out, Change::Insert, &std::mem::take(&mut ins));
                push(&mut out, Change::Equal, &s.text);
            }
        }
    }
    push(&mut out, Change::Delete, &del);
    push(&mut out, Change::Insert, &ins);
    out
}

/// How much changed, in characters: (inserted, deleted).
pub fn stats(segments: &[Segment]) -> (usize, usize) {
    segments.iter().fold((0, 0), |(i, d), s| match s.change {
        Change::Insert => (i + s.text.chars().count(), d),
        Change::Delete => (i, d + s.text.chars().count()),
        Change::Equal => (i, d),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(segs: &[Segment]) -> String {
        segs.iter()
            .map(|s| match s.change {
                Change::Equal => s.text.clone(),
                Change::Insert => format!("[+{}]", s.text),
                Change::Delete => format!("[-{}]", s.text),
            })
            .collect()
    }

    #[test]
    fn a_changed_number_is_marked_alone() {
        let old = "第三条 申请人应当在十五个工作日内补正。逾期视为放弃。";
        let new = "第三条 申请人应当在二十个工作日内补正。逾期视为放弃。";
        assert_eq!(render(&diff(old, new)), "第三条 申请人应当在[-十五][+二十]个工作日内补正。逾期视为放弃。");
        assert_eq!(stats(&diff(old, new)), (2, 2));
    }

    #[test]
    fn added_and_removed_sentences() {
        let old = "一、总则。\n二、分工。\n";
        let new = "一、总则。\n一之二、目标。\n二、分工。\n";
        assert_eq!(render(&diff(old, new)), "一、总则。\n[+一之二、目标。\n]二、分工。\n");
        assert!(diff("同样。", "同样。").iter().all(|s| s.change == Change::Equal));
    }
}
