//! The `healthlint` binary: parses the command line, runs the library, prints, and turns the
//! outcome into an exit code (0 clean, 1 findings at or above `fail-on`, 2 usage, config,
//! rule-file or I/O error). All printing happens here and in `report/`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use healthlint::cli::{
    CheckArgs, Cli, Command, ExplainArgs, Input, InspectArgs, ListFormat, RulesArgs,
};
use healthlint::diagnostic::tool;
use healthlint::engine::Linter;
use healthlint::error::SetupError;
use healthlint::{discover, report, source};

/// Checking a file makes thousands of small, short-lived allocations on every worker thread:
/// jemalloc serves them about 12% faster than glibc's allocator on the 2,000-file benchmark
/// (and 2 ms sooner at start-up), for about 3 MB more resident memory.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules(args) => list_rules(args),
        Command::Explain(args) => explain(args),
        Command::Inspect(args) => inspect(args),
        Command::DebugPatterns(args) => debug_patterns(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Setup(err)) => {
            let color = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let _ = report::render_setup_error(&err, color, &mut io::stderr().lock());
            ExitCode::from(2)
        }
        // A reader that stops early (`| head -1`) has not seen every finding: exiting 0 would
        // let a CI pipeline pass an article it never read. Stderr may be closed too, so its
        // write errors are ignored rather than panicking in `eprintln!`.
        Err(Failure::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => {
            let _ = writeln!(
                io::stderr(),
                "healthlint: error: the output was closed before every finding was written"
            );
            ExitCode::from(2)
        }
        Err(Failure::Io(err)) => {
            let _ = writeln!(io::stderr(), "healthlint: error: {err}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    Setup(SetupError),
    Io(io::Error),
}

impl From<SetupError> for Failure {
    fn from(e: SetupError) -> Failure {
        Failure::Setup(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

fn load(
    settings: &healthlint::cli::SettingsArgs,
    extra: impl FnOnce(&mut healthlint::config::Overrides),
) -> Result<Linter, Failure> {
    let cwd = std::env::current_dir()?;
    let mut overrides = settings.overrides();
    extra(&mut overrides);
    Ok(healthlint::load(&cwd, &overrides)?)
}

fn check(args: CheckArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |o| {
        o.extend_exclude = args.exclude.clone();
        o.force_exclude = args.force_exclude;
        o.fail_on = args.fail_on;
        o.no_cross_document = args.no_cross_document;
        o.time_budget = args.time_budget;
    })?;
    let jobs = match args.jobs {
        Some(0) => return Err(SetupError::Message("--jobs must be at least 1".into()).into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if args.input == Input::Jsonl {
        return stream(&args, linter, jobs);
    }
    let format = args.format.unwrap_or(report::Format::Pretty);
    let statistics = statistics_reporter(&args, format)?;
    // `--stdin-filename` with no path reads standard input, as editors call it (like ruff);
    // without it, no path means the current folder.
    let paths = if args.paths.is_empty() && args.stdin_filename.is_some() {
        vec![PathBuf::from("-")]
    } else {
        healthlint::default_paths(&args.paths)
    };
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(
            SetupError::Message("standard input (`-`) can be named only once".into()).into(),
        );
    }
    let targets = discover::discover(&paths, args.stdin_filename.as_deref(), &linter.settings);
    let stdin = if paths.iter().any(|p| p.as_os_str() == "-") {
        Some(source::read_stdin()?)
    } else {
        None
    };
    let (mut out, terminal) = open_output(args.output_file.as_deref())?;
    // Created before the walk, the report file would be met by it (and is already there on
    // every later run): it is never checked.
    let targets = match &args.output_file {
        Some(path) => targets.without(path),
        None => targets,
    };
    let options = report::Options {
        color: args.color.enabled(terminal),
        quiet: args.quiet,
        width: output_width(terminal && args.output_file.is_none()),
    };
    let mut reporter = statistics.unwrap_or_else(|| report::reporter(format, options));
    let outcome = healthlint::run_check(
        &linter,
        &targets,
        stdin.as_deref(),
        jobs,
        reporter.as_mut(),
        &mut out,
    )?;
    out.flush()?;
    // These formats keep standard output for records; the summary goes to the log, and so
    // do the skipped files where the records have no place for them.
    if format.summary_on_stderr() && !args.quiet {
        let mut log = io::stderr().lock();
        if format == report::Format::Gitlab {
            for (path, reason) in &outcome.summary.skipped {
                let _ = writeln!(log, "note: skipped {path}: {reason}");
            }
        }
        let _ = writeln!(log, "{}", outcome.summary.line());
    }
    // The process ends next: freeing thousands of compiled phrases one by one would only
    // delay the exit an editor is waiting for.
    std::mem::forget(linter);
    Ok(outcome.exit_code())
}

/// Stream mode: JSON lines in, one JSON line per document out (see `stream.rs`).
fn stream(args: &CheckArgs, linter: Linter, jobs: usize) -> Result<u8, Failure> {
    if !(args.paths.is_empty() || args.paths.iter().all(|p| p.as_os_str() == "-")) {
        return Err(SetupError::Message(
            "`--input jsonl` reads documents from standard input; give no paths (or `-`)".into(),
        )
        .into());
    }
    if args.format.is_some_and(|f| f != report::Format::Jsonl) {
        return Err(SetupError::Message(
            "`--input jsonl` writes `--format jsonl`: one JSON line per input document".into(),
        )
        .into());
    }
    statistics_reporter(args, report::Format::Jsonl)?;
    let mut input = io::BufReader::new(io::stdin().lock());
    let (mut out, _) = open_output(args.output_file.as_deref())?;
    let outcome = healthlint::stream::run_stream(&linter, &mut input, jobs, &mut out)?;
    out.flush()?;
    if !args.quiet {
        let _ = writeln!(io::stderr(), "{}", outcome.summary.line());
    }
    std::mem::forget(linter);
    Ok(outcome.exit_code())
}

/// The `--statistics` reporter, if asked for; an error for a format that has no place for
/// counts, before any file is read.
fn statistics_reporter(
    args: &CheckArgs,
    format: report::Format,
) -> Result<Option<Box<dyn report::Reporter>>, Failure> {
    if !args.statistics {
        return Ok(None);
    }
    match report::statistics(format, args.quiet) {
        Some(reporter) => Ok(Some(reporter)),
        None => {
            let name = format
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string());
            Err(SetupError::Message(format!(
                "`--statistics` is written as a table (`--format pretty` or `concise`) or as \
                 JSON (`--format json`), not with `--format {name}`"
            ))
            .into())
        }
    }
}

/// The columns `pretty` wraps help and notes to: `COLUMNS` when set to a number (the user's
/// preferred width, as POSIX defines it, and a fixed width for a script), else the terminal's
/// when the report goes to one, else the default (a log or a file has no width).
fn output_width(terminal: bool) -> Option<usize> {
    let columns = std::env::var("COLUMNS").ok();
    if let Some(n) = columns.and_then(|c| c.trim().parse::<usize>().ok()) {
        if n > 0 {
            return Some(n);
        }
    }
    if !terminal {
        return None;
    }
    terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0))
}

/// Where a check's report goes: the `--output-file`, created (or emptied) now, or standard
/// output; and whether that is a terminal, for `--color auto`.
fn open_output(path: Option<&Path>) -> Result<(Box<dyn Write>, bool), Failure> {
    match path {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| ReportFile::error(path, e))?;
            let terminal = file.is_terminal();
            Ok((Box::new(ReportFile::new(file, path)), terminal))
        }
        None => {
            let stdout = io::stdout();
            let terminal = stdout.is_terminal();
            Ok((Box::new(io::BufWriter::new(stdout.lock())), terminal))
        }
    }
}

/// The `--output-file`, buffered. Every error writing it names the file: a bare "No space
/// left on device" would not say which output was cut short.
struct ReportFile {
    file: io::BufWriter<std::fs::File>,
    path: PathBuf,
}

impl ReportFile {
    fn new(file: std::fs::File, path: &Path) -> ReportFile {
        ReportFile {
            file: io::BufWriter::new(file),
            path: path.to_path_buf(),
        }
    }

    fn error(path: &Path, err: io::Error) -> io::Error {
        io::Error::new(
            err.kind(),
            format!(
                "cannot write the report to `{}`: {err}",
                source::display_path(path)
            ),
        )
    }
}

impl Write for ReportFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file
            .write(buf)
            .map_err(|e| ReportFile::error(&self.path, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file
            .flush()
            .map_err(|e| ReportFile::error(&self.path, e))
    }
}

/// Prints every compiled pattern, one regex per line (hidden; used by bench/run.sh).
fn debug_patterns(args: RulesArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |_| {})?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for source in linter.rules.patterns.sources() {
        writeln!(out, "{source}")?;
    }
    out.flush()?;
    Ok(0)
}

fn list_rules(args: RulesArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |_| {})?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let rows: Vec<RuleRow> = tool::ALL
        .iter()
        .map(|t| RuleRow {
            code: t.code.to_string(),
            name: t.name.to_string(),
            category: "input".to_string(),
            severity: linter
                .settings
                .severity_for(t.code)
                .unwrap_or(t.severity)
                .to_string(),
            kind: "tool".to_string(),
            selected: linter.settings.is_enabled(t.code),
            summary: t.summary.to_string(),
            origin: "built in".to_string(),
        })
        .chain(linter.rules.rules.iter().map(|r| {
            RuleRow {
                code: r.meta.id.code.to_string(),
                name: r.meta.id.name.to_string(),
                category: r.meta.id.category.to_string(),
                severity: linter
                    .settings
                    .severity_for(&r.meta.id.code)
                    .unwrap_or(r.meta.severity)
                    .to_string(),
                kind: r.meta.kind.clone(),
                selected: r.check.is_some() && !r.compared_only,
                summary: first_sentence(&r.meta.docs.why),
                origin: r.meta.origin.clone(),
            }
        }))
        .collect();
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "version": 1, "rules": rows }),
            )
            .map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            writeln!(
                out,
                "{:<6} {:<48} {:<15} {:<8} {:<10} SELECTED",
                "CODE", "NAME", "CATEGORY", "SEVERITY", "KIND"
            )?;
            for r in &rows {
                writeln!(
                    out,
                    "{:<6} {:<48} {:<15} {:<8} {:<10} {}",
                    r.code,
                    r.name,
                    r.category,
                    r.severity,
                    r.kind,
                    if r.selected { "yes" } else { "no" }
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}

#[derive(serde::Serialize)]
struct RuleRow {
    code: String,
    name: String,
    category: String,
    severity: String,
    kind: String,
    selected: bool,
    summary: String,
    origin: String,
}

fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text,
    }
}

fn inspect(args: InspectArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |o| {
        // The model is the red-flag rules': load them whatever the selection says.
        o.select = vec!["HL1".to_string()];
        o.ignore = Vec::new();
    })?;
    let format = source::Format::from_path(&args.path).unwrap_or(source::Format::Plain);
    let file = source::SourceFile::read(&args.path, format)
        .map_err(|e| SetupError::Message(format!("{}: {e}", args.path.display())))?;
    let Some(model) = linter.inspect(&file) else {
        return Err(SetupError::Message("the guidance rule (HL100) is not loaded".into()).into());
    };
    let mut out = io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &model).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            writeln!(
                out,
                "kind: {} ({})",
                model.kind,
                model.kind_evidence.join("; ")
            )?;
            if let Some(t) = &model.title {
                writeln!(out, "title: line {}: {}", t.line, t.text)?;
            }
            match &model.topic {
                Some(t) => writeln!(out, "topic: {} {} ({})", t.code, t.topic, t.evidence)?,
                None => writeln!(out, "topic: no pack")?,
            }
            writeln!(
                out,
                "needs guidance: {}",
                if model.needs_guidance { "yes" } else { "no" }
            )?;
            let lists = [
                ("sections", &model.sections),
                ("guidance headings and lead-ins", &model.guidance_headings),
                ("warning signs tied to care", &model.guidance),
            ];
            for (name, spans) in lists {
                writeln!(out, "{name}: {}", spans.len())?;
                for s in spans {
                    writeln!(out, "  {}:{}-{}  {}", s.line, s.start, s.end, s.text)?;
                }
            }
        }
    }
    Ok(0)
}

fn explain(args: ExplainArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |_| {})?;
    let wanted = args.code.trim();
    let mut out = io::BufWriter::new(io::stdout().lock());
    if let Some(t) = tool::ALL
        .iter()
        .find(|t| t.code.eq_ignore_ascii_case(wanted) || t.name == wanted)
    {
        writeln!(
            out,
            "{} {} (input, {} by default)\n\n{}",
            t.code, t.name, t.severity, t.summary
        )?;
        out.flush()?;
        return Ok(0);
    }
    let Some(rule) =
        linter.rules.rules.iter().find(|r| {
            r.meta.id.code.eq_ignore_ascii_case(wanted) || r.meta.id.name.as_ref() == wanted
        })
    else {
        return Err(SetupError::Message(format!(
            "no rule with code or name `{wanted}`; `healthlint rules` lists them"
        ))
        .into());
    };
    let m = &rule.meta;
    writeln!(out, "{} {}", m.id.code, m.id.name)?;
    writeln!(
        out,
        "category: {}   severity: {}   kind: {}   defined in: {}\n",
        m.id.category, m.severity, m.kind, m.origin
    )?;
    writeln!(out, "What it reports: {}\n", fill_placeholders(&m.message))?;
    writeln!(out, "Why it matters\n{}\n", m.docs.why.trim())?;
    writeln!(out, "Reported\n{}\n", indent(&m.docs.example_fail))?;
    writeln!(out, "Not reported\n{}\n", indent(&m.docs.example_pass))?;
    if let Some(help) = &m.help {
        writeln!(out, "How to fix\n{}\n", help.trim())?;
    }
    if !m.docs.references.is_empty() {
        writeln!(out, "References")?;
        for r in &m.docs.references {
            writeln!(out, "  - {r}")?;
        }
    }
    out.flush()?;
    Ok(0)
}

/// A message template for reading: `{drug}`, `{match}` and the like become `…`, since the
/// value only exists in a finding.
fn fill_placeholders(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        match rest[open..].find('}') {
            Some(close)
                if rest[open + 1..open + close]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                out.push_str(&rest[..open]);
                out.push('…');
                rest = &rest[open + close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn indent(text: &str) -> String {
    text.trim()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
