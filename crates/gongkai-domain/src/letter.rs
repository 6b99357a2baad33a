//! Reply letters (答复书 / 告知书) drafted from the decision: the title and wording follow
//! the outcome, the legal basis is cited, and the remedies are stated. Staff edit the draft
//! before it is sent.

use crate::request::Outcome;
use time::Date;

pub struct LetterContext<'a> {
    pub org_name: &'a str,
    pub tracking_no: &'a str,
    pub applicant: &'a str,
    pub received_on: Date,
    pub description: &'a str,
    pub outcome: Outcome,
    pub basis: &'a str,
    pub decided_on: Date,
}

fn cn_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// The title: a 答复书 when information is given or withheld on the merits, a 告知书
/// otherwise.
pub fn title(o: Outcome) -> &'static str {
    match o.group() {
        "（一）予以公开" | "（二）部分公开" | "（三）不予公开" => "政府信息公开申请答复书",
        _ => "政府信息公开申请告知书",
    }
}

/// The draft, one paragraph per line.
pub fn draft(c: &LetterContext) -> String {
    use Outcome::*;
    let body = match c.outcome {
        Disclose => format!(
            "经审查，您申请公开的政府信息属于公开范围。根据{}的规定，现予以公开，相关信息随本答复书一并提供。",
            c.basis
        ),
        Partial => format!(
            "经审查，您申请公开的政府信息中部分内容属于不予公开的范围，且能够作区分处理。根据{}的规定，现向您提供可以公开的部分，对不予公开的部分说明理由如下：（请填写）。",
            c.basis
        ),
        o if o.group() == "（三）不予公开" => format!(
            "经审查，您申请公开的政府信息{}。根据{}的规定，本机关决定不予公开。理由如下：（请填写）。",
            o.label(),
            c.basis
        ),
        UnavailableNotHeld => format!(
            "经检索，本机关未制作或获取您申请公开的政府信息，该政府信息不存在。根据{}的规定，特此告知。",
            c.basis
        ),
        UnavailableNeedsMaking => format!(
            "经审查，您申请公开的政府信息需要本机关对现有政府信息进行加工、分析，没有现成信息。根据{}的规定，本机关可以不予提供。",
            c.basis
        ),
        UnavailableUnclear => {
            format!("经补正，您的申请内容仍不明确，本机关无法确定所需的政府信息。根据{}的规定，特此告知。", c.basis)
        }
        o if o.group() == "（五）不予处理" => {
            format!("经审查，您的申请属于“{}”的情形。根据{}的规定，本机关不予处理。", o.label(), c.basis)
        }
        o => format!("经审查，{}。根据{}的规定，特此告知。", o.label(), c.basis),
    };
    [
        title(c.outcome).to_string(),
        format!("编号：{}", c.tracking_no),
        format!("{}：", c.applicant),
        format!("本机关于{}收到您提出的政府信息公开申请，您申请公开“{}”。", cn_date(c.received_on), c.description),
        body,
        "如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者自收到本答复之日起六个月内依法提起行政诉讼。".into(),
        c.org_name.to_string(),
        cn_date(c.decided_on),
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ctx(outcome: Outcome, basis: &'static str) -> LetterContext<'static> {
        LetterContext {
            org_name: "济南市莱芜区人民政府办公室",
            tracking_no: "YSQ2025000001",
            applicant: "张三",
            received_on: date!(2025 - 07 - 01),
            description: "2024年老旧小区改造项目清单",
            outcome,
            basis,
            decided_on: date!(2025 - 07 - 29),
        }
    }

    #[test]
    fn the_draft_follows_the_outcome_and_cites_the_basis() {
        let d = draft(&ctx(Outcome::WithholdSecret, "《中华人民共和国政府信息公开条例》第十四条"));
        assert!(d.starts_with("政府信息公开申请答复书"));
        assert!(d.contains("属于国家秘密") && d.contains("第十四条") && d.contains("不予公开"), "{d}");
        assert!(d.contains("2025年7月1日") && d.ends_with("2025年7月29日"), "{d}");
        let d = draft(&ctx(Outcome::UnavailableNotHeld, "《中华人民共和国政府信息公开条例》第三十六条第（四）项"));
        assert!(
            d.starts_with("政府信息公开申请告知书") && d.contains("第三十六条第（四）项") && d.contains("不存在"),
            "{d}"
        );
        let d = draft(&ctx(Outcome::RefuseRepeat, "第三十六条第（六）项"));
        assert!(d.contains("“重复申请”") && d.contains("不予处理") && d.contains("六十日内"), "{d}");
    }
}
