//! Contract tests of the store, run on SQLite and PostgreSQL alike.

use gongkai_domain::{Validity, ValidityFacts, derive_validity};
use gongkai_store::queries::{self, DocQuery};
use gongkai_store::sea_orm::{ActiveModelTrait, Set};
use gongkai_store::{Store, document, org};
use time::macros::{date, datetime};

async fn store(db: &gongkai_testkit::TestDb) -> Store {
    let s = Store::connect(&db.url).await.unwrap();
    s.migrate().await.unwrap();
    s.migrate().await.expect("migrating twice is harmless");
    s
}

async fn an_org(s: &Store) -> i64 {
    org::ActiveModel {
        kind: Set("office".into()),
        name: Set("测试机构".into()),
        credit_code: Set("11371202K21349004N".into()),
        review_levels: Set(1),
        require_interpretation: Set(true),
        is_sample: Set(false),
        sort: Set(0),
        created_at: Set(datetime!(2025-01-01 0:00 UTC)),
        ..Default::default()
    }
    .insert(s.conn())
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn index_sequences_never_repeat_under_concurrency() {
    for db in gongkai_testkit::databases().await {
        let s = store(&db).await;
        let org_id = an_org(&s).await;
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                let tx = s.begin_write().await.unwrap();
                let n = queries::next_index_seq(&*tx, org_id, 2025).await.unwrap();
                tx.commit().await.unwrap();
                n
            }));
        }
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort();
        assert_eq!(got, (1..=20).collect::<Vec<i64>>(), "{}", db.backend);
        // A rolled-back transaction does not hand its number out twice either way.
        let tx = s.begin_write().await.unwrap();
        assert_eq!(queries::next_index_seq(&*tx, org_id, 2025).await.unwrap(), 21);
        drop(tx);
        let tx = s.begin_write().await.unwrap();
        assert_eq!(queries::next_index_seq(&*tx, org_id, 2026).await.unwrap(), 1, "each year starts at 1");
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn validity_in_sql_agrees_with_the_rule() {
    let today = date!(2025 - 07 - 01);
    for db in gongkai_testkit::databases().await {
        let s = store(&db).await;
        let org_id = an_org(&s).await;
        let mut expected = Vec::new();
        let mut n = 0;
        for superseded in [false, true] {
            for repealed in [false, true] {
                for declared in [false, true] {
                    for expires in
                        [None, Some(date!(2025 - 06 - 30)), Some(date!(2025 - 07 - 01)), Some(date!(2026 - 01 - 01))]
                    {
                        n += 1;
                        let facts =
                            ValidityFacts { expires_on: expires, superseded, repealed, declared_expired: declared };
                        let m = document::ActiveModel {
                            family_id: Set(n),
                            version_no: Set(1),
                            index_no: Set(format!("11371202K21349004N/2025-{n:07}")),
                            title: Set(format!("文件{n}")),
                            org_id: Set(org_id),
                            issuer: Set("测试机构".into()),
                            co_issuers: Set("[]".into()),
                            category: Set("other".into()),
                            expires_on: Set(expires),
                            disclosure_mode: Set("proactive".into()),
                            keywords: Set(String::new()),
                            body: Set("正文".into()),
                            status: Set("published".into()),
                            reviews_passed: Set(0),
                            declared_expired: Set(declared),
                            superseded_by: Set(superseded.then_some(1)),
                            repealed_by: Set(repealed.then_some(1)),
                            is_sample: Set(false),
                            created_at: Set(datetime!(2025-01-01 0:00 UTC)),
                            updated_at: Set(datetime!(2025-01-01 0:00 UTC)),
                            ..Default::default()
                        }
                        .insert(s.conn())
                        .await
                        .unwrap();
                        expected.push((m.id, derive_validity(facts, today)));
                    }
                }
            }
        }
        for v in Validity::ALL {
            let q = DocQuery { validity: Some(*v), limit: 100, ..Default::default() };
            let (rows, total) = queries::document_list(s.conn(), &q, today).await.unwrap();
            let mut got: Vec<i64> = rows.iter().map(|r| r.id).collect();
            got.sort();
            let want: Vec<i64> = expected.iter().filter(|(_, e)| e == v).map(|(id, _)| *id).collect();
            assert_eq!(got, want, "{}: {v:?}", db.backend);
            assert_eq!(total as usize, want.len());
        }
    }
}
