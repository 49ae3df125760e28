// The detente console in a real browser: Debian's headless Chromium,
// driven by playwright-core, with axe-core checking every page in every
// language. Started by .ci/run as
//
//   node browser/console.mjs --detente target/release/detente --out target/console-screenshots
//
// It starts `detente demo --serve` in a temporary directory, waits for the
// state file's phase `serving`, and stops the demo (SIGTERM) when it ends,
// fails or times out. Each party gets its own browser context. What it
// checks:
//   - the sign-in page follows the browser's language (Russian for RU);
//   - signing in works from the keyboard alone;
//   - the inbox shows the demo's traffic, each text with dir="auto";
//   - a message opens with its proof, and its exported evidence passes
//     `detente verify`;
//   - switching to Arabic makes the page right to left, and the choice is
//     remembered after signing out and in again;
//   - no page breaks its Content-Security-Policy;
//   - axe-core finds no serious or critical violation on any page, in
//     English, Russian or Arabic;
// and it saves a screenshot of every page in each language.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const detente = path.resolve(arg('detente', 'target/release/detente'));
const out = path.resolve(arg('out', 'target/console-screenshots'));
const chromiumPath = arg('chromium', '/usr/bin/chromium');
fs.mkdirSync(out, { recursive: true });

const failures = [];
function check(condition, what) {
  if (condition) {
    console.log(`  ok    ${what}`);
  } else {
    console.log(`  FAIL  ${what}`);
    failures.push(what);
  }
}

async function startDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detente-console-'));
  const stateFile = path.join(dir, 'state.json');
  const log = fs.openSync(path.join(dir, 'demo.log'), 'w');
  const demo = spawn(detente, ['demo', '--serve', '--state-file', stateFile], {
    cwd: dir,
    stdio: ['ignore', log, log],
  });
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (demo.exitCode !== null) {
      throw new Error(`the demo exited (${demo.exitCode}):\n${fs.readFileSync(path.join(dir, 'demo.log'), 'utf8')}`);
    }
    try {
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      if (state.phase === 'serving') return { demo, state, dir };
    } catch { /* not written yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  demo.kill('SIGTERM');
  throw new Error('no serving state file within 180 s');
}

/// Runs axe-core on the page; returns the serious and critical violations.
async function axe(page) {
  // evaluate() runs through the DevTools protocol, not as page script, so
  // the page's CSP stays in force while axe runs.
  const result = await page.evaluate(`${AXE}; axe.run(document, { resultTypes: ['violations'] })`);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/// Checks a page in one language: its lang and dir, axe, a screenshot.
async function inspect(page, name, lang, dir) {
  const html = page.locator('html');
  check((await html.getAttribute('lang')) === lang, `${name}: lang="${lang}"`);
  check((await html.getAttribute('dir')) === dir, `${name}: dir="${dir}"`);
  const violations = await axe(page);
  check(violations.length === 0, `${name}: no serious or critical axe violation${violations.length ? `: ${violations.join('; ')}` : ''}`);
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
}

async function switchLanguage(page, lang) {
  await page.selectOption('#language', lang);
  await Promise.all([page.waitForNavigation(), page.click('form.language button')]);
}

async function party(browser, code, state, locale, lang) {
  const party = state.parties[code];
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    locale,
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  const cspErrors = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
  });
  console.log(`${code}, in a browser speaking ${locale}:`);
  await page.goto(party.console.url);
  check(page.url().endsWith('/console/sign-in'), `${code}: not signed in, / leads to the sign-in page`);
  await inspect(page, `${code}-sign-in-${lang}`, lang, lang === 'ar' ? 'rtl' : 'ltr');

  // Signing in from the keyboard alone.
  await page.focus('#name');
  await page.keyboard.type(party.console.officer.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(party.console.officer.password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check(page.url().endsWith('/console/inbox'), `${code}: signed in from the keyboard`);
  const rows = await page.locator('table.messages tbody tr').count();
  check(rows > 0, `${code}: the inbox lists the demo's messages (${rows})`);
  const subjects = await page.locator('table.messages td a[dir="auto"]').count();
  check(subjects === rows, `${code}: every subject is shown with dir="auto"`);
  await inspect(page, `${code}-inbox-${lang}`, lang, 'ltr');

  // The FLASH notification: its proof, and its evidence (the thread: the
  // acknowledgement and the reply too), which detente verify proves.
  await Promise.all([page.waitForNavigation(), page.locator('tr[data-kind="notification"] a[dir="auto"]').first().click()]);
  check(/\/console\/messages\/[0-9a-f-]+$/.test(page.url()), `${code}: a message opens on its own page`);
  check((await page.locator('ul.proof li').count()) > 0, `${code}: the message shows its proof`);
  await inspect(page, `${code}-message-${lang}`, lang, 'ltr');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a[download]'),
  ]);
  const bundle = path.join(out, `${code}-evidence.json`);
  await download.saveAs(bundle);
  const verified = spawnSync(detente, ['verify', bundle], { encoding: 'utf8' });
  check(verified.status === 0, `${code}: the exported evidence passes detente verify, every claim proven (exit ${verified.status})${verified.status === 0 ? '' : `\n${verified.stdout}${verified.stderr}`}`);
  await page.goto(new URL('/console/inbox', party.console.url).href);

  for (const [other, dir] of [['ar', 'rtl'], ['en', 'ltr'], ['ru', 'ltr']]) {
    await switchLanguage(page, other);
    await inspect(page, `${code}-inbox-${other}`, other, dir);
  }
  // The message page in Arabic too.
  await switchLanguage(page, 'ar');
  await Promise.all([page.waitForNavigation(), page.locator('table.messages td a[dir="auto"]').first().click()]);
  await inspect(page, `${code}-message-ar`, 'ar', 'rtl');
  await page.goto(new URL('/console/inbox', party.console.url).href);
  await switchLanguage(page, 'ar');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/sign-out"] button')]);
  check(page.url().includes('/console/sign-in?why=signed-out'), `${code}: signed out`);
  // The browser keeps the language last chosen (the detente-lang cookie).
  await inspect(page, `${code}-signed-out-ar`, 'ar', 'rtl');
  await page.fill('#name', party.console.officer.name);
  await page.fill('#password', party.console.officer.password);
  await Promise.all([page.waitForNavigation(), page.click('form.sign-in button')]);
  check((await page.locator('html').getAttribute('dir')) === 'rtl', `${code}: Arabic is remembered for the officer`);
  check(cspErrors.length === 0, `${code}: no Content-Security-Policy violation${cspErrors.length ? `: ${cspErrors.join('; ')}` : ''}`);
  await context.close();
}

const { demo, state, dir } = await startDemo();
let browser;
try {
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  await party(browser, 'RU', state, 'ru-RU', 'ru');
  await party(browser, 'US', state, 'en-US', 'en');
} catch (error) {
  failures.push(String(error && error.stack || error));
  console.log(`  FAIL  ${error}`);
} finally {
  if (browser) await browser.close();
  demo.kill('SIGTERM');
}
console.log(`screenshots in ${out}`);
if (failures.length) {
  console.log(`${failures.length} check(s) failed; the demo's log is in ${dir}/demo.log`);
  process.exit(1);
}
console.log('console browser checks passed');
