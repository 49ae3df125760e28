//! Delivery retry delays: capped exponential backoff with jitter.
//!
//! The delay before attempt `n + 1`, after `n` failures, is drawn uniformly
//! from `[d/2, d]` where `d = min(max, initial · 2^(n-1))` ("equal jitter"),
//! so retries from many nodes spread out but never wait longer than `max`.

use std::time::Duration;

/// The delay after `failures` failed attempts (`failures >= 1`); `jitter`
/// is a uniform draw from `[0, 1)`.
pub fn retry_delay(failures: u32, initial: Duration, max: Duration, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(32);
    let uncapped = initial.saturating_mul(1u32 << exponent.min(31));
    let ceiling = uncapped.min(max);
    let half = ceiling / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECOND: Duration = Duration::from_secs(1);
    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    #[test]
    fn doubles_then_caps() {
        assert_eq!(retry_delay(1, SECOND, FIVE_MINUTES, 1.0), SECOND);
        assert_eq!(retry_delay(2, SECOND, FIVE_MINUTES, 1.0), 2 * SECOND);
        assert_eq!(retry_delay(5, SECOND, FIVE_MINUTES, 1.0), 16 * SECOND);
        assert_eq!(retry_delay(30, SECOND, FIVE_MINUTES, 1.0), FIVE_MINUTES);
        assert_eq!(
            retry_delay(u32::MAX, SECOND, FIVE_MINUTES, 0.0),
            FIVE_MINUTES / 2
        );
    }

    proptest! {
        #[test]
        fn always_within_half_and_whole_of_the_capped_delay(
            failures in 1u32..100, jitter in 0.0f64..1.0, initial_ms in 1u64..10_000, max_s in 10u64..3_600
        ) {
            let initial = Duration::from_millis(initial_ms);
            let max = Duration::from_secs(max_s);
            let delay = retry_delay(failures, initial, max, jitter);
            prop_assert!(delay <= max);
            let ceiling = initial.saturating_mul(1 << (failures - 1).min(31)).min(max);
            prop_assert!(delay >= ceiling / 2);
            prop_assert!(delay <= ceiling);
        }
    }
}
