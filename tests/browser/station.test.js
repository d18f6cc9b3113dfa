// Staff sign-in and the depot scan station: a scanner's keystrokes and Enter, every kind of
// answer, the last scans, CSRF, roles, sign-out, the keyboard alone.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, FIX, launch, shot, login, scan, sql, PASSWORD } = require('./helpers');

let browser;
let page;
before(async () => {
  browser = await launch();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await ctx.newPage();
});
after(async () => { await browser?.close(); });

async function answer(outcome) {
  await page.waitForSelector(`#answer[data-outcome="${outcome}"]`, { timeout: 10000 });
  return page.textContent('#answer');
}
async function idle() {
  // a fresh answer is awaited by resetting the marker first
  await page.evaluate(() => document.getElementById('answer').setAttribute('data-outcome', 'idle'));
}

test('the station asks for a sign-in first', async () => {
  await page.goto(BASE + '/depot/scan');
  assert.match(page.url(), /\/login\?next=\/depot\/scan$/);
  await shot(page, 'login');
});

test('a wrong password is refused with a clear message', async () => {
  await login(page, 'depot1', 'not-the-password');
  assert.match(await page.textContent('#login-error'), /Unknown user name or wrong password/);
  assert.equal(await page.inputValue('#username'), 'depot1');
  await shot(page, 'login-wrong');
});

test('sign-in with the keyboard: an HttpOnly, SameSite=Strict session cookie', async () => {
  await page.goto(BASE + '/login');
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, 'username', { timeout: 5000 });
  await page.keyboard.type('depot1');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(new URL(page.url()).pathname, '/depot/scan');
  const c = (await page.context().cookies()).find((x) => x.name === 'rmad_session');
  assert.ok(c, 'a session cookie');
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('rmad_session')), false);
  await page.waitForFunction(() => document.activeElement.id === 'code');
  await shot(page, 'station-ready');
});

test('received, then duplicate', async () => {
  await idle();
  await scan(page, '#code', FIX.scan1.rma);
  const t = await answer('received');
  assert.match(t, new RegExp(FIX.scan1.rma));
  assert.match(t, /Take it to inspection/);
  assert.equal(await page.getAttribute('#answer', 'data-sound'), '880');
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, 'code', { timeout: 5000 });
  assert.equal(await page.inputValue('#code'), '');
  await shot(page, 'station-received');
  await idle();
  await scan(page, '#code', FIX.scan1.rma);
  assert.match(await answer('duplicate'), /Nothing changed/);
  assert.equal(await page.getAttribute('#answer', 'data-sound'), '660,660');
  await shot(page, 'station-duplicate');
  assert.equal(sql(`SELECT count(*) FROM scan s JOIN rma r ON r.id = s.rma_id
      WHERE r.rma_number = '${FIX.scan1.rma}' AND s.outcome = 'received'`), '1');
});

test('unknown code and forged label', async () => {
  await idle();
  await scan(page, '#code', 'NOT-A-PARCEL-42');
  assert.match(await answer('unknown'), /unexpected-arrivals desk/);
  await shot(page, 'station-unknown');
  const qr = new URL(process.env.RMAD_QR_URL);
  const forged = qr.href.replace(/[0-9A-Z]$/, (c) => (c === 'A' ? 'B' : 'A'));
  await idle();
  await scan(page, '#code', forged.toUpperCase());
  assert.match(await answer('forged'), /quarantine/i);
  await shot(page, 'station-forged');
});

test('serial check: label, then serial; a wrong serial is a hold', async () => {
  await page.check('#check-serial');
  await idle();
  await scan(page, '#code', FIX.scan2.rma);
  await page.waitForFunction(() => document.activeElement.id === 'serial');
  assert.equal(await page.isVisible('#serial'), true);
  await shot(page, 'station-serial-step');
  await page.keyboard.type('WRONG00001');
  await page.keyboard.press('Enter');
  const t = await answer('serial_mismatch');
  assert.match(t, /hold shelf/);
  await shot(page, 'station-serial-mismatch');
  // the right serial of another parcel is simply received
  await idle();
  await scan(page, '#code', FIX.scan6.rma);
  await page.waitForFunction(() => document.activeElement.id === 'serial');
  await page.keyboard.type(FIX.scan6.serial);
  await page.keyboard.press('Enter');
  await answer('received');
  // Escape goes back to the label step
  await scan(page, '#code', FIX.scan1.rma);
  await page.keyboard.press('Escape');
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, 'code', { timeout: 5000 });
  await page.uncheck('#check-serial');
  await page.focus('#code');
});

test('the last scans are listed', async () => {
  await page.waitForFunction(() => document.querySelectorAll('#recent li').length >= 6);
  const outcomes = await page.$$eval('#recent li', (l) => l.map((x) => x.dataset.outcome));
  assert.deepEqual(outcomes.slice(0, 6),
    ['received', 'serial_mismatch', 'forged', 'unknown', 'duplicate', 'received']);
  await shot(page, 'station-recent');
});

test('the input keeps the focus', async () => {
  await page.click('h2');
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, 'code', { timeout: 5000 });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.waitForTimeout(50);
  const id = await page.evaluate(() => document.activeElement.id || document.activeElement.tagName);
  assert.ok(['code', 'check-serial', 'station', 'logout'].includes(id), 'focus went to ' + id);
});

test('CSRF: a POST without the token is refused (403)', async () => {
  const r = await page.evaluate(async (code) => {
    const res = await fetch('/depot/api/scans', { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, station: 'dock-1' }) });
    return res.status;
  }, FIX.scan5.rma);
  assert.equal(r, 403);
  const bad = await page.evaluate(async (code) => {
    const res = await fetch('/depot/api/scans', { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'a'.repeat(64) },
      body: JSON.stringify({ code, station: 'dock-1' }) });
    return res.status;
  }, FIX.scan5.rma);
  assert.equal(bad, 403);
  const logout = await page.request.post(BASE + '/logout', { form: { csrf: 'nope' },
    maxRedirects: 0 });
  assert.equal(logout.status(), 403);
  assert.equal(sql(`SELECT count(*) FROM scan s JOIN rma r ON r.id = s.rma_id
      WHERE r.rma_number = '${FIX.scan5.rma}'`), '0');
});

test('sign out ends the session', async () => {
  const cookie = (await page.context().cookies()).find((x) => x.name === 'rmad_session').value;
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  assert.match(page.url(), /\/login/);
  await page.goto(BASE + '/depot/scan');
  assert.match(page.url(), /\/login\?next=/);
  // the old cookie is dead on the server too
  const r = await fetch(BASE + '/depot/api/scans?station=dock-1',
    { headers: { Cookie: 'rmad_session=' + cookie } });
  assert.equal(r.status, 401);
});

test('an agent may sign in but not use the station (403)', async () => {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(BASE + '/login');
  await p.fill('#username', 'agent1');
  await p.fill('#password', process.env.RMAD_PASSWORD.replace('depot', 'agent'));
  const [resp] = await Promise.all([p.waitForNavigation(), p.press('#password', 'Enter')]);
  assert.equal(resp.status(), 403);
  assert.match(await p.textContent('h1'), /Not allowed/);
  await shot(p, 'station-forbidden');
  await ctx.close();
});
