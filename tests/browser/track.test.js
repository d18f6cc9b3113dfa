// Public tracking page and the QR URL page: server-rendered, no personal data, works without
// JavaScript and with the keyboard alone.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, FIX, launch, shot } = require('./helpers');

let browser;
let ctx;
let page;
before(async () => {
  browser = await launch();
  // a phone, without JavaScript: the page must work without it
  ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false,
    deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  page = await ctx.newPage();
});
after(async () => { await browser?.close(); });

const PII = ['Anna', 'Schmidt', 'anna@example.com', '1234567', 'Mainzer', 'ACME', 'dock-9',
  'does not power on'];

test('the form: labels, headings, language', async () => {
  const r = await page.goto(BASE + '/track');
  assert.equal(r.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('h1'), 'Track your return');
  assert.equal(await page.textContent('label[for=rma]'), 'RMA number');
  assert.equal(await page.textContent('label[for=postcode]'), 'Postcode');
  assert.match(r.headers()['content-security-policy'], /default-src 'none'/);
  await shot(page, 'track-form-phone');
});

test('found: the legs, the parcel, what happens next, nothing personal', async () => {
  const f = FIX.track;
  await page.goto(BASE + '/track');
  // keyboard only: Tab to the first field, type, Tab, type, Enter
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, 'rma', { timeout: 5000 });
  await page.keyboard.type(f.rma.toLowerCase());
  await page.keyboard.press('Tab');
  await page.keyboard.type('60 329');
  const [resp] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(resp.status(), 200);
  assert.match(await page.textContent('h1'), new RegExp(f.rma));
  assert.equal(await page.textContent('#status'), 'Received at our depot');
  assert.match(await page.textContent('.next'), /inspected next/);
  assert.equal(await page.locator('.leg[data-leg=inbound]').count(), 1);
  assert.match(await page.textContent('.leg[data-leg=inbound]'), /Received/);
  assert.match(await page.textContent('.leg[data-leg=outbound]'), /Not started yet/);
  assert.match(await page.textContent('.parcels'), /To us, parcel 1 of 1/);
  const html = await page.content();
  for (const p of PII.concat([f.serial])) assert.ok(!html.includes(p), 'the page shows ' + p);
  await shot(page, 'track-found-phone');
  await page.setViewportSize({ width: 1200, height: 900 });
  await shot(page, 'track-found-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
});

test('wrong postcode and unknown RMA: the same page', async () => {
  const f = FIX.track;
  const wrong = await page.goto(`${BASE}/track?rma=${f.rma}&postcode=99999`);
  const wrongText = await page.textContent('#track-error');
  await shot(page, 'track-not-found');
  const unknown = await page.goto(`${BASE}/track?rma=R999999990&postcode=60329`);
  const unknownText = await page.textContent('#track-error');
  assert.equal(wrong.status(), 404);
  assert.equal(unknown.status(), 404);
  assert.equal(wrongText, unknownText);
  assert.match(wrongText, /could not find/);
  // the form keeps what was typed, and the error is tied to the field for screen readers
  assert.equal(await page.inputValue('#rma'), 'R999999990');
  assert.match(await page.getAttribute('#rma', 'aria-describedby'), /track-error/);
});

test('the form also works as a POST', async () => {
  const f = FIX.track;
  const r = await page.request.post(BASE + '/track', { form: { rma: f.rma, postcode: '60329' } });
  assert.equal(r.status(), 200);
  assert.match(await r.text(), /Received at our depot/);
});

test('the QR URL page: the parcel, a link to the form, nothing personal', async () => {
  const url = process.env.RMAD_QR_URL;
  assert.match(url, /\/P\/R[0-9A-Z]+\/1\/[0-9A-Z]+$/);
  const r = await page.goto(url);
  assert.equal(r.status(), 200);
  assert.equal(await page.textContent('h1'), 'Parcel 1 of 1');
  assert.match(await page.textContent('#status'), /Return label issued/);
  const href = await page.getAttribute('a.button', 'href');
  assert.equal(href, `/track?rma=${FIX.qr.rma}#postcode`);
  const html = await page.content();
  for (const p of PII.concat([FIX.qr.serial, 'SW1A'])) assert.ok(!html.includes(p), 'shows ' + p);
  await shot(page, 'qr-parcel-phone');
  await page.click('a.button');
  assert.equal(await page.inputValue('#rma'), FIX.qr.rma);
});

test('a forged QR tag: a neutral "label not recognised"', async () => {
  const url = process.env.RMAD_QR_URL;
  const last = url.slice(-1);
  const forged = url.slice(0, -1) + (last === 'A' ? 'B' : 'A');
  const r = await page.goto(forged);
  assert.equal(r.status(), 404);
  assert.equal(await page.textContent('h1'), 'Label not recognised');
  assert.ok(!(await page.content()).includes(FIX.qr.rma));
  await shot(page, 'qr-forged');
});
