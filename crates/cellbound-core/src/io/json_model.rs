//! The JSON model (docs/formats.md, section 2).
//!
//! Reading happens in two steps:
//!
//! 1. serde_json parses the text into [`Json`], a value type of our own
//!    whose objects keep their keys in file order and reject a key repeated
//!    in one object (serde_json's `Value` would silently keep the last one).
//!    Syntax errors, repeated keys and nesting deeper than serde_json's
//!    recursion limit (128) stop here, with serde_json's line and column.
//! 2. A walk over the [`Json`] value checks the schema and builds the
//!    [`Model`]. Every error it finds carries the JSON path of the offending
//!    value (`tables[1].cells[4].at[0]`); the line of that value is then
//!    found by [`offset_of`], a small scanner that follows the path through
//!    the text, which step 1 has already proven to be valid JSON.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::error::{InputError, ModelError};
use crate::model::{
    describe_at, Absent, Cell, CellIndex, Constraint, Count, Dimension, Entry, Layout, Model, Op,
    Table, Term, MAX_COUNT,
};

/// Reads a JSON model. `display` names the file in messages; `stem` is the
/// default table name of a one-table file.
pub fn read(bytes: &[u8], display: &str, stem: &str) -> Result<Model, InputError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            return Err(InputError::new(
                display,
                format!("the file is not valid UTF-8 (byte {})", at + 1),
            )
            .at_line(line_of(&bytes[..at])));
        }
    };
    // RFC 8259 lets a parser ignore a byte order mark; format detection
    // (io::Format::detect) already looks past it.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut json = parse(text, display)?;
    let root = Path::Root;
    let decimals = match &json {
        Json::Obj(top) => {
            match get(top, "decimals").map(|v| integer(v, &root.key("decimals"), 0)) {
                None => Ok(0),
                Some(Ok(d)) if (0..=MAX_DECIMALS as i64).contains(&d) => Ok(d as u32),
                Some(Ok(d)) => fail(
                    &root.key("decimals"),
                    format!("{d} decimals: give 0 to {MAX_DECIMALS}"),
                ),
                Some(Err(e)) => Err(e),
            }
        }
        _ => Ok(0),
    };
    let negative = match &json {
        Json::Obj(top) => match get(top, "negative") {
            None | Some(Json::Bool(false)) => Ok(false),
            Some(Json::Bool(true)) => Ok(true),
            Some(other) => fail(
                &root.key("negative"),
                format!("expected true or false, found {}", other.kind()),
            ),
        },
        _ => Ok(false),
    };
    let walked = decimals.and_then(|decimals| {
        let negative = negative?;
        (Walk {
            stem,
            decimals,
            negative,
        })
        .model(&mut json)
        .map(|(t, c)| (t, c, decimals, negative))
    });
    match walked {
        Ok((tables, constraints, decimals, negative)) => Ok(Model {
            tables,
            constraints,
            source: display.to_string(),
            decimals,
            negative,
        }),
        Err(fail) => Err(fail.into_input_error(display, text)),
    }
}

// ---------------------------------------------------------------------------
// Step 1: text to `Json`.

/// A parsed JSON value. Objects keep their entries in file order. Strings
/// borrow from the text unless they hold an escape.
#[derive(Debug, Clone, PartialEq)]
enum Json<'t> {
    Null,
    Bool(bool),
    Num(Num),
    Str(Cow<'t, str>),
    Arr(Vec<Json<'t>>),
    Obj(Vec<(Cow<'t, str>, Json<'t>)>),
}

/// A JSON number as serde_json saw it: an integer that fits 64 bits, or
/// anything else (a fraction, an exponent, a huge integer) as a float,
/// with the number's text as the file wrote it (read exactly, never
/// through the float, where a model has decimals).
#[derive(Debug, Clone, PartialEq)]
enum Num {
    U(u64),
    I(i64),
    F(f64, Box<str>),
}

/// The most decimals a JSON model may declare.
pub const MAX_DECIMALS: u32 = 15;

impl Json<'_> {
    /// What the value is, for messages.
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// State shared by the nodes of one parse: once a repeated key is found,
/// its path, innermost step first. The path is not kept while parsing:
/// each object and array adds its own step as the error passes through it
/// on the way out, so a file with no repeated key pays nothing for it.
///
/// The items of the arrays and objects being parsed wait on two stacks
/// shared by all levels, and each array or object is then moved off into
/// a vector of exactly its size: one allocation per container, none
/// grown and shrunk (a million cells are a million small objects).
#[derive(Default)]
struct ParseCtx<'t> {
    repeated: RefCell<Option<Vec<Seg>>>,
    items: RefCell<Vec<Json<'t>>>,
    entries: RefCell<Vec<(Cow<'t, str>, Json<'t>)>>,
    /// The text parsed, and how many numbers were seen so far: serde_json
    /// visits the numbers in the order of the text, so the `k`th number
    /// visited is the `k`th number token.
    text: &'t str,
    numbers: std::cell::Cell<usize>,
    /// Where each number token of the text starts and ends, scanned at the
    /// first number that is not an integer (never for files of counts).
    tokens: RefCell<Option<Vec<(usize, usize)>>>,
}

impl ParseCtx<'_> {
    /// Adds `seg` to the path of a repeated key being unwound, if any.
    fn unwind(&self, seg: impl FnOnce() -> Seg) {
        if let Some(path) = self.repeated.borrow_mut().as_mut() {
            path.push(seg());
        }
    }

    /// The text of the `k`th number of the text.
    fn number_text(&self, k: usize) -> &str {
        let mut tokens = self.tokens.borrow_mut();
        let tokens = tokens.get_or_insert_with(|| number_tokens(self.text));
        tokens.get(k).map_or("", |&(a, b)| &self.text[a..b])
    }
}

/// Where each number of a JSON text starts and ends, in order: outside
/// strings (skipped with their escapes), a number is a run of
/// `-+.eE0-9` that starts with `-` or a digit; `true`, `false` and `null`
/// hold none of these.
fn number_tokens(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                out.push((start, i));
            }
            _ => i += 1,
        }
    }
    out
}

/// Objects with more keys than this check repeats with a hash set rather
/// than by looking through the keys read so far.
const LINEAR_KEY_CHECK: usize = 16;

#[derive(Clone, Copy)]
struct NodeSeed<'c, 't>(&'c ParseCtx<'t>);

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, 'de> {
    type Value = Json<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        self.0.numbers.set(self.0.numbers.get() + 1);
        Ok(Json::Num(Num::U(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        self.0.numbers.set(self.0.numbers.get() + 1);
        Ok(Json::Num(if v >= 0 { Num::U(v as u64) } else { Num::I(v) }))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        let k = self.0.numbers.get();
        self.0.numbers.set(k + 1);
        Ok(Json::Num(Num::F(v, self.0.number_text(k).into())))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let start = self.0.items.borrow().len();
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(item)) => self.0.items.borrow_mut().push(item),
                Ok(None) => return Ok(Json::Arr(self.0.items.borrow_mut().split_off(start))),
                Err(e) => {
                    let mut items = self.0.items.borrow_mut();
                    let read = items.len() - start;
                    items.truncate(start);
                    self.0.unwind(|| Seg::Index(read));
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let start = self.0.entries.borrow().len();
        let mut seen: HashSet<Cow<'de, str>> = HashSet::new();
        let failed = |e: A::Error, seg: Option<Seg>| {
            self.0.entries.borrow_mut().truncate(start);
            if let Some(seg) = seg {
                self.0.unwind(|| seg);
            }
            Err(e)
        };
        loop {
            let key = match map.next_key_seed(KeySeed) {
                Ok(Some(key)) => key,
                Ok(None) => break,
                Err(e) => return failed(e, None),
            };
            let repeated = {
                let entries = self.0.entries.borrow();
                let read = &entries[start..];
                if read.len() < LINEAR_KEY_CHECK {
                    read.iter().any(|(k, _)| *k == key)
                } else {
                    if seen.is_empty() {
                        seen.extend(read.iter().map(|(k, _)| k.clone()));
                    }
                    !seen.insert(key.clone())
                }
            };
            if repeated {
                *self.0.repeated.borrow_mut() = Some(vec![Seg::Key(key.to_string())]);
                let e = de::Error::custom(format!("key {key:?} appears twice in one object"));
                return failed(e, None);
            }
            match map.next_value_seed(self) {
                Ok(value) => self.0.entries.borrow_mut().push((key, value)),
                Err(e) => return failed(e, Some(Seg::Key(key.to_string()))),
            }
        }
        Ok(Json::Obj(self.0.entries.borrow_mut().split_off(start)))
    }
}

/// An object's key, borrowed from the text when it holds no escape.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Parses the whole text. serde_json's recursion limit (128 levels) stays
/// on, so deep nesting is an error rather than a stack overflow, and every
/// later recursive walk over the `Json` is bounded by the same depth.
fn parse<'t>(text: &'t str, display: &str) -> Result<Json<'t>, InputError> {
    let ctx = ParseCtx {
        text,
        ..ParseCtx::default()
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let result = NodeSeed(&ctx)
        .deserialize(&mut de)
        .and_then(|json| de.end().map(|()| json));
    result.map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let mut message = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message.truncate(stripped.len());
        }
        let blank = text
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        let message = if blank {
            "the file is empty: expected a JSON object".to_string()
        } else if message == "recursion limit exceeded" {
            format!("invalid JSON: nested more than 128 levels deep (column {column})")
        } else if ctx.repeated.borrow().is_some() {
            format!("{message} (column {column})")
        } else {
            format!("invalid JSON: {message} (column {column})")
        };
        let mut err = InputError::new(display, message).at_line(line.max(1));
        if let Some(mut path) = ctx.repeated.take() {
            path.reverse();
            err = err.field(path_string(&path));
        }
        err
    })
}

// ---------------------------------------------------------------------------
// Paths and errors.

/// The path of a value during the walk, as a chain of borrowed steps.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }
    fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }
    fn segs(&self) -> Vec<Seg> {
        let mut segs = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, key) => {
                    segs.push(Seg::Key(key.to_string()));
                    at = parent;
                }
                Path::Index(parent, i) => {
                    segs.push(Seg::Index(*i));
                    at = parent;
                }
            }
        }
        segs.reverse();
        segs
    }
}

impl fmt::Display for Path<'_> {
    /// As [`path_string`] writes the same steps, with no allocation: every
    /// cell's origin is written this way.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) => {
                parent.fmt(f)?;
                write_key(f, key, matches!(parent, Path::Root))
            }
            Path::Index(parent, i) => {
                parent.fmt(f)?;
                write!(f, "[{i}]")
            }
        }
    }
}

/// `tables[0].cells[3].at[1]`; keys that are not identifiers are quoted:
/// `dimensions[0].tree["Bas-Saint-Laurent"]`.
fn path_string(segs: &[Seg]) -> String {
    let mut out = String::new();
    for (n, seg) in segs.iter().enumerate() {
        let _ = match seg {
            Seg::Index(i) => write!(out, "[{i}]"),
            Seg::Key(k) => write_key(&mut out, k, n == 0),
        };
    }
    out
}

/// One key of a path: `.key`, or `key` first; `["a key"]` when it is not
/// an identifier.
fn write_key(out: &mut impl fmt::Write, k: &str, first: bool) -> fmt::Result {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident {
        if !first {
            out.write_char('.')?;
        }
        out.write_str(k)
    } else {
        write!(out, "[{k:?}]")
    }
}

/// A schema error found by the walk: where, and what.
#[derive(Debug)]
struct Fail {
    path: Vec<Seg>,
    message: String,
}

impl Fail {
    fn into_input_error(self, display: &str, text: &str) -> InputError {
        let mut err = InputError::new(display, self.message);
        if !self.path.is_empty() {
            err = err.field(path_string(&self.path));
        }
        if let Some(offset) = offset_of(text, &self.path) {
            err = err.at_line(line_of(text.as_bytes().get(..offset).unwrap_or_default()));
        }
        err
    }
}

fn fail<T>(path: &Path<'_>, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail {
        path: path.segs(),
        message: message.into(),
    })
}

/// The 1-based line at the end of `bytes`.
fn line_of(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

// ---------------------------------------------------------------------------
// Finding a value's position in valid JSON text.

/// The byte offset of the value at `path` in `text`, which must be valid
/// JSON without repeated keys. Iterative: no recursion, whatever the
/// nesting. `None` if the path does not lead anywhere.
fn offset_of(text: &str, path: &[Seg]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    for seg in path {
        match seg {
            Seg::Index(i) => {
                if b.get(pos) != Some(&b'[') {
                    return None;
                }
                pos = skip_ws(b, pos + 1);
                for _ in 0..*i {
                    pos = skip_ws(b, skip_value(b, pos)?);
                    if b.get(pos) != Some(&b',') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                }
                if b.get(pos) == Some(&b']') {
                    return None;
                }
            }
            Seg::Key(key) => {
                if b.get(pos) != Some(&b'{') {
                    return None;
                }
                pos = skip_ws(b, pos + 1);
                loop {
                    if b.get(pos) != Some(&b'"') {
                        return None;
                    }
                    let end = skip_string(b, pos)?;
                    let found: String = serde_json::from_str(text.get(pos..end)?).ok()?;
                    pos = skip_ws(b, end);
                    if b.get(pos) != Some(&b':') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                    if found == *key {
                        break;
                    }
                    pos = skip_ws(b, skip_value(b, pos)?);
                    if b.get(pos) != Some(&b',') {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                }
            }
        }
    }
    Some(pos)
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// From the opening quote of a string to just past its closing quote.
fn skip_string(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// From the first byte of a value to just past it.
fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => skip_string(b, pos),
        b'[' | b'{' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while !matches!(
                b.get(i),
                None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}

// ---------------------------------------------------------------------------
// Step 2: `Json` to `Model`.

const TOP_FIELDS: &[&str] = &["tables", "constraints", "decimals", "negative"];
const ONE_TABLE_FIELDS: &[&str] = &[
    "name",
    "dimensions",
    "cells",
    "absent",
    "constraints",
    "decimals",
    "negative",
];
const TABLE_FIELDS: &[&str] = &["name", "dimensions", "cells", "absent"];
const DIMENSION_FIELDS: &[&str] = &["name", "tree"];
const CELL_FIELDS: &[&str] = &["at", "value", "hidden", "range"];
const CONSTRAINT_FIELDS: &[&str] = &["terms", "op", "rhs"];
const TERM_FIELDS: &[&str] = &["table", "at", "coef"];

/// A tree may nest at most this deep. The parse limit (128 levels of JSON)
/// already bounds it; this guard keeps the recursion safe on its own.
const MAX_TREE_DEPTH: usize = 256;

type Entries<'j> = [(Cow<'j, str>, Json<'j>)];

fn object<'j>(v: &'j Json<'j>, path: &Path<'_>, what: &str) -> Result<&'j Entries<'j>, Fail> {
    match v {
        Json::Obj(entries) => Ok(entries),
        other => Err(wrong_kind(path, what, "an object", other)),
    }
}

/// `expected a table (an object), found an array`.
fn wrong_kind(path: &Path<'_>, what: &str, shape: &str, found: &Json<'_>) -> Fail {
    Fail {
        path: path.segs(),
        message: format!("expected {what} ({shape}), found {}", found.kind()),
    }
}

fn array<'j>(v: &'j Json<'j>, path: &Path<'_>, what: &str) -> Result<&'j [Json<'j>], Fail> {
    match v {
        Json::Arr(items) => Ok(items),
        other => Err(wrong_kind(path, what, "an array", other)),
    }
}

fn string<'j>(v: &'j Json<'j>, path: &Path<'_>, what: &str) -> Result<&'j str, Fail> {
    match v {
        Json::Str(s) => Ok(s),
        other => fail(
            path,
            format!("expected {what} (a string), found {}", other.kind()),
        ),
    }
}

fn get_mut<'j, 't>(
    entries: &'j mut [(Cow<'t, str>, Json<'t>)],
    key: &str,
) -> Option<&'j mut Json<'t>> {
    entries
        .iter_mut()
        .find(|(k, _)| k.as_ref() == key)
        .map(|(_, v)| v)
}

fn object_mut<'j, 't>(
    v: &'j mut Json<'t>,
    path: &Path<'_>,
    what: &str,
) -> Result<&'j mut Vec<(Cow<'t, str>, Json<'t>)>, Fail> {
    match v {
        Json::Obj(entries) => Ok(entries),
        other => Err(wrong_kind(path, what, "an object", other)),
    }
}

fn array_mut<'j, 't>(
    v: &'j mut Json<'t>,
    path: &Path<'_>,
    what: &str,
) -> Result<&'j mut Vec<Json<'t>>, Fail> {
    match v {
        Json::Arr(items) => Ok(items),
        other => Err(wrong_kind(path, what, "an array", other)),
    }
}

fn get<'j>(entries: &'j Entries<'j>, key: &str) -> Option<&'j Json<'j>> {
    entries
        .iter()
        .find(|(k, _)| k.as_ref() == key)
        .map(|(_, v)| v)
}

fn require<'j>(entries: &'j Entries<'j>, key: &str, path: &Path<'_>) -> Result<&'j Json<'j>, Fail> {
    match get(entries, key) {
        Some(v) => Ok(v),
        None => fail(path, format!("missing field {key:?}")),
    }
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every key must be one of `allowed`.
fn known_fields(
    entries: &Entries<'_>,
    allowed: &[&str],
    path: &Path<'_>,
    hint: &str,
) -> Result<(), Fail> {
    for (key, _) in entries {
        if !allowed.contains(&key.as_ref()) {
            return fail(
                &path.key(key),
                format!(
                    "unknown field {key:?}, expected one of {}{hint}",
                    quoted_list(allowed)
                ),
            );
        }
    }
    Ok(())
}

/// A published count or range bound: a whole number in `0..=MAX_COUNT`,
/// or with `decimals`, an amount with at most that many decimals, read
/// exactly as a count of `10^-decimals` units.
fn count(v: &Json<'_>, path: &Path<'_>, num: Numbers) -> Result<Count, Fail> {
    let decimals = num.decimals;
    if num.negative {
        return match v {
            Json::Num(n) => crate::model::parse_value(&n.text(), decimals)
                .map(|x| x as Count)
                .or_else(|e| fail(path, e)),
            other => fail(
                path,
                format!("expected a value (a number), found {}", other.kind()),
            ),
        };
    }
    if decimals > 0 {
        return match v {
            Json::Num(Num::I(i)) => fail(path, format!("{i} is negative: a value is 0 or more")),
            Json::Num(n) => match crate::model::parse_value(&n.text(), decimals) {
                Ok(x) if x < 0 => fail(
                    path,
                    format!("{} is negative: a value is 0 or more", n.text()),
                ),
                Ok(x) => Ok(x as Count),
                Err(e) => fail(path, e),
            },
            other => fail(
                path,
                format!("expected a value (a number), found {}", other.kind()),
            ),
        };
    }
    match *v {
        Json::Num(Num::U(u)) if u <= MAX_COUNT as u64 => Ok(u as Count),
        Json::Num(Num::U(u)) => fail(
            path,
            format!("{u} is too large: a count is at most {MAX_COUNT} (2^53 - 1)"),
        ),
        Json::Num(Num::I(i)) => fail(path, format!("{i} is negative: a count is 0 or more")),
        Json::Num(Num::F(f, _)) => fail(path, float_message(f, false)),
        ref other => fail(
            path,
            format!("expected a count (a whole number), found {}", other.kind()),
        ),
    }
}

/// A coefficient or right-hand side: a whole number that fits `i64`; with
/// `decimals` (a right-hand side of a model with decimals), an amount read
/// exactly as a count of `10^-decimals` units.
fn integer(v: &Json<'_>, path: &Path<'_>, decimals: u32) -> Result<i64, Fail> {
    if let (true, Json::Num(n)) = (decimals > 0, v) {
        return match crate::model::parse_value(&n.text(), decimals) {
            Ok(x) => Ok(x as i64),
            Err(e) => fail(path, e),
        };
    }
    match *v {
        Json::Num(Num::U(u)) => i64::try_from(u)
            .or_else(|_| fail(path, format!("{u} is too large: the limit is {}", i64::MAX))),
        Json::Num(Num::I(i)) => Ok(i),
        Json::Num(Num::F(f, _)) => fail(path, float_message(f, true)),
        ref other => fail(path, format!("expected an integer, found {}", other.kind())),
    }
}

/// Why a number that serde_json read as a float (written with a fraction
/// or an exponent, or too large for 64 bits) is refused, as a count or, if
/// `signed`, as an `i64` integer.
fn float_message(f: f64, signed: bool) -> String {
    let what = if signed { "an integer" } else { "a count" };
    if !f.is_finite() || f.fract() != 0.0 {
        format!("{f} is not a whole number: expected {what}")
    } else if !signed && f < 0.0 {
        "the number is negative: a count is 0 or more".to_string()
    } else if signed && f.abs() >= 9_223_372_036_854_775_808.0 {
        format!(
            "the number is too large: an integer is at most {} in size",
            i64::MAX
        )
    } else if !signed && f > MAX_COUNT as f64 {
        format!("the number is too large: a count is at most {MAX_COUNT} (2^53 - 1)")
    } else {
        format!(
            "expected {what} written as a whole number, without a decimal point or exponent (found {f:?})"
        )
    }
}

impl Num {
    /// The number as the file wrote it (an integer as its digits).
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Num::U(u) => u.to_string().into(),
            Num::I(i) => i.to_string().into(),
            Num::F(_, text) => (&**text).into(),
        }
    }
}

/// How the values of a model are written: their decimals, and whether
/// they may be negative (`"negative": true`).
#[derive(Debug, Clone, Copy)]
struct Numbers {
    decimals: u32,
    negative: bool,
}

struct Walk<'s> {
    stem: &'s str,
    /// The model's `"decimals"`.
    decimals: u32,
    /// The model's `"negative"`.
    negative: bool,
}

impl Walk<'_> {
    /// Walks the whole value. Each table's cells are taken out of `json`
    /// and freed one by one as they become [`Cell`]s, so that the parse
    /// tree and the model are not both whole in memory.
    fn model(&self, json: &mut Json<'_>) -> Result<(Vec<Table>, Vec<Constraint>), Fail> {
        let root = Path::Root;
        let top = match json {
            Json::Obj(entries) => entries,
            other => {
                return fail(
                    &root,
                    format!(
                        "the top level must be a JSON object (with \"tables\", or one table's fields), found {}",
                        other.kind()
                    ),
                )
            }
        };
        let mut tables = Vec::new();
        if get(top, "tables").is_some() {
            known_fields(
                top,
                TOP_FIELDS,
                &root,
                " (with a \"tables\" array, each table's fields go in its entry)",
            )?;
            let tables_path = root.key("tables");
            let Some(list) = get_mut(top, "tables") else {
                return fail(&root, "missing field \"tables\"");
            };
            let list = array_mut(list, &tables_path, "a list of tables")?;
            if list.is_empty() {
                return fail(&tables_path, "a model needs at least one table");
            }
            let mut names: HashMap<String, usize> = HashMap::new();
            for (i, t) in list.iter_mut().enumerate() {
                let path = tables_path.index(i);
                let entries = object_mut(t, &path, "a table")?;
                known_fields(entries, TABLE_FIELDS, &path, "")?;
                let name_path = path.key("name");
                let name = match get(entries, "name") {
                    Some(v) => string(v, &name_path, "the table's name")?.to_string(),
                    None => {
                        return fail(
                            &path,
                            "missing field \"name\": every table of \"tables\" needs a name",
                        )
                    }
                };
                if let Some(first) = names.insert(name.clone(), i) {
                    return fail(
                        &name_path,
                        format!("two tables are named {name:?} (tables[{first}] and tables[{i}])"),
                    );
                }
                tables.push(self.table(entries, &name, &path)?);
            }
        } else {
            known_fields(top, ONE_TABLE_FIELDS, &root, "")?;
            let name = match get(top, "name") {
                Some(v) => string(v, &root.key("name"), "the table's name")?.to_string(),
                None => self.stem.to_string(),
            };
            tables.push(self.table(top, &name, &root)?);
        }
        let constraints = match get(top, "constraints") {
            Some(v) => constraints(v, &tables, &root.key("constraints"), self.decimals)?,
            None => Vec::new(),
        };
        Ok((tables, constraints))
    }

    fn table(&self, entries: &mut Entries<'_>, name: &str, path: &Path<'_>) -> Result<Table, Fail> {
        let dims_path = path.key("dimensions");
        let dims_json = array(
            require(entries, "dimensions", path)?,
            &dims_path,
            "a list of dimensions",
        )?;
        if dims_json.is_empty() {
            return fail(&dims_path, "a table needs at least one dimension");
        }
        let mut dimensions = Vec::with_capacity(dims_json.len());
        let mut dim_names: HashMap<&str, usize> = HashMap::new();
        for (d, dj) in dims_json.iter().enumerate() {
            let dpath = dims_path.index(d);
            let de = object(dj, &dpath, "a dimension")?;
            known_fields(de, DIMENSION_FIELDS, &dpath, "")?;
            let name_path = dpath.key("name");
            let dname = string(
                require(de, "name", &dpath)?,
                &name_path,
                "the dimension's name",
            )?;
            if let Some(first) = dim_names.insert(dname, d) {
                return fail(
                    &name_path,
                    format!("table {name:?} has two dimensions named {dname:?} (dimensions[{first}] and dimensions[{d}])"),
                );
            }
            let tree_path = dpath.key("tree");
            let tree = require(de, "tree", &dpath)?;
            let mut codes = Vec::new();
            let mut seen = HashMap::new();
            match tree {
                Json::Arr(items) if items.is_empty() => {
                    return fail(&tree_path, "a dimension needs at least one code")
                }
                Json::Obj(entries) if entries.is_empty() => {
                    return fail(&tree_path, "a dimension needs at least one code")
                }
                _ => {}
            }
            walk_tree(tree, &tree_path, None, dname, &mut codes, &mut seen, 0)?;
            let dim = Dimension::new(dname, codes).or_else(|e| fail(&tree_path, e.to_string()))?;
            dimensions.push(dim);
        }

        // The cross product must be countable: `Table` counts it.
        if dimensions
            .iter()
            .try_fold(1usize, |n, d| n.checked_mul(d.len()))
            .is_none()
        {
            return fail(
                &dims_path,
                format!("table {name:?} has too many cells: the product of its dimensions' sizes does not fit in 64 bits"),
            );
        }

        let absent = match get(entries, "absent") {
            None => Absent::Error,
            Some(v) => {
                let apath = path.key("absent");
                match string(v, &apath, "\"error\" or \"zero\"")? {
                    "error" => Absent::Error,
                    "zero" => Absent::Zero,
                    other => {
                        return fail(
                            &apath,
                            format!("unknown value {other:?}, expected \"error\" or \"zero\""),
                        )
                    }
                }
            }
        };

        let cells_path = path.key("cells");
        array(
            require(entries, "cells", path)?,
            &cells_path,
            "a list of cells",
        )?;
        // Taken out of the tree: each cell's value is freed once read.
        let cells_json = match get_mut(entries, "cells") {
            Some(Json::Arr(items)) => std::mem::take(items),
            _ => Vec::new(),
        };
        let mut cells: Vec<Cell> = Vec::with_capacity(cells_json.len());
        // Coordinates resolved from codes always fit the dimensions, so the
        // index built here is the table's own (`Table::indexed`).
        let mut index = CellIndex::for_table(&dimensions, cells_json.len());
        for (i, cj) in cells_json.into_iter().enumerate() {
            let cpath = cells_path.index(i);
            let num = Numbers {
                decimals: self.decimals,
                negative: self.negative,
            };
            let cell = cell(&cj, &cpath, name, &dimensions, num)?;
            if let Some(first) = index.insert(&cell.at, i) {
                return fail(
                    &cpath,
                    format!(
                        "table {name:?}: cell {} is listed twice ({} and {})",
                        describe_at(&dimensions, &cell.at),
                        cells[first].origin,
                        cell.origin
                    ),
                );
            }
            cells.push(cell);
        }
        Table::indexed(
            name.to_string(),
            dimensions,
            cells,
            absent,
            Layout::Cube,
            index,
        )
        .or_else(|e| {
            let at = match e {
                ModelError::MissingCell { .. } => cells_path,
                _ => *path,
            };
            fail(&at, e.to_string())
        })
    }
}

/// Adds the codes of a tree in pre-order: a parent before its children,
/// siblings in file order. Recursion depth is bounded by the parse's
/// nesting limit (and by [`MAX_TREE_DEPTH`]).
fn walk_tree(
    tree: &Json<'_>,
    path: &Path<'_>,
    parent: Option<usize>,
    dim: &str,
    codes: &mut Vec<(String, Option<usize>)>,
    seen: &mut HashMap<String, Option<usize>>,
    depth: usize,
) -> Result<(), Fail> {
    if depth > MAX_TREE_DEPTH {
        return fail(path, "the tree is nested too deeply");
    }
    match tree {
        Json::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                let ipath = path.index(i);
                match item {
                    Json::Str(code) => {
                        add_code(code, &ipath, parent, dim, codes, seen)?;
                    }
                    other => {
                        return fail(
                            &ipath,
                            format!(
                                "expected a code (a string), found {}; a code with children goes in an object: {{\"code\": [...]}}",
                                other.kind()
                            ),
                        )
                    }
                }
            }
        }
        Json::Obj(entries) => {
            for (code, children) in entries {
                let cpath = path.key(code);
                let index = add_code(code, &cpath, parent, dim, codes, seen)?;
                match children {
                    Json::Null => {}
                    Json::Arr(items) if items.is_empty() => {
                        return fail(
                            &cpath,
                            format!("code {code:?} has no children: a parent needs at least one child (use null for a leaf)"),
                        )
                    }
                    Json::Obj(entries) if entries.is_empty() => {
                        return fail(
                            &cpath,
                            format!("code {code:?} has no children: a parent needs at least one child (use null for a leaf)"),
                        )
                    }
                    Json::Arr(_) | Json::Obj(_) => {
                        walk_tree(children, &cpath, Some(index), dim, codes, seen, depth + 1)?
                    }
                    other => {
                        return fail(
                            &cpath,
                            format!(
                                "expected the children of {code:?} (an array or an object) or null for a leaf, found {}",
                                other.kind()
                            ),
                        )
                    }
                }
            }
        }
        other => {
            return fail(
                path,
                format!(
                    "expected a tree: an array of codes or an object of parent codes, found {}",
                    other.kind()
                ),
            )
        }
    }
    Ok(())
}

/// Adds one code under `parent`; a code seen before in the dimension is an
/// error.
fn add_code(
    code: &str,
    at: &Path<'_>,
    parent: Option<usize>,
    dim: &str,
    codes: &mut Vec<(String, Option<usize>)>,
    seen: &mut HashMap<String, Option<usize>>,
) -> Result<usize, Fail> {
    if let Some(problem) = super::control_character_problem(code) {
        return fail(at, problem);
    }
    if let Some(first_parent) = seen.get(code) {
        let first = match first_parent {
            Some(p) => format!("first under {:?}", codes[*p].0),
            None => "first at the top level".to_string(),
        };
        return fail(
            at,
            format!("code {code:?} appears twice in dimension {dim:?} ({first}); codes must be unique across all levels"),
        );
    }
    seen.insert(code.to_string(), parent);
    codes.push((code.to_string(), parent));
    Ok(codes.len() - 1)
}

/// Resolves `at`, a list of codes, against the dimensions of a table.
fn resolve_at(
    v: &Json<'_>,
    path: &Path<'_>,
    table: &str,
    dimensions: &[Dimension],
) -> Result<Vec<usize>, Fail> {
    let codes = array(v, path, "the cell's codes, one per dimension")?;
    if codes.len() != dimensions.len() {
        let names: Vec<&str> = dimensions.iter().map(Dimension::name).collect();
        return fail(
            path,
            format!(
                "{} code{} given but table {table:?} has {} dimension{} ({})",
                codes.len(),
                if codes.len() == 1 { " is" } else { "s are" },
                dimensions.len(),
                if dimensions.len() == 1 { "" } else { "s" },
                quoted_list(&names)
            ),
        );
    }
    codes
        .iter()
        .zip(dimensions)
        .enumerate()
        .map(|(j, (c, dim))| {
            let cpath = path.index(j);
            let code = string(c, &cpath, "a code")?;
            match dim.find(code) {
                Some(i) => Ok(i),
                None => fail(
                    &cpath,
                    format!(
                        "{code:?} is not a code of dimension {:?} of table {table:?}",
                        dim.name()
                    ),
                ),
            }
        })
        .collect()
}

fn cell(
    v: &Json<'_>,
    path: &Path<'_>,
    table: &str,
    dimensions: &[Dimension],
    num: Numbers,
) -> Result<Cell, Fail> {
    let entries = object(v, path, "a cell")?;
    known_fields(entries, CELL_FIELDS, path, "")?;
    let at = resolve_at(
        require(entries, "at", path)?,
        &path.key("at"),
        table,
        dimensions,
    )?;
    let hidden = match get(entries, "hidden") {
        None => None,
        Some(Json::Bool(b)) => Some(*b),
        Some(other) => {
            return fail(
                &path.key("hidden"),
                format!("expected true or false, found {}", other.kind()),
            )
        }
    };
    let entry =
        match (get(entries, "value"), hidden, get(entries, "range")) {
            (Some(v), None, None) => Entry::Published(count(v, &path.key("value"), num)?),
            (Some(_), Some(_), _) => {
                return fail(
                    &path.key("hidden"),
                    "a cell with a \"value\" is published: it cannot also have \"hidden\"",
                )
            }
            (Some(_), None, Some(_)) => {
                return fail(
                    &path.key("range"),
                    "a cell with a \"value\" is published: it cannot also have a \"range\"",
                )
            }
            (None, Some(false), None) => {
                return fail(
                    &path.key("hidden"),
                    "\"hidden\": false needs a \"value\"; a suppressed cell has \"hidden\": true",
                )
            }
            (None, Some(false), Some(_)) => {
                return fail(
                    &path.key("hidden"),
                    "a cell with a \"range\" is hidden: \"hidden\" must be true or left out",
                )
            }
            (None, Some(true), None) => Entry::Hidden,
            (None, _, Some(r)) => range(r, &path.key("range"), num)?,
            (None, None, None) => return fail(
                path,
                "a cell needs \"value\" (published), \"hidden\": true (suppressed) or \"range\"",
            ),
        };
    Ok(Cell {
        at,
        entry,
        origin: path.to_string(),
        line: None,
    })
}

fn range(v: &Json<'_>, path: &Path<'_>, num: Numbers) -> Result<Entry, Fail> {
    let bounds = array(v, path, "a range [A, B]")?;
    let [lo, hi] = bounds else {
        return fail(
            path,
            format!(
                "expected a range [A, B] (B may be null), found {} element{}",
                bounds.len(),
                if bounds.len() == 1 { "" } else { "s" }
            ),
        );
    };
    // No lower end (null) only where values may be negative: a count's
    // range starts at 0 or above.
    let lo = match lo {
        Json::Null if num.negative => None,
        Json::Null => {
            return fail(
                &path.index(0),
                "expected the range's lower end, found null: only a model of values that may \
                 be negative (\"negative\": true) may leave it out",
            )
        }
        other => Some(count(other, &path.index(0), num)?),
    };
    let hi = match hi {
        Json::Null => None,
        other => Some(count(other, &path.index(1), num)?),
    };
    if let (Some(lo), Some(hi)) = (lo, hi) {
        if lo > hi {
            return fail(
                path,
                format!("the range [{lo}, {hi}] is empty: {lo} is more than {hi}"),
            );
        }
    }
    Ok(Entry::Range { lo, hi })
}

fn constraints(
    v: &Json<'_>,
    tables: &[Table],
    path: &Path<'_>,
    decimals: u32,
) -> Result<Vec<Constraint>, Fail> {
    let list = array(v, path, "a list of constraints")?;
    let mut out = Vec::with_capacity(list.len());
    for (k, cj) in list.iter().enumerate() {
        let cpath = path.index(k);
        let entries = object(cj, &cpath, "a constraint")?;
        known_fields(entries, CONSTRAINT_FIELDS, &cpath, "")?;
        let terms_path = cpath.key("terms");
        let terms_json = array(
            require(entries, "terms", &cpath)?,
            &terms_path,
            "a list of terms",
        )?;
        let mut terms = Vec::with_capacity(terms_json.len());
        for (j, tj) in terms_json.iter().enumerate() {
            let tpath = terms_path.index(j);
            terms.push(term(tj, &tpath, tables)?);
        }
        let op_path = cpath.key("op");
        let op = match string(
            require(entries, "op", &cpath)?,
            &op_path,
            "\"=\", \"<=\" or \">=\"",
        )? {
            "=" => Op::Eq,
            "<=" => Op::Le,
            ">=" => Op::Ge,
            other => {
                return fail(
                    &op_path,
                    format!("unknown op {other:?}, expected \"=\", \"<=\" or \">=\""),
                )
            }
        };
        let rhs = integer(
            require(entries, "rhs", &cpath)?,
            &cpath.key("rhs"),
            decimals,
        )?;
        out.push(Constraint {
            terms,
            op,
            rhs,
            origin: cpath.to_string(),
        });
    }
    Ok(out)
}

fn term(v: &Json<'_>, path: &Path<'_>, tables: &[Table]) -> Result<Term, Fail> {
    let entries = object(v, path, "a term")?;
    known_fields(entries, TERM_FIELDS, path, "")?;
    let table = match get(entries, "table") {
        Some(t) => {
            let tpath = path.key("table");
            let name = string(t, &tpath, "a table name")?;
            match tables.iter().position(|t| t.name == name) {
                Some(i) => i,
                None => {
                    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
                    return fail(
                        &tpath,
                        format!(
                            "no table is named {name:?} (the tables are {})",
                            quoted_list(&names)
                        ),
                    );
                }
            }
        }
        None if tables.len() == 1 => 0,
        None => return fail(
            path,
            "missing field \"table\": a term must name its table when the model has several tables",
        ),
    };
    let t = &tables[table];
    let at = resolve_at(
        require(entries, "at", path)?,
        &path.key("at"),
        &t.name,
        &t.dimensions,
    )?;
    let coef = integer(require(entries, "coef", path)?, &path.key("coef"), 0)?;
    Ok(Term { table, at, coef })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_keys_that_are_not_identifiers() {
        let segs = vec![
            Seg::Key("tables".into()),
            Seg::Index(0),
            Seg::Key("dimensions".into()),
            Seg::Index(1),
            Seg::Key("tree".into()),
            Seg::Key("Bas-Saint-Laurent".into()),
        ];
        assert_eq!(
            path_string(&segs),
            "tables[0].dimensions[1].tree[\"Bas-Saint-Laurent\"]"
        );
        assert_eq!(path_string(&[Seg::Key("x y".into())]), "[\"x y\"]");

        // Display writes what path_string writes.
        let root = Path::Root;
        let (a, b) = (root.key("tables"), root.key("x y"));
        let (a, b) = (a.index(0), b.key("z"));
        let (a, b) = (a.key("dimensions"), b.index(2));
        let a = a.index(1);
        let a = a.key("tree");
        let a = a.key("Bas-Saint-Laurent");
        assert_eq!(a.to_string(), path_string(&segs));
        assert_eq!(b.to_string(), "[\"x y\"].z[2]");
        assert_eq!(b.to_string(), path_string(&b.segs()));
    }

    #[test]
    fn a_repeated_key_is_named_by_its_whole_path() {
        let text =
            "{\"dimensions\": [{\"name\": \"d\",\n \"tree\": {\"A-1\": null, \"A-1\": null}}]}";
        let err = parse(text, "f.json").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("dimensions[0].tree[\"A-1\"]"));
        assert_eq!(err.line, Some(2));
        assert!(err
            .message
            .starts_with("key \"A-1\" appears twice in one object"));

        // Past the linear check's size, the hash set finds the repeat too,
        // and an escaped key (owned, not borrowed) is compared by its text.
        let mut keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        keys.push("\"k\\u0033\": 0".to_string());
        let text = format!("[1, {{{}}}]", keys.join(", "));
        let err = parse(&text, "f.json").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("[1].k3"));

        // No repeat: every key kept, in file order.
        let text = format!("{{{}}}", keys[..40].join(", "));
        let Ok(Json::Obj(entries)) = parse(&text, "f.json") else {
            panic!("an object")
        };
        assert_eq!(entries.len(), 40);
        assert_eq!(entries[39].0, "k39");
    }

    #[test]
    fn offset_of_follows_paths() {
        let text = "{\"a\": [1, {\"b\\\"\": \"]}\", \"c\": [true]}],\n \"d\": null}";
        let seg = |s: &str| Seg::Key(s.into());
        let at = |p: &[Seg]| offset_of(text, p).map(|o| &text[o..]);
        assert!(at(&[seg("a"), Seg::Index(1), seg("c"), Seg::Index(0)])
            .unwrap()
            .starts_with("true"));
        assert!(at(&[seg("a"), Seg::Index(1), seg("b\"")])
            .unwrap()
            .starts_with("\"]}\""));
        assert!(at(&[seg("d")]).unwrap().starts_with("null"));
        assert_eq!(at(&[seg("a"), Seg::Index(2)]), None);
        assert_eq!(at(&[seg("zz")]), None);
    }
}
