//! Hierarchies of the codes of one dimension of a long file
//! (docs/formats.md, "Long files and SDMX-CSV"): which code is the sum of
//! which others.
//!
//! - a τ-ARGUS `.hrc` file: one code per line, indented with `@`, one level
//!   per `@` (`A`, `@A1`, `@A2`, `B`, ...); the codes at level 0 are the
//!   children of the dimension's total code when the data has one;
//! - a JSON tree, as a dimension's `"tree"` in the JSON model
//!   (`{"Total": ["A", {"B": ["B1", "B2"]}]}`);
//! - `prefix`: a code's parent is its longest proper prefix among the
//!   dimension's codes (`31` > `311` > `3111`); a range code `A-B` whose two
//!   ends have the same length (`31-33`) is the parent of every code whose
//!   prefix of that length lies between `A` and `B`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// The codes listed under two parents or more, each with its paths
/// ([`Tree::hrc_paths`]).
pub type Repeated = Vec<(String, Vec<String>)>;

/// Where a dimension's hierarchy comes from (`--hierarchy DIM=FILE|prefix`).
///
/// ```
/// use cellbound_core::io::hierarchy::HierarchySpec;
///
/// let (dim, spec) = HierarchySpec::parse("NAICS=prefix").unwrap();
/// assert_eq!((dim.as_str(), spec), ("NAICS", HierarchySpec::Prefix));
/// assert!(HierarchySpec::parse("NAICS").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HierarchySpec {
    /// A `.hrc` file (τ-ARGUS) or, for a `.json` file, a JSON tree.
    File(PathBuf),
    /// Parents by longest proper prefix (and `A-B` ranges).
    Prefix,
    /// A hierarchy already read (a τ-ARGUS `.hrc` file whose repeated
    /// codes are named by their paths, [`Tree::hrc_paths`]).
    Tree(Tree),
}

impl HierarchySpec {
    /// Reads `DIM=FILE` or `DIM=prefix`.
    pub fn parse(text: &str) -> Result<(String, HierarchySpec), String> {
        let Some((dim, spec)) = text.split_once('=') else {
            return Err(format!(
                "{text:?} is not a hierarchy: write DIM=FILE (a .hrc or .json file) or DIM=prefix"
            ));
        };
        let (dim, spec) = (dim.trim(), spec.trim());
        if dim.is_empty() || spec.is_empty() {
            return Err(format!(
                "{text:?} is not a hierarchy: write DIM=FILE (a .hrc or .json file) or DIM=prefix"
            ));
        }
        let spec = if spec == "prefix" {
            HierarchySpec::Prefix
        } else {
            HierarchySpec::File(PathBuf::from(spec))
        };
        Ok((dim.to_string(), spec))
    }
}

/// One code of a hierarchy file: its parent (an index into the same list)
/// and the line it was read on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub code: String,
    pub parent: Option<usize>,
    pub line: usize,
}

/// A hierarchy read from a file, in file order (a parent before its
/// children).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub file: String,
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Reads a hierarchy file: a JSON tree when the name ends in `.json`
    /// or the text starts with `{` or `[`, a τ-ARGUS `.hrc` file otherwise.
    pub fn read(path: &Path) -> Result<Tree, InputError> {
        let (display, _) = super::names(path);
        let bytes = super::read_file(path, &display)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| InputError::new(&display, format!("the file is not UTF-8 text: {e}")))?;
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            || matches!(text.trim_start().chars().next(), Some('{' | '['));
        if json {
            Tree::json(text, &display)
        } else {
            Tree::hrc(text, &display)
        }
    }

    /// A τ-ARGUS `.hrc` text: one code per line, `@` once per level.
    ///
    /// ```
    /// use cellbound_core::io::hierarchy::Tree;
    ///
    /// let tree = Tree::hrc("A\n@A1\n@A2\nB\n", "x.hrc").unwrap();
    /// assert_eq!(tree.nodes[1].parent, Some(0));
    /// assert_eq!(tree.nodes[3].parent, None);
    /// assert!(Tree::hrc("A\n@@A1\n", "x.hrc").is_err());
    /// ```
    pub fn hrc(text: &str, display: &str) -> Result<Tree, InputError> {
        let mut nodes: Vec<Node> = Vec::new();
        // The open ancestors: the last code at each level.
        let mut stack: Vec<usize> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let level = trimmed.bytes().take_while(|&b| b == b'@').count();
            let code = trimmed[level..].trim();
            let error = |m: String| InputError::new(display, m).at_line(line);
            if code.is_empty() {
                return Err(error(format!(
                    "{trimmed:?} has no code after its '@': each line is one code, indented with one '@' per level"
                )));
            }
            if let Some(problem) = super::control_character_problem(code) {
                return Err(error(problem));
            }
            if level > stack.len() {
                return Err(error(format!(
                    "{code:?} is {level} levels deep right after a code {} deep: a code is at most one \
                     '@' deeper than the line above it (its parent)",
                    stack.len().saturating_sub(1)
                )));
            }
            stack.truncate(level);
            if let Some(&first) = seen.get(code) {
                return Err(error(format!(
                    "{code:?} is listed twice (first on line {}): a code has one place in a hierarchy",
                    nodes[first].line
                )));
            }
            let parent = stack.last().copied();
            seen.insert(code.to_string(), nodes.len());
            stack.push(nodes.len());
            nodes.push(Node {
                code: code.to_string(),
                parent,
                line,
            });
        }
        if nodes.is_empty() {
            return Err(InputError::new(
                display,
                "the hierarchy file lists no code: one code per line, indented with one '@' per level",
            ));
        }
        Ok(Tree {
            file: display.to_string(),
            nodes,
        })
    }

    /// [`Tree::hrc`] for τ-ARGUS's own files, where a code may be listed
    /// under two parents (τ-ARGUS then has two distinct cells with that
    /// code): every code listed more than once is named by its path, the
    /// codes above it and itself joined by `/` (`A/11`, `B/11`). Returns
    /// the tree and each repeated code with its paths, in file order. A
    /// code listed twice under one parent is still an error.
    ///
    /// ```
    /// use cellbound_core::io::hierarchy::Tree;
    ///
    /// let (tree, repeated) = Tree::hrc_paths("A\n@11\n@12\nB\n@11\n", "x.hrc").unwrap();
    /// let codes: Vec<_> = tree.nodes.iter().map(|n| n.code.as_str()).collect();
    /// assert_eq!(codes, ["A", "A/11", "12", "B", "B/11"]);
    /// assert_eq!(repeated, [("11".to_string(), vec!["A/11".to_string(), "B/11".to_string()])]);
    /// assert!(Tree::hrc_paths("A\n@11\n@11\n", "x.hrc").is_err());
    /// ```
    pub fn hrc_paths(text: &str, display: &str) -> Result<(Tree, Repeated), InputError> {
        // Read with every code made unique by its line, then name them.
        let mut tagged = String::with_capacity(text.len() + 64);
        let mut raw_codes: Vec<String> = Vec::new();
        for raw in text.lines() {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                tagged.push('\n');
                continue;
            }
            let level = trimmed.bytes().take_while(|&b| b == b'@').count();
            let code = trimmed[level..].trim();
            raw_codes.push(code.to_string());
            tagged.push_str(&format!(
                "{}{}\u{e000}{}\n",
                "@".repeat(level),
                code,
                raw_codes.len()
            ));
        }
        // The tags are left out of messages.
        let mut tree = Tree::hrc(&tagged, display).map_err(|mut e| {
            let mut message = String::with_capacity(e.message.len());
            let mut chars = e.message.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\u{e000}' {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                } else {
                    message.push(c);
                }
            }
            e.message = message;
            e
        })?;
        for (k, node) in tree.nodes.iter_mut().enumerate() {
            node.code = raw_codes[k].clone();
        }
        let mut count: HashMap<&str, usize> = HashMap::new();
        for c in &raw_codes {
            *count.entry(c.as_str()).or_default() += 1;
        }
        let path = |k: usize| {
            let mut parts = vec![tree.nodes[k].code.clone()];
            let mut at = tree.nodes[k].parent;
            while let Some(p) = at {
                parts.push(tree.nodes[p].code.clone());
                at = tree.nodes[p].parent;
            }
            parts.reverse();
            parts.join("/")
        };
        let mut repeated: Vec<(String, Vec<String>)> = Vec::new();
        let mut names: Vec<String> = Vec::with_capacity(tree.nodes.len());
        for k in 0..tree.nodes.len() {
            let code = tree.nodes[k].code.clone();
            if count[code.as_str()] > 1 {
                let p = path(k);
                match repeated.iter_mut().find(|(c, _)| *c == code) {
                    Some((_, paths)) => {
                        if paths.contains(&p) {
                            return Err(InputError::new(
                                display,
                                format!(
                                    "{code:?} is listed twice under one parent ({p}): a code has \
                                     one place under a parent"
                                ),
                            )
                            .at_line(tree.nodes[k].line));
                        }
                        paths.push(p.clone());
                    }
                    None => repeated.push((code.clone(), vec![p.clone()])),
                }
                names.push(p);
            } else {
                names.push(code);
            }
        }
        for (node, name) in tree.nodes.iter_mut().zip(names) {
            node.code = name;
        }
        Ok((tree, repeated))
    }

    /// A JSON tree as a dimension's `"tree"` in the JSON model: an object
    /// maps a code to its children (an array or object) or `null` (a
    /// leaf); an array lists codes (strings) and objects.
    ///
    /// ```
    /// use cellbound_core::io::hierarchy::Tree;
    ///
    /// let tree = Tree::json(r#"{"Total": ["A", {"B": ["B1", "B2"]}]}"#, "h.json").unwrap();
    /// let codes: Vec<_> = tree.nodes.iter().map(|n| n.code.as_str()).collect();
    /// assert_eq!(codes, ["Total", "A", "B", "B1", "B2"]);
    /// assert_eq!(tree.nodes[3].parent, Some(2));
    /// ```
    pub fn json(text: &str, display: &str) -> Result<Tree, InputError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            InputError::new(display, format!("not a JSON tree: {e}")).at_line(e.line())
        })?;
        // A whole dimension (`{"name": ..., "tree": ...}`) is accepted too.
        let value = match value.get("tree") {
            Some(tree) if value.get("name").is_some() => tree.clone(),
            _ => value,
        };
        let mut tree = Tree {
            file: display.to_string(),
            nodes: Vec::new(),
        };
        let mut seen = HashMap::new();
        walk_json(&value, None, "tree", &mut tree, &mut seen, 0)?;
        if tree.nodes.is_empty() {
            return Err(InputError::new(display, "the JSON tree lists no code"));
        }
        Ok(tree)
    }
}

fn walk_json(
    value: &serde_json::Value,
    parent: Option<usize>,
    path: &str,
    tree: &mut Tree,
    seen: &mut HashMap<String, usize>,
    depth: usize,
) -> Result<(), InputError> {
    use serde_json::Value;
    let error = |m: String| InputError::new(&tree.file, m).field(path.to_string());
    if depth > 64 {
        return Err(error("the tree is more than 64 levels deep".into()));
    }
    let add = |code: &str,
               tree: &mut Tree,
               seen: &mut HashMap<String, usize>|
     -> Result<usize, InputError> {
        if let Some(problem) = super::control_character_problem(code) {
            return Err(InputError::new(&tree.file, problem).field(path.to_string()));
        }
        if seen.insert(code.to_string(), tree.nodes.len()).is_some() {
            return Err(InputError::new(
                &tree.file,
                format!("{code:?} is listed twice: a code has one place in a hierarchy"),
            )
            .field(path.to_string()));
        }
        tree.nodes.push(Node {
            code: code.to_string(),
            parent,
            line: 0,
        });
        Ok(tree.nodes.len() - 1)
    };
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match item {
                    Value::String(code) => {
                        add(code, tree, seen)?;
                    }
                    Value::Object(_) => walk_json(item, parent, &p, tree, seen, depth + 1)?,
                    other => {
                        return Err(InputError::new(
                            &tree.file,
                            format!("expected a code (a string) or an object, found {other}"),
                        )
                        .field(p))
                    }
                }
            }
        }
        Value::Object(entries) => {
            for (code, children) in entries {
                let p = format!("{path}.{code}");
                let index = add(code, tree, seen)?;
                match children {
                    Value::Null => {}
                    Value::Array(_) | Value::Object(_) => {
                        walk_json(children, Some(index), &p, tree, seen, depth + 1)?
                    }
                    other => {
                        return Err(InputError::new(
                            &tree.file,
                            format!(
                                "expected the children of {code:?} (an array or an object) or null, found {other}"
                            ),
                        )
                        .field(p))
                    }
                }
            }
        }
        other => {
            return Err(error(format!(
                "expected a tree (an object or an array), found {other}"
            )))
        }
    }
    Ok(())
}

/// A range code `A-B` (two ends of the same length, `A <= B`): its ends.
fn range_ends(code: &str) -> Option<(&str, &str)> {
    let (a, b) = code.split_once('-')?;
    (!a.is_empty() && a.len() == b.len() && a <= b && !b.contains('-')).then_some((a, b))
}

/// The parent of each code by prefix (`None`: a root). `codes` are the
/// dimension's codes without its total.
///
/// ```
/// use cellbound_core::io::hierarchy::prefix_parents;
///
/// let codes = ["31-33", "311", "3111", "3112", "312", "44"];
/// let parents = prefix_parents(&codes);
/// assert_eq!(parents, [None, Some(0), Some(1), Some(1), Some(0), None]);
/// ```
pub fn prefix_parents<S: AsRef<str>>(codes: &[S]) -> Vec<Option<usize>> {
    let index: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_ref(), i))
        .collect();
    // Ranges by the length of their ends.
    let mut ranges: HashMap<usize, Vec<(usize, &str, &str)>> = HashMap::new();
    for (i, c) in codes.iter().enumerate() {
        if let Some((a, b)) = range_ends(c.as_ref()) {
            ranges.entry(a.len()).or_default().push((i, a, b));
        }
    }
    let covering = |len: usize, lo: &str, hi: &str, me: usize| -> Option<usize> {
        ranges
            .get(&len)?
            .iter()
            .find_map(|&(p, a, b)| (p != me && a <= lo && hi <= b).then_some(p))
    };
    codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.as_ref();
            match range_ends(c) {
                // A range: under the longest code or range above both ends.
                Some((a, b)) => (1..a.len()).rev().find_map(|len| {
                    let (pa, pb) = (a.get(..len)?, b.get(..len)?);
                    if pa == pb {
                        if let Some(&p) = index.get(pa) {
                            return Some(p);
                        }
                    }
                    covering(len, pa, pb, i)
                }),
                None => covering(c.len(), c, c, i).or_else(|| {
                    (1..c.len()).rev().find_map(|len| {
                        let prefix = c.get(..len)?;
                        index
                            .get(prefix)
                            .copied()
                            .or_else(|| covering(len, prefix, prefix, i))
                    })
                }),
            }
        })
        .collect()
}
