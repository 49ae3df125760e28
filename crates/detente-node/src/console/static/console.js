// The console's only script (docs/console.md). Without it every page
// still works; with it:
//   - open deadlines count down, in the page's language (Intl);
//   - an open inbox receives new and changed rows as server-sent events
//     (/console/events) and puts them in place without a reload;
//   - a FLASH or IMMEDIATE arrival plays a sound and, once the officer has
//     allowed it, raises a browser notification.
'use strict';

(function () {
  const lang = document.documentElement.lang || 'en';
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'always' });
  // The node's clock, not this computer's: the page says what time it was
  // at the node when it was made.
  const made = Date.parse(document.documentElement.dataset.now);
  const offset = Number.isNaN(made) ? 0 : made - Date.now();

  // Counting down: the largest unit that keeps two or more of it.
  function countdown(ms) {
    const s = Math.round(ms / 1000);
    const abs = Math.abs(s);
    if (abs >= 2 * 86400) return relative.format(Math.trunc(s / 86400), 'day');
    if (abs >= 2 * 3600) return relative.format(Math.trunc(s / 3600), 'hour');
    if (abs >= 2 * 60) return relative.format(Math.trunc(s / 60), 'minute');
    return relative.format(s, 'second');
  }

  function tick() {
    const now = Date.now() + offset;
    for (const el of document.querySelectorAll('.countdown[data-due]')) {
      const left = Date.parse(el.dataset.due) - now;
      el.textContent = `(${countdown(left)})`;
      el.classList.toggle('overdue', left < 0);
    }
  }
  tick();
  setInterval(tick, 1000);

  const live = document.getElementById('live');
  if (!live) return;
  const status = document.getElementById('live-status');
  const button = document.getElementById('notify');
  let audio = null;

  // Browsers let a page play sound and ask for notifications only after
  // the officer has done something on it: the button does both.
  function unlockAudio() {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if (audio && audio.state === 'suspended') audio.resume();
  }
  document.addEventListener('click', unlockAudio);
  document.addEventListener('keydown', unlockAudio);

  function showPermission() {
    if (!('Notification' in window)) return;
    if (Notification.permission === 'granted') {
      button.hidden = true;
      status.textContent = live.dataset.labelEnabled;
    } else if (Notification.permission === 'denied') {
      button.hidden = true;
      status.textContent = live.dataset.labelDenied;
    } else {
      button.hidden = false;
    }
  }
  button.addEventListener('click', async () => {
    unlockAudio();
    if ('Notification' in window) await Notification.requestPermission();
    showPermission();
  });
  showPermission();

  // Three short tones, distinct from anything a browser plays itself.
  function chime() {
    if (!audio) return;
    const start = audio.currentTime;
    for (let i = 0; i < 3; i += 1) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, start + i * 0.25);
      gain.gain.setValueAtTime(0, start + i * 0.25 + 0.15);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + i * 0.25);
      tone.stop(start + i * 0.25 + 0.15);
    }
  }

  function alertOfficer(update) {
    document.documentElement.dataset.lastAlert = update.id;
    chime();
    if ('Notification' in window && Notification.permission === 'granted') {
      const note = new Notification(document.title, { body: update.notice, tag: update.id });
      note.onclick = () => { window.focus(); window.location.href = `/console/messages/${update.id}`; };
    }
  }

  function place(update) {
    const body = document.querySelector('#inbox tbody');
    const holder = document.createElement('tbody');
    holder.innerHTML = update.html.trim();
    const row = holder.firstElementChild;
    if (!row) return;
    const existing = document.getElementById(row.id);
    if (existing) {
      existing.replaceWith(row);
    } else {
      body.prepend(row);
      const empty = document.getElementById('inbox-empty');
      if (empty) empty.hidden = true;
    }
    row.classList.add('fresh');
    tick();
  }

  const source = new EventSource(live.dataset.events);
  source.addEventListener('message', (event) => {
    const update = JSON.parse(event.data);
    place(update);
    if (update.alert) {
      status.textContent = update.notice;
      alertOfficer(update);
    }
  });
})();
