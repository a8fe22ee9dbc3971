//! Which files to check: takes the command line's paths and the settings and hands on
//! [`Targets`], which yields sorted, de-duplicated [`Target`]s as often as asked. A single
//! folder, the usual case, is walked lazily in sorted order each time, so a run over 100,000
//! files never holds their list; anything else (several paths, standard input) is listed,
//! sorted and de-duplicated once. Folders are walked with the `ignore` crate (honouring
//! `.gitignore`, `.ignore` and hidden files, inside or outside a git repository), keeping
//! `.md`, `.markdown`, `.mdx` and `.txt` files (or the config's `include` globs) minus what the
//! [`Excludes`](crate::config::Excludes) match. A file or folder named on the command line is
//! checked even when excluded, unless `--force-exclude` is given: then it is skipped when it or
//! a folder it is in is excluded (and so is standard input whose `--stdin-filename` is). A
//! walk follows links that stay inside the folders named; a link that leads out of them is
//! not read but listed as skipped, unless `--follow` (`follow-links`) is given. Every file is
//! checked once, by canonical path, however many spellings and links reach it. The run's own
//! report file is never checked ([`Targets::without`]). Paths that cannot be walked
//! become targets too, so that the problem is reported for that path, never dropped.
//! [`parse_path_list`] reads a `--files-from` list into such named paths.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::GlobSet;

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
    /// A walked entry that is not read, and why: an entry with an article's name that is no
    /// regular file (a FIFO, a socket, a device: reading it could block or never end), or a
    /// link that leads out of the walked folders (see [`walk`]). Listed as skipped.
    Skipped { path: PathBuf, reason: String },
}

impl Target {
    pub fn path(&self) -> &Path {
        match self {
            Target::File { path, .. }
            | Target::Stdin { name: path, .. }
            | Target::Unreadable { path, .. }
            | Target::Skipped { path, .. } => path,
        }
    }
}

/// The targets of a run, yielded in path order each time [`Targets::iter`] is called.
#[derive(Debug, Clone)]
pub enum Targets {
    /// Sorted and de-duplicated.
    List(Vec<Target>),
    /// One folder, walked in sorted order on every pass.
    Walk {
        root: PathBuf,
        settings: Box<Settings>,
    },
    /// Other targets without one file (see [`Targets::without`]); `file` is canonical.
    Without {
        targets: Box<Targets>,
        file: PathBuf,
    },
}

impl Targets {
    pub fn iter(&self) -> Box<dyn Iterator<Item = Target> + '_> {
        match self {
            Targets::List(list) => Box::new(list.iter().cloned()),
            Targets::Walk { root, settings } => Box::new(walk(
                root,
                canonical_roots(std::slice::from_ref(root)),
                settings,
            )),
            Targets::Without { targets, file } => {
                Box::new(targets.iter().filter(move |t| !is_file(t, file)))
            }
        }
    }

    /// The same targets without `file`, however it is named or reached: the run's own report
    /// (`--output-file`). Checked, it would be read while it is being written, and the next
    /// run in the same folder would report on the last one's report. A file that does not
    /// exist is no target, so nothing changes.
    pub fn without(self, file: &Path) -> Targets {
        match std::fs::canonicalize(file) {
            Ok(file) => Targets::Without {
                targets: Box::new(self),
                file,
            },
            Err(_) => self,
        }
    }

    /// The targets in order, `size` at a time (the last batch may be shorter).
    pub fn batches(&self, size: usize) -> impl Iterator<Item = Vec<Target>> + '_ {
        let mut pending = self.iter();
        std::iter::from_fn(move || {
            let batch: Vec<Target> = pending.by_ref().take(size.max(1)).collect();
            (!batch.is_empty()).then_some(batch)
        })
    }

    /// Whether there are at least two targets (cross-document checks need two files).
    pub fn several(&self) -> bool {
        self.iter().nth(1).is_some()
    }

    /// Every target, in order.
    pub fn to_vec(&self) -> Vec<Target> {
        self.iter().collect()
    }
}

/// The targets for `paths` (`-` is standard input, named by `stdin_name`).
pub fn discover(paths: &[PathBuf], stdin_name: Option<&Path>, settings: &Settings) -> Targets {
    let skipped = |path: &Path, is_dir: bool| {
        settings.force_exclude && settings.exclude.excludes_named(path, is_dir)
    };
    if let [only] = paths {
        if only.as_os_str() != "-" && only.is_dir() {
            if skipped(only, true) {
                return Targets::List(Vec::new());
            }
            // A walk with entries sorted by name at every level yields paths in the same
            // order as sorting them, and a walk never meets a file twice.
            return Targets::Walk {
                root: only.clone(),
                settings: Box::new(settings.clone()),
            };
        }
    }
    let mut targets = Vec::new();
    let roots = canonical_roots(paths);
    for path in paths {
        if path.as_os_str() == "-" {
            if stdin_name.is_some_and(|name| skipped(name, false)) {
                continue;
            }
            let name = stdin_name.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
            let format = Format::from_path(&name).unwrap_or(Format::Markdown);
            targets.push(Target::Stdin { name, format });
        } else if skipped(path, path.is_dir()) {
            continue;
        } else if path.is_file() {
            let format = Format::from_path(path).unwrap_or(Format::Markdown);
            targets.push(Target::File {
                path: path.clone(),
                format,
                explicit: true,
            });
        } else if path.is_dir() {
            targets.extend(walk(path, Arc::clone(&roots), settings));
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
    Targets::List(once_each(targets))
}

/// The paths of a `--files-from` list. They are separated by NUL bytes when the list holds
/// one, as `git diff -z` and `find -print0` write them (the only separator that no path can
/// contain), else by newlines, with a CR before a newline dropped (a list saved on Windows).
/// Empty entries are skipped, so a trailing separator or a blank line is harmless; nothing
/// else is trimmed, since a file name may begin or end with a space. A listed `-` is a file
/// of that name: a list names files, and standard input is the list itself or named as `-`
/// on the command line. On a platform whose paths are not bytes, an entry that is not UTF-8
/// is an error naming its position.
pub fn parse_path_list(bytes: &[u8]) -> Result<Vec<PathBuf>, String> {
    let nul = memchr::memchr(0, bytes).is_some();
    let entries: Box<dyn Iterator<Item = &[u8]>> = if nul {
        Box::new(bytes.split(|&b| b == 0))
    } else {
        Box::new(
            bytes
                .split(|&b| b == b'\n')
                .map(|line| line.strip_suffix(b"\r").unwrap_or(line)),
        )
    };
    let mut paths = Vec::new();
    for (index, entry) in entries.enumerate() {
        if entry.is_empty() {
            continue;
        }
        let path = path_from_bytes(entry).ok_or_else(|| {
            format!(
                "entry {} of the list is not a valid path here (not UTF-8)",
                index + 1
            )
        })?;
        paths.push(if path.as_os_str() == "-" {
            Path::new(".").join(path)
        } else {
            path
        });
    }
    Ok(paths)
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(bytes).ok().map(PathBuf::from)
}

/// Keeps the first of the targets that are one file on disk, however it was reached: named
/// and walked, spelled `a.md` and `./a.md`, or through a link. A file checked twice would be
/// reported twice and "conflict with itself" across documents. The kept target is explicit
/// when any of its spellings was named on the command line.
fn once_each(targets: Vec<Target>) -> Vec<Target> {
    let mut seen: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    let mut kept: Vec<Target> = Vec::with_capacity(targets.len());
    for target in targets {
        if let Target::File { path, explicit, .. } = &target {
            let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            if let Some(&first) = seen.get(&key) {
                if let Target::File {
                    explicit: kept_explicit,
                    ..
                } = &mut kept[first]
                {
                    *kept_explicit |= *explicit;
                }
                continue;
            }
            seen.insert(key, kept.len());
        }
        kept.push(target);
    }
    kept
}

/// Whether a target is the file at the canonical path `file`. Only a target with the same
/// file name is resolved, so a walk of 100,000 files does not resolve each one; a link to
/// `file` under another name is not recognised.
fn is_file(target: &Target, file: &Path) -> bool {
    match target {
        Target::File { path, .. } => {
            path.file_name() == file.file_name()
                && std::fs::canonicalize(path).is_ok_and(|p| p == file)
        }
        _ => false,
    }
}

/// The files under `root` to check, in path order, lazily. Links are followed while they
/// stay inside `roots` (the canonical folders of the run): a link that leads out of them
/// (to `/etc`, to a file of secrets beside the repository) is not read, unless the settings
/// say to follow links (`--follow`, `follow-links`), and is listed as skipped so that the
/// report says so. Each file is yielded once, by canonical path, under the first spelling in
/// walk order, so that a link inside the tree to a file of the tree does not check it twice.
/// That takes a set of 16-byte keys of the files walked; only files reached through a link
/// cost a `canonicalize`.
fn walk<'a>(
    root: &'a Path,
    roots: Arc<[PathBuf]>,
    settings: &'a Settings,
) -> impl Iterator<Item = Target> + 'a {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .follow_links(true)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b));
    // The filter decides before the walk descends into a linked folder; what it turns away
    // is handed to the iterator below through `turned_away`, in walk order.
    let turned_away: Arc<Mutex<Vec<Target>>> = Arc::default();
    {
        let exclude = settings.exclude.clone();
        let include = settings.include.clone();
        let follow = settings.follow_links;
        let turned_away = Arc::clone(&turned_away);
        builder.filter_entry(move |entry| {
            // The root was named on the command line: `discover` has decided it already.
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !exclude.is_empty() && exclude.excludes(entry.path(), is_dir) {
                return false;
            }
            if follow || !entry.path_is_symlink() {
                return true;
            }
            // A broken link is left to the walk, which reports it as unreadable.
            let Ok(target) = std::fs::canonicalize(entry.path()) else {
                return true;
            };
            if roots.iter().any(|r| target.starts_with(r)) {
                return true;
            }
            if is_dir || wanted(entry.path(), include.as_ref()) {
                let what = if is_dir { "folder" } else { "file" };
                turned_away.lock().unwrap().push(Target::Skipped {
                    path: entry.path().to_path_buf(),
                    reason: format!(
                        "a link to a {what} outside the folders being checked, not followed \
                         (`--follow` follows it)"
                    ),
                });
            }
            false
        });
    }
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut walker = builder.build().fuse();
    let mut ready: VecDeque<Target> = VecDeque::new();
    let mut seen: HashSet<u128> = HashSet::new();
    // Linked folders the walk is inside of: their files' paths are not canonical.
    let mut linked_dirs: Vec<PathBuf> = Vec::new();
    std::iter::from_fn(move || loop {
        if let Some(target) = ready.pop_front() {
            return Some(target);
        }
        let next = walker.next();
        // What the filter turned away comes before the entry it stopped at.
        ready.extend(turned_away.lock().unwrap().drain(..));
        let entry = match next {
            None => return ready.pop_front(),
            Some(Err(err)) => {
                ready.push_back(Target::Unreadable {
                    path: error_path(&err).unwrap_or_else(|| root.to_path_buf()),
                    reason: error_reason(&err),
                });
                continue;
            }
            Some(Ok(entry)) => entry,
        };
        let path = entry.path();
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        while linked_dirs.last().is_some_and(|dir| !path.starts_with(dir)) {
            linked_dirs.pop();
        }
        if file_type.is_dir() {
            if entry.path_is_symlink() {
                linked_dirs.push(path.to_path_buf());
            }
            continue;
        }
        if !wanted(path, settings.include.as_ref()) {
            continue;
        }
        if !file_type.is_file() {
            ready.push_back(Target::Skipped {
                path: path.to_path_buf(),
                reason: format!("{}, not a regular file", special_kind(&file_type)),
            });
            continue;
        }
        let canonical = if entry.path_is_symlink() || !linked_dirs.is_empty() {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        } else {
            match path.strip_prefix(root) {
                Ok(rest) => canonical_root.join(rest),
                Err(_) => path.to_path_buf(),
            }
        };
        if !seen.insert(key(&canonical)) {
            continue;
        }
        ready.push_back(Target::File {
            path: path.to_path_buf(),
            format: Format::from_path(path).unwrap_or(Format::Markdown),
            explicit: false,
        });
    })
}

/// The canonical paths of the folders among `paths`: links that lead out of all of them are
/// not followed.
fn canonical_roots(paths: &[PathBuf]) -> Arc<[PathBuf]> {
    paths
        .iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect()
}

/// Whether a walked file is one to check: by the config's `include` globs, else by extension.
fn wanted(path: &Path, include: Option<&GlobSet>) -> bool {
    match include {
        Some(globs) => globs.is_match(path.strip_prefix("./").unwrap_or(path)),
        None => Format::from_path(path).is_some(),
    }
}

/// A 128-bit key for a canonical path: two 64-bit hashes, so that two files of a walk share a
/// key (and one is dropped) with a chance far below any disk error's, in a set a tenth the
/// size of the paths'.
fn key(path: &Path) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |salt: u8| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        path.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// What kind of special file an entry is, for the note that says it was skipped.
fn special_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "not a regular file"
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lazy walk must yield exactly what listing and sorting yields: the streaming run
    /// and the cross-document pass rely on one order.
    #[test]
    fn walking_one_folder_yields_the_sorted_list() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "a.md",
            "a-b.md",
            "a/b.md",
            "a/c/d.txt",
            "a.b/x.md",
            "B.md",
            "b.txt",
            "ab.mdx",
            "z/0.md",
            "note.rst",
            "a/_.markdown",
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "text").unwrap();
        }
        let settings = Settings::default();
        let root = dir.path().to_path_buf();
        let walked = discover(std::slice::from_ref(&root), None, &settings);
        assert!(matches!(walked, Targets::Walk { .. }));
        // Two paths make a list: the same folder twice is de-duplicated.
        let listed = discover(&[root.clone(), root], None, &settings);
        assert!(matches!(listed, Targets::List(_)));
        let walked = walked.to_vec();
        assert_eq!(walked, listed.to_vec());
        assert_eq!(walked.len(), 10);
        assert!(walked.windows(2).all(|w| w[0].path() < w[1].path()));
    }

    /// One file reached under several spellings is checked once (issue 20, D7).
    #[test]
    fn one_file_under_two_spellings_is_one_target() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("articles");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("a.md"), "text").unwrap();
        std::fs::write(folder.join("b.md"), "text").unwrap();
        let settings = Settings::default();
        let paths = [
            folder.join("a.md"),
            folder.join(".").join("a.md"),
            folder.join("..").join("articles"),
        ];
        let targets = discover(&paths, None, &settings).to_vec();
        let names: Vec<_> = targets
            .iter()
            .map(|t| t.path().file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["a.md", "b.md"], "{targets:?}");
        assert!(
            matches!(&targets[0], Target::File { explicit: true, .. }),
            "a named spelling keeps the file explicit: {targets:?}"
        );
    }

    /// Links inside the walked folders are followed, each file once; a link out of them is
    /// skipped unless links are to be followed (issue 20, D10). A link from one named
    /// folder into another stays inside.
    #[cfg(unix)]
    #[test]
    fn links_out_of_the_walked_folders_are_skipped_unless_followed() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let (a, b, out) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("out"),
        );
        for folder in [&a, &b, &out] {
            std::fs::create_dir(folder).unwrap();
        }
        std::fs::write(a.join("real.md"), "text").unwrap();
        std::fs::write(b.join("other.md"), "text").unwrap();
        std::fs::write(out.join("secret.md"), "text").unwrap();
        symlink(a.join("real.md"), a.join("alias.md")).unwrap();
        symlink(&a, a.join("loop")).unwrap();
        symlink(b.join("other.md"), a.join("to-b.md")).unwrap();
        symlink(out.join("secret.md"), a.join("secret.md")).unwrap();
        symlink(&out, a.join("out")).unwrap();
        let listed = |paths: &[PathBuf], settings: &Settings| -> Vec<String> {
            discover(paths, None, settings)
                .to_vec()
                .iter()
                .map(|t| {
                    let name = t.path().strip_prefix(dir.path()).unwrap().display();
                    match t {
                        Target::File { .. } => format!("{name}"),
                        Target::Skipped { .. } => format!("skipped {name}"),
                        Target::Unreadable { .. } => format!("unreadable {name}"),
                        Target::Stdin { .. } => unreachable!(),
                    }
                })
                .collect()
        };
        let mut settings = Settings::default();
        // `alias.md` comes before `real.md`: the first spelling is kept.
        assert_eq!(
            listed(std::slice::from_ref(&a), &settings),
            [
                "a/alias.md",
                "unreadable a/loop",
                "skipped a/out",
                "skipped a/secret.md",
                "skipped a/to-b.md"
            ]
        );
        assert_eq!(
            listed(&[a.clone(), b.clone()], &settings),
            [
                "a/alias.md",
                "unreadable a/loop",
                "skipped a/out",
                "skipped a/secret.md",
                "a/to-b.md",
            ]
        );
        settings.follow_links = true;
        assert_eq!(
            listed(std::slice::from_ref(&a), &settings),
            [
                "a/alias.md",
                "unreadable a/loop",
                "a/out/secret.md",
                "a/to-b.md"
            ]
        );
    }

    #[test]
    fn a_path_list_splits_on_nul_when_it_holds_one_else_on_newlines() {
        let paths = |bytes: &[u8]| -> Vec<String> {
            parse_path_list(bytes)
                .unwrap()
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            paths(b"a.md\nb c.md\r\n\n\nd.md"),
            ["a.md", "b c.md", "d.md"]
        );
        // With a NUL, a newline is part of a name.
        assert_eq!(paths(b"a\nb.md\0c.md\0\0"), ["a\nb.md", "c.md"]);
        assert_eq!(paths(b" x.md \n"), [" x.md "]);
        assert_eq!(paths(b"-\n"), ["./-"]);
        assert!(paths(b"").is_empty());
        assert!(paths(b"\n\r\n\n").is_empty());
        assert!(paths(b"\0\0").is_empty());
    }

    /// The report file is left out whether it is walked or named, under any spelling.
    #[test]
    fn the_report_file_is_no_target() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.md", "report.txt", "sub/report.txt"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "text").unwrap();
        }
        let settings = Settings::default();
        let report = dir.path().join("sub").join("..").join("report.txt");
        let names = |targets: Targets| -> Vec<PathBuf> {
            targets
                .to_vec()
                .iter()
                .map(|t| t.path().strip_prefix(dir.path()).unwrap().to_path_buf())
                .collect()
        };
        let walked = discover(&[dir.path().to_path_buf()], None, &settings).without(&report);
        let named = discover(
            &[dir.path().join("report.txt"), dir.path().join("a.md")],
            None,
            &settings,
        )
        .without(&report);
        let expected = [PathBuf::from("a.md"), PathBuf::from("sub/report.txt")];
        assert_eq!(names(walked), expected);
        assert_eq!(names(named), expected[..1]);
        // A report that does not exist yet leaves the targets as they were.
        let absent = dir.path().join("new.txt");
        let all = discover(&[dir.path().to_path_buf()], None, &settings).without(&absent);
        assert_eq!(names(all).len(), 3);
    }
}
