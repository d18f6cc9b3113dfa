/*
 * The depot scan station (issue 7).  A hand scanner types the code and Enter into #code, which
 * keeps the focus.  With "Check serials" on, the label comes first, then the unit's serial.
 * Each scan gets an Idempotency-Key when it is made and waits in a queue kept in localStorage
 * until the server has answered it: when the server is unreachable the scans stay queued and
 * are sent again, in order, with the same keys, so none is lost and none counts twice.
 */
(function () {
  'use strict';
  var QUEUE = 'rmad.station.queue';
  var STATION = 'rmad.station.name';
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  var code = document.getElementById('code');
  var serial = document.getElementById('serial');
  var serialRow = document.getElementById('serial-row');
  var checkSerial = document.getElementById('check-serial');
  var station = document.getElementById('station');
  var answer = document.getElementById('answer');
  var connection = document.getElementById('connection');
  var pendingCode = null;
  var sending = false;
  var retryTimer = null;
  var retryDelay = 1000;
  var audio = null;

  var OUTCOMES = {
    received: {title: 'Received', icon: '\u2714', next: 'Take it to inspection', sound: [[880, 0.12]]},
    arrived: {title: 'Arrived: count it', icon: '\u2714', next: 'Count the parts of the line', sound: [[880, 0.12], [1100, 0.12]]},
    duplicate: {title: 'Already scanned', icon: '\u21ba', next: 'Nothing changed: put it with the received parcels', sound: [[660, 0.08], [660, 0.08]]},
    serial_mismatch: {title: 'Serial mismatch: hold', icon: '\u26a0', next: 'Put it on the hold shelf', sound: [[440, 0.15], [440, 0.15], [440, 0.15]]},
    ambiguous: {title: 'Scan the parcel label', icon: '\u26a0', next: 'This RMA has several parcels: scan the label of this one', sound: [[520, 0.15], [390, 0.15]]},
    not_expected: {title: 'Unexpected: quarantine', icon: '\u26d4', next: 'Set it aside in quarantine', sound: [[220, 0.5]]},
    unexpected: {title: 'Unexpected arrival: quarantine', icon: '\u26d4', next: 'Depot tag of a box with no RMA: put it back in quarantine', sound: [[220, 0.5]]},
    forged: {title: 'Forged label: quarantine', icon: '\u2716', next: 'Set it aside for a supervisor', sound: [[180, 0.35], [180, 0.35]]},
    unknown: {title: 'Unknown code', icon: '?', next: 'Take it to the unexpected-arrivals desk', sound: [[300, 0.3], [250, 0.3]]},
    error: {title: 'Not accepted', icon: '\u2716', next: 'Check the code and scan again', sound: [[200, 0.25]]},
    queued: {title: 'Queued: server unreachable', icon: '\u23f3', next: 'Keep scanning: it is sent when the server is back', sound: [[600, 0.06]]}
  };

  function newKey() {
    if (window.crypto && crypto.randomUUID) return 'station-' + crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'station-' + Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || '[]'); } catch (e) { return []; }
  }
  function saveQueue(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); }

  function beep(pattern) {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      var t = audio.currentTime + 0.01;
      pattern.forEach(function (p) {
        var o = audio.createOscillator();
        var g = audio.createGain();
        o.type = 'square';
        o.frequency.value = p[0];
        g.gain.setValueAtTime(0.15, t);
        g.gain.setValueAtTime(0, t + p[1]);
        o.connect(g).connect(audio.destination);
        o.start(t);
        o.stop(t + p[1]);
        t += p[1] + 0.06;
      });
    } catch (e) { /* no sound device: the colour still tells */ }
  }

  function show(kind, rma, detail, sound) {
    var o = OUTCOMES[kind] || OUTCOMES.error;
    answer.className = 'answer answer-' + (OUTCOMES[kind] ? kind : 'error');
    answer.setAttribute('data-outcome', kind);
    answer.querySelector('.answer-icon').textContent = o.icon;
    document.getElementById('answer-title').textContent = o.title;
    document.getElementById('answer-rma').textContent = rma || '';
    document.getElementById('answer-next').textContent = o.next;
    document.getElementById('answer-detail').textContent = detail || '';
    if (sound !== false) {
      answer.setAttribute('data-sound', o.sound.map(function (p) { return p[0]; }).join(','));
      beep(o.sound);
    }
  }

  function setConnected(ok, text) {
    connection.className = 'connection ' + (ok ? 'connection-ok' : 'connection-down');
    connection.textContent = text;
  }

  function li(outcome, rma, codeText, when) {
    var el = document.createElement('li');
    var b = document.createElement('span');
    b.className = 'badge badge-' + outcome;
    b.textContent = (OUTCOMES[outcome] || {title: outcome}).title;
    var c = document.createElement('span');
    c.className = 'code';
    c.textContent = rma && rma !== codeText ? rma + '  ' + codeText : codeText;
    var t = document.createElement('time');
    t.textContent = when;
    el.appendChild(b); el.appendChild(c); el.appendChild(t);
    el.setAttribute('data-outcome', outcome);
    return el;
  }

  function renderQueue() {
    var q = loadQueue();
    var ol = document.getElementById('queue');
    ol.textContent = '';
    q.forEach(function (s) { ol.appendChild(li('queued', '', s.code + (s.serial ? ' / ' + s.serial : ''), 'waiting')); });
  }

  function refreshRecent() {
    fetch('/depot/api/scans?station=' + encodeURIComponent(station.value), {credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (!j) return;
        var ol = document.getElementById('recent');
        ol.textContent = '';
        j.scans.forEach(function (s) {
          var d = new Date(s.at);
          ol.appendChild(li(s.outcome, s.rma_number, s.code, d.toLocaleTimeString()));
        });
      }).catch(function () {});
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; pump(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5000);
  }

  /* Sends the queue's head until the queue is empty or the server is unreachable. */
  function pump() {
    if (sending) return;
    var q = loadQueue();
    if (q.length === 0) { renderQueue(); return; }
    sending = true;
    var s = q[0];
    var body = {code: s.code, station: s.station};
    if (s.serial) body.serial = s.serial;
    fetch('/depot/api/scans', {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'Idempotency-Key': s.key},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (t) {
        var j = null;
        try { j = JSON.parse(t); } catch (e) { /* a proxy's page */ }
        return {status: r.status, json: j};
      });
    }).then(function (res) {
      sending = false;
      if (res.status >= 500 || res.status === 409 || res.status === 429) {
        setConnected(false, 'Server busy: ' + loadQueue().length + ' scan(s) waiting, retrying');
        scheduleRetry();
        return;
      }
      if (res.status === 401 || res.status === 403) {
        setConnected(false, 'Signed out: sign in again, ' + loadQueue().length + ' scan(s) wait here');
        show('error', '', 'The session ended. The queued scans are kept: sign in again to send them.');
        return;
      }
      var rest = loadQueue().filter(function (x) { return x.key !== s.key; });
      saveQueue(rest);
      retryDelay = 1000;
      setConnected(true, rest.length ? 'Sending ' + rest.length + ' queued scan(s)' : 'Connected');
      if (res.status >= 200 && res.status < 300 && res.json) {
        var j = res.json;
        var rma = j.rma_number ? j.rma_number + (j.parcel_no ? '  parcel ' + j.parcel_no + ' of ' + j.parcel_count : '') : '';
        show(j.outcome, rma, (s.queued ? 'Sent from the queue. ' : '') + (j.message || ''));
      } else {
        var m = res.json && res.json.error ? res.json.error.message : 'refused';
        show('error', '', s.code + ': ' + m);
      }
      renderQueue();
      refreshRecent();
      pump();
    }).catch(function () {
      sending = false;
      var n = loadQueue().length;
      var q2 = loadQueue();
      q2.forEach(function (x) { x.queued = true; });
      saveQueue(q2);
      setConnected(false, 'Server unreachable: ' + n + ' scan(s) queued, retrying');
      show('queued', '', n + ' scan(s) waiting to be sent');
      renderQueue();
      scheduleRetry();
    });
  }

  function submit(c, ser) {
    var q = loadQueue();
    q.push({key: newKey(), code: c, serial: ser || null, station: station.value, at: Date.now()});
    saveQueue(q);
    renderQueue();
    if (retryTimer) {
      /* the server was unreachable: keep the order, show the scan is safe */
      show('queued', '', q.length + ' scan(s) waiting to be sent');
      return;
    }
    pump();
  }

  function reset() {
    pendingCode = null;
    serialRow.hidden = true;
    document.getElementById('code-label').textContent = 'Scan a parcel label';
    code.value = '';
    serial.value = '';
    code.focus();
  }

  code.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); reset(); return; }
    if (e.key !== 'Enter') return;
    e.preventDefault();
    var c = code.value.trim();
    if (!c) return;
    if (checkSerial.checked) {
      pendingCode = c;
      serialRow.hidden = false;
      document.getElementById('code-label').textContent = 'Label scanned: ' + c;
      serial.focus();
      return;
    }
    code.value = '';
    submit(c, null);
  });
  serial.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); reset(); return; }
    if (e.key !== 'Enter') return;
    e.preventDefault();
    var s = serial.value.trim();
    if (!s || !pendingCode) return;
    var c = pendingCode;
    reset();
    submit(c, s);
  });
  document.getElementById('scan-form').addEventListener('submit', function (e) { e.preventDefault(); });
  station.value = localStorage.getItem(STATION) || station.value;
  station.addEventListener('change', function () {
    localStorage.setItem(STATION, station.value);
    refreshRecent();
  });
  checkSerial.checked = localStorage.getItem('rmad.station.serial') === '1';
  checkSerial.addEventListener('change', function () {
    localStorage.setItem('rmad.station.serial', checkSerial.checked ? '1' : '0');
    reset();
  });

  /* The scan input keeps the focus: a click on the page or a stray Tab brings it back, except
   * into the page's own controls (station name, serial check, sign out). */
  document.addEventListener('focusout', function () {
    setTimeout(function () {
      var a = document.activeElement;
      if (a && a !== document.body && a.closest && a.closest('input, button, a, select, textarea')) return;
      (pendingCode ? serial : code).focus();
    }, 0);
  });
  document.addEventListener('click', function (e) {
    if (!e.target.closest('input, button, a, label, select')) (pendingCode ? serial : code).focus();
  });
  window.addEventListener('online', function () { pump(); });

  code.focus();
  renderQueue();
  refreshRecent();
  pump();
})();
