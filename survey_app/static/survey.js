// Survey pages, progressive enhancement (every page works without it): the answers given are
// also kept in this browser's localStorage under the wave (`data-store`; never the code, the
// entry token or the form token), so a reload or a killed tab loses nothing. They are put back
// into the page's form when it loads, forgotten after `data-keep` seconds without a change,
// and removed when the receipt shows (`data-clear`). Nothing is sent anywhere: the form goes
// to the server only when the respondent presses one of its buttons.
// The kept answers carry the SHA-256 of the wave key and the code (`owner`) and are put back
// only for the same code: on a shared device the next respondent never sees them, and their
// own answers replace them. Without Web Crypto (a page not served over HTTPS) nothing is kept.
(function () {
  "use strict";
  var store;
  try {
    store = window.localStorage;
    if (!store) return;
  } catch (e) {
    return; // storage disabled: the form alone carries the answers
  }

  var done = document.querySelector("[data-clear]");
  if (done) {
    try { store.removeItem(done.getAttribute("data-clear")); } catch (e) { /* nothing kept */ }
    return;
  }

  var form = document.getElementById("survey");
  var key = form && form.getAttribute("data-store");
  if (!key) return;
  var code = form.querySelector('input[name="code"]');
  var subtle = window.crypto && window.crypto.subtle;
  if (!code || !code.value || !subtle || !window.TextEncoder) return;
  var owner = null;
  var keepMs = (parseInt(form.getAttribute("data-keep"), 10) || 0) * 1000;

  // The answer fields by name: the radios of this page and the hidden fields (marked data-a)
  // that carry the other pages' answers. The code and the tokens are never among them.
  var fields = {};
  var inputs = form.querySelectorAll('input[type="radio"], input[type="hidden"][data-a]');
  for (var i = 0; i < inputs.length; i++) {
    (fields[inputs[i].name] = fields[inputs[i].name] || []).push(inputs[i]);
  }

  function load() {
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || typeof saved.answers !== "object" || !saved.answers ||
        typeof saved.time !== "number" || Date.now() - saved.time > keepMs) {
      forget();
      return {};
    }
    return saved.owner === owner ? saved.answers : {};  // another code's: replaced by save()
  }

  function save() {
    var answers = {};
    for (var name in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
      var group = fields[name];
      for (var j = 0; j < group.length; j++) {
        var input = group[j];
        if (input.type === "radio" ? input.checked : input.value !== "") {
          answers[name] = input.value;
        }
      }
    }
    try {
      store.setItem(key, JSON.stringify({owner: owner, time: Date.now(), answers: answers}));
    } catch (e) { /* storage full or refused: the form still carries everything */ }
  }

  function forget() {
    try { store.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  // Put the kept answers into the form; remember what the page had, to undo it on request.
  var before = [];
  function restore(answers) {
    for (var name in answers) {
      var value = answers[name];
      if (!Object.prototype.hasOwnProperty.call(fields, name) || typeof value !== "string" ||
          value.length > 40) continue;
      var group = fields[name];
      for (var j = 0; j < group.length; j++) {
        var input = group[j];
        if (input.type === "radio" && input.value === value && !input.checked) {
          for (var k = 0; k < group.length; k++) before.push([group[k], group[k].checked]);
          input.checked = true;
        } else if (input.type === "hidden" && input.value !== value) {
          before.push([input, input.value]);
          input.value = value;
        }
      }
    }
  }

  function undo() {
    for (var j = before.length - 1; j >= 0; j--) {
      var input = before[j][0];
      if (input.type === "radio") input.checked = before[j][1];
      else input.value = before[j][1];
    }
    before = [];
    forget();
    notice.hidden = true;
  }

  var notice = document.getElementById("restored");
  function start() {
    restore(load());
    if (before.length && notice) {
      notice.hidden = false;
      var button = document.getElementById("forget");
      if (button) {
        button.hidden = false;
        button.addEventListener("click", undo);
      }
    }
    save();
    form.addEventListener("change", save);
    form.setAttribute("data-kept", "ready");  // for tests: the kept answers are in place
  }

  subtle.digest("SHA-256", new TextEncoder().encode(key + "\n" + code.value)).then(
    function (digest) {
      owner = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      start();
    },
    function () { /* no digest: nothing is kept on this device */ });
})();
