//! The 12345 hotline's knowledge base (热线问答库): what an entry must say, how its basis
//! (依据) is written, and when it may still be given as an answer.

use crate::FieldError;

crate::document::labelled_enum! {
    /// Where an entry stands.
    FaqStatus {
        Draft = "draft" / "待审核",
        Published = "published" / "已发布",
        Stale = "stale" / "依据已变化，待复核",
        Withdrawn = "withdrawn" / "已撤回",
    }
}

pub const MAX_QUESTION_CHARS: usize = 200;
pub const MAX_ANSWER_CHARS: usize = 4000;

/// An entry as typed or imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaqInput {
    pub question: String,
    pub answer: String,
    /// 依据: 《文件名》第X条, several separated by 、；; or new lines.
    pub basis: String,
}

/// One document an entry relies on, as written: its title and, if given, the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    pub title: String,
    /// 第X条, or empty for the document as a whole.
    pub label: String,
}

/// The documents named in a 依据 text: each 《…》 with the 第X条 that follows it.
pub fn parse_basis(text: &str) -> Vec<Cited> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('《') {
        let after = &rest[open + '《'.len_utf8()..];
        let Some(close) = after.find('》') else { break };
        let title = after[..close].trim().to_string();
        let tail = &after[close + '》'.len_utf8()..];
        let label = article_at(tail);
        if !title.is_empty() && !out.iter().any(|c: &Cited| c.title == title && c.label == label) {
            out.push(Cited { title, label });
        }
        rest = tail;
    }
    out
}

/// 第X条 at the start of `text` (spaces allowed), or empty.
fn article_at(text: &str) -> String {
    let t = text.trim_start();
    let Some(after) = t.strip_prefix('第') else { return String::new() };
    let n: String =
        after.chars().take_while(|c| "一二三四五六七八九十百零千".contains(*c) || c.is_ascii_digit()).collect();
    if !n.is_empty() && after[n.len()..].starts_with('条') { format!("第{n}条") } else { String::new() }
}

/// Checks an entry: a question and an answer of sensible length, plain text, and at least
/// one document named as its basis (an answer nobody can trace is not published).
pub fn validate(f: &FaqInput) -> Result<Vec<Cited>, Vec<FieldError>> {
    let mut errs = Vec::new();
    let q = f.question.trim();
    let n = q.chars().count();
    if n < 5 {
        errs.push(FieldError::new("question", "问题至少5个字"));
    } else if n > MAX_QUESTION_CHARS {
        errs.push(FieldError::new("question", format!("问题不超过{MAX_QUESTION_CHARS}字")));
    }
    crate::text::check_plain(&mut errs, "question", "问题", q);
    let a = f.answer.trim();
    let n = a.chars().count();
    if n < 10 {
        errs.push(FieldError::new("answer", "答复至少10个字"));
    } else if n > MAX_ANSWER_CHARS {
        errs.push(FieldError::new("answer", format!("答复不超过{MAX_ANSWER_CHARS}字")));
    }
    if crate::text::has_markup(a) {
        errs.push(FieldError::new("answer", "答复请填写纯文字，不能含有网页标记"));
    }
    crate::text::check(&mut errs, "answer", "答复", a, true);
    let cited = parse_basis(&f.basis);
    if cited.is_empty() {
        errs.push(FieldError::new("basis", "请写明依据的文件，如《中华人民共和国政府信息公开条例》第四十二条"));
    }
    if errs.is_empty() { Ok(cited) } else { Err(errs) }
}

/// Why an entry can no longer be given as an answer, from the state of one document it
/// relies on (None: it still holds).
pub fn stale_reason(title: &str, current: bool, validity: &str, published: bool) -> Option<String> {
    if !published {
        Some(format!("依据的《{title}》已撤回"))
    } else if !current {
        Some(format!("依据的《{title}》已修订，请按新版本复核"))
    } else if validity == "repealed" {
        Some(format!("依据的《{title}》已废止"))
    } else if validity == "expired" {
        Some(format!("依据的《{title}》已失效"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_basis_names_documents_and_articles() {
        let c = parse_basis(
            "《中华人民共和国政府信息公开条例》第四十二条；《济南市莱芜区政府信息公开申请办理规范（示例）》 第3条、《某办法》",
        );
        assert_eq!(
            c,
            [
                Cited {
                    title: "中华人民共和国政府信息公开条例".into(), label: "第四十二条".into()
                },
                Cited {
                    title: "济南市莱芜区政府信息公开申请办理规范（示例）".into(), label: "第3条".into()
                },
                Cited { title: "某办法".into(), label: String::new() },
            ]
        );
        assert!(parse_basis("没有书名号").is_empty());
        assert!(parse_basis("《未闭合").is_empty());
    }

    #[test]
    fn an_entry_needs_a_question_an_answer_and_a_basis() {
        let ok = FaqInput {
            question: "申请政府信息公开要交费吗？".into(),
            answer: "行政机关依申请提供政府信息，不收取费用；申请数量、频次明显超过合理范围的，可以收取信息处理费。"
                .into(),
            basis: "《中华人民共和国政府信息公开条例》第四十二条".into(),
        };
        assert_eq!(validate(&ok).unwrap().len(), 1);
        let fields = |f: FaqInput| validate(&f).err().unwrap().iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(FaqInput { question: "问".into(), ..ok.clone() }), ["question"]);
        assert_eq!(fields(FaqInput { answer: "<b>不收费</b>，依法办理即可。".into(), ..ok.clone() }), ["answer"]);
        assert_eq!(fields(FaqInput { basis: "条例".into(), ..ok.clone() }), ["basis"]);
    }

    #[test]
    fn an_entry_goes_stale_with_its_document() {
        assert_eq!(stale_reason("某办法", true, "in_force", true), None);
        assert!(stale_reason("某办法", false, "in_force", true).unwrap().contains("已修订"));
        assert!(stale_reason("某办法", true, "repealed", true).unwrap().contains("已废止"));
        assert!(stale_reason("某办法", true, "in_force", false).unwrap().contains("撤回"));
    }
}
