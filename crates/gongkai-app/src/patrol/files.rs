//! De-identifying what the public downloads. The text of a .docx (its body, headers, footers
//! and notes) and of an .xlsx (shared and inline strings, and numbers a cell holds as a
//! number) is rewritten in place: each span of personal data becomes its mask, the rest of
//! the file — styles, layout, other runs — is left byte for byte. Word splits a paragraph's
//! text into runs at will, so a number may lie across several `<w:t>`; the spans are found
//! in the paragraph's whole text and the mask written into the run where the span begins.
//!
//! Masked here: identity, bank card and mobile numbers and home addresses (high and medium);
//! landlines and e-mail addresses are left, as offices publish their own on purpose.

use crate::attachments::Budget;
use gongkai_domain::patrol::{self, Finding, Severity};
use std::io::{Cursor, Write};

/// Whether a finding is masked in what the public downloads.
pub(crate) fn maskable(f: &Finding) -> bool {
    f.kind.is_personal() && f.severity != Severity::Low
}

/// The personal-data spans of `text` that are masked.
pub(crate) fn maskable_in(text: &str) -> Vec<Finding> {
    patrol::scan(text, &[]).into_iter().filter(maskable).collect()
}

/// Where the tag `<name` begins at or after `from` (not a longer name: `<w:t` is not `<w:tab`).
fn find_tag(xml: &str, name: &str, from: usize, until: usize) -> Option<usize> {
    let open = format!("<{name}");
    let mut at = from;
    while let Some(i) = xml[at..until].find(&open) {
        let i = at + i;
        match xml.as_bytes().get(i + open.len()) {
            Some(b'>' | b' ' | b'/' | b'\t' | b'\n' | b'\r') => return Some(i),
            _ => at = i + open.len(),
        }
    }
    None
}

/// The texts of a unit, masked as one text: each node's new text, and what was found.
fn mask_nodes(texts: &[String]) -> (Vec<String>, Vec<Finding>) {
    let whole = texts.concat();
    let found = maskable_in(&whole);
    if found.is_empty() {
        return (texts.to_vec(), found);
    }
    let mut out = Vec::with_capacity(texts.len());
    let mut from = 0;
    for t in texts {
        let (s, e) = (from, from + t.len());
        from = e;
        let mut node = String::new();
        let mut pos = s;
        for f in found.iter().filter(|f| f.end > s && f.start < e) {
            if f.start > pos {
                node.push_str(&whole[pos..f.start]);
            }
            // The mask goes where the span begins; the other runs lose their part of it.
            if f.start >= s {
                node.push_str(&f.replacement);
            }
            pos = pos.max(f.end.min(e));
        }
        if pos < e {
            node.push_str(&whole[pos..e]);
        }
        out.push(node);
    }
    (out, found)
}

/// `xml` with every `unit` (a paragraph, a string item) masked across its `text` elements.
fn mask_units(xml: &str, unit: &str, text: &str) -> (String, Vec<Finding>) {
    let (close_unit, close_text) = (format!("</{unit}>"), format!("</{text}>"));
    let mut out = String::with_capacity(xml.len());
    let (mut copied, mut search) = (0, 0);
    let mut all = Vec::new();
    while let Some(u) = find_tag(xml, unit, search, xml.len()) {
        let Some(len) = xml[u..].find(&close_unit) else { break };
        let u_end = u + len;
        let mut nodes: Vec<(usize, usize, String)> = Vec::new();
        let mut p = u;
        while let Some(t) = find_tag(xml, text, p, u_end) {
            let Some(gt) = xml[t..u_end].find('>') else { break };
            let open_end = t + gt + 1;
            p = open_end;
            if xml[..open_end].ends_with("/>") {
                continue;
            }
            let Some(close) = xml[open_end..u_end].find(&close_text) else { break };
            let raw = &xml[open_end..open_end + close];
            let unescaped =
                quick_xml::escape::unescape(raw).map(|c| c.into_owned()).unwrap_or_else(|_| raw.to_string());
            nodes.push((open_end, open_end + close, unescaped));
            p = open_end + close;
        }
        let texts: Vec<String> = nodes.iter().map(|n| n.2.clone()).collect();
        let (masked, found) = mask_nodes(&texts);
        if !found.is_empty() {
            for ((s, e, _), t) in nodes.iter().zip(masked) {
                out.push_str(&xml[copied..*s]);
                out.push_str(&quick_xml::escape::escape(t.as_str()));
                copied = *e;
            }
            all.extend(found);
        }
        search = u_end;
    }
    out.push_str(&xml[copied..]);
    (out, all)
}

/// A cell of a worksheet: where it is, its open tag, and its `<v>` value if it holds a number.
struct Cell<'a> {
    start: usize,
    end: usize,
    open: &'a str,
    number: Option<&'a str>,
}

/// The cells of a worksheet that hold numbers (no `t`, or `t="n"`).
fn number_cells(xml: &str) -> Vec<Cell<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = find_tag(xml, "c", at, xml.len()) {
        let Some(gt) = xml[c..].find('>') else { break };
        let open_end = c + gt + 1;
        let open = &xml[c..open_end];
        if open.ends_with("/>") {
            at = open_end;
            continue;
        }
        let Some(len) = xml[open_end..].find("</c>") else { break };
        let end = open_end + len + "</c>".len();
        let numeric = !open.contains(" t=\"") || open.contains(" t=\"n\"");
        let inner = &xml[open_end..open_end + len];
        let number = if numeric {
            inner.find("<v>").and_then(|v| inner[v + 3..].find("</v>").map(|e| &inner[v + 3..v + 3 + e]))
        } else {
            None
        };
        out.push(Cell { start: c, end, open, number });
        at = end;
    }
    out
}

/// A worksheet with each number that is personal data (a mobile number kept as a number)
/// turned into an inline string holding its mask.
fn mask_number_cells(xml: &str) -> (String, Vec<Finding>) {
    let mut out = String::with_capacity(xml.len());
    let mut copied = 0;
    let mut all = Vec::new();
    for cell in number_cells(xml) {
        let Some(n) = cell.number else { continue };
        let found = maskable_in(n);
        if found.is_empty() {
            continue;
        }
        let masked = patrol::mask(n, &found);
        let open = cell.open.trim_end_matches('>').replace(" t=\"n\"", "");
        out.push_str(&xml[copied..cell.start]);
        out.push_str(&format!(
            "{open} t=\"inlineStr\"><is><t>{}</t></is></c>",
            quick_xml::escape::escape(masked.as_str())
        ));
        copied = cell.end;
        all.extend(found);
    }
    out.push_str(&xml[copied..]);
    (out, all)
}

/// The numbers a worksheet holds as numbers, one per line (for the patrol to read).
pub(crate) fn sheet_numbers(xml: &str) -> String {
    number_cells(xml).iter().filter_map(|c| c.number).collect::<Vec<_>>().join("\n")
}

/// One way of masking a part of a file: the new part and what was masked.
type MaskStep = fn(&str) -> (String, Vec<Finding>);

/// Which parts of a file hold its text, and how each is masked.
fn parts_of(ext: &str, name: &str) -> Option<Vec<MaskStep>> {
    let word = |n: &str| {
        n == "word/document.xml"
            || n == "word/footnotes.xml"
            || n == "word/endnotes.xml"
            || (n.starts_with("word/header") || n.starts_with("word/footer")) && n.ends_with(".xml")
    };
    match ext {
        "docx" if word(name) => Some(vec![|x| mask_units(x, "w:p", "w:t")]),
        "xlsx" if name == "xl/sharedStrings.xml" => Some(vec![|x| mask_units(x, "si", "t")]),
        "xlsx" if name.starts_with("xl/worksheets/sheet") && name.ends_with(".xml") => {
            Some(vec![|x| mask_units(x, "is", "t"), mask_number_cells])
        }
        _ => None,
    }
}

/// A .docx or .xlsx with its personal data masked: the new file and what was masked, or
/// `None` when nothing was (or the file cannot be read).
pub(crate) fn mask_file(ext: &str, bytes: &[u8]) -> Option<(Vec<u8>, Vec<Finding>)> {
    let mut budget = Budget::new(64 * 1024 * 1024, std::time::Duration::from_secs(20));
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut changed: Vec<(String, String)> = Vec::new();
    let mut found = Vec::new();
    for i in 0..z.len() {
        let name = z.by_index(i).ok()?.name().to_string();
        let Some(steps) = parts_of(ext, &name) else { continue };
        let mut xml = crate::attachments::zip_text(&mut z, &name, &mut budget)?;
        let mut any = false;
        for step in steps {
            let (next, f) = step(&xml);
            if !f.is_empty() {
                any = true;
                found.extend(f);
                xml = next;
            }
        }
        if any {
            changed.push((name, xml));
        }
    }
    if found.is_empty() {
        return None;
    }
    // The same archive with the changed parts replaced; every other entry copied raw.
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..z.len() {
        let entry = z.by_index_raw(i).ok()?;
        let name = entry.name().to_string();
        match changed.iter().find(|(n, _)| *n == name) {
            Some((_, xml)) => {
                drop(entry);
                let options =
                    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
                out.start_file(name, options).ok()?;
                out.write_all(xml.as_bytes()).ok()?;
            }
            None => out.raw_copy_file(entry).ok()?,
        }
    }
    Some((out.finish().ok()?.into_inner(), found))
}

/// A text file with its personal data masked.
pub(crate) fn mask_text_file(bytes: &[u8]) -> Option<(Vec<u8>, Vec<Finding>)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let found = maskable_in(text);
    (!found.is_empty()).then(|| (patrol::mask(text, &found).into_bytes(), found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_split_across_runs_is_masked_in_the_run_where_it_begins() {
        let xml = r#"<w:document><w:body><w:p><w:pPr><w:pStyle w:val="a"/></w:pPr><w:r><w:t>李四 身份证号3701</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">16198512310026</w:t></w:r><w:r><w:tab/><w:t>电话13800138000 &amp; 地址</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>无个人信息</w:t></w:r></w:p></w:body></w:document>"#;
        let (out, found) = mask_units(xml, "w:p", "w:t");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(!out.contains("198512310026") && !out.contains("13800138000"), "{out}");
        assert!(out.contains("<w:t>李四 身份证号3701**********0026</w:t>"), "{out}");
        assert!(out.contains(r#"<w:t xml:space="preserve"></w:t>"#), "the second run loses its part: {out}");
        assert!(
            out.contains("&amp; 地址") && out.contains("<w:tab/>") && out.contains("<w:b/>"),
            "the rest untouched: {out}"
        );
        assert!(out.contains("<w:t>无个人信息</w:t>"), "{out}");
    }

    #[test]
    fn worksheet_strings_and_numbers_are_masked_and_other_cells_left() {
        let shared = "<sst><si><t>王五</t></si><si><r><t>3701161985</t></r><r><t>12310026</t></r></si><si><t>2025-07-01</t></si></sst>";
        let (out, found) = mask_units(shared, "si", "t");
        assert_eq!(found.len(), 1);
        assert!(out.contains("<t>3701**********0026</t><") && out.contains("<t>2025-07-01</t>"), "{out}");
        let sheet = r#"<worksheet><cols><col min="1"/></cols><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><v>13800138000</v></c><c r="C1"><v>20250701</v></c><c r="D1" t="n"><v>13912345678</v></c></row></sheetData></worksheet>"#;
        let (out, found) = mask_number_cells(sheet);
        assert_eq!(found.len(), 2, "{out}");
        assert!(out.contains(r#"<c r="B1" s="2" t="inlineStr"><is><t>138****8000</t></is></c>"#), "{out}");
        assert!(out.contains(r#"<c r="D1" t="inlineStr">"#) && !out.contains("13912345678"), "{out}");
        assert!(out.contains(r#"<c r="A1" t="s"><v>0</v></c>"#) && out.contains("<v>20250701</v>"), "{out}");
        assert_eq!(sheet_numbers(sheet), "13800138000\n20250701\n13912345678");
    }
}
