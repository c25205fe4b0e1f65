// Another commune's plan, from its text to the running server: the first
// coordinator pastes the plan, reviews the draft beside its source, corrects
// one field of the plan file, checks it and activates it; the plan page then
// shows that plan. Screenshot of the review page to $SCREENSHOT_DIR when set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, setUpCoordinator } from './server.mjs';

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

test('a plan read from text is corrected, checked, activated and shown', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'vi-VN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await setUpCoordinator(page, server);
  await page.goto(`${server.url}/ke-hoach`);
  await page.getByRole('link', { name: /Đọc một kế hoạch khác/ }).click();
  const text = readFileSync(new URL('../plans/corpus/an-hoa-2027.txt', import.meta.url), 'utf8');
  await page.getByLabel('Văn bản kế hoạch').fill(text);
  await page.getByRole('button', { name: 'Đọc kế hoạch' }).click();
  await page.locator('.draft-fields').waitFor();
  assert.match(await page.locator('.draft-fields').textContent(), /Hoạt động 2\.1/);
  assert.ok(await page.locator('.draft-fields tr.missing').count() > 0, 'missing fields are marked');
  // The plan names no village: its sample villages are flagged for the review.
  assert.match(await page.locator('.draft-fields tr.missing', { hasText: 'Thôn, tổ dân phố' }).textContent(), /3 đơn vị mẫu/);
  if (shots) await page.screenshot({ path: `${shots}/plan-import.png`, fullPage: false });
  // A field linked to its lines.
  await page.locator('.draft-fields a', { hasText: 'dòng 32–39' }).click();
  assert.match(page.url(), /#L32$/);

  // Correct the short title in the plan file, check, activate.
  const box = page.getByLabel('Kế hoạch (TOML)');
  const toml = await box.inputValue();
  assert.match(toml, /short_title = /);
  await box.fill(toml.replace(/short_title = ".*"/, 'short_title = "Hè xanh số An Hòa 2027"'));
  await page.getByRole('button', { name: 'Kiểm tra' }).click();
  await page.locator('.notice.ok', { hasText: 'Tệp kế hoạch hợp lệ' }).waitFor();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Kích hoạt kế hoạch này' }).click();
  await page.waitForURL(/\/ke-hoach\?ok=plan_activated/);
  assert.equal((await page.locator('h1').first().textContent()).trim(), 'Hè xanh số An Hòa 2027');
  assert.match(await page.locator('.notice.ok').textContent(), /Đã kích hoạt kế hoạch mới/);
  assert.match(await page.content(), /Ủy ban nhân dân xã An Hòa/);
  // The public page too: the whole server serves the new plan.
  await page.goto(`${server.url}/cong-khai`);
  assert.match(await page.content(), /Hè xanh số An Hòa 2027/);
  assert.deepEqual(errors, []);
  await ctx.close();
});
