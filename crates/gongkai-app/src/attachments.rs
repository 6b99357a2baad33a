//! Attachments (附件): type and size checks, storage in the database (so every node of a
//! PostgreSQL deployment serves them), and text extraction from .docx, .pdf and .ofd.

use crate::{Actor, App, AppError, Result};
use gongkai_domain::Status;
use gongkai_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use gongkai_store::{attachment, document};
use std::io::{Cursor, Read};

/// File kinds an attachment may be, by extension, with the content check for each.
const ALLOWED: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ofd", "application/ofd"),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("wps", "application/vnd.ms-works"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain; charset=utf-8"),
];

pub const MAX_ATTACHMENTS: u64 = 30;

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

/// Checks that the bytes are what the extension claims.
fn content_matches(ext: &str, bytes: &[u8]) -> bool {
    let zip = bytes.starts_with(b"PK\x03\x04");
    match ext {
        "pdf" => bytes.starts_with(b"%PDF-"),
        "docx" => zip && zip_has(bytes, "word/document.xml"),
        "xlsx" => zip && zip_has(bytes, "xl/workbook.xml"),
        "ofd" => zip && zip_has(bytes, "OFD.xml"),
        "doc" | "xls" | "wps" => bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "txt" => std::str::from_utf8(bytes).is_ok(),
        _ => false,
    }
}

fn zip_has(bytes: &[u8], name: &str) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).map(|mut z| z.by_name(name).is_ok()).unwrap_or(false)
}

/// What one extraction may spend, across every entry and page of an archive: a small
/// file can unpack to gigabytes (a "zip bomb"), and a per-entry cap alone lets a file of
/// many pages multiply it.
pub struct Budget {
    bytes_left: u64,
    deadline: std::time::Instant,
}

impl Budget {
    pub fn new(bytes: u64, time: std::time::Duration) -> Budget {
        Budget { bytes_left: bytes, deadline: std::time::Instant::now() + time }
    }

    fn spent(&self) -> bool {
        self.bytes_left == 0 || std::time::Instant::now() >= self.deadline
    }
}

/// 64 MB of unpacked XML and 10 seconds per attachment: far more than any real document.
fn default_budget() -> Budget {
    Budget::new(64 * 1024 * 1024, std::time::Duration::from_secs(10))
}

/// An entry's text, within what is left of the budget (the rest is cut off).
pub(crate) fn zip_text(z: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str, budget: &mut Budget) -> Option<String> {
    if budget.spent() {
        return None;
    }
    let f = z.by_name(name).ok()?;
    let mut buf = Vec::new();
    f.take(budget.bytes_left).read_to_end(&mut buf).ok()?;
    budget.bytes_left -= buf.len() as u64;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Text inside the XML elements whose local name is one of `tags`; paragraphs (`para`) end
/// lines.
fn xml_text(xml: &str, tags: &[&[u8]], para: &[u8]) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut inside = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if tags.contains(&e.local_name().as_ref()) => inside += 1,
            Ok(Event::End(e)) if tags.contains(&e.local_name().as_ref()) => inside = inside.saturating_sub(1),
            Ok(Event::End(e)) if e.local_name().as_ref() == para => out.push('\n'),
            Ok(Event::Text(t)) if inside > 0 => {
                if let Ok(s) = t.unescape() {
                    out.push_str(&s);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// Plain text of a .docx (its main document part).
pub fn docx_text(bytes: &[u8]) -> Option<String> {
    docx_text_within(bytes, &mut default_budget())
}

pub fn docx_text_within(bytes: &[u8], budget: &mut Budget) -> Option<String> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let xml = zip_text(&mut z, "word/document.xml", budget)?;
    Some(xml_text(&xml, &[b"t"], b"p"))
}

/// Plain text of an .xlsx: its shared strings, then each sheet's inline strings and the
/// numbers its cells hold (a mobile number kept as a number is still a mobile number).
pub fn xlsx_text(bytes: &[u8]) -> Option<String> {
    let mut budget = default_budget();
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = match zip_text(&mut z, "xl/sharedStrings.xml", &mut budget) {
        Some(xml) => xml_text(&xml, &[b"t"], b"si"),
        None => String::new(),
    };
    let sheets: Vec<String> = (0..z.len())
        .filter_map(|i| z.by_index(i).ok().map(|f| f.name().to_string()))
        .filter(|n| n.starts_with("xl/worksheets/sheet") && n.ends_with(".xml"))
        .collect();
    for name in sheets {
        let Some(xml) = zip_text(&mut z, &name, &mut budget) else { break };
        out.push_str(&xml_text(&xml, &[b"t"], b"is"));
        out.push_str(&crate::patrol::files::sheet_numbers(&xml));
        out.push('\n');
    }
    Some(out)
}

/// Plain text of an .ofd (GB/T 33190): the TextCode elements of every page.
pub fn ofd_text(bytes: &[u8]) -> Option<String> {
    ofd_text_within(bytes, &mut default_budget())
}

/// [`ofd_text`] within a budget shared by all its pages; pages past it are left out.
pub fn ofd_text_within(bytes: &[u8], budget: &mut Budget) -> Option<String> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut pages: Vec<String> = (0..z.len())
        .filter_map(|i| z.by_index(i).ok().map(|f| f.name().to_string()))
        .filter(|n| n.contains("/Pages/") && n.ends_with("Content.xml"))
        .collect();
    // Page_10 after Page_9.
    pages.sort_by_key(|n| {
        n.split(|c: char| !c.is_ascii_digit()).filter_map(|d| d.parse::<u32>().ok()).collect::<Vec<_>>()
    });
    let mut out = String::new();
    for p in pages {
        let Some(xml) = zip_text(&mut z, &p, budget) else { break };
        out.push_str(&xml_text(&xml, &[b"TextCode"], b"TextObject"));
    }
    Some(out)
}

/// Pages of a PDF read for search; a longer file is searchable by its beginning.
const PDF_MAX_PAGES: usize = 500;
/// Characters of PDF text kept, as for the archive formats.
const PDF_MAX_CHARS: usize = 2_000_000;
/// How long one PDF may take; a file built to be slow is left without text.
const PDF_MAX_SECS: u64 = 20;

/// Plain text of a PDF, pages separated by a blank line. Government PDFs often use a
/// predefined CJK CMap (UniGB-UCS2-H) with an unembedded font; pdf_oxide maps those through
/// Adobe-GB1. The parser runs on a blocking thread where a panic is caught; past the time
/// limit the answer is no text (the thread finishes on its own).
pub async fn pdf_text(bytes: Vec<u8>) -> Option<String> {
    let parse = tokio::task::spawn_blocking(move || {
        let doc = pdf_oxide::PdfDocument::from_bytes(bytes).ok()?;
        let pages = doc.page_count().ok()?.min(PDF_MAX_PAGES);
        let mut out = String::new();
        for i in 0..pages {
            let Ok(t) = doc.extract_text(i) else { continue };
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(t.trim());
            if out.chars().count() > PDF_MAX_CHARS {
                out = out.chars().take(PDF_MAX_CHARS).collect();
                break;
            }
        }
        Some(out)
    });
    tokio::time::timeout(std::time::Duration::from_secs(PDF_MAX_SECS), parse).await.ok()?.ok().flatten()
}

pub async fn extract_text(ext: &str, bytes: &[u8]) -> String {
    // Unpacking and parsing run off the async threads, like the PDF parser.
    let archive = |f: fn(&[u8]) -> Option<String>| {
        let owned = bytes.to_vec();
        async move { tokio::task::spawn_blocking(move || f(&owned)).await.ok().flatten() }
    };
    let text = match ext {
        "docx" => archive(docx_text).await,
        "ofd" => archive(ofd_text).await,
        "xlsx" => archive(xlsx_text).await,
        "pdf" => pdf_text(bytes.to_vec()).await,
        "txt" => std::str::from_utf8(bytes).ok().map(str::to_string),
        _ => None,
    };
    text.map(|t| t.trim().to_string()).unwrap_or_default()
}

pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A file that passed the name, size, type and content checks.
pub(crate) struct CheckedFile {
    pub file_name: String,
    pub ext: String,
    pub content_type: String,
    pub sha256: String,
}

impl App {
    /// The checks every uploaded file goes through, whoever sends it.
    pub(crate) fn check_file(&self, file_name: &str, bytes: &[u8]) -> Result<CheckedFile> {
        let file_name = file_name.rsplit(['/', '\\']).next().unwrap_or("").trim().to_string();
        if file_name.is_empty() || file_name.chars().count() > 200 {
            return Err(AppError::field("file", "请选择文件（文件名不超过200字）"));
        }
        if bytes.is_empty() {
            return Err(AppError::field("file", format!("文件“{file_name}”为空")));
        }
        if bytes.len() > self.config.max_upload_bytes {
            return Err(AppError::field(
                "file",
                format!("文件“{file_name}”过大：上限为{}MB", self.config.max_upload_bytes / 1024 / 1024),
            ));
        }
        let ext = extension(&file_name).unwrap_or_default();
        let Some((_, content_type)) = ALLOWED.iter().find(|(e, _)| *e == ext) else {
            return Err(AppError::field(
                "file",
                format!("不支持“{file_name}”的文件类型：仅限 pdf、docx、ofd、xlsx、doc、xls、wps、png、jpg、txt"),
            ));
        };
        if !content_matches(&ext, bytes) {
            return Err(AppError::field("file", format!("文件“{file_name}”的内容与扩展名 .{ext} 不符")));
        }
        let sha256 = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(bytes))
        };
        Ok(CheckedFile { file_name, ext, content_type: (*content_type).into(), sha256 })
    }

    /// Adds an attachment to a draft the actor may edit.
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        doc_id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<crate::documents::AttachmentMeta> {
        let CheckedFile { file_name, ext, content_type, sha256 } = self.check_file(file_name, &bytes)?;
        let text = extract_text(&ext, &bytes).await;
        let tx = self.store.begin_write().await?;
        let d = document::Entity::find_by_id(doc_id)
            .one(&*tx)
            .await?
            .ok_or_else(|| AppError::NotFound("文件不存在".into()))?;
        if !actor.may_see_org(d.org_id) || !actor.role.can_edit() {
            return Err(AppError::Forbidden("不能为其他机构的文件上传附件".into()));
        }
        if d.status != Status::Draft.code() {
            return Err(AppError::Conflict("只能为草稿上传附件".into()));
        }
        let count = attachment::Entity::find().filter(attachment::Column::DocumentId.eq(doc_id)).count(&*tx).await?;
        if count >= MAX_ATTACHMENTS {
            return Err(AppError::field("file", format!("每个文件最多{MAX_ATTACHMENTS}个附件")));
        }
        let m = attachment::ActiveModel {
            document_id: Set(doc_id),
            file_name: Set(file_name),
            content_type: Set(content_type),
            size: Set(bytes.len() as i64),
            sha256: Set(sha256),
            content: Set(bytes),
            extracted_text: Set(text),
            sort: Set(count as i32),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        self.audit(
            &*tx,
            actor,
            "attachment.create",
            "document",
            Some(doc_id),
            None,
            Some(serde_json::to_value(&m).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(m.into())
    }

    pub async fn attachment(&self, viewer: Option<&Actor>, id: i64) -> Result<Download> {
        let conn = self.store.conn();
        let a = attachment::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::NotFound("附件不存在".into()))?;
        let d = document::Entity::find_by_id(a.document_id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::NotFound("附件不存在".into()))?;
        let staff = viewer.is_some_and(|v| v.may_see_org(d.org_id));
        if d.status != Status::Published.code() && !staff {
            return Err(AppError::NotFound("附件不存在".into()));
        }
        if a.withheld_reason.is_some() && !staff {
            return Err(AppError::NotFound("该附件含有个人信息，已暂停公开".into()));
        }
        Ok(Download { file_name: a.file_name, content_type: a.content_type, content: a.content })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(files: &[(&str, &str)]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            for (name, body) in files {
                z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
                z.write_all(body.as_bytes()).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn an_archive_bomb_is_cut_off_at_one_budget_for_all_its_pages() {
        // Four pages of 4 MB each that compress to almost nothing; a 6 MB budget.
        let filler =
            format!("<ofd:TextObject><ofd:TextCode>{}</ofd:TextCode></ofd:TextObject>", "政".repeat(1_400_000));
        let page = |n: u32| (format!("Doc_0/Pages/Page_{n}/Content.xml"), filler.clone());
        let pages: Vec<(String, String)> = (1..=4).map(page).collect();
        let files: Vec<(&str, &str)> = pages.iter().map(|(n, x)| (n.as_str(), x.as_str())).collect();
        let bytes = zip_with(&files);
        assert!(bytes.len() < 200_000, "a small file: {}", bytes.len());
        let mut budget = Budget::new(6 * 1024 * 1024, std::time::Duration::from_secs(30));
        let text = ofd_text_within(&bytes, &mut budget).unwrap();
        assert!(text.len() <= 6 * 1024 * 1024, "stops at the budget: {}", text.len());
        assert!(text.len() >= 4 * 1024 * 1024, "reads what fits: {}", text.len());
        // And time: a spent clock reads nothing more.
        let mut late = Budget::new(u64::MAX, std::time::Duration::ZERO);
        assert_eq!(ofd_text_within(&bytes, &mut late).unwrap(), "");
    }

    #[test]
    fn docx_text_keeps_paragraphs() {
        let xml = r#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>第一条 为了</w:t></w:r><w:r><w:t>规范&amp;公开</w:t></w:r></w:p><w:p><w:r><w:t>第二条</w:t></w:r></w:p></w:body></w:document>"#;
        let bytes = zip_with(&[("word/document.xml", xml)]);
        assert!(content_matches("docx", &bytes));
        assert!(!content_matches("ofd", &bytes));
        assert_eq!(docx_text(&bytes).unwrap(), "第一条 为了规范&公开\n第二条\n");
    }

    #[test]
    fn ofd_text_reads_pages_in_order() {
        let page = |t: &str| {
            format!(
                r#"<ofd:Page xmlns:ofd="x"><ofd:Content><ofd:Layer><ofd:TextObject><ofd:TextCode X="0">{t}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>"#
            )
        };
        let (p1, p2, p10) = (page("一"), page("二"), page("十"));
        let bytes = zip_with(&[
            ("OFD.xml", "<ofd:OFD/>"),
            ("Doc_0/Pages/Page_10/Content.xml", &p10),
            ("Doc_0/Pages/Page_1/Content.xml", &p1),
            ("Doc_0/Pages/Page_2/Content.xml", &p2),
        ]);
        assert!(content_matches("ofd", &bytes));
        assert_eq!(ofd_text(&bytes).unwrap(), "一\n二\n十\n");
    }

    /// A one-page PDF with `text` in Helvetica, with a correct cross-reference table.
    fn tiny_pdf(text: &str) -> Vec<u8> {
        let stream = format!("BT /F1 24 Tf 72 720 Td ({text}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
            format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }

    #[tokio::test]
    async fn a_chinese_pdf_with_an_unembedded_cid_font_is_searchable() {
        // Made with reportlab's STSong-Light: /Encoding /UniGB-UCS2-H, no font file, no
        // ToUnicode map — what many government PDFs are.
        let pdf = include_bytes!("../testdata/chinese-cid.pdf");
        let text = extract_text("pdf", pdf).await;
        assert!(text.contains("政府信息公开"), "{text:?}");
        assert!(text.contains("第二条") && text.contains("行政机关"), "{text:?}");
    }

    #[tokio::test]
    async fn pdf_text_is_extracted_and_broken_pdfs_do_not_crash() {
        let pdf = tiny_pdf("Notice 2025 disclosure");
        assert!(content_matches("pdf", &pdf));
        let text = extract_text("pdf", &pdf).await;
        assert!(text.contains("Notice 2025 disclosure"), "{text:?}");
        let broken = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage".to_vec();
        assert_eq!(extract_text("pdf", &broken).await, "", "a malformed PDF yields no text, not a crash");
    }

    #[test]
    fn disguised_files_are_caught() {
        assert!(!content_matches("pdf", b"MZ\x90\x00 not a pdf"));
        assert!(content_matches("pdf", b"%PDF-1.7\n"));
        assert!(!content_matches("txt", &[0xff, 0xfe, 0x00]));
        assert!(!content_matches("exe", b"MZ"));
    }
}
