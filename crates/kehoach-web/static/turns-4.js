// Support-turn recording that works offline: every tap becomes a record with
// a client-made UUID v7, kept in localStorage until the server has stored it.
// The server stores each id once, so re-sending after a lost answer is safe.
// Each turn keeps the plan it was recorded in and is sent to that plan
// (X-Kehoach-Plan), even if the phone works in another plan by then.
(() => {
  'use strict';
  const root = document.getElementById('ghi-luot');
  if (!root || !document.getElementById('village')) return;
  const QUEUE = 'kh_turn_queue_v1';
  const RECENT = 'kh_turn_recent_v1';
  const VILLAGE = 'kh_turn_village';
  const UNDO_MS = 10 * 60 * 1000;
  const csrf = root.dataset.csrf;
  const plan = root.dataset.plan || '';
  const $ = (id) => document.getElementById(id);
  const village = $('village');
  const day = $('day');
  const elderly = $('elderly');
  const serviceLabel = Object.fromEntries([...document.querySelectorAll('button.service')].map((b) => [b.dataset.service, b.textContent]));
  const load = (k) => { try { return JSON.parse(localStorage.getItem(k) || '[]'); } catch { return []; } };
  const save = (k, v) => localStorage.setItem(k, JSON.stringify(v));
  let flushing = false;
  // Whether the last request reached the server. navigator.onLine alone is
  // not enough: it stays true on a phone with signal but no data, and in
  // Chromium's emulated offline.
  let reachable = true;

  function uuidv7() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    let ts = Date.now();
    for (let i = 5; i >= 0; i--) { b[i] = ts % 256; ts = Math.floor(ts / 256); }
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function say(text, kind) {
    const m = $('message');
    m.textContent = text;
    m.className = `notice ${kind || ''}`;
    m.hidden = !text;
  }

  function render() {
    const queue = load(QUEUE);
    $('pending').textContent = queue.length;
    const net = $('net');
    const online = navigator.onLine && reachable;
    net.textContent = online ? 'trực tuyến' : 'ngoại tuyến';
    net.className = `badge ${online ? 'ok' : 'off'}`;
        // Turns this phone recorded today (not undone, not refused).
    const midnight = new Date().setHours(0, 0, 0, 0);
    $('today-count').textContent = load(RECENT).filter((r) => r.recorded_at >= midnight && r.status !== 'undone' && r.status !== 'rejected').length;
    const ul = $('recent');
    ul.replaceChildren();
    const now = Date.now();
    for (const r of load(RECENT).slice(0, 20)) {
      const li = document.createElement('li');
      li.dataset.id = r.id;
      li.dataset.status = r.status;
      const when = new Date(r.recorded_at).toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit' });
      const status = { pending: 'chờ gửi', stored: 'đã lưu', duplicate: 'đã lưu', rejected: 'bị từ chối', undone: 'đã hoàn tác' }[r.status];
      li.textContent = `${when} · ${r.village} · ${serviceLabel[r.service] || r.service}${r.elderly ? ' · người cao tuổi' : ''} — ${status}`;
      if (r.error) li.title = r.error;
      if (r.status !== 'undone' && r.status !== 'rejected' && now - r.recorded_at < UNDO_MS) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'link undo';
        b.textContent = 'Hoàn tác';
        b.addEventListener('click', () => undo(r.id));
        li.append(' ', b);
      }
      ul.append(li);
    }
  }

  function setRecent(id, patch) {
    save(RECENT, load(RECENT).map((r) => (r.id === id ? { ...r, ...patch } : r)));
  }

  async function flush() {
    if (flushing) return;
    const queue = load(QUEUE);
    if (!queue.length) { render(); return; }
    flushing = true;
    try {
      // One plan per batch: the oldest turn's (turns queued before plans
      // were kept go to the plan the browser works in).
      const first = queue[0].plan || '';
      const batch = queue.filter((t) => (t.plan || '') === first).slice(0, 500);
      const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
      if (first) headers['X-Kehoach-Plan'] = first;
      const resp = await fetch('/api/v1/turns/batch', {
        method: 'POST',
        credentials: 'same-origin',
        headers,
        body: JSON.stringify({ turns: batch.map(({ plan: _p, ...t }) => t) }),
      });
      reachable = true;
      if (resp.status === 401 || resp.status === 403) {
        say('Phiên đăng nhập đã hết: các lượt vẫn được giữ trên máy, hãy đăng nhập lại rồi mở lại trang này.', 'error');
        return;
      }
      let reply;
      if (resp.status === 404 || resp.status === 409) {
        // The plan is gone or closed: the whole batch is refused, with its
        // reason beside each turn, and the queue moves on.
        const body = await resp.json().catch(() => ({}));
        const error = body.error || { message: `Máy chủ từ chối (mã ${resp.status}).` };
        reply = { results: batch.map((t) => ({ id: t.id, status: 'rejected', error })) };
      } else if (!resp.ok) {
        return;
      } else {
        reply = await resp.json();
      }
      const done = new Set();
      let refused = 0;
      for (const r of reply.results) {
        done.add(r.id);
        if (r.status === 'rejected') {
          refused += 1;
          setRecent(r.id, { status: 'rejected', error: r.error && r.error.message });
        } else {
          setRecent(r.id, { status: r.status });
        }
      }
      save(QUEUE, load(QUEUE).filter((t) => !done.has(t.id)));
      if (refused) say(`${refused} lượt bị từ chối: xem lý do ở danh sách bên dưới.`, 'error');
      if (load(QUEUE).length) setTimeout(flush, 0);
    } catch (e) {
      // Offline or the answer was lost: the queue stays; the same ids are re-sent later.
      reachable = false;
    } finally {
      flushing = false;
      render();
    }
  }

  function tap(service) {
    const opt = village.selectedOptions[0];
    const turn = { id: uuidv7(), unit_id: village.value, service, elderly: elderly.checked, day: day.value, recorded_at: Date.now(), plan };
    const queue = load(QUEUE);
    queue.push(turn);
    save(QUEUE, queue);
    const recent = load(RECENT);
    recent.unshift({ ...turn, village: opt ? opt.textContent : '', status: 'pending' });
    save(RECENT, recent.slice(0, 1000));
    elderly.checked = false;
    render();
    flush();
  }

  async function undo(id) {
    const queue = load(QUEUE);
    if (queue.some((t) => t.id === id)) {
      save(QUEUE, queue.filter((t) => t.id !== id));
      setRecent(id, { status: 'undone' });
    } else {
      try {
        const resp = await fetch(`/api/v1/turns/${id}`, {
          method: 'DELETE',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ reason: 'Hoàn tác' }),
        });
        reachable = true;
        if (!resp.ok) { say('Không hoàn tác được (quá 10 phút hoặc không có quyền).', 'error'); return; }
        setRecent(id, { status: 'undone' });
      } catch {
        reachable = false;
        say('Cần kết nối mạng để hoàn tác lượt đã gửi.', 'error');
        render();
        return;
      }
    }
    render();
  }

  const remembered = localStorage.getItem(VILLAGE);
  if (remembered && [...village.options].some((o) => o.value === remembered)) village.value = remembered;
  village.addEventListener('change', () => localStorage.setItem(VILLAGE, village.value));
  document.querySelectorAll('button.service').forEach((b) => b.addEventListener('click', () => tap(b.dataset.service)));
  $('sync-now').addEventListener('click', flush);
  window.addEventListener('online', flush);
  window.addEventListener('offline', render);
  setInterval(flush, 15000);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  render();
  flush();
})();
