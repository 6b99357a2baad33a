//! The app's boundary holds: no `pub` signature or field of this crate names a storage
//! type, so a column rename cannot change what templates and the JSON API see
//! (docs/ARCHITECTURE.md, "Invariants"). Read from the sources, so a new capability that
//! hands out a row fails here, not in review.

use std::path::Path;

/// Storage types as they are spelled in this crate's code.
fn names_storage(text: &str) -> bool {
    if text.contains("gongkai_store::") || text.contains("StoreHandle") {
        return true;
    }
    let words = text.split(|c: char| !(c.is_alphanumeric() || c == '_'));
    words.clone().any(|w| w == "Store" || w == "DbErr" || w == "StoreError")
        || ["::Model", "::Entity", "::ActiveModel", "::Column"].iter().any(|t| text.contains(t))
}

/// Every `pub fn`/`pub async fn` signature (up to its body) and every `pub` field or
/// re-export, with the file it is in.
fn public_items(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            public_items(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("boundary.rs") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        // Unit tests at the bottom of a file are not the boundary.
        let src = src.split("#[cfg(test)]").next().unwrap_or("");
        let name = path.display().to_string();
        let lines: Vec<&str> = src.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let t = lines[i].trim_start();
            if t.starts_with("pub fn ") || t.starts_with("pub async fn ") {
                let mut sig = String::new();
                while i < lines.len() {
                    sig.push_str(lines[i]);
                    sig.push(' ');
                    if lines[i].contains('{') || lines[i].trim_end().ends_with(';') {
                        break;
                    }
                    i += 1;
                }
                let sig = sig.split('{').next().unwrap_or("").to_string();
                out.push((name.clone(), sig));
            } else if t.starts_with("pub use ")
                || (t.starts_with("pub ")
                    && t.split_once(':')
                        .is_some_and(|(head, _)| !head.contains(' ') || head.split_whitespace().count() == 2))
            {
                out.push((name.clone(), t.to_string()));
            }
            i += 1;
        }
    }
}

#[test]
fn no_public_signature_or_field_names_a_storage_type() {
    let mut items = Vec::new();
    public_items(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut items);
    assert!(items.len() > 100, "the scan found only {} public items: is it reading the sources?", items.len());
    // The composition root hands the store in; integration tests reach its connection.
    let allowed = ["pub fn new(store: Store", "pub fn store(&self) -> &Store"];
    let leaks: Vec<String> = items
        .iter()
        .filter(|(_, text)| names_storage(text) && !allowed.iter().any(|a| text.contains(a)))
        .map(|(file, text)| format!("{file}: {}", text.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    assert!(leaks.is_empty(), "storage types in the app's public surface:\n{}", leaks.join("\n"));
}

#[test]
fn the_scan_sees_a_leak() {
    assert!(names_storage("pub async fn orgs(&self) -> Result<Vec<org::Model>>"));
    assert!(names_storage("pub use gongkai_store::org::Model as Org;"));
    assert!(names_storage("pub fn store(&self) -> &Store {"));
    assert!(!names_storage("pub async fn orgs(&self) -> Result<Vec<Org>>"));
    assert!(!names_storage("pub fn store_name(&self) -> &StoreName"));
}
