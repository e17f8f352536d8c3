// Registers the service worker. Loaded by every page; kept outside the WASM bundle so the
// worker is installed even before hydration finishes.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((err) => {
      console.warn("service worker registration failed", err);
    });
  });
}
