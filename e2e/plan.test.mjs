// A coordinator sets up kehoach in a real browser, logs in, reads the plan
// and sets up a village. Screenshots go to $SCREENSHOT_DIR when it is set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, nav } from './server.mjs';

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

async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

test('coordinator sets up, logs in, opens the plan and adds a village', { timeout: 120000 }, async () => {
  assert.ok(server.setupLink, 'serve printed a setup link');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await ctx.newPage();

  // First start: the one-time setup link creates the first coordinator.
  await page.goto(server.setupLink);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Thiết lập người điều phối đầu tiên' }).waitFor());
  await page.getByLabel('Họ và tên').fill('Nguyễn Thị Hoa');
  await page.getByLabel('Tên đăng nhập').fill('hoa.vhxh');
  await page.getByLabel('Mật khẩu').fill('mat-khau-dai-2026');
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await page.waitForURL(/\/ke-hoach/);
  await page.getByText('Chào mừng!').waitFor();

  // The link works once.
  const again = await ctx.newPage();
  const resp = await again.goto(server.setupLink);
  assert.equal(resp.status(), 404);
  await again.close();

  // Log out, fail once, then log in.
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForURL(/\/dang-nhap/);
  await page.getByLabel('Tên đăng nhập').fill('hoa.vhxh');
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByText('Tên đăng nhập hoặc mật khẩu không đúng.').waitFor();
  await page.getByLabel('Mật khẩu').fill('mat-khau-dai-2026');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  // The coordinator lands on the board, which on a fresh install lists the
  // first steps: no sample village counts anywhere.
  await page.waitForURL(/\/theo-doi/);
  await page.locator('#bat-dau').getByText('Chưa có thôn nào').waitFor();
  assert.equal(await page.locator('#bat-dau li.todo').count(), 3);
  assert.ok(!(await page.locator('body').innerText()).includes('dữ liệu mẫu'), 'no sample unit on the board');
  await shot(page, 'first-run-board');

  // The plan page: header, both lines numbered 6, timeline, nine targets.
  await nav(page, 'Kế hoạch');
  await page.waitForURL(/\/ke-hoach/);
  await page.getByRole('heading', { name: 'Mùa hè sôi động cùng chuyển đổi số 2026' }).waitFor();
  const numbers = await page.locator('table.lines td.num').allInnerTexts();
  assert.deepEqual(numbers, ['1', '2', '3', '4', '5', '6', '6', '7', '7.1', '7.2', '8']);
  assert.equal(await page.locator('svg.timeline .tl-row').count(), 11);
  const targetIds = await page.locator('#chi-tieu td.num').allInnerTexts();
  assert.deepEqual(targetIds, ['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'R6']);
  assert.match(await page.locator('#target-T8').innerText(), /> 80%/);
  assert.match(await page.locator('#l1-launch').innerText(), /sáng 10\/06\/2026/);
  const text = await page.locator('body').innerText();
  assert.equal(text, text.normalize('NFC'), 'page text is NFC');
  assert.match(text, /Đoàn Thị Nhung/);
  await page.locator('#l7-1-ideas summary').click();
  await page.getByText('Nhận bài dự thi: 01/08/2026 – 15/08/2026').waitFor();
  await shot(page, 'plan-overview');

  // Units: no sample village; the commune pastes its list, then adds one more.
  await nav(page, 'Đơn vị');
  await page.waitForURL(/\/don-vi/);
  assert.equal(await page.locator('.badge.sample').count(), 0);
  await page.locator('#them-nhieu textarea[name=names]').fill('1. Thôn Đông\n2. Thôn Tây\n3. Thôn Trung\n');
  await page.getByRole('button', { name: 'Thêm các đơn vị' }).click();
  await page.getByText('Đã thêm 3 đơn vị.').waitFor();
  assert.equal(await page.locator('article[data-name="Thôn Trung"]').count(), 1);
  await page.getByPlaceholder('Thôn Đông').fill('Thôn Thử nghiệm');
  await page.getByRole('button', { name: 'Thêm', exact: true }).click();
  await page.getByText('Đã thêm đơn vị.').waitFor();
  const village = page.locator('article[data-name="Thôn Thử nghiệm"]');
  await village.waitFor();
  // Its declared population, typed with a Vietnamese thousands dot.
  await village.locator('summary').click();
  await village.getByLabel('Thanh thiếu nhi').fill('1.250');
  await village.getByRole('button', { name: 'Lưu số liệu' }).click();
  await page.getByText('Đã lưu số liệu dân số khai báo.').waitFor();
  assert.match(await page.locator('article[data-name="Thôn Thử nghiệm"] .pops').innerText(), /Thanh thiếu nhi: 1\.250/);
  // A class for a school.
  const school = page.locator('article[data-name="Trường Tiểu học Trung Lập"]');
  await school.locator('summary').click();
  await school.getByPlaceholder('7A').fill('5A');
  await school.getByLabel('Sĩ số').fill('32');
  await school.getByRole('button', { name: 'Thêm lớp' }).click();
  await page.getByText('Đã thêm lớp.').waitFor();
  assert.match(await page.locator('article[data-name="Trường Tiểu học Trung Lập"] .classes').innerText(), /5A \(32 HS\)/);
  await shot(page, 'units');
  // The same name without diacritics is refused with a Vietnamese reason.
  await page.getByPlaceholder('Thôn Đông').fill('thon thu nghiem');
  await page.getByRole('button', { name: 'Thêm', exact: true }).click();
  await page.getByText('Tên: đã có đơn vị cùng loại mang tên này').waitFor();

  // Users: an invite link with its QR code for the new village's reporter.
  await nav(page, 'Người dùng');
  await page.waitForURL(/\/nguoi-dung/);
  const inviteForm = page.locator('form[action="/loi-moi"]');
  await inviteForm.locator('select[name=unit_id]').selectOption({ label: 'Thôn Thử nghiệm' });
  await inviteForm.getByRole('button', { name: 'Tạo liên kết mời' }).click();
  await page.getByText('Đã tạo liên kết mời.').waitFor();
  const link = await page.locator('input.copy').inputValue();
  assert.match(link, /\/moi\/[A-Za-z0-9_-]{40,}$/);
  assert.equal(await page.locator('.qr svg').count(), 1);
  assert.match(await page.locator('#invite-zalo').inputValue(), /mời anh\/chị dùng kehoach .*Thôn Thử nghiệm.*\/moi\//s);
  await shot(page, 'users-invite');
  // Pending invites are listed; one sent to the wrong person is revoked and its link no longer works.
  const row = page.locator('#loi-moi tr[data-invite]').first();
  assert.match(await row.innerText(), /chờ nhận/);
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: 'Thu hồi' }).click();
  await page.getByText('Đã thu hồi liên kết mời').waitFor();
  assert.match(await page.locator('#loi-moi tr[data-invite]').first().innerText(), /hết hạn hoặc đã thu hồi/);
  const stale = await ctx.newPage();
  assert.ok((await stale.goto(link)).status() >= 400, 'a revoked link is refused');
  await stale.close();

  // Phone-sized plan page.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'vi-VN',
    storageState: await ctx.storageState() });
  const p2 = await phone.newPage();
  await p2.goto(`${server.url}/ke-hoach`);
  await p2.getByRole('heading', { name: 'Mùa hè sôi động cùng chuyển đổi số 2026' }).waitFor();
  const overflow = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on a phone (overflow ${overflow}px)`);
  if (shots) await p2.screenshot({ path: `${shots}/plan-phone.png` });
  // On the phone too: the first steps, the villages one done; the menu on one line.
  await p2.goto(`${server.url}/theo-doi`);
  const steps = p2.locator('#bat-dau li');
  await steps.first().waitFor();
  assert.match(await steps.nth(0).getAttribute('class'), /done/, 'villages added');
  assert.match(await steps.nth(1).getAttribute('class'), /todo/, 'no roster yet');
  assert.ok((await p2.locator('header nav > a').count()) <= 4, 'a compact menu');
  // The invites list, revoked one included, reads on a phone.
  await nav(p2, 'Người dùng');
  await p2.locator('#loi-moi tr[data-invite]').first().waitFor();
  assert.match(await p2.locator('#loi-moi').innerText(), /hết hạn hoặc đã thu hồi/);
  await phone.close();
  await ctx.close();
});
