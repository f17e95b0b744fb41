//! Polling until something holds: a daemon that answers some time after it starts, a server's
//! health endpoint, a process that ends some time after a signal, a line that shows up in a
//! log. The one loop every waiting place in xtask and the end-to-end tests goes through.

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// Why [`wait_until`] gave up.
#[derive(Debug, thiserror::Error)]
pub enum WaitError<Observation: Debug> {
    /// The condition did not hold within the time limit; `last` is what the final poll saw.
    #[error("timed out after {timeout:?} waiting for {awaited}; last seen: {last:?}")]
    TimedOut {
        /// What was awaited, as given to [`wait_until`].
        awaited: String,
        /// The time limit.
        timeout: Duration,
        /// The last observation.
        last: Observation,
    },
    /// Observing failed (the process exited, an answer was wrong): waiting longer would not help.
    #[error("stopped waiting for {awaited}")]
    Failed {
        /// What was awaited, as given to [`wait_until`].
        awaited: String,
        /// Why observing failed.
        #[source]
        source: anyhow::Error,
    },
}

impl<Observation: Debug> WaitError<Observation> {
    /// The last observation of a timeout, for callers that judge it themselves (`wait_until(…)
    /// .or_else(WaitError::into_last)`); a failure stays an error.
    pub fn into_last(self) -> Result<Observation, WaitError<Observation>> {
        match self {
            WaitError::TimedOut { last, .. } => Ok(last),
            failed @ WaitError::Failed { .. } => Err(failed),
        }
    }
}

/// Calls `observe` every `interval` until `ready` holds for what it returned, and returns that
/// observation. The first poll is immediate; the last one is at `timeout` after the first
/// (`Duration::MAX`: no time limit).
///
/// Errors: [`WaitError::TimedOut`] with the last observation when `timeout` passes;
/// [`WaitError::Failed`] as soon as `observe` fails (it fails to stop the wait early, e.g. when
/// the process that should answer has exited).
pub fn wait_until<Observation: Debug>(
    awaited: &str,
    timeout: Duration,
    interval: Duration,
    mut observe: impl FnMut() -> anyhow::Result<Observation>,
    mut ready: impl FnMut(&Observation) -> bool,
) -> Result<Observation, WaitError<Observation>> {
    let deadline = Instant::now().checked_add(timeout);
    loop {
        let seen = observe().map_err(|source| WaitError::Failed {
            awaited: awaited.to_string(),
            source,
        })?;
        if ready(&seen) {
            return Ok(seen);
        }
        let pause = match deadline {
            None => interval,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(WaitError::TimedOut {
                        awaited: awaited.to_string(),
                        timeout,
                        last: seen,
                    });
                }
                interval.min(left)
            }
        };
        std::thread::sleep(pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::bail;

    const TICK: Duration = Duration::from_millis(5);

    #[test]
    fn returns_the_first_ready_observation() -> anyhow::Result<()> {
        let mut polls = 0;
        let seen = wait_until(
            "the third poll",
            Duration::from_secs(10),
            TICK,
            || {
                polls += 1;
                Ok(polls)
            },
            |&n| n == 3,
        )?;
        assert_eq!(seen, 3);
        Ok(())
    }

    #[test]
    fn times_out_with_the_last_observation() {
        let mut polls = 0;
        let started = Instant::now();
        let result = wait_until(
            "a count of 1000",
            Duration::from_millis(50),
            TICK,
            || {
                polls += 1;
                Ok(polls)
            },
            |&n| n == 1000,
        );
        let waited = started.elapsed();
        let Err(error) = result else {
            panic!("the wait did not time out");
        };
        let message = error.to_string();
        assert!(
            message.starts_with("timed out after 50ms waiting for a count of 1000; last seen: "),
            "{message}"
        );
        assert!(waited >= Duration::from_millis(50), "{waited:?}");
        let last = error.into_last().map_err(|e| e.to_string());
        assert_eq!(last, Ok(polls));
        assert!(polls >= 2, "polled {polls} times");
    }

    #[test]
    fn stops_at_the_first_failure() {
        let mut polls = 0;
        let result: Result<u32, _> = wait_until(
            "a process",
            Duration::from_secs(10),
            TICK,
            || {
                polls += 1;
                bail!("the process (pid 42) exited")
            },
            |_| false,
        );
        assert_eq!(polls, 1);
        let error = anyhow::Error::from(result.expect_err("the wait did not fail"));
        assert_eq!(
            format!("{error:#}"),
            "stopped waiting for a process: the process (pid 42) exited"
        );
        let Err(failed) = wait_until::<u32>("x", Duration::ZERO, TICK, || bail!("gone"), |_| true)
        else {
            panic!("a failed observation was ready");
        };
        assert!(failed.into_last().is_err());
    }

    #[test]
    fn waits_without_a_limit() -> anyhow::Result<()> {
        let mut polls = 0;
        let seen = wait_until(
            "the second poll",
            Duration::MAX,
            TICK,
            || {
                polls += 1;
                Ok(polls)
            },
            |&n| n == 2,
        )?;
        assert_eq!(seen, 2);
        Ok(())
    }
}
