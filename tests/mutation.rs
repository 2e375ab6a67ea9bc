//! Never panic: mutated scenario texts go through validation and a short run, and every
//! one ends in either a result whose numbers are finite or a located error.
//!
//! The texts derive from the template and the shipped scenarios: lines deleted,
//! duplicated or swapped, values exchanged between lines, random bytes, truncation and
//! extreme numbers. `cargo test` runs `TALENTSIM_MUTATIONS` cases (default 20,000, a few
//! seconds in a debug build); CI runs 100,000; run it longer with, for example,
//!
//!     TALENTSIM_MUTATIONS=5000000 TALENTSIM_MUTATION_SEED=7 cargo test --release --test mutation
//!
//! A failing case is written to `target/mutation-failures/` so it can be replayed with
//! `talentsim check`. For coverage-guided search, `fuzz/` has a cargo-fuzz target over the
//! same path (validation, then a short run): `cargo +nightly fuzz run scenario`.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use talentsim::engine::{simulate, Job};
use talentsim::scenario::parse_bytes;
use talentsim::stats::summarize;

/// Cells (years x levels) above which a valid mutant is validated but not run, so that the
/// whole test stays within seconds.
const MAX_RUN_CELLS: usize = 4_000;

const EXTREMES: &[&str] = &[
    "0",
    "-0.0",
    "1",
    "-1",
    "1.0000001",
    "0.9999999999",
    "1e-320",
    "5e-324",
    "1e9",
    "1e12",
    "1e15",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "9223372036854775807",
    "-9223372036854775808",
    "2147483647",
    "-2147483648",
    "4294967296",
    "nan",
    "+inf",
    "-inf",
    "99999",
    "1000",
    "0x7fffffff",
    "\"\"",
    "[]",
    "{}",
    "true",
    "\"中文\"",
    "1979-05-27",
];

/// Lines that are valid somewhere in a scenario, inserted at random places: they reach
/// corners of the model that plain mutations of the seeds rarely produce.
const SNIPPETS: &[&str] = &[
    "growth = 10",
    "growth = -0.999999",
    "growth = 0.5",
    "first_year = 2025",
    "last_year = 2025",
    "process_noise = false",
    "runs = 1",
    "through = 2030",
    "at_most = 0",
    "at_least = 1e300",
    "end_year = 2400",
    "start_year = 1000",
    "vary = \"yearly\"",
    "junior = 1",
    "junior = 0",
    "senior = { dist = \"normal\", mean = 0, sd = 1 }",
    "senior = { dist = \"lognormal\", mean = 1e-300, sd = 1e12 }",
    "per_year = { dist = \"normal\", mean = 0, sd = 1e12 }",
    "per_year = { dist = \"uniform\", min = 0, max = 1e12, vary = \"yearly\" }",
    "per_year = 1e12",
    "split = { junior = 1 }",
    "from = \"junior\"",
    "[[transition]]\nfrom = \"senior_technician\"\nto = \"junior\"\nrate = 1",
    "[[inflow]]\nname = \"x\"\nper_year = 1e12\nsplit = { senior = 1 }\nfrom = \"junior\"",
    "[[target]]\nname = \"t\"\nmetric = \"high_skill_share\"\nyear = 2025\nat_most = 0",
    "levels = [\"a\"]\nhigh_skill_from = \"a\"",
];

fn seeds() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut texts = vec![talentsim::scenario::TEMPLATE.to_string()];
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("scenarios"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        if f.extension().is_some_and(|e| e == "toml") {
            texts.push(fs::read_to_string(f).expect("a shipped scenario is readable"));
        }
    }
    texts
}

/// Returns the byte ranges of the values in `line` that look like numbers.
fn numbers(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts =
            b[i].is_ascii_digit() || (b[i] == b'-' && i + 1 < b.len() && b[i + 1].is_ascii_digit());
        if starts && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) {
            let s = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Applies one random mutation to `text`.
fn mutate(text: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
    let s = String::from_utf8_lossy(text).into_owned();
    let mut lines: Vec<String> = s.split('\n').map(str::to_string).collect();
    let n = lines.len().max(1);
    match rng.random_range(0..12) {
        0 => {
            if lines.len() > 1 {
                lines.remove(rng.random_range(0..lines.len()));
            }
        }
        1 => {
            let i = rng.random_range(0..n.min(lines.len()).max(1));
            if let Some(l) = lines.get(i).cloned() {
                lines.insert(rng.random_range(0..=lines.len()), l);
            }
        }
        2 => {
            // Swap what follows `=` on two lines.
            let a = rng.random_range(0..lines.len());
            let b = rng.random_range(0..lines.len());
            if let (Some(ea), Some(eb)) = (lines[a].find('='), lines[b].find('=')) {
                let va = lines[a][ea..].to_string();
                let vb = lines[b][eb..].to_string();
                lines[a].replace_range(ea.., &vb);
                lines[b].replace_range(eb.., &va);
            }
        }
        3..=5 => {
            // Replace a number with an extreme one.
            let i = rng.random_range(0..lines.len());
            let spans = numbers(&lines[i]);
            if !spans.is_empty() {
                let (a, b) = spans[rng.random_range(0..spans.len())];
                let with = EXTREMES[rng.random_range(0..EXTREMES.len())];
                lines[i].replace_range(a..b, with);
            }
        }
        10 | 11 => {
            let i = rng.random_range(0..=lines.len());
            lines.insert(i, SNIPPETS[rng.random_range(0..SNIPPETS.len())].to_string());
        }
        6 => {
            // Lines in another order.
            let a = rng.random_range(0..lines.len());
            let b = rng.random_range(0..lines.len());
            lines.swap(a, b);
        }
        _ => {
            let mut bytes = lines.join("\n").into_bytes();
            if bytes.is_empty() {
                bytes.push(b'x');
            }
            match rng.random_range(0..4) {
                0 => {
                    let i = rng.random_range(0..bytes.len());
                    bytes[i] = rng.random();
                }
                1 => {
                    let i = rng.random_range(0..=bytes.len());
                    let punct = b"=[]{}\",.#\n\r\\'0-_ \t\xef\xbb\xbf\x00";
                    bytes.insert(i, punct[rng.random_range(0..punct.len())]);
                }
                2 => {
                    let i = rng.random_range(0..bytes.len());
                    bytes.remove(i);
                }
                _ => bytes.truncate(rng.random_range(0..=bytes.len())),
            }
            *text = bytes;
            return;
        }
    }
    *text = lines.join("\n").into_bytes();
}

/// Validates and (when small enough) runs one text; returns a description of what went
/// wrong, if anything did.
fn exercise(bytes: &[u8], valid: &mut u64) -> Option<String> {
    match parse_bytes("mutant.toml", bytes, "mutant") {
        Err(e) => {
            if e.diagnostics.is_empty() {
                return Some("an error without diagnostics".into());
            }
            for d in &e.diagnostics {
                if d.message.trim().is_empty() || d.line == 0 {
                    return Some(format!("an unlocated or empty diagnostic: {d:?}"));
                }
            }
            None
        }
        Ok(scenario) => {
            *valid += 1;
            let cells = (scenario.horizon() + 1) * (scenario.levels.len() + 5);
            if cells > MAX_RUN_CELLS {
                return None;
            }
            let mut job = Job::from_scenario(&scenario);
            job.runs = 2;
            let sim = match simulate(&scenario, &job, &|_| {}) {
                Ok(sim) => sim,
                // A refusal (too many redraws) is a proper error.
                Err(e) if !e.to_string().is_empty() => return None,
                Err(_) => return Some("an empty engine error".into()),
            };
            let summary = summarize(&scenario, &sim, job.seed, job.process_noise);
            if let Some(where_) = non_finite(&summary) {
                return Some(format!("NaN or infinity in the summary: {where_}"));
            }
            for row in &summary.central {
                if row.levels.iter().any(|x| !x.is_finite() || *x < 0.0) {
                    return Some(format!(
                        "a negative or infinite central stock in {}",
                        row.year
                    ));
                }
            }
            for r in &summary.projection {
                if let (Some(a), Some(b), Some(c)) = (r.p05, r.p50, r.p95) {
                    if !(a <= b && b <= c) {
                        return Some(format!(
                            "p05 <= p50 <= p95 fails for {} {}",
                            r.metric, r.year
                        ));
                    }
                }
            }
            None
        }
    }
}

/// Names the first number of a summary that is NaN or infinite.
fn non_finite(s: &talentsim::Summary) -> Option<String> {
    let bad = |x: &f64| !x.is_finite();
    for r in &s.projection {
        let cells = [
            r.mean, r.sd, r.p05, r.p10, r.p25, r.p50, r.p75, r.p90, r.p95,
        ];
        if cells.iter().flatten().any(bad) {
            return Some(format!("projection {} {}", r.year, r.metric));
        }
    }
    for r in &s.central {
        let cells = [
            r.total,
            r.high_skill,
            r.high_skill_added,
            r.high_skill_net_change,
        ];
        if cells
            .iter()
            .chain(&r.levels)
            .chain(&r.high_skill_share)
            .any(bad)
        {
            return Some(format!("central {}", r.year));
        }
    }
    for r in &s.targets {
        let cells = [r.threshold, r.probability, r.ci_low, r.ci_high];
        if cells.iter().chain(&r.central_value).chain(&r.p50).any(bad) {
            return Some(format!("target {}", r.target));
        }
    }
    s.target_years
        .iter()
        .find(|r| bad(&r.p_holds) || bad(&r.p_held_by))
        .map(|r| format!("target year {} {}", r.target, r.year))
}

#[test]
fn mutated_scenarios_never_panic_and_end_in_a_result_or_a_located_error() {
    let cases: u64 = std::env::var("TALENTSIM_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let seed: u64 = std::env::var("TALENTSIM_MUTATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_240_715);
    let seeds = seeds();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let failures = Mutex::new(Vec::<(u64, String, Vec<u8>)>::new());
    let valid = Mutex::new(0u64);
    // Panics are caught and reported with their input; the default hook would only
    // interleave their messages.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (seeds, failures, valid) = (&seeds, &failures, &valid);
            scope.spawn(move || {
                // One single-threaded pool per worker: the engine's parallel loops then run
                // inline instead of waking threads for a few microseconds of work.
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("a one-thread pool starts");
                let mut ok = 0;
                for case in (t..cases).step_by(threads as usize) {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    rng.set_stream(case);
                    let mut text = seeds[rng.random_range(0..seeds.len())].clone().into_bytes();
                    for _ in 0..rng.random_range(1..=3) {
                        mutate(&mut text, &mut rng);
                    }
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        pool.install(|| exercise(&text, &mut ok))
                    }));
                    let problem = match outcome {
                        Ok(None) => continue,
                        Ok(Some(p)) => p,
                        Err(panic) => {
                            let msg = panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            format!("panic: {msg}")
                        }
                    };
                    failures.lock().unwrap().push((case, problem, text));
                }
                *valid.lock().unwrap() += ok;
            });
        }
    });
    std::panic::set_hook(hook);
    let failures = failures.into_inner().unwrap();
    let valid = valid.into_inner().unwrap();
    eprintln!(
        "{cases} mutated scenarios, {valid} of them valid, {} failures",
        failures.len()
    );
    if !failures.is_empty() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/mutation-failures");
        let _ = fs::create_dir_all(&dir);
        let mut report = String::new();
        for (case, problem, text) in failures.iter().take(20) {
            let path = dir.join(format!("case-{case}.toml"));
            let _ = fs::write(&path, text);
            report.push_str(&format!("case {case}: {problem} ({})\n", path.display()));
        }
        panic!(
            "{} of {cases} mutated scenarios failed:\n{report}",
            failures.len()
        );
    }
    // The mutations must leave enough valid scenarios to exercise the engine too.
    assert!(
        valid * 20 > cases,
        "only {valid} of {cases} mutants were valid"
    );
}
