// The detente console in a real browser: Debian's headless Chromium,
// driven by playwright-core, with axe-core checking every page in every
// language. Started by .ci/run as
//
//   node browser/console.mjs --detente target/release/detente --out target/console-screenshots
//
// It starts `detente demo --serve` in a temporary directory (its standard
// input kept open for `advance 61m`), waits for the state file's phase
// `serving`, and stops the demo (SIGTERM) when it ends, fails or times
// out. Each party gets its own browser context. What it checks
// (docs/console.md, "Tests"):
//   - sign-in in the browser's language, from the keyboard; the inbox and
//     a message with its proof; its evidence passes `detente verify`;
//     Arabic right to left and remembered;
//   - clearance: an officer cleared only for technical, by crafted
//     requests: nothing of policy or leadership to see, download, answer
//     or send; forged and tokenless POSTs refused; a session used after
//     sign-out refused;
//   - every page in Russian, English and Arabic; commitments on another
//     date; the guarantee's and a quarter's evidence verified; a draft sent
//     and another discarded;
//   - the flow: RU composes a FLASH notification with a STIX file, US sees
//     it live with a sound and a notification, acknowledges and replies,
//     RU sees it acknowledged live, a deadline passes on the demo's clock
//     and both sides show the escalation;
//   - on every page: lang and dir, no CSP violation, no serious or
//     critical axe-core violation, and a screenshot.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
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
    // Standard input stays open: `advance 61m` moves the demo's clock.
    stdio: ['pipe', log, log],
  });
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (demo.exitCode !== null) {
      throw new Error(`the demo exited (${demo.exitCode}):\n${fs.readFileSync(path.join(dir, 'demo.log'), 'utf8')}`);
    }
    try {
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      if (state.phase === 'serving') return { demo, state, dir, log: path.join(dir, 'demo.log') };
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


async function signIn(context, party, who, lang) {
  const page = await context.newPage();
  await page.goto(new URL('/console/sign-in', party.console.url).href);
  await page.fill('#name', who.name);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForNavigation(), page.click('form.sign-in button')]);
  // The officer's own choice, kept from before, is set here for the test.
  if (lang) await switchLanguage(page, lang);
  return page;
}

// Records what the console's script does to alert the officer: the
// notifications it raises and the tones it plays. (Added through the
// DevTools protocol, so the page's CSP stays in force.)
function recordAlerts() {
  window.__notes = [];
  window.__tones = 0;
  window.Notification = class {
    constructor(title, options) { window.__notes.push({ title, body: options && options.body }); }
    static get permission() { return 'granted'; }
    static requestPermission() { return Promise.resolve('granted'); }
  };
  if (window.AudioContext) {
    const create = window.AudioContext.prototype.createOscillator;
    window.AudioContext.prototype.createOscillator = function () { window.__tones += 1; return create.call(this); };
  }
}

async function waitUntil(what, probe, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`  ...gave up waiting for ${what}`);
  return false;
}

async function compose(page, party, fields) {
  await page.goto(new URL(`/console/compose?to=${fields.to}&kind=notification`, party.console.url).href);
  await page.selectOption('#from_tier', 'technical');
  await page.selectOption('#to_tier', 'technical');
  await page.selectOption('#precedence', 'flash');
  await page.fill('#subject', fields.subject);
  await page.fill('#text', fields.text);
  if (fields.stix) await page.setInputFiles('#stix', fields.stix);
  await Promise.all([page.waitForNavigation(), page.click('form.compose button[type="submit"]')]);
  const match = /\/console\/messages\/([0-9a-f-]+)$/.exec(page.url());
  return match && match[1];
}

// The duty officers' flow across two nodes, each in its own browser context.
async function flow(browser, state, demo) {
  const RU = state.parties.RU;
  const US = state.parties.US;
  console.log('The flow: RU composes, US sees it live, acknowledges, a deadline passes:');
  const ruContext = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  const usContext = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await usContext.addInitScript(recordAlerts);
  const ru = await signIn(ruContext, RU, RU.console.officer, 'ru');
  const us = await signIn(usContext, US, US.console.officer, 'en');
  // The officer has clicked on the page once: sound may play.
  await us.click('h1');
  await us.evaluate(() => { window.__sameDocument = 'yes'; });

  // 1. RU, in Russian, composes a FLASH notification with a STIX file.
  const stix = path.join(out, 'incident.stix.json');
  fs.writeFileSync(stix, JSON.stringify({
    type: 'bundle',
    id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    objects: [{
      type: 'indicator', spec_version: '2.1',
      id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2026-12-07T03:00:00.000Z', modified: '2026-12-07T03:00:00.000Z',
      name: 'C2 server', pattern: "[ipv4-addr:value = '198.51.100.7']", pattern_type: 'stix',
      valid_from: '2026-12-07T03:00:00Z',
    }],
  }));
  await ru.goto(new URL('/console/compose?to=US&kind=notification', RU.console.url).href);
  await inspect(ru, 'RU-compose-ru', 'ru', 'ltr');
  const subject = 'Сканирование портов с адреса 198.51.100.7';
  const first = await compose(ru, RU, { to: 'US', subject, text: 'Обнаружено сканирование; просим проверить источник.', stix });
  check(Boolean(first), `RU: the FLASH notification is signed and queued (${first})`);
  check((await ru.locator('h1 .precedence.flash').count()) === 1, 'RU: its page shows FLASH');
  await inspect(ru, 'RU-sent-ru', 'ru', 'ltr');

  // 2. US sees it arrive on its open inbox, without a reload, with a
  // sound and a notification.
  const arrived = await waitUntil('the row on US', async () => (await us.locator(`#m-${first}`).count()) === 1);
  check(arrived, 'US: the notification appears in the open inbox');
  check((await us.evaluate(() => window.__sameDocument)) === 'yes', 'US: without a reload');
  check((await us.locator(`#m-${first} a[dir="auto"]`).textContent()) === subject, 'US: the subject is shown as written, in Russian');
  check((await us.evaluate(() => document.documentElement.dataset.lastAlert)) === first, 'US: the FLASH arrival alerted the officer');
  const notes = await us.evaluate(() => window.__notes);
  check(notes.length >= 1 && /FLASH/.test(notes[0].body), `US: a browser notification was raised (${notes.map((n) => n.body).join('; ')})`);
  check((await us.evaluate(() => window.__tones)) >= 3, 'US: a sound was played');
  check((await us.locator(`#m-${first} .countdown`).textContent()).length > 2, 'US: the acknowledgement deadline counts down');
  await inspect(us, 'US-inbox-live-en', 'en', 'ltr');

  // RU watches its inbox while US acknowledges.
  await ru.goto(new URL('/console/inbox', RU.console.url).href);
  await ru.evaluate(() => { window.__sameDocument = 'yes'; });

  // 3. US acknowledges it.
  await Promise.all([us.waitForNavigation(), us.click(`#m-${first} a[dir="auto"]`)]);
  check((await us.locator('.text').textContent()).includes('сканирование'), 'US: the message page shows the text as written');
  // From the keyboard: to the note, type it, Enter.
  await us.focus('#note');
  await us.keyboard.type('Received; the CERT is looking into it.');
  await Promise.all([us.waitForNavigation(), us.keyboard.press('Enter')]);
  check((await us.locator('.notice[role="status"]').count()) === 1, 'US: acknowledged');
  // And replies, from the message's page.
  await Promise.all([us.waitForNavigation(), us.click('a[href^="/console/compose?in_reply_to="]')]);
  check((await us.locator('input[name="kind"]').getAttribute('value')) === 'reply', 'US: the reply form is for a reply to that message');
  await inspect(us, 'US-reply-en', 'en', 'ltr');
  await us.selectOption('#stage', 'interim');
  await us.fill('#text', 'The source is a university network; we have asked its operator to stop it.');
  await Promise.all([us.waitForNavigation(), us.click('form.compose button[type="submit"]')]);
  check(/\/console\/messages\/[0-9a-f-]+$/.test(us.url()) && !us.url().endsWith(first), 'US: the reply is signed and queued');
  check((await us.locator('ol.thread li').count()) >= 3, 'US: its page shows the whole thread (notification, acknowledgement, reply)');

  // 4. RU sees it acknowledged, without a reload.
  const acknowledged = await waitUntil('the acknowledgement on RU', async () => (await ru.locator(`#m-${first}.state-acknowledged`).count()) === 1);
  check(acknowledged, 'RU: the notification shows as acknowledged');
  check((await ru.evaluate(() => window.__sameDocument)) === 'yes', 'RU: without a reload');
  await inspect(ru, 'RU-inbox-acknowledged-ru', 'ru', 'ltr');

  // 5. A second FLASH notification nobody acknowledges: the demo's clock
  // moves 61 minutes, past the agreed hour, and the deadline escalates.
  // This one from the keyboard alone: the precedence list to its last
  // word (FLASH), the texts typed, Enter in the subject sends the form.
  await ru.goto(new URL('/console/compose?to=US&kind=notification', RU.console.url).href);
  await ru.focus('#precedence');
  await ru.keyboard.press('End');
  await ru.focus('#text');
  await ru.keyboard.type('Без ответа.');
  await ru.focus('#subject');
  await ru.keyboard.type('Повторное сканирование');
  await Promise.all([ru.waitForNavigation(), ru.keyboard.press('Enter')]);
  const second = (/\/console\/messages\/([0-9a-f-]+)$/.exec(ru.url()) || [])[1];
  check(Boolean(second) && (await ru.locator('h1 .precedence.flash').count()) === 1, `RU: a FLASH notification composed from the keyboard alone (${second})`);
  await waitUntil('the second notification on US', async () => {
    await us.goto(new URL(`/console/messages/${second}`, US.console.url).href);
    return us.url().endsWith(second);
  });
  demo.stdin.write('advance 61m\n');
  for (const [name, context, party, lang] of [['RU', ruContext, RU, 'ru'], ['US', usContext, US, 'en']]) {
    // An hour passed: the session ended while idle, as it would.
    const page = await signIn(context, party, party.console.officer, lang);
    const escalated = await waitUntil(`the escalation on ${name}`, async () => {
      await page.goto(new URL('/console/deadlines', party.console.url).href);
      const row = page.locator(`tr.deadline-missed[data-message="${second}"] td.escalated`);
      return (await row.count()) > 0 && (await row.first().textContent()).trim() !== '—';
    });
    check(escalated, `${name}: the missed deadline shows, escalated, on the deadlines page`);
    await inspect(page, `${name}-deadlines-${lang}`, lang, 'ltr');
    await page.goto(new URL('/console/inbox', party.console.url).href);
    check((await page.locator(`#m-${second}.state-escalated`).count()) === 1, `${name}: the inbox says ESCALATED`);
  }
  await ruContext.close();
  await usContext.close();
}

// An officer cleared only for `technical`, trying by crafted requests to
// see or send policy and leadership traffic.
async function clearance(browser, state) {
  const US = state.parties.US;
  console.log('Clearance: an officer cleared only for technical, at US:');
  const password = 'technical-only-officer-password';
  const added = spawnSync(detente, ['officer', 'add', '--dir', US.node_dir, '--name', 'tech', '--tiers', 'technical', '--password', '--password-stdin'], { input: `${password}\n`, encoding: 'utf8' });
  check(added.status === 0, `detente officer add --tiers technical --password-stdin (exit ${added.status})${added.status === 0 ? '' : added.stderr}`);
  const api = await browser.newContext({ ignoreHTTPSErrors: true, extraHTTPHeaders: { Authorization: `Bearer ${US.ministry_token}` } });
  const listed = await (await api.request.get(new URL('/api/v1/messages?limit=1000', US.base_url).href)).json();
  const high = listed.messages.filter((m) => {
    const ours = m.direction === 'sent' ? m.from.tier : m.to.tier;
    return ours === 'policy' || ours === 'leadership';
  });
  check(high.length > 0, `US holds policy and leadership messages (${high.length})`);
  await api.close();

  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const page = await signIn(context, US, { name: 'tech', password });
  const inbox = await page.content();
  check(high.every((m) => !inbox.includes(m.id)), 'the inbox lists none of them');
  let hidden = 0;
  for (const m of high) {
    const shown = await page.request.get(new URL(`/console/messages/${m.id}`, US.base_url).href);
    const evidence = await page.request.get(new URL(`/console/messages/${m.id}/evidence`, US.base_url).href);
    const reply = await page.request.get(new URL(`/console/compose?in_reply_to=${m.id}`, US.base_url).href);
    if (shown.status() === 404 && evidence.status() === 404 && reply.status() === 404) hidden += 1;
  }
  check(hidden === high.length, `each one's page, evidence and reply form answer 404 (${hidden} of ${high.length})`);
  await page.goto(new URL('/console/compose?to=RU&kind=notification', US.base_url).href);
  const offered = await page.locator('#from_tier option').evaluateAll((options) => options.map((o) => o.value));
  check(offered.join(',') === 'technical', `the compose form offers only technical to speak for (${offered})`);
  // A crafted POST that speaks for leadership, from this very session.
  const csrf = await page.locator('form.compose input[name="csrf"]').getAttribute('value');
  const crafted = await page.request.post(new URL('/console/compose', US.base_url).href, {
    headers: { Origin: new URL(US.base_url).origin },
    multipart: { csrf, to: 'RU', kind: 'notification', from_tier: 'leadership', to_tier: 'technical', precedence: 'flash', tlp: 'AMBER', subject: 'crafted', text: 'crafted' },
  });
  const body = await crafted.text();
  check(crafted.status() === 422 && body.includes('id="error-from_tier"'), `a crafted POST speaking for leadership is refused at its field (${crafted.status()})`);
  await page.setContent(body);
  await page.screenshot({ path: path.join(out, 'US-compose-refused-en.png'), fullPage: true });
  // And one with no CSRF token, or from another site.
  const forged = await page.request.post(new URL('/console/compose', US.base_url).href, {
    headers: { Origin: 'https://evil.example' },
    multipart: { csrf, to: 'RU', kind: 'notification', from_tier: 'technical', to_tier: 'technical', subject: 'x', text: 'x' },
  });
  check(forged.status() === 403, `a cross-site POST is refused (${forged.status()})`);
  const tokenless = await page.request.post(new URL('/console/compose', US.base_url).href, {
    headers: { Origin: new URL(US.base_url).origin },
    multipart: { to: 'RU', kind: 'notification', from_tier: 'technical', to_tier: 'technical', subject: 'x', text: 'x' },
  });
  check(tokenless.status() === 403, `a POST without the session's CSRF token is refused (${tokenless.status()})`);
  // After signing out, the same cookie opens nothing.
  const cookies = await context.cookies();
  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/sign-out"] button')]);
  const replay = await browser.newContext({ ignoreHTTPSErrors: true });
  await replay.addCookies(cookies);
  const after = await replay.request.get(new URL('/console/inbox', US.base_url).href, { maxRedirects: 0 });
  check(after.status() === 303 || after.status() === 302 || after.status() === 307, `the session is refused after sign-out (${after.status()} to ${after.headers().location})`);
  await replay.close();
  await context.close();
}

// Every page of the console, in every language, for axe and a screenshot;
// the drafts reviewed, sent and discarded; the commitments on another date.
async function tour(browser, state) {
  const RU = state.parties.RU;
  console.log('Every page, in every language (RU):');
  const api = await browser.newContext({ ignoreHTTPSErrors: true, extraHTTPHeaders: { Authorization: `Bearer ${RU.officer_token}` } });
  const draft = async (name) => {
    const made = await api.request.post(new URL('/api/v1/drafts', RU.base_url).href, {
      data: {
        counterparty: 'US',
        source: 'SIEM alert 4711 (test)',
        bundle: {
          type: 'bundle', id: `bundle--${crypto.randomUUID()}`,
          objects: [{
            type: 'indicator', spec_version: '2.1', id: `indicator--${crypto.randomUUID()}`,
            created: '2026-12-07T03:00:00.000Z', modified: '2026-12-07T03:00:00.000Z',
            name, pattern: "[ipv4-addr:value = '203.0.113.9']", pattern_type: 'stix', valid_from: '2026-12-07T03:00:00Z',
          }],
        },
      },
    });
    return (await made.json()).id;
  };
  const toSend = await draft('Beacon to 203.0.113.9');
  const toDiscard = await draft('False positive');
  check(Boolean(toSend && toDiscard), `two drafts made through the officer API (${toSend}, ${toDiscard})`);
  await api.close();

  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, RU, RU.console.officer, 'ru');
  const pages = [
    ['inbox', '/console/inbox'],
    ['compose', '/console/compose'],
    ['deadlines', '/console/deadlines'],
    ['commitments', '/console/commitments'],
    ['log', '/console/log'],
    ['responsiveness', '/console/responsiveness?counterparty=US'],
    ['drafts', '/console/drafts'],
    ['draft', `/console/drafts/${toSend}`],
    ['alerts', '/console/alerts'],
  ];
  for (const [lang, dir] of [['ru', 'ltr'], ['en', 'ltr'], ['ar', 'rtl']]) {
    await switchLanguage(page, lang);
    for (const [name, href] of pages) {
      const response = await page.goto(new URL(href, RU.base_url).href);
      check(response.status() === 200, `${name} (${lang}) answers 200`);
      await inspect(page, `RU-${name}-${lang}`, lang, dir);
    }
  }
  await switchLanguage(page, 'en');

  await page.goto(new URL('/console/commitments', RU.base_url).href);
  check((await page.locator('tr.in-force').count()) > 0, 'commitments: an agreement is in force now');
  check((await page.locator('ul.signatures li.signed').count()) > 0, 'commitments: its signatures are shown');
  await page.goto(new URL('/console/commitments?at=2020-01-01', RU.base_url).href);
  check((await page.locator('tr.in-force').count()) === 0 && (await page.locator('.notice[role="status"]').textContent()).includes('2020-01-01'), 'commitments: on 2020-01-01 nothing was in force');
  const refused = await page.goto(new URL('/console/commitments?at=yesterday-ish', RU.base_url).href);
  check(refused.status() === 422 && (await page.locator('#error-at').count()) === 1, 'commitments: a date that is not one is refused at its field');

  await page.goto(new URL('/console/responsiveness?counterparty=US', RU.base_url).href);
  check((await page.locator('svg[role="img"] rect.seg').count()) > 4, 'responsiveness: the charts are drawn');
  const [figures] = await Promise.all([page.waitForEvent('download'), page.locator('a[download]').last().click()]);
  const bundle = path.join(out, 'RU-responsiveness-evidence.json');
  await figures.saveAs(bundle);
  const verified = spawnSync(detente, ['verify', bundle], { encoding: 'utf8' });
  check(verified.status === 0 && /PROVEN\s+figures/.test(verified.stdout), `responsiveness: the quarter's evidence passes detente verify, figures recomputed (exit ${verified.status})`);

  await page.goto(new URL('/console/log', RU.base_url).href);
  check((await page.locator('pre.note').first().textContent()).startsWith('detente.RU/log/v1'), 'log: the latest signed checkpoint is shown');

  check((await page.locator('tr[class^="guarantee-"]').count()) === 0, 'commitments: an officer not cleared for policy sees no policy-tier guarantee');

  // The ministry (policy and leadership) sees the guarantee and the pledge.
  const ministry = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  const minister = await signIn(ministry, RU, RU.console.ministry, 'en');
  await minister.goto(new URL('/console/commitments', RU.base_url).href);
  check((await minister.locator('tr.guarantee-in-force').count()) === 1, 'commitments: the ministry sees the guarantee in force');
  check((await minister.locator('a[href^="/console/evidence?pledge="]').count()) >= 1, 'commitments: and the pledge');
  const [guaranteeDownload] = await Promise.all([minister.waitForEvent('download'), minister.locator('a[href^="/console/evidence?guarantee="]').first().click()]);
  const guaranteeBundle = path.join(out, 'RU-guarantee-evidence.json');
  await guaranteeDownload.saveAs(guaranteeBundle);
  const guaranteeVerified = spawnSync(detente, ['verify', guaranteeBundle], { encoding: 'utf8' });
  check(guaranteeVerified.status === 0, `commitments: the guarantee's evidence passes detente verify (exit ${guaranteeVerified.status})${guaranteeVerified.status === 0 ? '' : guaranteeVerified.stdout}`);
  for (const [lang, dir] of [['en', 'ltr'], ['ru', 'ltr'], ['ar', 'rtl']]) {
    await switchLanguage(minister, lang);
    await inspect(minister, `RU-commitments-ministry-${lang}`, lang, dir);
  }
  await ministry.close();

  // A draft reviewed and sent; another discarded.
  await page.goto(new URL(`/console/drafts/${toSend}`, RU.base_url).href);
  await page.selectOption('#from_tier', 'technical');
  await page.selectOption('#to_tier', 'technical');
  await page.selectOption('#precedence', 'priority');
  await page.fill('#subject', 'Beacon to 203.0.113.9 from a host in your range');
  await page.fill('#text', 'Our SIEM saw the beacon; the indicator is attached.');
  await Promise.all([page.waitForNavigation(), page.click('form.compose button')]);
  check(/\/console\/messages\/[0-9a-f-]+$/.test(page.url()), 'drafts: sent as a notification');
  await page.goto(new URL(`/console/drafts/${toDiscard}`, RU.base_url).href);
  await Promise.all([page.waitForNavigation(), page.click('form.discard button')]);
  check((await page.locator('form.compose').count()) === 0 && (await page.locator('dl.facts').textContent()).includes('Discarded'), 'drafts: discarded, and no longer offered for sending');
  await context.close();
}

// US's alerts (the demo's FLASH, acknowledged from its email's link, and
// an escalation nobody answered) in every language; acknowledging one in
// the console; the link's page for a link that is not valid.
async function alerts(browser, state) {
  const US = state.parties.US;
  console.log('Alerts (US):');
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, US, US.console.officer, 'en');
  for (const [lang, dir] of [['en', 'ltr'], ['ru', 'ltr'], ['ar', 'rtl']]) {
    await switchLanguage(page, lang);
    const response = await page.goto(new URL('/console/alerts', US.base_url).href);
    check(response.status() === 200, `alerts (${lang}) answers 200`);
    await inspect(page, `US-alerts-${lang}`, lang, dir);
  }
  await switchLanguage(page, 'en');
  await page.goto(new URL('/console/alerts', US.base_url).href);
  const acknowledged = page.locator('tr.alert-acknowledged');
  check((await acknowledged.count()) >= 1 && (await acknowledged.first().textContent()).includes('duty-1 (link)'), 'alerts: the FLASH alert shows who acknowledged it, and how');
  check((await acknowledged.first().textContent()).includes('message'), 'alerts: beside it, the state of the message itself');
  const open = page.locator('tr.alert-open, tr.alert-unanswered');
  const before = await open.count();
  check(before >= 1, `alerts: ${before} alert(s) still waiting for someone`);
  if (before >= 1) {
    await Promise.all([page.waitForNavigation(), open.first().locator('button').click()]);
    const notice = await page.locator('.notice[role="status"]').textContent();
    check(/acknowledged\. The message it is about is not acknowledged by this/.test(notice), `alerts: acknowledged in the console (${notice.trim()})`);
    check((await page.locator('tr.alert-open, tr.alert-unanswered').count()) === before - 1, 'alerts: one fewer waiting');
    await page.screenshot({ path: path.join(out, 'US-alerts-acknowledged-en.png'), fullPage: true });
  }
  const bad = await page.goto(new URL('/alerts/ack/not-a-token', US.base_url).href);
  check(bad.status() === 404, `a link that is not valid answers 404 (${bad.status()})`);
  await inspect(page, 'US-alert-link-invalid-en', 'en', 'ltr');
  await context.close();
}

const { demo, state, dir } = await startDemo();
let browser;
try {
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  await party(browser, 'RU', state, 'ru-RU', 'ru');
  await party(browser, 'US', state, 'en-US', 'en');
  await clearance(browser, state);
  await tour(browser, state);
  await alerts(browser, state);
  await flow(browser, state, demo);
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
