//! The content patrol's benchmarks (issue 13): the detectors alone over a corpus, their
//! precision and recall on a labelled file, and a full patrol — the app's `run_patrol`
//! over a SQLite database holding the laws corpus and N generated documents, each with an
//! attachment — with its throughput and the process's peak memory.

use gongkai_domain::patrol::{FindingKind, scan};
use sea_orm::{ActiveModelTrait, Set};
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;
use std::time::{Duration, Instant};

fn read_lines(path: &Path) -> Vec<serde_json::Value> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .collect()
}

/// The detectors over every body of `corpus`, on one core, best of `rounds`.
pub(crate) fn detectors(corpus: &Path, rounds: usize) {
    let bodies: Vec<String> = read_lines(corpus).iter().map(|v| v["body"].as_str().unwrap_or("").to_string()).collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let mut kinds: HashMap<&'static str, usize> = HashMap::new();
    let mut best = Duration::MAX;
    for round in 0..rounds {
        let t = Instant::now();
        let mut n = 0;
        for b in &bodies {
            let found = scan(b, &[]);
            n += found.len();
            if round == 0 {
                for f in found {
                    *kinds.entry(f.kind.code()).or_default() += 1;
                }
            }
        }
        best = best.min(t.elapsed());
        std::hint::black_box(n);
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{}",
        serde_json::json!({
            "records": bodies.len(), "mb": (mb * 10.0).round() / 10.0, "best_seconds": best.as_secs_f64(),
            "mb_per_s": (mb / best.as_secs_f64() * 10.0).round() / 10.0, "findings": kinds,
        })
    );
}

/// Precision and recall of the personal-data detectors on a labelled file: a finding is
/// right when it has a labelled span's kind and overlaps it (exact spans counted too).
pub(crate) fn labels(path: &Path) {
    #[derive(Default, serde::Serialize)]
    struct Count {
        tp: usize,
        fp: usize,
        fn_: usize,
    }
    let mut by_kind: BTreeMap<String, Count> = BTreeMap::new();
    let mut mistakes = Vec::new();
    let mut exact = 0;
    let records = read_lines(path);
    for r in &records {
        let text = r["text"].as_str().unwrap_or("");
        let want: Vec<(usize, usize, String)> = r["spans"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                let n = |k: &str| s[k].as_u64().unwrap_or(0) as usize;
                (n("start"), n("end"), s["kind"].as_str().unwrap_or("").to_string())
            })
            .collect();
        let got: Vec<(usize, usize, String)> = scan(text, &[])
            .into_iter()
            .filter(|f| f.kind.is_personal())
            .map(|f| (f.start, f.end, f.kind.code().to_string()))
            .collect();
        // Same kind and overlapping bytes: an address labelled from the estate's name and
        // found from the building number (whose mask hides the flat) is one address.
        let meets = |a: &(usize, usize, String), b: &(usize, usize, String)| a.2 == b.2 && a.0 < b.1 && b.0 < a.1;
        for g in &got {
            let c = by_kind.entry(g.2.clone()).or_default();
            if want.iter().any(|w| meets(w, g)) {
                c.tp += 1;
                exact += usize::from(want.contains(g));
            } else {
                c.fp += 1;
                mistakes.push(format!("false {}: {}", g.2, text));
            }
        }
        for w in want.iter().filter(|w| !got.iter().any(|g| meets(w, g))) {
            by_kind.entry(w.2.clone()).or_default().fn_ += 1;
            mistakes.push(format!("missed {}: {}", w.2, text));
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { (a as f64 / b as f64 * 1000.0).round() / 1000.0 };
    let rows: BTreeMap<&String, serde_json::Value> = by_kind
        .iter()
        .map(|(k, c)| {
            let v = serde_json::json!({
                "tp": c.tp, "fp": c.fp, "fn": c.fn_,
                "precision": ratio(c.tp, c.tp + c.fp), "recall": ratio(c.tp, c.tp + c.fn_),
            });
            (k, v)
        })
        .collect();
    let (tp, fp, fn_) = by_kind.values().fold((0, 0, 0), |(a, b, c), x| (a + x.tp, b + x.fp, c + x.fn_));
    println!(
        "{}",
        serde_json::json!({
            "records": records.len(), "by_kind": rows,
            "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn_), "exact_spans": exact, "true_positives": tp,
            "mistakes": mistakes.iter().take(200).collect::<Vec<_>>(),
        })
    );
}

/// The process's peak resident memory so far, in MB (Linux).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map(|kb| (kb / 1024.0).round())
        .unwrap_or(0.0)
}

/// A small deterministic generator, as the search corpus uses.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// An identity number valid by GB 11643 (its own check digit computation).
fn id_number(rng: &mut Rng) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!(
        "370116{:04}{:02}{:02}{:03}",
        1940 + rng.below(70),
        1 + rng.below(12),
        1 + rng.below(28),
        1 + rng.below(998)
    );
    let s: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    format!("{body}{}", b"10X98765432"[(s % 11) as usize] as char)
}

/// A full patrol: the laws corpus and `generated` documents imported into a fresh SQLite
/// database in `work`, each generated document with one attachment (a roster; one in a
/// hundred holds identity numbers), then `run_patrol` timed, outside links not asked.
pub(crate) async fn full(laws: &Path, generated: usize, work: &Path) {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).expect("work dir");
    let url = format!("sqlite://{}?mode=rwc", work.join("gongkai.sqlite").display());
    let store = gongkai_store::Store::connect(&url).await.expect("database");
    store.migrate().await.expect("migrate");
    let config = gongkai_app::AppConfig { check_external_links: false, ..Default::default() };
    let clock = std::sync::Arc::new(gongkai_domain::FixedClock(time::macros::datetime!(2025-07-01 02:00 UTC)));
    let app = gongkai_app::App::new(store, clock, config);
    app.load_demo().await.expect("demo");
    let office = app.system_actor().await.expect("actor");

    let t = Instant::now();
    let laws_file = std::io::BufReader::new(std::fs::File::open(laws).expect("laws"));
    app.import_jsonl(&office, None, laws_file, &|_, _| {}).await.expect("import laws");
    // Generated documents: real article text from the laws, district issuers.
    let articles: Vec<String> = read_lines(laws)
        .iter()
        .flat_map(|v| gongkai_domain::body::articles(v["body"].as_str().unwrap_or("")))
        .map(|(_, t)| t)
        .filter(|t| t.chars().count() > 20)
        .take(50_000)
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut lines = String::new();
    for i in 0..generated {
        let mut body = String::from("各街道办事处、镇人民政府，区政府各部门：\n");
        for k in 0..(2 + rng.below(5)) {
            body.push_str(&format!(
                "第{}条 {}\n",
                crate::corpus::gongkai_chinese(k + 1),
                articles[rng.below(articles.len())]
            ));
        }
        let line = serde_json::json!({
            "id": format!("gen-{i}"), "title": format!("关于做好第{i}项重点工作的通知"),
            "issuer": "济南市莱芜区人民政府办公室", "doc_type": "其他", "published_on": "2025-03-01",
            "validity": "有效", "category": "其他", "body": body,
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    app.import_jsonl(&office, None, std::io::Cursor::new(lines), &|_, _| {}).await.expect("import generated");
    // One attachment each, its text as extraction left it.
    let conn = app.store().conn();
    let ids: Vec<i64> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        gongkai_store::document::Entity::find()
            .select_only()
            .column(gongkai_store::document::Column::Id)
            .filter(gongkai_store::document::Column::ExternalId.starts_with("gen-"))
            .into_tuple()
            .all(conn)
            .await
            .expect("ids")
    };
    let mut leaks = 0;
    for (n, id) in ids.iter().enumerate() {
        let mut text = String::from("序号 姓名 所在村（社区） 人数\n");
        for row in 1..=20 {
            let who = ["王秀英", "李建国", "张玉梅", "刘志强", "陈海燕"][rng.below(5)];
            if n % 100 == 0 && row <= 3 {
                text.push_str(&format!("{row} {who} {} 凤城街道东关社区 {}\n", id_number(&mut rng), 1 + rng.below(5)));
                leaks += 1;
            } else {
                text.push_str(&format!("{row} {who} 凤城街道东关社区 {}\n", 1 + rng.below(5)));
            }
        }
        gongkai_store::attachment::ActiveModel {
            document_id: Set(*id),
            file_name: Set("名单.docx".into()),
            content_type: Set("application/vnd.openxmlformats-officedocument.wordprocessingml.document".into()),
            size: Set(text.len() as i64),
            sha256: Set(String::new()),
            content: Set(Vec::new()),
            extracted_text: Set(text),
            sort: Set(0),
            created_at: Set(time::macros::datetime!(2025-03-01 02:00 UTC)),
            ..Default::default()
        }
        .insert(conn)
        .await
        .expect("attachment");
    }
    let loaded = t.elapsed();
    let before = peak_mb();
    // Resets the peak to what is resident now (Linux: clear_refs 5), so the figure after
    // is the patrol's own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let resident = peak_mb();

    let t = Instant::now();
    let run = app.run_patrol().await.expect("patrol");
    let took = t.elapsed();
    // What was read: every public record's title, body and attachment text.
    let mut bytes = 0usize;
    for src in gongkai_app::search::content_sources() {
        let mut after = 0;
        loop {
            let ids = src.public_ids(&app, after, 1000).await.expect("ids");
            let Some(last) = ids.last().copied() else { break };
            for d in src.load(&app, &ids).await.expect("load") {
                bytes += d.title.len() + d.body.len() + d.attachment_text.len();
            }
            after = last;
        }
    }
    let findings = app.patrol_findings(&office, &[]).await.expect("findings");
    let ids_found = findings.iter().filter(|f| f.kind == FindingKind::ResidentId).count();
    let mb = bytes as f64 / 1e6;
    println!(
        "{}",
        serde_json::json!({
            "records": run.records, "mb": (mb * 10.0).round() / 10.0,
            "load_seconds": loaded.as_secs(), "patrol_seconds": (took.as_secs_f64() * 10.0).round() / 10.0,
            "mb_per_s": (mb / took.as_secs_f64() * 10.0).round() / 10.0,
            "peak_mb_while_loading": before, "resident_mb_before_patrol": resident, "peak_mb_during_patrol": peak_mb(),
            "seeded_identity_numbers": leaks, "identity_findings": ids_found, "findings": findings.len(),
        })
    );
}
