//! One row per rule of RULES.md §1, and the status, clock and limits derived from steps.

use super::*;
use time::macros::date;

fn cal() -> WorkCalendar {
    WorkCalendar::shipped()
}

const REQ: RequestFacts = RequestFacts { received_on: date!(2025 - 07 - 01), org_id: 7 };

fn input(kind: &str, on: &str) -> StepInput {
    StepInput { kind: kind.into(), on_date: on.into(), ..Default::default() }
}

fn with(kind: &str, on: &str, f: impl FnOnce(&mut StepInput)) -> StepInput {
    let mut i = input(kind, on);
    f(&mut i);
    i
}

fn clarification(on: &str, by: &str) -> StepInput {
    with("clarification", on, |i| {
        i.note = Some("请补充文件的名称或文号".into());
        i.due_by = Some(by.into());
    })
}

fn consultation(on: &str) -> StepInput {
    with("consultation", on, |i| {
        i.party = Some("third_party".into());
        i.note = Some("书面征求某公司意见".into());
    })
}

fn decision(on: &str, outcome: &str) -> StepInput {
    with("decision", on, |i| {
        i.outcome = Some(outcome.into());
        i.basis = Some("《中华人民共和国政府信息公开条例》第三十六条第（二）项".into());
    })
}

fn fee_notice(on: &str) -> StepInput {
    with("fee_notice", on, |i| {
        i.party = Some("per_request".into());
        i.amount = Some(100);
    })
}

fn extension(on: &str, days: u32) -> StepInput {
    with("extension", on, |i| {
        i.days = Some(days);
        i.approver = Some("公开办主任".into());
    })
}

/// Replays `history` (each must pass), then checks `last`.
fn run(history: &[StepInput], last: &StepInput, today: Date) -> Result<RecordedStep, Refusal> {
    let cal = cal();
    let cx = Context { cal: &cal, first: FirstDay::NextDay, today };
    let mut steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
    for h in history {
        let s = check_step(REQ, &steps, h, cx).unwrap_or_else(|e| panic!("history step {h:?}: {e}"));
        steps.push(s);
    }
    check_step(REQ, &steps, last, cx)
}

/// One row per rule of RULES.md §1 (and the workflow's own order): the steps before,
/// the step, and the refusal code expected (None: accepted).
#[test]
fn each_rule_of_the_regulation_refuses_with_its_own_code() {
    let today = date!(2025 - 12 - 31);
    let cases: Vec<(&str, Vec<StepInput>, StepInput, Option<&str>)> = vec![
        ("补正 within 7 working days (第三十条)", vec![], clarification("2025-07-10", "2025-07-25"), None),
        ("补正 after 7 working days", vec![], clarification("2025-07-11", "2025-07-25"), Some("clarification_late")),
        (
            "a second 补正 (一次性告知)",
            vec![clarification("2025-07-02", "2025-07-20"), input("clarified", "2025-07-05")],
            clarification("2025-07-06", "2025-07-25"),
            Some("clarification_twice"),
        ),
        (
            "补正 without the items to correct",
            vec![],
            with("clarification", "2025-07-02", |i| i.due_by = Some("2025-07-20".into())),
            Some("clarification_without_items"),
        ),
        (
            "补正 deadline not after the notice",
            vec![],
            clarification("2025-07-02", "2025-07-02"),
            Some("clarification_deadline_invalid"),
        ),
        ("补正材料 without a notice", vec![], input("clarified", "2025-07-03"), Some("clarified_without_notice")),
        (
            "补正材料 twice",
            vec![clarification("2025-07-02", "2025-07-20"), input("clarified", "2025-07-05")],
            input("clarified", "2025-07-06"),
            Some("clarified_twice"),
        ),
        ("extension of 20 working days (第三十三条)", vec![], extension("2025-07-20", 20), None),
        ("extension over 20 working days", vec![], extension("2025-07-20", 21), Some("extension_over_cap")),
        ("extension of 0 days", vec![], extension("2025-07-20", 0), Some("extension_over_cap")),
        (
            "extension without the head's approval",
            vec![],
            with("extension", "2025-07-20", |i| i.days = Some(10)),
            Some("extension_unapproved"),
        ),
        ("a second extension", vec![extension("2025-07-20", 5)], extension("2025-07-21", 5), Some("extension_twice")),
        ("extension after the reply date passed", vec![], extension("2025-07-30", 5), Some("extension_after_due")),
        (
            "consultation names whom it asks (第三十二条 书面征求)",
            vec![],
            with("consultation", "2025-07-03", |i| i.party = Some("third_party".into())),
            Some("consulted_whom_missing"),
        ),
        (
            "consultation without a party",
            vec![],
            with("consultation", "2025-07-03", |i| i.note = Some("x".into())),
            Some("consulted_party_missing"),
        ),
        (
            "a second consultation while one is open",
            vec![consultation("2025-07-03")],
            consultation("2025-07-04"),
            Some("consultation_open"),
        ),
        (
            "a reply with no open consultation",
            vec![],
            input("consultation_reply", "2025-07-04"),
            Some("no_open_consultation"),
        ),
        (
            "a decision while the consulted party may still answer",
            vec![consultation("2025-07-03")],
            decision("2025-07-10", "disclose"),
            Some("decision_during_consultation"),
        ),
        (
            "a decision without basis",
            vec![],
            with("decision", "2025-07-10", |i| i.outcome = Some("disclose".into())),
            Some("decision_without_basis"),
        ),
        ("a decision without an outcome", vec![], input("decision", "2025-07-10"), Some("outcome_missing")),
        (
            "deemed abandoned with no 补正 notice (第三十条)",
            vec![],
            decision("2025-07-20", "other_no_clarification"),
            Some("abandoned_without_clarification"),
        ),
        (
            "deemed abandoned before the 补正 deadline",
            vec![clarification("2025-07-02", "2025-07-20")],
            decision("2025-07-20", "other_no_clarification"),
            Some("clarification_period_running"),
        ),
        (
            "deemed abandoned after the 补正 deadline",
            vec![clarification("2025-07-02", "2025-07-20")],
            decision("2025-07-21", "other_no_clarification"),
            None,
        ),
        ("a fee notice (第四十二条)", vec![], fee_notice("2025-07-10"), None),
        (
            "a fee notice with no method",
            vec![],
            with("fee_notice", "2025-07-10", |i| i.amount = Some(100)),
            Some("fee_method_missing"),
        ),
        (
            "a fee notice with no amount",
            vec![],
            with("fee_notice", "2025-07-10", |i| i.party = Some("per_page".into())),
            Some("fee_amount_invalid"),
        ),
        ("a second fee notice", vec![fee_notice("2025-07-10")], fee_notice("2025-07-11"), Some("fee_notice_twice")),
        ("a fee notice after the reply date", vec![], fee_notice("2025-07-30"), Some("fee_notice_after_due")),
        ("payment without a notice", vec![], input("fee_paid", "2025-07-10"), Some("fee_paid_without_notice")),
        (
            "deemed abandoned while payment may still come",
            vec![fee_notice("2025-07-10")],
            decision("2025-08-07", "other_unpaid"),
            Some("fee_period_running"),
        ),
        (
            "deemed abandoned after the payment deadline",
            vec![fee_notice("2025-07-10")],
            decision("2025-08-08", "other_unpaid"),
            None,
        ),
        (
            "deemed unpaid with no fee notice",
            vec![],
            decision("2025-07-10", "other_unpaid"),
            Some("abandoned_without_fee_notice"),
        ),
        (
            "a date before the last step",
            vec![extension("2025-07-20", 5)],
            decision("2025-07-19", "disclose"),
            Some("date_out_of_order"),
        ),
        ("a date before receipt", vec![], decision("2025-06-30", "disclose"), Some("date_before_receipt")),
        ("a date in the future", vec![], decision("2026-01-01", "disclose"), Some("date_in_future")),
        ("a date that is not one", vec![], decision("2025-7-1x", "disclose"), Some("invalid_date")),
        (
            "another step after the decision",
            vec![decision("2025-07-10", "disclose")],
            extension("2025-07-11", 5),
            Some("already_decided"),
        ),
        (
            "service after the decision (published name delivery)",
            vec![decision("2025-07-10", "disclose")],
            with("delivery", "2025-07-11", |i| i.note = Some("电子邮件送达".into())),
            None,
        ),
        (
            "service before a decision",
            vec![],
            with("delivery", "2025-07-11", |i| i.note = Some("邮寄".into())),
            Some("service_before_decision"),
        ),
        (
            "service without how",
            vec![decision("2025-07-10", "disclose")],
            input("service", "2025-07-11"),
            Some("service_without_method"),
        ),
        (
            "any step once served",
            vec![decision("2025-07-10", "disclose"), with("delivery", "2025-07-11", |i| i.note = Some("邮寄".into()))],
            with("letter", "2025-07-12", |i| i.note = Some("答".repeat(30))),
            Some("request_closed"),
        ),
        (
            "a letter before the decision",
            vec![],
            with("letter", "2025-07-12", |i| i.note = Some("答".repeat(30))),
            Some("letter_before_decision"),
        ),
        (
            "a letter too short",
            vec![decision("2025-07-10", "disclose")],
            with("letter", "2025-07-12", |i| i.note = Some("答".into())),
            Some("letter_length"),
        ),
        (
            "transfer to the same organisation",
            vec![],
            with("transfer", "2025-07-02", |i| {
                i.to_org_id = Some(7);
                i.note = Some("x".into())
            }),
            Some("transfer_to_self"),
        ),
        (
            "transfer without a reason",
            vec![],
            with("transfer", "2025-07-02", |i| i.to_org_id = Some(8)),
            Some("transfer_without_reason"),
        ),
        ("assign without a person", vec![], input("assign", "2025-07-02"), Some("assignee_missing")),
        (
            "joint review without its organisation",
            vec![],
            with("joint_review", "2025-07-02", |i| i.note = Some("同意".into())),
            Some("joint_review_incomplete"),
        ),
        ("an unknown kind", vec![], input("approve", "2025-07-02"), Some("unknown_step")),
        ("received typed by hand", vec![], input("received", "2025-07-02"), Some("received_by_hand")),
    ];
    for (rule, history, last, expected) in cases {
        let got = run(&history, &last, today);
        assert_eq!(got.as_ref().err().map(Refusal::code), expected, "{rule}: {got:?}");
    }
}

#[test]
fn status_follows_the_steps() {
    let today = date!(2025 - 12 - 31);
    let cal = cal();
    let cx = Context { cal: &cal, first: FirstDay::NextDay, today };
    let mut steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
    let mut push = |i: StepInput| {
        let s = check_step(REQ, &steps, &i, cx).unwrap();
        steps.push(s);
        status_of(&steps).code()
    };
    assert_eq!(push(clarification("2025-07-02", "2025-07-20")), "clarifying");
    assert_eq!(push(input("clarified", "2025-07-05")), "received");
    assert_eq!(push(consultation("2025-07-07")), "consulting");
    assert_eq!(push(input("consultation_reply", "2025-07-10")), "received");
    assert_eq!(push(fee_notice("2025-07-11")), "fee_pending");
    assert_eq!(push(input("fee_paid", "2025-07-14")), "received");
    assert_eq!(push(decision("2025-07-20", "disclose")), "decided");
    assert_eq!(push(with("delivery", "2025-07-21", |i| i.note = Some("邮寄".into()))), "closed");
}

/// 第三十条: the 20 days run from the clarified request; 第三十三条: the consultation does
/// not count. Received 07-01 (Tue), 补正 out 07-02, back 07-07 (Mon): day 1 is 07-08 and
/// day 20 is 08-04; a consultation from 07-09 to 07-11 (3 working days) moves it to 08-07.
#[test]
fn the_reply_date_restarts_after_clarification_and_skips_the_consultation() {
    let cal = cal();
    let cx = Context { cal: &cal, first: FirstDay::NextDay, today: date!(2025 - 12 - 31) };
    let mut steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
    for i in [clarification("2025-07-02", "2025-07-20"), input("clarified", "2025-07-07")] {
        let s = check_step(REQ, &steps, &i, cx).unwrap();
        steps.push(s);
    }
    let due = |s: &[RecordedStep]| reply_due(&cal, FirstDay::NextDay, REQ.received_on, s).unwrap().map(|d| d.due);
    assert_eq!(due(&steps), Some(date!(2025 - 08 - 04)));
    for i in [consultation("2025-07-09"), input("consultation_reply", "2025-07-11")] {
        let s = check_step(REQ, &steps, &i, cx).unwrap();
        steps.push(s);
    }
    assert_eq!(due(&steps), Some(date!(2025 - 08 - 07)));
}

#[test]
fn stored_steps_read_back_as_they_were_written() {
    let cal = cal();
    let cx = Context { cal: &cal, first: FirstDay::NextDay, today: date!(2025 - 12 - 31) };
    let steps = vec![RecordedStep { on: REQ.received_on, note: String::new(), step: Step::Received }];
    for i in [fee_notice("2025-07-10"), extension("2025-07-10", 5), consultation("2025-07-10")] {
        let s = check_step(REQ, &steps, &i, cx).unwrap();
        let back = RecordedStep::from_facts(s.kind().code(), s.on, s.note.clone(), s.facts()).unwrap();
        assert_eq!(back, s);
    }
    assert_eq!(StepKind::parse_any("consultation"), Some(StepKind::ThirdPartyConsultation));
    assert_eq!(StepKind::ThirdPartyConsultation.published(), "consultation");
    assert_eq!(StepKind::parse_any("delivery"), Some(StepKind::Service));
}
