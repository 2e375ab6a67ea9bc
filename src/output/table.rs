//! How every CSV table is written: a header, then rows of `#[derive(Serialize)]` structs
//! through `csv::Writer::serialize`, with numbers in one format.
//!
//! Numbers are Rust's shortest round-trip text (`322500`, `0.045`, `1e-7`): the same
//! results always give the same bytes, and every value reads back exactly. An undefined
//! value is an empty cell. Row structs wrap their numbers in [`Num`] and [`Opt`].

use std::path::Path;

use serde::{Serialize, Serializer};

use super::OutputError;

/// A number as it is written in every table: shortest round-trip text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A number that may be undefined: an empty cell when it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Opt(pub Option<f64>);

impl Serialize for Opt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(x) => s.collect_str(&x),
            None => s.serialize_str(""),
        }
    }
}

/// Writes a CSV table: `header`, then one line per row (a struct's fields in order; a
/// `Vec` field spreads over as many columns).
///
/// # Errors
/// [`OutputError`] naming the file.
pub fn write_table<H, R>(
    path: &Path,
    header: &[H],
    rows: impl IntoIterator<Item = R>,
) -> Result<(), OutputError>
where
    H: AsRef<[u8]>,
    R: Serialize,
{
    let fail = |e: &dyn std::fmt::Display| OutputError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = ::csv::WriterBuilder::new()
        .has_headers(false)
        .from_path(path)
        .map_err(|e| fail(&e))?;
    w.write_record(header).map_err(|e| fail(&e))?;
    for row in rows {
        w.serialize(row).map_err(|e| fail(&e))?;
    }
    w.flush().map_err(|e| fail(&e))
}

/// Writes `value` as pretty-printed JSON with a final newline.
///
/// # Errors
/// [`OutputError`] naming the file.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), OutputError> {
    let fail = |e: &dyn std::fmt::Display| OutputError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let json = serde_json::to_string_pretty(value).map_err(|e| fail(&e))?;
    std::fs::write(path, json + "\n").map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row<'a> {
        name: &'a str,
        x: Num,
        y: Opt,
        spread: Vec<Num>,
    }

    #[test]
    fn rows_are_written_with_shortest_numbers_empty_cells_and_spread_vectors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let rows = [
            Row {
                name: "a,b",
                x: Num(322500.0),
                y: Opt(None),
                spread: vec![Num(0.045), Num(1e-7)],
            },
            Row {
                name: "c",
                x: Num(-0.5),
                y: Opt(Some(2.0)),
                spread: vec![Num(1.0), Num(0.1 + 0.2)],
            },
        ];
        write_table(&path, &["name", "x", "y", "p", "q"], rows).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "name,x,y,p,q\n\"a,b\",322500,,0.045,0.0000001\nc,-0.5,2,1,0.30000000000000004\n"
        );
    }
}
