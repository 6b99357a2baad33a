//! Throttling of failed logins. There is no permanent lock-out (anyone could lock the
//! administrator out by typing wrong passwords): after `threshold` failures in a row under
//! one user name, or from one source address, each further try waits — 1 minute, then 2,
//! 4, 8 … up to `cap` — and the right password works again once the wait is over.

use time::Duration;

/// How long to wait after `failures` failures in a row, if at all.
pub fn throttle_delay(failures: u32, threshold: u32, cap: Duration) -> Option<Duration> {
    if failures < threshold.max(1) {
        return None;
    }
    let doublings = (failures - threshold.max(1)).min(20);
    Some((Duration::minutes(1) * (1u32 << doublings)).min(cap))
}

/// What a throttled caller is told: the same words whether or not the user name exists.
pub fn throttled_message(wait: Duration) -> String {
    let minutes = (wait.whole_seconds() + 59) / 60;
    format!("登录失败次数过多，暂时锁定：请{}分钟后再试（每多错一次，等待时间加倍）", minutes.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_threshold_up_to_the_cap() {
        let cap = Duration::minutes(15);
        let cases = [
            (0, None),
            (4, None),
            (5, Some(1)),
            (6, Some(2)),
            (7, Some(4)),
            (8, Some(8)),
            (9, Some(15)),
            (60, Some(15)),
        ];
        for (failures, minutes) in cases {
            assert_eq!(throttle_delay(failures, 5, cap), minutes.map(Duration::minutes), "{failures}");
        }
        assert_eq!(
            throttled_message(Duration::seconds(61)),
            "登录失败次数过多，暂时锁定：请2分钟后再试（每多错一次，等待时间加倍）"
        );
    }
}
