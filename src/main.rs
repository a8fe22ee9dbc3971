//! The `healthlint` binary: parses the command line, runs the library, prints, and turns the
//! outcome into an exit code (0 clean, 1 findings at or above `fail-on`, 2 usage, config,
//! rule-file or I/O error). All printing happens here and in `report/`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, ValueEnum};
use healthlint::cli::{
    BaselineArgs, CheckArgs, Cli, Command, CompletionsArgs, DocsArgs, ExplainArgs, Input,
    InspectArgs, ListFormat, RulesArgs, ServerArgs,
};
use healthlint::diagnostic::tool;
use healthlint::engine::Linter;
use healthlint::error::SetupError;
use healthlint::{discover, docs, report, source};

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
        Command::Baseline(args) => baseline(args),
        Command::Rules(args) => list_rules(args),
        Command::Explain(args) => explain(args),
        Command::Inspect(args) => inspect(args),
        Command::DebugPatterns(args) => debug_patterns(args),
        Command::Docs(args) => write_docs(args),
        Command::Completions(args) => completions(args),
        Command::Man => man(),
        Command::Server(args) => server(args),
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
        args.walk.apply(o);
        o.fail_on = args.fail_on;
        o.time_budget = args.time_budget;
    })?;
    let jobs = jobs(args.walk.jobs)?;
    if args.input == Input::Jsonl {
        if args.baseline.is_some() {
            return Err(SetupError::Message(
                "`--baseline` compares files by path; `--input jsonl` has none".into(),
            )
            .into());
        }
        return stream(&args, linter, jobs);
    }
    let mut linter = linter;
    // The flag, else the config's `baseline` (relative to the config file).
    if let Some(path) = args.baseline.as_ref().or(linter.settings.baseline.as_ref()) {
        let cwd = std::env::current_dir()?;
        linter.baseline = Some(healthlint::baseline::Baseline::load(&cwd, path)?);
    }
    let format = args.format.unwrap_or(report::Format::Pretty);
    let statistics = statistics_reporter(&args, format)?;
    let listed = match &args.files_from {
        Some(list) => Some(read_path_list(list, &args.paths)?),
        None => None,
    };
    // `--stdin-filename` with no path reads standard input, as editors call it (like ruff);
    // without it, no path means the current folder, unless a `--files-from` list says which.
    let paths = match listed {
        Some(listed) => args.paths.iter().cloned().chain(listed).collect(),
        None if args.paths.is_empty() && args.stdin_filename.is_some() => {
            vec![PathBuf::from("-")]
        }
        None => healthlint::default_paths(&args.paths),
    };
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(
            SetupError::Message("standard input (`-`) can be named only once".into()).into(),
        );
    }
    if paths.is_empty() && !args.quiet {
        // Not an error: a hook or a "changed files" job with nothing to check has passed.
        // The run goes on, so that `json`, `gitlab` and `junit` still write a whole (empty)
        // document for the tools that read them.
        if let Some(list) = &args.files_from {
            let _ = writeln!(
                io::stderr(),
                "healthlint: no files to check: the list from {} is empty",
                list_name(list)
            );
        }
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
    let mut reporter =
        statistics.unwrap_or_else(|| report::reporter(format, options, linter.run()));
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

/// The `--jobs` value, or one thread per core.
fn jobs(jobs: Option<usize>) -> Result<usize, Failure> {
    match jobs {
        Some(0) => Err(SetupError::Message("--jobs must be at least 1".into()).into()),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// `healthlint baseline`: checks as `check` would (without any baseline) and writes every
/// finding's fingerprint to the baseline file.
fn baseline(args: BaselineArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |o| args.walk.apply(o))?;
    let jobs = jobs(args.walk.jobs)?;
    let output = args
        .output
        .clone()
        .or_else(|| linter.settings.baseline.clone())
        .unwrap_or_else(|| PathBuf::from(healthlint::baseline::DEFAULT_FILE));
    let paths = healthlint::default_paths(&args.paths);
    if paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(SetupError::Message(
            "a baseline is made from files; standard input (`-`) has no path to match".into(),
        )
        .into());
    }
    let targets = discover::discover(&paths, None, &linter.settings);
    let (mut out, _) = open_output(Some(&output))?;
    let targets = targets.without(&output);
    let mut writer = healthlint::baseline::Writer::new(&std::env::current_dir()?, &output);
    let outcome = healthlint::run_check(&linter, &targets, None, jobs, &mut writer, &mut out)?;
    out.flush()?;
    let mut log = io::stderr().lock();
    let _ = writeln!(log, "{}", outcome.summary.line());
    let findings = if writer.written == 1 {
        "finding"
    } else {
        "findings"
    };
    let _ = writeln!(
        log,
        "Wrote {} {findings} to the baseline `{}`.",
        writer.written,
        source::display_path(&output)
    );
    std::mem::forget(linter);
    // The findings are the baseline's, not a failure; a file that could not be checked is
    // (its findings are not in the baseline, so a later check reports it again).
    Ok(if outcome.tool_error { 2 } else { 0 })
}

/// The paths listed in a `--files-from` file (`-`: standard input), see
/// [`discover::parse_path_list`]. An unreadable list is an error naming it, before any file
/// is checked: checking nothing would pass a job that was meant to check its files.
fn read_path_list(list: &Path, named: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let bytes = if list.as_os_str() == "-" {
        if named.iter().any(|p| p.as_os_str() == "-") {
            return Err(SetupError::Message(
                "standard input can be read only once: it is the `--files-from -` list, so \
                 `-` cannot also name an article"
                    .into(),
            )
            .into());
        }
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut io::stdin().lock(), &mut bytes).map_err(|e| {
            SetupError::Message(format!(
                "cannot read the `--files-from` list from standard input: {e}"
            ))
        })?;
        bytes
    } else {
        std::fs::read(list).map_err(|e| {
            SetupError::Message(format!(
                "cannot read the `--files-from` list `{}`: {e}",
                source::display_path(list)
            ))
        })?
    };
    discover::parse_path_list(&bytes)
        .map_err(|e| SetupError::Message(format!("`--files-from` {}: {e}", list_name(list))).into())
}

/// How messages name a `--files-from` list.
fn list_name(list: &Path) -> String {
    if list.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        format!("`{}`", source::display_path(list))
    }
}

/// Stream mode: JSON lines in, one JSON line per document out (see `stream.rs`).
fn stream(args: &CheckArgs, linter: Linter, jobs: usize) -> Result<u8, Failure> {
    if !(args.paths.is_empty() || args.paths.iter().all(|p| p.as_os_str() == "-")) {
        return Err(SetupError::Message(
            "`--input jsonl` reads documents from standard input; give no paths (or `-`)".into(),
        )
        .into());
    }
    if args.files_from.is_some() {
        return Err(SetupError::Message(
            "`--input jsonl` reads documents from standard input, not files: it takes no \
             `--files-from` list"
                .into(),
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
        let _ = writeln!(io::stderr(), "{}", outcome.summary.line_counting("record"));
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
                summary: docs::first_sentence(&r.meta.docs.why),
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

fn inspect(args: InspectArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |o| {
        // The model is the red-flag rules': load them whatever the selection says.
        o.select = vec!["HL1".to_string()];
        o.ignore = Vec::new();
    })?;
    let format = source::Format::from_path(&args.path).unwrap_or(source::Format::Plain);
    let file = source::SourceFile::read(&args.path, format)
        .map_err(|e| SetupError::Message(format!("{}: {e}", args.path.display())))?;
    let Some(model) = healthlint::check::red_flags::inspect(&linter.rules, &file) else {
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
                ("warning signs not counted", &model.signs_not_counted),
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
    let text = if let Some(t) = tool::ALL
        .iter()
        .find(|t| t.code.eq_ignore_ascii_case(wanted) || t.name == wanted)
    {
        docs::explain_tool(t)
    } else {
        let Some(rule) = linter.rules.rules.iter().find(|r| {
            r.meta.id.code.eq_ignore_ascii_case(wanted) || r.meta.id.name.as_ref() == wanted
        }) else {
            return Err(SetupError::Message(format!(
                "no rule with code or name `{wanted}`; `healthlint rules` lists them"
            ))
            .into());
        };
        docs::explain(&rule.meta)
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

/// `healthlint docs --out DIR`: writes the pages of [`docs::pages`], and removes the pages of
/// rules that no longer exist, so that the folder is exactly what the rules say.
fn write_docs(args: DocsArgs) -> Result<u8, Failure> {
    let linter = load(&args.settings, |_| {})?;
    let out = &args.out;
    let named = |e: io::Error, what: &Path| {
        SetupError::Message(format!(
            "cannot write `{}`: {e}",
            source::display_path(what)
        ))
    };
    std::fs::create_dir_all(out).map_err(|e| named(e, out))?;
    let pages = docs::pages(&linter.rules);
    for (name, text) in &pages {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| named(e, &path))?;
    }
    let mut removed = 0;
    for entry in std::fs::read_dir(out).map_err(|e| named(e, out))? {
        let entry = entry.map_err(|e| named(e, out))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if docs::is_rule_page(&name) && !pages.iter().any(|(n, _)| *n == name) {
            std::fs::remove_file(entry.path()).map_err(|e| named(e, &entry.path()))?;
            removed += 1;
        }
    }
    let _ = writeln!(
        io::stderr(),
        "wrote {} pages to {}{}",
        pages.len(),
        source::display_path(out),
        if removed > 0 {
            format!(" (removed {removed} of rules that are gone)")
        } else {
            String::new()
        }
    );
    Ok(0)
}

/// `healthlint completions SHELL`: the script clap_complete makes from the parser itself.
fn completions(args: CompletionsArgs) -> Result<u8, Failure> {
    let mut command = Cli::command();
    // Generated into memory first: clap_complete panics on a write error, and a closed
    // standard output must be an error (exit 2), never a panic.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "healthlint", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(0)
}

/// `healthlint man`: the manual page, made by clap_mangen from the parser itself. One page
/// holds every subcommand with its options (a section each, after the list of
/// subcommands), so that `man healthlint` answers a question about `check`'s flags without a
/// second page to install.
fn man() -> Result<u8, Failure> {
    let command = Cli::command();
    let page = clap_mangen::Man::new(command.clone());
    let mut out = Vec::new();
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    // clap_mangen refers to a page per subcommand (`healthlint-check(1)`); this one page has
    // a section for each instead, named as the command is typed.
    let mut list = Vec::new();
    page.render_subcommands_section(&mut list)?;
    let mut list = String::from_utf8_lossy(&list).into_owned();
    let names = command.get_subcommands().map(|s| s.get_name());
    // `help` is added by clap when it parses, so it is not among the subcommands yet.
    for name in names.chain(["help"]) {
        let name = name.replace('-', "\\-");
        list = list.replace(
            &format!("healthlint\\-{name}(1)"),
            &format!("\\fBhealthlint {name}\\fR"),
        );
    }
    out.extend_from_slice(list.as_bytes());
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("healthlint {}", sub.get_name());
        let sub_page = clap_mangen::Man::new(sub.clone().bin_name(&name));
        let mut sections = Vec::new();
        sub_page.render_synopsis_section(&mut sections)?;
        sub_page.render_description_section(&mut sections)?;
        sub_page.render_options_section(&mut sections)?;
        // The subcommand's sections become subsections of one section named after it.
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        for line in String::from_utf8_lossy(&sections).lines() {
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(out, ".SS {heading}")?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    page.render_version_section(&mut out)?;
    let mut stdout = io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(0)
}

/// `healthlint server`: the language server, until the editor sends `exit`.
fn server(args: ServerArgs) -> Result<u8, Failure> {
    let cwd = std::env::current_dir()?;
    let mut overrides = args.settings.overrides();
    // Each configuration is loaded from its own folder: paths given here are made absolute
    // from where the server was started.
    overrides.config = overrides.config.map(|c| cwd.join(c));
    overrides.rule_dirs = overrides.rule_dirs.iter().map(|d| cwd.join(d)).collect();
    let mut options = healthlint::server::Options {
        overrides,
        workspace_check: !args.no_workspace_check,
        ..healthlint::server::Options::default()
    };
    if let Some(ms) = args.debounce_ms {
        options.debounce = std::time::Duration::from_millis(ms);
    }
    if let Some(url) = &args.docs_url {
        let url = if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        };
        options.docs_url = Some(lsp_types::Url::parse(&url).map_err(|e| {
            SetupError::Message(format!(
                "`--docs-url {}` is not a URL: {e}",
                args.docs_url.as_deref().unwrap_or("")
            ))
        })?);
    }
    Ok(healthlint::server::serve(options)?)
}
