// The board on the demo campaign: a coordinator reads it as of a July date,
// sees a lagging village named, opens that village's T6 figure and lands on
// exactly the records that make it. Screenshots (desktop and phone) go to
// $SCREENSHOT_DIR when it is set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, api, nav } from './server.mjs';

let server;
let browser;
const shots = process.env.SCREENSHOT_DIR;

before(async () => {
  server = await startServer({ demo: true });
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(page) {
  await page.goto(`${server.url}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill('demo');
  await page.getByLabel('Mật khẩu').fill('demo-kehoach-2026');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap'));
}

test('board as of 15/07 names a lagging village and its T6 figure opens exactly its records', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await login(page);

  await nav(page, 'Theo dõi');
  await page.waitForURL(/\/theo-doi/);
  await page.getByLabel('Xem số liệu tính đến ngày').fill('15/07/2026');
  await page.getByRole('button', { name: 'Xem', exact: true }).click();
  await page.waitForURL(/ngay=15%2F07%2F2026/);
  assert.equal(await page.locator('#as-of').textContent(), '15/07/2026');

  // T6 is behind and names the villages that hold it back.
  const t6 = page.locator('#target-T6');
  assert.match(await t6.getAttribute('data-status'), /behind|at_risk/);
  const named = await t6.locator('a.laggard').allTextContents();
  assert.ok(named.some((n) => n.includes('Thôn mẫu 2')), `lagging villages named: ${named}`);

  // The same figure from the API, for the village named.
  const board = await api(page, 'GET', '/api/v1/board?as_of=2026-07-15');
  assert.equal(board.status, 200);
  const t6json = board.json.targets.find((t) => t.id === 'T6');
  const village = t6json.per_unit.find((u) => u.name.includes('Thôn mẫu 2'));
  assert.ok(village.value > 0 && village.value < 200, `village 2 is behind with some turns: ${village.value}`);
  assert.ok(t6json.laggards.find((l) => l.id === village.id).holds_back);

  await shot(page, 'board');

  // Its bar in the T6 chart shows the figure and opens the records behind it.
  const bar = page.locator(`#chart-t6 a[data-unit="${village.id}"]`);
  assert.equal(Number((await bar.locator('text.v').textContent()).replace(/\./g, '')), village.value);
  await bar.click();
  await page.waitForURL(/\/theo-doi\/ho-so/);
  assert.equal(Number(await page.locator('#trace-total').getAttribute('data-total')), village.value);
  const rows = page.locator('table.trace tr.rec');
  assert.equal(await rows.count(), village.value, 'exactly the records that make the figure');
  const days = await page.locator('table.trace tr.rec td:nth-child(2)').allTextContents();
  const iso = days.map((d) => d.split('/').reverse().join('-'));
  assert.ok(iso.every((d) => d >= '2026-06-10' && d <= '2026-07-15'), `days within the window up to 15/07: ${days.slice(0, 5)}`);
  const units = new Set(await page.locator('table.trace tr.rec td:nth-child(4)').allTextContents());
  assert.deepEqual([...units], [village.name]);
  await shot(page, 'board-records');

  // A bad date gets a Vietnamese reason and the board of today.
  await page.goto(`${server.url}/theo-doi?ngay=31/02/2026`);
  await page.getByText('Ngày xem số liệu: viết theo dạng dd/mm/yyyy').waitFor();
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('board on a phone-sized screen', { timeout: 60000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'vi-VN', isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await login(page);
  await page.goto(`${server.url}/theo-doi?ngay=15/07/2026`);
  const width = await page.evaluate(() => document.querySelector('.targets').getBoundingClientRect().width);
  assert.ok(width <= 390, `target cards fit the screen: ${width}`);
  await shot(page, 'board-phone');
  await ctx.close();
});

async function shot(page, name, fullPage = true) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage });
}

test('a reminder from the board reaches the lagging village on its next page', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await login(page);
  await page.goto(`${server.url}/theo-doi?ngay=15/07/2026`);
  // Beside Thôn mẫu 2 on T6: "nhắc" opens the form with the standard text.
  const t6 = page.locator('#target-T6');
  await t6.locator('a.remind[title*="Thôn mẫu 2"]').click();
  await page.waitForURL(/\/nhac-nho\/moi/);
  const text = page.getByLabel('Nội dung nhắc nhở');
  assert.match(await text.inputValue(), /^Kính gửi Thôn mẫu 2.*15\/07\/2026.*T6 .*đạt 44 lượt/s);
  await text.fill('Đề nghị thôn mẫu 2 tăng cường hỗ trợ người dân trong tuần này (thử nghiệm).');
  await page.getByRole('button', { name: 'Gửi nhắc nhở' }).click();
  await page.waitForURL(/\/nhac-nho\/[0-9a-f-]+\?ok=reminder_sent/);
  await page.getByText('Đã gửi nhắc nhở.').waitFor();
  const zalo = await page.locator('#zalo-text').inputValue();
  assert.ok(zalo.startsWith('[Nhắc nhở] Đề nghị thôn mẫu 2') && zalo.includes('/theo-doi?ngay=15/07/2026'), zalo);
  await shot(page, 'reminder');
  // Sending the same form again (back, resubmit) stores nothing new.
  await page.goBack();
  await page.getByRole('button', { name: 'Gửi nhắc nhở' }).click();
  await page.waitForURL(/ok=reminder_sent/);

  // The village reporter sees it on the next page, marks it read, and it is gone.
  const rep = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'vi-VN', isMobile: true, hasTouch: true });
  const p2 = await rep.newPage();
  await p2.goto(`${server.url}/dang-nhap`);
  await p2.getByLabel('Tên đăng nhập').fill('thon2');
  await p2.getByLabel('Mật khẩu').fill('demo-kehoach-2026');
  await p2.getByRole('button', { name: 'Đăng nhập' }).click();
  // A village reporter lands on their village, on a phone.
  await p2.waitForURL(/\/don-vi-cua-toi/);
  await p2.getByRole('link', { name: 'Ghi lượt hỗ trợ người dân' }).waitFor();
  const notice = p2.locator('.reminder-notice');
  assert.equal(await notice.count(), 1, 'one notice, though the form was sent twice');
  assert.match(await notice.textContent(), /tăng cường hỗ trợ người dân/);
  await shot(p2, 'reminder-notice-phone', false);
  await notice.getByRole('button', { name: 'Đã đọc' }).click();
  await p2.waitForURL(/ok=reminder_read/);
  assert.equal(await p2.locator('.reminder-notice').count(), 0);
  assert.deepEqual(errors, []);
  await rep.close();
  await ctx.close();
});

test('the summary report: preview from the board, the coordinator writes a lesson, downloads Word and PDF', { timeout: 120000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await login(page);
  await page.goto(`${server.url}/theo-doi?ngay=25/08/2026`);
  await page.locator('#report-link').click();
  await page.waitForURL(/\/bao-cao\?ngay=25/);
  const report = page.locator('#report');
  assert.match(await report.locator('.report-kind').textContent(), /^BÁO CÁO/);
  // The targets table says what the board's API says.
  const board = await api(page, 'GET', '/api/v1/board?as_of=2026-08-25');
  const t4 = board.json.targets.find((t) => t.id === 'T4');
  const row = page.locator('#table-targets tbody tr', { hasText: '(T4)' });
  assert.match(await row.textContent(), new RegExp(`${t4.value} lớp`));
  // The coordinator writes the lessons; the report shows them as section 3.
  await page.getByLabel('Bài học kinh nghiệm').fill('Phân công rõ người, rõ việc ngay từ lễ ra quân.');
  await page.getByRole('button', { name: 'Lưu phần đánh giá' }).click();
  await page.waitForURL(/ok=report_texts_saved/);
  await report.getByText('3. Bài học kinh nghiệm').waitFor();
  await report.getByText('Phân công rõ người, rõ việc ngay từ lễ ra quân.').waitFor();
  await shot(page, 'report-preview');
  for (const [id, ext] of [['#report-docx', 'docx'], ['#report-pdf', 'pdf']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()]);
    assert.equal(download.suggestedFilename(), `bao-cao-tong-ket-2026-08-25.${ext}`);
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});
