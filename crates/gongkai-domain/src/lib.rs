//! gongkai's rules, free of I/O: identifiers with check characters, document numbers,
//! document metadata and validity, the publishing workflow, body structure and diffs.
//! Every rule is unit-tested with cases from `shared/domain/RULES.md`.

pub mod body;
pub mod calendar;
pub mod deadline;
pub mod diff;
pub mod doc_no;
pub mod document;
pub mod faq;
pub mod fee;
pub mod gongwen;
pub mod handling;
pub mod ids;
pub mod letter;
pub mod login;
pub mod message;
pub mod notify;
pub mod org;
pub mod patrol;
pub mod privacy;
pub mod qa;
pub mod report;
pub mod request;
pub mod text;
pub mod topic;
pub mod workflow;

pub use doc_no::{DocNo, DocNoError};
pub use document::{
    Category, DisclosureMode, DocumentDates, DocumentKind, FieldError, Validity, ValidityFacts, derive_validity,
};
pub use ids::{CreditCode, IndexNo, ResidentId};
pub use org::{OrgKind, Role};
pub use workflow::{Action, Status, WorkflowState};

use time::{Date, OffsetDateTime, UtcOffset};

/// China Standard Time: dates in gongkai are Beijing dates.
pub const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The only way the system learns the time; tests pass a fixed clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
    fn today(&self) -> Date {
        self.now().to_offset(CST).date()
    }
}

/// A clock that stands still, for tests and reproducible imports.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);
impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// Interpretation forms (政策解读的形式).
pub mod interpretation {
    use crate::document::labelled_enum;
    labelled_enum! {
        Form {
            Text = "text" / "文字解读",
            Graphic = "graphic" / "图解",
            Video = "video" / "视频解读",
            H5 = "h5" / "H5解读",
            Expert = "expert" / "专家解读",
            Media = "media" / "媒体解读",
        }
    }
}
