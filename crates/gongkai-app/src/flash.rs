//! Flash messages (see `gongkai_store::flash`): set by a form's handler before it
//! redirects, shown by the page it redirects to.

use crate::{App, Result, sha256_hex};
use gongkai_store::flash as q;

/// How long a flash waits to be shown: long enough for a slow redirect, and for an
/// applicant's receipt to be shown again on a refresh or a resubmission in the same
/// browser (the 10 minutes in which an identical application is not filed again).
const FLASH_MINUTES: i64 = 15;

impl App {
    /// A new browser token for flash messages.
    pub fn new_flash_token() -> String {
        crate::random_hex(16)
    }

    /// Keeps `payload` (JSON) for the browser holding `token`.
    pub async fn put_flash(&self, token: &str, payload: &str) -> Result<()> {
        let now = self.now();
        let tx = self.store.begin_write().await?;
        q::put(&*tx, &sha256_hex(token), payload, now, now + time::Duration::minutes(FLASH_MINUTES)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The flash of `token`, left in place (a receipt shown again on a refresh).
    pub async fn peek_flash(&self, token: &str) -> Result<Option<String>> {
        Ok(q::get(self.store.conn(), &sha256_hex(token), self.now()).await?)
    }

    /// The flash of `token`, removed: shown once.
    pub async fn take_flash(&self, token: &str) -> Result<Option<String>> {
        let id = sha256_hex(token);
        let found = q::get(self.store.conn(), &id, self.now()).await?;
        if found.is_some() {
            let tx = self.store.begin_write().await?;
            q::delete(&*tx, &id).await?;
            tx.commit().await?;
        }
        Ok(found)
    }
}
