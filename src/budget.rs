//! The per-file time budget (`time-budget` in the config, `--time-budget SECONDS`): a file
//! that takes longer to check than the budget is reported as `HL008` (time-budget-exceeded),
//! naming the file, and the rest of the run goes on. Every stage is meant to take near-linear
//! time; the budget is the backstop for an input shape that is still slow, so that one
//! hostile file cannot hold up a CI run with nothing reported.
//!
//! It is cooperative: the engine sets a deadline for the thread that checks a file
//! ([`Deadline::start`]), and [`check`] is called at stage boundaries (after parsing, after
//! the scan, before and after each rule) and inside the loops that go over a file's blocks
//! and sentences. Past the deadline, `check` unwinds to the engine's `catch_unwind` with an
//! [`OverBudget`] payload (through `resume_unwind`, so no panic message is printed), which
//! turns it into the finding. Nothing is killed: the thread stops at the next check, and the
//! file's partial findings are dropped. A budget of 0 trips at the first check, whatever the
//! machine's speed; that is how the tests reach it.
//!
//! The deadline is a thread-local, so that deep loops need no extra parameter; work a check
//! hands to other threads does not see it (none does today).

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The budget when neither the config nor the command line gives one.
pub const DEFAULT: Duration = Duration::from_secs(10);

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// How many more checks pass before the clock is read again.
    static UNTIL_CLOCK: Cell<u32> = const { Cell::new(0) };
}

/// The clock is read at every this many checks: a check sits in loops that run once per
/// match, where a clock read each time was a seventieth of a long file's time, and this many
/// steps of such a loop take microseconds.
const CHECKS_PER_CLOCK_READ: u32 = 64;

/// The payload a check past its deadline unwinds with.
#[derive(Debug)]
pub struct OverBudget;

/// The deadline of the file this thread is checking; dropping it clears the deadline (and
/// restores an outer one, should checks ever nest).
#[must_use]
pub struct Deadline {
    outer: Option<Instant>,
}

impl Deadline {
    /// Starts the clock for one file.
    pub fn start(budget: Duration) -> Deadline {
        // A budget too large for the clock is no limit.
        let deadline = Instant::now().checked_add(budget);
        // The first check of a file reads the clock: a budget of 0 trips there.
        UNTIL_CLOCK.with(|n| n.set(0));
        Deadline {
            outer: DEADLINE.with(|d| d.replace(deadline)),
        }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.outer));
    }
}

/// Stops the file's check if its deadline has passed (see the module documentation). Cheap
/// enough for a loop over matches: two thread-local reads, and a clock read (tens of
/// nanoseconds) at every [`CHECKS_PER_CLOCK_READ`]th call; nothing when no deadline is set.
pub fn check() {
    if let Some(deadline) = DEADLINE.with(Cell::get) {
        let due = UNTIL_CLOCK.with(|n| match n.get() {
            0 => {
                n.set(CHECKS_PER_CLOCK_READ - 1);
                true
            }
            left => {
                n.set(left - 1);
                false
            }
        });
        if due && Instant::now() >= deadline {
            std::panic::resume_unwind(Box::new(OverBudget));
        }
    }
}

/// A budget as people read it: "10 s", "0.25 s".
pub fn describe(budget: Duration) -> String {
    format!("{} s", budget.as_secs_f64())
}

/// Parses a budget in seconds as written on the command line or in the config: a number of
/// seconds, fractions allowed, 0 included (every file is over it; for tests).
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` is not a number of seconds from 0 up"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_budget_trips_at_the_first_check_and_is_cleared_after() {
        let caught = std::panic::catch_unwind(|| {
            let _deadline = Deadline::start(Duration::ZERO);
            check();
        });
        assert!(caught.is_err_and(|p| p.is::<OverBudget>()));
        // The guard was dropped while unwinding: no deadline is left behind.
        check();
        let _deadline = Deadline::start(Duration::from_secs(3600));
        check();
    }

    /// The clock is read at every 64th check only: a deadline that passes between two reads
    /// still stops the file within that many checks.
    #[test]
    fn a_deadline_passed_after_a_clock_read_trips_within_the_next_reads() {
        let caught = std::panic::catch_unwind(|| {
            let _deadline = Deadline::start(Duration::from_millis(20));
            check();
            std::thread::sleep(Duration::from_millis(30));
            for _ in 0..CHECKS_PER_CLOCK_READ {
                check();
            }
        });
        assert!(caught.is_err_and(|p| p.is::<OverBudget>()));
    }

    #[test]
    fn budgets_parse_as_seconds() {
        assert_eq!(parse_seconds("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_seconds("0"), Ok(Duration::ZERO));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("ten").is_err());
        assert!(parse_seconds("NaN").is_err());
    }
}
