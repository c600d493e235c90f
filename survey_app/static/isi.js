// Move a code from the URL fragment (#CODE, never sent to the server) into the form field,
// then drop the fragment from the address bar and history. Keep it on language links.
(function () {
  var code = decodeURIComponent((location.hash || "").slice(1));
  var field = document.getElementById("code");
  if (code && field) {
    field.value = code;
    history.replaceState(null, "", location.pathname + location.search);
    var links = document.querySelectorAll("a.langlink");
    for (var i = 0; i < links.length; i++) {
      links[i].href = links[i].getAttribute("href") + "#" + encodeURIComponent(code);
    }
  }
})();
