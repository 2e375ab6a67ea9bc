//! Default output folders (docs/outputs.md, "The output folder"): `output/<name>/` for
//! `run`, `output/<name>-<command>/` for the analysis commands, and, when `--set` changes
//! levers, a suffix naming them, so that the results of a modified scenario never replace
//! those of the scenario as written. What it must not do: create or write anything.

use std::path::{Path, PathBuf};

/// Longest folder name kept whole; longer names are cut and end in a hash of the whole.
const MAX_NAME: usize = 180;

/// Returns the default output folder of `base` (a scenario name, with the command for
/// analysis commands) run with the `--set` levers `set`:
/// `output/zhangjiagang-baseline--set-upgrade.intermediate=0.07`.
pub fn default_out(base: &str, set: &[String]) -> PathBuf {
    Path::new("output").join(folder_name(base, set))
}

/// Returns the folder name: `base`, then `--set-LEVER=VALUE` per lever, with every
/// character other than ASCII letters, digits and `._=+-` replaced by `_`.
fn folder_name(base: &str, set: &[String]) -> String {
    let mut name = base.to_string();
    for lever in set {
        name.push_str("--set-");
        name.extend(lever.chars().map(|c| {
            if c.is_ascii_alphanumeric() || "._=+-".contains(c) {
                c
            } else {
                '_'
            }
        }));
    }
    if name.len() <= MAX_NAME {
        return name;
    }
    let hash = talentsim::audit::sha256_hex(name.as_bytes());
    let mut cut = MAX_NAME;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}-{}", &name[..cut], &hash[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_levers_the_folder_is_the_base() {
        assert_eq!(default_out("weifang", &[]), Path::new("output/weifang"));
    }

    #[test]
    fn levers_are_named_and_sanitized() {
        let set = [
            "upgrade.intermediate=0.07".to_string(),
            "inflow.a b/c=3".into(),
        ];
        assert_eq!(
            folder_name("zjg", &set),
            "zjg--set-upgrade.intermediate=0.07--set-inflow.a_b_c=3"
        );
    }

    #[test]
    fn long_names_are_cut_with_a_hash_that_keeps_them_apart() {
        let a = folder_name("x", &["a".repeat(300)]);
        let b = folder_name("x", &[format!("{}b", "a".repeat(299))]);
        assert!(a.len() <= MAX_NAME + 13, "{a}");
        assert_ne!(a, b);
    }
}
