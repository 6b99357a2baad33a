//! What an editor submits, and its checks.

use crate::{Result, opt};
use gongkai_domain::{Category, DisclosureMode, DocNo, DocumentDates, DocumentKind, FieldError};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// What an editor submits (form or JSON). Everything is text until validated.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DocumentInput {
    pub title: String,
    pub org_id: Option<i64>,
    pub issuer: Option<String>,
    pub co_issuers: Vec<String>,
    pub doc_no: Option<String>,
    pub kind: Option<String>,
    pub category: String,
    pub topic: Option<String>,
    pub signed_on: Option<String>,
    pub published_on: Option<String>,
    pub effective_on: Option<String>,
    pub expires_on: Option<String>,
    pub disclosure_mode: Option<String>,
    pub withheld_reason: Option<String>,
    pub keywords: Option<String>,
    pub body: String,
    pub version_note: Option<String>,
    /// punishment (惩戒公示) or mandatory (强制性信息披露): the personal data it carries is
    /// public by law; reviewed with the document, recorded by the patrol as such
    pub privacy_exception: Option<String>,
}

impl Valid {
    /// The year in the 索引号: the document's own (published, else signed), not the day it
    /// was typed in — a 2025 plan entered in 2026 is still …/2025-….
    pub(super) fn index_year(&self, today: Date) -> i32 {
        self.dates.published_on.or(self.dates.signed_on).map(|d| d.year()).unwrap_or(today.year())
    }
}

pub(crate) struct Valid {
    pub(super) title: String,
    pub(super) issuer: Option<String>,
    pub(super) co_issuers: Vec<String>,
    pub(super) doc_no: Option<DocNo>,
    pub(super) kind: Option<DocumentKind>,
    pub(super) category: Category,
    pub(super) topic: Option<String>,
    pub(super) dates: DocumentDates,
    pub(super) mode: DisclosureMode,
    pub(super) withheld_reason: Option<String>,
    pub(super) keywords: String,
    pub(super) body: String,
    pub(super) version_note: Option<String>,
    pub(super) privacy_exception: Option<gongkai_domain::patrol::PrivacyException>,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 2_000_000;

pub fn parse_date(field: &'static str, label: &str, v: &Option<String>, errs: &mut Vec<FieldError>) -> Option<Date> {
    let s = opt(v)?;
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(&s, fmt) {
        Ok(d) if (1949..=2200).contains(&d.year()) => Some(d),
        _ => {
            errs.push(FieldError::new(field, format!("{label}格式应为 YYYY-MM-DD，例如 2025-06-27")));
            None
        }
    }
}

pub(crate) fn validate(input: &DocumentInput, topics: &[String]) -> Result<Valid, Vec<FieldError>> {
    let mut errs = Vec::new();
    use gongkai_domain::text::check;
    check(&mut errs, "title", "标题", &input.title, false);
    for (field, label, v) in [
        ("issuer", "发文机关", &input.issuer),
        ("doc_no", "发文字号", &input.doc_no),
        ("keywords", "关键词", &input.keywords),
        ("withheld_reason", "不予公开理由", &input.withheld_reason),
        ("version_note", "修订说明", &input.version_note),
    ] {
        check(&mut errs, field, label, v.as_deref().unwrap_or(""), false);
    }
    for c in &input.co_issuers {
        check(&mut errs, "co_issuers", "联合发文机关", c, false);
    }
    check(&mut errs, "body", "正文", &input.body, true);
    let title = input.title.trim().to_string();
    if title.is_empty() {
        errs.push(FieldError::new("title", "请填写标题"));
    } else if title.chars().count() > MAX_TITLE {
        errs.push(FieldError::new("title", format!("标题不能超过{MAX_TITLE}字")));
    }
    let doc_no = match opt(&input.doc_no) {
        None => None,
        Some(s) => match DocNo::parse(&s) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(FieldError::new("doc_no", e.to_string()));
                None
            }
        },
    };
    let kind = match opt(&input.kind) {
        None => None,
        Some(k) => match DocumentKind::parse(&k) {
            Some(k) => Some(k),
            None => {
                errs.push(FieldError::new("kind", "文种应为15种法定公文之一（通知、意见、决定……）"));
                None
            }
        },
    };
    let category = Category::parse(&input.category).unwrap_or_else(|| {
        errs.push(FieldError::new("category", "请选择文件类别：规章、行政规范性文件或其他文件"));
        Category::Other
    });
    let topic = opt(&input.topic);
    if let Some(t) = &topic
        && !topics.iter().any(|p| p == t)
    {
        errs.push(FieldError::new("topic", "主题分类不在分类表中"));
    }
    let dates = DocumentDates {
        signed_on: parse_date("signed_on", "成文日期", &input.signed_on, &mut errs),
        published_on: parse_date("published_on", "发布日期", &input.published_on, &mut errs),
        effective_on: parse_date("effective_on", "施行日期", &input.effective_on, &mut errs),
        expires_on: parse_date("expires_on", "有效期截止日期", &input.expires_on, &mut errs),
    };
    errs.extend(dates.validate());
    let mode = match opt(&input.disclosure_mode) {
        None => DisclosureMode::Proactive,
        Some(m) => DisclosureMode::parse(&m).unwrap_or_else(|| {
            errs.push(FieldError::new("disclosure_mode", "公开方式应为主动公开、依申请公开或不予公开"));
            DisclosureMode::Proactive
        }),
    };
    let withheld_reason = opt(&input.withheld_reason);
    if mode == DisclosureMode::Withheld && withheld_reason.is_none() {
        errs.push(FieldError::new("withheld_reason", "不予公开的，应写明理由（依据《条例》第十四条至第十六条）"));
    }
    let body = input.body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        errs.push(FieldError::new("body", "请填写正文"));
    } else if body.chars().count() > MAX_BODY {
        errs.push(FieldError::new("body", "正文过长"));
    }
    let co_issuers: Vec<String> =
        input.co_issuers.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if co_issuers.len() > 20 {
        errs.push(FieldError::new("co_issuers", "联合发文机关不超过20个"));
    }
    let keywords = opt(&input.keywords).unwrap_or_default();
    if keywords.chars().count() > 200 {
        errs.push(FieldError::new("keywords", "主题词不超过200字"));
    }
    let privacy_exception = match opt(&input.privacy_exception).as_deref() {
        None | Some("无") | Some("none") => None,
        Some(v) => {
            let e = gongkai_domain::patrol::PrivacyException::parse(v);
            if e.is_none() {
                errs.push(FieldError::new("privacy_exception", "个人信息公开情形应为惩戒公示或强制性信息披露"));
            }
            e
        }
    };
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Valid {
        title,
        issuer: opt(&input.issuer),
        co_issuers,
        doc_no,
        kind,
        category,
        topic,
        dates,
        mode,
        withheld_reason: if mode == DisclosureMode::Withheld { withheld_reason } else { None },
        keywords,
        body,
        version_note: opt(&input.version_note),
        privacy_exception,
    })
}

/// Parses a publication time; the result is in UTC, as every stored instant is (SQLite
/// compares them as text).
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let parsed = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok().or_else(|| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        let fmt2 = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
        time::PrimitiveDateTime::parse(s, fmt)
            .or_else(|_| time::PrimitiveDateTime::parse(s, fmt2))
            .ok()
            .map(|p| p.assume_offset(gongkai_domain::CST))
    });
    parsed.map(|t| t.to_offset(time::UtcOffset::UTC))
}
