//! The cross-document stage: takes what each checked file's rules hand on (through the
//! kinds' [`Across`] comparisons, HL401's among them) and hands on, once every file has been
//! seen, the findings that relate two files (each with a `related` location), merged into the
//! reports of the files concerned. The stage knows no kind: what is handed on and how it is
//! compared belong to the kind (`check/conflict/across.rs`).
//!
//! Each file is parsed once. A file that hands something on may get findings only once every
//! file has been seen, so its first report is held back on a [`Shelf`] (its findings and
//! suppression comments, a compact record on disk, not in memory, and a hash of its text); a
//! file with findings is then finished from that record and its text, read again: the findings
//! go through its own suppression comments, and the comments they use are no longer reported
//! unused. A file whose text changed in the meantime is checked again instead. Memory holds
//! what the comparisons keep and a place per file, never the texts.

use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::sync::Arc;

use crate::check::Across;
use crate::config::Settings;
use crate::diagnostic::{tool, Diagnostic, Label, Related, RuleId, Severity};
use crate::discover::{Target, Targets};
use crate::document::{Directive, DirectiveKind, Document};
use crate::engine::{Handing, Linter};
use crate::report::{Counts, FileReport};
use crate::source::{LineCol, SourceFile};
use crate::spill::{Place, Shelf};
use crate::suppress;

/// The cross-document stage of one run, while files are checked.
pub struct Stage<'r> {
    comparisons: Vec<Box<dyn Across + 'r>>,
    shelf: Shelf,
    /// The files that handed something on: their held-back report, and the findings their
    /// first report was counted with.
    held: BTreeMap<usize, Held>,
}

/// A held-back report: where its record is, the target to read again, and what its first
/// report was counted with.
struct Held {
    place: Place,
    target: Target,
    counted: Counts,
}

impl<'r> Stage<'r> {
    /// `None` when cross-document checks are off, fewer than two files are checked, or no
    /// rule compares across files.
    pub fn new(linter: &'r Linter, targets: &Targets) -> Option<Stage<'r>> {
        if !linter.settings.cross_document || !targets.several() {
            return None;
        }
        let comparisons = linter.rules.comparisons();
        (!comparisons.is_empty()).then(|| Stage {
            comparisons,
            shelf: Shelf::new(),
            held: BTreeMap::new(),
        })
    }

    /// The comparisons each checked file hands on to (for [`Linter::check_target_handing_on`]).
    pub fn comparisons(&self) -> &[Box<dyn Across + 'r>] {
        &self.comparisons
    }

    /// The record of a report to hold back (called on worker threads, before the report is
    /// filtered and rendered).
    pub fn hold(report: &FileReport, handing: &Handing) -> Option<Vec<u8>> {
        let source = report.source.as_ref()?;
        let mut w = Writer(Vec::with_capacity(1024));
        w.str(&report.path);
        w.u64(source.text.len() as u64);
        w.u64(text_hash(&source.text));
        w.u64(report.diagnostics.len() as u64);
        for d in &report.diagnostics {
            w.diagnostic(d);
        }
        w.u64(handing.directives.len() as u64);
        for d in &handing.directives {
            w.directive(d);
        }
        Some(w.0)
    }

    /// Keeps what target `index` (in path order) handed on, with its held-back report and
    /// what that report was counted with.
    pub fn keep(
        &mut self,
        index: usize,
        target: &Target,
        handing: Handing,
        held: Vec<u8>,
        counted: Counts,
    ) -> io::Result<()> {
        let place = self.shelf.put(&held)?;
        self.held.insert(
            index,
            Held {
                place,
                target: target.clone(),
                counted,
            },
        );
        for (comparison, handed) in self.comparisons.iter_mut().zip(handing.handed) {
            if let Some(handed) = handed {
                comparison.keep(index, target.path(), handed);
            }
        }
        Ok(())
    }

    /// Compares what every file handed on.
    pub fn compare(self, settings: &Settings, pool: &rayon::ThreadPool) -> Found {
        let mut found: BTreeMap<usize, Vec<Diagnostic>> = BTreeMap::new();
        for comparison in &self.comparisons {
            for (index, mut diagnostics) in comparison.compare(pool) {
                for d in &mut diagnostics {
                    if let Some(severity) = settings.severity_for(&d.rule.code) {
                        d.severity = severity;
                    }
                }
                found.entry(index).or_default().extend(diagnostics);
            }
        }
        Found {
            found,
            shelf: self.shelf,
            held: self.held,
        }
    }
}

/// The cross-document findings of a run, by target index, and the held-back reports they go
/// into.
pub struct Found {
    found: BTreeMap<usize, Vec<Diagnostic>>,
    shelf: Shelf,
    held: BTreeMap<usize, Held>,
}

/// A held-back report and the findings to merge into it.
pub struct Unfinished {
    pub index: usize,
    /// What the first report was counted with.
    pub counted: Counts,
    target: Target,
    record: Vec<u8>,
    extra: Vec<Diagnostic>,
}

impl Found {
    /// The files among targets `range` that have cross-document findings, with their
    /// held-back reports, in target order.
    pub fn take(&mut self, range: Range<usize>) -> io::Result<Vec<Unfinished>> {
        let indices: Vec<usize> = self.found.range(range).map(|(i, _)| *i).collect();
        let mut out = Vec::with_capacity(indices.len());
        for index in indices {
            let (Some(extra), Some(held)) = (self.found.remove(&index), self.held.remove(&index))
            else {
                continue;
            };
            let record = self.shelf.get(held.place)?;
            out.push(Unfinished {
                index,
                counted: held.counted,
                target: held.target,
                record,
                extra,
            });
        }
        Ok(out)
    }
}

impl Unfinished {
    /// The file's report with its cross-document findings merged in, after the file's own
    /// suppression comments. Called on worker threads.
    pub fn finish(self, linter: &Linter) -> io::Result<FileReport> {
        let mut r = Reader(&self.record);
        let path = r.string()?;
        let (len, hash) = (r.usize()?, r.u64()?);
        let mut diagnostics = Vec::new();
        for _ in 0..r.u64()? {
            diagnostics.push(r.diagnostic()?);
        }
        let mut directives = Vec::new();
        for _ in 0..r.u64()? {
            directives.push(r.directive()?);
        }
        let source = match &self.target {
            Target::File { path, format, .. } => SourceFile::read(path, *format).ok(),
            _ => None,
        };
        let Some(source) = source.filter(|s| s.text.len() == len && text_hash(&s.text) == hash)
        else {
            // The file changed (or went) since it was checked: its held findings no longer
            // fit its text, so it is checked again, and its own comments parsed again.
            let mut report = linter.check_target(&self.target, None);
            if let Some(source) = report.source.clone() {
                let directives = Document::parse(&source).directives;
                merge(&source, &directives, &mut report.diagnostics, self.extra);
            }
            return Ok(report);
        };
        merge(&source, &directives, &mut diagnostics, self.extra);
        Ok(FileReport::checked(path, source, diagnostics))
    }
}

/// A hash of a file's text, to tell whether it changed between two reads (the same on every
/// run: the standard hasher with fixed keys).
fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Adds cross-document findings to a file's findings, after the file's own suppression
/// comments.
fn merge(
    source: &SourceFile,
    directives: &[Directive],
    diagnostics: &mut Vec<Diagnostic>,
    extra: Vec<Diagnostic>,
) {
    // `is_enabled` answers false so that directives aimed at other rules are not reported
    // unused a second time; only our own findings are kept from the result.
    let kept: Vec<Diagnostic> = suppress::apply(
        &source.text,
        &source.lines,
        directives,
        extra.clone(),
        &|_| false,
    )
    .into_iter()
    .filter(|d| extra.iter().any(|e| e.rule.code == d.rule.code))
    .collect();
    // The file's own pass could not see these findings, so it reported the comments that
    // silence them as unused (HL003): keep only the reports of comments that silence none of
    // them either.
    let unused = tool::UNUSED_SUPPRESSION.code;
    if diagnostics.iter().any(|d| &*d.rule.code == unused) {
        let still_unused: Vec<Range<usize>> =
            suppress::apply(&source.text, &source.lines, directives, extra, &|_| true)
                .into_iter()
                .filter(|d| &*d.rule.code == unused)
                .map(|d| d.primary.range)
                .collect();
        diagnostics.retain(|d| &*d.rule.code != unused || still_unused.contains(&d.primary.range));
    }
    diagnostics.extend(kept);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// A held-back record being written: lengths and numbers as little-endian `u64`s, strings as
/// their length and bytes.
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u64(1);
                self.str(s);
            }
            None => self.u64(0),
        }
    }

    fn range(&mut self, r: &Range<usize>) {
        self.u64(r.start as u64);
        self.u64(r.end as u64);
    }

    fn label(&mut self, l: &Label) {
        self.range(&l.range);
        self.opt(l.message.as_deref());
    }

    fn diagnostic(&mut self, d: &Diagnostic) {
        self.str(&d.rule.code);
        self.str(&d.rule.name);
        self.str(&d.rule.category);
        self.u64(match d.severity {
            Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Error => 2,
        });
        self.str(&d.message);
        self.label(&d.primary);
        self.u64(d.secondary.len() as u64);
        for l in &d.secondary {
            self.label(l);
        }
        self.opt(d.help.as_deref());
        self.opt(d.note.as_deref());
        self.u64(d.related.len() as u64);
        for r in &d.related {
            self.str(&r.path);
            self.range(&r.range);
            for at in [r.start, r.end] {
                self.u64(at.line as u64);
                self.u64(at.column as u64);
                self.u64(at.column_utf16 as u64);
            }
            self.str(&r.message);
        }
    }

    fn directive(&mut self, d: &Directive) {
        match &d.kind {
            DirectiveKind::DisableNextLine => self.u64(0),
            DirectiveKind::Disable => self.u64(1),
            DirectiveKind::Enable => self.u64(2),
            DirectiveKind::DisableFile => self.u64(3),
            DirectiveKind::Invalid(why) => {
                self.u64(4);
                self.str(why);
            }
        }
        self.u64(d.codes.len() as u64);
        for (code, range) in &d.codes {
            self.str(code);
            self.range(range);
        }
        self.range(&d.range);
    }
}

/// Reads a record that [`Writer`] wrote.
struct Reader<'a>(&'a [u8]);

fn damaged() -> io::Error {
    io::Error::other("a held-back report is damaged (temporary file changed?)")
}

impl Reader<'_> {
    fn u64(&mut self) -> io::Result<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>().ok_or_else(damaged)?;
        self.0 = rest;
        Ok(u64::from_le_bytes(*head))
    }

    fn usize(&mut self) -> io::Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| damaged())
    }

    fn string(&mut self) -> io::Result<String> {
        let len = self.usize()?;
        if len > self.0.len() {
            return Err(damaged());
        }
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(bytes.to_vec()).map_err(|_| damaged())
    }

    fn opt(&mut self) -> io::Result<Option<String>> {
        match self.u64()? {
            0 => Ok(None),
            _ => self.string().map(Some),
        }
    }

    fn range(&mut self) -> io::Result<Range<usize>> {
        Ok(self.usize()?..self.usize()?)
    }

    fn label(&mut self) -> io::Result<Label> {
        Ok(Label {
            range: self.range()?,
            message: self.opt()?,
        })
    }

    fn diagnostic(&mut self) -> io::Result<Diagnostic> {
        let rule = RuleId {
            code: Arc::from(self.string()?),
            name: Arc::from(self.string()?),
            category: Arc::from(self.string()?),
        };
        let severity = match self.u64()? {
            0 => Severity::Info,
            1 => Severity::Warning,
            _ => Severity::Error,
        };
        let message = self.string()?;
        let primary = self.label()?;
        let mut d = Diagnostic::new(rule, severity, message, primary);
        for _ in 0..self.u64()? {
            d.secondary.push(self.label()?);
        }
        d.help = self.opt()?;
        d.note = self.opt()?;
        for _ in 0..self.u64()? {
            let path = self.string()?;
            let range = self.range()?;
            let mut at = [LineCol {
                line: 0,
                column: 0,
                column_utf16: 0,
            }; 2];
            for lc in &mut at {
                lc.line = self.usize()?;
                lc.column = self.usize()?;
                lc.column_utf16 = self.usize()?;
            }
            d.related.push(Related {
                path,
                range,
                start: at[0],
                end: at[1],
                message: self.string()?,
            });
        }
        Ok(d)
    }

    fn directive(&mut self) -> io::Result<Directive> {
        let kind = match self.u64()? {
            0 => DirectiveKind::DisableNextLine,
            1 => DirectiveKind::Disable,
            2 => DirectiveKind::Enable,
            3 => DirectiveKind::DisableFile,
            _ => DirectiveKind::Invalid(self.string()?),
        };
        let mut codes = Vec::new();
        for _ in 0..self.u64()? {
            codes.push((self.string()?, self.range()?));
        }
        Ok(Directive {
            kind,
            codes,
            range: self.range()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_back_report_reads_back_as_it_was_written() {
        let rule = RuleId {
            code: "HL301".into(),
            name: "heat-on-fresh-injury".into(),
            category: "contradiction".into(),
        };
        let mut d = Diagnostic::new(
            rule,
            Severity::Warning,
            "heat — and ice",
            Label::new(3..7, "here"),
        )
        .with_label(Label::bare(9..12))
        .with_note("a note");
        d.related.push(Related {
            path: "b.md".into(),
            range: 1..2,
            start: LineCol {
                line: 2,
                column: 3,
                column_utf16: 3,
            },
            end: LineCol {
                line: 2,
                column: 4,
                column_utf16: 4,
            },
            message: "there".into(),
        });
        let source = SourceFile::from_text(
            "docs/a.md",
            crate::source::Format::Markdown,
            "# Title\n\nApply heat.\n",
        );
        let report = FileReport::checked("docs/a.md".into(), source, vec![d.clone()]);
        let handing = Handing {
            handed: Vec::new(),
            directives: vec![Directive {
                kind: DirectiveKind::Invalid("why".into()),
                codes: vec![("HL3".into(), 20..23)],
                range: 15..30,
            }],
        };
        let record = Stage::hold(&report, &handing).unwrap();
        let mut r = Reader(&record);
        assert_eq!(r.string().unwrap(), "docs/a.md");
        assert_eq!(r.usize().unwrap(), 21);
        assert_eq!(r.u64().unwrap(), text_hash("# Title\n\nApply heat.\n"));
        assert_eq!(r.u64().unwrap(), 1);
        assert_eq!(r.diagnostic().unwrap(), d);
        assert_eq!(r.u64().unwrap(), 1);
        let directive = r.directive().unwrap();
        assert_eq!(directive.kind, DirectiveKind::Invalid("why".into()));
        assert_eq!(directive.codes, [("HL3".to_string(), 20..23)]);
        assert_eq!(directive.range, 15..30);
        // A cut record is an error, not a panic.
        let cut = &record[..record.len() - 3];
        let mut r = Reader(cut);
        assert!((|| {
            r.string()?;
            r.u64()?;
            r.u64()?;
            r.u64()?;
            r.diagnostic()?;
            r.u64()?;
            r.directive()
        })()
        .is_err());
    }
}
