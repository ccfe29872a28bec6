// Bawaba service worker. VERSION and PRECACHE are written above this line by the server
// (src/platform/pwa.rs) from the hashed file names of the current build.
//
// - Precaches the shell: the hashed bundle, fonts, icons, the manifest and the offline page.
// - Navigations always go to the network (pages can be personal, so they are never stored);
//   when the network fails, the offline page is shown instead. One exception: the roadside
//   verifier (public text and public keys, nothing personal) is kept, refreshed on every visit
//   online, and opens from the cache with no network.
// - Never touches server-function calls (/api/), POSTs or other origins.
const CACHE = "bawaba-shell-" + VERSION;
const OFFLINE_URL = "/offline.html";
const VERIFIER_URL = "/vignette/verify/offline";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith("bawaba-shell-") && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate" && url.pathname === VERIFIER_URL) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            event.waitUntil(caches.open(CACHE).then((cache) => cache.put(VERIFIER_URL, copy)));
          }
          return response;
        })
        .catch(() => caches.match(VERIFIER_URL).then((hit) => hit || caches.match(OFFLINE_URL))),
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
