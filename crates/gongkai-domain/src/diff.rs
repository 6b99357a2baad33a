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

/// The part of a diff under one heading (第X条, 第X章 or 第X节; the text before the first
/// has an empty label), and whether anything in it changed: for "只看修改的条款".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DiffUnit {
    pub label: String,
    pub segments: Vec<Segment>,
    pub changed: bool,
}

/// Cuts a body's diff at every line that starts a heading in the old or the new text, so an
/// article renumbered by the revision (第三条 → 第四条) is still one unit.
pub fn by_article(segments: &[Segment]) -> Vec<DiffUnit> {
    let chars: Vec<(Change, char)> = segments.iter().flat_map(|s| s.text.chars().map(move |c| (s.change, c))).collect();
    let side = |from: usize, skip: Change| -> String {
        chars[from..]
            .iter()
            .filter(|(ch, _)| *ch != skip)
            .map(|(_, c)| *c)
            .take_while(|c| *c != '\n')
            .take(24)
            .collect()
    };
    let mut starts: Vec<(usize, String)> = vec![(0, String::new())];
    let mut line_start = true;
    for (i, (_, c)) in chars.iter().enumerate() {
        if line_start
            && let Some(label) = crate::body::heading_label(&side(i, Change::Delete))
                .or_else(|| crate::body::heading_label(&side(i, Change::Insert)))
        {
            match starts.last_mut() {
                Some(last) if last.0 == i => last.1 = label,
                _ => starts.push((i, label)),
            }
        }
        line_start = *c == '\n';
    }
    let mut units = Vec::new();
    for (n, (from, label)) in starts.iter().enumerate() {
        let to = starts.get(n + 1).map(|s| s.0).unwrap_or(chars.len());
        let mut segs: Vec<Segment> = Vec::new();
        for (change, c) in &chars[*from..to] {
            match segs.last_mut() {
                Some(s) if s.change == *change => s.text.push(*c),
                _ => segs.push(Segment { change: *change, text: c.to_string() }),
            }
        }
        if segs.is_empty() {
            continue;
        }
        let changed = segs.iter().any(|s| s.change != Change::Equal && !s.text.trim().is_empty());
        units.push(DiffUnit { label: label.clone(), segments: segs, changed });
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_is_cut_at_articles_and_a_renumbered_article_stays_one_unit() {
        let old = "总则\n第一条 为了规范管理。\n第二条 本办法适用于全区。\n第三条 由区政府负责解释。";
        let new = "总则\n第一条 为了规范管理。\n第二条 本办法适用于全区各街道。\n第三条 新增的条款。\n第四条 由区政府负责解释。";
        let units = by_article(&diff(old, new));
        let labels: Vec<(&str, bool)> = units.iter().map(|u| (u.label.as_str(), u.changed)).collect();
        assert_eq!(labels[0], ("", false), "{labels:?}");
        assert_eq!(labels[1], ("第一条", false), "{labels:?}");
        assert_eq!(labels[2], ("第二条", true), "{labels:?}");
        assert!(labels.iter().skip(3).all(|(l, _)| l.starts_with('第')), "{labels:?}");
        // Nothing is lost: the units together are the whole diff.
        let whole: String = units.iter().flat_map(|u| u.segments.iter().map(|s| s.text.as_str())).collect();
        let flat: String = diff(old, new).iter().map(|s| s.text.as_str()).collect();
        assert_eq!(whole, flat);
        assert!(by_article(&diff(old, old)).iter().all(|u| !u.changed));
    }

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
