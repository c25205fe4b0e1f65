// Contest 7.2 end to end in the demo: the coordinator opens the entry
// window around today; a young citizen submits a video entry from a phone
// and gets a receipt; two judges score it on their pages (no entrant name
// shown); the coordinator locks the scores, gives the prize and publishes;
// the public results page names the winner and the certificate PDF carries
// the name (pdftotext). Screenshots go to $SCREENSHOT_DIR when set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions } from './server.mjs';

let server;
let browser;
const shots = process.env.SCREENSHOT_DIR;
const PASSWORD = 'demo-kehoach-2026';

before(async () => {
  server = await startServer({ demo: true });
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A day relative to today in Vietnam, as dd/mm/yyyy.
function vnDay(offset) {
  const iso = new Date(Date.now() + 7 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

async function logIn(ctx, username) {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap'));
  return page;
}

test('an entry from a phone, scored by two judges, published, with its certificate', { timeout: 180000 }, async () => {
  const title = 'Cánh đồng lúa Vĩnh Thịnh mùa gặt';
  const winner = 'Nhóm Tuổi trẻ Thăng Thủy';
  const errors = [];

  // The coordinator opens 7.2's window around today.
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const coord = await logIn(staff, 'demo');
  coord.on('pageerror', (e) => errors.push(String(e)));
  await coord.goto(`${server.url}/cuoc-thi/l7-2-videos`);
  await coord.getByLabel('Nhận bài từ ngày').fill(vnDay(-2));
  await coord.getByLabel('đến hết ngày').fill(vnDay(5));
  await coord.getByLabel('Trao giải trước hoặc trong ngày').fill(vnDay(9));
  await coord.getByRole('button', { name: 'Lưu thể lệ' }).click();
  await coord.locator('.notice.ok', { hasText: 'Đã lưu thể lệ' }).waitFor();

  // A young citizen on a phone, no account.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'vi-VN', isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(`${server.url}/cong-khai`);
  await p.locator('#contests').getByRole('link', { name: 'gửi bài dự thi' }).click();
  await p.waitForURL(/\/cong-khai\/cuoc-thi\/l7-2-videos/);
  await p.getByLabel('Tên bài dự thi').fill(title);
  await p.getByLabel('Thể loại').selectOption('Văn hóa địa phương');
  await p.getByLabel('Mô tả ngắn').fill('Phim ngắn 3 phút về mùa gặt và các hộ dùng máy gặt đặt lịch qua Zalo.');
  await p.getByLabel('Đường dẫn video').fill('https://www.youtube.com/watch?v=vinhthinh2026');
  await p.getByLabel('Nhóm', { exact: true }).check();
  await p.getByLabel('Họ và tên (hoặc tên nhóm)').fill(winner);
  await p.getByLabel('Thành viên nhóm').fill('Phạm Thu Hà, Nguyễn Minh Đức');
  await p.getByLabel('Số điện thoại hoặc email liên hệ').fill('0912 888 777');
  await p.getByLabel(/Tôi đồng ý/).check();
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the form fits the phone: ${width}`);
  if (shots) await p.locator('#du-thi').screenshot({ path: `${shots}/contest-entry-phone.png` });
  await p.getByRole('button', { name: 'Gửi bài dự thi' }).click();
  await p.waitForURL(/\/cong-khai\/bien-nhan\//);
  const receipt = await p.locator('.receipt').textContent();
  assert.match(receipt, /^72-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match(await p.locator('.entry-status').textContent(), /Đã nhận/);

  // The coordinator names the jury (the demo's two judges are already on it) and sees the entry.
  await coord.goto(`${server.url}/cuoc-thi/l7-2-videos`);
  const row = coord.locator('#bai-du-thi tr', { hasText: title });
  await row.waitFor();
  assert.match(await row.textContent(), /Nhóm Tuổi trẻ Thăng Thủy/);

  // Two judges score it; neither sees who sent it.
  for (const [judge, marks] of [['giamkhao1', ['9', '9', '8', '9']], ['giamkhao2', ['8', '9', '9', '8']]]) {
    // The second judge scores on a phone.
    const phone = judge === 'giamkhao2';
    const ctx = await browser.newContext(phone
      ? { viewport: { width: 390, height: 844 }, locale: 'vi-VN', isMobile: true, hasTouch: true }
      : { viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const page = await logIn(ctx, judge);
    // A judge lands on the contest to judge.
    await page.waitForURL(/\/cham-thi\//);
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/cham-thi/l7-2-videos`);
    const html = await page.content();
    for (const secret of [winner, 'Phạm Thu Hà', '0912 888 777']) {
      assert.ok(!html.includes(secret), `${judge} sees “${secret}”`);
    }
    const card = page.locator('.judge-entry', { hasText: title });
    const inputs = card.locator('input[name^="c_"]');
    assert.equal(await inputs.count(), 4);
    for (let i = 0; i < 4; i++) await inputs.nth(i).fill(marks[i]);
    await card.getByLabel('Nhận xét').fill('Hình ảnh đẹp, thông điệp rõ.');
    if (shots && judge === 'giamkhao1') await page.screenshot({ path: `${shots}/contest-judging.png`, fullPage: false });
    if (phone) {
      // A slip on the phone: 11 on a criterion out of 10. Nothing typed is lost, and the
      // page names the entry, the criterion and the allowed range.
      await inputs.nth(0).fill('11');
      await card.getByRole('button', { name: 'Lưu điểm' }).click();
      const error = page.locator('.notice.error', { hasText: 'ngoài khoảng cho phép 0–' });
      await error.waitFor();
      assert.match(await error.textContent(), /^Bài số \d+: điểm chưa được lưu; “[^”]+”: 11 ngoài khoảng cho phép 0–\d+/);
      assert.equal(await inputs.nth(0).inputValue(), '11');
      for (let i = 1; i < 4; i++) assert.equal(await inputs.nth(i).inputValue(), marks[i]);
      assert.equal(await card.getByLabel('Nhận xét').inputValue(), 'Hình ảnh đẹp, thông điệp rõ.');
      assert.equal(await inputs.nth(0).getAttribute('aria-invalid'), 'true');
      await inputs.nth(0).fill(marks[0]);
    }
    await card.getByRole('button', { name: 'Lưu điểm' }).click();
    await page.locator('.notice.ok', { hasText: 'Đã lưu điểm' }).waitFor();
    assert.match(await page.locator('.judge-entry', { hasText: title }).textContent(), /Tổng có trọng số/);
    await ctx.close();
  }

  // Lock, give the prize, publish.
  await coord.goto(`${server.url}/cuoc-thi/l7-2-videos`);
  await coord.getByRole('button', { name: 'Khóa điểm' }).click();
  await coord.locator('.notice.ok', { hasText: 'Đã khóa điểm' }).waitFor();
  const ranked = coord.locator('table.ranking tr', { hasText: title });
  assert.equal((await ranked.locator('td').nth(6).textContent()).trim(), '2', 'scored by two judges');
  assert.equal((await ranked.locator('td').nth(0).textContent()).trim(), '1', 'ranked first');
  await ranked.locator('select[name="prize"]').selectOption('Giải Nhất');
  await ranked.getByRole('button', { name: 'Lưu' }).click();
  await coord.locator('.notice.ok', { hasText: 'Đã lưu giải' }).waitFor();
  coord.once('dialog', (d) => d.accept());
  await coord.getByRole('button', { name: 'Công bố kết quả' }).click();
  await coord.locator('.notice.ok', { hasText: 'Đã công bố kết quả' }).waitFor();
  if (shots) await coord.screenshot({ path: `${shots}/contest-manage.png`, fullPage: false });

  // The public results page, on the phone.
  await p.goto(`${server.url}/cong-khai/cuoc-thi/l7-2-videos`);
  const results = p.locator('#ket-qua');
  await results.waitFor();
  const line = results.locator('li', { hasText: winner });
  assert.match(await line.textContent(), /Giải Nhất/);
  assert.ok(!(await p.content()).includes('0912 888 777'), 'no contact on the public page');
  if (shots) await p.screenshot({ path: `${shots}/contest-results-phone.png`, fullPage: true });
  const href = await line.getByRole('link', { name: /Giấy chứng nhận/ }).getAttribute('href');
  const pdf = await p.request.get(`${server.url}${href}`);
  assert.equal(pdf.status(), 200);
  const dir = mkdtempSync(join(tmpdir(), 'kehoach-cert-'));
  const file = join(dir, 'giay-chung-nhan.pdf');
  writeFileSync(file, await pdf.body());
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).normalize('NFC');
  assert.ok(text.includes(winner), `certificate text: ${text}`);
  assert.ok(text.includes('GIẢI NHẤT') && text.includes(title), text);
  // The receipt now says it won.
  await p.goto(`${server.url}/cong-khai/bien-nhan/${receipt}`);
  assert.match(await p.locator('.entry-status').textContent(), /Đạt Giải Nhất/);
  assert.deepEqual(errors, []);
  await phone.close();
  await staff.close();
});
