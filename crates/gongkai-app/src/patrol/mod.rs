//! Content patrol (已公开信息安全巡查) over what the public can read: every published
//! document, interpretation and case, and the text of public attachments, scanned with the
//! detectors of `gongkai_domain::patrol`. Publishing runs the same check first: a finding
//! of high severity (an identity or bank card number) stops publication unless it is
//! masked or a reviewer overrides it with a recorded reason.

pub(crate) mod files;
pub mod links;
pub mod reports;
pub mod wording;

use crate::{Actor, App, AppError, Result};
use gongkai_domain::patrol::citation::{CitationSet, NotInForce};
use gongkai_domain::patrol::{self, Finding, FindingKind, FindingStatus, Severity, WordingRule, WordingSet};
use gongkai_search::SearchDoc;
use gongkai_store::patrol::row as patrol_finding;
use gongkai_store::sea_orm::Set;
use serde::Serialize;

/// One finding as staff see it: where it is, what it is, the span masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FindingView {
    /// document, interpretation, case
    pub source: &'static str,
    pub record_id: i64,
    /// The body that owns the record.
    pub org_id: i64,
    pub title: String,
    /// Which part of the record: 标题, 正文, or the attachment's file name.
    pub field: String,
    #[schema(value_type = String)]
    pub kind: FindingKind,
    pub kind_label: &'static str,
    #[schema(value_type = String)]
    pub severity: Severity,
    /// The span as written, masked when it is personal data.
    pub shown: String,
    /// The mask, or the correct form.
    pub replacement: String,
    /// A few characters either side, masked the same way.
    pub context: String,
    /// Names the finding across runs: where it is and what it says (hashed: the text found
    /// is not kept).
    #[serde(skip)]
    pub fingerprint: String,
    /// Personal data in a record that declares it public by law (惩戒公示, 强制性信息披露):
    /// kept as 依法公示, not opened as work.
    #[serde(skip)]
    pub excepted: Option<&'static str>,
}

impl FindingView {
    /// A finding about a part of a record as a whole (a file, a link, a date), not a span
    /// of its text: no context. `key` names it across runs together with the record.
    pub(crate) fn about(
        source: &'static str,
        (record_id, org_id): (i64, i64),
        title: &str,
        kind: FindingKind,
        key: &[&str],
    ) -> FindingView {
        let id = record_id.to_string();
        let mut parts = vec![source, id.as_str()];
        parts.extend_from_slice(key);
        FindingView {
            source,
            record_id,
            org_id,
            title: title.to_string(),
            field: "正文".into(),
            kind,
            kind_label: kind.label(),
            severity: kind.severity(),
            shown: String::new(),
            replacement: String::new(),
            context: String::new(),
            fingerprint: fingerprint(&parts),
            excepted: None,
        }
    }
}

/// What a run checks against besides the detectors: the documents no longer in force, and
/// the office's own wording rules. Built once per run.
pub(crate) struct Lists {
    pub cites: CitationSet,
    pub wording: WordingSet,
    /// Today and the days after its deadline from which a notice is a 定期清理 candidate
    /// (none in the pre-publication check: a new notice is not old).
    pub stale: Option<(time::Date, i64)>,
}

impl Lists {
    /// No citations, no office rules: the detectors alone (the pre-publication check).
    pub(crate) fn none() -> Lists {
        Lists { cites: CitationSet::new(vec![]), wording: WordingSet::new(&[]), stale: None }
    }
}

/// A record's text to scan, by part.
pub(crate) struct Part<'a> {
    pub field: &'a str,
    pub text: &'a str,
}

/// The findings in one record's parts.
pub(crate) fn check(
    source: &'static str,
    record_id: i64,
    org_id: i64,
    title: &str,
    parts: &[Part<'_>],
    lists: &Lists,
) -> Vec<FindingView> {
    let mut out = Vec::new();
    for p in parts {
        let mut found = patrol::scan_with(p.text, &lists.wording);
        if p.field != "标题" {
            found.extend(lists.cites.scan(p.text));
            found.sort_by_key(|f| (f.start, f.end));
        }
        for f in &found {
            out.push(view(source, (record_id, org_id), title, p, f, &found));
        }
    }
    out
}

fn view(
    source: &'static str,
    (record_id, org_id): (i64, i64),
    title: &str,
    p: &Part<'_>,
    f: &Finding,
    all: &[Finding],
) -> FindingView {
    // Context from the original text with every personal span masked; a span the window
    // would cut is left out whole, so no part of a number shows.
    let mut from = floor(p.text, f.start.saturating_sub(30));
    let mut to = ceil(p.text, (f.end + 30).min(p.text.len()));
    for g in all.iter().filter(|g| g.kind.is_personal()) {
        if g.start < from && g.end > from {
            from = g.end.min(f.start);
        }
        if g.start < to && g.end > to {
            to = g.start.max(f.end);
        }
    }
    let inside: Vec<Finding> = all
        .iter()
        .filter(|g| g.start >= from && g.end <= to)
        .map(|g| Finding { start: g.start - from, end: g.end - from, ..g.clone() })
        .collect();
    let context = patrol::mask(&p.text[from..to], &inside);
    let fingerprint = fingerprint(&[source, &record_id.to_string(), p.field, f.kind.code(), &p.text[f.start..f.end]]);
    FindingView {
        source,
        record_id,
        org_id,
        title: title.to_string(),
        field: p.field.to_string(),
        kind: f.kind,
        kind_label: f.kind.label(),
        severity: f.severity,
        shown: patrol::shown(p.text, f),
        replacement: f.replacement.clone(),
        context,
        fingerprint,
        excepted: None,
    }
}

/// Names a finding across runs by where it is and what it says, hashed: the text found is
/// not kept.
fn fingerprint(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Attachments whose text could not be read: the patrol cannot check them (no OCR), and a
/// scan may hold exactly the list that must not be public.
fn unreadable(source: &'static str, d: &gongkai_search::SearchDoc) -> Vec<FindingView> {
    d.unreadable_attachments
        .iter()
        .map(|name| {
            let kind = FindingKind::UnreadableAttachment;
            FindingView {
                field: format!("附件：{name}"),
                shown: name.clone(),
                replacement: "未能提取文字（扫描件、加密或损坏的文件），请人工核对是否含有个人信息".into(),
                ..FindingView::about(source, (d.id, d.org_id.unwrap_or(0)), &d.title, kind, &[name, kind.code()])
            }
        })
        .collect()
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// What stops a publication: the high findings, as a refusal naming them (masked).
pub(crate) fn blocking(found: &[FindingView]) -> Option<AppError> {
    let high: Vec<&FindingView> = found.iter().filter(|f| f.severity == Severity::High).collect();
    if high.is_empty() {
        return None;
    }
    let list: Vec<String> =
        high.iter().take(5).map(|f| format!("{}“{}”（{}）", f.kind_label, f.shown, f.field)).collect();
    Some(AppError::field(
        "patrol_override",
        format!(
            "发布前检查发现{}处个人信息，须去标识化后再发布，或由审核人填写理由后确认发布：{}",
            high.len(),
            list.join("；")
        ),
    ))
}

/// What a patrol run did.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct PatrolRun {
    /// Public records scanned.
    pub records: usize,
    /// Findings in them, dismissed ones included.
    pub found: usize,
    /// Findings no run had seen before.
    pub new: usize,
    /// Open findings no longer found: corrected, or no longer public.
    pub fixed: u64,
    pub links: links::LinkCounts,
}

/// A finding with where it stands, as the console and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FindingRecord {
    pub id: i64,
    pub source: String,
    pub record_id: i64,
    pub org_id: i64,
    pub title: String,
    pub field: String,
    #[schema(value_type = String)]
    pub kind: FindingKind,
    pub kind_label: &'static str,
    #[schema(value_type = String)]
    pub severity: Severity,
    /// The span as written, personal data masked.
    pub shown: String,
    pub replacement: String,
    pub context: String,
    #[schema(value_type = String)]
    pub status: FindingStatus,
    pub status_label: &'static str,
    pub found_at: time::OffsetDateTime,
    /// By when the owning body deals with it (working days by severity).
    pub due_on: Option<time::Date>,
    /// Why it was dismissed or escalated.
    pub note: Option<String>,
}

impl TryFrom<patrol_finding::Model> for FindingRecord {
    type Error = AppError;
    fn try_from(m: patrol_finding::Model) -> Result<Self> {
        let bad = |what: &str| AppError::Internal(format!("patrol finding {}: unknown {what}", m.id));
        let kind = FindingKind::parse(&m.kind).ok_or_else(|| bad("kind"))?;
        let severity = Severity::parse(&m.severity).ok_or_else(|| bad("severity"))?;
        let status = FindingStatus::parse(&m.status).ok_or_else(|| bad("status"))?;
        Ok(FindingRecord {
            id: m.id,
            source: m.source,
            record_id: m.record_id,
            org_id: m.org_id,
            title: m.title,
            field: m.field,
            kind,
            kind_label: kind.label(),
            severity,
            shown: m.shown,
            replacement: m.replacement,
            context: m.context,
            status,
            status_label: status.label(),
            found_at: m.found_at,
            due_on: m.due_on,
            note: m.note,
        })
    }
}

/// Kinds of document that announce something with a deadline: 通知, 公告, 通告.
const NOTICE_KINDS: &[&str] = &["circular", "announcement", "notice"];

/// A notice, still current, whose deadline passed more than `days` ago: a candidate for
/// 定期清理 (moved to the history columns or taken down), for a person to decide.
fn old_notice(source: &'static str, d: &SearchDoc, today: time::Date, days: i64) -> Vec<FindingView> {
    // The kind recorded, else the one its title ends in (imported records often have none).
    let kind =
        d.kind.clone().or_else(|| gongkai_domain::DocumentKind::from_title(&d.title).map(|k| k.code().to_string()));
    let notice = kind.as_deref().is_some_and(|k| NOTICE_KINDS.contains(&k));
    if source != crate::search::DOCUMENT || !notice || !d.current {
        return vec![];
    }
    let Some(due) = gongkai_domain::patrol::dates::deadline(&d.body) else { return vec![] };
    let passed = (today - due).whole_days();
    if passed <= days {
        return vec![];
    }
    let kind = FindingKind::OldNotice;
    vec![FindingView {
        shown: format!("截止日期 {due}"),
        replacement: format!("通知所列截止日期已过{passed}天，可按定期清理移入历史信息栏目或撤下"),
        ..FindingView::about(source, (d.id, d.org_id.unwrap_or(0)), &d.title, kind, &[kind.code(), &due.to_string()])
    }]
}

/// Days before its 有效期 ends from which a document is listed for review.
const EXPIRING_DAYS: i64 = 30;

impl App {
    /// Documents in force whose 有效期 ends within [`EXPIRING_DAYS`]: to be revised,
    /// extended or let lapse on purpose, before the public finds them 失效.
    async fn expiring(&self) -> Result<Vec<FindingView>> {
        use gongkai_store::document;
        use gongkai_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        let today = self.today();
        let rows: Vec<(i64, i64, String, Option<time::Date>)> = document::Entity::find()
            .select_only()
            .columns([
                document::Column::Id,
                document::Column::OrgId,
                document::Column::Title,
                document::Column::ExpiresOn,
            ])
            .filter(document::Column::Status.eq(gongkai_domain::Status::Published.code()))
            .filter(document::Column::SupersededBy.is_null())
            .filter(document::Column::RepealedBy.is_null())
            .filter(document::Column::DeclaredExpired.eq(false))
            .filter(document::Column::ExpiresOn.gte(today))
            .filter(document::Column::ExpiresOn.lte(today + time::Duration::days(EXPIRING_DAYS)))
            .into_tuple()
            .all(self.store.conn())
            .await?;
        let source = crate::search::DOCUMENT;
        let kind = FindingKind::Expiring;
        Ok(rows
            .into_iter()
            .filter_map(|(id, org_id, title, until)| {
                let until = until?;
                Some(FindingView {
                    field: "有效期".into(),
                    shown: format!("有效期至 {until}"),
                    replacement: format!("{}天后失效：请评估是否修订、延续或按期失效", (until - today).whole_days()),
                    ..FindingView::about(source, (id, org_id), &title, kind, &[kind.code(), &until.to_string()])
                })
            })
            .collect())
    }
}

impl App {
    /// Published documents whose 成文日期 is after their 发布日期: one of the two is wrong
    /// (the form refuses it; an import or an older system may not have). The 2019 checklist
    /// vetoes a forged 发稿日期 (RULES.md §5.1), so a person must look.
    async fn dates_out_of_order(&self) -> Result<Vec<FindingView>> {
        use gongkai_store::document;
        use gongkai_store::sea_orm::sea_query::{Expr, ExprTrait};
        use gongkai_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        type Row = (i64, i64, String, Option<time::Date>, Option<time::Date>);
        let rows: Vec<Row> = document::Entity::find()
            .select_only()
            .columns([
                document::Column::Id,
                document::Column::OrgId,
                document::Column::Title,
                document::Column::SignedOn,
                document::Column::PublishedOn,
            ])
            .filter(document::Column::Status.eq(gongkai_domain::Status::Published.code()))
            .filter(Expr::col(document::Column::SignedOn).gt(Expr::col(document::Column::PublishedOn)))
            .into_tuple()
            .all(self.store.conn())
            .await?;
        let kind = FindingKind::BadDate;
        Ok(rows
            .into_iter()
            .filter_map(|(id, org_id, title, signed, published)| {
                let (signed, published) = (signed?, published?);
                let key = format!("{signed}>{published}");
                Some(FindingView {
                    field: "日期".into(),
                    shown: format!("成文日期 {signed}，发布日期 {published}"),
                    replacement: "成文日期晚于发布日期，请核对".into(),
                    ..FindingView::about(crate::search::DOCUMENT, (id, org_id), &title, kind, &[kind.code(), &key])
                })
            })
            .collect())
    }
}

/// Everything the patrol finds in one public record but its links, which are checked
/// together at the end (`links`).
fn scan_doc(
    source: &'static str,
    d: &SearchDoc,
    lists: &Lists,
    hosts: &[&str],
    found: &mut links::Collected,
) -> Vec<FindingView> {
    let labels: Vec<String> = d.attachment_files.iter().map(|(name, _, _)| format!("附件：{name}")).collect();
    let mut parts = vec![Part { field: "标题", text: &d.title }, Part { field: "正文", text: &d.body }];
    if d.attachment_files.is_empty() {
        parts.push(Part { field: "附件", text: &d.attachment_text });
    }
    for ((_, s, e), label) in d.attachment_files.iter().zip(&labels) {
        parts.push(Part { field: label, text: d.attachment_text.get(*s..*e).unwrap_or("") });
    }
    let mut out = check(source, d.id, d.org_id.unwrap_or(0), &d.title, &parts, lists);
    if let Some(e) = d.privacy_exception.as_deref().and_then(gongkai_domain::patrol::PrivacyException::parse) {
        for f in out.iter_mut().filter(|f| f.kind.is_personal()) {
            f.excepted = Some(e.label());
        }
    }
    out.extend(unreadable(source, d));
    out.extend(links::images(source, d));
    if let Some((today, days)) = lists.stale {
        out.extend(old_notice(source, d, today, days));
    }
    found.add(source, d, hosts);
    out
}

impl App {
    /// Everything the public can read now, scanned: the findings, worst first. Outside
    /// links are asked when `ask`.
    pub(crate) async fn scan_public(&self, ask: bool) -> Result<(usize, Vec<FindingView>, links::LinkCounts)> {
        let (mut records, mut out) = (0, Vec::new());
        let lists = self.patrol_lists().await?;
        let hosts: Vec<&str> = self.config.site_hosts.iter().map(String::as_str).collect();
        let mut found = links::Collected::default();
        for source in crate::search::content_sources() {
            let mut after = 0;
            loop {
                let ids = source.public_ids(self, after, 500).await?;
                let Some(last) = ids.last().copied() else { break };
                for d in source.load(self, &ids).await? {
                    records += 1;
                    out.extend(scan_doc(source.name(), &d, &lists, &hosts, &mut found));
                }
                after = last;
            }
        }
        let (broken, counts) = self.link_findings(found, ask).await?;
        out.extend(broken);
        out.extend(self.expiring().await?);
        out.extend(self.dates_out_of_order().await?);
        out.sort_by_key(|f| (f.severity.code() != "high", f.severity.code() != "medium", f.source, f.record_id));
        Ok((records, out, counts))
    }

    async fn patrol_lists(&self) -> Result<Lists> {
        let rules: Vec<WordingRule> = gongkai_store::wording_rule::list(self.store.conn())
            .await?
            .into_iter()
            .map(|r| WordingRule { wrong: r.wrong, right: r.right })
            .collect();
        Ok(Lists {
            cites: self.citations_not_in_force().await?,
            wording: WordingSet::new(&rules),
            stale: Some((self.today(), i64::from(self.config.stale_notice_days))),
        })
    }

    /// The published documents no longer in force (废止, 失效) whose title and number no
    /// document in force shares, to find them cited as if they were.
    async fn citations_not_in_force(&self) -> Result<CitationSet> {
        use gongkai_store::document;
        use gongkai_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        type Row = (String, Option<String>, Option<time::Date>, Option<i64>, Option<i64>, bool);
        let rows: Vec<Row> = document::Entity::find()
            .select_only()
            .columns([
                document::Column::Title,
                document::Column::DocNo,
                document::Column::ExpiresOn,
                document::Column::SupersededBy,
                document::Column::RepealedBy,
                document::Column::DeclaredExpired,
            ])
            .filter(document::Column::Status.eq(gongkai_domain::Status::Published.code()))
            .into_tuple()
            .all(self.store.conn())
            .await?;
        let today = self.today();
        let mut in_force = std::collections::HashSet::new();
        let mut gone = Vec::new();
        for (title, doc_no, expires_on, superseded, repealed, declared_expired) in rows {
            let facts = gongkai_domain::ValidityFacts {
                expires_on,
                superseded: superseded.is_some(),
                repealed: repealed.is_some(),
                declared_expired,
            };
            match gongkai_domain::derive_validity(facts, today) {
                v @ (gongkai_domain::Validity::Repealed | gongkai_domain::Validity::Expired) => {
                    gone.push(NotInForce { title, doc_no, validity: v.label().to_string() })
                }
                _ => {
                    in_force.insert(title);
                    if let Some(n) = doc_no {
                        in_force.insert(n);
                    }
                }
            }
        }
        let gone = gone
            .into_iter()
            .filter(|d| !in_force.contains(&d.title))
            .map(|d| NotInForce { doc_no: d.doc_no.filter(|n| !in_force.contains(n)), ..d })
            .collect();
        Ok(CitationSet::new(gone))
    }

    /// A patrol of everything public: new findings go to the owning body's list with a
    /// due date, findings seen again keep their state (a dismissed one stays dismissed),
    /// open ones no longer found are fixed. Safe to run again after a stop: it only ever
    /// brings the list up to date.
    pub async fn run_patrol(&self) -> Result<PatrolRun> {
        let token = App::new_flash_token();
        let (records, found, links) = self.scan_public(true).await?;
        let mut run = PatrolRun { records, links, ..Default::default() };
        self.keep_findings(found, &token, &mut run).await?;
        let tx = self.store.begin_write().await?;
        run.fixed = gongkai_store::patrol::close_unseen(&*tx, &token, self.now(), None).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// The patrol of one record, as it is public now (publishing runs it): its findings
    /// brought up to date, those no longer in it fixed.
    pub async fn patrol_record(&self, source: &str, id: i64) -> Result<PatrolRun> {
        let token = App::new_flash_token();
        let Some(src) = crate::search::content_sources().into_iter().find(|s| s.name() == source) else {
            return Err(AppError::Internal(format!("no content source {source}")));
        };
        let mut found = Vec::new();
        let lists = self.patrol_lists().await?;
        let hosts: Vec<&str> = self.config.site_hosts.iter().map(String::as_str).collect();
        let docs = src.load(self, &[id]).await?;
        let mut links_found = links::Collected::default();
        for d in &docs {
            found.extend(scan_doc(src.name(), d, &lists, &hosts, &mut links_found));
        }
        // Outside links by what the last full patrol learnt: publishing does not wait on
        // other sites.
        let (broken, links) = self.link_findings(links_found, false).await?;
        found.extend(broken);
        let mut run = PatrolRun { records: docs.len(), links, ..Default::default() };
        self.keep_findings(found, &token, &mut run).await?;
        let tx = self.store.begin_write().await?;
        run.fixed = gongkai_store::patrol::close_unseen(&*tx, &token, self.now(), Some((source, id))).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// New findings go to the owning body's list with a due date; findings seen again
    /// keep their state (a dismissed one stays dismissed).
    async fn keep_findings(&self, found: Vec<FindingView>, token: &str, run: &mut PatrolRun) -> Result<()> {
        let cal = self.calendar().await?;
        let today = self.today();
        let days = self.config.finding_days;
        let due_for = |s: Severity| {
            let n = match s {
                Severity::High => days[0],
                Severity::Medium => days[1],
                Severity::Low => days[2],
            };
            crate::calendar::due_after(&cal, today, n)
        };
        run.found += found.len();
        for f in found {
            let tx = self.store.begin_write().await?;
            match gongkai_store::patrol::by_fingerprint(&*tx, &f.fingerprint).await? {
                Some(m) => {
                    gongkai_store::patrol::seen(&*tx, m, token, self.now()).await?;
                }
                None => {
                    let due = due_for(f.severity);
                    let now = self.now();
                    gongkai_store::patrol::insert(
                        &*tx,
                        patrol_finding::ActiveModel {
                            fingerprint: Set(f.fingerprint),
                            source: Set(f.source.into()),
                            record_id: Set(f.record_id),
                            org_id: Set(f.org_id),
                            title: Set(f.title),
                            field: Set(f.field),
                            kind: Set(f.kind.code().into()),
                            severity: Set(f.severity.code().into()),
                            shown: Set(f.shown),
                            replacement: Set(f.replacement),
                            context: Set(f.context),
                            status: Set(match f.excepted {
                                Some(_) => FindingStatus::Excepted,
                                None => FindingStatus::Open,
                            }
                            .code()
                            .into()),
                            note: Set(f.excepted.map(|e| format!("文件声明为{e}，依法公开个人信息"))),
                            found_at: Set(now),
                            last_seen_at: Set(now),
                            last_run: Set(token.into()),
                            due_on: Set(Some(due)),
                            ..Default::default()
                        },
                    )
                    .await?;
                    run.new += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// The findings `actor` answers for (the district office: all), in `statuses` (empty:
    /// every state), worst first.
    pub async fn patrol_findings(&self, actor: &Actor, statuses: &[FindingStatus]) -> Result<Vec<FindingRecord>> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("只有审核人员和公开办可以查看巡查结果".into()));
        }
        let orgs = if actor.role.is_district_wide() { None } else { Some(vec![actor.org_id]) };
        let codes: Vec<&str> = statuses.iter().map(|s| s.code()).collect();
        let rows = gongkai_store::patrol::list(self.store.conn(), orgs.as_deref(), &codes).await?;
        rows.into_iter().map(FindingRecord::try_from).collect()
    }

    /// A person's decision on a finding: a false positive (with the reason; it is not
    /// reported again), or escalated to the district office.
    pub async fn resolve_finding(
        &self,
        actor: &Actor,
        id: i64,
        to: FindingStatus,
        note: &str,
    ) -> Result<FindingRecord> {
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("只有审核人员和公开办可以处理巡查结果".into()));
        }
        let note = note.trim();
        match to {
            FindingStatus::FalsePositive if note.is_empty() => {
                return Err(AppError::field("note", "请写明判断为误报的理由"));
            }
            FindingStatus::FalsePositive | FindingStatus::Escalated => {}
            _ => return Err(AppError::field("status", "只能标记为误报或上报公开办；整改后由巡查自动确认")),
        }
        if note.chars().count() > 500 {
            return Err(AppError::field("note", "理由不超过500字"));
        }
        let tx = self.store.begin_write().await?;
        let m = gongkai_store::patrol::get(&*tx, id)
            .await?
            .filter(|m| actor.may_see_org(m.org_id))
            .ok_or_else(|| AppError::NotFound("没有这条巡查结果".into()))?;
        let before = m.status.clone();
        let after = gongkai_store::patrol::resolve(
            &*tx,
            m,
            to.code(),
            actor.user_id,
            Some(note.to_string()).filter(|n| !n.is_empty()),
            self.now(),
        )
        .await?;
        self.audit(
            &*tx,
            actor,
            "patrol.resolve",
            "patrol_finding",
            Some(id),
            Some(serde_json::json!({"status": before})),
            Some(serde_json::json!({"status": after.status, "note": after.note})),
        )
        .await?;
        tx.commit().await?;
        FindingRecord::try_from(after)
    }
}

/// Where the open work stands: findings by kind, by body (with how many are overdue) and
/// by age, and the 找错 reports by state with their average reply time.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PatrolSummary {
    /// (kind, open findings)
    pub by_kind: Vec<(String, usize)>,
    /// (body, open findings, of which overdue)
    pub by_org: Vec<(String, usize, usize)>,
    /// (age, open findings): found today, within a week, longer ago
    pub by_age: Vec<(String, usize)>,
    pub reports_waiting: usize,
    pub reports_overdue: usize,
    pub reports_answered: usize,
    /// Days from receipt to answer, on average, of the answered reports.
    pub average_reply_days: Option<f64>,
    /// 咨询建言 and 领导信箱 by state and clock.
    pub messages: crate::messages::MessageSummary,
}

impl App {
    pub async fn patrol_summary(&self, actor: &Actor) -> Result<PatrolSummary> {
        let open = self.patrol_findings(actor, &[FindingStatus::Open, FindingStatus::Escalated]).await?;
        let today = self.today();
        let orgs = self.orgs().await?;
        let name =
            |id: i64| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_else(|| "（未知）".into());
        let mut by_kind: Vec<(String, usize)> = Vec::new();
        let mut by_org: Vec<(String, usize, usize)> = Vec::new();
        let mut by_age = vec![("今天发现".to_string(), 0), ("一周内".to_string(), 0), ("一周以上".to_string(), 0)];
        for f in &open {
            match by_kind.iter_mut().find(|(k, _)| k == f.kind_label) {
                Some(k) => k.1 += 1,
                None => by_kind.push((f.kind_label.to_string(), 1)),
            }
            let overdue = usize::from(f.due_on.is_some_and(|d| d < today));
            let org = name(f.org_id);
            match by_org.iter_mut().find(|(o, _, _)| *o == org) {
                Some(o) => {
                    o.1 += 1;
                    o.2 += overdue;
                }
                None => by_org.push((org, 1, overdue)),
            }
            let age = (today - crate::beijing_date(f.found_at)).whole_days();
            by_age[if age < 1 {
                0
            } else if age <= 7 {
                1
            } else {
                2
            }]
            .1 += 1;
        }
        by_kind.sort_by_key(|k| std::cmp::Reverse(k.1));
        by_org.sort_by_key(|o| std::cmp::Reverse(o.1));
        let reports = self.error_reports(actor).await?;
        let answered: Vec<f64> = reports
            .iter()
            .filter_map(|r| r.public.answered_on.map(|a| (a - r.public.received_on).whole_days() as f64))
            .collect();
        Ok(PatrolSummary {
            by_kind,
            by_org,
            by_age,
            reports_waiting: reports.iter().filter(|r| r.public.answer.is_none()).count(),
            reports_overdue: reports.iter().filter(|r| r.overdue).count(),
            reports_answered: answered.len(),
            average_reply_days: (!answered.is_empty())
                .then(|| (answered.iter().sum::<f64>() / answered.len() as f64 * 10.0).round() / 10.0),
            messages: self.message_summary(actor).await?,
        })
    }
}

/// The findings as a workbook for the office's ledger: one row each, personal data masked.
pub fn findings_xlsx(rows: &[FindingRecord]) -> Result<Vec<u8>> {
    let columns = [
        ("风险", 6.0),
        ("问题", 16.0),
        ("内容类型", 10.0),
        ("标题", 36.0),
        ("位置", 12.0),
        ("内容（已去标识化）", 40.0),
        ("建议", 24.0),
        ("状态", 8.0),
        ("处理期限", 12.0),
        ("说明", 24.0),
    ];
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|f| {
            vec![
                f.severity.label().to_string(),
                f.kind_label.to_string(),
                crate::search::content_label(&f.source).to_string(),
                f.title.clone(),
                f.field.clone(),
                f.context.clone(),
                f.replacement.clone(),
                f.status_label.to_string(),
                f.due_on.map(|d| d.to_string()).unwrap_or_default(),
                f.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    crate::office::ledger_xlsx("巡查结果", &columns, &rows)
}

/// What masking a document changed: the kinds masked, as staff may see them, and what
/// became of each attachment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Masked {
    /// Each span masked: its kind and its mask (3701**********1235).
    pub masked: Vec<(String, String)>,
    /// (file name, what was done: 已去标识化N处, or 已暂停公开 for a file that cannot be
    /// rewritten here)
    pub files: Vec<(String, String)>,
}

/// Why a withheld attachment is not public, as the portal says in its place.
const WITHHELD: &str = "含有个人信息，已暂停公开，待上传去标识化后的文件";

impl App {
    /// De-identifies a document before it is published: every span of personal data in
    /// its title, body and attachments replaced by its mask (a design choice, not a legal
    /// format; RULES.md §7). A .docx, .xlsx or .txt is rewritten; a PDF, an OFD or an
    /// image with personal data in its text cannot be rewritten here, so it is withheld
    /// from the public until a masked file is uploaded. Recorded in the audit log, the
    /// masks only.
    pub async fn mask_document(&self, actor: &Actor, id: i64) -> Result<Masked> {
        use gongkai_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
        use gongkai_store::{attachment, document};
        if !actor.role.can_edit() && !actor.role.can_review() {
            return Err(AppError::Forbidden("当前角色不能修改文件".into()));
        }
        let tx = self.store.begin_write().await?;
        let m = document::Entity::find_by_id(id)
            .one(&*tx)
            .await?
            .filter(|m| actor.may_see_org(m.org_id))
            .ok_or_else(|| AppError::NotFound(format!("文件（编号 {id}）不存在")))?;
        let status = gongkai_domain::Status::parse(&m.status).unwrap_or(gongkai_domain::Status::Draft);
        if matches!(status, gongkai_domain::Status::Published | gongkai_domain::Status::Withdrawn) {
            return Err(AppError::Conflict("已发布或已撤回的文件请修订后重新发布".into()));
        }
        let (in_title, in_body) = (files::maskable_in(&m.title), files::maskable_in(&m.body));
        let label = |f: &Finding| (f.kind.label().to_string(), f.replacement.clone());
        let mut masked: Vec<(String, String)> = in_title.iter().chain(&in_body).map(label).collect();
        let mut done: Vec<(String, String)> = Vec::new();
        let now = self.now();
        let files_of = attachment::Entity::find()
            .filter(attachment::Column::DocumentId.eq(id))
            .filter(attachment::Column::WithheldReason.is_null())
            .all(&*tx)
            .await?;
        for a in files_of {
            let ext = a.file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
            let rewritten = match ext.as_str() {
                "docx" | "xlsx" => {
                    let (ext2, bytes) = (ext.clone(), a.content.clone());
                    tokio::task::spawn_blocking(move || files::mask_file(&ext2, &bytes)).await.ok().flatten()
                }
                "txt" => files::mask_text_file(&a.content),
                _ => None,
            };
            let name = a.file_name.clone();
            if let Some((bytes, found)) = rewritten {
                masked.extend(found.iter().map(label));
                done.push((name, format!("已去标识化{}处", found.len())));
                let text = crate::attachments::extract_text(&ext, &bytes).await;
                let sha = {
                    use sha2::Digest;
                    hex::encode(sha2::Sha256::digest(&bytes))
                };
                let mut am: attachment::ActiveModel = a.into();
                am.size = Set(bytes.len() as i64);
                am.sha256 = Set(sha);
                am.content = Set(bytes);
                am.extracted_text = Set(text);
                am.update(&*tx).await?;
            } else if !files::maskable_in(&a.extracted_text).is_empty() {
                done.push((name, "已暂停公开：此类文件不能在本系统中改写，请上传去标识化后的文件".into()));
                let mut am: attachment::ActiveModel = a.into();
                am.withheld_reason = Set(Some(WITHHELD.into()));
                am.update(&*tx).await?;
            }
        }
        if masked.is_empty() && done.is_empty() {
            return Err(AppError::Rule("标题、正文和附件中没有发现需要去标识化的个人信息".into()));
        }
        let (title, body) = (patrol::mask(&m.title, &in_title), patrol::mask(&m.body, &in_body));
        let mut am: document::ActiveModel = m.into();
        am.title = Set(title);
        am.body = Set(body);
        am.updated_at = Set(now);
        am.update(&*tx).await?;
        self.audit(
            &*tx,
            actor,
            "document.mask_personal",
            "document",
            Some(id),
            None,
            Some(serde_json::json!({ "masked": masked, "files": done })),
        )
        .await?;
        tx.commit().await?;
        Ok(Masked { masked, files: done })
    }

    /// Withholds an attachment from the public — a published document's file found to hold
    /// personal data, or a scan a person has read — until a masked file replaces it (by a
    /// revision). A reviewer decides; the search index and the patrol drop its text.
    pub async fn withhold_attachment(&self, actor: &Actor, attachment_id: i64, note: &str) -> Result<()> {
        use gongkai_store::sea_orm::{ActiveModelTrait, EntityTrait};
        use gongkai_store::{attachment, document};
        if !actor.role.can_review() {
            return Err(AppError::Forbidden("暂停公开附件须由审核人员或公开办决定".into()));
        }
        let tx = self.store.begin_write().await?;
        let a = attachment::Entity::find_by_id(attachment_id)
            .one(&*tx)
            .await?
            .ok_or_else(|| AppError::NotFound("附件不存在".into()))?;
        let d = document::Entity::find_by_id(a.document_id)
            .one(&*tx)
            .await?
            .filter(|d| actor.may_see_org(d.org_id))
            .ok_or_else(|| AppError::NotFound("附件不存在".into()))?;
        if a.withheld_reason.is_some() {
            return Err(AppError::Conflict("该附件已暂停公开".into()));
        }
        let note = note.trim();
        if note.chars().count() > 200 {
            return Err(AppError::field("note", "说明不超过200字"));
        }
        let what = serde_json::json!({"attachment": a.id, "note": note});
        let mut am: attachment::ActiveModel = a.into();
        am.withheld_reason = Set(Some(WITHHELD.into()));
        am.update(&*tx).await?;
        if d.status == gongkai_domain::Status::Published.code() {
            // What the public sees changed: the index drops the file's text.
            gongkai_store::queries::record_change(&*tx, crate::search::DOCUMENT, d.id, self.now()).await?;
        }
        self.audit(&*tx, actor, "attachment.withhold", "document", Some(d.id), None, Some(what)).await?;
        tx.commit().await?;
        if d.status == gongkai_domain::Status::Published.code()
            && let Err(e) = self.patrol_record(crate::search::DOCUMENT, d.id).await
        {
            tracing::warn!(error = %e, "patrol after withholding an attachment");
        }
        Ok(())
    }
}

/// The patrol of everything public, once a day on one node.
pub struct DailyPatrol;

impl crate::jobs::Job for DailyPatrol {
    fn kind(&self) -> &'static str {
        "patrol"
    }
    fn label(&self) -> &'static str {
        "内容巡查"
    }
    fn every(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(24 * 3600))
    }
    fn run<'a>(&'a self, ctx: &'a crate::jobs::JobCtx) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let r = ctx.app.run_patrol().await?;
            let (n, new, fixed, asked) = (r.records, r.new, r.fixed, r.links.asked);
            Ok(Some(format!("{n}件，新发现{new}处，已整改{fixed}处，询问外部链接{asked}个")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;

    #[test]
    fn a_context_never_shows_part_of_a_number() {
        // The 文号's context window (30 bytes back) starts inside the identity number.
        let text = "身份证号370116198001011235，请核对。文件：示民发[2025]3号";
        let found = check("document", 1, 1, "t", &[Part { field: "正文", text }], &Lists::none());
        let kinds: Vec<FindingKind> = found.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [FindingKind::ResidentId, FindingKind::DocNo]);
        assert!(found[0].context.contains("3701**********1235"), "{}", found[0].context);
        assert!(!found[1].context.contains("1235"), "not the number's tail: {}", found[1].context);
        assert!(found[1].context.contains("示民发[2025]3号"), "{}", found[1].context);
    }

    #[test]
    fn the_ledger_workbook_carries_the_masked_findings() {
        let f = FindingRecord {
            id: 1,
            source: "document".into(),
            record_id: 9,
            org_id: 1,
            title: "低保公示".into(),
            field: "正文".into(),
            kind: FindingKind::ResidentId,
            kind_label: FindingKind::ResidentId.label(),
            severity: Severity::High,
            shown: "3701**********1235".into(),
            replacement: "3701**********1235".into(),
            context: "身份证号3701**********1235。".into(),
            status: FindingStatus::Open,
            status_label: FindingStatus::Open.label(),
            found_at: time::OffsetDateTime::UNIX_EPOCH,
            due_on: Some(time::macros::date!(2025 - 07 - 02)),
            note: None,
        };
        let bytes = findings_xlsx(&[f]).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut strings = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
        for want in ["风险", "身份证号码", "低保公示", "身份证号3701**********1235。", "待处理", "2025-07-02"]
        {
            assert!(strings.contains(want), "{want}: {strings}");
        }
    }

    /// Hard negatives from real text: the shipped laws hold no identity, card or mobile
    /// numbers, so nothing personal may be found in them, whatever their digits.
    #[test]
    fn nothing_personal_is_found_in_the_laws_corpus() {
        let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(crate::import::LAWS_CORPUS));
        let (mut laws, mut hits) = (0, Vec::new());
        for line in reader.lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let body = v["body"].as_str().unwrap_or("");
            laws += 1;
            for f in patrol::scan(body, &[]) {
                if f.kind.is_personal() && f.kind != FindingKind::Landline && f.kind != FindingKind::Email {
                    hits.push(format!("{}: {} {}", v["title"], f.kind.label(), &body[f.start..f.end]));
                }
            }
        }
        assert!(laws > 3000, "the whole corpus: {laws}");
        assert!(hits.is_empty(), "{} hits:\n{}", hits.len(), hits.join("\n"));
    }
}
