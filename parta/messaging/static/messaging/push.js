// "Turn on push on this device" on the notification settings page: registers the service worker
// (/sw.js), subscribes with the server's VAPID key and posts the subscription to the API; then
// reloads so that the device list shows it. A browser without the Push API keeps the explanation
// the page already shows, and the button stays hidden.
(function () {
  "use strict";
  var box = document.querySelector(".push-subscribe");
  if (!box) return;
  var button = document.getElementById("push-subscribe");
  var status = document.getElementById("push-status");
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window) || !window.isSecureContext) {
    return;
  }
  button.hidden = false;
  status.textContent = "";

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = box.dataset.msgWorking;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw new Error("denied");
        return navigator.serviceWorker.register(box.dataset.worker, { scope: "/" });
      })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(box.dataset.key),
          });
        });
      })
      .then(function (subscription) {
        return fetch(box.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(subscription.toJSON()),
        });
      })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        window.location.reload();
      })
      .catch(function (error) {
        button.disabled = false;
        status.textContent = error && error.message === "denied" ? box.dataset.msgDenied : box.dataset.msgFailed;
      });
  });
})();
