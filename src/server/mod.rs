//! `healthlint server`: a Language Server Protocol server over standard input and output.
//! Takes an editor's messages (open, change, save and close of Markdown, MDX and plain-text
//! documents; hover and code-action requests) and hands on diagnostics, hovers and edits.
//!
//! Rules are loaded once per configuration ([`workspace::Linters`]): each document is checked
//! with the `healthlint.toml` found upward from its own folder, loaded again when that file
//! changes. A document is checked from its buffer, not from the disk, when it is opened or
//! saved and, after a short quiet time (`debounceMs`), when it changes, through the same
//! [`Linter::check_source`] as `healthlint check`. When a workspace folder is open, a
//! background pass over its files (the run of `healthlint check FOLDER`, bounded by
//! `maxWorkspaceFiles`) finds the cross-document findings (HL401), which are merged into the
//! diagnostics of the files concerned while their buffers match the disk; a suppression
//! comment that silences only such a finding is then no longer reported unused. Positions are
//! converted from byte spans in the encoding agreed at `initialize` ([`position`]); findings
//! become LSP values in [`convert`]. The main loop runs on one thread and answers every
//! message: a malformed one, an unknown method or a document it does not know gets an answer
//! the protocol defines, and a panic while handling one becomes an internal-error reply.

mod convert;
mod position;
mod transport;
mod workspace;

use std::collections::{HashMap, HashSet};
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    notification, request, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionParams, CodeActionProviderCapability, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, LogMessageParams, MarkupContent,
    MarkupKind, MessageType, OneOf, PublishDiagnosticsParams, Registration, RegistrationParams,
    SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use serde_json::Value;

use self::convert::{DocsLinks, Kind, Text};
use self::position::{Encoding, Lines};
use self::workspace::{Comments, CrossFile, DocsOptions, Linters, LoadError, Loaded, Pass};
use crate::config::{Overrides, CONFIG_FILE};
use crate::diagnostic::{tool, Diagnostic, Related};
use crate::engine::Linter;
use crate::source::{Format, SourceFile};

/// How the server behaves; the command line sets these and `initializationOptions` (same
/// names in camelCase) override them.
#[derive(Debug, Clone)]
pub struct Options {
    /// Settings for every configuration the server loads (`--config`, `--isolated`, …).
    pub overrides: Overrides,
    /// How long a document must stay unchanged before it is checked again (`debounceMs`).
    pub debounce: Duration,
    /// A base URL for the codes' pages (`docsUrl`); without it, pages are written to a cache
    /// folder and linked as files.
    pub docs_url: Option<Url>,
    /// Where to write those pages (`docsDir`).
    pub docs_dir: Option<PathBuf>,
    /// Whether to compare the files of the workspace folders (`workspaceCheck`).
    pub workspace_check: bool,
    /// A workspace folder with more files is not compared (`maxWorkspaceFiles`).
    pub max_workspace_files: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            overrides: Overrides::default(),
            debounce: Duration::from_millis(DEFAULT_DEBOUNCE_MS),
            docs_url: None,
            docs_dir: None,
            workspace_check: true,
            max_workspace_files: DEFAULT_MAX_WORKSPACE_FILES,
        }
    }
}

/// Long enough to skip the checks between keystrokes of a word, short enough to feel
/// immediate.
pub(crate) const DEFAULT_DEBOUNCE_MS: u64 = 150;
/// A folder of this many articles takes a few seconds to compare on one core.
pub(crate) const DEFAULT_MAX_WORKSPACE_FILES: usize = 5000;

/// Serves one client over standard input and output until it sends `exit`, or its input
/// ends; returns the exit code the protocol asks for (0 after `shutdown`, else 1).
pub fn serve(options: Options) -> io::Result<u8> {
    let transport = transport::start(io::BufReader::new(io::stdin()), io::stdout())?;
    let code = Server::new(options, transport.outgoing.clone()).run(&transport.incoming);
    // An empty body tells the writer to stop once everything before it is written; the
    // reader may stay blocked on standard input, and ends with the process.
    let _ = transport.outgoing.send(String::new());
    let _ = transport.writer.join();
    Ok(code)
}

/// One open document.
struct Doc {
    version: i32,
    text: String,
    kind: Kind,
    /// Its file, for `file:` URIs.
    path: Option<PathBuf>,
    /// The engine's findings on `text` at the last check.
    own: Vec<Diagnostic>,
    /// What was published: `own` with the cross-document findings merged in.
    findings: Vec<Diagnostic>,
    /// The linter of the last check, for hovers and page links.
    loaded: Option<Arc<Loaded>>,
    /// Why the last check could not run (a broken `healthlint.toml`).
    config_error: Option<LoadError>,
}

/// A request's failure: an error code and a message.
type Failure = (ErrorCode, String);

struct Server {
    out: Sender<String>,
    options: Options,
    encoding: Encoding,
    linters: Linters,
    initialized: bool,
    shutdown: bool,
    docs: HashMap<Url, Doc>,
    /// Documents changed and waiting for the quiet time to pass, with when it ends.
    due: HashMap<Url, Instant>,
    roots: Vec<PathBuf>,
    /// The last workspace pass's cross-document findings, by absolute path.
    cross: HashMap<PathBuf, CrossFile>,
    /// The last workspace pass's verdict on files with suppression comments, by absolute path.
    comments: HashMap<PathBuf, Comments>,
    /// Files not open whose cross-document findings were published.
    cross_published: HashSet<PathBuf>,
    pass_running: bool,
    pass_again: bool,
    passes: (Sender<Vec<Pass>>, Receiver<Vec<Pass>>),
    /// Configuration errors already shown to the user (each is shown once).
    shown: HashSet<LoadError>,
    watch_files: bool,
}

impl Server {
    fn new(options: Options, out: Sender<String>) -> Server {
        let linters = Linters::new(options.overrides.clone(), DocsOptions::default());
        Server {
            out,
            options,
            encoding: Encoding::Utf16,
            linters,
            initialized: false,
            shutdown: false,
            docs: HashMap::new(),
            due: HashMap::new(),
            roots: Vec::new(),
            cross: HashMap::new(),
            comments: HashMap::new(),
            cross_published: HashSet::new(),
            pass_running: false,
            pass_again: false,
            passes: crossbeam_channel::unbounded(),
            shown: HashSet::new(),
            watch_files: false,
        }
    }

    /// The main loop: messages, finished workspace passes and due checks, one at a time.
    fn run(mut self, incoming: &Receiver<Message>) -> u8 {
        loop {
            let timer = match self.due.values().min() {
                Some(&at) => crossbeam_channel::at(at),
                None => crossbeam_channel::never(),
            };
            let passes = self.passes.1.clone();
            crossbeam_channel::select! {
                recv(incoming) -> message => match message {
                    Ok(message) => {
                        if let Some(code) = self.handle(message) {
                            return code;
                        }
                    }
                    // The client went away without `exit`.
                    Err(_) => return 1,
                },
                recv(passes) -> found => {
                    if let Ok(found) = found {
                        self.pass_done(found);
                    }
                }
                recv(timer) -> _ => {}
            }
            self.check_due();
        }
    }

    fn send(&self, message: impl Into<Message>) {
        let _ = self.out.send(transport::body(&message.into()));
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify::<notification::LogMessage>(LogMessageParams { typ, message });
    }

    /// Handles one message; `Some(code)` when the server is to exit.
    fn handle(&mut self, message: Message) -> Option<u8> {
        match message {
            Message::Request(req) => {
                let id = req.id.clone();
                let method = req.method.clone();
                let result = catch_unwind(AssertUnwindSafe(|| self.request(req)))
                    .unwrap_or_else(|_| {
                        Err((
                            ErrorCode::InternalError,
                            format!("internal error while answering `{method}` (a bug in healthlint; please report it)"),
                        ))
                    });
                self.send(match result {
                    Ok(value) => Response::new_ok(id, value),
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                });
            }
            Message::Notification(n) if n.method == notification::Exit::METHOD => {
                return Some(if self.shutdown { 0 } else { 1 });
            }
            Message::Notification(n) => {
                let method = n.method.clone();
                if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                    self.log(
                        MessageType::ERROR,
                        format!("healthlint: internal error while handling `{method}` (a bug; please report it)"),
                    );
                }
            }
            // Answers to the server's own requests (the file watcher's registration).
            Message::Response(_) => {}
        }
        None
    }

    fn request(&mut self, req: Request) -> Result<Value, Failure> {
        if req.method == request::Initialize::METHOD {
            if self.initialized {
                return Err((
                    ErrorCode::InvalidRequest,
                    "the server is already initialized".into(),
                ));
            }
            let params: InitializeParams = params(req)?;
            return Ok(to_value(self.initialize(params)));
        }
        if !self.initialized {
            return Err((
                ErrorCode::ServerNotInitialized,
                format!("`{}` before `initialize`", req.method),
            ));
        }
        if self.shutdown {
            return Err((
                ErrorCode::InvalidRequest,
                format!("`{}` after `shutdown`: only `exit` is expected", req.method),
            ));
        }
        match req.method.as_str() {
            request::Shutdown::METHOD => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            request::HoverRequest::METHOD => {
                let p: HoverParams = params(req)?;
                Ok(to_value(self.hover(p)))
            }
            request::CodeActionRequest::METHOD => {
                let p: CodeActionParams = params(req)?;
                Ok(to_value(self.code_actions(p)))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("healthlint does not handle `{other}`"),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        if !self.initialized {
            // Before `initialize`, notifications are dropped (the protocol's rule).
            return;
        }
        let method = n.method.clone();
        let parsed = match method.as_str() {
            notification::Initialized::METHOD => {
                self.initialized_notification();
                Ok(())
            }
            notification::DidOpenTextDocument::METHOD => {
                n.extract(&method).map(|p| self.did_open(p))
            }
            notification::DidChangeTextDocument::METHOD => {
                n.extract(&method).map(|p| self.did_change(p))
            }
            notification::DidSaveTextDocument::METHOD => {
                n.extract(&method).map(|p| self.did_save(p))
            }
            notification::DidCloseTextDocument::METHOD => {
                n.extract(&method).map(|p| self.did_close(p))
            }
            notification::DidChangeWatchedFiles::METHOD => {
                n.extract(&method).map(|p| self.files_changed(p))
            }
            notification::DidChangeWorkspaceFolders::METHOD => {
                n.extract(&method).map(|p| self.folders_changed(p))
            }
            // `$/cancelRequest`, `$/setTrace`, configuration changes: nothing to do (requests
            // are answered as they come, so there is nothing to cancel).
            _ => Ok(()),
        };
        if let Err(e) = parsed {
            self.log(
                MessageType::WARNING,
                format!("healthlint: ignored `{method}`: {e}"),
            );
        }
    }

    // `rootUri` and `rootPath` are deprecated, and still what clients without workspace
    // folders send.
    #[allow(deprecated)]
    fn initialize(&mut self, params: InitializeParams) -> InitializeResult {
        self.initialized = true;
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref());
        self.encoding = Encoding::negotiate(offered);
        self.watch_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let folders: Vec<Url> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) => folders.iter().map(|f| f.uri.clone()).collect(),
            (None, Some(root)) => vec![root.clone()],
            (None, None) => Vec::new(),
        };
        let root_path = params.root_path.clone().map(PathBuf::from);
        self.roots = folders
            .iter()
            .filter_map(|u| u.to_file_path().ok())
            .chain(root_path.filter(|_| folders.is_empty()))
            .collect();
        if let Some(init) = &params.initialization_options {
            for warning in apply_options(&mut self.options, init) {
                self.log(MessageType::WARNING, format!("healthlint: {warning}"));
            }
        }
        self.linters = Linters::new(
            self.options.overrides.clone(),
            DocsOptions {
                url: self.options.docs_url.clone(),
                dir: self.options.docs_dir.clone(),
            },
        );
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(self.encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "healthlint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    /// After `initialized`: asks to hear of config files and articles changing on disk
    /// (when the client can watch files), and starts the first workspace pass.
    fn initialized_notification(&mut self) {
        if self.watch_files {
            let watchers = [
                format!("**/{CONFIG_FILE}"),
                "**/*.{md,markdown,mdx,txt,text}".into(),
            ]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob),
                kind: None,
            })
            .collect();
            let register = RegistrationParams {
                registrations: vec![Registration {
                    id: "healthlint-watched-files".into(),
                    method: notification::DidChangeWatchedFiles::METHOD.into(),
                    register_options: Some(to_value(DidChangeWatchedFilesRegistrationOptions {
                        watchers,
                    })),
                }],
            };
            self.send(Request::new(
                RequestId::from("healthlint-register-watchers".to_string()),
                request::RegisterCapability::METHOD.into(),
                register,
            ));
        }
        self.start_pass();
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let item = p.text_document;
        let path = file_path(&item.uri);
        let kind = match &path {
            Some(path) => Kind::from_path(path).or_else(|| {
                // A file without a known extension counts when the editor calls it Markdown.
                Kind::from_language(&item.language_id).filter(|k| *k != Kind::Plain)
            }),
            None => Kind::from_language(&item.language_id),
        };
        let Some(kind) = kind else {
            return;
        };
        self.docs.insert(
            item.uri.clone(),
            Doc {
                version: item.version,
                text: item.text,
                kind,
                path,
                own: Vec::new(),
                findings: Vec::new(),
                loaded: None,
                config_error: None,
            },
        );
        self.check_now(&item.uri);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let encoding = self.encoding;
        let Some(doc) = self.docs.get_mut(&uri) else {
            return;
        };
        for change in p.content_changes {
            match change.range {
                Some(range) => {
                    let lines = Lines::new(&doc.text);
                    let start = lines.offset(&doc.text, range.start, encoding);
                    let end = lines.offset(&doc.text, range.end, encoding).max(start);
                    doc.text.replace_range(start..end, &change.text);
                }
                None => doc.text = change.text,
            }
        }
        doc.version = p.text_document.version;
        if self.options.debounce.is_zero() {
            self.check_now(&uri);
        } else {
            self.due.insert(uri, Instant::now() + self.options.debounce);
        }
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        let uri = p.text_document.uri;
        if file_path(&uri).is_some_and(|p| p.file_name().is_some_and(|n| n == CONFIG_FILE)) {
            self.config_changed();
            return;
        }
        if self.docs.contains_key(&uri) {
            self.due.remove(&uri);
            self.check_now(&uri);
        }
        // The file on disk changed: what it says may now conflict with other files, or no
        // longer.
        self.start_pass();
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        self.due.remove(&uri);
        let Some(doc) = self.docs.remove(&uri) else {
            return;
        };
        // What stays true of the file on disk: its cross-document findings, if any.
        match doc.path.filter(|p| self.cross.contains_key(p)) {
            Some(path) => self.publish_closed(&path),
            None => self.notify::<notification::PublishDiagnostics>(PublishDiagnosticsParams {
                uri,
                diagnostics: Vec::new(),
                version: None,
            }),
        }
    }

    fn files_changed(&mut self, p: DidChangeWatchedFilesParams) {
        let config = p.changes.iter().any(|c| {
            file_path(&c.uri).is_some_and(|p| p.file_name().is_some_and(|n| n == CONFIG_FILE))
        });
        if config {
            self.config_changed();
        } else if !p.changes.is_empty() {
            self.start_pass();
        }
    }

    fn folders_changed(&mut self, p: DidChangeWorkspaceFoldersParams) {
        let removed: Vec<PathBuf> = p
            .event
            .removed
            .iter()
            .filter_map(|f| file_path(&f.uri))
            .collect();
        self.roots.retain(|r| !removed.contains(r));
        self.roots
            .extend(p.event.added.iter().filter_map(|f| file_path(&f.uri)));
        self.start_pass();
    }

    /// A `healthlint.toml` was created, changed or deleted: every document is checked again
    /// with the configuration that now applies.
    fn config_changed(&mut self) {
        self.linters.clear();
        self.shown.clear();
        let open: Vec<Url> = self.docs.keys().cloned().collect();
        for uri in open {
            self.due.remove(&uri);
            self.check_now(&uri);
        }
        self.start_pass();
    }

    fn check_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Url> = self
            .due
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in due {
            self.due.remove(&uri);
            self.check_now(&uri);
        }
    }

    /// Runs a waiting check now, so that a request sees the findings of the text it is about.
    fn flush(&mut self, uri: &Url) {
        if self.due.remove(uri).is_some() {
            self.check_now(uri);
        }
    }

    /// The folder a document's configuration is looked for from.
    fn folder_of(&self, path: Option<&Path>) -> PathBuf {
        path.and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(|| self.roots.first().cloned())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default()
    }

    fn check_now(&mut self, uri: &Url) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let folder = self.folder_of(doc.path.as_deref());
        let loaded = self.linters.get(&folder);
        if let Err(error) = &loaded {
            if self.shown.insert(error.clone()) {
                self.notify::<notification::ShowMessage>(ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("healthlint: the configuration could not be loaded:\n{error}"),
                });
            }
        }
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        match loaded {
            Ok(loaded) => {
                let excluded = doc
                    .path
                    .as_deref()
                    .is_some_and(|p| loaded.linter.settings.exclude.excludes_named(p, false));
                doc.own = if excluded {
                    Vec::new()
                } else {
                    check(
                        &loaded.linter,
                        doc.path.as_deref(),
                        doc.kind.format(),
                        &doc.text,
                    )
                };
                doc.loaded = Some(loaded);
                doc.config_error = None;
            }
            Err(error) => {
                doc.own = Vec::new();
                doc.loaded = None;
                doc.config_error = Some(error);
            }
        }
        self.publish(uri);
    }

    /// Publishes an open document's findings: its own, and the workspace pass's
    /// cross-document ones while its text is what the pass read.
    fn publish(&mut self, uri: &Url) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let mut findings = doc.own.clone();
        if let Some(cross) = doc.path.as_ref().and_then(|p| self.cross.get(p)) {
            if cross.source.text == doc.text {
                findings.extend(cross.diagnostics.iter().cloned());
                findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                findings.dedup();
            }
        }
        // The pass saw the cross-document findings this file's own check could not: of the
        // comments reported unused, only those it found unused too stay.
        if let Some(comments) = doc.path.as_ref().and_then(|p| self.comments.get(p)) {
            if comments.source.text == doc.text {
                findings.retain(|d| {
                    *d.rule.code != *tool::UNUSED_SUPPRESSION.code
                        || comments.unused.contains(&d.primary.range)
                });
            }
        }
        let lines = Lines::new(&doc.text);
        let at = Text {
            uri,
            text: &doc.text,
            lines: &lines,
            encoding: self.encoding,
        };
        let links = doc.loaded.as_ref().map_or(&DocsLinks::None, |l| &l.links);
        let mut diagnostics: Vec<lsp_types::Diagnostic> = findings
            .iter()
            .map(|d| convert::diagnostic(&at, d, links, &mut |r| self.elsewhere(r)))
            .collect();
        if let Some(error) = &doc.config_error {
            diagnostics.push(lsp_types::Diagnostic {
                severity: Some(lsp_types::DiagnosticSeverity::ERROR),
                source: Some(convert::SOURCE.into()),
                message: format!(
                    "this file was not checked: its configuration could not be loaded\n{error}"
                ),
                ..lsp_types::Diagnostic::default()
            });
        }
        let version = Some(doc.version);
        self.notify::<notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        });
        if let Some(doc) = self.docs.get_mut(uri) {
            doc.findings = findings;
        }
    }

    /// A place in another file, from that file's text as the workspace pass read it (or as
    /// it is on disk now).
    fn elsewhere(&self, r: &Related) -> Option<lsp_types::Location> {
        let path = PathBuf::from(&r.path);
        let uri = Url::from_file_path(&path).ok()?;
        let read;
        let text = match self.cross.get(&path) {
            Some(cross) => Some(cross.source.text.as_str()),
            None => {
                let format = Format::from_path(&path).unwrap_or(Format::Markdown);
                read = SourceFile::read(&path, format).ok();
                read.as_ref().map(|s| s.text.as_str())
            }
        };
        Some(convert::location_elsewhere(r, uri, text, self.encoding))
    }

    /// Publishes the cross-document findings of a file that is not open.
    fn publish_closed(&mut self, path: &Path) {
        let Some(cross) = self.cross.get(path) else {
            return;
        };
        let Ok(uri) = Url::from_file_path(path) else {
            return;
        };
        let source = Arc::clone(&cross.source);
        let findings = cross.diagnostics.clone();
        let folder = self.folder_of(Some(path));
        let loaded = self.linters.get(&folder).ok();
        let links = loaded.as_ref().map_or(&DocsLinks::None, |l| &l.links);
        let lines = Lines::new(&source.text);
        let at = Text {
            uri: &uri,
            text: &source.text,
            lines: &lines,
            encoding: self.encoding,
        };
        let diagnostics = findings
            .iter()
            .map(|d| convert::diagnostic(&at, d, links, &mut |r| self.elsewhere(r)))
            .collect();
        self.notify::<notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        });
        self.cross_published.insert(path.to_path_buf());
    }

    /// Starts a workspace pass on a background thread, or marks one to follow the pass
    /// already running.
    fn start_pass(&mut self) {
        if !self.options.workspace_check || self.roots.is_empty() {
            return;
        }
        if self.pass_running {
            self.pass_again = true;
            return;
        }
        self.pass_running = true;
        let roots = self.roots.clone();
        let overrides = self.linters.overrides().clone();
        let max = self.options.max_workspace_files;
        // One core is left to the editor's requests.
        let jobs = std::thread::available_parallelism()
            .map_or(1, |n| n.get().saturating_sub(1))
            .max(1);
        let done = self.passes.0.clone();
        let spawned = std::thread::Builder::new()
            .name("healthlint-workspace".into())
            .spawn(move || {
                let found = catch_unwind(AssertUnwindSafe(|| {
                    workspace::pass(&roots, &overrides, max, jobs)
                }))
                .unwrap_or_default();
                let _ = done.send(found);
            });
        if spawned.is_err() {
            self.pass_running = false;
        }
    }

    fn pass_done(&mut self, passes: Vec<Pass>) {
        self.pass_running = false;
        let mut cross = HashMap::new();
        let mut comments = HashMap::new();
        for pass in passes {
            match pass {
                Pass::Found(found) => {
                    cross.extend(found.cross);
                    comments.extend(found.comments);
                }
                Pass::TooMany { root, files } => self.log(
                    MessageType::INFO,
                    format!(
                        "healthlint: `{}` holds {files} files, more than maxWorkspaceFiles ({}): \
                         its files are not compared with each other",
                        root.display(),
                        self.options.max_workspace_files
                    ),
                ),
                Pass::Failed(why) => self.log(MessageType::WARNING, format!("healthlint: {why}")),
            }
        }
        self.cross = cross;
        let before = std::mem::replace(&mut self.comments, comments);
        let open: HashSet<PathBuf> = self.docs.values().filter_map(|d| d.path.clone()).collect();
        let gone: Vec<PathBuf> = self
            .cross_published
            .iter()
            .filter(|p| !self.cross.contains_key(*p) || open.contains(*p))
            .cloned()
            .collect();
        for path in gone {
            self.cross_published.remove(&path);
            if let (false, Ok(uri)) = (open.contains(&path), Url::from_file_path(&path)) {
                self.notify::<notification::PublishDiagnostics>(PublishDiagnosticsParams {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
        let mut closed: Vec<PathBuf> = self
            .cross
            .keys()
            .filter(|p| !open.contains(*p))
            .cloned()
            .collect();
        closed.sort();
        for path in closed {
            self.publish_closed(&path);
        }
        // Open documents whose published findings change: those with cross-document
        // findings before or now, and those with suppression comments.
        let uris: Vec<Url> = self
            .docs
            .iter()
            .filter(|(_, doc)| {
                doc.findings.iter().any(|d| !d.related.is_empty())
                    || doc.path.as_ref().is_some_and(|p| {
                        self.cross.contains_key(p)
                            || self.comments.contains_key(p)
                            || before.contains_key(p)
                    })
            })
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in uris {
            self.publish(&uri);
        }
        if std::mem::take(&mut self.pass_again) {
            self.start_pass();
        }
    }

    fn hover(&mut self, p: HoverParams) -> Option<Hover> {
        let uri = p.text_document_position_params.text_document.uri;
        self.flush(&uri);
        let doc = self.docs.get(&uri)?;
        let loaded = doc.loaded.as_ref()?;
        let lines = Lines::new(&doc.text);
        let offset = lines.offset(
            &doc.text,
            p.text_document_position_params.position,
            self.encoding,
        );
        let under: Vec<&Diagnostic> = doc
            .findings
            .iter()
            .filter(|d| {
                let r = &d.primary.range;
                (r.start <= offset && offset < r.end) || r.start == offset
            })
            .collect();
        let mut codes: Vec<&str> = under.iter().map(|d| &*d.rule.code).collect();
        codes.dedup();
        let texts: Vec<String> = codes
            .iter()
            .filter_map(|code| convert::explanation(&loaded.linter, code))
            .collect();
        let first = under.first()?;
        let at = Text {
            uri: &uri,
            text: &doc.text,
            lines: &lines,
            encoding: self.encoding,
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::PlainText,
                value: texts.join("\n"),
            }),
            range: Some(at.range(&first.primary.range)),
        })
    }

    fn code_actions(&mut self, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let wanted = p.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str()))
        });
        let uri = p.text_document.uri;
        self.flush(&uri);
        let Some(doc) = self.docs.get(&uri) else {
            return Vec::new();
        };
        if !wanted {
            return Vec::new();
        }
        let lines = Lines::new(&doc.text);
        let at = Text {
            uri: &uri,
            text: &doc.text,
            lines: &lines,
            encoding: self.encoding,
        };
        let start = lines.offset(&doc.text, p.range.start, self.encoding);
        let end = lines.offset(&doc.text, p.range.end, self.encoding);
        let links = doc.loaded.as_ref().map_or(&DocsLinks::None, |l| &l.links);
        let found: Vec<(&Diagnostic, lsp_types::Diagnostic)> = doc
            .findings
            .iter()
            .map(|d| {
                (
                    d,
                    convert::diagnostic(&at, d, links, &mut |r| self.elsewhere(r)),
                )
            })
            .filter(|(d, lsp)| {
                let r = &d.primary.range;
                (r.start <= end && start <= r.end)
                    || p.context.diagnostics.iter().any(|c| {
                        c.range == lsp.range && c.code == lsp.code && c.message == lsp.message
                    })
            })
            .collect();
        convert::actions(&at, doc.kind, &found)
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }
}

/// Checks a buffer as `check` checks a file: decoded the same way (control characters read
/// as spaces), findings that `[per-file-ignores]` leaves out for its path dropped. Spans stay
/// offsets into `text`.
fn check(linter: &Linter, path: Option<&Path>, format: Format, text: &str) -> Vec<Diagnostic> {
    let name = path.map_or_else(|| PathBuf::from("untitled"), Path::to_path_buf);
    // A byte-order mark in the buffer is dropped by decoding: spans are then shifted back.
    let bom = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let source = match SourceFile::from_bytes(name.clone(), format, text.as_bytes().to_vec()) {
        // Decoding keeps every offset but the mark's, unless text with many NULs was taken
        // for UTF-16: then the text is checked as it is.
        Ok(source) if source.text.len() + bom == text.len() => source,
        Ok(_) => SourceFile::from_text(name, format, &text[bom..]),
        Err(e) => {
            return vec![
                tool::UNREADABLE.file_diagnostic(format!("cannot check this document: {e}"))
            ]
        }
    };
    let mut found = linter.check_source(&source);
    if let Some(path) = path {
        found.retain(|d| !linter.settings.ignores_in_file(path, &d.rule.code));
    }
    if bom > 0 {
        for d in &mut found {
            for label in std::iter::once(&mut d.primary).chain(&mut d.secondary) {
                label.range = label.range.start + bom..label.range.end + bom;
            }
        }
    }
    found
}

/// The file of a `file:` URI.
fn file_path(uri: &Url) -> Option<PathBuf> {
    (uri.scheme() == "file")
        .then(|| uri.to_file_path().ok())
        .flatten()
}

fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, Failure> {
    serde_json::from_value(req.params).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("invalid parameters for `{}`: {e}", req.method),
        )
    })
}

fn to_value(value: impl serde::Serialize) -> Value {
    // LSP types serialise to JSON without fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Applies `initializationOptions`; returns a warning for each key it could not use.
fn apply_options(options: &mut Options, init: &Value) -> Vec<String> {
    let Some(map) = init.as_object() else {
        return vec!["initializationOptions is not an object: ignored".into()];
    };
    let mut warnings = Vec::new();
    for (key, value) in map {
        let ok = match key.as_str() {
            "debounceMs" => value
                .as_u64()
                .map(|ms| options.debounce = Duration::from_millis(ms))
                .is_some(),
            "docsUrl" => value
                .as_str()
                .and_then(|s| {
                    // A base without a trailing slash would lose its last segment when the
                    // page name is joined to it.
                    let s = if s.ends_with('/') {
                        s.to_string()
                    } else {
                        format!("{s}/")
                    };
                    Url::parse(&s).ok()
                })
                .map(|url| options.docs_url = Some(url))
                .is_some(),
            "docsDir" => value
                .as_str()
                .map(|s| options.docs_dir = Some(PathBuf::from(s)))
                .is_some(),
            "workspaceCheck" => value
                .as_bool()
                .map(|b| options.workspace_check = b)
                .is_some(),
            "maxWorkspaceFiles" => value
                .as_u64()
                .map(|n| options.max_workspace_files = usize::try_from(n).unwrap_or(usize::MAX))
                .is_some(),
            _ => {
                warnings.push(format!(
                    "unknown initializationOptions key `{key}`: ignored"
                ));
                continue;
            }
        };
        if !ok {
            warnings.push(format!(
                "invalid value for initializationOptions `{key}`: {value}"
            ));
        }
    }
    warnings
}
