//! The changes feed: everything public that was published, changed or withdrawn, in
//! commit order, so a city or provincial library can pull without missing or repeating.

use crate::documents::DocumentView;
use crate::interpretations::InterpretationView;
use crate::{App, Result};
use gongkai_domain::Status;
use gongkai_store::queries;
use gongkai_store::sea_orm::EntityTrait;
use gongkai_store::{document, interpretation};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeItem {
    /// Cursor of this change; pass the last one seen as `since`.
    pub seq: i64,
    pub entity: String,
    pub id: i64,
    pub at: OffsetDateTime,
    /// The record is no longer public (withdrawn); remove it.
    pub removed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<InterpretationView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeItem>,
    /// Pass as `since` for the next page; equal to `since` when nothing is new.
    pub next_cursor: i64,
    pub has_more: bool,
}

impl App {
    pub async fn changes(&self, since: i64, limit: u64) -> Result<ChangePage> {
        let limit = limit.clamp(1, 500);
        let conn = self.store.conn();
        let rows = queries::changes_since(conn, since.max(0), limit + 1).await?;
        let has_more = rows.len() as u64 > limit;
        let rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
        let next_cursor = rows.last().map(|r| r.seq).unwrap_or(since.max(0));
        // Within one page a record that changed twice is sent once, at its last change.
        let mut items: Vec<ChangeItem> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            if rows[i + 1..].iter().any(|later| later.entity == r.entity && later.entity_id == r.entity_id) {
                continue;
            }
            let today = self.today();
            let mut item = ChangeItem {
                seq: r.seq,
                entity: r.entity.clone(),
                id: r.entity_id,
                at: r.at,
                removed: true,
                document: None,
                interpretation: None,
            };
            match r.entity.as_str() {
                "document" => {
                    if let Some(d) = document::Entity::find_by_id(r.entity_id).one(conn).await?
                        && d.status == Status::Published.code()
                    {
                        item.removed = false;
                        item.document = Some(DocumentView::from_model(&d, today, true));
                    }
                }
                "interpretation" => {
                    if let Some(m) = interpretation::Entity::find_by_id(r.entity_id).one(conn).await?
                        && m.status == Status::Published.code()
                    {
                        item.removed = false;
                        item.interpretation = Some(self.interpretation(None, m.id).await?);
                    }
                }
                // Any other kind of public content: public while its source still loads it.
                other => {
                    if let Some(src) = crate::search::content_sources().into_iter().find(|s| s.name() == other) {
                        item.removed = src.load(self, &[r.entity_id]).await?.is_empty();
                    }
                }
            }
            items.push(item);
        }
        Ok(ChangePage { items, next_cursor, has_more })
    }
}
