//! How staff are told of what is due: the message channel of a reminder (and, later, of a
//! push). Named `NotifyVia`, not `channel`, which is 公开渠道 (docs/GLOSSARY.md).

use crate::document::labelled_enum;

labelled_enum! {
    /// Where a reminder went.
    NotifyVia {
        Console = "console" / "后台提醒",
        Email = "email" / "电子邮件",
    }
}

labelled_enum! {
    /// What became of one reminder: `sending` while a node that claimed it sends it,
    /// `no_email` when the person has no address on file.
    ReminderStatus {
        Sending = "sending" / "发送中",
        Sent = "sent" / "已发送",
        Failed = "failed" / "发送失败",
        NoEmail = "no_email" / "未登记电子邮箱",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_stored_values() {
        assert_eq!(NotifyVia::parse("email"), Some(NotifyVia::Email));
        assert_eq!(ReminderStatus::parse("no_email"), Some(ReminderStatus::NoEmail));
        assert_eq!(ReminderStatus::parse("delivered"), None);
    }
}
