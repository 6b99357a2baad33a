//! The reply letter (答复书 / 告知书): drafted from the decision, edited, sent.

use super::*;
use gongkai_domain::handling::{RequestFacts, Step};

/// The reply letter of a request: the saved edit, or a draft from the decision.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Letter {
    pub title: String,
    pub text: String,
    /// Edited and saved by staff (else a fresh draft).
    pub saved: bool,
    /// Sent to the applicant: no more edits.
    pub sent: bool,
}

impl App {
    pub async fn reply_letter(&self, actor: &Actor, id: i64) -> Result<Letter> {
        let (m, rows) = self.request_for(actor, id).await?;
        let events = super::steps::recorded_all(&rows)?;
        let Some((decided_on, outcome, basis)) = events.iter().find_map(|e| match &e.step {
            Step::Decision { outcome, basis } => Some((e.on, *outcome, basis.as_str())),
            _ => None,
        }) else {
            return Err(AppError::Rule("作出答复决定后才能生成答复书".into()));
        };
        let sent = events.iter().any(|e| e.kind() == StepKind::Service);
        if let Some(saved) = events.iter().rev().find(|e| e.kind() == StepKind::Letter) {
            let title = saved.note.lines().next().unwrap_or_default().to_string();
            return Ok(Letter { title, text: saved.note.clone(), saved: true, sent });
        }
        let org_name =
            org::Entity::find_by_id(m.org_id).one(self.store.conn()).await?.map(|o| o.name).unwrap_or_default();
        let text = gongkai_domain::letter::draft(&gongkai_domain::letter::LetterContext {
            org_name: &org_name,
            tracking_no: &m.tracking_no,
            applicant: &m.name,
            received_on: m.received_on,
            description: &m.description,
            outcome,
            basis,
            decided_on,
        });
        Ok(Letter { title: gongkai_domain::letter::title(outcome).into(), text, saved: false, sent })
    }

    /// Saves the edited letter; refused once it has been sent.
    pub async fn save_letter(&self, actor: &Actor, id: i64, text: &str) -> Result<Letter> {
        let current = self.reply_letter(actor, id).await?;
        if current.sent {
            return Err(AppError::Rule("答复书已经送达，不能再修改".into()));
        }
        let (m, events) = self.request_for(actor, id).await?;
        let cal = self.calendar().await?;
        let cx = self.step_context(&cal, actor);
        let input = StepInput {
            kind: StepKind::Letter.code().into(),
            on_date: self.today().to_string(),
            note: Some(text.trim().replace("\r\n", "\n")),
            ..Default::default()
        };
        let req = RequestFacts { received_on: m.received_on, org_id: m.org_id };
        let step = super::steps::check_step(req, &super::steps::recorded_all(&events)?, &input, &cx)?;
        self.write_step(actor, &m, &events, super::steps::row_of(m.id, &step, &cx)).await?;
        self.reply_letter(actor, id).await
    }
}
