//! Baselines: the findings a repository already has, written once by `healthlint baseline`,
//! so that `check --baseline FILE` reports only new ones. A repository with hundreds of
//! existing findings can then adopt the linter without a suppression comment in each article.
//!
//! The file is JSON, one finding a line, sorted by path and then position, so that a
//! regenerated baseline diffs well:
//!
//! ```json
//! {"version":1,"findings":[
//! {"path":"articles/back-pain.md","code":"HL502","fingerprint":"ec390ed2…","message":"…"}
//! ]}
//! ```
//!
//! - `path` is the file's path relative to the baseline file's folder, with forward
//!   slashes (absolute for a file outside that folder), however the file was named on the
//!   command line: a check run from a subfolder, or naming the files differently, matches
//!   the same entries.
//! - `fingerprint` is made as in `report/fingerprint.rs` (GitLab's and SARIF's) with that
//!   path: the rule's code, the path, the flagged text with whitespace collapsed, and the
//!   finding's occurrence among identical ones in its file. Line numbers are not part of it,
//!   so an edit elsewhere in the article keeps the finding matched; an edit to the flagged
//!   text makes it new. `code` is there for people reading the file, and so is `message`.
//! - Findings about files that could not be checked (`HL000`, `HL001`, `HL002`, `HL004`) are
//!   never written: a baseline must not hide a file that cannot be read.
//! - A check with a baseline counts the findings it matched (not reported) and the entries
//!   that are gone: entries of files checked in this run that matched no finding, and entries
//!   of files that no longer exist. Entries of other files, not checked in this run, are
//!   neither.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::lexical_absolute;
use crate::error::SetupError;
use crate::report::fingerprint::fingerprints_as;
use crate::report::json::StreamedArray;
use crate::report::FileReport;
use crate::report::{Reporter, Summary};

/// The file `healthlint baseline` writes when no other is named.
pub const DEFAULT_FILE: &str = "healthlint-baseline.json";

/// The baseline format's version.
pub(crate) const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Entry {
    path: String,
    code: String,
    fingerprint: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// How reported paths become baseline paths: relative to the baseline file's folder.
#[derive(Debug, Clone)]
struct Paths {
    /// The working directory, which reported paths are relative to.
    cwd: PathBuf,
    /// The baseline file's folder, absolute.
    root: PathBuf,
}

impl Paths {
    /// For the baseline file at `file`, seen from `cwd`.
    fn new(cwd: &Path, file: &Path) -> Paths {
        let file = lexical_absolute(cwd, file);
        let root = file
            .parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
        Paths {
            cwd: cwd.to_path_buf(),
            root,
        }
    }

    /// The baseline path of a reported path.
    fn key(&self, reported: &str) -> String {
        let absolute = lexical_absolute(&self.cwd, Path::new(reported));
        let path = absolute.strip_prefix(&self.root).unwrap_or(&absolute);
        let parts: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let joined = parts.join("/");
        // An absolute path keeps its root: `//srv/a.md` would read as a network path.
        match joined.strip_prefix("//") {
            Some(rest) if path.has_root() => format!("/{rest}"),
            _ => joined,
        }
    }

    /// Where a baseline path is on disk.
    fn on_disk(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }
}

/// A loaded baseline: the fingerprints of each file's known findings.
#[derive(Debug)]
pub struct Baseline {
    paths: Paths,
    files: BTreeMap<String, HashSet<String>>,
}

impl Baseline {
    /// Reads a baseline file; `cwd` is the working directory, which reported paths and
    /// `path` are relative to. A missing, unreadable or malformed file is an error that names
    /// it: checking without the baseline would report every known finding as new.
    pub fn load(cwd: &Path, path: &Path) -> Result<Baseline, SetupError> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            SetupError::Message(format!(
                "cannot read baseline file `{shown}`: {e} (`healthlint baseline` writes one)"
            ))
        })?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            SetupError::Message(format!(
                "baseline file `{shown}` is not a healthlint baseline: {e}"
            ))
        })?;
        if file.version != VERSION {
            return Err(SetupError::Message(format!(
                "baseline file `{shown}` has version {}; this healthlint reads version {VERSION}",
                file.version
            )));
        }
        let mut files: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        for entry in file.findings {
            files
                .entry(entry.path)
                .or_default()
                .insert(entry.fingerprint);
        }
        Ok(Baseline {
            paths: Paths::new(cwd, path),
            files,
        })
    }

    /// Removes the report's findings that are in the baseline and says how many there were;
    /// `None` when the baseline has no entry for the file.
    pub fn filter(&self, report: &mut FileReport) -> Option<usize> {
        let key = self.paths.key(&report.path);
        let known = self.files.get(&key)?;
        // Fingerprints of the whole list: occurrences count identical findings in the file.
        let prints = fingerprints_as(report, &key);
        let before = report.diagnostics.len();
        let mut prints = prints.iter();
        report
            .diagnostics
            .retain(|_| prints.next().is_none_or(|p| !known.contains(p)));
        Some(before - report.diagnostics.len())
    }

    /// How many entries are gone, given how many each checked file of the baseline matched
    /// (by reported path).
    pub fn gone(&self, matched: &HashMap<String, usize>) -> usize {
        let matched: HashMap<String, usize> = matched
            .iter()
            .map(|(path, n)| (self.paths.key(path), *n))
            .collect();
        self.files
            .iter()
            .map(|(path, known)| match matched.get(path) {
                Some(&n) => known.len().saturating_sub(n),
                None if !self.paths.on_disk(path).exists() => known.len(),
                None => 0,
            })
            .sum()
    }
}

/// `healthlint baseline`: a reporter whose output is the baseline file.
pub struct Writer {
    paths: Paths,
    array: StreamedArray,
    /// Findings written.
    pub written: usize,
}

impl Writer {
    /// A writer of the baseline file at `file`, seen from `cwd`.
    pub fn new(cwd: &Path, file: &Path) -> Writer {
        Writer {
            paths: Paths::new(cwd, file),
            array: StreamedArray::default(),
            written: 0,
        }
    }
}

const OPENING: &str = "{\"version\":1,\"findings\":[";

impl Reporter for Writer {
    fn fragment(&self, report: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        if report.failed {
            return Ok(());
        }
        let key = self.paths.key(&report.path);
        let prints = fingerprints_as(report, &key);
        for (i, (d, fingerprint)) in report.diagnostics.iter().zip(prints).enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            let entry = Entry {
                path: key.clone(),
                code: d.rule.code.to_string(),
                fingerprint,
                message: d.message.clone(),
            };
            serde_json::to_writer(&mut *out, &entry)?;
        }
        Ok(())
    }

    fn write_fragment(&mut self, fragment: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.written += fragment.iter().filter(|&&b| b == b'\n').count();
        self.array.push(OPENING, fragment, out)
    }

    fn finish(&mut self, _summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        self.array.open(OPENING, out)?;
        out.write_all(b"\n]}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_paths_are_relative_to_the_baseline_file() {
        let paths = Paths::new(Path::new("/repo/docs"), Path::new("../known.json"));
        assert_eq!(paths.key("a.md"), "docs/a.md");
        assert_eq!(paths.key("../b/c.md"), "b/c.md");
        assert_eq!(paths.key("/repo/docs/./a.md"), "docs/a.md");
        assert_eq!(paths.key("/elsewhere/x.md"), "/elsewhere/x.md");
        assert_eq!(paths.on_disk("docs/a.md"), Path::new("/repo/docs/a.md"));
    }
}
