/*
 * Service worker of the grid worker app (网格通·网格员), registered with scope /w/.
 * It keeps the app shell (worker.html and the hashed /assets/ it references, the manifest and icons)
 * so /w/ opens with no network. It never caches /api/: the app keeps its own masked copy of the task
 * list and its outbox in IndexedDB. A script at the site root may take any scope below it, so no
 * Service-Worker-Allowed header is needed. Bump CACHE when the manifest or the icons change (they are
 * served cache-first; the build's hashed assets renew themselves with each new worker.html).
 */
const CACHE = 'cg-worker-shell-v1';
const SHELL = '/w/';
const STATIC = ['/worker.webmanifest', '/worker-icon.svg', '/worker-icon-192.png', '/worker-icon-512.png', '/worker-icon-maskable-512.png'];
/** A phone on a bad network should not stare at a blank page: fall back to the shell after this long. */
const NAVIGATION_TIMEOUT_MS = 4000;

/** Stores a fresh worker.html and the assets it names; drops assets of older builds. */
async function storeShell(cache, response) {
  const html = await response.clone().text();
  const assets = [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]))];
  const missing = [];
  for (const asset of assets) if (!(await cache.match(asset))) missing.push(asset);
  // Assets first: a shell whose scripts are missing would open to a blank page offline.
  await cache.addAll(missing);
  await cache.put(SHELL, response);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/assets/') && !assets.includes(path)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const response = await fetch(SHELL, { cache: 'no-store', credentials: 'same-origin' });
      if (!response.ok) throw new Error(`shell answered ${response.status}`);
      await storeShell(cache, response);
      await cache.addAll(STATIC).catch(() => {});
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('cg-worker-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Pages under /w/: the network first (a new build shows at once), the stored shell when offline. */
async function navigate(event) {
  const cache = await caches.open(CACHE);
  const network = fetch(event.request);
  try {
    const response = await withTimeout(network, NAVIGATION_TIMEOUT_MS);
    if (response.ok && (response.headers.get('content-type') || '').includes('text/html')) {
      event.waitUntil(storeShell(cache, response.clone()).catch(() => {}));
    }
    return response;
  } catch {
    const cached = await cache.match(SHELL);
    if (cached) return cached;
    return network;
  }
}

/** Hashed assets never change: the cache first, then the network (kept for next time). */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    if (url.pathname === '/w' || url.pathname.startsWith('/w/')) event.respondWith(navigate(event));
    return;
  }
  if (url.pathname.startsWith('/assets/') || STATIC.includes(url.pathname)) event.respondWith(cacheFirst(request));
});
