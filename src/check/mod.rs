//! Rule kinds and the generic machinery that compiles and runs them. Takes the rule files
//! ([`RuleSource`]) and hands on a [`RuleSet`]: every rule validated, its check compiled once,
//! all phrase lists in one shared [`PatternSet`]; then, per file, takes its [`Document`] and
//! [`Hits`] and hands on each rule's diagnostics.
//!
//! A kind is a type implementing [`Kind`], in its own file here: its `[check]` schema (the
//! reference for rule authors), the state its rules share (compiled once per rule set), its
//! per-file work (done once per file, on first use, for all its rules), the placeholders its
//! messages may use (checked when rules load) and its check. The `registry!` below is the
//! only list of kinds: the compiler, [`CheckContext`] and the engine know none by name. Any
//! error stops the run before a file is checked, pointing at the key or value in the TOML file.

mod drug_claims;
mod template;

use std::any::{Any, TypeId};
use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::analyze::{ContextRules, Hits, PatternSet, PatternSetBuilder};
use crate::config::Locale;
use crate::diagnostic::{Diagnostic, Label, RuleId};
use crate::document::Document;
use crate::error::{SetupError, SpannedError};
use crate::rules::drugs::Mention;
use crate::rules::spec::{self, KindOnly, RuleFile};
use crate::rules::{field_span, parse_as, Lexicon, RuleMeta, RuleSource};
use crate::source::SourceFile;
pub use template::fill;

/// Declares the kinds: one line per file of `src/check/`, naming the kind types it defines.
/// The line declares the module too, so a new kind is its file plus its line here.
macro_rules! registry {
    ($($module:ident: $($kind:ident),+;)+) => {
        $(pub mod $module;)+
        /// Every registered kind.
        static KINDS: &[&(dyn Registered + Sync)] =
            &[$($(&Entry::<$module::$kind>(PhantomData),)+)+];
    };
}

registry! {
    conflict: Conflict;
    existence: Existence;
    promotion: Promotion;
    red_flags: RedFlags, Guidance;
    requires: Requires;
}

/// A rule kind: what `kind = "…"` in a rule file's `[check]` table names.
pub(crate) trait Kind: Sized + Send + Sync + fmt::Debug + 'static {
    /// The name rule files give in `check.kind`.
    const NAME: &'static str;
    /// The placeholders a rule's `message` may use (`"match"` for `{match}`); any other is an
    /// error when the rule loads.
    const PLACEHOLDERS: &'static [&'static str];
    /// The `[check]` table (with `deny_unknown_fields`, so a misspelt key is reported at it).
    type Spec: DeserializeOwned;
    /// What the kind's rules share, built while they compile (a topic registry, a compiled
    /// model). Kinds that name the same type share one value.
    type Shared: Default + Send + Sync + 'static;
    /// What the kind works out once per file for all its rules, on first use. Kinds that
    /// name the same type share it.
    type PerFile: 'static;

    /// Validates and compiles one rule, registering its phrases in `compiler.patterns`.
    fn compile(
        file: RuleFile<Self::Spec>,
        source: &RuleSource,
        shared: &mut Self::Shared,
        compiler: &mut Compiler<'_>,
    ) -> Result<Self, Vec<SpannedError>>;

    /// The per-file work, done by the first rule of the file that needs it.
    fn per_file(shared: &Self::Shared, cx: &CheckContext<'_>) -> Self::PerFile;

    /// Checks one file, appending findings.
    fn run(
        &self,
        shared: &Self::Shared,
        file: &Self::PerFile,
        cx: &CheckContext<'_>,
        out: &mut Vec<Diagnostic>,
    );

    /// Whether this rule needs the rules of its kind that the selection left out compiled
    /// too (a cross-document rule compares what they extract).
    fn needs_its_kind(&self) -> bool {
        false
    }

    /// The comparison across the files of one run that these rules (every compiled rule of
    /// the kind) make, if any; `state` finds the per-file work of a file.
    fn across<'r>(
        _shared: &'r Self::Shared,
        _rules: Vec<(&'r RuleMeta, &'r Self)>,
        _state: State,
    ) -> Option<Box<dyn Across + 'r>> {
        None
    }
}

/// What a checked file hands on to the cross-document stage; only the kind that made it reads
/// it.
pub(crate) type Handed = Box<dyn Any + Send>;

/// A comparison across the files of one run (see `cross.rs`, which drives it).
pub trait Across: Send + Sync {
    /// What one checked file hands on, from the work its checks did (`None`: nothing to
    /// compare). Called on worker threads.
    fn hand_on(&self, cx: &CheckContext<'_>, source: &SourceFile) -> Option<Handed>;
    /// Keeps what target `index` (in path order) handed on; `path` names it in the findings
    /// of other files.
    fn keep(&mut self, index: usize, path: &Path, handed: Handed);
    /// Compares what was kept: findings by target index, at the rule's default severity.
    fn compare(&self, pool: &rayon::ThreadPool) -> Vec<(usize, Vec<Diagnostic>)>;
}

/// Where a kind's per-file work is kept in a [`FileState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct State(usize);

/// A kind with its types erased, as the registry holds it.
trait Registered {
    fn name(&self) -> &'static str;
    fn placeholders(&self) -> &'static [&'static str];
    fn shared_type(&self) -> TypeId;
    fn new_shared(&self) -> Box<dyn Any + Send + Sync>;
    fn per_file_type(&self) -> TypeId;
    fn compile(
        &self,
        source: &RuleSource,
        shared: &mut (dyn Any + Send + Sync),
        compiler: &mut Compiler<'_>,
        state: State,
    ) -> Result<Box<dyn Compiled>, Vec<SpannedError>>;
    fn across<'r>(
        &self,
        shared: &'r (dyn Any + Send + Sync),
        rules: Vec<(&'r RuleMeta, &'r dyn Compiled)>,
        state: State,
    ) -> Option<Box<dyn Across + 'r>>;
}

struct Entry<K>(PhantomData<fn() -> K>);

impl<K: Kind> Registered for Entry<K> {
    fn name(&self) -> &'static str {
        K::NAME
    }

    fn placeholders(&self) -> &'static [&'static str] {
        K::PLACEHOLDERS
    }

    fn shared_type(&self) -> TypeId {
        TypeId::of::<K::Shared>()
    }

    fn new_shared(&self) -> Box<dyn Any + Send + Sync> {
        Box::<K::Shared>::default()
    }

    fn per_file_type(&self) -> TypeId {
        TypeId::of::<K::PerFile>()
    }

    fn compile(
        &self,
        source: &RuleSource,
        shared: &mut (dyn Any + Send + Sync),
        compiler: &mut Compiler<'_>,
        state: State,
    ) -> Result<Box<dyn Compiled>, Vec<SpannedError>> {
        let file = parse_as::<K::Spec>(source)?;
        // The rule set made `shared` from this kind's `new_shared`.
        let shared = shared.downcast_mut::<K::Shared>().ok_or_else(|| {
            vec![SpannedError::new(
                &source.origin,
                &source.text,
                None,
                "internal error: a kind's shared state has another type",
            )]
        })?;
        let check = K::compile(file, source, shared, compiler)?;
        Ok(Box::new(Checked { check, state }))
    }

    fn across<'r>(
        &self,
        shared: &'r (dyn Any + Send + Sync),
        rules: Vec<(&'r RuleMeta, &'r dyn Compiled)>,
        state: State,
    ) -> Option<Box<dyn Across + 'r>> {
        let shared = shared.downcast_ref::<K::Shared>()?;
        let rules = rules
            .into_iter()
            .filter_map(|(meta, c)| {
                let checked = c.as_any().downcast_ref::<Checked<K>>()?;
                Some((meta, &checked.check))
            })
            .collect();
        K::across(shared, rules, state)
    }
}

/// A compiled check of one rule.
pub trait Compiled: Send + Sync + fmt::Debug {
    /// Runs the check over one file; `shared` is its kind's shared state.
    fn run(
        &self,
        shared: &(dyn Any + Send + Sync),
        cx: &CheckContext<'_>,
        out: &mut Vec<Diagnostic>,
    );
    /// See [`Kind::needs_its_kind`].
    fn needs_its_kind(&self) -> bool;
    fn as_any(&self) -> &dyn Any;
}

#[derive(Debug)]
struct Checked<K> {
    check: K,
    state: State,
}

impl<K: Kind> Compiled for Checked<K> {
    fn run(
        &self,
        shared: &(dyn Any + Send + Sync),
        cx: &CheckContext<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(shared) = shared.downcast_ref::<K::Shared>() else {
            return;
        };
        if let Some(file) = cx.state::<K>(self.state, shared) {
            self.check.run(shared, file, cx, out);
        }
    }

    fn needs_its_kind(&self) -> bool {
        self.check.needs_its_kind()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Every kind name, sorted, for error messages.
pub(crate) fn kind_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = KINDS.iter().map(|k| k.name()).collect();
    names.sort_unstable();
    names
}

/// State shared by kinds while they compile.
pub(crate) struct Compiler<'a> {
    pub patterns: &'a mut PatternSetBuilder,
    pub lexicon: &'a Lexicon,
    /// The shared pattern set when `patterns` is a scratch set (the rule is not selected), for
    /// patterns that selected rules read too (red-flag topics); `None` when `patterns` is it.
    pub shared_patterns: Option<&'a mut PatternSetBuilder>,
}

impl Compiler<'_> {
    /// Whether the rule being compiled is selected (its patterns go into the shared set).
    pub fn selected(&self) -> bool {
        self.shared_patterns.is_none()
    }
}

/// A loaded rule. `check` is `None` when the rule is not selected, so that it costs nothing
/// per file but still shows in `healthlint rules`.
#[derive(Debug)]
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Option<Box<dyn Compiled>>,
    /// Compiled only because a selected cross-document rule compares its statements: its
    /// own findings are not reported (see [`RuleSet::compared_only`]).
    pub compared_only: bool,
    /// Its kind, by index in the registry.
    kind: usize,
}

/// Everything the engine needs from the rules, compiled once and shared by all threads.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub patterns: PatternSet,
    pub context: ContextRules,
    pub lexicon: Arc<Lexicon>,
    /// The kinds' shared states, one per distinct type; `of_kind[k]` is kind `k`'s.
    shared: Vec<Box<dyn Any + Send + Sync>>,
    of_kind: Vec<(usize, State)>,
    /// How many per-file states a file has (one per distinct type).
    states: usize,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl RuleSet {
    /// Loads, validates and compiles rules; `enabled` decides which rules get compiled checks.
    /// Every problem in every file is collected, so that one run shows them all.
    pub fn load(
        sources: &[RuleSource],
        enabled: &dyn Fn(&str) -> bool,
    ) -> Result<RuleSet, SetupError> {
        let mut lexicon = Lexicon::builtin()?;
        let mut patterns = PatternSetBuilder::parsing_ahead();
        lexicon.drugs.register(&mut patterns);
        let context = ContextRules::compile(&lexicon.context, &mut patterns);
        let (mut shared, of_kind, states) = kind_slots();
        let mut errors = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen_codes: HashMap<String, String> = HashMap::new();
        let mut seen_names: HashMap<String, String> = HashMap::new();
        for source in sources {
            let kinds = Kinds {
                shared: &mut shared,
                of_kind: &of_kind,
            };
            let loaded = load_one(source, &lexicon, &mut patterns, enabled, kinds);
            match loaded {
                Ok(rule) => {
                    let code = rule.meta.id.code.to_string();
                    let name = rule.meta.id.name.to_string();
                    let mut duplicate = |seen: &mut HashMap<String, String>,
                                         key: String,
                                         what: &str,
                                         field: &str| {
                        if let Some(first) = seen.get(&key) {
                            errors.push(SpannedError::new(
                                &source.origin,
                                &source.text,
                                field_span(&source.text, field),
                                format!(
                                    "duplicate rule {what} `{key}`: already defined in {first}"
                                ),
                            ));
                            true
                        } else {
                            seen.insert(key, source.origin.clone());
                            false
                        }
                    };
                    let dup_code = duplicate(&mut seen_codes, code, "code", "code");
                    let dup_name = duplicate(&mut seen_names, name, "name", "name");
                    if !dup_code && !dup_name {
                        rules.push(rule);
                    }
                }
                Err(mut errs) => errors.append(&mut errs),
            }
        }
        if !errors.is_empty() {
            return Err(SetupError::Files(errors));
        }
        rules.sort_by(|a, b| a.meta.id.code.cmp(&b.meta.id.code));
        let patterns = patterns.build().map_err(|e| {
            SetupError::Message(format!("the combined rule patterns do not compile: {e}"))
        })?;
        Ok(RuleSet {
            rules,
            patterns,
            context,
            lexicon: Arc::new(lexicon),
            shared,
            of_kind,
            states,
        })
    }

    /// The rule with a code, if any.
    pub fn get(&self, code: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id.code.as_ref() == code)
    }

    /// Codes of the rules that a selected rule needs compiled but the selection left out:
    /// `--select HL401` alone must still compare what the HL3xx rules extract.
    pub(crate) fn needed_for_comparison(&self) -> Vec<String> {
        let needing: Vec<usize> = self
            .rules
            .iter()
            .filter(|r| r.check.as_ref().is_some_and(|c| c.needs_its_kind()))
            .map(|r| r.kind)
            .collect();
        self.rules
            .iter()
            .filter(|r| r.check.is_none() && needing.contains(&r.kind))
            .map(|r| r.meta.id.code.to_string())
            .collect()
    }

    /// Marks rules compiled only for a cross-document comparison (see [`Rule::compared_only`]).
    pub fn compared_only(&mut self, codes: &[String]) {
        for rule in &mut self.rules {
            rule.compared_only = codes.iter().any(|c| **c == *rule.meta.id.code);
        }
    }

    /// The rules that run on each file: selected, and not compiled only to be compared.
    pub fn running(&self) -> impl Iterator<Item = (&Rule, &dyn Compiled)> {
        self.rules
            .iter()
            .filter(|r| !r.compared_only)
            .filter_map(|r| Some((r, r.check.as_deref()?)))
    }

    /// Runs one rule's check over a file.
    pub fn run(
        &self,
        rule: &Rule,
        check: &dyn Compiled,
        cx: &CheckContext<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let (s, _) = self.of_kind[rule.kind];
        check.run(&*self.shared[s], cx, out);
    }

    /// A file's per-file states, empty until a kind asks.
    pub(crate) fn file_state(&self) -> FileState {
        FileState {
            states: (0..self.states).map(|_| OnceCell::new()).collect(),
            drugs: OnceCell::new(),
        }
    }

    /// What one rule's check sees of one file.
    pub fn context<'a>(
        &'a self,
        doc: &'a Document<'a>,
        hits: &'a Hits,
        file: &'a FileState,
        rule: &'a RuleMeta,
        locale: Option<Locale>,
    ) -> CheckContext<'a> {
        CheckContext {
            doc,
            hits,
            patterns: &self.patterns,
            context: &self.context,
            lexicon: &self.lexicon,
            rule,
            locale,
            file,
        }
    }

    /// The comparisons across the files of one run that the compiled rules make (each kind's
    /// rules, including those compiled only to be compared).
    pub fn comparisons(&self) -> Vec<Box<dyn Across + '_>> {
        KINDS
            .iter()
            .enumerate()
            .filter_map(|(k, kind)| {
                let rules: Vec<(&RuleMeta, &dyn Compiled)> = self
                    .rules
                    .iter()
                    .filter(|r| r.kind == k)
                    .filter_map(|r| Some((&r.meta, r.check.as_deref()?)))
                    .collect();
                if rules.is_empty() {
                    return None;
                }
                let (s, state) = self.of_kind[k];
                kind.across(&*self.shared[s], rules, state)
            })
            .collect()
    }

    /// Calls `with` on the first compiled rule of kind `K` with what it sees of a file: its
    /// check, its shared state, the file's per-file work and the context (for tools that show
    /// a kind's model of a file, such as `healthlint inspect`).
    pub(crate) fn with_first<K: Kind, R>(
        &self,
        source: &SourceFile,
        with: impl FnOnce(&K, &K::Shared, &K::PerFile, &CheckContext<'_>) -> R,
    ) -> Option<R> {
        let (rule, checked) = self.rules.iter().find_map(|r| {
            let c = r.check.as_ref()?.as_any().downcast_ref::<Checked<K>>()?;
            Some((r, c))
        })?;
        let (s, _) = self.of_kind[rule.kind];
        let shared = self.shared[s].downcast_ref::<K::Shared>()?;
        let doc = Document::parse(source);
        let hits = self.patterns.scan(&doc.prose);
        let file = self.file_state();
        let cx = self.context(&doc, &hits, &file, &rule.meta, None);
        let state = cx.state::<K>(checked.state, shared)?;
        Some(with(&checked.check, shared, state, &cx))
    }
}

/// One shared state per distinct shared type (kinds naming the same type share one value),
/// each kind's slots in it and among the per-file states, and how many per-file states a file
/// has.
#[allow(clippy::type_complexity)]
fn kind_slots() -> (Vec<Box<dyn Any + Send + Sync>>, Vec<(usize, State)>, usize) {
    let mut shared: Vec<Box<dyn Any + Send + Sync>> = Vec::new();
    let mut shared_types: Vec<TypeId> = Vec::new();
    let mut state_types: Vec<TypeId> = Vec::new();
    let of_kind: Vec<(usize, State)> = KINDS
        .iter()
        .map(|k| {
            let s = match shared_types.iter().position(|t| *t == k.shared_type()) {
                Some(s) => s,
                None => {
                    shared_types.push(k.shared_type());
                    shared.push(k.new_shared());
                    shared.len() - 1
                }
            };
            let p = match state_types.iter().position(|t| *t == k.per_file_type()) {
                Some(p) => p,
                None => {
                    state_types.push(k.per_file_type());
                    state_types.len() - 1
                }
            };
            (s, State(p))
        })
        .collect();
    (shared, of_kind, state_types.len())
}

/// The built-in lexicon, loaded once, for compiling many user rule files
/// one at a time: the `rule_file` fuzz target and its bounded run in the tests. Loading the
/// lexicon and parsing its thousands of phrases is nearly all of [`RuleSet::load`]'s time
/// (about 80 ms), which a fuzzer would otherwise pay for every input.
pub struct Prepared {
    lexicon: Lexicon,
}

impl Prepared {
    pub fn builtin() -> Result<Prepared, SetupError> {
        Ok(Prepared {
            lexicon: Lexicon::builtin()?,
        })
    }

    /// Parses, validates and compiles one rule file as [`RuleSet::load`] does, then builds a
    /// pattern set of its own phrases only: every error `load` would give for this file
    /// alone, without the built-in phrases (known to compile) in the set.
    pub fn compile_alone(&self, source: &RuleSource) -> Result<(), SetupError> {
        let (mut shared, of_kind, _) = kind_slots();
        let kinds = Kinds {
            shared: &mut shared,
            of_kind: &of_kind,
        };
        let mut patterns = PatternSetBuilder::default();
        load_one(source, &self.lexicon, &mut patterns, &|_| true, kinds)
            .map_err(SetupError::Files)?;
        patterns.build().map_err(|e| {
            SetupError::Message(format!("the combined rule patterns do not compile: {e}"))
        })?;
        Ok(())
    }
}

/// The kinds' shared states while rules load, and which is each kind's.
struct Kinds<'a> {
    shared: &'a mut [Box<dyn Any + Send + Sync>],
    of_kind: &'a [(usize, State)],
}

/// Parses and compiles one rule file.
fn load_one(
    source: &RuleSource,
    lexicon: &Lexicon,
    patterns: &mut PatternSetBuilder,
    enabled: &dyn Fn(&str) -> bool,
    kinds: Kinds<'_>,
) -> Result<Rule, Vec<SpannedError>> {
    let err = |span, message: String| {
        vec![SpannedError::new(
            &source.origin,
            &source.text,
            span,
            message,
        )]
    };
    let header: RuleFile<KindOnly> = parse_as(source)?;
    spec::check_code(header.code.get_ref(), header.category.get_ref()).map_err(|m| {
        let span = if m.starts_with("unknown category") || m.starts_with("category") {
            header.category.span()
        } else {
            header.code.span()
        };
        err(Some(span), m)
    })?;
    spec::check_name(header.name.get_ref()).map_err(|m| err(Some(header.name.span()), m))?;
    let kind_name = header.check.kind.get_ref().as_str();
    let Some(k) = KINDS.iter().position(|k| k.name() == kind_name) else {
        return Err(err(
            Some(header.check.kind.span()),
            format!(
                "unknown rule kind `{kind_name}`; expected one of: {}",
                kind_names().join(", ")
            ),
        ));
    };
    let kind = KINDS[k];
    if let Some(message) =
        template::unknown_placeholder(header.message.get_ref(), kind.placeholders())
    {
        return Err(err(Some(header.message.span()), message));
    }
    let meta = RuleMeta {
        id: RuleId {
            code: header.code.get_ref().as_str().into(),
            name: header.name.get_ref().as_str().into(),
            category: header.category.get_ref().as_str().into(),
        },
        severity: header.severity,
        message: header.message.into_inner(),
        help: header.help,
        docs: header.docs,
        kind: kind_name.to_string(),
        origin: source.origin.clone(),
    };
    let is_enabled = enabled(&meta.id.code);
    let mut scratch = PatternSetBuilder::default();
    let (patterns, shared_patterns) = if is_enabled {
        (patterns, None)
    } else {
        (&mut scratch, Some(patterns))
    };
    let mut compiler = Compiler {
        patterns,
        lexicon,
        shared_patterns,
    };
    let (s, state) = kinds.of_kind[k];
    let compiled = kind.compile(source, &mut *kinds.shared[s], &mut compiler, state)?;
    Ok(Rule {
        meta,
        check: is_enabled.then_some(compiled),
        compared_only: false,
        kind: k,
    })
}

/// What a check sees of one file.
pub struct CheckContext<'a> {
    pub doc: &'a Document<'a>,
    pub hits: &'a Hits,
    pub patterns: &'a PatternSet,
    pub context: &'a ContextRules,
    pub lexicon: &'a Lexicon,
    pub rule: &'a RuleMeta,
    /// Where readers are (`locale`), for the care services that findings name.
    pub locale: Option<Locale>,
    /// What kinds work out about the file once, for all their rules.
    file: &'a FileState,
}

/// What rules work out about one file once and share: each kind's per-file work, by type, and
/// the drug names it mentions (which several kinds read).
pub struct FileState {
    states: Vec<OnceCell<Box<dyn Any>>>,
    drugs: OnceCell<Vec<Mention>>,
}

impl<'a> CheckContext<'a> {
    /// The per-file work of kind `K`, done now if no rule has asked yet.
    pub(crate) fn state<K: Kind>(
        &self,
        state: State,
        shared: &K::Shared,
    ) -> Option<&'a K::PerFile> {
        let file: &'a FileState = self.file;
        file.states
            .get(state.0)?
            .get_or_init(|| Box::new(K::per_file(shared, self)))
            .downcast_ref()
    }

    /// Every drug name in the file, in text order (see `DrugLexicon::mentions`).
    pub(crate) fn drug_mentions(&self) -> &'a [Mention] {
        let file: &'a FileState = self.file;
        file.drugs
            .get_or_init(|| self.lexicon.drugs.mentions(self.hits, &self.doc.prose))
    }

    /// A diagnostic of this rule at its default severity with its message and help.
    pub fn diagnostic(&self, message: String, primary: Label) -> Diagnostic {
        let mut d = Diagnostic::new(self.rule.id.clone(), self.rule.severity, message, primary);
        d.help = self.rule.help.clone();
        d
    }

    /// The rule's message with its placeholders filled (see [`fill`]).
    pub fn message(&self, values: &[(&str, &str)]) -> String {
        fill(&self.rule.message, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(message: &str, kind: &str) -> Result<RuleSet, SetupError> {
        let text = format!(
            "code = \"HL599\"\nname = \"user-rule\"\ncategory = \"claims\"\nseverity = \"warning\"\n\
             message = \"{message}\"\n\n[check]\nkind = \"{kind}\"\nphrases = [\"wonder cure\"]\n\n\
             [docs]\nwhy = \"w\"\nexample-fail = \"f\"\nexample-pass = \"p\"\n"
        );
        let source = RuleSource {
            origin: "user/HL599.toml".into(),
            text: Arc::from(text),
            builtin: false,
        };
        RuleSet::load(&[source], &|_| true)
    }

    fn error(result: Result<RuleSet, SetupError>) -> SpannedError {
        match result {
            Err(SetupError::Files(mut errors)) if errors.len() == 1 => errors.remove(0),
            other => panic!("expected one error, got {other:?}"),
        }
    }

    #[test]
    fn a_placeholder_the_kind_does_not_fill_is_an_error_at_the_message() {
        assert!(load("says {match}", "existence").is_ok());
        let e = error(load("says {matched}", "existence"));
        assert_eq!(
            e.message,
            "unknown placeholder `{matched}`: this kind of rule fills {match}"
        );
        let span = e.span.expect("the error points at the message");
        assert_eq!(&e.text[span], "\"says {matched}\"");
    }

    #[test]
    fn an_unknown_kind_names_every_registered_one() {
        let e = error(load("says {match}", "existance"));
        assert_eq!(
            e.message,
            "unknown rule kind `existance`; expected one of: conflict, existence, guidance, \
             promotion, red-flags, requires"
        );
        assert_eq!(&e.text[e.span.unwrap()], "\"existance\"");
    }

    #[test]
    fn kinds_that_name_the_same_state_share_it() {
        let rules = RuleSet::load(&crate::rules::builtin_sources(), &|_| true).unwrap();
        // The red-flag packs and the general rule share their topics and document model, the
        // conflict rules their advice model and facts; the kinds without either share `()`.
        assert_eq!(KINDS.len(), 6);
        assert_eq!(rules.shared.len(), 3);
        assert_eq!(rules.states, 3);
    }
}
