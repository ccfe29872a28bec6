//! The browser's code only where a page runs some. Leptos' hydration scripts (the module that
//! loads the WebAssembly, its preloads) go into a page's `<head>` only when an island was
//! rendered on it: each island asks for them with `needed()`, its first line. A page without
//! one (the home page, start and information pages, the public check) loads no WebAssembly
//! and no Leptos JavaScript, and a page read without JavaScript preloads nothing it never runs
//! (issue 19). They are placed through leptos_meta, which writes the head after the page's
//! body has been rendered (every route that shows an island renders in `SsrMode::Async`).
//!
//! Each lazy island's WebAssembly chunks are preloaded too (issue 23). Leptos' script hydrates
//! islands one after another, and a lazy island fetches its chunks only when its turn comes,
//! so a page with several islands fetched them as a waterfall (the calculator: 16 fetches in a
//! row). Now every file the page's islands need (Leptos' module, its WebAssembly, each chunk
//! and the split loader) is listed in a JSON data block in the head, and the hydration script
//! adds a `<link rel="preload">` for each when the browser is first idle, just before Leptos
//! starts loading the module: they all download at once, and the loader's `fetch` takes them
//! from the preload cache. Not in the head as links, because there they started before the
//! first paint and competed with the stylesheet and the text: Lighthouse's LCP on the
//! calculator went from 0.9 s to 2.3-2.5 s with them (1.4-2.6 s at `fetchpriority="low"`).
//! A page read without JavaScript fetches none of them.
//!
//! `ui::layout::Hydrated` is not counted: it only tells when the islands above it are live.

/// First line of every lazy island: this page runs WebAssembly, and this island's chunks. `island` is the island function's name as written (`"FeeCalculatorIsland"`): the
/// split manifest names its loader after it (`fee_calculator_island_loader_<hash>`).
pub fn needed(island: &'static str) {
    #[cfg(feature = "ssr")]
    server::needed(island);
    #[cfg(not(feature = "ssr"))]
    let _ = island;
}

/// First line of an island that is not lazy (its code is in the main module): this page runs
/// WebAssembly.
pub fn needed_eager() {
    #[cfg(feature = "ssr")]
    server::scripts();
}

#[cfg(feature = "ssr")]
pub use server::prepare;

#[cfg(feature = "ssr")]
mod server {
    use leptos::prelude::*;
    use leptos_meta::Script;
    use std::collections::BTreeSet;
    use std::sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    };

    /// What Leptos would have put in the head, taken apart (its module and WebAssembly, to
    /// preload at idle, and its script), and whether it was asked for yet.
    #[derive(Clone)]
    pub struct Scripts {
        module: String,
        wasm: String,
        script: String,
        placed: Arc<AtomicBool>,
        /// Chunks already listed on this page (two islands may share one).
        chunks: Arc<Mutex<BTreeSet<String>>>,
        /// Data blocks written so far (their ids are numbered).
        lists: Arc<AtomicUsize>,
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
            script: one_task_per_island(script),
            placed: Arc::new(AtomicBool::new(false)),
            chunks: Arc::default(),
            lists: Arc::default(),
        });
    }

    pub fn needed(island: &'static str) {
        if let Some(s) = scripts() {
            preload_chunks(&s, island);
        }
    }

    /// Places the hydration scripts once per page; `None` where there are none (no shell).
    pub fn scripts() -> Option<Scripts> {
        let s = use_context::<Scripts>()?;
        if s.script.is_empty() {
            return None;
        }
        if !s.placed.swap(true, Ordering::Relaxed) {
            // `to_html` on a leptos_meta element registers it for the head and returns nothing.
            let files = vec![(s.module.clone(), true), (s.wasm.clone(), false)];
            let script = format!("{PRELOAD_AT_IDLE}{}", s.script);
            list(&s, files);
            let _ = view! { <Script type_="module">{script}</Script> }.to_html();
        }
        Some(s)
    }

    /// Runs first in the hydration module: when the browser is first idle (where Leptos' own
    /// script then starts loading its module), a preload for every file listed in the page's
    /// `bawaba-preload-*` data blocks. `as="fetch"` and `crossorigin` match the loaders'
    /// `fetch`, so each file is downloaded once.
    ///
    /// Each link starts a request there and then, about 1 ms of main thread apiece on a fast
    /// machine: the calculator's 28 in one go were a 30 ms task, 120-230 ms of blocking under
    /// Lighthouse's 4× slowdown. So they go in a few at a time: at least two (the first two
    /// are Leptos' module and WebAssembly, needed first), then more while 3 ms have not
    /// passed and the idle period lasts, the rest in the next idle periods. Not for the whole
    /// idle period: it lasts up to 50 ms, and a callback that filled it (47 ms seen in a
    /// trace) is a long task like any other (4 × 3 ms stays under Lighthouse's 50). What is
    /// still queued when the first island's turn comes goes in then (`bawabaPreloadRest`, called
    /// by `one_task_per_island`'s line): a preload added after the loader's own `fetch` of the
    /// same file is a second download (CI's end-to-end build caught one). An idle callback
    /// that comes after that finds the queue empty and does nothing.
    pub(super) const PRELOAD_AT_IDLE: &str = "{const q=[];\
        for(const b of document.querySelectorAll('script[id^=\"bawaba-preload-\"]'))q.push(...JSON.parse(b.textContent));\
        const one=([h,m])=>{const l=document.createElement('link');\
        l.rel=m?'modulepreload':'preload';if(!m){l.as='fetch';l.type='application/wasm'}\
        l.crossOrigin='anonymous';l.href=h;document.head.append(l)};\
        const p=d=>{if(!q.length)return;const t=performance.now();let n=0;do{one(q.shift());n++}\
        while(q.length&&(n<2||(performance.now()-t<3&&d.timeRemaining()>1)));\
        if(q.length)requestIdleCallback(p)};\
        self.bawabaPreloadRest=()=>{while(q.length)one(q.shift())};\
        if(q.length){'requestIdleCallback'in window?requestIdleCallback(p):q.forEach(one)}}\n";

    /// Leptos' script hydrates the islands one after another, each awaited, in promise
    /// continuations: Leptos' own `hydrate`, the eager islands and a lazy island's last chunk
    /// coming in all ran in the same task as the hydration that followed, which Lighthouse
    /// counts as one long task (its blocking time is what a task lasts over 50 ms, at 4×).
    /// Here the script gives the browser its turn before each island (`scheduler.yield`
    /// where there is one, else a zero timeout), so each is its own task and a tap or a paint
    /// can come between. The order, and `<html data-hydrated>` last, are unchanged. Before
    /// that, the preloads still queued are added (see `PRELOAD_AT_IDLE`), so that an island's
    /// loader finds each of its chunks already requested.
    ///
    /// A Leptos whose script no longer has this line gets it unchanged, with a warning (and
    /// the unit test below fails on upgrade).
    pub(super) fn one_task_per_island(script: String) -> String {
        if !script.contains(HYDRATE_ISLAND) {
            if !script.is_empty() {
                tracing::warn!(
                    "Leptos' hydration script changed: islands hydrate without yielding"
                );
            }
            return script;
        }
        script.replacen(
            HYDRATE_ISLAND,
            &format!("self.bawabaPreloadRest?.(); await (self.scheduler?.yield ? scheduler.yield() : new Promise(r => setTimeout(r))); {HYDRATE_ISLAND}"),
            1,
        )
    }

    pub(super) const HYDRATE_ISLAND: &str = "await hydrateIsland(node, id, mod);";

    /// A JSON data block in the head listing files to preload (`[href, is_module]`): inert
    /// until the hydration script reads it, so nothing is fetched before the first paint or
    /// without JavaScript.
    fn list(s: &Scripts, files: Vec<(String, bool)>) {
        if files.is_empty() {
            return;
        }
        let id = format!("bawaba-preload-{}", s.lists.fetch_add(1, Ordering::Relaxed));
        let json = serde_json::to_string(&files).unwrap_or_default();
        let _ = view! { <Script id type_="application/json">{json}</Script> }.to_html();
    }

    /// The island's chunks from the split manifest (only a `--split` build has one), and the
    /// split loader's script, each once per page.
    fn preload_chunks(s: &Scripts, island: &str) {
        let Some(manifest) = use_context::<leptos::WasmSplitManifest>() else {
            return;
        };
        let Some((pkg, chunks, loader)) = manifest
            .0
            .try_read_value()
            .map(|m| (m.0.clone(), chunks_of(&m.1, island), m.2.clone()))
        else {
            return;
        };
        if chunks.is_empty() {
            // Every lazy island has a chunk in a split build: the name passed is wrong.
            tracing::warn!(
                island,
                "no WebAssembly chunk in the split manifest for this island"
            );
        }
        let mut placed = s.chunks.lock().unwrap_or_else(|e| e.into_inner());
        let mut files = Vec::new();
        if !chunks.is_empty() && placed.insert(loader.clone()) {
            files.push((format!("{pkg}/{loader}"), true));
        }
        for chunk in chunks {
            if placed.insert(chunk.clone()) {
                files.push((format!("{pkg}/{chunk}.wasm"), false));
            }
        }
        drop(placed);
        list(s, files);
    }

    /// The chunks the manifest lists for an island's loader: its key is the loader's name in
    /// snake case followed by a hash (`fee_calculator_island_loader_1234`).
    pub(super) fn chunks_of(
        manifest: &std::collections::HashMap<String, Vec<String>>,
        island: &str,
    ) -> Vec<String> {
        let prefix = format!("{}_loader_", snake(island));
        let mut keys: Vec<&String> = manifest.keys().filter(|k| k.starts_with(&prefix)).collect();
        keys.sort();
        keys.into_iter()
            .flat_map(|k| manifest[k].iter().cloned())
            .collect()
    }

    fn snake(name: &str) -> String {
        let mut out = String::with_capacity(name.len() + 4);
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::collections::HashMap;

    /// The script Leptos renders still has the line the browser is given its turn before.
    #[test]
    fn each_island_hydrates_in_its_own_task() {
        use leptos::prelude::*;
        let owner = Owner::new();
        owner.set();
        let options = LeptosOptions::builder().output_name("bawaba").build();
        let html = view! { <HydrationScripts options islands=true /> }.to_html();
        assert!(html.contains(super::server::HYDRATE_ISLAND), "{html}");
        let script = super::server::one_task_per_island(html);
        assert_eq!(script.matches("scheduler.yield()").count(), 1);
        // The preloads still queued go in before the island's loader fetches its chunks.
        assert!(script.find("bawabaPreloadRest") < script.find("scheduler.yield()"));
        assert!(super::server::PRELOAD_AT_IDLE.contains("self.bawabaPreloadRest="));
        // An idle callback left after the rest went in must not take from an empty queue.
        assert!(super::server::PRELOAD_AT_IDLE.contains("const p=d=>{if(!q.length)return;"));
        let yielded = script.find("scheduler.yield()").unwrap_or(usize::MAX);
        let hydrated = script.find(super::server::HYDRATE_ISLAND).unwrap_or(0);
        assert!(
            yielded < hydrated,
            "the turn is given before the island: {script}"
        );
        // Anything else is passed through untouched.
        assert_eq!(super::server::one_task_per_island("x".into()), "x");
    }

    #[test]
    fn an_islands_chunks_are_found_by_its_loaders_name() {
        let manifest: HashMap<String, Vec<String>> = HashMap::from([
            (
                "fee_calculator_island_loader_99".into(),
                vec!["chunk_1".into(), "split_7".into()],
            ),
            (
                "steps_loader_12".into(),
                vec!["chunk_1".into(), "split_3".into()],
            ),
            (
                "session_timer_island_loader_5".into(),
                vec!["split_4".into()],
            ),
        ]);
        assert_eq!(
            super::server::chunks_of(&manifest, "FeeCalculatorIsland"),
            ["chunk_1", "split_7"]
        );
        assert_eq!(
            super::server::chunks_of(&manifest, "Steps"),
            ["chunk_1", "split_3"]
        );
        // A prefix of another island's name is not that island.
        assert!(super::server::chunks_of(&manifest, "SessionTimer").is_empty());
        assert!(super::server::chunks_of(&manifest, "Keeper").is_empty());
    }
}
