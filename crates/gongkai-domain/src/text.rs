//! Characters no text typed into gongkai may carry: control characters (NUL cannot even be
//! stored in PostgreSQL) and the bidirectional overrides and isolates that make a title
//! read differently from what it says ("RLO" spoofing). Line breaks and tabs stay allowed
//! where text has lines.

use crate::FieldError;

/// The first character `s` may not carry, if any.
pub fn forbidden_char(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|&c| match c {
        '\n' | '\t' | '\r' => !multiline,
        c if c.is_control() => true,
        // Embeddings, overrides and isolates (LRE…RLO, LRI…PDI), marks and the BOM.
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}' => true,
        '\u{FFFE}' | '\u{FFFF}' => true,
        _ => false,
    })
}

/// Adds an error for `field` when its text carries a forbidden character.
pub fn check(errs: &mut Vec<FieldError>, field: &'static str, label: &str, s: &str, multiline: bool) {
    if let Some(c) = forbidden_char(s, multiline) {
        errs.push(FieldError::new(
            field,
            format!("{label}含有不可见的控制字符（U+{:04X}），请删除后重新输入", c as u32),
        ));
    }
}

/// Whether `s` carries markup: a tag (`<script`, `</a`, `<!--`) or a `javascript:` address.
/// Shown as text it would do no harm (templates escape), but no citizen writes it: it is a
/// probe, and whoever answers should not have to read it.
pub fn has_markup(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains("javascript:")
        || lower
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Adds an error for `field` when a plain-text message from the public carries markup.
pub fn check_plain(errs: &mut Vec<FieldError>, field: &'static str, label: &str, s: &str) {
    if has_markup(s) {
        errs.push(FieldError::new(field, format!("{label}不能含有网页代码（如 <script>），请只填写文字")));
    }
}

/// A Han character (CJK unified ideographs and extension A).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_told_apart_from_text_with_angle_brackets() {
        let cases: &[(&str, bool)] = &[
            ("<script>alert(1)</script>", true),
            ("点击<a href=x>这里</a>", true),
            ("<!-- x -->", true),
            ("<SCRIPT>", true),
            ("JavaScript:alert(1)", true),
            ("收入<3000元的家庭", false),
            ("1 < 2 且 3 > 2", false),
            ("《中华人民共和国政府信息公开条例》", false),
            ("<<关于>>", false),
        ];
        for (s, want) in cases {
            assert_eq!(has_markup(s), *want, "{s}");
        }
    }

    #[test]
    fn control_and_direction_characters_are_refused() {
        let cases: &[(&str, bool, Option<char>)] = &[
            ("关于做好2025年政务公开工作的通知", false, None),
            ("第一条　总则\n第二条\t施行", true, None),
            ("标题\n换行", false, Some('\n')),
            ("含\u{0}空字符", true, Some('\u{0}')),
            ("\u{202E}txt.exe", false, Some('\u{202E}')),
            ("a\u{2067}b", true, Some('\u{2067}')),
            ("\u{FEFF}开头", true, Some('\u{FEFF}')),
            ("\u{7}响铃", true, Some('\u{7}')),
            ("C1\u{85}", true, Some('\u{85}')),
            // Full-width space, emoji, rare CJK are ordinary text.
            ("莱芜区　𠀀🙂", false, None),
        ];
        for (s, multi, want) in cases {
            assert_eq!(forbidden_char(s, *multi), *want, "{s:?}");
        }
        let mut errs = vec![];
        check(&mut errs, "title", "标题", "\u{202E}abc", false);
        assert_eq!(errs[0].message, "标题含有不可见的控制字符（U+202E），请删除后重新输入");
    }
}
