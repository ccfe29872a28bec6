//! The browser's code only where a page runs some. Leptos' hydration scripts (the module that
//! loads the WebAssembly, its preloads) go into a page's `<head>` only when an island was
//! rendered on it: each island asks for them with `needed()`, its first line. A page without
//! one (the home page, start and information pages, the public check) loads no WebAssembly
//! and no Leptos JavaScript, and a page read without JavaScript preloads nothing it never runs
//! (issue 19). They are placed through leptos_meta, which writes the head after the page's
//! body has been rendered (every route that shows an island renders in `SsrMode::Async`).
//!
//! `ui::layout::Hydrated` is not counted: it only tells when the islands above it are live.

/// First line of every island (but `Hydrated`): this page runs WebAssembly.
pub fn needed() {
    #[cfg(feature = "ssr")]
    server::needed();
}

#[cfg(feature = "ssr")]
pub use server::prepare;

#[cfg(feature = "ssr")]
mod server {
    use leptos::prelude::*;
    use leptos_meta::{Link, Script};
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };

    /// What Leptos would have put in the head, taken apart, and whether it was asked for yet.
    #[derive(Clone)]
    struct Scripts {
        module: String,
        wasm: String,
        crossorigin: String,
        script: String,
        placed: Arc<AtomicBool>,
    }

    /// In the shell, where `<HydrationScripts>` used to be: renders it (which also gives the
    /// page the split manifest that lazy islands' chunk preloads come from, and turns off
    /// hydration markers outside islands) and keeps its parts for `needed` instead of writing
    /// them.
    pub fn prepare(options: LeptosOptions) {
        let html = view! { <HydrationScripts options islands=true /> }.to_html();
        let attr = |tag: &str, name: &str| -> String {
            let Some(at) = html.find(tag) else {
                return String::new();
            };
            let rest = &html[at..];
            let end = rest.find('>').unwrap_or(rest.len());
            let key = format!(" {name}=\"");
            rest[..end]
                .find(&key)
                .map(|i| {
                    let v = &rest[i + key.len()..end];
                    v[..v.find('"').unwrap_or(v.len())].to_string()
                })
                .unwrap_or_default()
        };
        let script = html
            .find("<script")
            .and_then(|s| {
                let open = s + html[s..].find('>')? + 1;
                let close = open + html[open..].find("</script>")?;
                Some(html[open..close].to_string())
            })
            .unwrap_or_default();
        provide_context(Scripts {
            module: attr("<link rel=\"modulepreload\"", "href"),
            wasm: attr("<link rel=\"preload\"", "href"),
            crossorigin: attr("<link rel=\"preload\"", "crossorigin"),
            script,
            placed: Arc::new(AtomicBool::new(false)),
        });
    }

    pub fn needed() {
        let Some(s) = use_context::<Scripts>() else {
            return;
        };
        if s.placed.swap(true, Ordering::Relaxed) || s.script.is_empty() {
            return;
        }
        // `to_html` on a leptos_meta element registers it for the head and returns nothing.
        let _ = view! {
            <Link rel="modulepreload" href=s.module crossorigin=s.crossorigin.clone() />
            <Link rel="preload" href=s.wasm as_="fetch" type_="application/wasm" crossorigin=s.crossorigin />
            <Script type_="module">{s.script}</Script>
        }
        .to_html();
    }
}
