//! 信息处理费 (《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号, RULES.md §1.4):
//! charged per request (按件) or per page (按量), on the excess only, rising by bands; one
//! standard per request, never both. Amounts are whole yuan.

use serde::Serialize;

/// One band of a calculation: how many units fell in it, at what rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Band {
    pub from: u32,
    pub to: Option<u32>,
    pub units: u32,
    pub yuan_per_unit: u32,
    pub yuan: u32,
}

/// A fee and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Fee {
    pub basis: &'static str,
    pub bands: Vec<Band>,
    pub total_yuan: u32,
}

impl Fee {
    /// The calculation in words, for the fee notice (收费通知须写明依据、标准、数额).
    pub fn explain(&self) -> String {
        let mut parts: Vec<String> = self
            .bands
            .iter()
            .filter(|b| b.units > 0)
            .map(|b| {
                let range = match b.to {
                    Some(t) => format!("第{}至{}", b.from, t),
                    None => format!("第{}起", b.from),
                };
                format!("{range}：{}×{}元={}元", b.units, b.yuan_per_unit, b.yuan)
            })
            .collect();
        if parts.is_empty() {
            parts.push("未超过免费额度".into());
        }
        format!("{}：{}；合计{}元", self.basis, parts.join("；"), self.total_yuan)
    }
}

fn charge(basis: &'static str, units: u32, bands: &[(u32, Option<u32>, u32)]) -> Fee {
    let mut out = Vec::new();
    let mut total = 0;
    for &(from, to, rate) in bands {
        let upper = to.unwrap_or(u32::MAX).min(units);
        let n = if units >= from { upper - from + 1 } else { 0 };
        out.push(Band { from, to, units: n, yuan_per_unit: rate, yuan: n * rate });
        total += n * rate;
    }
    Fee { basis, bands: out, total_yuan: total }
}

/// 按件: the applicant's requests in one calendar month, counting this one as `nth`. Up to
/// 10 free; 11–30 at 100 元; then each further band of 10 costs 100 元 more per 件.
/// Returns the fee for this request alone (the bands show where it fell).
pub fn per_request(nth_this_month: u32) -> Fee {
    let rate = match nth_this_month {
        0..=10 => 0,
        11..=30 => 100,
        n => 100 * (2 + (n - 31) / 10),
    };
    let (from, to) = match nth_this_month {
        0..=10 => (1, Some(10)),
        11..=30 => (11, Some(30)),
        n => {
            let band = (n - 31) / 10;
            (31 + band * 10, Some(40 + band * 10))
        }
    };
    Fee {
        basis: "按件计收（同一申请人一个自然月内累计）",
        bands: vec![Band { from, to, units: 1, yuan_per_unit: rate, yuan: rate }],
        total_yuan: rate,
    }
}

/// 按量: pages of one request. Up to 30 free; 31–100 at 10 元; 101–200 at 20 元; from
/// 201 at 40 元 (◐ RULES.md §1.4: from the published summary).
pub fn per_page(pages: u32) -> Fee {
    charge("按量计收（按页）", pages, &[(31, Some(100), 10), (101, Some(200), 20), (201, None, 40)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_request_tiers_per_applicant_per_month() {
        let rate = |n: u32| per_request(n).total_yuan;
        assert_eq!([rate(1), rate(10)], [0, 0], "the first 10 件 are free");
        assert_eq!([rate(11), rate(30)], [100, 100]);
        assert_eq!([rate(31), rate(40)], [200, 200], "each further band of 10 adds 100 元");
        assert_eq!([rate(41), rate(50), rate(51)], [300, 300, 400]);
        // A month of 35 requests in all: 20 × 100 + 5 × 200.
        assert_eq!((1..=35).map(rate).sum::<u32>(), 3_000);
        assert!(per_request(12).explain().contains("第11至30：1×100元=100元"), "{}", per_request(12).explain());
    }

    #[test]
    fn per_page_tiers_charge_the_excess_only() {
        assert_eq!(per_page(30).total_yuan, 0);
        assert_eq!(per_page(31).total_yuan, 10);
        assert_eq!(per_page(100).total_yuan, 700);
        assert_eq!(per_page(150).total_yuan, 700 + 50 * 20);
        assert_eq!(per_page(250).total_yuan, 700 + 2_000 + 50 * 40);
        let e = per_page(150).explain();
        assert!(e.contains("第31至100：70×10元=700元") && e.contains("合计1700元"), "{e}");
        assert!(per_page(3).explain().contains("未超过免费额度"));
    }
}
