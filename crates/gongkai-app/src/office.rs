//! A minimal .docx written without a template engine (the annual report's .xlsx is written
//! with rust_xlsxwriter in `requests::report`).

use crate::{AppError, Result};

fn xml_escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// A block of a generated Word document.
pub enum Block {
    Title(String),
    Para(String),
    Table(Vec<Vec<String>>),
}

/// A minimal .docx (Office Open XML): titles centred and bold, 仿宋-sized paragraphs, tables
/// with borders.
pub fn docx(blocks: &[Block]) -> Result<Vec<u8>> {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => body.push_str(&format!(
                r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="36"/></w:rPr><w:t>{}</w:t></w:r></w:p>"#,
                xml_escape(t)
            )),
            Block::Para(t) => body.push_str(&format!(
                r#"<w:p><w:r><w:rPr><w:sz w:val="32"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                xml_escape(t)
            )),
            Block::Table(rows) => {
                body.push_str(r#"<w:tbl><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>"#);
                // The grid is required by the schema (Word repairs a file without one).
                let cols = rows.iter().map(Vec::len).max().unwrap_or(1);
                body.push_str("<w:tblGrid>");
                for _ in 0..cols {
                    body.push_str(r#"<w:gridCol w:w="1200"/>"#);
                }
                body.push_str("</w:tblGrid>");
                for row in rows {
                    body.push_str("<w:tr>");
                    for cell in row {
                        body.push_str(&format!(
                            r#"<w:tc><w:p><w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#,
                            xml_escape(cell)
                        ));
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl><w:p/>");
            }
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    zip_files(&[
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string()),
        ("word/document.xml", document),
    ])
}

fn zip_files(files: &[(&str, String)]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).map_err(|e| AppError::Internal(e.to_string()))?;
        w.write_all(body.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(w.finish().map_err(|e| AppError::Internal(e.to_string()))?.into_inner())
}

/// The reply letter as .docx: the first line is the title.
pub fn letter_docx(text: &str) -> Result<Vec<u8>> {
    let mut lines = text.lines();
    let mut blocks = vec![Block::Title(lines.next().unwrap_or_default().to_string())];
    blocks.extend(lines.map(|l| Block::Para(l.to_string())));
    docx(&blocks)
}
