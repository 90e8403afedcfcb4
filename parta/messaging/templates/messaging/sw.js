// Parta's service worker: shows a Web Push notification and opens its link when it is clicked.
// The payload is {"id", "kind", "text", "link"} (parta/messaging/channels.py, push_payload).
self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { text: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification("Parta", {
      body: data.text || "",
      tag: data.id ? "parta-" + data.id : undefined,
      data: { link: data.link || "/notifications/" },
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var link = (event.notification.data && event.notification.data.link) || "/notifications/";
  event.waitUntil(self.clients.openWindow(link));
});
