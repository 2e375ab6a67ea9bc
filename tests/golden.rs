//! Golden outputs: the baseline's tables, a sensitivity run's tables, and the bytes of
//! every chart and report they draw, recorded in `tests/golden/`. A change that moves any
//! number or pixel fails here; when the change is deliberate (a new sampler, a redrawn
//! chart), re-record with `SNAPSHOTS=overwrite cargo test --test golden` and say why in the
//! CHANGELOG.

mod common;

use std::fs;
use std::path::Path;

use common::talentsim;
use snapbox::{assert_data_eq, Data};

const BASELINE: &str = "scenarios/zhangjiagang-baseline.toml";

fn golden(name: &str) -> Data {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    Data::read_from(&path, None)
}

fn text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Returns the SHA-256 of a file's content: for a PNG, of its decoded pixels (with its
/// size), since the same picture may be compressed to other bytes by another encoder
/// version; for other files, of the bytes.
fn content_hash(path: &Path) -> String {
    let bytes = fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "png") {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().expect("a frame that fits")];
        let frame = reader.next_frame(&mut pixels).unwrap();
        let mut content =
            format!("{}x{} {:?}\n", frame.width, frame.height, frame.color_type).into_bytes();
        content.extend_from_slice(&pixels[..frame.buffer_size()]);
        return talentsim::audit::sha256_hex(&content);
    }
    talentsim::audit::sha256_hex(&bytes)
}

/// Lists `name sha256` for every chart and report in `dir`, sorted by name (PNGs by their
/// pixels: [`content_hash`]).
fn picture_hashes(dir: &Path) -> String {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png") || n.ends_with(".svg") || n.ends_with(".html"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| {
            let hash = content_hash(&dir.join(n));
            format!("{n} {hash}\n")
        })
        .collect()
}

fn check_ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn baseline_tables_and_charts_are_the_recorded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("baseline");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join(BASELINE);
    check_ok(&talentsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "2000",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]));
    for file in [
        "projection.csv",
        "central.csv",
        "targets.csv",
        "target_years.csv",
    ] {
        assert_data_eq!(text(&dir.join(file)), golden(&format!("baseline/{file}")));
    }
    assert_data_eq!(picture_hashes(&dir), golden("baseline/pictures.sha256"));
}

#[test]
fn sensitivity_tables_and_charts_are_the_recorded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sensitivity");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join(BASELINE);
    check_ok(&talentsim(&[
        "sensitivity",
        scenario.to_str().unwrap(),
        "--samples",
        "256",
        "--bootstrap",
        "50",
        "--runs",
        "200",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]));
    for file in ["tornado.csv", "sobol.csv", "sobol_variance.csv"] {
        assert_data_eq!(
            text(&dir.join(file)),
            golden(&format!("sensitivity/{file}"))
        );
    }
    assert_data_eq!(picture_hashes(&dir), golden("sensitivity/pictures.sha256"));
}
