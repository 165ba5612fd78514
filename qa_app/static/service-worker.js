// Keeps the recording pages (and the files they need) so that a visit can go on, and a page be
// reloaded, without a connection. Network first: when online, pages are always fresh.
const CACHE = "qa-recording-pages";
const KEEP = [/^\/assessments\/\d+\/record\/[A-Z0-9]+$/, /^\/static\//, /^\/assets\//];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!KEEP.some((pattern) => pattern.test(url.pathname))) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        // Only the page itself: never a sign-in page it was redirected to (an ended session).
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request).then((kept) => kept || Response.error())),
  );
});
