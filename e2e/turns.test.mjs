// A volunteer records support turns offline on a phone; when the connection
// returns the queue syncs, and nothing is lost or counted twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, api, setUpCoordinator, switchUser, nav } from './server.mjs';

let server;
let browser;
const shots = process.env.SCREENSHOT_DIR;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});


test('offline turns sync once: exactly 5 on the server, still 5 after a second sync and a reload', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'vi-VN' });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (process.env.E2E_DEBUG) console.log('console:', m.text()); });
  page.on('pageerror', (e) => { if (process.env.E2E_DEBUG) console.log('pageerror:', e.message); });
  const step = (s) => { if (process.env.E2E_DEBUG) console.log('step:', s); };
  // The coordinator sets up and creates a volunteer account through the API.
  await setUpCoordinator(page, server);
  // A fresh install has no sample villages: the coordinator adds the commune's own.
  for (const name of ['Thôn Đông', 'Thôn Tây']) {
    assert.equal((await api(page, 'POST', '/api/v1/units', { name, kind: 'village' })).status, 201);
  }
  const units = (await api(page, 'GET', '/api/v1/units')).json.units;
  const union = units.find((u) => u.slug === 'doan-tn');
  const created = await api(page, 'POST', '/api/v1/users', { username: 'tnv.an', full_name: 'Trần Văn An', role: 'volunteer', unit_id: union.id, password: 'mat-khau-dai-2026' });
  assert.equal(created.status, 201);

  // The volunteer logs in on the phone and opens the recording page.
  await switchUser(page, 'tnv.an', 'mat-khau-dai-2026');
  await nav(page, 'Ghi lượt hỗ trợ');
  await page.waitForURL(/\/ghi-luot/);
  assert.equal(await page.locator('button.service').count(), 6, 'the six services of line 3');
  step('waiting for the service worker');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.reload(); // now controlled by the service worker, which keeps the page
  await page.locator('#village').selectOption({ label: 'Thôn Tây' });
  await page.locator('#day').fill('2026-07-15');

  step('offline');
  await ctx.setOffline(true);
  // The page itself opens offline, from the service worker.
  await page.reload();
  await page.locator('#net').waitFor();
  assert.equal(await page.locator('#village').inputValue(), units.find((u) => u.name === 'Thôn Tây').id, 'village remembered');
  await page.locator('#day').fill('2026-07-15');
  const services = ['asxh-vneid', 'so-suc-khoe', 'smart-hai-phong', 'asxh-vneid', 'dich-vu-cong'];
  for (const [i, s] of services.entries()) {
    if (i === 1) await page.locator('#elderly').check();
    await page.locator(`button.service[data-service="${s}"]`).click();
  }
  await page.locator('#pending', { hasText: '5' }).waitFor();
  // The failed sends tell the page it is offline (navigator.onLine may still say online).
  await page.locator('#net', { hasText: 'ngoại tuyến' }).waitFor();
  assert.equal(await page.locator('#recent li[data-status="pending"]').count(), 5);
  if (shots) await page.screenshot({ path: `${shots}/turns-phone-offline.png` });

  step('online');
  await ctx.setOffline(false);
  await page.locator('#pending', { hasText: '0' }).waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#recent li[data-status="stored"]').count(), 5);

  const mine = async () => (await api(page, 'GET', '/api/v1/turns?mine=true')).json;
  let turns = await mine();
  assert.equal(turns.length, 5, 'exactly 5 on the server');
  assert.equal(turns.filter((t) => t.elderly === 1).length, 1);
  assert.ok(turns.every((t) => t.day === '2026-07-15'));

  // Re-send the same five (as a phone would after a lost answer): stored once.
  const ids = turns.map((t) => t.id);
  const again = await api(page, 'POST', '/api/v1/turns/batch', {
    turns: turns.map((t) => ({ id: t.id, unit_id: t.unit_id, service: t.service, day: t.day, elderly: t.elderly === 1 })),
  });
  assert.equal(again.json.duplicate, 5);
  assert.equal(again.json.stored, 0);
  // The same id with other content is someone else's record: refused, not a duplicate.
  const other = await api(page, 'POST', '/api/v1/turns/batch', {
    turns: [{ id: turns[0].id, unit_id: turns[0].unit_id, service: turns[0].service === 'so-suc-khoe' ? 'asxh-vneid' : 'so-suc-khoe', day: turns[0].day }],
  });
  assert.equal(other.json.rejected, 1);
  assert.equal(other.json.results[0].error.code, 'id_taken');
  await page.locator('#sync-now').click();
  await page.reload();
  turns = await mine();
  assert.equal(turns.length, 5, 'still 5 after a second sync and a reload');
  assert.deepEqual(turns.map((t) => t.id).sort(), ids.sort());

  // Undo the last one within the undo time.
  await page.locator('#recent li').first().getByRole('button', { name: 'Hoàn tác' }).click();
  await page.locator('#recent li[data-status="undone"]').waitFor();
  turns = await mine();
  assert.equal(turns.length, 4, 'an undone turn no longer counts');
  if (shots) await page.screenshot({ path: `${shots}/turns-phone.png` });
  await ctx.close();
});
