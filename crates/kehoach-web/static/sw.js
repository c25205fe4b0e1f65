// kehoach service worker: keeps the turn-recording page and its assets for
// offline use. API calls always go to the network (the page queues them).
// Asset names carry a version (turns-4.js): bump CACHE whenever one changes.
const CACHE = 'kehoach-v7';
const ASSETS = ['/static/app-3.css', '/static/turns-4.js', '/static/htmx-2.0.11.min.js', '/static/icon.svg', '/manifest.webmanifest'];
const PAGES = ['/ghi-luot'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (PAGES.includes(url.pathname)) {
    // Network first; a page that loaded (not a redirect to login) is kept for offline.
    event.respondWith(
      fetch(req)
        .then((resp) => {
          if (resp.ok && !resp.redirected) {
            const copy = resp.clone();
            caches.open(CACHE).then((c) => c.put(url.pathname, copy));
          }
          return resp;
        })
        .catch(() => caches.match(url.pathname).then((r) => r || new Response('Ngoại tuyến: hãy mở trang này một lần khi có mạng.', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }))),
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((r) => r || fetch(req)));
  }
});
