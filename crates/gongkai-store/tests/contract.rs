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

/// Requests handled before migration 8 kept the extension's days and the decision's
/// outcome packed in the note; the migration moves them into their columns.
#[tokio::test]
async fn migration_8_unpacks_handling_notes() {
    use gongkai_store::sea_orm::{ConnectionTrait, EntityTrait};
    use gongkai_store::sea_orm_migration::MigratorTrait;
    use gongkai_store::{info_request, request_step};
    for db in gongkai_testkit::databases().await {
        let s = Store::connect(&db.url).await.unwrap();
        gongkai_store::migration::Migrator::up(s.conn(), Some(7)).await.unwrap();
        // The organisation as a version-7 database holds it (today's model has more columns).
        s.conn()
            .execute_unprepared(
                "INSERT INTO org (kind, name, credit_code, review_levels, require_interpretation, is_sample, sort, created_at) \
                 VALUES ('office', '测试机构', '11371202K21349004N', 1, true, false, 0, '2025-01-01 00:00:00+00:00')",
            )
            .await
            .unwrap();
        let org_id: i64 = 1;
        let at = "'2025-09-01 01:00:00+00:00'";
        s.conn()
            .execute_unprepared(&format!(
                "INSERT INTO info_request (tracking_no, query_code_hash, org_id, channel, received_on, status, \
                 applicant_kind, name, id_number, phone, medium, delivery, created_at, description) VALUES \
                 ('YSQ2025000001', 'x', {org_id}, 'online', '2025-07-01', 'decided', 'natural', 'n', 'i', 'p', \
                 'paper', 'pickup', {at}, 'd')"
            ))
            .await
            .unwrap();
        let rid = "(SELECT id FROM info_request WHERE tracking_no = 'YSQ2025000001')";
        for (kind, note) in [("extension", "10|公开办主任|情况复杂"), ("decision", "partial|第三十七条|")]
        {
            s.conn()
                .execute_unprepared(&format!(
                    "INSERT INTO request_event (request_id, kind, on_date, at, note) VALUES \
                     ({rid}, '{kind}', '2025-08-20', {at}, '{note}')"
                ))
                .await
                .unwrap();
        }
        s.migrate().await.unwrap();
        let events = request_step::Entity::find().all(s.conn()).await.unwrap();
        let ext = events.iter().find(|e| e.kind == "extension").unwrap();
        assert_eq!((ext.days, ext.approver.as_deref(), ext.note.as_str()), (Some(10), Some("公开办主任"), "情况复杂"));
        let dec = events.iter().find(|e| e.kind == "decision").unwrap();
        assert_eq!(
            (dec.outcome.as_deref(), dec.basis.as_deref(), dec.note.as_str()),
            (Some("partial"), Some("第三十七条"), "")
        );
        let r = info_request::Entity::find().one(s.conn()).await.unwrap().unwrap();
        assert_eq!(r.outcome.as_deref(), Some("partial"), "{}", db.backend);
    }
}

/// Migration 17 gives the glossary's names to what a version-16 database holds: the steps
/// `consultation`, `consultation_reply`, `delivery` and the columns `channel`, `delivery`.
#[tokio::test]
async fn migration_17_renames_steps_and_columns_without_losing_a_row() {
    use gongkai_store::sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
    use gongkai_store::sea_orm_migration::MigratorTrait;
    use gongkai_store::{info_request, request_step};
    for db in gongkai_testkit::databases().await {
        let s = Store::connect(&db.url).await.unwrap();
        gongkai_store::migration::Migrator::up(s.conn(), Some(16)).await.unwrap();
        let at = "'2025-09-01 01:00:00+00:00'";
        s.conn()
            .execute_unprepared(&format!(
                "INSERT INTO org (kind, name, credit_code, review_levels, require_interpretation, is_sample, sort, created_at) \
                 VALUES ('office', '测试机构', '11371202K21349004N', 1, true, false, 0, {at})"
            ))
            .await
            .unwrap();
        s.conn()
            .execute_unprepared(&format!(
                "INSERT INTO info_request (tracking_no, query_code_hash, org_id, channel, received_on, status, \
                 applicant_kind, name, id_number, phone, medium, delivery, created_at, description) VALUES \
                 ('YSQ2025000001', 'x', (SELECT id FROM org), 'post_signed', '2025-07-01', 'closed', 'natural', 'n', \
                 'i', 'p', 'paper', 'pickup', {at}, 'd')"
            ))
            .await
            .unwrap();
        let rid = "(SELECT id FROM info_request WHERE tracking_no = 'YSQ2025000001')";
        for kind in ["received", "consultation", "consultation_reply", "decision", "delivery"] {
            s.conn()
                .execute_unprepared(&format!(
                    "INSERT INTO request_event (request_id, kind, on_date, at, note) VALUES ({rid}, '{kind}', '2025-07-02', {at}, '')"
                ))
                .await
                .unwrap();
        }
        s.migrate().await.unwrap();
        let events = request_step::Entity::find().order_by_asc(request_step::Column::Id).all(s.conn()).await.unwrap();
        let kinds: Vec<String> = events.into_iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            ["received", "third_party_consultation", "third_party_reply", "decision", "service"],
            "{}",
            db.backend
        );
        let r = info_request::Entity::find().one(s.conn()).await.unwrap().unwrap();
        assert_eq!((r.intake_channel.as_str(), r.collect_by.as_str()), ("post_signed", "pickup"), "{}", db.backend);
    }
}

#[tokio::test]
async fn processes_starting_together_on_a_new_database_migrate_it_once() {
    for db in gongkai_testkit::databases().await {
        // Separate connections, as separate processes would have.
        let mut stores = Vec::new();
        for _ in 0..4 {
            stores.push(Store::connect(&db.url).await.unwrap());
        }
        let tasks: Vec<_> = stores.into_iter().map(|s| tokio::spawn(async move { s.migrate().await })).collect();
        for t in tasks {
            t.await.unwrap().unwrap_or_else(|e| panic!("{}: {e}", db.backend));
        }
    }
}

/// Migration 18 renames the table of 办理环节 to `request_step` and the reminder's
/// `channel` to `notify_via`; every row a version-17 database holds is still there.
#[tokio::test]
async fn migration_18_renames_the_step_table_and_the_reminder_channel() {
    use gongkai_store::sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
    use gongkai_store::sea_orm_migration::MigratorTrait;
    use gongkai_store::{reminder, request_step};
    for db in gongkai_testkit::databases().await {
        let s = Store::connect(&db.url).await.unwrap();
        gongkai_store::migration::Migrator::up(s.conn(), Some(17)).await.unwrap();
        let at = "'2025-09-01 01:00:00+00:00'";
        for sql in [
            format!(
                "INSERT INTO org (kind, name, credit_code, review_levels, require_interpretation, is_sample, sort, created_at) \
                 VALUES ('office', '测试机构', '11371202K21349004N', 1, true, false, 0, {at})"
            ),
            format!(
                "INSERT INTO app_user (username, display_name, role, org_id, password_hash, created_at) \
                 VALUES ('clerk', '办理人', 'office', (SELECT id FROM org), 'x', {at})"
            ),
            format!(
                "INSERT INTO info_request (tracking_no, query_code_hash, org_id, intake_channel, received_on, status, \
                 applicant_kind, name, id_number, phone, medium, collect_by, created_at, description) VALUES \
                 ('YSQ2025000001', 'x', (SELECT id FROM org), 'online', '2025-07-01', 'received', 'natural', 'n', \
                 'i', 'p', 'paper', 'pickup', {at}, 'd')"
            ),
            format!(
                "INSERT INTO request_event (request_id, kind, on_date, at, note) VALUES \
                 ((SELECT id FROM info_request), 'received', '2025-07-01', {at}, ''), \
                 ((SELECT id FROM info_request), 'third_party_consultation', '2025-07-02', {at}, '')"
            ),
            format!(
                "INSERT INTO reminder (sent_on, user_id, channel, requests, status, detail, at) VALUES \
                 ('2025-07-03', (SELECT id FROM app_user), 'console', 1, 'sent', '', {at}), \
                 ('2025-07-03', (SELECT id FROM app_user), 'email', 1, 'no_email', '', {at})"
            ),
        ] {
            s.conn().execute_unprepared(&sql).await.unwrap_or_else(|e| panic!("{}: {e}\n{sql}", db.backend));
        }
        s.migrate().await.unwrap();
        let steps = request_step::Entity::find().order_by_asc(request_step::Column::Id).all(s.conn()).await.unwrap();
        let kinds: Vec<&str> = steps.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["received", "third_party_consultation"], "{}", db.backend);
        let sent = reminder::Entity::find().order_by_asc(reminder::Column::Id).all(s.conn()).await.unwrap();
        let via: Vec<(&str, &str)> = sent.iter().map(|r| (r.notify_via.as_str(), r.status.as_str())).collect();
        assert_eq!(via, [("console", "sent"), ("email", "no_email")], "{}", db.backend);
        // One reminder per person, day and way of telling: the unique index moved with the column.
        let again = s
            .conn()
            .execute_unprepared(&format!(
                "INSERT INTO reminder (sent_on, user_id, notify_via, requests, status, detail, at) VALUES \
                 ('2025-07-03', (SELECT id FROM app_user), 'console', 1, 'sent', '', {at})"
            ))
            .await;
        assert!(again.is_err(), "{}: a second console reminder for the same day was stored", db.backend);
    }
}
