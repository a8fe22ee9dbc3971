//! What the server knows beyond one buffer: takes folders, and hands on (1) the [`Linter`] for
//! a file's folder, loaded from the `healthlint.toml` found upward from that folder (not from
//! the server's working directory), kept while that file is unchanged and loaded again when
//! it changes, with the rule pages its diagnostics link to; and (2) the cross-document
//! findings of a workspace folder, found by the same run as `healthlint check FOLDER` on a
//! background thread, so that the server keeps answering while a large folder is read.

use std::collections::HashMap;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use lsp_types::Url;
use sha2::{Digest, Sha256};

use super::convert::DocsLinks;
use crate::config::{find_upward, Overrides};
use crate::diagnostic::{tool, Diagnostic};
use crate::engine::Linter;
use crate::report::FileReport;
use crate::report::{Reporter, Summary};
use crate::source::SourceFile;

/// A linter loaded for one configuration, with where its codes' pages are.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub linter: Linter,
    pub links: DocsLinks,
}

/// A configuration that could not be loaded, rendered as `check` would print it.
pub(crate) type LoadError = Arc<str>;

/// How the pages of the codes are linked (`codeDescription`).
#[derive(Debug, Clone, Default)]
pub(crate) struct DocsOptions {
    /// `docsUrl`: a base URL to join `CODE.md` to.
    pub url: Option<Url>,
    /// `docsDir`: where to write the generated pages (default: the user's cache folder).
    pub dir: Option<PathBuf>,
}

/// The config file's identity when it was read: a change of either means it was edited.
type Stamp = Option<(Option<SystemTime>, u64)>;

struct Cached {
    stamp: Stamp,
    loaded: Result<Arc<Loaded>, LoadError>,
}

/// Linters by the config file that made them (`None`: no config file, built-in defaults).
pub(crate) struct Linters {
    overrides: Overrides,
    docs: DocsOptions,
    cache: HashMap<Option<PathBuf>, Cached>,
}

impl Linters {
    pub fn new(overrides: Overrides, docs: DocsOptions) -> Linters {
        Linters {
            overrides,
            docs,
            cache: HashMap::new(),
        }
    }

    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// Forgets every loaded linter (a `healthlint.toml` was created, changed or deleted).
    pub fn clear(&mut self) {
        self.cache.clear();
    }

    /// The config file that applies to a file in `folder`.
    pub(crate) fn config_for(&self, folder: &Path) -> Option<PathBuf> {
        match (&self.overrides.config, self.overrides.isolated) {
            (Some(path), _) => Some(path.clone()),
            (None, true) => None,
            (None, false) => find_upward(folder),
        }
    }

    /// The linter for a file in `folder`: cached while its config file is unchanged, which
    /// costs a few `stat` calls per check instead of loading every rule again.
    pub fn get(&mut self, folder: &Path) -> Result<Arc<Loaded>, LoadError> {
        let config = self.config_for(folder);
        let stamp: Stamp = config.as_ref().and_then(|p| {
            let meta = std::fs::metadata(p).ok()?;
            Some((meta.modified().ok(), meta.len()))
        });
        if let Some(cached) = self.cache.get(&config) {
            if cached.stamp == stamp {
                return cached.loaded.clone();
            }
        }
        // The folder the config file is in, so that `Settings::resolve` finds that same file
        // and takes its relative paths from there.
        let cwd = config
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(folder)
            .to_path_buf();
        let loaded = match crate::load(&cwd, &self.overrides) {
            Ok(linter) => {
                let links = links(&linter, &self.docs);
                Ok(Arc::new(Loaded { linter, links }))
            }
            Err(err) => {
                let mut text = Vec::new();
                let _ = crate::report::render_setup_error(&err, false, &mut text);
                Err(Arc::from(String::from_utf8_lossy(&text).trim_end()))
            }
        };
        self.cache.insert(
            config,
            Cached {
                stamp,
                loaded: loaded.clone(),
            },
        );
        loaded
    }
}

/// Where a linter's codes link to: the configured base URL, else its pages written once into
/// a folder named by their content's hash (rules and user rule files decide the pages, so two
/// configurations with the same rules share one folder, and pages are never stale).
fn links(linter: &Linter, options: &DocsOptions) -> DocsLinks {
    if let Some(url) = &options.url {
        return DocsLinks::Base(url.clone());
    }
    let pages = crate::docs::pages(&linter.rules);
    let mut hash = Sha256::new();
    for (name, text) in &pages {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
        hash.update([0]);
    }
    let hex: String = hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let Some(base) = options.dir.clone().or_else(cache_dir) else {
        return DocsLinks::None;
    };
    let dir = base.join(format!("rules-{hex}"));
    let write = || -> io::Result<()> {
        if dir.join("README.md").is_file() {
            return Ok(());
        }
        // Written into a folder of their own first, then renamed: two servers starting at
        // once never link to a half-written folder.
        std::fs::create_dir_all(&base)?;
        let temp = tempfile::Builder::new()
            .prefix(".rules-")
            .tempdir_in(&base)?;
        for (name, text) in &pages {
            std::fs::write(temp.path().join(name), text)?;
        }
        match std::fs::rename(temp.path(), &dir) {
            Ok(()) => {
                // The folder is in place; the temporary one is gone with the rename.
                let _ = temp.keep();
                Ok(())
            }
            Err(_) if dir.join("README.md").is_file() => Ok(()),
            Err(e) => Err(e),
        }
    };
    match write() {
        Ok(()) => DocsLinks::Folder(dir),
        Err(_) => DocsLinks::None,
    }
}

/// `$XDG_CACHE_HOME/healthlint`, else `~/.cache/healthlint` (`%LOCALAPPDATA%` on Windows).
fn cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("XDG_CACHE_HOME")
        .or_else(|| var("LOCALAPPDATA"))
        .or_else(|| var("HOME").map(|h| h.join(".cache")))
        .map(|d| d.join("healthlint"))
}

/// A file with cross-document findings, and its text as it was read for them.
#[derive(Debug, Clone)]
pub(crate) struct CrossFile {
    pub source: Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file with suppression comments, and which of them the workspace pass found unused with
/// the cross-document findings in view: a check of the file alone reports a comment that
/// silences only an HL401 finding as unused (HL003), and this corrects it.
#[derive(Debug, Clone)]
pub(crate) struct Comments {
    pub source: Arc<SourceFile>,
    /// The ranges of the pass's `HL003` findings in the file.
    pub unused: Vec<Range<usize>>,
}

/// What a workspace pass found in one root, by absolute path.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Files with cross-document findings.
    pub cross: HashMap<PathBuf, CrossFile>,
    /// Files with suppression comments.
    pub comments: HashMap<PathBuf, Comments>,
}

/// What a workspace pass found.
#[derive(Debug)]
pub(crate) enum Pass {
    Found(Found),
    /// The folder holds more files than the bound: nothing was compared.
    TooMany {
        root: PathBuf,
        files: usize,
    },
    /// The folder's configuration could not be loaded.
    Failed(LoadError),
}

/// Keeps, of each file's finished report (cross-document findings merged, per-file ignores
/// applied), the findings that point into other files and, in a file with suppression
/// comments, the unused ones; prints nothing.
#[derive(Default)]
struct KeepCross {
    found: Mutex<Found>,
}

impl Reporter for KeepCross {
    fn fragment(&self, report: &FileReport, _out: &mut Vec<u8>) -> io::Result<()> {
        let Some(source) = &report.source else {
            return Ok(());
        };
        let diagnostics: Vec<Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| !d.related.is_empty())
            .cloned()
            .collect();
        // Every suppression comment starts so (`document::directives`).
        let commented = memchr::memmem::find(source.text.as_bytes(), b"healthlint-").is_some();
        if diagnostics.is_empty() && !commented {
            return Ok(());
        }
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        if commented {
            let unused = report
                .diagnostics
                .iter()
                .filter(|d| *d.rule.code == *tool::UNUSED_SUPPRESSION.code)
                .map(|d| d.primary.range.clone())
                .collect();
            found.comments.insert(
                source.path.clone(),
                Comments {
                    source: Arc::clone(source),
                    unused,
                },
            );
        }
        if !diagnostics.is_empty() {
            found.cross.insert(
                source.path.clone(),
                CrossFile {
                    source: Arc::clone(source),
                    diagnostics,
                },
            );
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary, _out: &mut dyn io::Write) -> io::Result<()> {
        Ok(())
    }
}

/// Checks the files under each root as `healthlint check ROOT` would (its own config, its
/// excludes) and keeps the cross-document findings; a root with more than `max_files` files
/// is not compared.
pub fn pass(roots: &[PathBuf], overrides: &Overrides, max_files: usize, jobs: usize) -> Vec<Pass> {
    roots
        .iter()
        .map(|root| {
            let linter = match crate::load(root, overrides) {
                Ok(linter) => linter,
                Err(err) => {
                    let mut text = Vec::new();
                    let _ = crate::report::render_setup_error(&err, false, &mut text);
                    return Pass::Failed(Arc::from(String::from_utf8_lossy(&text).trim_end()));
                }
            };
            let targets =
                crate::discover::discover(std::slice::from_ref(root), None, &linter.settings);
            let files = targets.iter().count();
            if files > max_files {
                return Pass::TooMany {
                    root: root.clone(),
                    files,
                };
            }
            let mut keep = KeepCross::default();
            match crate::run_check(&linter, &targets, None, jobs, &mut keep, &mut io::sink()) {
                Ok(_) => Pass::Found(keep.found.into_inner().unwrap_or_else(|e| e.into_inner())),
                Err(e) => Pass::Failed(Arc::from(format!(
                    "cannot compare the files of `{}`: {e}",
                    root.display()
                ))),
            }
        })
        .collect()
}
