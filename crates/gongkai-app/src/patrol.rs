//! Content patrol (已公开信息安全巡查) over what the public can read: every published
//! document, interpretation and case, and the text of public attachments, scanned with the
//! detectors of `gongkai_domain::patrol`. Publishing runs the same check first: a finding
//! of high severity (an identity or bank card number) stops publication unless it is
//! masked or a reviewer overrides it with a recorded reason.

use crate::{Actor, App, AppError, Result};
use gongkai_domain::patrol::{self, Finding, FindingKind, Severity};
use serde::Serialize;

/// One finding as staff see it: where it is, what it is, the span masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FindingView {
    /// document, interpretation, case
    pub source: &'static str,
    pub record_id: i64,
    pub title: String,
    /// Which part of the record: 标题, 正文, or the attachment's file name.
    pub field: String,
    #[schema(value_type = String)]
    pub kind: FindingKind,
    pub kind_label: &'static str,
    #[schema(value_type = String)]
    pub severity: Severity,
    /// The span as written, masked when it is personal data.
    pub shown: String,
    /// The mask, or the correct form.
    pub replacement: String,
    /// A few characters either side, masked the same way.
    pub context: String,
}

/// A record's text to scan, by part.
pub(crate) struct Part<'a> {
    pub field: &'a str,
    pub text: &'a str,
}

/// The findings in one record's parts.
pub(crate) fn check(source: &'static str, record_id: i64, title: &str, parts: &[Part<'_>]) -> Vec<FindingView> {
    let mut out = Vec::new();
    for p in parts {
        let found = patrol::scan(p.text, &[]);
        for f in &found {
            out.push(view(source, record_id, title, p, f, &found));
        }
    }
    out
}

fn view(source: &'static str, record_id: i64, title: &str, p: &Part<'_>, f: &Finding, all: &[Finding]) -> FindingView {
    // Context from the original text with every personal span masked.
    let from = floor(p.text, f.start.saturating_sub(30));
    let to = ceil(p.text, (f.end + 30).min(p.text.len()));
    let inside: Vec<Finding> = all
        .iter()
        .filter(|g| g.start >= from && g.end <= to)
        .map(|g| Finding { start: g.start - from, end: g.end - from, ..g.clone() })
        .collect();
    let context = patrol::mask(&p.text[from..to], &inside);
    FindingView {
        source,
        record_id,
        title: title.to_string(),
        field: p.field.to_string(),
        kind: f.kind,
        kind_label: f.kind.label(),
        severity: f.severity,
        shown: patrol::shown(p.text, f),
        replacement: f.replacement.clone(),
        context,
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// What stops a publication: the high findings, as a refusal naming them (masked).
pub(crate) fn blocking(found: &[FindingView]) -> Option<AppError> {
    let high: Vec<&FindingView> = found.iter().filter(|f| f.severity == Severity::High).collect();
    if high.is_empty() {
        return None;
    }
    let list: Vec<String> =
        high.iter().take(5).map(|f| format!("{}“{}”（{}）", f.kind_label, f.shown, f.field)).collect();
    Some(AppError::field(
        "patrol_override",
        format!(
            "发布前检查发现{}处个人信息，须去标识化后再发布，或由审核人填写理由后确认发布：{}",
            high.len(),
            list.join("；")
        ),
    ))
}

impl App {
    /// The patrol of everything the public can read now, findings in order of severity.
    pub async fn patrol(&self, actor: &Actor) -> Result<Vec<FindingView>> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("只有审核人员和公开办可以查看巡查结果".into()));
        }
        let mut out = Vec::new();
        for source in crate::search::content_sources() {
            let mut after = 0;
            loop {
                let ids = source.public_ids(self, after, 500).await?;
                let Some(last) = ids.last().copied() else { break };
                for d in source.load(self, &ids).await? {
                    let parts = [
                        Part { field: "标题", text: &d.title },
                        Part { field: "正文", text: &d.body },
                        Part { field: "附件", text: &d.attachment_text },
                    ];
                    out.extend(check(source.name(), d.id, &d.title, &parts));
                }
                after = last;
            }
        }
        out.sort_by_key(|f| (f.severity.code() != "high", f.severity.code() != "medium", f.source, f.record_id));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;

    /// Hard negatives from real text: the shipped laws hold no identity, card or mobile
    /// numbers, so nothing personal may be found in them, whatever their digits.
    #[test]
    fn nothing_personal_is_found_in_the_laws_corpus() {
        let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(crate::import::LAWS_CORPUS));
        let (mut laws, mut hits) = (0, Vec::new());
        for line in reader.lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let body = v["body"].as_str().unwrap_or("");
            laws += 1;
            for f in patrol::scan(body, &[]) {
                if f.kind.is_personal() && f.kind != FindingKind::Landline && f.kind != FindingKind::Email {
                    hits.push(format!("{}: {} {}", v["title"], f.kind.label(), &body[f.start..f.end]));
                }
            }
        }
        assert!(laws > 3000, "the whole corpus: {laws}");
        assert!(hits.is_empty(), "{} hits:\n{}", hits.len(), hits.join("\n"));
    }
}
