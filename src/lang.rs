//! The languages talentsim speaks (`--lang en|zh`): a plain value that every layer can
//! carry, from the audit record to the charts, and that serializes as its code.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The language of charts, reports and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(format!("unknown language {s:?}: expected en or zh")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_serializes_as_its_code_and_parses_back() {
        for lang in [Lang::En, Lang::Zh] {
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{lang}\""));
            assert_eq!(serde_json::from_str::<Lang>(&json).unwrap(), lang);
            assert_eq!(lang.to_string().parse::<Lang>().unwrap(), lang);
        }
        assert!("fr".parse::<Lang>().is_err());
    }
}
