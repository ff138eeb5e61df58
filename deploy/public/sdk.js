/*
 * trackgen direct-linking SDK. Put it on a landing page that partners link to directly:
 *
 *   <script src="https://TRACKGEN_HOST/sdk.js" async></script>
 *
 * When the page URL carries `tg_token` (added by trackgen's direct_url), the SDK registers the
 * click with POST /v1/clicks, passing source_id and sub1..sub5 from the page URL, and makes the
 * transaction id available as window.trackgen.transactionId (and in sessionStorage
 * "trackgen_transaction_id"); window.trackgen.ready is a Promise of it. No dependencies.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/\/sdk\.js(\?.*)?$/, "") : "";
  var params = new URLSearchParams(window.location.search);
  var token = params.get("tg_token");
  var api = (window.trackgen = window.trackgen || {});
  api.transactionId = null;
  api.ready = new Promise(function (resolve, reject) {
    if (!token) {
      resolve(null);
      return;
    }
    var stored = sessionStorage.getItem("trackgen_click:" + token + ":" + window.location.search);
    if (stored) { // a reload of the same landing page is not a new click
      api.transactionId = stored;
      resolve(stored);
      return;
    }
    var body = { token: token };
    ["source_id", "sub1", "sub2", "sub3", "sub4", "sub5"].forEach(function (name) {
      var v = params.get(name);
      if (v !== null && v !== "") body[name] = v.slice(0, 255);
    });
    fetch(base + "/v1/clicks", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      keepalive: true
    }).then(function (res) {
      if (!res.ok) throw new Error("trackgen: click not recorded (HTTP " + res.status + ")");
      return res.json();
    }).then(function (data) {
      api.transactionId = data.transaction_id;
      sessionStorage.setItem("trackgen_transaction_id", data.transaction_id);
      sessionStorage.setItem("trackgen_click:" + token + ":" + window.location.search, data.transaction_id);
      resolve(data.transaction_id);
    }).catch(reject);
  });
})();
