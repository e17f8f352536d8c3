// Agente service worker.
//  - pages: network first; the last good copy (or the offline page) when the network fails
//  - /pkg/* (hashed build output) and icons: cache first, they never change under one name
//  - everything else (API, server functions, non-GET): straight to the network
// Logging out clears cached pages so the next person on this device sees nothing private.
// Webhook paths are a tenant's answers, not the app's: never served or kept from here (the
// list matches WEBHOOK_PREFIXES in server/src/webhook.rs).
const VERSION = "v2";
const WEBHOOK_PREFIXES = ["/webhook", "/webhook-test", "/webhook-waiting"];

function isWebhookPath(pathname) {
  return WEBHOOK_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(prefix + "/"));
}
const STATIC_CACHE = `agente-static-${VERSION}`;
const PAGES_CACHE = `agente-pages-${VERSION}`;
const PRECACHE = ["/offline.html", "/offline.css", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => ![STATIC_CACHE, PAGES_CACHE].includes(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirstPage(request) {
  const cache = await caches.open(PAGES_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      cache.put(request, response.clone());
    }
    return response;
  } catch (err) {
    return (await cache.match(request)) || (await caches.match("/offline.html"));
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    cache.put(request, response.clone());
  }
  return response;
}

async function logoutThenForget(request) {
  const response = await fetch(request);
  await caches.delete(PAGES_CACHE);
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isWebhookPath(url.pathname)) return;
  if (request.method === "POST" && (url.pathname === "/sfn/logout" || url.pathname === "/api/v1/auth/logout")) {
    event.respondWith(logoutThenForget(request));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/")) {
    event.respondWith(cacheFirst(request));
  }
});

// Web Push: the server sends {title, body, url, tag}, encrypted for this browser.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (err) {
    message = { body: event.data ? event.data.text() : "" };
  }
  const title = message.title || "Agente";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: message.body || "",
      tag: message.tag || undefined,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: message.url || "/" },
    }),
  );
});

// A tap on the notification opens (or focuses) the page it points to, on this origin only.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target = new URL("/", self.location.origin);
  try {
    const wanted = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
    if (wanted.origin === self.location.origin) target = wanted;
  } catch (err) {
    // keep the home page
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target.href && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
