//! The national annual report (国办公开办函〔2021〕30号): parts 二, 三 and 四 from the library
//! and the cases, with .docx and .xlsx exports.

use super::*;
use crate::office::{Block, docx};

/// The annual report's part 三, computed from the cases.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnnualReport {
    pub year: i32,
    /// The organisation reported on; None for the whole district.
    pub org_id: Option<i64>,
    pub part2: gongkai_domain::report::Part2,
    pub part3: gongkai_domain::report::Part3,
    pub part4: gongkai_domain::report::Part4,
}

impl App {
    /// Part 三 for `year`, for one organisation or (district office only) for all. The
    /// table is checked against its own rule before it is returned.
    pub async fn annual_report(&self, actor: &Actor, year: i32, org_id: Option<i64>) -> Result<AnnualReport> {
        if !(2008..=2100).contains(&year) {
            return Err(AppError::field("year", "年份应为四位数字"));
        }
        let org_id = match org_id {
            None if actor.role.is_district_wide() => None,
            None => Some(actor.org_id),
            Some(o) if actor.may_see_org(o) => Some(o),
            Some(_) => return Err(AppError::Forbidden("只能查看本机关的年度报告".into())),
        };
        let conn = self.store.conn();
        let mut q = info_request::Entity::find();
        if let Some(o) = org_id {
            q = q.filter(info_request::Column::OrgId.eq(o));
        }
        let requests = q.all(conn).await?;
        let decisions =
            request_step::Entity::find().filter(request_step::Column::Kind.eq("decision")).all(conn).await?;
        let mut cases = Vec::new();
        for m in &requests {
            let applicant = gongkai_domain::request::ApplicantKind::parse(&m.applicant_kind)
                .ok_or_else(|| AppError::Internal(format!("request {}: applicant kind {}", m.id, m.applicant_kind)))?;
            let decided = decisions
                .iter()
                .find(|e| e.request_id == m.id)
                .and_then(|e| e.outcome.as_deref().and_then(Outcome::parse).map(|o| (e.on_date, o)));
            cases.push(gongkai_domain::report::Case { applicant, received_on: m.received_on, decided });
        }
        let part3 = gongkai_domain::report::part3(year, &cases);
        part3.check().map_err(|e| AppError::Internal(format!("annual report does not balance: {e}")))?;
        let ids: Vec<i64> = requests.iter().map(|r| r.id).collect();
        let reviews = request_review::Entity::find()
            .filter(request_review::Column::RequestId.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|r| {
                use gongkai_domain::report::{Review, ReviewKind, ReviewResult};
                let kind = ReviewKind::parse(&r.kind)?;
                let result = ReviewResult::parse(&r.result)?;
                Some(Review { kind, filed_on: r.filed_on, result: r.decided_on.map(|d| (d, result)) })
            })
            .collect::<Vec<_>>();
        let part4 = gongkai_domain::report::part4(year, &reviews);
        let part2 = self.report_part2(year, org_id).await?;
        Ok(AnnualReport { year, org_id, part2, part3, part4 })
    }
}

impl AnnualReport {
    /// The report's tables as rows of text: (sheet name, rows).
    pub fn tables(&self) -> Vec<(&'static str, Vec<Vec<String>>)> {
        let n = |v: u64| v.to_string();
        let p2 = &self.part2;
        let two = vec![
            vec!["第二十条第（一）项".into(), "".into(), "".into(), "".into()],
            vec!["信息内容".into(), "本年制发件数".into(), "本年废止件数".into(), "现行有效件数".into()],
            vec!["规章".into(), n(p2.rules.issued), n(p2.rules.repealed), n(p2.rules.in_force)],
            vec!["行政规范性文件".into(), n(p2.normative.issued), n(p2.normative.repealed), n(p2.normative.in_force)],
            vec!["第二十条第（五）项".into(), "本年处理决定数量".into()],
            vec!["行政许可".into(), n(p2.entered.licensing)],
            vec!["第二十条第（六）项".into(), "本年处理决定数量".into()],
            vec!["行政处罚".into(), n(p2.entered.penalty)],
            vec!["行政强制".into(), n(p2.entered.enforcement)],
            vec!["第二十条第（八）项".into(), "本年收费金额（单位：万元）".into()],
            vec!["行政事业性收费".into(), format!("{}", p2.entered.fees_wan_yuan)],
        ];
        let mut three = vec![{
            let mut h = vec!["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）".to_string()];
            h.extend(self.part3.columns.iter().map(|c| c.to_string()));
            h
        }];
        for r in &self.part3.rows {
            let mut row = vec![format!("{}{}", "  ".repeat(r.level as usize), r.label)];
            if let Some(v) = r.values {
                row.extend(v.iter().map(|x| n(*x)));
            }
            three.push(row);
        }
        let mut four = vec![{
            let mut h = vec![String::new()];
            h.extend(self.part4.columns.iter().map(|c| c.to_string()));
            h
        }];
        for (g, v) in self.part4.groups.iter().zip(self.part4.values.iter()) {
            let mut row = vec![g.to_string()];
            row.extend(v.iter().map(|x| n(*x)));
            four.push(row);
        }
        vec![
            ("二、主动公开政府信息情况", two),
            ("三、收到和处理政府信息公开申请情况", three),
            ("四、政府信息公开行政复议、行政诉讼情况", four),
        ]
    }

    pub fn docx(&self) -> Result<Vec<u8>> {
        let mut blocks = vec![Block::Title(format!("{}年政府信息公开工作年度报告（统计表）", self.year))];
        for (name, rows) in self.tables() {
            blocks.push(Block::Heading(name.to_string()));
            blocks.push(Block::Table(rows));
        }
        docx(&blocks)
    }

    /// The three tables as a workbook laid out like the national form (国办公开办函〔2021〕30号
    /// format): part 三 with its two-level header (自然人 | 法人或其他组织 over five kinds |
    /// 总计), part 四 with 行政复议 and the two kinds of 行政诉讼 over their five columns each;
    /// numbers as numbers.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
        let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
        let head = Format::new()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap()
            .set_border(FormatBorder::Thin);
        let cell = Format::new().set_border(FormatBorder::Thin);
        let mut book = Workbook::new();
        let tables = self.tables();

        // 二: as the form prints it, a heading row before each item.
        let two = book.add_worksheet().set_name("二、主动公开政府信息情况").map_err(fail)?;
        two.set_column_width(0, 28).map_err(fail)?;
        for c in 1..4 {
            two.set_column_width(c, 16).map_err(fail)?;
        }
        for (r, row) in tables[0].1.iter().enumerate() {
            let heading = row.first().is_some_and(|v| v.starts_with("第二十条")) || r == 1;
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v.parse::<f64>() {
                    Ok(n) if !heading => two.write_number_with_format(r, c, n, &cell),
                    _ => two.write_string_with_format(r, c, v, if heading { &head } else { &cell }),
                }
                .map_err(fail)?;
            }
        }

        // 三: rows of the 30 result lines under a two-level header.
        let p3 = &self.part3;
        let three = book.add_worksheet().set_name("三、收到和处理政府信息公开申请情况").map_err(fail)?;
        three.set_column_width(0, 46).map_err(fail)?;
        for c in 1..=7 {
            three.set_column_width(c, 11).map_err(fail)?;
        }
        three
            .merge_range(0, 0, 2, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", &head)
            .map_err(fail)?;
        three.merge_range(0, 1, 0, 7, "申请人情况", &head).map_err(fail)?;
        three.merge_range(1, 1, 2, 1, p3.columns[0], &head).map_err(fail)?;
        three.merge_range(1, 2, 1, 6, "法人或其他组织", &head).map_err(fail)?;
        three.merge_range(1, 7, 2, 7, p3.columns[6], &head).map_err(fail)?;
        for (i, name) in p3.columns[1..6].iter().enumerate() {
            three.write_string_with_format(2, 2 + i as u16, *name, &head).map_err(fail)?;
        }
        for (i, row) in p3.rows.iter().enumerate() {
            let r = 3 + i as u32;
            let label = Format::new().set_border(FormatBorder::Thin).set_indent(row.level);
            three.write_string_with_format(r, 0, &row.label, &label).map_err(fail)?;
            match row.values {
                Some(v) => {
                    for (c, x) in v.iter().enumerate() {
                        three.write_number_with_format(r, 1 + c as u16, *x as f64, &cell).map_err(fail)?;
                    }
                }
                // A heading line of the form (一、…): merged across the numbers, left blank.
                None => three.merge_range(r, 1, r, 7, "", &cell).map(|_| ()).map_err(fail)?,
            }
        }

        // 四: one row, three groups of five.
        let p4 = &self.part4;
        let four = book.add_worksheet().set_name("四、行政复议、行政诉讼情况").map_err(fail)?;
        for (g, group) in p4.groups.iter().enumerate() {
            let first = (g * 5) as u16;
            four.merge_range(0, first, 0, first + 4, group, &head).map_err(fail)?;
            for (c, name) in p4.columns.iter().enumerate() {
                four.set_column_width(first + c as u16, 10).map_err(fail)?;
                four.write_string_with_format(1, first + c as u16, *name, &head).map_err(fail)?;
            }
            for (c, x) in p4.values[g].iter().enumerate() {
                four.write_number_with_format(2, first + c as u16, *x as f64, &cell).map_err(fail)?;
            }
        }
        book.save_to_buffer().map_err(fail)
    }
}

/// id, category, published_on, superseded_by, repealed_by, expires_on
type DocDates = (i64, String, Option<Date>, Option<i64>, Option<i64>, Option<Date>);

impl App {
    /// Part 二: 规章 and 行政规范性文件 counted from the library, the rest as entered.
    async fn report_part2(&self, year: i32, org_id: Option<i64>) -> Result<gongkai_domain::report::Part2> {
        use gongkai_domain::report::{Issued, issued_row};
        let conn = self.store.conn();
        let mut q =
            document::Entity::find().filter(document::Column::Status.eq(gongkai_domain::Status::Published.code()));
        if let Some(o) = org_id {
            q = q.filter(document::Column::OrgId.eq(o));
        }
        let docs: Vec<DocDates> = q
            .select_only()
            .column(document::Column::Id)
            .column(document::Column::Category)
            .column(document::Column::PublishedOn)
            .column(document::Column::SupersededBy)
            .column(document::Column::RepealedBy)
            .column(document::Column::ExpiresOn)
            .into_tuple()
            .all(conn)
            .await?;
        // Dates of the documents that replaced or repealed others.
        let refs: Vec<i64> = docs.iter().flat_map(|d| [d.3, d.4]).flatten().collect();
        let dates: std::collections::HashMap<i64, Option<Date>> = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .column(document::Column::PublishedOn)
            .filter(document::Column::Id.is_in(refs))
            .into_tuple::<(i64, Option<Date>)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let date_of = |id: Option<i64>| id.and_then(|i| dates.get(&i).copied().flatten());
        let of = |cat: &str| -> Vec<Issued> {
            docs.iter()
                .filter(|d| d.1 == cat)
                .filter_map(|d| {
                    Some(Issued {
                        published_on: d.2?,
                        superseded_on: date_of(d.3),
                        repealed_on: date_of(d.4),
                        expires_on: d.5,
                    })
                })
                .collect()
        };
        let entered = report_figure::Entity::find()
            .filter(report_figure::Column::Year.eq(year))
            .filter(report_figure::Column::OrgId.eq(org_id.unwrap_or(0)))
            .one(conn)
            .await?
            .and_then(|f| serde_json::from_str(&f.figures).ok())
            .unwrap_or_default();
        Ok(gongkai_domain::report::Part2 {
            rules: issued_row(year, &of(gongkai_domain::Category::Rules.code())),
            normative: issued_row(year, &of(gongkai_domain::Category::Normative.code())),
            entered,
        })
    }

    /// The part 二 figures the library does not hold (行政许可, 行政处罚, 行政强制, 收费).
    pub async fn enter_report_figures(
        &self,
        actor: &Actor,
        year: i32,
        org_id: Option<i64>,
        figures: gongkai_domain::report::EnteredFigures,
    ) -> Result<()> {
        if !(2008..=2100).contains(&year) {
            return Err(AppError::field("year", "年份应为四位数字"));
        }
        let org_id = match org_id {
            None if actor.role.is_district_wide() => 0,
            Some(o) if actor.may_see_org(o) => o,
            _ => return Err(AppError::Forbidden("只能填报本机关的年度报告数据".into())),
        };
        if !figures.fees_wan_yuan.is_finite() || !(0.0..=1e7).contains(&figures.fees_wan_yuan) {
            return Err(AppError::field("fees_wan_yuan", "收费金额应为0至10000000之间的数字（万元）"));
        }
        let json = serde_json::to_string(&figures).map_err(|e| AppError::Internal(e.to_string()))?;
        let tx = self.store.begin_write().await?;
        let existing = report_figure::Entity::find()
            .filter(report_figure::Column::Year.eq(year))
            .filter(report_figure::Column::OrgId.eq(org_id))
            .one(&*tx)
            .await?;
        let before = existing.as_ref().map(|e| serde_json::Value::String(e.figures.clone()));
        match existing {
            Some(e) => {
                let mut am: report_figure::ActiveModel = e.into();
                am.figures = Set(json.clone());
                am.updated_at = Set(self.now());
                am.update(&*tx).await?;
            }
            None => {
                report_figure::ActiveModel {
                    year: Set(year),
                    org_id: Set(org_id),
                    figures: Set(json.clone()),
                    updated_at: Set(self.now()),
                    ..Default::default()
                }
                .insert(&*tx)
                .await?;
            }
        }
        self.audit(&*tx, actor, "report.figures", "report_figure", None, before, Some(serde_json::Value::String(json)))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> String {
        let mut s = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name}")).read_to_string(&mut s).unwrap();
        s
    }

    /// The workbook is laid out as the national form: named sheets, the two-level headers
    /// merged, figures as numbers.
    #[test]
    fn the_workbook_has_the_forms_merged_headers_and_numbers() {
        let case = gongkai_domain::report::Case {
            applicant: gongkai_domain::request::ApplicantKind::Natural,
            received_on: time::macros::date!(2025 - 03 - 01),
            decided: None,
        };
        let r = AnnualReport {
            year: 2025,
            org_id: None,
            part2: gongkai_domain::report::Part2 {
                rules: Default::default(),
                normative: Default::default(),
                entered: Default::default(),
            },
            part3: gongkai_domain::report::part3(2025, &[case]),
            part4: gongkai_domain::report::part4(2025, &[]),
        };
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.xlsx().unwrap())).unwrap();
        let book = part(&mut zip, "xl/workbook.xml");
        for name in ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、行政复议、行政诉讼情况"]
        {
            assert!(book.contains(name), "sheet {name}: {book}");
        }
        let three = part(&mut zip, "xl/worksheets/sheet2.xml");
        for merged in ["A1:A3", "B1:H1", "B2:B3", "C2:G2", "H2:H3"] {
            assert!(three.contains(&format!("ref=\"{merged}\"")), "part 三 merges {merged}");
        }
        // The one request is counted as a number under 自然人, not as text.
        assert!(three.contains("<v>1</v>"), "numbers are numbers");
        let four = part(&mut zip, "xl/worksheets/sheet3.xml");
        for merged in ["A1:E1", "F1:J1", "K1:O1"] {
            assert!(four.contains(&format!("ref=\"{merged}\"")), "part 四 merges {merged}");
        }
        let strings = part(&mut zip, "xl/sharedStrings.xml");
        assert!(strings.contains("法人或其他组织") && strings.contains("行政诉讼：复议后起诉"));
    }
}
