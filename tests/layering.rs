//! The house rules, checked from the source (../shared/DESIGN.md): each layer names only the
//! layers below it, no two files of src/ import each other in a circle, the domain speaks no
//! dialect, and functions stay short enough to read at once.
//!
//! Imports are read from `use crate::…`, `use super::…` and inline `crate::…` paths, resolved
//! to the file that defines the module they name. A parent declaring `mod child` is not an
//! import; a child naming its parent is.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, highest first: a file may name files of its own layer or of one below it. A
/// file listed by name belongs where it is listed, whatever its folder's layer.
const LAYERS: &[(&str, &[&str])] = &[
    ("entry", &["main.rs", "cli/", "startup.rs"]),
    ("api", &["api/"]),
    ("jobs", &["jobs.rs"]),
    ("service", &["service/", "delivery/"]),
    ("app", &["app.rs", "config.rs"]),
    // How accounts are linked and used; they name the domain's platforms, never its rules.
    ("providers", &["providers/"]),
    ("domain", &["domain/", "usage.rs"]),
    ("auth", &["auth/"]),
    ("db", &["db.rs"]),
    ("store", &["store/"]),
    ("libraries", &["ids.rs", "metrics.rs", "ratelimit/", "flights.rs", "forwarded.rs"]),
];

/// Words of the wire dialects that must not appear in the domain's code (comments aside).
const DIALECT_WORDS: &[&str] = &["ayrshare", "uploadpost", "upload_post", "postcore"];

/// The longest function body, in lines.
const MAX_FUNCTION_LINES: usize = 60;

/// The most lines main.rs may have: it parses the command line and dispatches.
const MAX_MAIN_LINES: usize = 80;

struct Source {
    /// Path under src/, with `/` separators.
    rel: String,
    /// The module path (`api::native::profiles`); empty for the crate root.
    module: Vec<String>,
    text: String,
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&root).expect("under src/").to_string_lossy().replace('\\', "/");
            let mut module: Vec<String> = rel.trim_end_matches(".rs").split('/').map(str::to_string).collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            if module == ["lib"] || module == ["main"] {
                module.clear();
            }
            let text = strip_comments(&fs::read_to_string(&path).expect("a source file"));
            Source { rel, module, text }
        })
        .collect()
}

/// The source without comments (doc comments included) and with string and char literals
/// emptied, so that prose and messages never count as code. Lines are kept where they were.
fn strip_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            i += 2 + hashes;
            while i < chars.len() && chars[i..].get(..close.len()) != Some(&close[..]) {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += close.len();
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // '\n', '\'', '\u{..}': skip to the closing quote.
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Whether a (trimmed) line starts a function: `fn`, after any visibility and qualifiers.
fn starts_fn(line: &str) -> bool {
    let mut rest = line;
    loop {
        let before = rest;
        if let Some(r) = rest.strip_prefix("pub(") {
            rest = r.split_once(')').map_or("", |(_, r)| r).trim_start();
        }
        for q in ["pub ", "async ", "const ", "unsafe ", "extern \"C\" "] {
            rest = rest.strip_prefix(q).unwrap_or(rest);
        }
        if rest == before {
            break;
        }
    }
    rest.starts_with("fn ")
}

/// Expands a use tree (`a::{b, c::{d, e}}`) into its paths.
fn expand(tree: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    if let Some(open) = tree.find('{')
        && tree.ends_with('}')
    {
        let mut base = prefix.to_vec();
        base.extend(tree[..open].split("::").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string));
        let inner = &tree[open + 1..tree.len() - 1];
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&inner[start..i], &base, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&inner[start..], &base, out);
        return;
    }
    let path = tree.split(" as ").next().unwrap_or(tree);
    let mut full = prefix.to_vec();
    full.extend(path.split("::").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string));
    out.push(full);
}

/// The module paths a file names: its `use` trees and inline `crate::`/`super::` paths.
fn named_paths(src: &Source) -> Vec<Vec<String>> {
    // `super` is the parent of the file's module; `self` the module itself.
    let parent: Vec<String> = src.module[..src.module.len().saturating_sub(1)].to_vec();
    let this = src.module.clone();
    let base = |root: &str| -> Option<Vec<String>> {
        match root {
            "crate" => Some(Vec::new()),
            "super" => Some(parent.clone()),
            "self" => Some(this.clone()),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let text = &src.text;
    let mut rest = text.as_str();
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let stmt = rest[..end].trim();
        if let Some((root, tree)) = stmt.split_once("::")
            && let Some(b) = base(root.trim())
        {
            expand(tree, &b, &mut out);
        }
    }
    for root in ["crate::", "super::"] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(root) {
            let before = rest[..at].chars().last();
            rest = &rest[at + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let mut full = base(root.trim_end_matches(':')).unwrap_or_default();
            full.extend(path.split("::").filter(|s| !s.is_empty()).map(str::to_string));
            out.push(full);
        }
    }
    out
}

/// The import graph between files of src/: file -> files it names.
fn graph(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeMap<Vec<String>, String> = sources.iter().map(|s| (s.module.clone(), s.rel.clone())).collect();
    let mut edges = BTreeMap::new();
    for src in sources {
        let targets: &mut BTreeSet<String> = edges.entry(src.rel.clone()).or_default();
        for path in named_paths(src) {
            let target = (1..=path.len()).rev().find_map(|n| modules.get(&path[..n]));
            if let Some(t) = target
                && *t != src.rel
                && !t.ends_with("lib.rs")
            {
                targets.insert(t.clone());
            }
        }
    }
    edges
}

fn layer_of(rel: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, prefixes)| {
            prefixes.iter().any(|p| if p.ends_with('/') { rel.starts_with(p) } else { rel == *p })
        })
        .unwrap_or_else(|| panic!("src/{rel} belongs to no layer: add it to LAYERS in tests/layering.rs"))
}

/// Strongly connected components of more than one file (Tarjan).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        let edges = w.edges;
        for t in edges.get(v).into_iter().flatten() {
            let t = t.as_str();
            if !w.index.contains_key(t) {
                visit(w, t);
                let low = w.low[v].min(w.low[t]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(t) {
                let low = w.low[v].min(w.index[t]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut comp = Vec::new();
            while let Some(t) = w.stack.pop() {
                w.on_stack.remove(t);
                comp.push(t.to_string());
                if t == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                w.found.push(comp);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found
}

#[test]
fn no_file_of_src_names_a_higher_layer() {
    let edges = graph(&sources());
    let mut upward = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            if layer_of(to) < layer_of(from) {
                upward.push(format!(
                    "src/{from} ({}) names src/{to} ({})",
                    LAYERS[layer_of(from)].0,
                    LAYERS[layer_of(to)].0
                ));
            }
        }
    }
    assert!(upward.is_empty(), "imports that run up a layer:\n{}", upward.join("\n"));
}

#[test]
fn no_files_of_src_import_each_other_in_a_circle() {
    let found = circles(&graph(&sources()));
    let shown: Vec<String> = found.iter().map(|c| c.join(" <-> ")).collect();
    assert!(found.is_empty(), "import circles:\n{}", shown.join("\n"));
}

#[test]
fn db_rs_never_names_the_domain() {
    let edges = graph(&sources());
    let named: Vec<&String> = edges["db.rs"].iter().filter(|t| t.starts_with("domain/")).collect();
    assert!(named.is_empty(), "src/db.rs names {named:?}: a write closure gets what it needs from Tx");
}

/// Where a database library may be named: each backend's folder, the store's seam (its `Conn`
/// and `Error`), the SQLite file tools, and the SQLite engine. Every other file, the store's
/// own interface included, reaches a database only through `store::Conn`.
const DATABASE_NAMERS: &[&str] = &["store/sqlite/", "store/postgres/", "store/mod.rs", "store/maintenance.rs", "db.rs"];

#[test]
fn only_the_store_backends_name_a_database_library() {
    let mut named = Vec::new();
    for src in sources().iter().filter(|s| !DATABASE_NAMERS.iter().any(|p| s.rel.starts_with(p))) {
        for (n, line) in src.text.lines().enumerate() {
            // `store::postgres::…` is the store's own module, not the crate.
            let code = line.replace("store::postgres::", "store::");
            if ["rusqlite", "r2d2_sqlite", "r2d2_postgres", "::postgres::", "use postgres"]
                .iter()
                .any(|w| code.contains(w))
            {
                named.push(format!("src/{}:{}: {}", src.rel, n + 1, line.trim()));
            }
        }
    }
    assert!(named.is_empty(), "a database library named outside the store's backends:\n{}", named.join("\n"));
}

#[test]
fn the_domain_speaks_no_dialect() {
    let mut spoken = Vec::new();
    for src in sources().iter().filter(|s| s.rel.starts_with("domain/")) {
        for (n, line) in src.text.lines().enumerate() {
            let code = line.to_ascii_lowercase();
            if let Some(word) = DIALECT_WORDS.iter().find(|w| code.contains(*w)) {
                spoken.push(format!("src/{}:{}: `{word}` in {}", src.rel, n + 1, line.trim()));
            }
        }
    }
    assert!(spoken.is_empty(), "dialect words in the domain (they belong in api/<dialect>):\n{}", spoken.join("\n"));
}

#[test]
fn no_function_in_src_is_longer_than_sixty_lines() {
    let mut long = Vec::new();
    for src in sources() {
        let lines: Vec<&str> = src.text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if !starts_fn(trimmed) || trimmed.ends_with(';') {
                continue;
            }
            let close = format!("{}}}", " ".repeat(indent));
            let Some(end) = lines[i..].iter().position(|l| *l == close || l.trim_end() == close) else { continue };
            if end > MAX_FUNCTION_LINES {
                long.push(format!("src/{}:{} ({} lines): {}", src.rel, i + 1, end + 1, trimmed.trim_end_matches('{')));
            }
        }
    }
    assert!(long.is_empty(), "functions over {MAX_FUNCTION_LINES} lines:\n{}", long.join("\n"));
}

#[test]
fn main_rs_only_parses_and_dispatches() {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs")).expect("src/main.rs");
    let n = text.lines().count();
    assert!(n <= MAX_MAIN_LINES, "src/main.rs has {n} lines (at most {MAX_MAIN_LINES}): commands belong in cli.rs");
}
