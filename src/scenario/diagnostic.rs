//! Diagnostics for invalid scenario files: where (file, line, column, key path) and what
//! was expected.
//!
//! Owns turning byte spans into 1-based line/column pairs, recovering the key path of a
//! span reported by the TOML deserializer, and "did you mean" suggestions. It knows the
//! TOML text, never the model.

use std::fmt;
use std::ops::Range;

use toml_edit::{Item, Table, Value};

/// One problem in a scenario file, located for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line of the offending text (0 when the file has no text to point at).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Dotted key path such as `attrition.senior` or `inflow[2].split.senior`
    /// (array-of-table indices count from 1); empty when no key applies.
    pub key: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Every problem found in one scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it.
    pub file: String,
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if d.line > 0 {
                write!(f, ":{}:{}", d.line, d.column)?;
            }
            if d.key.is_empty() {
                write!(f, ": {}", d.message)?;
            } else {
                write!(f, ": {}: {}", d.key, d.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Maps byte offsets of one text to line and column.
pub(crate) struct Positions<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Positions { text, line_starts }
    }

    /// Returns the 1-based (line, column) of a byte offset, clamped to the text.
    pub(crate) fn at(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }
}

/// Returns the candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn suggest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Formats a list of names as "`a`, `b` or `c`".
pub(crate) fn one_of<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Rewrites a serde message about an unknown field or variant so that it suggests the
/// closest expected name.
pub(crate) fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some(end) = rest.find('`') else {
        return message.to_string();
    };
    let word = &rest[..end];
    let expected: Vec<&str> = rest[end + 1..]
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect();
    let mut out = format!("unknown key `{word}`; expected {}", one_of(&expected));
    if let Some(s) = suggest(word, expected.iter().copied()) {
        out.push_str(&format!(" (did you mean `{s}`?)"));
    }
    out
}

/// Finds the dotted key path of the innermost key or value whose span holds `offset`.
/// `None` when the text is not valid TOML.
pub(crate) fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut path = Vec::new();
    table_path(doc.as_table(), offset, &mut path);
    Some(path.join("."))
}

fn contains(span: Option<Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

fn table_path(table: &Table, offset: usize, path: &mut Vec<String>) -> bool {
    for (key, item) in table.iter() {
        let key_span = table.key(key).and_then(|k| k.span());
        let mut child = Vec::new();
        let inside = match item {
            Item::Table(t) => table_path(t, offset, &mut child) || contains(t.span(), offset),
            Item::ArrayOfTables(array) => {
                let mut found = false;
                for (i, t) in array.iter().enumerate() {
                    let mut sub = Vec::new();
                    if table_path(t, offset, &mut sub) || contains(t.span(), offset) {
                        child.push(format!("[{}]", i + 1));
                        child.extend(sub);
                        found = true;
                        break;
                    }
                }
                found
            }
            Item::Value(v) => value_path(v, offset, &mut child),
            Item::None => false,
        };
        if inside || contains(key_span, offset) {
            let mut name = key.to_string();
            if let Some(first) = child.first() {
                if first.starts_with('[') {
                    name.push_str(&child.remove(0));
                }
            }
            path.push(name);
            path.extend(child);
            return true;
        }
    }
    false
}

fn value_path(value: &Value, offset: usize, path: &mut Vec<String>) -> bool {
    match value {
        Value::InlineTable(t) => {
            for (key, v) in t.iter() {
                let key_span = t.key(key).and_then(|k| k.span());
                let mut child = Vec::new();
                if value_path(v, offset, &mut child) || contains(key_span, offset) {
                    path.push(key.to_string());
                    path.extend(child);
                    return true;
                }
            }
            contains(t.span(), offset)
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let mut child = Vec::new();
                if value_path(v, offset, &mut child) {
                    path.push(format!("[{}]", i + 1));
                    path.extend(child);
                    return true;
                }
            }
            contains(a.span(), offset)
        }
        other => contains(other.span(), offset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\n名字 = \"x\"\n";
        let p = Positions::new(text);
        assert_eq!(p.at(0), (1, 1));
        assert_eq!(p.at(6), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(p.at(x), (2, 7));
    }

    #[test]
    fn key_paths_reach_nested_and_array_tables() {
        let text = "[attrition]\njunior = { dist = \"beta\", mean = 0.1, sd = 2 }\n\n[[inflow]]\nname = \"a\"\n[[inflow]]\nname = \"b\"\nsplit = { senior = 1.5 }\n";
        let sd = text.find("sd = 2").unwrap() + 5;
        assert_eq!(key_path_at(text, sd).unwrap(), "attrition.junior.sd");
        let split = text.find("1.5").unwrap();
        assert_eq!(key_path_at(text, split).unwrap(), "inflow[2].split.senior");
    }

    #[test]
    fn unknown_field_messages_suggest_the_closest_key() {
        let m = with_suggestion(
            "unknown field `atrition`, expected one of `name`, `attrition`, `upgrade`",
        );
        assert!(m.contains("did you mean `attrition`?"), "{m}");
        let m = with_suggestion("unknown field `zzz`, expected `from` or `to`");
        assert!(!m.contains("did you mean"), "{m}");
    }
}
