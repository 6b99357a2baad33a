//! The corpora and query sets: the laws file as it is, and a scaled corpus of district
//! documents generated from it with a seeded random number generator.

use super::*;

/// xorshift64*: a fixed seed makes the scaled corpus the same in every run.
pub(crate) struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub(crate) const ISSUERS: &[(&str, &str)] = &[
    ("莱芜区人民政府", "莱政发"),
    ("莱芜区人民政府办公室", "莱政办发"),
    ("莱芜区教育和体育局", "莱教体发"),
    ("莱芜区民政局", "莱民发"),
    ("莱芜区财政局", "莱财发"),
    ("莱芜区人力资源和社会保障局", "莱人社发"),
    ("莱芜区自然资源局", "莱自然资源发"),
    ("莱芜区住房和城乡建设局", "莱住建发"),
    ("莱芜区交通运输局", "莱交发"),
    ("莱芜区农业农村局", "莱农发"),
    ("莱芜区商务局", "莱商发"),
    ("莱芜区文化和旅游局", "莱文旅发"),
    ("莱芜区卫生健康局", "莱卫健发"),
    ("莱芜区应急管理局", "莱应急发"),
    ("莱芜区市场监督管理局", "莱市监发"),
    ("莱芜区医疗保障局", "莱医保发"),
    ("莱芜区发展和改革局", "莱发改发"),
    ("莱芜区司法局", "莱司发"),
    ("凤城街道办事处", "凤办发"),
    ("张家洼街道办事处", "张办发"),
    ("高庄街道办事处", "高办发"),
    ("口镇人民政府", "口政发"),
    ("寨里镇人民政府", "寨政发"),
    ("杨庄镇人民政府", "杨政发"),
];

pub(crate) fn law_validity(v: Option<&str>) -> &'static str {
    match v {
        Some("已被修订") => "amended",
        Some("失效") => "expired",
        Some("已废止") | Some("废止") => "repealed",
        _ => "in_force",
    }
}

/// The subject of a law's title: 中华人民共和国 and the 条例/法/办法 ending removed.
pub(crate) fn subject(title: &str) -> String {
    let t = title.trim_start_matches("中华人民共和国");
    let t = t.split(['（', '(']).next().unwrap_or(t);
    for end in ["实施细则", "实施办法", "管理办法", "管理条例", "条例", "办法", "规定", "法"] {
        if let Some(s) = t.strip_suffix(end)
            && s.chars().count() >= 2
        {
            return s.to_string();
        }
    }
    t.to_string()
}

pub(crate) fn corpus(laws: &Path, scaled: usize, out: &Path) {
    std::fs::create_dir_all(out).expect("out dir");
    let raw: Vec<serde_json::Value> = read_jsonl(laws);
    let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let recs: Vec<Rec> = raw
        .iter()
        .map(|v| {
            let published = s(v, "published_on").unwrap_or_default();
            Rec {
                id: s(v, "id").unwrap_or_default(),
                title: s(v, "title").unwrap_or_default(),
                doc_no: s(v, "doc_no"),
                issuer: s(v, "issuer").unwrap_or_default(),
                category: s(v, "category").unwrap_or_default(),
                kind: s(v, "doc_type").unwrap_or_default(),
                year: published.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0),
                validity: law_validity(s(v, "validity").as_deref()).into(),
                published_on: published,
                body: s(v, "body").unwrap_or_default(),
            }
        })
        .collect();
    write_jsonl(&out.join("laws.jsonl"), &recs);

    // Generated policy documents: real article text from the laws (so word frequencies are
    // those of real legal Chinese), district issuers, numbers and dates, 1–2 KB each.
    let arts: Vec<(String, Vec<String>)> = recs
        .iter()
        .map(|r| (subject(&r.title), gongkai_domain::body::articles(&r.body).into_iter().map(|(_, t)| t).collect()))
        .filter(|(_, a): &(String, Vec<String>)| a.len() >= 3)
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut seq: HashMap<(usize, i32), u32> = HashMap::new();
    let kinds = [("circular", 50), ("opinion", 20), ("notice", 10), ("decision", 8), ("reply", 7), ("letter", 5)];
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("scaled.jsonl")).expect("create"));
    for i in 0..scaled {
        let (subj, a) = &arts[rng.below(arts.len())];
        let (iss, code) = ISSUERS[rng.below(ISSUERS.len())];
        let iss_i = ISSUERS.iter().position(|x| x.0 == iss).unwrap_or(0);
        // Recent years more often, as on a real portal.
        let year = 2025 - (rng.below(18) * rng.below(18) / 17) as i32;
        let n = seq.entry((iss_i, year)).or_insert(0);
        *n += 1;
        let title = match rng.below(5) {
            0 => format!("{iss}关于进一步加强{subj}工作的通知"),
            1 => format!("{iss}关于印发《{subj}实施方案》的通知"),
            2 => format!("关于做好{year}年{subj}工作的通知"),
            3 => format!("{subj}管理办法（试行）"),
            _ => format!("关于贯彻落实{subj}有关规定的实施意见"),
        };
        let start = rng.below(a.len() - 2);
        let len = 2 + rng.below(5);
        let mut body = String::from("各街道办事处、镇人民政府，区政府各部门：\n");
        for (k, t) in a.iter().skip(start).take(len).enumerate() {
            body.push_str(&format!("第{}条 {}\n", gongkai_chinese(k + 1), t));
        }
        body.push_str(&format!(
            "本通知自印发之日起施行。\n{iss}\n{year}年{}月{}日",
            1 + rng.below(12),
            1 + rng.below(28)
        ));
        let mut pick = rng.below(100);
        let kind = kinds
            .iter()
            .find(|(_, p)| {
                if pick < *p {
                    true
                } else {
                    pick -= p;
                    false
                }
            })
            .map(|k| k.0)
            .unwrap_or("circular");
        let validity = match rng.below(20) {
            0 | 1 => "repealed",
            2 => "expired",
            3 => "amended",
            _ => "in_force",
        };
        let rec = Rec {
            id: format!("gen-{i:06}"),
            title,
            doc_no: Some(format!("{code}〔{year}〕{n}号")),
            issuer: iss.into(),
            category: if rng.below(10) < 3 { "normative".into() } else { "other".into() },
            kind: kind.into(),
            year,
            validity: validity.into(),
            published_on: format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
            body,
        };
        serde_json::to_writer(&mut w, &rec).expect("write");
        w.write_all(b"\n").expect("write");
    }
    drop(w);

    let q = |kind: &str, q: &str| Q { kind: kind.into(), q: q.into(), validity: None, year: None };
    let queries = vec![
        q("1-char word", "税"),
        q("1-char word", "港"),
        q("1-char word", "粮"),
        q("2-char word", "海关"),
        q("2-char word", "听证"),
        q("2-char word", "社保"),
        q("frequent word", "管理"),
        q("frequent word", "人民政府"),
        q("frequent word", "规定"),
        q("rare word", "无人机"),
        q("rare word", "区块链"),
        q("rare word", "冷链"),
        q("2–3-word AND", "安全生产 责任"),
        q("2–3-word AND", "个人信息 保护 义务"),
        q("2–3-word AND", "行政处罚 听证"),
        q("quoted phrase", "\"依法追究刑事责任\""),
        q("quoted phrase", "\"县级以上地方人民政府\""),
        q("quoted phrase", "\"政府信息公开\""),
        q("document number", "莱政办发〔2024〕12号"),
        q("document number", "莱民发〔2021〕3号"),
        q("document number", "莱教体发〔2025〕40号"),
        Q {
            kind: "keyword + filters + facets".into(),
            q: "安全".into(),
            validity: Some("in_force".into()),
            year: None,
        },
        Q {
            kind: "keyword + filters + facets".into(),
            q: "管理".into(),
            validity: Some("in_force".into()),
            year: Some(2020),
        },
        Q { kind: "keyword + filters + facets".into(), q: "教育".into(), validity: None, year: Some(2024) },
    ];
    write_jsonl(&out.join("queries.jsonl"), &queries);
}

pub(crate) fn gongkai_chinese(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].into(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[n - 10] }),
        _ => format!("{}十{}", D[n / 10], if n.is_multiple_of(10) { "" } else { D[n % 10] }),
    }
}
