//! `cargo bench --bench throughput`: in-process throughput of the whole check pipeline (read,
//! parse, scan, checks, JSON report to a sink) on the generated corpus of
//! `examples/gen_corpus.rs` — rule loading, 2,000 files with `--jobs 1` and all cores, one
//! 5 MB file, and one small article — printing MB/s, files/s and the process's peak RSS. No
//! framework: each figure is the best of a few runs, which is what a shared machine allows.
//! The whole-process figures (with `/usr/bin/time -v` and ripgrep beside them) come from
//! `bench/run.sh`; see BENCHMARKS.md.
//!
//! Environment: `BENCH_FILES` (default 2000), `BENCH_SEED` (42), `BENCH_DIR` (a folder under
//! the system temp dir, reused between runs).

#[path = "../examples/gen_corpus.rs"]
#[allow(dead_code)]
mod gen_corpus;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use healthlint::config::Overrides;
use healthlint::discover;
use healthlint::engine::Linter;
use healthlint::report::{self, Format as ReportFormat};
use healthlint::source::Format;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn load() -> Linter {
    let overrides = Overrides {
        isolated: true,
        ..Overrides::default()
    };
    healthlint::load(Path::new("."), &overrides).expect("built-in rules load")
}

/// Best wall time of `runs` runs of `f`.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn check(linter: &Linter, paths: &[PathBuf], jobs: usize) {
    let targets = discover::discover(paths, None, &linter.settings);
    let mut reporter =
        report::reporter(ReportFormat::Json, report::Options::default(), linter.run());
    healthlint::run_check(
        linter,
        &targets,
        None,
        jobs,
        reporter.as_mut(),
        &mut std::io::sink(),
    )
    .expect("writing to a sink cannot fail");
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn row(what: &str, bytes: u64, files: usize, t: Duration) {
    let s = t.as_secs_f64().max(1e-9);
    println!(
        "{what:<44} {:>8.3} s {:>8.1} MB/s {:>9.0} files/s",
        s,
        bytes as f64 / 1e6 / s,
        files as f64 / s
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter is not supported (one benchmark).
    let files: usize = env("BENCH_FILES", 2000);
    let seed: u64 = env("BENCH_SEED", 42);
    let dir: PathBuf = std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("healthlint-cargo-bench"));
    let corpus = dir.join(format!("corpus-{seed}-{files}"));
    let stamp = corpus.join(".complete");
    let bytes = if stamp.exists() {
        std::fs::read_to_string(&stamp)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    } else {
        let _ = std::fs::remove_dir_all(&corpus);
        let n = gen_corpus::write_corpus(seed, files, &corpus).expect("corpus written");
        std::fs::write(&stamp, n.to_string()).expect("stamp written");
        n
    };
    let big = dir.join(format!("big-{seed}.md"));
    let big_bytes = match std::fs::metadata(&big) {
        Ok(m) => m.len(),
        Err(_) => gen_corpus::write_one_file(seed, &big, 5_000_000).expect("big file written"),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    println!("healthlint throughput (in process, best of runs), {cores} cores");
    let startup = best(10, || drop(load()));
    println!(
        "{:<44} {:>8.1} ms",
        "load + compile built-in rules",
        startup.as_secs_f64() * 1e3
    );
    let linter = load();
    println!("{:<44} {:>8}", "patterns", linter.rules.patterns.len());
    let paths = [corpus.clone()];
    for jobs in [1, cores] {
        let t = best(3, || check(&linter, &paths, jobs));
        row(&format!("{files} files, --jobs {jobs}"), bytes, files, t);
    }
    let t = best(3, || check(&linter, std::slice::from_ref(&big), 1));
    row("one 5 MB file", big_bytes, 1, t);
    let small_path = corpus.join("d000").join("a000000.md");
    let small = std::fs::read_to_string(&small_path).unwrap_or_default();
    let t = best(50, || {
        linter.check_text("article.md", Format::Markdown, &small);
    });
    println!(
        "{:<44} {:>8.3} ms ({} bytes, without process start)",
        "one small article",
        t.as_secs_f64() * 1e3,
        small.len()
    );
    println!("{:<44} {:>8.1} MB", "peak RSS", peak_rss_mb());
}
