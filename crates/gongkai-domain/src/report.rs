//! Part 三 of the annual report (国办公开办函〔2021〕30号, RULES.md §2.2–2.3): requests
//! received and handled, by applicant type, computed from the cases themselves.

use crate::request::{ApplicantKind, Outcome};
use serde::Serialize;
use time::Date;

/// The 7 numeric columns, in the national order.
pub const COLUMNS: [&str; 7] = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"];

/// What the report needs of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub applicant: ApplicantKind,
    pub received_on: Date,
    /// Date and outcome of the decision, once made.
    pub decided: Option<(Date, Outcome)>,
}

/// One row of the table; `values` is None for a heading row without figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Row {
    pub label: String,
    /// 0 for 一/二/三/四, 1 for （一）…（七）, 2 for the numbered sub-rows.
    pub level: u8,
    pub values: Option<[u64; 7]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Part3 {
    pub year: i32,
    pub columns: [&'static str; 7],
    pub rows: Vec<Row>,
}

fn column(k: ApplicantKind) -> usize {
    match k {
        ApplicantKind::Natural => 0,
        ApplicantKind::Commercial => 1,
        ApplicantKind::Research => 2,
        ApplicantKind::PublicWelfare => 3,
        ApplicantKind::LegalService => 4,
        ApplicantKind::OtherOrg => 5,
    }
}

fn add(v: &mut [u64; 7], k: ApplicantKind) {
    v[column(k)] += 1;
    v[6] += 1;
}

const GROUPS: [&str; 6] =
    ["（一）予以公开", "（二）部分公开", "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"];

/// Computes part 三 for `year`: new this year, carried over from last year, results of
/// decisions made this year by outcome, and carried into next year.
pub fn part3(year: i32, cases: &[Case]) -> Part3 {
    let in_year = |d: Date| d.year() == year;
    let before = |d: Date| d.year() < year;
    let mut new = [0u64; 7];
    let mut carried_in = [0u64; 7];
    let mut carried_out = [0u64; 7];
    let mut by_outcome: Vec<[u64; 7]> = vec![[0; 7]; Outcome::ALL.len()];
    for c in cases {
        if c.received_on.year() > year {
            continue;
        }
        let decided_before = c.decided.is_some_and(|(d, _)| before(d));
        if decided_before {
            continue; // finished in an earlier year
        }
        if in_year(c.received_on) {
            add(&mut new, c.applicant);
        } else {
            add(&mut carried_in, c.applicant);
        }
        match c.decided {
            Some((d, o)) if in_year(d) => {
                let i = Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0);
                add(&mut by_outcome[i], c.applicant);
            }
            _ => add(&mut carried_out, c.applicant),
        }
    }
    let mut total = [0u64; 7];
    for v in &by_outcome {
        for (t, x) in total.iter_mut().zip(v) {
            *t += x;
        }
    }
    let row = |label: &str, level: u8, values: Option<[u64; 7]>| Row { label: label.into(), level, values };
    let mut rows = vec![
        row("一、本年新收政府信息公开申请数量", 0, Some(new)),
        row("二、上年结转政府信息公开申请数量", 0, Some(carried_in)),
        row("三、本年度办理结果", 0, None),
    ];
    for g in GROUPS {
        let members: Vec<(usize, &Outcome)> = Outcome::ALL.iter().enumerate().filter(|(_, o)| o.group() == g).collect();
        if members.len() == 1 {
            // （一）and（二）are rows of their own, with the full label of the format.
            let (i, o) = members[0];
            let label = format!("{}{}", &g[..g.find('）').map(|p| p + '）'.len_utf8()).unwrap_or(0)], o.label());
            rows.push(row(&label, 1, Some(by_outcome[i])));
        } else {
            rows.push(row(g, 1, None));
            for (n, (i, o)) in members.iter().enumerate() {
                rows.push(row(&format!("{}.{}", n + 1, o.label()), 2, Some(by_outcome[*i])));
            }
        }
    }
    rows.push(row("（七）总计", 1, Some(total)));
    rows.push(row("四、结转下年度继续办理", 0, Some(carried_out)));
    Part3 { year, columns: COLUMNS, rows }
}

impl Part3 {
    pub fn values(&self, label_start: &str) -> Option<[u64; 7]> {
        self.rows.iter().find(|r| r.label.starts_with(label_start)).and_then(|r| r.values)
    }

    /// The table's own rule (printed in its header): in every column 一 + 二 = 三（七）+ 四;
    /// also （七） is the sum of the result rows and 总计 the sum of the six columns.
    pub fn check(&self) -> Result<(), String> {
        let get = |l: &str| self.values(l).ok_or_else(|| format!("缺少“{l}”行"));
        let (one, two, seven, four) = (get("一、")?, get("二、")?, get("（七）")?, get("四、")?);
        for c in 0..7 {
            if one[c] + two[c] != seven[c] + four[c] {
                return Err(format!(
                    "“{}”列不平衡：一（{}）+ 二（{}）≠ 三（七）（{}）+ 四（{}）",
                    COLUMNS[c], one[c], two[c], seven[c], four[c]
                ));
            }
        }
        let results: Vec<[u64; 7]> = self
            .rows
            .iter()
            .filter(|r| r.level >= 1 && !r.label.starts_with("（七）"))
            .filter_map(|r| r.values)
            .collect();
        for c in 0..7 {
            let sum: u64 = results.iter().map(|v| v[c]).sum();
            if sum != seven[c] {
                return Err(format!("“{}”列：各办理结果之和（{sum}）≠ 总计（{}）", COLUMNS[c], seven[c]));
            }
        }
        for r in &self.rows {
            if let Some(v) = r.values
                && v[..6].iter().sum::<u64>() != v[6]
            {
                return Err(format!("“{}”行：各类申请人之和 ≠ 总计", r.label));
            }
        }
        Ok(())
    }
}

/// What part 二 needs of one 规章 or 行政规范性文件 (one record per version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub published_on: Date,
    /// When a later version took its place.
    pub superseded_on: Option<Date>,
    /// When the repealing document took effect (was published).
    pub repealed_on: Option<Date>,
    pub expires_on: Option<Date>,
}

/// One row of part 二's first table: 本年制发件数, 本年废止件数, 现行有效件数.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, utoipa::ToSchema)]
pub struct IssuedRow {
    pub issued: u64,
    pub repealed: u64,
    pub in_force: u64,
}

/// Figures of part 二 that the library does not hold, entered by the office.
#[derive(Debug, Clone, PartialEq, Serialize, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EnteredFigures {
    /// 第二十条第（五）项 行政许可: 本年处理决定数量.
    pub licensing: u64,
    /// 第二十条第（六）项 行政处罚, 行政强制.
    pub penalty: u64,
    pub enforcement: u64,
    /// 第二十条第（八）项 行政事业性收费, 万元.
    pub fees_wan_yuan: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Part2 {
    pub rules: IssuedRow,
    pub normative: IssuedRow,
    pub entered: EnteredFigures,
}

/// 本年制发: versions published in the year. 本年废止: repealed or expired in the year (a
/// version replaced by a revision is neither). 现行有效: published by the year's end and, at
/// its end, not replaced, repealed or expired.
pub fn issued_row(year: i32, docs: &[Issued]) -> IssuedRow {
    let end = Date::from_calendar_date(year, time::Month::December, 31).unwrap_or(Date::MAX);
    let by_end = |d: Option<Date>| d.is_some_and(|d| d <= end);
    let mut r = IssuedRow::default();
    for d in docs {
        if d.published_on.year() == year {
            r.issued += 1;
        }
        let repealed_in_year = d.repealed_on.is_some_and(|x| x.year() == year);
        let expired_in_year =
            d.expires_on.is_some_and(|x| x.year() == year) && !by_end(d.repealed_on.filter(|x| x.year() < year));
        if (repealed_in_year || expired_in_year) && !by_end(d.superseded_on.filter(|x| x.year() < year)) {
            r.repealed += 1;
        }
        if d.published_on <= end
            && !by_end(d.superseded_on)
            && !by_end(d.repealed_on)
            && d.expires_on.is_none_or(|x| x > end)
        {
            r.in_force += 1;
        }
    }
    r
}

crate::document::labelled_enum! {
    /// Which table group a review belongs to (RULES.md §2.4).
    ReviewKind {
        Reconsideration = "reconsideration" / "行政复议",
        LitigationDirect = "litigation_direct" / "行政诉讼（未经复议直接起诉）",
        LitigationAfter = "litigation_after" / "行政诉讼（复议后起诉）",
    }
}

crate::document::labelled_enum! {
    ReviewResult {
        Maintained = "maintained" / "结果维持",
        Corrected = "corrected" / "结果纠正",
        Other = "other" / "其他结果",
        Pending = "pending" / "尚未审结",
    }
}

/// A reconsideration or lawsuit over a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub kind: ReviewKind,
    pub filed_on: Date,
    /// Result and the date it was decided; None while pending.
    pub result: Option<(Date, ReviewResult)>,
}

/// Part 四: for each of 行政复议, 未经复议直接起诉, 复议后起诉 — 维持, 纠正, 其他, 尚未审结, 总计.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Part4 {
    pub groups: [&'static str; 3],
    pub columns: [&'static str; 5],
    pub values: [[u64; 5]; 3],
}

/// Reviews filed in `year`, by their result at the year's end.
pub fn part4(year: i32, reviews: &[Review]) -> Part4 {
    let mut values = [[0u64; 5]; 3];
    for r in reviews.iter().filter(|r| r.filed_on.year() == year) {
        let g = ReviewKind::ALL.iter().position(|k| *k == r.kind).unwrap_or(0);
        let col = match r.result {
            Some((d, res)) if d.year() <= year && res != ReviewResult::Pending => {
                ReviewResult::ALL.iter().position(|x| *x == res).unwrap_or(3)
            }
            _ => 3,
        };
        values[g][col] += 1;
        values[g][4] += 1;
    }
    Part4 {
        groups: ["行政复议", "行政诉讼：未经复议直接起诉", "行政诉讼：复议后起诉"],
        columns: ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn case(a: ApplicantKind, received: Date, decided: Option<(Date, Outcome)>) -> Case {
        Case { applicant: a, received_on: received, decided }
    }

    /// A seeded year worked out by hand:
    /// - carried in from 2024: a person's request (decided 2025-01-10, 予以公开) and a law
    ///   firm's (still open at the end of 2025);
    /// - new in 2025: two people (部分公开; 属于国家秘密), a company (本机关不掌握), a
    ///   research institute (重复申请), a charity (逾期不补正) and a person whose request of
    ///   2025-12-28 is still open;
    /// - outside the year: a 2024 request decided in 2024 and a 2026 request.
    #[test]
    fn part_three_matches_the_hand_count() {
        use ApplicantKind::*;
        use Outcome::*;
        let cases = vec![
            case(Natural, date!(2024 - 12 - 20), Some((date!(2025 - 01 - 10), Disclose))),
            case(LegalService, date!(2024 - 12 - 25), None),
            case(Natural, date!(2025 - 03 - 01), Some((date!(2025 - 03 - 20), Partial))),
            case(Natural, date!(2025 - 04 - 01), Some((date!(2025 - 04 - 28), WithholdSecret))),
            case(Commercial, date!(2025 - 05 - 06), Some((date!(2025 - 05 - 30), UnavailableNotHeld))),
            case(Research, date!(2025 - 06 - 02), Some((date!(2025 - 06 - 10), RefuseRepeat))),
            case(PublicWelfare, date!(2025 - 07 - 01), Some((date!(2025 - 08 - 01), OtherNoClarification))),
            case(Natural, date!(2025 - 12 - 28), None),
            case(Natural, date!(2024 - 03 - 01), Some((date!(2024 - 03 - 20), Disclose))),
            case(Commercial, date!(2026 - 01 - 05), None),
        ];
        let t = part3(2025, &cases);
        assert_eq!(t.values("一、"), Some([3, 1, 1, 1, 0, 0, 6]));
        assert_eq!(t.values("二、"), Some([1, 0, 0, 0, 1, 0, 2]));
        assert_eq!(t.values("（一）予以公开"), Some([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(t.values("（二）部分公开（区分处理的"), Some([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(t.values("1.属于国家秘密"), Some([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(t.values("1.本机关不掌握"), Some([0, 1, 0, 0, 0, 0, 1]));
        assert_eq!(t.values("2.重复申请"), Some([0, 0, 1, 0, 0, 0, 1]));
        assert_eq!(t.values("1.申请人无正当理由逾期不补正"), Some([0, 0, 0, 1, 0, 0, 1]));
        assert_eq!(t.values("（七）总计"), Some([3, 1, 1, 1, 0, 0, 6]));
        assert_eq!(t.values("四、"), Some([1, 0, 0, 0, 1, 0, 2]));
        assert_eq!(t.check(), Ok(()));
        // 25 rows with figures and 5 headings (三 and （三）–（六）), as in the national table.
        assert_eq!(t.rows.iter().filter(|r| r.values.is_some()).count(), 25);
        assert_eq!(t.rows.len(), 30);
        assert_eq!(t.rows[3].label, "（一）予以公开");
        assert_eq!(t.rows.last().map(|r| r.label.as_str()), Some("四、结转下年度继续办理"));
    }

    #[test]
    fn part_four_counts_reviews_filed_in_the_year_by_their_result_at_its_end() {
        let r = |kind, filed, result| Review { kind, filed_on: filed, result };
        let t = part4(
            2025,
            &[
                r(
                    ReviewKind::Reconsideration,
                    date!(2025 - 03 - 01),
                    Some((date!(2025 - 05 - 01), ReviewResult::Maintained)),
                ),
                r(
                    ReviewKind::Reconsideration,
                    date!(2025 - 11 - 01),
                    Some((date!(2026 - 01 - 15), ReviewResult::Corrected)),
                ),
                r(
                    ReviewKind::LitigationDirect,
                    date!(2025 - 06 - 01),
                    Some((date!(2025 - 10 - 01), ReviewResult::Corrected)),
                ),
                r(ReviewKind::LitigationAfter, date!(2024 - 06 - 01), None),
            ],
        );
        assert_eq!(t.values[0], [1, 0, 0, 1, 2], "decided in 2026: still pending at the end of 2025");
        assert_eq!(t.values[1], [0, 1, 0, 0, 1]);
        assert_eq!(t.values[2], [0, 0, 0, 0, 0], "filed in 2024");
    }

    #[test]
    fn part_two_counts_issued_repealed_and_in_force_at_the_year_end() {
        let d = |p, s, r, e| Issued { published_on: p, superseded_on: s, repealed_on: r, expires_on: e };
        let docs = [
            d(date!(2025 - 03 - 01), None, None, Some(date!(2030 - 02 - 28))), // new, in force
            d(date!(2021 - 05 - 01), Some(date!(2025 - 06 - 01)), None, None), // replaced by the next
            d(date!(2025 - 06 - 01), None, None, None),                        // the revision
            d(date!(2020 - 01 - 01), None, Some(date!(2025 - 09 - 01)), None), // repealed in 2025
            d(date!(2019 - 01 - 01), None, None, Some(date!(2025 - 12 - 31))), // expired on the last day
            d(date!(2022 - 01 - 01), None, None, None),                        // in force
            d(date!(2026 - 01 - 05), None, None, None),                        // next year
        ];
        assert_eq!(issued_row(2025, &docs), IssuedRow { issued: 2, repealed: 2, in_force: 3 });
    }

    #[test]
    fn an_unbalanced_table_is_caught() {
        let mut t = part3(2025, &[case(ApplicantKind::Natural, date!(2025 - 01 - 02), None)]);
        assert_eq!(t.check(), Ok(()));
        if let Some(r) = t.rows.iter_mut().find(|r| r.label.starts_with("四、")) {
            r.values = Some([0; 7]);
        }
        assert!(t.check().unwrap_err().contains("自然人"));
    }
}
