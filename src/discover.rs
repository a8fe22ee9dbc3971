//! Which files to check: takes the command line's paths and the settings and hands on a sorted,
//! de-duplicated list of [`Target`]s. Folders are walked with the `ignore` crate (honouring
//! `.gitignore`, `.ignore` and hidden files, inside or outside a git repository), keeping
//! `.md`, `.markdown`, `.mdx` and `.txt` files (or the config's `include` globs) minus the
//! `exclude` globs. A file named on the command line is always checked. Paths that cannot be
//! walked become targets too, so that the problem is reported for that path, never dropped.

use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::source::Format;

/// One thing to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A file on disk; `explicit` when named on the command line.
    File {
        path: PathBuf,
        format: Format,
        explicit: bool,
    },
    /// Standard input, reported under `name`.
    Stdin { name: PathBuf, format: Format },
    /// A path that could not be walked or does not exist, with the reason.
    Unreadable { path: PathBuf, reason: String },
}

impl Target {
    pub fn path(&self) -> &Path {
        match self {
            Target::File { path, .. }
            | Target::Stdin { name: path, .. }
            | Target::Unreadable { path, .. } => path,
        }
    }
}

/// Lists the targets for `paths` (`-` is standard input, named by `stdin_name`).
pub fn discover(paths: &[PathBuf], stdin_name: Option<&Path>, settings: &Settings) -> Vec<Target> {
    let mut targets = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let name = stdin_name.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
            let format = Format::from_path(&name).unwrap_or(Format::Markdown);
            targets.push(Target::Stdin { name, format });
        } else if path.is_file() {
            let format = Format::from_path(path).unwrap_or(Format::Markdown);
            targets.push(Target::File {
                path: path.clone(),
                format,
                explicit: true,
            });
        } else if path.is_dir() {
            walk(path, settings, &mut targets);
        } else {
            let reason = match std::fs::metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    "no such file or folder".to_string()
                }
                Err(e) => e.to_string(),
                Ok(_) => "not a regular file or folder".to_string(),
            };
            targets.push(Target::Unreadable {
                path: path.clone(),
                reason,
            });
        }
    }
    targets.sort_by(|a, b| a.path().cmp(b.path()).then_with(|| a.cmp(b)));
    // The same file reached twice (named and walked) is checked once, as named.
    targets.dedup_by(|later, earlier| {
        if later.path() != earlier.path() {
            return false;
        }
        if let (Target::File { explicit: e2, .. }, Target::File { explicit: e1, .. }) =
            (&*later, &mut *earlier)
        {
            *e1 |= *e2;
        }
        true
    });
    targets
}

fn walk(root: &Path, settings: &Settings, targets: &mut Vec<Target>) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .follow_links(true)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b));
    let settings_for_filter = settings.clone();
    let root_owned = root.to_path_buf();
    builder.filter_entry(move |entry| {
        entry.path() == root_owned || !settings_for_filter.is_excluded(entry.path())
    });
    for entry in builder.build() {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let wanted = match &settings.include {
                    Some(globs) => globs.is_match(path.strip_prefix("./").unwrap_or(path)),
                    None => Format::from_path(path).is_some(),
                };
                if wanted {
                    let format = Format::from_path(path).unwrap_or(Format::Markdown);
                    targets.push(Target::File {
                        path: path.to_path_buf(),
                        format,
                        explicit: false,
                    });
                }
            }
            Err(err) => {
                let path = error_path(&err).unwrap_or_else(|| root.to_path_buf());
                targets.push(Target::Unreadable {
                    path,
                    reason: error_reason(&err),
                });
            }
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_reason(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Loop { ancestor, .. } => {
            format!("directory loop: links back to `{}`", ancestor.display())
        }
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_reason(err)
        }
        other => other.to_string(),
    }
}
