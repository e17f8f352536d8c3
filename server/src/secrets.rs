//! Secrets generated once in embedded mode and kept in the data directory (mode 0600).

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Reads `<data_dir>/secrets/<name>`, creating it with `generate()` the first time.
pub fn load_or_create(
    data_dir: &Path,
    name: &str,
    generate: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    let dir = data_dir.join("secrets");
    let path = dir.join(name);
    if let Ok(existing) = std::fs::read_to_string(&path)
        && !existing.trim().is_empty()
    {
        return Ok(existing.trim().to_string());
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Written whole to a file of our own, then linked into place: a process starting at the
    // same moment sees no file or the whole secret, never a half-written one.
    let value = generate();
    static DRAFTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = DRAFTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let draft = dir.join(format!(".{name}.{}.{n}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&draft)
        .and_then(|mut file| {
            file.write_all(value.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .with_context(|| format!("cannot write {}", draft.display()));
    let linked =
        written.and_then(|()| std::fs::hard_link(&draft, &path).map_err(anyhow::Error::from));
    let _ = std::fs::remove_file(&draft);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated a new secret");
            Ok(value)
        }
        // Another process created it first: use theirs.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::AlreadyExists) =>
        {
            Ok(std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .trim()
                .to_string())
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_starting_together_agree_on_one_whole_secret() {
        let dir = std::env::temp_dir().join(format!("agente-secrets-{}", uuid::Uuid::new_v4()));
        let seen: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let dir = dir.clone();
                    s.spawn(move || load_or_create(&dir, "k", || format!("secret-{i}")).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(
            seen.iter()
                .all(|v| v == &seen[0] && v.starts_with("secret-")),
            "{seen:?}"
        );
    }

    #[test]
    fn generates_once_then_reuses() {
        let dir = std::env::temp_dir().join(format!("agente-secrets-{}", uuid::Uuid::new_v4()));
        let first = load_or_create(&dir, "k", || "one".into()).unwrap();
        let second = load_or_create(&dir, "k", || "two".into()).unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("one", "one"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secrets/k"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
