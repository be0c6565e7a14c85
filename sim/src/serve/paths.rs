//! Turning a path taken from a URL into a file or folder of the store, never outside it.
//!
//! The URL's path is percent-decoded exactly once, then every component must be a plain
//! name: no empty component, no `.` or `..`, no name starting with `.`, no backslash, colon
//! or NUL, no absolute path. The result is joined to the canonical store, canonicalised
//! (which resolves symlinks) and must still lie inside the store; anything else is "not
//! found", so a request learns nothing about what lies outside.

use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// A results store: the folder whose runs are served.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

/// Characters left as they are in a URL path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'+');

impl Store {
    /// The store at `dir`, which must exist and be a folder.
    pub fn open(dir: &Path) -> Result<Store, String> {
        let root = dir
            .canonicalize()
            .map_err(|e| format!("store {}: {e}", dir.display()))?;
        if !root.is_dir() {
            return Err(format!("store {}: not a folder", dir.display()));
        }
        Ok(Store { root })
    }

    /// The store's canonical path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The canonical path inside the store named by `raw`, a URL path relative to the store
    /// (still percent-encoded), or `None` if it is malformed, missing or outside the store.
    pub fn resolve_url(&self, raw: &str) -> Option<PathBuf> {
        let decoded = percent_decode_str(raw).decode_utf8().ok()?;
        self.resolve(&decoded)
    }

    /// The canonical path inside the store named by `rel`, an already decoded path relative to
    /// the store, or `None` (see the module's rules).
    pub fn resolve(&self, rel: &str) -> Option<PathBuf> {
        let rel = rel.strip_suffix('/').unwrap_or(rel);
        let mut path = self.root.clone();
        for part in components(rel)? {
            path.push(part);
        }
        let canonical = path.canonicalize().ok()?;
        canonical.starts_with(&self.root).then_some(canonical)
    }

    /// The path of `path` (inside the store) relative to the store, with `/` separators, as
    /// used in URLs (not yet encoded); `None` if it is not inside the store.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        Some(parts?.join("/"))
    }
}

/// The components of a relative path if each is a plain name; `None` otherwise.
fn components(rel: &str) -> Option<Vec<&str>> {
    if rel.is_empty() {
        return None;
    }
    rel.split('/')
        .map(|part| plain_name(part).then_some(part))
        .collect()
}

/// Whether `part` names an entry of a folder and nothing else.
fn plain_name(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with('.')
        && !part.contains(['\\', ':', '\0'])
        && !Path::new(part).is_absolute()
}

/// `rel` (components separated by `/`) percent-encoded for a URL path.
pub fn encode_path(rel: &str) -> String {
    rel.split('/')
        .map(|part| utf8_percent_encode(part, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// `value` encoded for a query string.
pub fn encode_query(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store with one run folder, and a secret file beside the store.
    fn fixture() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let store = tmp.path().join("store");
        std::fs::create_dir_all(store.join("echo/20250101-000000-seed1")).expect("mkdir");
        std::fs::write(store.join("echo/20250101-000000-seed1/results.json"), "{}").expect("w");
        std::fs::write(tmp.path().join("secret.txt"), "secret").expect("write");
        let s = Store::open(&store).expect("store");
        (tmp, s)
    }

    #[test]
    fn plain_paths_resolve_inside_the_store() {
        let (_tmp, s) = fixture();
        let run = s
            .resolve_url("echo/20250101-000000-seed1/")
            .expect("run folder");
        assert!(run.is_dir());
        let file = s.resolve_url("echo/20250101-000000-seed1/results.json");
        assert!(file.expect("file").is_file());
        assert_eq!(
            s.relative(&run).as_deref(),
            Some("echo/20250101-000000-seed1")
        );
        let encoded = s.resolve_url("echo/20250101%2D000000-seed1/results%2Ejson");
        assert!(encoded.is_some(), "plain names may be percent-encoded");
    }

    #[test]
    fn traversal_attempts_are_refused() {
        let (_tmp, s) = fixture();
        for raw in [
            "../secret.txt",
            "../../etc/passwd",
            "echo/../../secret.txt",
            "echo/./20250101-000000-seed1",
            "%2e%2e/secret.txt",
            "%2E%2E%2Fsecret.txt",
            "echo%2f..%2f..%2fsecret.txt",
            "%252e%252e%252fsecret.txt",
            "..%5csecret.txt",
            "..\\secret.txt",
            "echo\\..\\..\\secret.txt",
            "/etc/passwd",
            "%2fetc%2fpasswd",
            "//etc/passwd",
            "C:/Windows/win.ini",
            "C:%5cWindows",
            "echo//20250101-000000-seed1",
            ".hidden",
            "echo/20250101-000000-seed1/results.json%00.svg",
            "%ff%fe",
            "",
            "/",
        ] {
            assert_eq!(s.resolve_url(raw), None, "{raw:?} must not resolve");
        }
    }

    #[test]
    fn missing_entries_are_not_found() {
        let (_tmp, s) = fixture();
        assert_eq!(s.resolve_url("echo/20991231-000000-seed9"), None);
        assert_eq!(s.resolve_url("nothing"), None);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_resolve_only_inside_the_store() {
        let (tmp, s) = fixture();
        let root = s.root().to_path_buf();
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("out-file"))
            .expect("symlink");
        std::os::unix::fs::symlink(tmp.path(), root.join("out-dir")).expect("symlink");
        std::os::unix::fs::symlink("echo/20250101-000000-seed1", root.join("latest"))
            .expect("symlink");
        assert_eq!(s.resolve_url("out-file"), None);
        assert_eq!(s.resolve_url("out-dir/secret.txt"), None);
        assert_eq!(s.resolve_url("out-dir"), None);
        let latest = s.resolve_url("latest/results.json").expect("inside");
        assert!(latest.starts_with(&root));
    }

    #[test]
    fn encoding_round_trips_through_resolution() {
        let (_tmp, s) = fixture();
        std::fs::create_dir(s.root().join("a b#?%")).expect("mkdir");
        let url = encode_path("a b#?%");
        assert_eq!(url, "a%20b%23%3F%25");
        assert!(s.resolve_url(&url).is_some());
        assert_eq!(encode_query("echo/x y"), "echo%2Fx+y");
    }
}
