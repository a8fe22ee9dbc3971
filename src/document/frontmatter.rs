//! Front matter: YAML (`---`) or TOML (`+++`) at the top of a Markdown file, read into flat
//! key/value strings that rules can ask for (`topic`, `title`, `tags`). Only top-level scalar
//! values and lists of scalars are kept; nested tables are ignored. Parsing never fails: an
//! unreadable front matter block simply yields fewer keys.

use std::collections::BTreeMap;

/// Flat front matter: lowercase keys to string values (lists joined with ", ").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FrontMatter {
    values: BTreeMap<String, String>,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A small YAML subset: `key: value`, `key: [a, b]`, and `key:` followed by `- item` lines.
    pub(crate) fn parse_yaml(text: &str) -> FrontMatter {
        let mut values = BTreeMap::new();
        let mut list_key: Option<String> = None;
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let (Some(key), Some(item)) = (&list_key, trimmed.strip_prefix("- ")) {
                let entry: &mut String = values.entry(key.clone()).or_default();
                if !entry.is_empty() {
                    entry.push_str(", ");
                }
                entry.push_str(unquote(item.trim()));
                continue;
            }
            if line.starts_with([' ', '\t']) {
                continue; // nested mapping: not kept
            }
            list_key = None;
            let Some((key, value)) = trimmed.split_once(':') else {
                continue;
            };
            let key = key.trim().to_lowercase();
            let value = value.trim();
            if value.is_empty() {
                list_key = Some(key);
                continue;
            }
            let value = match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                Some(inner) => inner
                    .split(',')
                    .map(|s| unquote(s.trim()))
                    .collect::<Vec<_>>()
                    .join(", "),
                None => unquote(value).to_string(),
            };
            values.insert(key, value);
        }
        FrontMatter { values }
    }

    /// TOML front matter through the toml crate; only scalars and arrays of scalars.
    pub(crate) fn parse_toml(text: &str) -> FrontMatter {
        let mut values = BTreeMap::new();
        if let Ok(table) = text.parse::<toml::Table>() {
            for (key, value) in table {
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Array(items) => items
                        .iter()
                        .filter_map(scalar)
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => match scalar(&other) {
                        Some(s) => s,
                        None => continue,
                    },
                };
                values.insert(key.to_lowercase(), text);
            }
        }
        FrontMatter { values }
    }
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    }
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_yaml_scalars_and_lists() {
        let fm = FrontMatter::parse_yaml("title: \"Back pain\"\ntopic: back pain\ntags: [a, 'b']\nauthors:\n  - Ann\n  - Bo\nnested:\n  x: 1\n");
        assert_eq!(fm.get("title"), Some("Back pain"));
        assert_eq!(fm.get("topic"), Some("back pain"));
        assert_eq!(fm.get("tags"), Some("a, b"));
        assert_eq!(fm.get("authors"), Some("Ann, Bo"));
        assert_eq!(fm.get("x"), None);
    }

    #[test]
    fn reads_toml() {
        let fm = FrontMatter::parse_toml("title = 'Neck pain'\ntags = ['neck', 'pain']\n");
        assert_eq!(fm.get("title"), Some("Neck pain"));
        assert_eq!(fm.get("tags"), Some("neck, pain"));
    }
}
