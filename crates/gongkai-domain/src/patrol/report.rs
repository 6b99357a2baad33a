//! 我为政府网站找错: a visitor's report of an error on a page — what kind, on which page,
//! what is wrong, and how to reach them if they wish. Routed to the body that owns the
//! page and answered within a number of working days (◐ 3 by default, as the Liaoning rule
//! RULES.md §5.1 reports; no national deadline was found).

use crate::FieldError;
use crate::document::labelled_enum;

labelled_enum! {
    /// What is wrong, as the visitor sees it.
    ReportKind {
        Typo = "typo" / "错别字",
        BrokenLink = "broken_link" / "链接错误",
        Outdated = "outdated" / "内容过时",
        Privacy = "privacy" / "隐私泄露",
        Unavailable = "unavailable" / "无法访问",
        Other = "other" / "其他",
    }
}

labelled_enum! {
    ReportStatus {
        Received = "received" / "已受理",
        Answered = "answered" / "已答复",
    }
}

/// Working days the owning body has to answer, unless the district sets its own.
pub const DEFAULT_ANSWER_DAYS: u32 = 3;
pub const MAX_DESCRIPTION: usize = 1000;
pub const MAX_PAGE: usize = 300;

/// A report as the visitor typed it.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub kind: String,
    /// The page's address on this site (a path), or empty.
    pub page: String,
    pub description: String,
    /// An e-mail or phone number, if they want an answer; never shown to the public.
    pub contact: String,
}

/// A report that may be filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReport {
    pub kind: ReportKind,
    /// A path on this site (`/documents/12`), or empty when the visitor left it out.
    pub page: String,
    pub description: String,
    pub contact: Option<String>,
}

/// The page as a path on this site: a full address is cut to its path, an outside address
/// or anything else is refused (the site never fetches what a visitor typed).
pub fn page_path(page: &str, site_hosts: &[&str]) -> Result<String, &'static str> {
    let p = page.trim();
    if p.is_empty() {
        return Ok(String::new());
    }
    let path = if let Some(rest) = p.strip_prefix("https://").or_else(|| p.strip_prefix("http://")) {
        let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
        if !site_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return Err("请填写本网站页面的地址");
        }
        path
    } else if p.starts_with('/') && !p.starts_with("//") {
        p.to_string()
    } else {
        return Err("请填写本网站页面的地址");
    };
    // The query and fragment say nothing about whose page it is.
    let path = path.split(['?', '#']).next().unwrap_or("/").to_string();
    if path.chars().count() > MAX_PAGE || path.contains(char::is_whitespace) {
        return Err("页面地址过长或含有空格");
    }
    Ok(path)
}

pub fn validate(r: &ReportInput, site_hosts: &[&str]) -> Result<ValidReport, Vec<FieldError>> {
    let mut errs = Vec::new();
    let kind = ReportKind::parse(&r.kind);
    if kind.is_none() {
        errs.push(FieldError::new("kind", "请选择问题类型"));
    }
    let page = page_path(&r.page, site_hosts).unwrap_or_else(|m| {
        errs.push(FieldError::new("page", m));
        String::new()
    });
    let description = r.description.trim().to_string();
    let n = description.chars().count();
    if n < 5 {
        errs.push(FieldError::new("description", "请写明问题（至少5个字）"));
    } else if n > MAX_DESCRIPTION {
        errs.push(FieldError::new("description", format!("问题描述不超过{MAX_DESCRIPTION}字，现为{n}字")));
    } else {
        crate::text::check(&mut errs, "description", "问题描述", &description, true);
        crate::text::check_plain(&mut errs, "description", "问题描述", &description);
    }
    let contact = r.contact.trim().to_string();
    if !contact.is_empty() && !is_contact(&contact) {
        errs.push(FieldError::new("contact", "联系方式应为电子邮箱或电话号码"));
    }
    match kind {
        Some(kind) if errs.is_empty() => {
            Ok(ValidReport { kind, page, description, contact: Some(contact).filter(|c| !c.is_empty()) })
        }
        _ => Err(errs),
    }
}

/// An e-mail address or a telephone number (7 to 15 digits, with - + ( ) and spaces).
pub fn is_contact(contact: &str) -> bool {
    let digits = contact.chars().filter(char::is_ascii_digit).count();
    let phone_like = contact.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c)) && (7..=15).contains(&digits);
    crate::request::is_email(contact) || phone_like
}

/// The reference a visitor follows a report by: ZC + year + six digits.
pub fn reference(year: i32, seq: u32) -> String {
    format!("ZC{year}{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTS: &[&str] = &["www.laiwu.gov.cn", "127.0.0.1:8080"];

    fn input(kind: &str, page: &str, description: &str, contact: &str) -> ReportInput {
        ReportInput { kind: kind.into(), page: page.into(), description: description.into(), contact: contact.into() }
    }

    #[test]
    fn a_page_is_a_path_on_this_site() {
        let cases: &[(&str, Result<&str, ()>)] = &[
            ("", Ok("")),
            ("/documents/12", Ok("/documents/12")),
            ("/documents/12?v=3#a5", Ok("/documents/12")),
            ("https://www.laiwu.gov.cn/documents/12", Ok("/documents/12")),
            ("http://127.0.0.1:8080/", Ok("/")),
            ("https://www.laiwu.gov.cn", Ok("/")),
            ("https://evil.example/documents/12", Err(())),
            ("//evil.example/x", Err(())),
            ("documents/12", Err(())),
            ("javascript:alert(1)", Err(())),
            ("/a b", Err(())),
        ];
        for (page, want) in cases {
            assert_eq!(page_path(page, HOSTS).map_err(|_| ()), want.map(str::to_string), "{page}");
        }
    }

    #[test]
    fn a_report_needs_a_kind_and_words_and_a_contact_is_optional_but_checked() {
        let ok = validate(&input("链接错误", "/documents/3", "  附件链接打不开，提示404  ", ""), HOSTS).unwrap();
        assert_eq!(
            ok,
            ValidReport {
                kind: ReportKind::BrokenLink,
                page: "/documents/3".into(),
                description: "附件链接打不开，提示404".into(),
                contact: None
            }
        );
        assert!(validate(&input("typo", "", "第三条有错别字", "0634-6212345"), HOSTS).is_ok());
        assert!(validate(&input("typo", "", "第三条有错别字", "me@example.cn"), HOSTS).is_ok());
        let fields = |r: ReportInput| -> Vec<&'static str> {
            validate(&r, HOSTS).err().unwrap_or_default().iter().map(|e| e.field).collect()
        };
        assert_eq!(fields(input("", "/x", "第三条有错别字", "")), ["kind"]);
        assert_eq!(fields(input("typo", "https://evil.example/", "第三条有错别字", "")), ["page"]);
        assert_eq!(fields(input("typo", "", "错", "")), ["description"]);
        assert_eq!(fields(input("typo", "", &"长".repeat(1001), "")), ["description"]);
        assert_eq!(fields(input("typo", "", "含有\u{202e}反向字符的描述", "")), ["description"]);
        assert_eq!(fields(input("typo", "", "第三条有错别字", "我的电话")), ["contact"]);
        assert_eq!(fields(input("typo", "", "<script>alert(1)</script>", "")), ["description"]);
    }

    #[test]
    fn references_are_numbered_by_year() {
        assert_eq!(reference(2025, 7), "ZC2025000007");
    }
}
