// Keeps an assessment's pages (every recording page, its overview, the assessment list) and the
// files they load, so that a visit can go on, and a page be opened or reloaded, without a
// connection. Network first: when online, pages are always fresh, and the stored copy is renewed.
// offline.js stores every page of an assessment at once ("Make available offline"); a stored
// page's script puts what this device holds over it (device.js).
const CACHE = "qa-recording-pages";
const KEEP = [
  /^\/assessments$/,
  /^\/assessments\/\d+$/,
  /^\/assessments\/\d+\/record\/[A-Za-z0-9_-]+$/,
  /^\/assessments\/\d+\/photos\/\d+$/, // thumbnails of saved photos (photos.js)
  /^\/static\//,
  /^\/assets\//,
];

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
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
        }
        return response;
      })
      .catch(() =>
        caches.match(event.request, { ignoreVary: true, ignoreSearch: false }).then((kept) => kept || Response.error()),
      ),
  );
});
