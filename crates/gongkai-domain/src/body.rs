//! The structure of a document body: chapters, sections, articles (第X条) and paragraphs,
//! so each article can be addressed (`#art-12`) and cited.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// 第一章　总则
    Chapter { label: String, title: String },
    /// 第一节　…
    Section { label: String, title: String },
    /// 第十二条 … with the paragraphs that belong to it.
    Article { number: u32, label: String, paragraphs: Vec<String> },
    /// Text outside any article (preambles, notices without articles).
    Paragraph { text: String },
}

impl Block {
    pub fn anchor(&self) -> Option<String> {
        match self {
            Block::Article { number, .. } => Some(format!("art-{number}")),
            _ => None,
        }
    }
}

/// Value of a Chinese numeral such as 一百二十三, 二十, 十一, 一千零五; also accepts digits.
pub fn chinese_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let mut total: u32 = 0;
    let mut current: u32 = 0;
    for c in s.chars() {
        let digit = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = digit {
            current = d;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        // 十一 means 11: a bare unit counts as one of it.
        total += if current == 0 { 1 } else { current } * unit;
        current = 0;
    }
    Some(total + current)
}

const NUM_CHARS: &str = "零〇一二两三四五六七八九十百千0123456789";

/// Splits `第X<unit>` off the start of a line: returns (label, number, rest).
fn numbered_heading(line: &str, unit: char) -> Option<(String, u32, &str)> {
    let rest = line.strip_prefix('第')?;
    let end = rest.char_indices().find(|(_, c)| !NUM_CHARS.contains(*c)).map(|(i, _)| i)?;
    let (num, after) = rest.split_at(end);
    let after = after.strip_prefix(unit)?;
    let n = chinese_number(num)?;
    Some((format!("第{num}{unit}"), n, after.trim_start_matches([' ', '\u{3000}', '\t'])))
}

/// The `第X章`/`第X节`/`第X条` a line starts with, if it starts with one.
pub fn heading_label(line: &str) -> Option<String> {
    let line = line.trim_start_matches([' ', '\u{3000}', '\t']);
    ['条', '章', '节'].iter().find_map(|u| numbered_heading(line, *u)).map(|(label, _, _)| label)
}

/// Parses a body whose paragraphs are separated by line breaks (blank lines allowed).
pub fn parse_body(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_matches([' ', '\u{3000}', '\t', '\r']);
        if line.is_empty() {
            continue;
        }
        if let Some((label, _, title)) = numbered_heading(line, '章')
            && title.chars().count() <= 40
        {
            blocks.push(Block::Chapter { label, title: title.to_string() });
            continue;
        }
        if let Some((label, _, title)) = numbered_heading(line, '节')
            && title.chars().count() <= 40
        {
            blocks.push(Block::Section { label, title: title.to_string() });
            continue;
        }
        if let Some((label, number, rest)) = numbered_heading(line, '条') {
            let paragraphs = if rest.is_empty() { vec![] } else { vec![rest.to_string()] };
            blocks.push(Block::Article { number, label, paragraphs });
            continue;
        }
        match blocks.last_mut() {
            Some(Block::Article { paragraphs, .. }) => paragraphs.push(line.to_string()),
            _ => blocks.push(Block::Paragraph { text: line.to_string() }),
        }
    }
    blocks
}

/// The articles of a body as (label, text) pairs: the passages Q&A cites.
pub fn articles(text: &str) -> Vec<(String, String)> {
    parse_body(text)
        .into_iter()
        .filter_map(|b| match b {
            Block::Article { label, paragraphs, .. } => Some((label, paragraphs.join("\n"))),
            _ => None,
        })
        .collect()
}

/// The passages Q&A cites: the articles (第X条) of a law or regulation; for a district
/// document numbered 一、（一）1. instead, each numbered part under its full label
/// (`二、（三）` or `二、（三）1.`), the text of its paragraphs including the heading line.
pub fn passages(text: &str) -> Vec<(String, String)> {
    let a = articles(text);
    if !a.is_empty() {
        return a;
    }
    sections(text)
}

/// The heading a paragraph opens with: level (1 一、, 2 （一）, 3 1.) and its label.
fn section_heading(line: &str) -> Option<(usize, String)> {
    let l = line.trim_start_matches([' ', '\u{3000}', '\t']);
    let numeral = |c: char| "一二三四五六七八九十百零".contains(c);
    let lead: String = l.chars().take_while(|c| numeral(*c)).collect();
    if !lead.is_empty() && l[lead.len()..].starts_with('、') {
        return Some((1, format!("{lead}、")));
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = l.strip_prefix(open) {
            let inner: String = rest.chars().take_while(|c| numeral(*c)).collect();
            if !inner.is_empty() && rest[inner.len()..].starts_with(close) {
                return Some((2, format!("（{inner}）")));
            }
        }
    }
    let digits: String = l.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() && digits.len() <= 2 && l[digits.len()..].starts_with(['.', '．', '、']) {
        let after = &l[digits.len()..];
        // 1.5亿元 is a number, not a heading.
        if !after.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
            return Some((3, format!("{digits}.")));
        }
    }
    None
}

/// The numbered parts of a district document (一、 / （一） / 1.), each with its full label.
pub fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut labels: [Option<String>; 3] = [None, None, None];
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some((level, label)) = section_heading(line) {
            if let Some((l, paras)) = current.take() {
                out.push((l, paras.join("\n")));
            }
            labels[level - 1] = Some(label);
            for deeper in labels.iter_mut().skip(level) {
                *deeper = None;
            }
            let full: String = labels.iter().flatten().cloned().collect();
            current = Some((full, vec![line.to_string()]));
        } else if let Some((_, paras)) = current.as_mut() {
            paras.push(line.to_string());
        }
    }
    if let Some((l, paras)) = current {
        out.push((l, paras.join("\n")));
    }
    // A part that is only a heading with parts under it says nothing on its own.
    let mut kept: Vec<(String, String)> = Vec::new();
    for (i, (label, body)) in out.iter().enumerate() {
        let parent = out.get(i + 1).is_some_and(|(next, _)| next.starts_with(label.as_str()) && next != label);
        let bare_heading = parent && !body.contains('\n') && !body.contains('。') && body.chars().count() <= 30;
        if !bare_heading {
            kept.push((label.clone(), body.clone()));
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_documents_are_cut_by_their_numbered_parts() {
        let body = "为做好2025年政务公开工作，现通知如下。\n一、总体要求\n（一）加强组织领导。各单位要明确分管负责人。\n（二）强化考核。纳入年度考核。\n1.考核内容。包括公开质量。\n2.考核方式。采取第三方评估，资金1.5亿元。\n二、重点任务\n严格落实主动公开目录。";
        let s = passages(body);
        let labels: Vec<&str> = s.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["一、（一）", "一、（二）", "一、（二）1.", "一、（二）2.", "二、"], "{s:?}");
        assert!(s[3].1.contains("1.5亿元"), "a number is not a heading");
        assert!(s[4].1.contains("主动公开目录"));
        assert_eq!(passages("第一条 本办法自公布之日起施行。")[0].0, "第一条", "articles first");
    }

    #[test]
    fn chinese_numerals() {
        for (s, n) in [
            ("一", 1),
            ("十", 10),
            ("十一", 11),
            ("二十", 20),
            ("一百二十三", 123),
            ("一百零五", 105),
            ("一千零一", 1001),
            ("两百", 200),
            ("56", 56),
        ] {
            assert_eq!(chinese_number(s), Some(n), "{s}");
        }
        assert_eq!(chinese_number("条"), None);
    }

    #[test]
    fn chapters_and_articles_are_recognised() {
        let body = "第一章  总则\n\n第一条 为了保障公民、法人和其他组织依法获取政府信息，制定本条例。\n\n第二条 本条例所称政府信息，是指……\n\n行政机关应当……\n\n第二章　公开的主体和范围\n\n第十条 行政机关制作的政府信息，由制作该政府信息的行政机关负责公开。";
        let blocks = parse_body(body);
        assert_eq!(blocks.len(), 5);
        assert_eq!(blocks[0], Block::Chapter { label: "第一章".into(), title: "总则".into() });
        match &blocks[2] {
            Block::Article { number, label, paragraphs } => {
                assert_eq!((*number, label.as_str(), paragraphs.len()), (2, "第二条", 2));
            }
            b => panic!("{b:?}"),
        }
        assert_eq!(blocks[4].anchor().as_deref(), Some("art-10"));
        let arts = articles(body);
        assert_eq!(arts.len(), 3);
        assert!(arts[0].1.starts_with("为了保障"));
    }

    #[test]
    fn prose_without_articles_stays_paragraphs() {
        let blocks = parse_body("各街道办事处：\n　　现将有关事项通知如下。\n第三方评估机构应当……");
        assert!(blocks.iter().all(|b| matches!(b, Block::Paragraph { .. })), "{blocks:?}");
    }
}
