//! Helpers shared by the tests that run the real binary.

#![allow(dead_code)] // Each test file uses a subset.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_talentsim");

/// Runs the binary with `args` and returns its status and output.
pub fn talentsim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs `talentsim run SCENARIO --runs RUNS --out OUT EXTRA...`.
pub fn run_into(scenario: &Path, runs: u64, out: &Path, extra: &[&str]) -> Output {
    let runs = runs.to_string();
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        &runs,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    talentsim(&args)
}

/// Returns a command's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Decodes a PNG file fully and returns its size.
pub fn png_size(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap();
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .expect("a frame that fits in memory")
    ];
    reader.next_frame(&mut buf).unwrap();
    let info = reader.info();
    (info.width, info.height)
}

/// Checks an SVG file's size and returns its text.
pub fn svg_text(path: &Path, width: u32, height: u32) -> String {
    let text = fs::read_to_string(path).unwrap();
    let start = text.find("<svg").expect("an svg element");
    let open = &text[start..start + text[start..].find('>').unwrap()];
    assert!(open.contains(&format!("width=\"{width}\"")), "{open}");
    assert!(open.contains(&format!("height=\"{height}\"")), "{open}");
    assert!(
        text.trim_end().ends_with("</svg>"),
        "{} is truncated",
        path.display()
    );
    text
}
