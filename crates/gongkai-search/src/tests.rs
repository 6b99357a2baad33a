//! The index end to end: analysis, exact lookups, ranking, excerpts, facets, freshness.

use super::*;

/// An excerpt with its marks as `<b>…</b>`, for assertions.
fn b(e: &crate::Excerpt) -> String {
    e.pieces().iter().map(|(t, hit)| if *hit { format!("<b>{t}</b>") } else { t.to_string() }).collect()
}

#[allow(clippy::too_many_arguments)] // a table of test records reads best flat
fn doc(
    id: i64,
    title: &str,
    doc_no: Option<&str>,
    issuer: &str,
    validity: &str,
    current: bool,
    year: i32,
    body: &str,
) -> SearchDoc {
    SearchDoc {
        source: "document".into(),
        id,
        org_id: None,
        unreadable_attachments: vec![],
        html: None,
        attachment_files: vec![],
        privacy_exception: None,
        passages: None,
        url: format!("/documents/{id}"),
        articles: true,
        title: title.into(),
        doc_no: doc_no.map(Into::into),
        index_no: format!("11371202K21349004N/{year}-{id:07}"),
        issuer: issuer.into(),
        category: "other".into(),
        kind: Some("circular".into()),
        topic: None,
        year: Some(year),
        published_days: Some((year as i64 - 1970) * 365),
        published_on: Some(format!("{year}-06-01")),
        validity: validity.into(),
        current,
        version_no: 1,
        keywords: String::new(),
        body: body.into(),
        attachment_text: String::new(),
    }
}

fn index() -> SearchIndex {
    let s = SearchIndex::in_memory().unwrap();
    s.apply(
        &[
            doc(
                1,
                "莱芜区人民政府关于加强安全生产工作的通知",
                Some("莱政发〔2024〕3号"),
                "莱芜区人民政府",
                "in_force",
                true,
                2024,
                "各街道人民政府：为加强安全生产，现通知如下。",
            ),
            doc(
                2,
                "莱芜区民政局关于做好社会救助工作的通知",
                Some("莱民发〔2025〕5号"),
                "莱芜区民政局",
                "in_force",
                true,
                2025,
                "民政部门应当做好低保、特困供养等社会救助工作。",
            ),
            doc(
                3,
                "学生资助免申即享实施办法",
                Some("莱教体发〔2024〕6号"),
                "莱芜区教育和体育局",
                "in_force",
                true,
                2024,
                "符合条件的学生免申即享，资金直达。",
            ),
            doc(
                4,
                "政务公开工作考核办法",
                Some("莱政办发〔2021〕12号"),
                "莱芜区人民政府办公室",
                "repealed",
                true,
                2021,
                "考核采取日常监测与年度评估相结合的方式。",
            ),
            doc(
                5,
                "政府信息公开申请办理规范",
                Some("莱政办发〔2023〕3号"),
                "莱芜区人民政府办公室",
                "amended",
                false,
                2023,
                "应当自收到申请之日起十五个工作日内答复。",
            ),
            doc(
                6,
                "政府信息公开申请办理规范",
                Some("莱政办发〔2025〕8号"),
                "莱芜区人民政府办公室",
                "in_force",
                true,
                2025,
                "应当自收到申请之日起二十个工作日内答复。",
            ),
        ],
        &[],
        None,
    )
    .unwrap();
    s
}

fn ids(s: &SearchIndex, text: &str) -> Vec<i64> {
    s.search(&SearchQuery { text: text.into(), limit: 10, ..Default::default() })
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn min_zheng_does_not_rank_every_people_s_government_first() {
    let got = ids(&index(), "民政");
    assert_eq!(got.first(), Some(&2), "{got:?}");
}

#[test]
fn document_numbers_in_any_form_come_first() {
    let s = index();
    for v in ["莱民发〔2025〕5号", "莱民发[2025]5号", "莱民发（2025）5号", "莱民发2025年5号", "莱民发 2025 5"]
    {
        let r = s.search(&SearchQuery { text: v.into(), limit: 10, ..Default::default() }).unwrap();
        assert_eq!(r.hits.first().map(|h| (h.id, h.exact)), Some((2, true)), "{v}");
    }
    assert_eq!(ids(&s, "11371202K21349004N/2024-0000003").first(), Some(&3));
}

#[test]
fn phrases_exclusions_and_dictionary_terms() {
    let s = index();
    assert_eq!(ids(&s, "免申即享"), [3]);
    assert_eq!(ids(&s, "社会救助"), [2]);
    let r = s.search(&SearchQuery { text: "救助社会".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(r.relaxed, "words typed together must occur together; only the fallback finds their parts");
    assert_eq!(ids(&s, "\"社会救助\""), [2]);
    let with = ids(&s, "通知");
    assert!(with.contains(&1) && with.contains(&2));
    let without = ids(&s, "通知 -安全生产");
    assert!(!without.contains(&1) && without.contains(&2), "{without:?}");
}

#[test]
fn current_and_in_force_versions_rank_first() {
    let got = ids(&index(), "申请办理规范");
    assert_eq!(got, [6, 5], "the old version is found but ranks below");
}

#[test]
fn facets_leave_out_their_own_filter() {
    let s = index();
    let r = s
        .search(&SearchQuery {
            text: "办法".into(),
            validity: Some("in_force".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.total, 1);
    let v: HashMap<String, u64> = r.facets.validity.into_iter().collect();
    assert_eq!((v.get("in_force"), v.get("repealed")), (Some(&1), Some(&1)), "switching validity stays possible");
    let years: HashMap<String, u64> = r.facets.year.into_iter().collect();
    assert_eq!(years.get("2024"), Some(&1));
    assert_eq!(years.get("2021"), None, "other facets respect the validity filter");
}

#[test]
fn snippets_highlight_without_panicking_on_overlaps() {
    let s = index();
    let r = s
        .search(&SearchQuery {
            text: "中华人民共和国 人民政府 安全生产".into(), limit: 10, ..Default::default()
        })
        .unwrap();
    let r2 = s.search(&SearchQuery { text: "安全生产".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(r.hits.is_empty() || r.hits[0].id == 1);
    assert!(b(&r2.hits[0].excerpt).contains("<b>"), "{:?}", r2.hits[0].excerpt);
}

#[test]
fn empty_or_punctuation_only_lists_by_date_and_updates_apply() {
    let s = index();
    let r = s.search(&SearchQuery { text: "，。！".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(r.total, 6);
    s.apply(&[], &[("document".into(), 2)], None).unwrap();
    assert!(ids(&s, "社会救助").is_empty(), "withdrawn records disappear");
}

#[test]
fn snippets_find_matches_deep_in_long_bodies() {
    let s = SearchIndex::in_memory().unwrap();
    let body = format!("{}第九十九条 违反本条例规定泄露个人隐私的，依法追究责任。", "总则内容。".repeat(4000));
    s.apply(&[doc(9, "某某条例", None, "某机关", "in_force", true, 2020, &body)], &[], None).unwrap();
    let r = s.search(&SearchQuery { text: "个人隐私".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(b(&r.hits[0].excerpt).contains("<b>个人隐私</b>"), "{:?}", r.hits[0].excerpt);
}

#[test]
fn other_kinds_of_content_share_the_index_without_colliding() {
    let s = index();
    let interp = SearchDoc {
        source: "interpretation".into(),
        org_id: None,
        unreadable_attachments: vec![],
        html: None,
        attachment_files: vec![],
        privacy_exception: None,
        passages: None,
        id: 2, // the same number as a document: keys are per source
        url: "/interpretations/2".into(),
        title: "《关于做好社会救助工作的通知》政策解读".into(),
        issuer: "莱芜区民政局".into(),
        body: "一图读懂社会救助新规：低保申请更便捷。".into(),
        current: true,
        ..Default::default()
    };
    s.apply(&[interp], &[], None).unwrap();
    let r = s.search(&SearchQuery { text: "社会救助".into(), limit: 10, ..Default::default() }).unwrap();
    let got: Vec<(String, i64)> = r.hits.iter().map(|h| (h.source.clone(), h.id)).collect();
    assert!(got.contains(&("document".into(), 2)) && got.contains(&("interpretation".into(), 2)), "{got:?}");
    let sources: HashMap<String, u64> = r.facets.source.iter().cloned().collect();
    assert_eq!((sources.get("document"), sources.get("interpretation")), (Some(&1), Some(&1)));
    let only = s
        .search(&SearchQuery {
            text: "社会救助".into(),
            source: Some("interpretation".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(only.hits.iter().map(|h| h.url.as_str()).collect::<Vec<_>>(), ["/interpretations/2"]);
    // An interpretation has no validity of its own and is not ranked down for it.
    s.apply(&[], &[("interpretation".into(), 2)], None).unwrap();
    assert_eq!(ids(&s, "社会救助"), [2], "removing the interpretation leaves the document");
}

#[test]
fn one_character_is_found_inside_longer_words() {
    let s = index();
    // 救 only occurs inside 社会救助 / 救助; 助 at the end of a run too.
    assert_eq!(ids(&s, "救"), [2]);
    let r = s.search(&SearchQuery { text: "助".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(r.hits.iter().any(|h| h.id == 2) && r.hits.iter().any(|h| h.id == 3), "{:?}", r.hits);
    assert!(b(&r.hits.iter().find(|h| h.id == 2).unwrap().excerpt).contains("<b>助</b>"));
}

#[test]
fn words_found_together_rank_above_scattered_words() {
    let s = SearchIndex::in_memory().unwrap();
    let scattered = "安全生产是各项工作的底线。压实责任，层层落实责任，严肃追究责任。";
    let together = "各单位应当按照有关规定和工作要求，认真落实安全生产责任，细化各项具体措施。";
    s.apply(
        &[
            doc(1, "关于某事项的通知", None, "某局", "in_force", true, 2025, scattered),
            doc(2, "关于另一事项的通知", None, "某局", "in_force", true, 2020, together),
        ],
        &[],
        None,
    )
    .unwrap();
    assert_eq!(ids(&s, "安全生产 责任"), [2, 1], "the older document ranks first: its words stand together");
}

#[test]
fn phrases_use_every_other_bigram_but_never_match_across_a_break() {
    let texts = |q: &str| cover(&bigrams(q)).into_iter().map(|(p, t)| format!("{t}@{p}")).collect::<Vec<_>>();
    assert_eq!(texts("人民政府"), ["人民@0", "政府@2"]);
    assert_eq!(texts("无人机"), ["无人@0", "人机@1"]);
    assert_eq!(texts("政府信息公开"), ["政府@0", "信息@2", "公开@4"]);
    let s = SearchIndex::in_memory().unwrap();
    s.apply(
        &[
            doc(1, "甲", None, "某局", "in_force", true, 2025, "人民（一）政府和人民。政府"),
            doc(2, "乙", None, "某局", "in_force", true, 2025, "县人民政府"),
        ],
        &[],
        None,
    )
    .unwrap();
    assert_eq!(ids(&s, "人民政府"), [2]);
    assert_eq!(ids(&s, "\"人民政府\""), [2]);
}

#[test]
fn old_versions_are_marked() {
    let r = index().search(&SearchQuery { text: "申请办理规范".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(r.hits.iter().map(|h| (h.id, h.current)).collect::<Vec<_>>(), [(6, true), (5, false)]);
}

#[test]
fn the_office_dictionary_keeps_a_term_whole_after_a_rebuild() {
    let s = SearchIndex::in_memory().unwrap();
    let d =
        doc(1, "关于推行一业一证改革的通知", None, "莱芜区行政审批服务局", "in_force", true, 2025, "推行一业一证。");
    s.apply(std::slice::from_ref(&d), &[], None).unwrap();
    let before: Vec<String> = s.words().words("一业一证").into_iter().map(|t| t.text).collect();
    assert_ne!(before, ["一业一证"], "jieba splits it without the term");
    assert!(s.set_terms(&["一业一证".into()]), "the index was built without the term: rebuild needed");
    s.clear().unwrap();
    s.apply(&[d], &[], None).unwrap();
    assert_eq!(s.words().words("一业一证").into_iter().map(|t| t.text).collect::<Vec<_>>(), ["一业一证"]);
    assert!(!s.set_terms(&[" 一业一证 ".into()]), "same dictionary: no rebuild");
    assert_eq!(ids(&s, "一业一证"), [1]);
    let r = s.search(&SearchQuery { text: "一业一证".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(b(&r.hits[0].excerpt).contains("<b>一业一证</b>"), "{:?}", r.hits[0].excerpt);
}

#[test]
fn a_question_falls_back_to_any_word_and_a_near_miss_title_is_suggested() {
    let s = index();
    let r = s.search(&SearchQuery { text: "社会救助 安全生产 考核".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(r.relaxed && r.total >= 3, "{} {}", r.relaxed, r.total);
    let strict = s.search(&SearchQuery { text: "社会救助".into(), limit: 10, ..Default::default() }).unwrap();
    assert!(!strict.relaxed);
    let r = s.search(&SearchQuery { text: "政务公开工作考评办法".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(r.did_you_mean.as_deref(), Some("政务公开工作考核办法"));
    let r = s.search(&SearchQuery { text: "政务公开工作考核办法".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(r.did_you_mean, None, "an exact title needs no suggestion");
    let r = s.search(&SearchQuery { text: "完全无关的一段文字内容".into(), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(r.did_you_mean, None, "far from every title");
}

#[test]
fn titles_are_suggested_while_typing() {
    let s = index();
    let got: Vec<String> = s.suggest("申请办理", 5).unwrap().into_iter().map(|x| x.title).collect();
    assert_eq!(got, ["政府信息公开申请办理规范"], "one entry per title, current version");
    assert_eq!(s.suggest("免申", 5).unwrap()[0].url, "/documents/3");
    assert!(s.suggest("免", 5).unwrap().is_empty(), "one character is too little");
    assert!(s.suggest("，。", 5).unwrap().is_empty());
}

#[test]
fn a_corrupt_or_old_index_is_recreated() {
    let dir = std::env::temp_dir().join(format!("gk-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_, fresh) = SearchIndex::open(&dir).unwrap();
    assert!(fresh, "a missing index must be rebuilt");
    let (s, fresh) = SearchIndex::open(&dir).unwrap();
    assert!(!fresh);
    drop(s);
    std::fs::write(dir.join("meta.json"), "garbage").unwrap();
    let (_, fresh) = SearchIndex::open(&dir).unwrap();
    assert!(fresh, "a corrupt index is recreated");
    std::fs::write(dir.join(VERSION_FILE), "0").unwrap();
    let (_, fresh) = SearchIndex::open(&dir).unwrap();
    assert!(fresh, "an index of an older schema is recreated");
    let _ = std::fs::remove_dir_all(&dir);
}
