// Shared helpers of the browser tests: Debian's Chromium through playwright-core, the rmad
// started by run.sh, the fixtures it made, screenshots under tests/artifacts/.
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const BASE = process.env.RMAD_BASE;
const FIX = JSON.parse(fs.readFileSync(process.env.RMAD_FIXTURES, 'utf8'));
const ART = process.env.RMAD_ARTIFACTS;

// The flags PITFALLS.md asks for as root in CI; playwright adds --headless and a fresh
// --user-data-dir of its own for each launch.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true });
}

async function login(page, user, password) {
  await page.goto(BASE + '/login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.press('#password', 'Enter')]);
}

function sql(query) {
  return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', query],
    { encoding: 'utf8' }).trim();
}

// Types what a hand scanner types: the characters, then Enter.
async function scan(page, selector, text) {
  await page.focus(selector);
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press('Enter');
}

module.exports = { BASE, FIX, ART, launch, shot, login, sql, scan,
  PASSWORD: process.env.RMAD_PASSWORD };
