//! Documents: kinds, categories, validity, disclosure mode, and metadata rules.

use serde::Serialize;
use time::Date;

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize, utoipa::ToSchema)]
        // Serialised as its code, always the same string as storage and URLs use.
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Stable identifier used in storage, URLs and JSON.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            /// The Chinese name shown to people.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            /// Accepts the identifier or the Chinese name.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.label() == s)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum! {
    /// 文种: the 15 kinds of 《党政机关公文处理工作条例》 第八条.
    DocumentKind {
        Resolution = "resolution" / "决议",
        Decision = "decision" / "决定",
        Order = "order" / "命令（令）",
        Communique = "communique" / "公报",
        Announcement = "announcement" / "公告",
        Notice = "notice" / "通告",
        Opinion = "opinion" / "意见",
        Circular = "circular" / "通知",
        Bulletin = "bulletin" / "通报",
        Report = "report" / "报告",
        Request = "request" / "请示",
        Reply = "reply" / "批复",
        Motion = "motion" / "议案",
        Letter = "letter" / "函",
        Minutes = "minutes" / "纪要",
    }
}

impl DocumentKind {
    /// Guesses the kind from a title, which by rule ends in the kind (条例第九条（七）).
    pub fn from_title(title: &str) -> Option<DocumentKind> {
        let t = title.trim().trim_end_matches(['）', ')']);
        let t = t.split(['（', '(']).next().unwrap_or(t);
        const ENDINGS: &[(&str, DocumentKind)] = &[
            ("决议", DocumentKind::Resolution),
            ("决定", DocumentKind::Decision),
            ("命令", DocumentKind::Order),
            ("公报", DocumentKind::Communique),
            ("公告", DocumentKind::Announcement),
            ("通告", DocumentKind::Notice),
            ("意见", DocumentKind::Opinion),
            ("通知", DocumentKind::Circular),
            ("通报", DocumentKind::Bulletin),
            ("报告", DocumentKind::Report),
            ("请示", DocumentKind::Request),
            ("批复", DocumentKind::Reply),
            ("议案", DocumentKind::Motion),
            ("函", DocumentKind::Letter),
            ("纪要", DocumentKind::Minutes),
        ];
        ENDINGS.iter().find(|(e, _)| t.ends_with(e)).map(|(_, k)| *k)
    }
}

labelled_enum! {
    /// 文件类别.
    Category {
        Rules = "rules" / "规章",
        Normative = "normative" / "行政规范性文件",
        Other = "other" / "其他文件",
    }
}

labelled_enum! {
    /// 公开方式.
    DisclosureMode {
        Proactive = "proactive" / "主动公开",
        OnRequest = "on_request" / "依申请公开",
        Withheld = "withheld" / "不予公开",
    }
}

labelled_enum! {
    /// 有效性: derived, never typed (see [`derive_validity`]).
    Validity {
        InForce = "in_force" / "有效",
        Amended = "amended" / "已修改",
        Repealed = "repealed" / "废止",
        Expired = "expired" / "失效",
    }
}

/// What validity depends on.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidityFacts {
    pub expires_on: Option<Date>,
    /// A newer published version of the same family exists.
    pub superseded: bool,
    /// A published document repeals this one (or the family).
    pub repealed: bool,
    /// Imported records may carry an explicit 失效 from their source.
    pub declared_expired: bool,
}

/// 有效性 on `today`. Repeal wins over amendment, which wins over expiry: a repealed
/// document is shown as 废止 even if it had also expired.
pub fn derive_validity(facts: ValidityFacts, today: Date) -> Validity {
    if facts.repealed {
        Validity::Repealed
    } else if facts.superseded {
        Validity::Amended
    } else if facts.declared_expired || facts.expires_on.is_some_and(|e| today > e) {
        Validity::Expired
    } else {
        Validity::InForce
    }
}

/// Dates of a document, checked together.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentDates {
    pub signed_on: Option<Date>,
    pub published_on: Option<Date>,
    pub effective_on: Option<Date>,
    pub expires_on: Option<Date>,
}

/// One problem with one field, for forms and API errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError { field, message: message.into() }
    }
}

impl DocumentDates {
    /// signed ≤ published, effective ≥ signed, expiry after effect.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if let (Some(s), Some(p)) = (self.signed_on, self.published_on)
            && p < s
        {
            errs.push(FieldError::new("published_on", "发布日期不能早于成文日期"));
        }
        if let (Some(s), Some(e)) = (self.signed_on, self.effective_on)
            && e < s
        {
            errs.push(FieldError::new("effective_on", "施行日期不能早于成文日期"));
        }
        let start = self.effective_on.or(self.signed_on);
        if let (Some(s), Some(x)) = (start, self.expires_on)
            && x <= s
        {
            errs.push(FieldError::new("expires_on", "有效期截止日期应晚于施行日期"));
        }
        errs
    }
}

/// 成文日期 as written on the document: `2026年5月15日` (GB/T 9704 §7.3.5.4, no zero padding).
pub fn written_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// 发文机关 of a record as a corpus gives it. A corpus sometimes leaves it out or puts a
/// fragment of the title there (关于); then the title's own "X关于…" names it when X reads as
/// a body. `None`: the record does not say, and nothing should be guessed.
pub fn issuer_of(given: Option<&str>, title: &str) -> Option<String> {
    // Endings of 发文机关 names: 人民代表大会(常务委员会), 人民政府, 办公厅, 市场监管总局, 人民法院 …
    const BODIES: &[&str] =
        &["人民代表大会", "委员会", "政府", "办公厅", "办公室", "部", "局", "院", "厅", "署", "银行"];
    let reads_as_body = |s: &str| {
        let n = s.chars().count();
        (2..=40).contains(&n) && !s.starts_with("关于") && BODIES.iter().any(|b| s.ends_with(b))
    };
    if let Some(g) = given.map(str::trim).filter(|g| !g.is_empty() && !g.starts_with("关于")) {
        return Some(g.to_string());
    }
    let (before, _) = title.trim().split_once("关于")?;
    let before = before.trim();
    // A title that quotes another body's text (…贯彻《国务院关于…》…) names no issuer.
    (reads_as_body(before) && !before.contains(['《', '、'])).then(|| before.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_comes_from_the_record_or_the_title_never_a_guess() {
        let cases: &[(Option<&str>, &str, Option<&str>)] = &[
            (Some("国务院"), "国务院关于职工工作时间的规定", Some("国务院")),
            (None, "上海市人民代表大会关于代表议案的规定", Some("上海市人民代表大会")),
            (Some(" "), "国务院办公厅关于加强政务公开的意见", Some("国务院办公厅")),
            (Some("关于"), "国家机关、事业单位贯彻《国务院关于职工工作时间的规定》的实施办法", None),
            (None, "上海市专利保护条例", None),
            (None, "关于进一步做好政务公开工作的通知", None),
            (None, "市场监管总局关于发布《企业名称登记管理规定实施办法》的公告", Some("市场监管总局")),
        ];
        for (given, title, want) in cases {
            assert_eq!(issuer_of(*given, title).as_deref(), *want, "{given:?} {title}");
        }
    }
    use time::macros::date;

    #[test]
    fn validity_follows_from_facts() {
        let today = date!(2025 - 06 - 30);
        assert_eq!(derive_validity(ValidityFacts::default(), today), Validity::InForce);
        let f = ValidityFacts { expires_on: Some(date!(2025 - 06 - 30)), ..Default::default() };
        assert_eq!(derive_validity(f, today), Validity::InForce, "in force on its last day");
        assert_eq!(
            derive_validity(f, date!(2025 - 07 - 01)),
            Validity::Expired,
            "changes by itself when the date passes"
        );
        let f = ValidityFacts { superseded: true, ..f };
        assert_eq!(derive_validity(f, date!(2030 - 01 - 01)), Validity::Amended);
        let f = ValidityFacts { repealed: true, ..f };
        assert_eq!(derive_validity(f, today), Validity::Repealed);
    }

    #[test]
    fn dates_are_checked_in_order() {
        let ok = DocumentDates {
            signed_on: Some(date!(2025 - 06 - 27)),
            published_on: Some(date!(2025 - 06 - 30)),
            effective_on: Some(date!(2025 - 07 - 01)),
            expires_on: Some(date!(2030 - 06 - 30)),
        };
        assert!(ok.validate().is_empty());
        let bad = DocumentDates {
            published_on: Some(date!(2025 - 06 - 01)),
            effective_on: Some(date!(2025 - 06 - 01)),
            ..ok
        };
        let fields: Vec<_> = bad.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["published_on", "effective_on"]);
    }

    #[test]
    fn kinds_and_labels() {
        assert_eq!(DocumentKind::ALL.len(), 15);
        assert_eq!(
            DocumentKind::from_title("济南市莱芜区人民政府办公室关于印发2025年政务公开工作要点的通知"),
            Some(DocumentKind::Circular)
        );
        assert_eq!(DocumentKind::from_title("关于同意设立某某的批复（示例）"), Some(DocumentKind::Reply));
        assert_eq!(DocumentKind::from_title("中华人民共和国政府信息公开条例"), None);
        assert_eq!(Category::parse("行政规范性文件"), Some(Category::Normative));
        assert_eq!(Category::parse("normative"), Some(Category::Normative));
        assert_eq!(written_date(date!(2026 - 05 - 05)), "2026年5月5日");
    }
}
