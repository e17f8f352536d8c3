// Turns Web Push on for this browser when a `[data-push-enable]` button (Settings →
// Notifications) is clicked: asks permission, subscribes with the server's VAPID public key
// (the button's value), and stores the subscription through the API (session cookie).
(function () {
  function keyBytes(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
    const raw = atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function say(text) {
    const status = document.querySelector("[data-push-status]");
    if (status) status.textContent = text;
  }

  async function enable(button) {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      say("This browser cannot receive push notifications (on iPhone: add Agente to the home screen first).");
      return;
    }
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say("Notifications are blocked for this site; allow them in the browser's site settings.");
      return;
    }
    const registration = await navigator.serviceWorker.ready;
    const key = keyBytes(button.getAttribute("data-push-enable"));
    let subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      const current = subscription.options && subscription.options.applicationServerKey;
      const same = current && new Uint8Array(current).every((b, i) => b === key[i]);
      if (!same) {
        await subscription.unsubscribe();
        subscription = null;
      }
    }
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    }
    const label = navigator.userAgentData && navigator.userAgentData.platform
      ? `${navigator.userAgentData.platform} browser`
      : navigator.platform || "This device";
    const response = await fetch("/api/v1/notifications/push-subscriptions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ subscription: subscription.toJSON(), label }),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      say(problem.detail || `The server refused the subscription (${response.status}).`);
      return;
    }
    say("Push is on for this device.");
    window.location.reload();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-push-enable]");
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    enable(button)
      .catch((err) => say(`Push could not be turned on: ${err.message || err}`))
      .finally(() => {
        button.disabled = false;
      });
  });
})();
