//! Charts and the report as files: `<chart>.svg`, `<chart>.png` and `report.html`.
//!
//! Each file is written beside its destination under a temporary name and renamed into
//! place when complete, so a reader never sees half a file, whether the folder is a fresh
//! staging folder (`run`) or saved results being redrawn (`plot`).

use std::fs;
use std::path::Path;

use super::OutputError;

/// Name of the report file.
pub const REPORT_FILE: &str = "report.html";

/// Writes the drawn pictures, `(file name, bytes)` pairs such as the charts'
/// `crate::chart::files`, and the report into `dir`.
///
/// # Errors
/// [`OutputError`] naming the file that could not be written.
pub fn write_figures<'a>(
    pictures: impl IntoIterator<Item = (String, &'a [u8])>,
    report: &str,
    dir: &Path,
) -> Result<(), OutputError> {
    for (name, bytes) in pictures {
        write_file(&dir.join(name), bytes)?;
    }
    write_file(&dir.join(REPORT_FILE), report.as_bytes())
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        OutputError::io(path, &e)
    })
}
