//! The service worker, served at `/sw.js` with the list of files of the current build to
//! precache. Its version changes with the build's hashes, so a new release replaces the old
//! cache, while an unchanged build keeps it.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use leptos::prelude::LeptosOptions;

const SW_BODY: &str = include_str!("sw.js");

/// Files of the shell that the offline experience needs, and a version naming this build.
#[derive(Debug, PartialEq, Eq)]
pub struct ShellAssets {
    pub version: String,
    pub files: Vec<String>,
}

/// Reads the hashes cargo-leptos wrote next to the binary (`js: …`, `wasm: …`, `css: …`, and
/// with `--split` the `manifest: …` of the islands' chunks and the `split: …` loader).
pub fn shell_assets(options: &LeptosOptions) -> ShellAssets {
    let hashes = options
        .hash_files
        .then(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|d| d.join(options.hash_file.as_ref())))
                .and_then(|p| std::fs::read_to_string(p).ok())
        })
        .flatten()
        .unwrap_or_default();
    let manifest_name = match hash_of(&hashes, "manifest") {
        Some(h) => format!("__wasm_split_manifest.{h}.json"),
        None => "__wasm_split_manifest.json".to_string(),
    };
    let manifest = std::path::Path::new(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .join(manifest_name);
    let manifest = std::fs::read_to_string(manifest).unwrap_or_default();
    assets_from_hashes(
        &options.output_name,
        &options.site_pkg_dir,
        &hashes,
        &manifest,
    )
}

fn hash_of(hashes: &str, kind: &str) -> Option<String> {
    hashes.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == kind).then(|| v.trim().to_string())
    })
}

/// The files to precache, from the hash file and the split manifest (island → the chunks it
/// needs, names without `.wasm`). Every chunk is precached, not just the verifier's: an
/// island whose chunk is missing offline would leave its page inert.
pub fn assets_from_hashes(
    output_name: &str,
    pkg: &str,
    hashes: &str,
    manifest: &str,
) -> ShellAssets {
    let hash_of = |kind: &str| hash_of(hashes, kind);
    let named = |kind: &str, plain: &str, ext: &str| match hash_of(kind) {
        Some(h) => format!("/{pkg}/{output_name}.{h}.{ext}"),
        None => format!("/{pkg}/{plain}.{ext}"),
    };
    let mut files = vec![
        "/offline.html".to_string(),
        "/static.css".to_string(),
        "/manifest.webmanifest".to_string(),
        "/icons/icon.svg".to_string(),
        "/icons/icon-192.png".to_string(),
        named("css", output_name, "css"),
        named("js", output_name, "js"),
        named("wasm", &format!("{output_name}_bg"), "wasm"),
    ];
    let chunks: std::collections::HashMap<String, Vec<String>> =
        serde_json::from_str(manifest).unwrap_or_default();
    if !chunks.is_empty() {
        // The loader is named after its own hash, not the output name's.
        files.push(match hash_of("split") {
            Some(h) => format!("/{pkg}/__wasm_split.{h}.js"),
            None => format!("/{pkg}/__wasm_split.______________________.js"),
        });
        let mut names: Vec<&String> = chunks.values().flatten().collect();
        names.sort();
        names.dedup();
        files.extend(names.into_iter().map(|n| format!("/{pkg}/{n}.wasm")));
    }
    let version = match (hash_of("js"), hash_of("wasm"), hash_of("css")) {
        (Some(js), Some(wasm), Some(css)) => format!("{js}-{wasm}-{css}"),
        // Unhashed development build: a new version per server start keeps the cache fresh.
        _ => format!("dev-{}", std::process::id()),
    };
    ShellAssets { version, files }
}

/// `/favicon.ico`: browsers ask for it on pages that name no icon (the sandbox gateway's, the
/// plain error pages): the portal's icon, rather than a 404 in the console.
pub async fn favicon() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        http::StatusCode::MOVED_PERMANENTLY,
        [(http::header::LOCATION, "/icons/icon-192.png")],
    )
        .into_response()
}

/// `/sw.js`: the worker with this build's files and `offline_pages`, the pages a feature makes
/// usable with no network from the first visit to any page (the roadside verifier).
pub async fn service_worker(options: LeptosOptions, offline_pages: &[&str]) -> Response {
    let assets = shell_assets(&options);
    let files = assets
        .files
        .iter()
        .map(String::as_str)
        .chain(offline_pages.iter().copied())
        .map(|f| format!("{f:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let body = format!(
        "const VERSION = {:?};\nconst PRECACHE = [{files}];\n{SW_BODY}",
        assets.version
    );
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_build_precaches_hashed_names_and_versions_by_hash() {
        let a = assets_from_hashes("bawaba", "pkg", "js: aaa\nwasm: bbb\ncss: ccc\n", "");
        assert!(a.files.contains(&"/pkg/bawaba.aaa.js".to_string()));
        assert!(a.files.contains(&"/pkg/bawaba.bbb.wasm".to_string()));
        assert!(a.files.contains(&"/pkg/bawaba.ccc.css".to_string()));
        assert!(a.files.contains(&"/offline.html".to_string()));
        assert_eq!(a.version, "aaa-bbb-ccc");
    }

    #[test]
    fn split_build_precaches_the_loader_and_every_chunk_once() {
        let manifest = r#"{"calc_loader_1": ["chunk_6.h6", "split_calc_loader_1.hc"],
                           "verifier_loader_2": ["chunk_6.h6", "split_verifier_loader_2.hv"]}"#;
        let a = assets_from_hashes(
            "bawaba",
            "pkg",
            "js: aaa\nwasm: bbb\ncss: ccc\nmanifest: mmm\nsplit: sss\n",
            manifest,
        );
        assert!(a.files.contains(&"/pkg/__wasm_split.sss.js".to_string()));
        for chunk in [
            "chunk_6.h6",
            "split_calc_loader_1.hc",
            "split_verifier_loader_2.hv",
        ] {
            let path = format!("/pkg/{chunk}.wasm");
            assert_eq!(a.files.iter().filter(|f| **f == path).count(), 1, "{path}");
        }
    }

    #[test]
    fn personal_pages_and_server_functions_are_never_precached() {
        let a = assets_from_hashes("bawaba", "pkg", "", "");
        assert!(a.files.iter().all(|f| !f.starts_with("/api/") && f != "/"));
    }
}
