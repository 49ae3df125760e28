//! The injectable clock. Everything that reads the time takes a [`Clock`],
//! so that deadline, skew and retry logic is tested instantly and
//! deterministically with [`ManualClock`].

use std::sync::Mutex;

use chrono::{TimeDelta, Utc};

use crate::time::Timestamp;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(Utc::now())
    }
}

/// A clock that moves only when told to. For tests and simulations.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock forward (or back, with a negative delta).
    pub fn advance(&self, delta: TimeDelta) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = now.plus(delta);
    }

    /// Sets the clock.
    pub fn set(&self, at: Timestamp) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The wall clock moved forward by a settable amount: time runs, and can
/// also jump ahead. For simulations that must show what hours bring (the
/// demo's missed deadline) in seconds.
#[derive(Debug, Default)]
pub struct OffsetClock(Mutex<TimeDelta>);

impl OffsetClock {
    /// The wall clock, not yet moved.
    pub fn new() -> Self {
        Self::default()
    }

    /// Jumps ahead by `delta` (back, if negative).
    pub fn advance(&self, delta: TimeDelta) {
        let mut offset = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *offset += delta;
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        let offset = *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        SystemClock.now().plus(offset)
    }
}
