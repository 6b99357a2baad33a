//! Importing the hotline's export: a .xlsx or .csv with a header row naming 问题, 答复 and
//! 依据 (and optionally 编号 and 日期) in the words hotlines use. Every row is checked as a
//! typed entry would be; bad rows are reported by number and nothing of them is kept, the
//! good ones become drafts for review.

use super::FaqForm;
use crate::{Actor, App, AppError, Result};
use serde::Serialize;

/// Rows read at most from one file.
const MAX_ROWS: usize = 5_000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The row's number in the file (the header is row 1).
    pub row: usize,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct FaqImportReport {
    /// Entries created, as drafts.
    pub created: usize,
    pub errors: Vec<RowError>,
}

/// Which column holds what, from the header's words.
struct Columns {
    question: usize,
    answer: usize,
    basis: usize,
    reference: Option<usize>,
    date: Option<usize>,
}

fn columns(header: &[String]) -> Result<Columns> {
    let find = |words: &[&str]| header.iter().position(|h| words.iter().any(|w| h.trim() == *w || h.contains(w)));
    let question = find(&["问题", "咨询内容", "来电内容", "诉求内容"]);
    let answer = find(&["答复", "答案", "回复", "解答"]);
    let basis = find(&["依据", "政策依据", "法规依据"]);
    match (question, answer, basis) {
        (Some(question), Some(answer), Some(basis)) if question != answer => Ok(Columns {
            question,
            answer,
            basis,
            reference: find(&["编号", "工单号", "序号"]),
            date: find(&["日期", "时间"]),
        }),
        _ => Err(AppError::field("file", "表头应包含“问题”“答复”“依据”三列（可另有“编号”“日期”）")),
    }
}

/// The rows of a .csv (UTF-8 or GBK, as Chinese spreadsheets save them).
fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GBK.decode(bytes);
            if bad {
                return Err(AppError::field("file", "文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV"));
            }
            t.into_owned()
        }
    };
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| AppError::field("file", format!("CSV 格式有误：{e}")))?;
        out.push(rec.iter().map(str::to_string).collect());
        if out.len() > MAX_ROWS + 1 {
            return Err(AppError::field("file", format!("一次最多导入{MAX_ROWS}行")));
        }
    }
    Ok(out)
}

/// The rows of the first sheet of a .xlsx.
fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| AppError::field("file", format!("无法读取 .xlsx 文件：{e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::field("file", "表格中没有工作表"))?
        .map_err(|e| AppError::field("file", format!("无法读取工作表：{e}")))?;
    if range.height() > MAX_ROWS + 1 {
        return Err(AppError::field("file", format!("一次最多导入{MAX_ROWS}行")));
    }
    Ok(range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect())
}

impl App {
    /// Imports a hotline export (`name` tells .xlsx from .csv). Each good row becomes a
    /// draft entry of the actor's body; each bad row is reported.
    pub async fn faq_import(&self, actor: &Actor, name: &str, bytes: &[u8]) -> Result<FaqImportReport> {
        if !actor.role.can_edit() {
            return Err(AppError::Forbidden("只有编辑和公开办可以导入热线问答".into()));
        }
        let lower = name.to_lowercase();
        let rows = if lower.ends_with(".xlsx") {
            xlsx_rows(bytes)?
        } else if lower.ends_with(".csv") {
            csv_rows(bytes)?
        } else {
            return Err(AppError::field("file", "请上传 .xlsx 或 .csv 文件"));
        };
        let Some(header) = rows.first() else { return Err(AppError::field("file", "文件是空的")) };
        let c = columns(header)?;
        let mut report = FaqImportReport::default();
        for (i, row) in rows.iter().enumerate().skip(1) {
            let cell = |k: usize| row.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
            if row.iter().all(|x| x.trim().is_empty()) {
                continue;
            }
            let form = FaqForm {
                question: cell(c.question),
                answer: cell(c.answer),
                basis: cell(c.basis),
                answered_on: c.date.map(cell).map(|d| d.chars().take(10).collect::<String>().replace(['/', '.'], "-")),
                external_ref: c.reference.map(cell),
            };
            match self.faq_create(actor, &form, "import").await {
                Ok(_) => report.created += 1,
                Err(AppError::Validation(errs)) => report.errors.push(RowError {
                    row: i + 1,
                    message: errs.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }
}
