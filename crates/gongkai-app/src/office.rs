//! Word documents in the layout of 《党政机关公文格式》(GB/T 9704-2012), written with docx-rs:
//! the reply letter (答复书、告知书) and the annual report's tables. The figures and the
//! faces are `gongkai_domain::gongwen`'s; this only turns them into Word (the annual
//! report's .xlsx is written with rust_xlsxwriter in `requests::report`).

use crate::{AppError, Result};
use docx_rs::{
    AlignmentType, DocGrid, DocGridType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph,
    Run, RunFonts, SpecialIndentType, Style, StyleType, Table, TableCell, TableRow, WidthType,
};
use gongkai_domain::gongwen::{self, Element, PAGE, face, size, twips};

/// A block of a generated document.
pub enum Block {
    Title(String),
    /// A first-level heading (一、…; 黑体).
    Heading(String),
    Para(String),
    /// The first row is the header.
    Table(Vec<Vec<String>>),
}

fn fonts(face: &str) -> RunFonts {
    // Digits and Latin letters in the same face: 仿宋_GB2312 and 宋体 carry half-width ones.
    RunFonts::new().east_asia(face).ascii(face).hi_ansi(face)
}

/// Word's sizes are in half-points.
fn half_points(pt: f32) -> usize {
    (pt * 2.0).round() as usize
}

/// One character of 三号 in twips (a 空一字 indent).
fn chars(n: f32) -> i32 {
    (n * size::SAN * 20.0).round() as i32
}

/// The page of GB/T 9704: A4, its margins, a grid of 22 lines, the body's face as the
/// default, and page numbers “— 1 —” in 4号宋体, odd pages right and even pages left, one
/// character in.
fn page() -> Docx {
    let margin = PageMargin::new()
        .top(twips(PAGE.top_mm))
        .left(twips(PAGE.left_mm))
        .bottom(twips(PAGE.bottom_mm()))
        .right(twips(PAGE.right_mm()))
        // The footer's baseline sits in the bottom margin, about 7 mm below the type area.
        .footer(twips(PAGE.bottom_mm() - 7.0))
        .header(twips(15.0))
        .gutter(0);
    let number = |align: AlignmentType, left: Option<i32>, right: Option<i32>| {
        Footer::new().add_paragraph(
            Paragraph::new()
                .style("GkPageNumber")
                .align(align)
                .indent(left, None, right, None)
                .add_run(Run::new().add_text("— "))
                .add_page_num(PageNum::new())
                .add_run(Run::new().add_text(" —")),
        )
    };
    let one = (size::SI * 20.0).round() as i32;
    let mut d = Docx::new()
        .page_size(twips(PAGE.width_mm) as u32, twips(PAGE.height_mm) as u32)
        .page_margin(margin)
        .default_fonts(fonts(face::FANGSONG))
        .default_size(half_points(size::SAN))
        .add_style(
            Style::new("GkPageNumber", StyleType::Paragraph)
                .name("页码")
                .fonts(fonts(face::SONGTI))
                .size(half_points(size::SI)),
        )
        .footer(number(AlignmentType::Right, None, Some(one)))
        .even_footer(number(AlignmentType::Left, Some(one), None));
    d.document.section_property = d
        .document
        .section_property
        .clone()
        .doc_grid(DocGrid::new().grid_type(DocGridType::Lines).line_pitch(PAGE.line_pitch_twips() as usize));
    d
}

/// The exact line spacing of the grid: 22 lines fill the type area.
fn grid_spacing() -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(PAGE.line_pitch_twips())
}

fn run(e: Element, text: &str) -> Run {
    let r = Run::new().add_text(text).fonts(fonts(e.face())).size(half_points(e.size_pt()));
    if e.bold() { r.bold() } else { r }
}

/// One element as its paragraph.
fn paragraph(e: Element, text: &str, date: &str) -> Paragraph {
    let p = Paragraph::new().add_run(run(e, text));
    match e {
        // The title's lines are 2号: the grid's spacing would clip them.
        Element::Title => p.align(AlignmentType::Center).line_spacing(
            LineSpacing::new().line_rule(LineSpacingType::AtLeast).line(PAGE.line_pitch_twips()).after(
                PAGE.line_pitch_twips() as u32, // a blank line under the title
            ),
        ),
        Element::Number => p.align(AlignmentType::Center).line_spacing(grid_spacing()),
        Element::Addressee => p.line_spacing(grid_spacing()),
        Element::Signature => p
            .align(AlignmentType::Right)
            .indent(None, None, Some(chars(gongwen::signature_indent_chars(text, date))), None)
            .line_spacing(grid_spacing()),
        Element::Date => {
            p.align(AlignmentType::Right).indent(None, None, Some(chars(4.0)), None).line_spacing(grid_spacing())
        }
        Element::Body | Element::Level1 | Element::Level2 | Element::Level3 => p
            .align(AlignmentType::Both)
            .indent(None, Some(SpecialIndentType::FirstLine(chars(2.0))), None, None)
            .first_line_chars(200)
            .line_spacing(grid_spacing()),
    }
}

fn pack(d: Docx) -> Result<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| AppError::Internal(format!("docx: {e}")))?;
    Ok(out.into_inner())
}

/// A table's cells in 五号 (小五 when wide), centred, the header row bold.
fn table(rows: &[Vec<String>]) -> Table {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let size_pt = if cols > 6 { size::XIAO_WU } else { size::WU };
    let width = twips(PAGE.text_width_mm) as usize;
    // The first column holds the row's name: it gets three shares, the numbers one each.
    let share = width / (cols + 2);
    let grid: Vec<usize> = (0..cols).map(|i| if i == 0 { width - share * (cols - 1) } else { share }).collect();
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            TableRow::new(
                (0..cols)
                    .map(|c| {
                        let text = row.get(c).map(String::as_str).unwrap_or("");
                        let mut r = Run::new().add_text(text).fonts(fonts(face::FANGSONG)).size(half_points(size_pt));
                        if i == 0 {
                            r = r.bold();
                        }
                        let align = if c == 0 { AlignmentType::Left } else { AlignmentType::Center };
                        TableCell::new()
                            .width(grid[c], WidthType::Dxa)
                            .add_paragraph(Paragraph::new().align(align).add_run(r))
                    })
                    .collect(),
            )
        })
        .collect();
    Table::new(rows).set_grid(grid).width(width, WidthType::Dxa)
}

/// A document of blocks on the GB/T 9704 page.
pub fn docx(blocks: &[Block]) -> Result<Vec<u8>> {
    let mut d = page();
    for b in blocks {
        d = match b {
            Block::Title(t) => d.add_paragraph(paragraph(Element::Title, t, "")),
            Block::Heading(t) => d.add_paragraph(paragraph(Element::Level1, t, "")),
            Block::Para(t) => d.add_paragraph(paragraph(Element::Body, t, "")),
            Block::Table(rows) => d.add_table(table(rows)).add_paragraph(Paragraph::new()),
        };
    }
    pack(d)
}

/// The reply letter as .docx: each line of the letter a paragraph, set as the element it
/// is (`gongwen::letter_lines`).
pub fn letter_docx(text: &str) -> Result<Vec<u8>> {
    let lines = gongwen::letter_lines(text);
    let date = lines.iter().find(|(e, _)| *e == Element::Date).map(|(_, t)| *t).unwrap_or("");
    let mut d = page();
    for (e, t) in &lines {
        d = d.add_paragraph(paragraph(*e, t, date));
    }
    pack(d)
}

/// A ledger as a workbook: one sheet, a bold bordered header row with the given widths,
/// one bordered row of text per entry, the header frozen. The patrol's findings and the
/// messages are kept this way.
pub fn ledger_xlsx(sheet_name: &str, columns: &[(&str, f64)], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| crate::AppError::Internal(format!("xlsx: {e}"));
    let head = Format::new().set_bold().set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name(sheet_name).map_err(fail)?;
    for (c, (name, width)) in columns.iter().enumerate() {
        sheet.set_column_width(c as u16, *width).map_err(fail)?;
        sheet.write_string_with_format(0, c as u16, *name, &head).map_err(fail)?;
    }
    for (i, values) in rows.iter().enumerate() {
        for (c, v) in values.iter().enumerate() {
            sheet.write_string_with_format(i as u32 + 1, c as u16, v, &cell).map_err(fail)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The document as docx-rs reads it back, as JSON.
    fn read(bytes: &[u8]) -> Value {
        let d = docx_rs::read_docx(bytes).expect("a .docx Word can open");
        serde_json::from_str(&d.json()).unwrap()
    }

    /// Every paragraph's text with its runs' east-Asian face and size (half-points).
    fn runs(doc: &Value) -> Vec<(String, String, u64)> {
        let mut out = Vec::new();
        for child in doc["document"]["children"].as_array().unwrap() {
            if child["type"] != "paragraph" {
                continue;
            }
            for r in child["data"]["children"].as_array().unwrap() {
                if r["type"] != "run" {
                    continue;
                }
                let text: String = r["data"]["children"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c["type"] == "text")
                    .map(|c| c["data"]["text"].as_str().unwrap_or("").to_string())
                    .collect();
                let p = &r["data"]["runProperty"];
                out.push((
                    text,
                    p["fonts"]["eastAsia"].as_str().unwrap_or("").to_string(),
                    p["sz"].as_u64().unwrap_or(0),
                ));
            }
        }
        out
    }

    const LETTER: &str = "政府信息公开申请答复书\n编号：YSQ2025000001\n张三：\n本机关于2025年7月1日收到您提出的政府信息公开申请。\n一、申请内容\n如对本答复不服，可以依法申请行政复议。\n济南市莱芜区人民政府办公室\n2025年7月29日";

    #[test]
    fn a_letter_is_laid_out_as_gb_t_9704_says() {
        let doc = read(&letter_docx(LETTER).unwrap());
        let sect = &doc["document"]["sectionProperty"];
        let m = &sect["pageMargin"];
        // 天头 37 mm, 订口 28 mm, and the rest of A4 around a 156 × 225 mm type area.
        assert_eq!((m["top"].as_i64(), m["left"].as_i64()), (Some(2098), Some(1587)), "{m}");
        assert_eq!((m["bottom"].as_i64(), m["right"].as_i64()), (Some(1984), Some(1474)), "{m}");
        assert_eq!((sect["pageSize"]["w"].as_u64(), sect["pageSize"]["h"].as_u64()), (Some(11906), Some(16838)));
        assert_eq!(sect["docGrid"]["linePitch"].as_u64(), Some(580), "22 lines: {}", sect["docGrid"]);
        let got = runs(&doc);
        let find = |t: &str| got.iter().find(|(x, _, _)| x == t).unwrap_or_else(|| panic!("{t}: {got:?}")).clone();
        assert_eq!(
            find("政府信息公开申请答复书"),
            ("政府信息公开申请答复书".into(), face::XIAOBIAOSONG.into(), 44),
            "2号小标宋"
        );
        let body = find("本机关于2025年7月1日收到您提出的政府信息公开申请。");
        assert_eq!((body.1.as_str(), body.2), (face::FANGSONG, 32), "3号仿宋");
        assert_eq!(find("一、申请内容").1, face::HEITI, "the first level in 黑体");
        assert_eq!(find("2025年7月29日").1, face::FANGSONG);
        // Odd and even pages carry their own footer with the page number.
        let settings = &doc["settings"];
        assert_eq!(settings["evenAndOddHeaders"], true, "{settings}");
        assert!(sect["footer"].is_array() && sect["evenFooter"].is_array(), "{sect}");
    }

    #[test]
    fn the_signature_and_date_sit_right_and_the_body_is_indented() {
        let doc = read(&letter_docx(LETTER).unwrap());
        let paras: Vec<&Value> =
            doc["document"]["children"].as_array().unwrap().iter().filter(|c| c["type"] == "paragraph").collect();
        let prop = |i: usize| &paras[i]["data"]["property"];
        assert_eq!(prop(0)["alignment"], "center", "the title");
        assert_eq!(prop(2)["alignment"], Value::Null, "the addressee is flush left");
        assert_eq!(prop(3)["indent"]["specialIndent"]["val"].as_i64(), Some(640), "two characters in: {}", prop(3));
        assert_eq!(prop(7)["alignment"], "right", "the date");
        assert_eq!(prop(7)["indent"]["end"].as_i64(), Some(1280), "four characters from the right: {}", prop(7));
        assert_eq!(prop(6)["alignment"], "right", "the signature");
    }

    #[test]
    fn a_report_table_fits_the_type_area() {
        let rows = vec![vec!["项目".to_string(), "数量".into()], vec!["行政许可".into(), "3".into()]];
        let doc = read(
            &docx(&[Block::Title("年度报告".into()), Block::Heading("二、主动公开".into()), Block::Table(rows)])
                .unwrap(),
        );
        let table = doc["document"]["children"].as_array().unwrap().iter().find(|c| c["type"] == "table").unwrap();
        let grid: u64 = table["data"]["grid"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).sum();
        assert_eq!(grid as i32, twips(PAGE.text_width_mm), "the columns fill 156 mm");
        assert!(runs(&doc).iter().any(|(t, f, s)| t == "二、主动公开" && f == face::HEITI && *s == 32));
    }
}
