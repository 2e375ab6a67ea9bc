//! Progress on a terminal for the long commands (`run`, `sensitivity`, `solve`, `sweep`,
//! `compare`): a bar over the runs to make when their number is known, otherwise a spinner
//! counting the runs made. Nothing is shown with `--quiet`, when standard error is not a
//! terminal (pipes, files, tests), or for work done within half a second.
//!
//! The estimate of the time left is honest: none until 5% of the runs and one second have
//! passed, then a straight-line extrapolation of the runs made so far. (The bar's built-in
//! estimate said "4m left" for a three-second job, extrapolating the first moments, which
//! include starting the threads.) What it must not do: change what is computed or printed
//! on standard output.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use talentsim::engine;

/// How often the display is refreshed.
const TICK: Duration = Duration::from_millis(200);
/// Work shorter than this shows nothing.
const DELAY: Duration = Duration::from_millis(500);

/// A progress display, removed when dropped.
pub struct Progress {
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts a display for `what` (the command), over `total` runs when known; `None`
    /// when quiet or when standard error is not a terminal.
    pub fn start(what: &'static str, total: Option<u64>, quiet: bool) -> Option<Progress> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let first = engine::runs_finished();
        let ticker = std::thread::spawn(move || tick(what, total, first, &flag));
        Some(Progress {
            stop,
            ticker: Some(ticker),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
    }
}

/// Refreshes the display until `stop`, then clears it.
fn tick(what: &str, total: Option<u64>, first: u64, stop: &AtomicBool) {
    let started = Instant::now();
    let bar = match total {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden()),
        None => ProgressBar::hidden(),
    };
    let template = match total {
        Some(_) => "{bar:30} {human_pos}/{human_len} runs, {msg}",
        None => "{spinner} {msg}",
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    let mut shown = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        let elapsed = started.elapsed();
        if !shown && elapsed >= DELAY {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            shown = true;
        }
        let done = engine::runs_finished().saturating_sub(first);
        bar.set_position(done);
        bar.set_message(message(what, done, total, elapsed));
        bar.tick();
    }
    bar.finish_and_clear();
}

/// Returns the text beside the bar or spinner.
fn message(what: &str, done: u64, total: Option<u64>, elapsed: Duration) -> String {
    match total {
        Some(total) => match estimate(done, total, elapsed) {
            Some(left) => format!(
                "{} elapsed, about {} left",
                duration(elapsed),
                duration(left)
            ),
            None => format!("{} elapsed", duration(elapsed)),
        },
        None => format!(
            "{what}: {} runs in {}",
            talentsim::output::text::count(done as f64),
            duration(elapsed)
        ),
    }
}

/// Estimates the time left to make `total` runs when `done` took `elapsed`: `None` until
/// 5% of the runs and one second have passed, then a straight-line extrapolation.
fn estimate(done: u64, total: u64, elapsed: Duration) -> Option<Duration> {
    if elapsed < Duration::from_secs(1) || done == 0 || done.saturating_mul(20) < total {
        return None;
    }
    let left = total.saturating_sub(done) as f64 / done as f64;
    Some(elapsed.mul_f64(left))
}

/// Formats a duration for people: "7 s", "3 min 05 s", "2 h 04 min".
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..120 => format!("{s} s"),
        120..7200 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_estimate_before_enough_work() {
        let s = Duration::from_secs;
        assert_eq!(estimate(10, 1000, s(3)), None, "1% done");
        assert_eq!(estimate(900, 1000, Duration::from_millis(300)), None);
        assert_eq!(estimate(0, 1000, s(5)), None);
    }

    #[test]
    fn the_estimate_extrapolates_the_runs_made() {
        let s = Duration::from_secs;
        assert_eq!(estimate(100, 1000, s(2)), Some(s(18)));
        assert_eq!(estimate(1000, 1000, s(2)), Some(s(0)));
        // A three-second job is never said to need minutes once estimated.
        assert_eq!(estimate(400, 1000, s(1)), Some(Duration::from_millis(1500)));
    }

    #[test]
    fn durations_read_naturally() {
        let s = Duration::from_secs;
        assert_eq!(duration(s(7)), "7 s");
        assert_eq!(duration(s(185)), "3 min 05 s");
        assert_eq!(duration(s(7440)), "2 h 04 min");
    }
}
