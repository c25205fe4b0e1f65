// A school reporter imports its pupils (seeing the bad rows first), records a
// smart-classroom session for a class and checks pupils in by name and by card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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


test('school reporter: pupils import with preview, a class session, check-in once', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await ctx.newPage();
  await setUpCoordinator(page, server);
  const units = (await api(page, 'GET', '/api/v1/units')).json.units;
  const school = units.find((u) => u.slug === 'th-trung-lap');
  assert.equal((await api(page, 'POST', `/api/v1/units/${school.id}/classes`, { name: '5A', pupils: 30 })).status, 201);
  assert.equal((await api(page, 'POST', '/api/v1/users', { username: 'bcv.trunglap', full_name: 'Lê Thị Mai', role: 'unit_reporter', unit_id: school.id, password: 'mat-khau-dai-2026' })).status, 201);
  await switchUser(page, 'bcv.trunglap', 'mat-khau-dai-2026');

  // Import pupils: one bad row is listed before anything is saved.
  const dir = mkdtempSync(join(tmpdir(), 'kh-roster-'));
  const file = join(dir, 'hoc-sinh-5a.csv');
  writeFileSync(file, '\ufeffHọ và tên,Năm sinh,Lớp\nĐặng Minh Khôi,2015,5A\nHoàng Gia Linh,2015,5A\nPhan Thu Trang,20x5,5A\n');
  await nav(page, 'Danh sách');
  await page.getByRole('link', { name: 'Học sinh' }).click();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.getByRole('button', { name: 'Xem trước' }).click();
  await page.getByRole('heading', { name: 'Xem trước: 2 dòng hợp lệ / 3 dòng' }).waitFor();
  await page.getByText('“20x5” không phải năm sinh').waitFor();
  assert.equal((await api(page, 'GET', `/api/v1/people?roster=pupils&unit_id=${school.id}`)).json.length, 0, 'preview saves nothing');
  // The preview shows the rows that will be saved, not only the bad ones.
  assert.match(await page.locator('#se-luu').textContent(), /Sẽ lưu 2 người/);
  assert.equal(await page.locator('#xem-truoc td', { hasText: 'Hoàng Gia Linh' }).count(), 1);
  if (shots) await page.screenshot({ path: `${shots}/roster-preview.png`, fullPage: true });
  await page.getByRole('button', { name: 'Lưu 2 người' }).click();
  await page.getByText('Đã lưu 2 người: 2 người mới.').waitFor();
  assert.equal(await page.locator('td', { hasText: 'Đặng Minh Khôi' }).count(), 1);

  // A held smart-classroom session for class 5A.
  await nav(page, 'Buổi');
  await page.getByRole('link', { name: /6\. Tổ chức các hoạt động trải nghiệm/ }).click();
  await page.locator('select[name=class_id]').selectOption({ label: '5A — Trường Tiểu học Trung Lập' });
  await page.locator('input[name=day]').fill('2026-07-08');
  await page.locator('input[name=start_time]').fill('08:00');
  await page.locator('input[name=headcount]').fill('31');
  await page.getByLabel('Hướng dẫn học sinh sử dụng bảng tương tác, học liệu số và thư viện số;').check();
  await page.getByRole('button', { name: 'Lưu buổi' }).click();
  await page.getByText('Đã lưu buổi.').waitFor();
  assert.match(await page.locator('.facts').innerText(), /lớp 5A/);

  // Check in by name typed without diacritics, then by card code; twice counts once.
  await page.getByPlaceholder('nguyen van anh').fill('dang minh khoi');
  await page.locator('#ket-qua li', { hasText: 'Đặng Minh Khôi' }).waitFor();
  await page.locator('#ket-qua').getByRole('button', { name: 'Điểm danh' }).click();
  await page.getByText('Đã điểm danh.').waitFor();
  const people = (await api(page, 'GET', `/api/v1/people?roster=pupils&unit_id=${school.id}`)).json;
  const khoi = people.find((p) => p.full_name === 'Đặng Minh Khôi');
  await page.getByLabel('Mã thẻ QR').fill(khoi.card_code);
  await page.getByRole('button', { name: 'Điểm danh', exact: true }).click();
  await page.getByText('không tính hai lần').waitFor();
  const sessionId = page.url().match(/\/buoi\/([0-9a-f-]{36})/)[1];
  const att = (await api(page, 'GET', `/api/v1/sessions/${sessionId}/attendance`)).json;
  assert.equal(att.length, 1);
  if (shots) await page.screenshot({ path: `${shots}/session-attendance.png`, fullPage: true });
  await ctx.close();
});
