// The public village page on a phone, without logging in: the coordinator
// plans a session for Thôn mẫu 1, and a citizen opening the village's page
// (from the QR poster) sees it, with what to bring. Screenshot of the page
// goes to $SCREENSHOT_DIR when set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, api } from './server.mjs';

let server;
let browser;
const shots = process.env.SCREENSHOT_DIR;
// A day of the campaign: volunteers' shifts open only inside the plan's period.
const TODAY = '2026-07-20';

before(async () => {
  server = await startServer({ demo: true, today: TODAY });
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the public village page lists the planned session, no login needed', { timeout: 120000 }, async () => {
  // The coordinator plans a session (through the API, as a phone app would).
  const staff = await browser.newContext();
  const page = await staff.newPage();
  await page.goto(`${server.url}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill('demo');
  await page.getByLabel('Mật khẩu').fill('demo-kehoach-2026');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap'));
  const units = await api(page, 'GET', '/api/v1/units');
  const village = units.json.units.find((u) => u.slug === 'thon-mau-1');
  const created = await api(page, 'POST', '/api/v1/sessions', {
    id: crypto.randomUUID(), line_id: 'l3-support', unit_id: village.id, kind: 'guidance', status: 'planned',
    day: '2026-08-28', start_time: '14:00', end_time: '16:30', venue: 'Nhà văn hóa thôn mẫu 1',
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  await staff.close();

  // A citizen, on a phone, not logged in.
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'vi-VN', isMobile: true, hasTouch: true });
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(`${server.url}/cong-khai`);
  await p.getByRole('link', { name: village.name }).click();
  await p.waitForURL(/\/cong-khai\/thon-mau-1/);
  await p.goto(`${server.url}/cong-khai/thon-mau-1?tuan=28/08/2026`);
  const item = p.locator('.psession', { hasText: '28/08/2026' });
  await item.waitFor();
  const text = await item.textContent();
  assert.match(text, /14:00–16:30/);
  // Seen on 20/07/2026, the session of 28/08 is still to come.
  assert.match(text, /Dự kiến/);
  assert.match(text, /Nhà văn hóa thôn mẫu 1/);
  assert.match(text, /căn cước công dân/);
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `fits the phone: ${width}`);
  if (shots) await p.screenshot({ path: `${shots}/public-village-phone.png`, fullPage: true });
  // The calendar link and the poster are there.
  assert.equal(await p.locator('a[href="/cong-khai/thon-mau-1/lich.ics"]').count(), 1);
  const poster = await p.request.get(`${server.url}/cong-khai/thon-mau-1/ap-phich.pdf`);
  assert.equal(poster.status(), 200);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a volunteer signs up for a shift on a phone and sees it in “my shifts”', { timeout: 120000 }, async () => {
  // The coordinator opens a shift in Thôn mẫu 2, a week from the server's today.
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await staff.newPage();
  await page.goto(`${server.url}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill('demo');
  await page.getByLabel('Mật khẩu').fill('demo-kehoach-2026');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap'));
  const units = await api(page, 'GET', '/api/v1/units');
  const village = units.json.units.find((u) => u.slug === 'thon-mau-2');
  const day = '2026-07-27';
  const shift = await api(page, 'POST', '/api/v1/shifts', {
    id: crypto.randomUUID(), unit_id: village.id, day, start_time: '08:00', end_time: '11:00', places: 2,
  });
  assert.equal(shift.status, 201, JSON.stringify(shift.json));
  await page.goto(`${server.url}/doi-hinh`);
  await page.locator('#shifts td', { hasText: village.name }).first().waitFor();
  if (shots) await page.screenshot({ path: `${shots}/teams.png`, fullPage: true });
  await staff.close();

  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'vi-VN', isMobile: true, hasTouch: true });
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(`${server.url}/dang-nhap`);
  await p.getByLabel('Tên đăng nhập').fill('tnv01');
  await p.getByLabel('Mật khẩu').fill('demo-kehoach-2026');
  await p.getByRole('button', { name: 'Đăng nhập' }).click();
  // A volunteer lands on their shifts, with a compact menu.
  await p.waitForURL(/\/ca-cua-toi/);
  const menu = await p.locator('header nav > a').allInnerTexts();
  assert.ok(menu.length <= 4, `a compact menu: ${menu}`);
  assert.equal(await p.locator('header nav a[href="/api/docs"]').count(), 0, 'no API link for a volunteer');
  assert.equal(await p.locator('a[href="/doi-hinh"]').count(), 0, 'no team management link for a volunteer');
  const open = p.locator(`#open-shifts [data-shift="${shift.json.id}"]`);
  await open.getByRole('button', { name: 'Đăng ký ca này' }).click();
  await p.waitForURL(/ok=shift_taken/);
  await p.getByText('Đã đăng ký ca.').waitFor();
  const mine = p.locator(`#my-shifts [data-shift="${shift.json.id}"]`);
  assert.match(await mine.textContent(), new RegExp(village.name.replace(/[()]/g, '.')));
  assert.equal(await p.locator(`#open-shifts [data-shift="${shift.json.id}"]`).count(), 0);
  if (shots) await p.screenshot({ path: `${shots}/my-shifts-phone.png`, fullPage: true });
  // Plans change: the volunteer takes the sign-up back before the shift,
  // and the place is open again.
  p.once('dialog', (d) => d.accept());
  await mine.getByRole('button', { name: 'Hủy đăng ký' }).click();
  await p.waitForURL(/ok=shift_withdrawn/);
  await p.getByText('Đã hủy đăng ký ca').waitFor();
  assert.equal(await p.locator(`#my-shifts [data-shift="${shift.json.id}"]`).count(), 0);
  await p.locator(`#open-shifts [data-shift="${shift.json.id}"]`).getByRole('button', { name: 'Đăng ký ca này' }).waitFor();
  assert.deepEqual(errors, []);
  await ctx.close();
});
