//! Policy Q&A (智能问答): a question gets a short answer assembled from the best articles,
//! each sentence citing 文件名 + 第X条 + version date + validity; when retrieval is weak it
//! says 未找到足够依据 and lists the nearest articles instead of guessing. It never quotes
//! a repealed or superseded version as current. Questions and answers are kept for audit,
//! masked, for `qa_log_days`; never public, never searchable.

use crate::search::EvalQuestion;
use crate::{App, AppError, Result};
use gongkai_domain::qa::{self, Evidence, Source};
use gongkai_store::qa_log;
use gongkai_store::sea_orm::Set;
use serde::Serialize;

/// Longest question accepted.
pub const MAX_QUESTION_CHARS: usize = 200;
/// Articles retrieved per question.
const RETRIEVED: usize = 8;
/// Sentences in an extractive answer.
const ANSWER_SENTENCES: usize = 3;

/// Shown with every answer.
pub const DISCLAIMER: &str =
    "本回答由系统根据已公开的法律法规和政策文件条款自动生成，仅供参考，不构成法律意见，以原文和有关部门的答复为准。";
/// What to do next, on every answer page.
pub const NEXT_STEPS: &str = "如需获取未公开的政府信息，可提出政府信息公开申请；政策咨询可拨打12345政务服务便民热线。";

/// Where a question came from (kept in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Portal,
    Api,
    Eval,
}

impl Channel {
    fn code(self) -> &'static str {
        match self {
            Channel::Portal => "portal",
            Channel::Api => "api",
            Channel::Eval => "eval",
        }
    }
}

/// One sentence of an answer with the sources it cites (numbers of `sources`, from 1).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnswerSentence {
    pub text: String,
    pub cites: Vec<usize>,
}

/// An article an answer cites or lists as nearest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnswerSource {
    /// Its number in the answer's citations, from 1.
    pub n: usize,
    /// `document`, or `faq` for a 12345 hotline answer.
    pub source: String,
    pub title: String,
    /// 第X条, or 二、（三） in a district document.
    pub label: String,
    /// The document's portal page.
    pub url: String,
    pub version_no: i64,
    /// The date of the version cited.
    pub version_date: Option<String>,
    /// 有效性 code and its label (现行有效, 已被新版本取代 …).
    pub validity: String,
    pub validity_label: String,
    /// The current version of a document in force: may be cited as what applies.
    pub citable: bool,
    pub excerpt: crate::search::Excerpt,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Answer {
    pub question: String,
    /// False: 未找到足够依据 — `sources` are the nearest articles, not an answer.
    pub answered: bool,
    pub sentences: Vec<AnswerSentence>,
    pub sources: Vec<AnswerSource>,
    /// The law the question named, as people say it.
    pub law: Option<String>,
    /// Whether semantic retrieval took part (the model is installed).
    pub semantic: bool,
    /// Whether the operator's language model wrote the sentences.
    pub written: bool,
    pub disclaimer: String,
    pub next_steps: String,
}

impl App {
    /// Answers a question from the published articles, or says there is not enough to
    /// answer on. The question is logged masked.
    pub async fn answer(&self, question: &str, channel: Channel) -> Result<Answer> {
        let q = question.trim().to_string();
        if q.chars().all(|c| !c.is_alphanumeric()) {
            return Err(AppError::field("q", "请输入问题"));
        }
        if q.chars().count() > MAX_QUESTION_CHARS {
            return Err(AppError::field("q", format!("问题不超过{MAX_QUESTION_CHARS}字")));
        }
        if let Some(c) = gongkai_domain::text::forbidden_char(&q, false) {
            return Err(AppError::field("q", format!("问题中含有不能使用的字符（U+{:04X}）", c as u32)));
        }
        let state = self.search_state()?.clone();
        if self.search_needs_rebuild() {
            return Err(AppError::Unavailable("搜索索引正在重建，请稍后再试".into()));
        }
        let qv = self.query_vector(&q).await;
        let q2 = q.clone();
        let st = state.clone();
        let (asked, r): (Vec<String>, gongkai_search::passages::Retrieved) = crate::search::blocking(move || {
            let words = st.index.words();
            let stripped = gongkai_search::question::strip_question(&q2, &words);
            let asked: Vec<String> = words.words(&stripped).into_iter().map(|t| t.text).collect();
            let r = st.index.retrieve(&q2, RETRIEVED, qv.as_deref())?;
            Ok((asked, r))
        })
        .await?;
        let sources: Vec<Source> = r
            .hits
            .iter()
            .map(|h| Source {
                title: h.title.clone(),
                label: h.label.clone(),
                text: h.text.clone(),
                version_date: h.published_on.clone(),
                validity: h.validity.clone(),
                current: h.current,
                hotline: h.source == crate::faq::FAQ,
            })
            .collect();
        let top = r.hits.iter().zip(&sources).find(|(_, s)| s.citable());
        let evidence = top.map(|(h, s)| Evidence {
            // A hotline answer is matched by its question as much as by its answer.
            coverage: if s.hotline {
                qa::coverage(&asked, &format!("{} {}", s.title, s.text))
            } else {
                qa::coverage(&asked, &s.text)
            },
            dense: if r.semantic { h.dense } else { None },
            agreed: h.lexical_rank.is_some_and(|x| x <= 10) && h.dense_rank.is_some_and(|x| x <= 10),
        });
        let gate = self.config.qa_gate;
        let mut sentences: Vec<AnswerSentence> = Vec::new();
        if evidence.as_ref().is_some_and(|e| gate.answers(e)) {
            sentences = qa::extract(&asked, &sources, ANSWER_SENTENCES)
                .into_iter()
                .map(|s| AnswerSentence { text: s.text, cites: s.cites })
                .collect();
        }
        let answer = Answer {
            question: q.clone(),
            answered: !sentences.is_empty(),
            sentences,
            sources: r
                .hits
                .iter()
                .zip(&sources)
                .enumerate()
                .map(|(i, (h, s))| AnswerSource {
                    n: i + 1,
                    source: h.source.clone(),
                    title: h.title.clone(),
                    label: h.label.clone(),
                    url: h.url.clone(),
                    version_no: h.version_no,
                    version_date: h.published_on.clone(),
                    validity: h.validity.clone(),
                    validity_label: qa::validity_label(&h.validity, h.current).to_string(),
                    citable: s.citable(),
                    excerpt: h.excerpt.clone(),
                    score: h.score,
                })
                .collect(),
            law: r.law.clone(),
            semantic: r.semantic,
            written: false,
            disclaimer: DISCLAIMER.into(),
            next_steps: NEXT_STEPS.into(),
        };
        if channel != Channel::Eval {
            self.log_answer(&answer, channel, evidence.as_ref(), None).await?;
        }
        Ok(answer)
    }

    async fn log_answer(&self, a: &Answer, channel: Channel, e: Option<&Evidence>, prompt: Option<&str>) -> Result<()> {
        let cited: Vec<String> = a
            .sentences
            .iter()
            .flat_map(|s| s.cites.iter())
            .filter_map(|n| a.sources.get(n - 1))
            .map(|s| format!("《{}》{}", s.title, s.label))
            .collect();
        let text: Vec<&str> = a.sentences.iter().map(|s| s.text.as_str()).collect();
        let tx = self.store.begin_write().await?;
        qa_log::insert(
            &*tx,
            qa_log::row::ActiveModel {
                asked_at: Set(self.now()),
                channel: Set(channel.code().into()),
                answered: Set(a.answered),
                written: Set(a.written),
                coverage_pm: Set(e.map(|e| (e.coverage * 1000.0).round() as i32).unwrap_or(0)),
                dense_pm: Set(e.and_then(|e| e.dense).map(|d| (d * 1000.0).round() as i32)),
                citations: Set(cited.join("\n")),
                question: Set(qa::mask_question(&a.question)),
                answer: Set(qa::mask_question(&text.join("\n"))),
                prompt: Set(prompt.map(qa::mask_question)),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes Q&A log entries older than `qa_log_days`.
    pub async fn purge_qa_log(&self) -> Result<u64> {
        let before = self.now() - time::Duration::days(i64::from(self.config.qa_log_days));
        let tx = self.store.begin_write().await?;
        let n = qa_log::purge(&*tx, before).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Runs every question through Q&A: how many are answered, and how often the first
    /// citation is the gold article (citation precision).
    pub async fn eval_answers(&self, questions: &[EvalQuestion]) -> Result<AnswerReport> {
        let mut r = AnswerReport { questions: questions.len(), ..Default::default() };
        let mut external: std::collections::HashMap<i64, Option<String>> = Default::default();
        for q in questions {
            let a = self.answer(&q.question, Channel::Eval).await?;
            let first = a.sentences.first().and_then(|s| s.cites.first()).and_then(|n| a.sources.get(n - 1));
            let gold = |s: &AnswerSource, ext: &Option<String>| {
                ext.as_deref() == Some(q.gold_doc_id.as_str()) && q.gold_article.as_deref().is_none_or(|g| s.label == g)
            };
            let mut hit_any = false;
            for s in a.sources.iter().filter(|s| s.source == crate::search::DOCUMENT) {
                let doc_id = s.url.rsplit('/').next().and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
                if let std::collections::hash_map::Entry::Vacant(v) = external.entry(doc_id) {
                    v.insert(self.external_id(doc_id).await?);
                }
                hit_any |= gold(s, &external[&doc_id]);
            }
            if a.answered {
                r.answered += 1;
                if let Some(s) = first.filter(|s| s.source == crate::search::DOCUMENT) {
                    let doc_id = s.url.rsplit('/').next().and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
                    if gold(s, &external[&doc_id]) {
                        r.cited_gold += 1;
                    }
                }
            } else {
                r.refused += 1;
                if hit_any {
                    r.refused_with_gold_listed += 1;
                }
            }
        }
        let n = r.questions.max(1) as f64;
        r.answered_share = r.answered as f64 / n;
        r.citation_precision = if r.answered > 0 { r.cited_gold as f64 / r.answered as f64 } else { 0.0 };
        Ok(r)
    }
}

/// Answered vs refused and citation precision over an evaluation set.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AnswerReport {
    pub questions: usize,
    pub answered: usize,
    pub refused: usize,
    pub answered_share: f64,
    /// Answers whose first citation is the gold article.
    pub cited_gold: usize,
    /// `cited_gold / answered`.
    pub citation_precision: f64,
    /// Refusals whose nearest articles still list the gold one.
    pub refused_with_gold_listed: usize,
}

/// One kept question, as the office sees it (masked when it was written).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QaLogEntry {
    pub asked_at: time::OffsetDateTime,
    pub channel: String,
    pub answered: bool,
    pub written: bool,
    pub question: String,
    pub citations: Vec<String>,
}

/// A question asked more than once without a good answer: a candidate for a hotline
/// entry or for proactive disclosure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unanswered {
    pub question: String,
    pub times: usize,
    pub last_asked: time::OffsetDateTime,
}

impl App {
    /// Questions of the last `days` days, newest first (the office only).
    pub async fn qa_log(&self, actor: &crate::Actor, days: i64) -> Result<Vec<QaLogEntry>> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有公开办可以查看问答记录".into()));
        }
        let since = self.now() - time::Duration::days(days.clamp(1, 3650));
        let rows = qa_log::recent(self.store.conn(), since, 2_000).await?;
        Ok(rows
            .into_iter()
            .map(|r| QaLogEntry {
                asked_at: r.asked_at,
                channel: r.channel,
                answered: r.answered,
                written: r.written,
                citations: r.citations.lines().map(str::to_string).filter(|l| !l.is_empty()).collect(),
                question: r.question,
            })
            .collect())
    }

    /// The questions most asked in the last `days` days that got no answer, most asked
    /// first. Questions are grouped as written, punctuation and spaces aside.
    pub async fn unanswered_questions(&self, actor: &crate::Actor, days: i64) -> Result<Vec<Unanswered>> {
        let log = self.qa_log(actor, days).await?;
        let mut groups: Vec<(String, Unanswered)> = Vec::new();
        for e in log.into_iter().filter(|e| !e.answered) {
            let key: String = e.question.chars().filter(|c| c.is_alphanumeric()).collect();
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, g)) => {
                    g.times += 1;
                    g.last_asked = g.last_asked.max(e.asked_at);
                }
                None => groups.push((key, Unanswered { question: e.question, times: 1, last_asked: e.asked_at })),
            }
        }
        let mut out: Vec<Unanswered> = groups.into_iter().map(|(_, g)| g).collect();
        out.sort_by(|a, b| b.times.cmp(&a.times).then(b.last_asked.cmp(&a.last_asked)));
        Ok(out)
    }
}
