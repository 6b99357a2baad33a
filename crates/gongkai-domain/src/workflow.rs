//! Publishing workflow: draft → submitted → reviewed (1–3 levels) → published → withdrawn.

use crate::document::labelled_enum;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Where a document (or interpretation) is in its life.
    Status {
        Draft = "draft" / "草稿",
        Submitted = "submitted" / "待审核",
        Approved = "approved" / "已审核待发布",
        Scheduled = "scheduled" / "定时发布",
        Published = "published" / "已发布",
        Withdrawn = "withdrawn" / "已撤回",
    }
}

impl Status {
    /// Visible to the public.
    pub fn is_public(self) -> bool {
        self == Status::Published
    }
    /// Content may still be edited.
    pub fn is_editable(self) -> bool {
        self == Status::Draft
    }
}

/// Names of the review levels for an organisation that requires `levels` of them.
pub fn review_level_names(levels: u8) -> &'static [&'static str] {
    match levels {
        0 | 1 => &["终审"],
        2 => &["初审", "终审"],
        _ => &["初审", "复审", "终审"],
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Submit,
    /// Passes the next review level.
    Approve,
    /// Sends back to the drafter.
    Reject {
        reason: String,
    },
    /// Publishes now, or schedules when `at_future` is true.
    Publish {
        at_future: bool,
    },
    /// A scheduled document whose time has come.
    Release,
    Withdraw {
        reason: String,
    },
}

/// The state a document's workflow is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkflowState {
    pub status: Status,
    /// Review levels passed so far.
    pub reviews_passed: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("当前状态“{from}”下不能执行“{action}”")]
    NotAllowed { from: &'static str, action: &'static str },
    #[error("请填写{0}的原因")]
    ReasonRequired(&'static str),
    #[error("不能审核自己起草的内容（四眼原则）：请由本机构的另一位审核人审核")]
    OwnDraft,
    #[error("您已通过上一级审核；每一级审核须由不同的人通过（四眼原则）")]
    SameReviewer,
}

/// The four-eyes rule: the next review level is passed by someone who neither drafted the
/// text nor passed an earlier level of this round. `None` is the command line, which
/// acts for the administrator and is audited as such.
pub fn check_reviewer(drafter: Option<i64>, earlier: &[i64], reviewer: Option<i64>) -> Result<(), WorkflowError> {
    let Some(r) = reviewer else { return Ok(()) };
    if drafter == Some(r) {
        return Err(WorkflowError::OwnDraft);
    }
    if earlier.contains(&r) {
        return Err(WorkflowError::SameReviewer);
    }
    Ok(())
}

/// The reviewers of this round as stored (`"3,7"`).
pub fn parse_reviewers(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

pub fn join_reviewers(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

impl Action {
    pub fn label(&self) -> &'static str {
        match self {
            Action::Submit => "提交审核",
            Action::Approve => "审核通过",
            Action::Reject { .. } => "退回修改",
            Action::Publish { at_future: false } => "发布",
            Action::Publish { at_future: true } => "定时发布",
            Action::Release => "到时发布",
            Action::Withdraw { .. } => "撤回",
        }
    }
}

impl WorkflowState {
    pub const DRAFT: WorkflowState = WorkflowState { status: Status::Draft, reviews_passed: 0 };

    /// The next state, or why the action is not allowed. `levels` is the number of review
    /// levels the organisation requires (1–3).
    pub fn apply(self, action: &Action, levels: u8) -> Result<WorkflowState, WorkflowError> {
        let levels = levels.clamp(1, 3);
        let deny = || WorkflowError::NotAllowed { from: self.status.label(), action: action.label() };
        use Status::*;
        let next = match (self.status, action) {
            (Draft, Action::Submit) => WorkflowState { status: Submitted, reviews_passed: 0 },
            (Submitted, Action::Approve) => {
                let passed = self.reviews_passed + 1;
                let status = if passed >= levels { Approved } else { Submitted };
                WorkflowState { status, reviews_passed: passed }
            }
            (Submitted | Approved | Scheduled, Action::Reject { reason }) => {
                if reason.trim().is_empty() {
                    return Err(WorkflowError::ReasonRequired("退回"));
                }
                WorkflowState::DRAFT
            }
            (Approved, Action::Publish { at_future }) => {
                WorkflowState { status: if *at_future { Scheduled } else { Published }, ..self }
            }
            (Scheduled, Action::Release) => WorkflowState { status: Published, ..self },
            (Published | Scheduled, Action::Withdraw { reason }) => {
                if reason.trim().is_empty() {
                    return Err(WorkflowError::ReasonRequired("撤回"));
                }
                WorkflowState { status: Withdrawn, ..self }
            }
            _ => return Err(deny()),
        };
        Ok(next)
    }

    /// Name of the review level the next approval passes (初审/复审/终审).
    pub fn next_review_name(self, levels: u8) -> Option<&'static str> {
        (self.status == Status::Submitted).then(|| {
            let names = review_level_names(levels.clamp(1, 3));
            names[(self.reviews_passed as usize).min(names.len() - 1)]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_level_review_then_publish_and_withdraw() {
        let s = WorkflowState::DRAFT.apply(&Action::Submit, 3).unwrap();
        assert_eq!(s.next_review_name(3), Some("初审"));
        let s = s.apply(&Action::Approve, 3).unwrap();
        assert_eq!((s.status, s.next_review_name(3)), (Status::Submitted, Some("复审")));
        let s = s.apply(&Action::Approve, 3).unwrap();
        assert_eq!(s.next_review_name(3), Some("终审"));
        let s = s.apply(&Action::Approve, 3).unwrap();
        assert_eq!(s.status, Status::Approved);
        let p = s.apply(&Action::Publish { at_future: false }, 3).unwrap();
        assert_eq!(p.status, Status::Published);
        assert!(matches!(p.apply(&Action::Withdraw { reason: " ".into() }, 3), Err(WorkflowError::ReasonRequired(_))));
        assert_eq!(p.apply(&Action::Withdraw { reason: "内容有误".into() }, 3).unwrap().status, Status::Withdrawn);
    }

    #[test]
    fn one_level_and_scheduling() {
        let s = WorkflowState::DRAFT.apply(&Action::Submit, 1).unwrap().apply(&Action::Approve, 1).unwrap();
        assert_eq!(s.status, Status::Approved);
        let s = s.apply(&Action::Publish { at_future: true }, 1).unwrap();
        assert_eq!(s.status, Status::Scheduled);
        assert_eq!(s.apply(&Action::Release, 1).unwrap().status, Status::Published);
    }

    #[test]
    fn four_eyes_no_one_approves_their_own_draft_or_two_levels() {
        let drafter = Some(1);
        type Case<'a> = (&'a [i64], Option<i64>, Result<(), WorkflowError>);
        let cases: &[Case] = &[
            (&[], Some(1), Err(WorkflowError::OwnDraft)),
            (&[], Some(2), Ok(())),
            (&[2], Some(2), Err(WorkflowError::SameReviewer)),
            (&[2], Some(3), Ok(())),
            (&[2, 3], Some(1), Err(WorkflowError::OwnDraft)),
            (&[2], None, Ok(())),
        ];
        for (earlier, reviewer, want) in cases {
            assert_eq!(check_reviewer(drafter, earlier, *reviewer), *want, "{earlier:?} {reviewer:?}");
        }
        assert_eq!(parse_reviewers(&join_reviewers(&[2, 13])), vec![2, 13]);
        assert!(parse_reviewers("").is_empty());
    }

    #[test]
    fn illegal_moves_are_refused() {
        let e = WorkflowState::DRAFT.apply(&Action::Publish { at_future: false }, 1).unwrap_err();
        assert_eq!(e.to_string(), "当前状态“草稿”下不能执行“发布”");
        assert!(WorkflowState::DRAFT.apply(&Action::Approve, 1).is_err());
        let sub = WorkflowState::DRAFT.apply(&Action::Submit, 2).unwrap();
        assert_eq!(sub.apply(&Action::Reject { reason: "补充依据".into() }, 2).unwrap(), WorkflowState::DRAFT);
    }
}
