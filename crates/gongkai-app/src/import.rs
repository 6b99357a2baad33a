//! Import and export in JSON Lines, the format of `shared/data/laws-corpus.jsonl`
//! (plus an optional `gongkai` object with the fields that format lacks).

use crate::documents::DocumentView;
use crate::{Actor, App, AppError, Result};
use gongkai_domain::{Category, DocNo, DocumentKind, Status, Validity};
use gongkai_store::queries;
use gongkai_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use gongkai_store::{document, org};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use time::Date;

/// One line of the corpus format.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Record {
    pub id: String,
    pub title: String,
    pub issuer: Option<String>,
    pub doc_no: Option<String>,
    pub doc_type: Option<String>,
    pub written_on: Option<String>,
    pub published_on: Option<String>,
    pub effective_on: Option<String>,
    pub validity: Option<String>,
    pub category: Option<String>,
    pub body: Option<String>,
    pub source_path: Option<String>,
    pub version_of: Option<String>,
    pub family: Option<String>,
    #[serde(default)]
    pub history: Option<History>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gongkai: Option<Extra>,
}

/// Adoption and amendment notes: one string or a list of them.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum History {
    Many(Vec<String>),
    One(String),
}

impl History {
    pub fn joined(&self) -> String {
        match self {
            History::Many(v) => v.join("\n"),
            History::One(s) => s.clone(),
        }
    }
}

/// gongkai's own fields, written by `export` and read back by `import`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Extra {
    pub index_no: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub topic: Option<String>,
    pub expires_on: Option<String>,
    pub disclosure_mode: Option<String>,
    pub co_issuers: Vec<String>,
    pub keywords: String,
    pub version_no: i32,
    pub validity: String,
}

/// 发文机关 of a corpus record that names none.
pub const UNNAMED_ISSUER: &str = "未注明";

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub lines: usize,
    pub imported: usize,
    pub unchanged: usize,
    /// (line number, message)
    pub errors: Vec<(usize, String)>,
}

struct Parsed {
    line: usize,
    rec: Record,
    signed_on: Option<Date>,
    published_on: Option<Date>,
    effective_on: Option<Date>,
    expires_on: Option<Date>,
}

fn date(field: &str, v: &Option<String>) -> Result<Option<Date>, String> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
            .map(Some)
            .map_err(|_| format!("{field} 不是有效日期：{s}")),
    }
}

fn parse_line(line: usize, text: &str) -> Result<Parsed, String> {
    let rec: Record = serde_json::from_str(text).map_err(|e| format!("JSON 无法解析：{e}"))?;
    if rec.id.trim().is_empty() || rec.id.len() > 100 {
        return Err("缺少 id".into());
    }
    if rec.title.trim().is_empty() {
        return Err("缺少标题 title".into());
    }
    if rec.title.chars().count() > 500 {
        return Err("标题过长".into());
    }
    let expires = rec.gongkai.as_ref().and_then(|g| g.expires_on.clone());
    Ok(Parsed {
        line,
        signed_on: date("written_on", &rec.written_on)?,
        published_on: date("published_on", &rec.published_on)?,
        effective_on: date("effective_on", &rec.effective_on)?,
        expires_on: date("expires_on", &expires)?,
        rec,
    })
}

impl App {
    /// Imports JSON Lines. Versions are linked through `family`/`version_of`; records
    /// already present (by `id`) are left unchanged, so running it twice changes nothing.
    /// Each family is committed on its own: what was reported as imported stays imported.
    pub async fn import_jsonl<R: BufRead>(
        &self,
        actor: &Actor,
        owner_org: Option<i64>,
        reader: R,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport> {
        if !actor.role.is_district_wide() {
            return Err(AppError::Forbidden("只有系统管理员和公开办可以导入".into()));
        }
        let owner = match owner_org {
            Some(id) => self.org_row(id).await?,
            None => org::Entity::find()
                .order_by_asc(org::Column::Id)
                .one(self.store.conn())
                .await?
                .ok_or_else(|| AppError::Rule("请先创建机构".into()))?,
        };
        let mut report = ImportReport::default();
        let mut families: BTreeMap<String, Vec<Parsed>> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        for (i, line) in reader.lines().enumerate() {
            let n = i + 1;
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    report.errors.push((n, format!("读取失败：{e}")));
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            report.lines += 1;
            match parse_line(n, &line) {
                Ok(p) => {
                    let key = p.rec.family.clone().filter(|f| !f.is_empty()).unwrap_or_else(|| p.rec.id.clone());
                    if !families.contains_key(&key) {
                        order.push(key.clone());
                    }
                    families.entry(key).or_default().push(p);
                }
                Err(e) => report.errors.push((n, e)),
            }
        }
        let total = report.lines;
        let mut done = report.errors.len();
        // Families are written in batches, each family in its own savepoint: a bad family
        // is rolled back alone, and a batch is reported only once it is committed.
        const BATCH: usize = 200;
        let mut pending: Vec<Vec<Parsed>> = Vec::new();
        let keys: Vec<String> = order;
        for (i, key) in keys.iter().enumerate() {
            let mut members = families.remove(key).unwrap_or_default();
            // Oldest first: older versions name the newest in `version_of`.
            members.sort_by_key(|p| {
                (
                    p.rec.version_of.is_none(),
                    p.rec.gongkai.as_ref().map(|g| g.version_no).unwrap_or(0),
                    p.published_on.or(p.signed_on),
                    p.line,
                )
            });
            pending.push(members);
            if pending.len() == BATCH || i + 1 == keys.len() {
                let batch = std::mem::take(&mut pending);
                let tx = self.store.begin_write().await?;
                let mut outcome = Vec::new();
                for members in &batch {
                    let sp = tx.begin().await?;
                    match self.import_family(&sp, actor, &owner, members).await {
                        Ok(counts) => {
                            sp.commit().await?;
                            outcome.push(Ok(counts));
                        }
                        Err(e) => {
                            sp.rollback().await?;
                            outcome.push(Err(e));
                        }
                    }
                }
                tx.commit().await?;
                for (members, o) in batch.iter().zip(outcome) {
                    match o {
                        Ok((imported, unchanged)) => {
                            report.imported += imported;
                            report.unchanged += unchanged;
                        }
                        Err(e) => {
                            for m in members {
                                report.errors.push((m.line, e.to_string()));
                            }
                        }
                    }
                    done += members.len();
                }
                progress(done, total);
            }
        }
        if report.imported > 0 {
            self.store.analyze().await?;
        }
        report.errors.sort();
        Ok(report)
    }

    async fn import_family<C: ConnectionTrait>(
        &self,
        tx: &C,
        actor: &Actor,
        owner: &org::Model,
        members: &[Parsed],
    ) -> Result<(usize, usize)> {
        let now = self.now();
        let mut family_id: Option<i64> = None;
        let mut ids = Vec::new();
        let (mut imported, mut unchanged) = (0, 0);
        for (pos, p) in members.iter().enumerate() {
            let existing =
                document::Entity::find().filter(document::Column::ExternalId.eq(p.rec.id.trim())).one(tx).await?;
            if let Some(e) = existing {
                family_id.get_or_insert(e.family_id);
                ids.push(e.id);
                unchanged += 1;
                continue;
            }
            let r = &p.rec;
            let extra = r.gongkai.clone().unwrap_or_default();
            let doc_no = r.doc_no.as_deref().and_then(DocNo::parse_lenient);
            let category = extra.category.as_deref().and_then(Category::parse).unwrap_or(
                if r.doc_type.as_deref() == Some("部门规章") { Category::Rules } else { Category::Other },
            );
            let kind =
                extra.kind.as_deref().and_then(DocumentKind::parse).or_else(|| DocumentKind::from_title(&r.title));
            let year = p.published_on.or(p.signed_on).map(|d| d.year()).unwrap_or(self.today().year());
            let index_no = match extra.index_no.as_deref().and_then(|s| gongkai_domain::IndexNo::parse(s).ok()) {
                Some(i)
                    if document::Entity::find()
                        .filter(document::Column::IndexNo.eq(i.to_string()))
                        .one(tx)
                        .await?
                        .is_none() =>
                {
                    i.to_string()
                }
                _ => self.assign_index_no(tx, owner, year).await?,
            };
            let m = document::ActiveModel {
                family_id: Set(family_id.unwrap_or(0)),
                version_no: Set(pos as i32 + 1),
                index_no: Set(index_no),
                title: Set(r.title.trim().to_string()),
                org_id: Set(owner.id),
                // A district's own record without an issuer is its owner's; a corpus record
                // that does not say is 未注明, never the district's.
                issuer: Set(gongkai_domain::document::issuer_of(r.issuer.as_deref(), &r.title).unwrap_or_else(|| {
                    if r.gongkai.is_some() { owner.name.clone() } else { UNNAMED_ISSUER.to_string() }
                })),
                co_issuers: Set(serde_json::to_string(&extra.co_issuers).unwrap_or_else(|_| "[]".into())),
                doc_no: Set(doc_no.as_ref().map(|d| d.to_string()).or_else(|| r.doc_no.clone())),
                doc_no_code: Set(doc_no.as_ref().map(|d| d.issuer_code().to_string())),
                doc_no_year: Set(doc_no.as_ref().and_then(|d| d.year()).map(i32::from)),
                doc_no_seq: Set(doc_no.as_ref().map(|d| d.seq() as i64)),
                kind: Set(kind.map(|k| k.code().into())),
                category: Set(category.code().into()),
                legal_level: Set(r.doc_type.clone()),
                topic: Set(extra.topic.clone()),
                signed_on: Set(p.signed_on),
                published_on: Set(p.published_on.or(p.signed_on)),
                effective_on: Set(p.effective_on),
                expires_on: Set(p.expires_on),
                disclosure_mode: Set(extra.disclosure_mode.clone().unwrap_or_else(|| "proactive".into())),
                withheld_reason: Set(None),
                keywords: Set(extra.keywords.clone()),
                body: Set(r.body.clone().unwrap_or_default()),
                status: Set(Status::Published.code().into()),
                reviews_passed: Set(0),
                declared_expired: Set(r.validity.as_deref() == Some("失效") || extra.validity == "expired"),
                external_id: Set(Some(r.id.trim().to_string())),
                source: Set(r.source_path.clone()),
                history_note: Set(r.history.as_ref().map(History::joined)),
                version_note: Set(None),
                is_sample: Set(false),
                created_by: Set(actor.user_id),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(tx)
            .await?;
            let fid = *family_id.get_or_insert(m.id);
            let m = if m.family_id != fid {
                let mut am: document::ActiveModel = m.into();
                am.family_id = Set(fid);
                am.update(tx).await?
            } else {
                m
            };
            queries::record_change(tx, "document", m.id, now).await?;
            ids.push(m.id);
            imported += 1;
        }
        if imported > 0 {
            // Older versions are superseded by the newest.
            if let Some(newest) = ids.last().copied() {
                for id in &ids[..ids.len() - 1] {
                    let d = document::Entity::find_by_id(*id).one(tx).await?;
                    if let Some(d) = d.filter(|d| d.superseded_by.is_none()) {
                        let mut am: document::ActiveModel = d.into();
                        am.superseded_by = Set(Some(newest));
                        am.update(tx).await?;
                    }
                }
            }
            self.audit(
                tx,
                actor,
                "document.import",
                "document",
                ids.last().copied(),
                None,
                Some(serde_json::json!({"external_ids": members.iter().map(|m| m.rec.id.clone()).collect::<Vec<_>>(), "ids": ids})),
            )
            .await?;
        }
        Ok((imported, unchanged))
    }

    /// Writes every published document as JSON Lines in the corpus format.
    pub async fn export_jsonl<W: Write>(&self, out: &mut W) -> Result<usize> {
        let conn = self.store.conn();
        let today = self.today();
        let mut last_id = 0i64;
        let mut n = 0;
        loop {
            let rows = document::Entity::find()
                .filter(document::Column::Id.gt(last_id))
                .filter(document::Column::Status.eq(Status::Published.code()))
                .order_by_asc(document::Column::Id)
                .limit(200)
                .all(conn)
                .await?;
            let Some(last) = rows.last() else { break };
            last_id = last.id;
            for m in &rows {
                let ext = |d: &document::Model| d.external_id.clone().unwrap_or_else(|| format!("gk-{}", d.id));
                let newest = match m.superseded_by {
                    Some(_) => queries::family(conn, m.family_id)
                        .await?
                        .into_iter()
                        .filter(|d| d.status == Status::Published.code() && d.superseded_by.is_none())
                        .map(|d| ext(&d))
                        .next(),
                    None => None,
                };
                let v = DocumentView::from_model(m, today, false);
                let rec = Record {
                    id: ext(m),
                    title: m.title.clone(),
                    issuer: Some(m.issuer.clone()),
                    doc_no: m.doc_no.clone(),
                    doc_type: m.legal_level.clone(),
                    written_on: m.signed_on.map(|d| d.to_string()),
                    published_on: m.published_on.map(|d| d.to_string()),
                    effective_on: m.effective_on.map(|d| d.to_string()),
                    validity: Some(
                        match v.validity {
                            Validity::Amended => "已被修订",
                            Validity::Expired | Validity::Repealed => "失效",
                            Validity::InForce => "有效",
                        }
                        .to_string(),
                    ),
                    category: Some(v.category_label.clone()),
                    body: Some(m.body.clone()),
                    source_path: m.source.clone(),
                    version_of: newest,
                    family: Some(format!("gk-family-{}", m.family_id)),
                    history: m.history_note.as_ref().map(|h| History::Many(h.lines().map(str::to_string).collect())),
                    gongkai: Some(Extra {
                        index_no: Some(m.index_no.clone()),
                        kind: m.kind.clone(),
                        category: Some(m.category.clone()),
                        topic: m.topic.clone(),
                        expires_on: m.expires_on.map(|d| d.to_string()),
                        disclosure_mode: Some(m.disclosure_mode.clone()),
                        co_issuers: v.co_issuers.clone(),
                        keywords: m.keywords.clone(),
                        version_no: m.version_no,
                        validity: v.validity.code().to_string(),
                    }),
                };
                serde_json::to_writer(&mut *out, &rec).map_err(|e| AppError::Internal(e.to_string()))?;
                out.write_all(b"\n").map_err(|e| AppError::Internal(e.to_string()))?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// A JSON Lines file to import, plain or gzip-compressed (told by its first bytes).
pub fn open_jsonl(path: &std::path::Path) -> Result<Box<dyn BufRead + Send>> {
    let mut f =
        std::fs::File::open(path).map_err(|e| AppError::NotFound(format!("无法打开 {}：{e}", path.display())))?;
    let mut magic = [0u8; 2];
    let gz = std::io::Read::read(&mut f, &mut magic).map(|n| n == 2 && magic == [0x1f, 0x8b]).unwrap_or(false);
    std::io::Seek::rewind(&mut f).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(if gz {
        Box::new(std::io::BufReader::new(flate2::read::GzDecoder::new(f)))
    } else {
        Box::new(std::io::BufReader::new(f))
    })
}

/// The 3,457 laws and regulations shipped with gongkai (gzip-compressed JSON Lines; source
/// and licence in `demo/laws-corpus.LICENSE.txt`: outside copyright under 著作权法第五条).
pub const LAWS_CORPUS: &[u8] = include_bytes!("../demo/laws-corpus.jsonl.gz");

/// Imports a laws corpus (the shipped one unless the payload names a file), once per
/// cluster. The import is idempotent, so a run cut short by a stop simply runs again.
pub struct ImportLaws;

#[derive(Deserialize, Default, utoipa::ToSchema)]
struct ImportLawsInput {
    path: Option<String>,
}

impl crate::jobs::Job for ImportLaws {
    fn kind(&self) -> &'static str {
        "import_laws"
    }
    fn label(&self) -> &'static str {
        "导入法律法规语料"
    }
    fn every(&self) -> Option<std::time::Duration> {
        None
    }
    fn max_attempts(&self) -> i32 {
        3
    }
    fn run<'a>(&'a self, ctx: &'a crate::jobs::JobCtx) -> crate::jobs::JobFuture<'a> {
        Box::pin(async move {
            let input: ImportLawsInput = serde_json::from_str(&ctx.payload).unwrap_or_default();
            let reader: Box<dyn BufRead + Send> = match &input.path {
                Some(p) => open_jsonl(std::path::Path::new(p))?,
                None => Box::new(std::io::BufReader::new(flate2::read::GzDecoder::new(LAWS_CORPUS))),
            };
            let actor = ctx.app.system_actor().await?;
            let r = ctx
                .app
                .import_jsonl(&actor, None, reader, &|done, total| ctx.progress(format!("{done}/{total}")))
                .await?;
            tracing::info!(
                imported = r.imported,
                unchanged = r.unchanged,
                errors = r.errors.len(),
                "laws corpus imported"
            );
            // The last progress note ("3457/3457") stays as the job's.
            Ok(None)
        })
    }
}
