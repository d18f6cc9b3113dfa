// The server goes away while the depot keeps scanning: the scans wait in the browser and are
// sent again with their Idempotency-Keys when rmad is back; each is applied exactly once.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { BASE, FIX, launch, shot, login, scan, sql, PASSWORD } = require('./helpers');

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
after(async () => { await browser?.close(); });

async function up() {
  try { return (await fetch(BASE + '/healthz')).ok; } catch { return false; }
}
async function waitFor(fn, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await fn()) return true; await new Promise((r) => setTimeout(r, 100)); }
  return false;
}
function count(rma, outcome) {
  return sql(`SELECT count(*) FROM scan s JOIN rma r ON r.id = s.rma_id
      WHERE r.rma_number = '${rma}' AND s.outcome = '${outcome}'`);
}

test('scans made while rmad is down are queued, then applied once each', async () => {
  await login(page, 'depot1', PASSWORD);
  await page.waitForFunction(() => document.activeElement.id === 'code');
  // stop the server
  process.kill(Number(process.env.RMAD_PID), 'SIGTERM');
  assert.ok(await waitFor(async () => !(await up()), 10000), 'rmad stopped');
  for (const f of [FIX.scan3, FIX.scan4, FIX.scan5]) await scan(page, '#code', f.rma);
  await scan(page, '#code', FIX.scan3.rma); // the same parcel again: a duplicate, not a second receipt
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('rmad.station.queue') || '[]').length === 4);
  await page.waitForSelector('#answer[data-outcome="queued"]');
  assert.match(await page.textContent('#connection'), /unreachable|waiting/);
  assert.equal(await page.locator('#queue li').count(), 4);
  await shot(page, 'station-offline-queue');

  // start rmad again on the same port
  const log = fs.openSync(process.env.RMAD_LOG, 'a');
  const child = spawn(process.env.RMAD_BIN, ['serve'], {
    env: { ...process.env, RMAD_LISTEN: '127.0.0.1:' + process.env.RMAD_PORT },
    stdio: ['ignore', log, log], detached: true });
  fs.writeFileSync(process.env.RMAD_PIDFILE, String(child.pid));
  child.unref();
  assert.ok(await waitFor(up, 20000), 'rmad is back');
  // a reload keeps the queue (localStorage) and sends it
  await page.reload();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('rmad.station.queue') || '[]').length === 0,
    null, { timeout: 30000 });
  await page.waitForFunction(() => document.querySelectorAll('#recent li').length >= 4);
  await shot(page, 'station-back-online');
  for (const f of [FIX.scan3, FIX.scan4, FIX.scan5]) {
    assert.equal(count(f.rma, 'received'), '1', f.rma + ' received once');
    assert.equal(sql(`SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id
        WHERE r.rma_number = '${f.rma}' AND e.leg = 'inbound' AND e.to_state = 'received'`), '1');
  }
  assert.equal(count(FIX.scan3.rma, 'duplicate'), '1', 'the second scan is one duplicate');
  assert.match(await page.textContent('#connection'), /Connected/);
});

test('a scan replayed with its key is answered from the store, not applied again', async () => {
  // what a retry after a lost answer does: the same key again
  const res = await page.evaluate(async (code) => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const send = () => fetch('/depot/api/scans', { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf,
        'Idempotency-Key': 'test-replay-1' },
      body: JSON.stringify({ code, station: 'dock-1' }) });
    const a = await send();
    const b = await send();
    return [a.status, (await a.json()).outcome, b.status, b.headers.get('Idempotent-Replayed'),
      (await b.json()).outcome];
  }, FIX.scan4.rma);
  assert.deepEqual(res, [200, 'duplicate', 200, 'true', 'duplicate']);
  assert.equal(count(FIX.scan4.rma, 'duplicate'), '1');
});
