//! Questions as people type them: the words that only make a sentence a question (请问,
//! 如何, 吗 …) carry nothing to search for, and a law named in the question (劳动合同法,
//! 民法典, 政府信息公开条例) says where the answer is.

use crate::analysis::WordTokenizer;

/// Words that make a question of a sentence. Dropped before searching (unless nothing
/// else was typed); jieba's cut decides what is a word, so 吗 is dropped but 吗啡 is not.
pub const QUESTION_WORDS: &[&str] = &[
    "请问",
    "请教",
    "咨询",
    "怎么办",
    "怎么样",
    "怎么",
    "怎样",
    "如何",
    "是否",
    "能否",
    "可否",
    "可以",
    "能不能",
    "可不可以",
    "是不是",
    "有没有",
    "会不会",
    "要不要",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "么",
    "什么",
    "哪些",
    "哪个",
    "哪里",
    "为什么",
    "为何",
    "我想",
    "我要",
    "想问",
    "一下",
    "的话",
    "请",
    "谢谢",
];

pub fn is_question_word(w: &str) -> bool {
    QUESTION_WORDS.contains(&w)
}

/// What to search for in `text`: question words and sentence punctuation become breaks
/// between the words around them. Quoted phrases and exclusions are left as typed.
pub fn strip_question(text: &str, words: &WordTokenizer) -> String {
    if text.contains(['"', '“', '”']) || text.split_whitespace().any(|w| w.starts_with(['-', '－'])) {
        return text.to_string();
    }
    let mut out = String::new();
    let mut last_end = 0usize;
    let mut kept = false;
    for t in words.words(text) {
        let gap = &text[last_end..t.offset_from];
        if is_question_word(&t.text) {
            out.push(' ');
        } else {
            // A break where the text had one (space or punctuation), none inside a run.
            if !gap.is_empty() || out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str(&text[t.offset_from..t.offset_to]);
            kept = true;
        }
        last_end = t.offset_to;
    }
    if !kept {
        return text.to_string();
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A title as people refer to it: without 中华人民共和国, bracketed parts ((2019修订), （试行）)
/// spaces and punctuation, letters lowercased. The key of title lookups and law names.
pub fn title_key(title: &str) -> String {
    let t = title.trim();
    let t = t.strip_prefix("中华人民共和国").unwrap_or(t);
    crate::query::without_brackets(t).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_words_go_and_the_content_stays() {
        let w = WordTokenizer::default();
        assert_eq!(strip_question("请问申请政府信息公开要交费吗？", &w), "申请政府信息公开要交费");
        assert_eq!(strip_question("如何申请低保", &w), "申请低保");
        assert_eq!(strip_question("承租人破产，租赁物是否属于破产财产？", &w), "承租人破产 租赁物 属于破产财产");
        assert_eq!(strip_question("吗啡的管理", &w), "吗啡的管理", "吗 inside a word stays");
        assert_eq!(strip_question("如何", &w), "如何", "nothing else typed: kept");
        assert_eq!(strip_question("\"如何\" 申请", &w), "\"如何\" 申请", "quotes as typed");
    }

    #[test]
    fn titles_are_keyed_as_people_say_them() {
        assert_eq!(title_key("中华人民共和国政府信息公开条例"), "政府信息公开条例");
        assert_eq!(title_key("中华人民共和国劳动合同法（2012修正）"), "劳动合同法");
        assert_eq!(title_key(" 山东省 实施《中华人民共和国 X法》办法 "), "山东省实施中华人民共和国x法办法");
    }
}
