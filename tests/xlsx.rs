//! `results.xlsx`: a workbook Excel opens, with its sheets named in the run's language,
//! numbers stored as numbers, and the same bytes for the same results.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;

use common::{run_into, stderr};

fn part(xlsx: &Path, name: &str) -> String {
    let file = fs::File::open(xlsx).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn baseline() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhangjiagang-baseline.toml")
}

#[test]
fn the_workbook_has_a_sheet_per_metric_numbers_as_numbers_and_fixed_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = run_into(&baseline(), 300, out, &["--no-charts", "-q"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let xlsx = a.join("results.xlsx");
    assert_eq!(
        fs::read(&xlsx).unwrap(),
        fs::read(b.join("results.xlsx")).unwrap()
    );
    let book = part(&xlsx, "xl/workbook.xml");
    for sheet in [
        "Summary",
        "Skilled workers",
        "High-skill share",
        "Level senior_technician",
        "Central path",
        "Assumptions",
    ] {
        assert!(
            book.contains(&format!("name=\"{sheet}\"")),
            "{sheet}: {book}"
        );
    }
    // The central path's first row is the initial stock, written as a number cell.
    let central = fs::read_to_string(a.join("central.csv")).unwrap();
    let total = central.lines().nth(1).unwrap().split(',').nth(1).unwrap();
    let sheets = book.matches("<sheet ").count();
    let central_sheet = part(&xlsx, &format!("xl/worksheets/sheet{}.xml", sheets - 1));
    assert!(
        central_sheet.contains(&format!("<v>{total}</v>")),
        "{total}"
    );
    let styles = part(&xlsx, "xl/styles.xml");
    assert!(
        styles.contains("0.0%") && styles.contains("#,##0"),
        "{styles}"
    );
}

#[test]
fn sheet_names_and_headers_follow_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zh");
    let o = run_into(
        &baseline(),
        100,
        &out,
        &["--no-charts", "-q", "--lang", "zh"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let xlsx = out.join("results.xlsx");
    let book = part(&xlsx, "xl/workbook.xml");
    assert!(
        book.contains("name=\"摘要\"") && book.contains("name=\"高技能人才占比\""),
        "{book}"
    );
    let strings = part(&xlsx, "xl/sharedStrings.xml");
    assert!(strings.contains("95%区间下限"), "{strings}");
}
