// The sample city of `kehoach demo --city`: its coordinator logs in on the
// city's host and lands on the city board; twelve sample communes are
// ranked, the laggard (xã Mẫu 12, the slowest) is named among those to
// push, the city's own targets over its communes are shown with the
// communes that hold them back, and a click opens a commune's targets read
// only. Desktop and phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions } from './server.mjs';

let server;
let browser;
const shots = process.env.SCREENSHOT_DIR;

before(async () => {
  // Mid-campaign: the communes' paces differ (after 31/8 every status is final).
  server = await startServer({ demo: true, city: true, today: '2026-07-20' });
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo city board names its laggard and opens its board', { timeout: 240000 }, async () => {
  const city = `http://thanh-pho-mau.localhost:${server.port}`;
  for (const [name, viewport] of [['desktop', { width: 1300, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const ctx = await browser.newContext({ viewport, locale: 'vi-VN' });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${city}/dang-nhap`);
    await page.getByLabel('Tên đăng nhập').fill('demo');
    await page.getByLabel('Mật khẩu').fill('demo-kehoach-2026');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(/\/thanh-pho$/);
    assert.equal(await page.locator('table.city-rank tbody tr').count(), 12);
    const push = page.locator('.notice.warn', { hasText: 'Cần đôn đốc' });
    assert.match(await push.innerText(), /xã Mẫu 12/);
    // The leader (xã Mẫu 01, fastest) is ranked after the laggard.
    const names = await page.locator('table.city-rank tbody tr td:first-child').allInnerTexts();
    assert.equal(names[0], 'xã Mẫu 12', names.join(', '));
    assert.ok(names.indexOf('xã Mẫu 12') < names.indexOf('xã Mẫu 01'), names.join(', '));
    assert.ok(await page.locator('table.city-grid td.st-failed, table.city-grid td.st-at_risk').count() > 0);
    // The city's own plan: four targets over its communes; the commune
    // without a "Bình dân học vụ số" class holds TP3 back.
    const targets = page.locator('table.city-targets tbody tr');
    assert.equal(await targets.count(), 4);
    assert.match(await targets.filter({ hasText: 'TP3' }).innerText(), /xã Mẫu 12/);
    if (shots) await page.screenshot({ path: `${shots}/city-board-${name}.png`, fullPage: name === 'desktop' });
    await page.locator('table.city-rank').getByRole('link', { name: 'xã Mẫu 12' }).click();
    await page.waitForURL(/\/thanh-pho\/xa\/mau-12/);
    assert.ok(await page.locator('article.target').count() >= 8);
    assert.equal(await page.locator('article.target a').count(), 0, 'read only: no link into records');
    if (shots && name === 'desktop') await page.screenshot({ path: `${shots}/city-commune.png`, fullPage: false });
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});
