// Starts a real kehoach server on a free loopback port with a fresh SQLite
// file, and returns its URL and the first-coordinator setup link it printed.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

// With `demo` true the server is `kehoach demo`: the marked sample campaign
// (and with `city` its sample city of twelve communes, `--city`).
// With `today` (YYYY-MM-DD) it runs as if today were that day (`--today`).
export async function startServer({ demo = false, city = false, today = null } = {}) {
  const bin = process.env.KEHOACH_BIN;
  if (!bin) throw new Error('KEHOACH_BIN is not set (scripts/e2e sets it)');
  const dir = mkdtempSync(join(tmpdir(), 'kehoach-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const db = `sqlite:${join(dir, 'kehoach.sqlite')}`;
  const args = demo
    ? ['demo', '--database-url', db, '--listen', `127.0.0.1:${port}`]
    : ['serve', '--database-url', db, '--create', '--listen', `127.0.0.1:${port}`];
  if (demo && city) args.push('--city');
  if (today) args.push('--today', today);
  const proc = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const deadline = Date.now() + (city ? 120000 : 30000);
  while (!/đang chạy/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`kehoach exited: ${err}`);
    if (Date.now() > deadline) throw new Error(`kehoach did not start: ${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const setup = out.match(/https?:\/\/\S+\/moi\/[A-Za-z0-9_-]+/);
  return {
    url,
    port,
    db,
    setupLink: setup ? setup[0] : null,
    stop: () => new Promise((resolve) => { proc.once('exit', resolve); proc.kill('SIGTERM'); }),
  };
}

export const chromiumOptions = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
};

// Calls the JSON API from the page, with the session's CSRF token.
export async function api(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const me = await (await fetch('/api/v1/me')).json();
    const r = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token }, body: b ? JSON.stringify(b) : undefined });
    return { status: r.status, json: await r.json().catch(() => null) };
  }, [method, path, body]);
}

// Opens the printed setup link and creates the first coordinator.
export async function setUpCoordinator(page, server) {
  await page.goto(server.setupLink);
  await page.getByLabel('Họ và tên').fill('Nguyễn Thị Hoa');
  await page.getByLabel('Tên đăng nhập').fill('hoa.vhxh');
  await page.getByLabel('Mật khẩu').fill('mat-khau-dai-2026');
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await page.waitForURL(/\/ke-hoach/);
}

// Logs out, then logs in as another account.
export async function switchUser(page, username, password) {
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap'));
}

// Opens a page from the menu: the role's first links are in the bar, the
// rest behind "Thêm".
export async function nav(page, name) {
  const link = page.locator('header nav').getByRole('link', { name, exact: true });
  if (!(await link.isVisible())) await page.locator('header nav details.more > summary').click();
  await link.click();
}
