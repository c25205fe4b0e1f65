// Two communes on one server, each on its own host name: a city added with
// `kehoach city add` while the server runs; its coordinator, in the
// browser on the city's host, adds xã An Hòa and is shown its coordinator's
// one-time link on its host (an-hoa.hai-phong.localhost); that coordinator accepts it
// (with the same username as the first commune's coordinator), brings the
// commune's plan in from its text and records a session; the city's list
// counts it; the first commune's pages, on its own address, show nothing
// of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions, setUpCoordinator, api } from './server.mjs';

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

test('a second commune lives on its own host, sealed from the first', { timeout: 180000 }, async () => {
  // The first commune (Vĩnh Thịnh) and its coordinator.
  const first = await browser.newContext({ viewport: { width: 1300, height: 900 }, locale: 'vi-VN' });
  const vt = await first.newPage();
  await setUpCoordinator(vt, server);

  // The operator adds the city while the server runs.
  const out = execFileSync(process.env.KEHOACH_BIN, [
    'city', 'add', '--database-url', server.db, '--name', 'thành phố Hải Phòng',
    '--host', 'hai-phong.localhost', '--public-url', server.url,
  ], { encoding: 'utf8' });
  const cityLink = out.match(/http:\/\/hai-phong\.localhost:\d+\/moi\/[A-Za-z0-9_-]+/);
  assert.ok(cityLink, out);
  const city = `http://hai-phong.localhost:${server.port}`;

  // The city's coordinator, in the browser, adds An Hòa (its host left to the default).
  const third = await browser.newContext({ viewport: { width: 1300, height: 900 }, locale: 'vi-VN' });
  const hp = await third.newPage();
  await setUpCoordinator(hp, { setupLink: cityLink[0] });
  await hp.goto(`${city}/`);
  await hp.waitForURL(/\/thanh-pho$/);
  await hp.goto(`${city}/thanh-pho/xa`);
  await hp.getByLabel('Tên xã, phường').fill('xã An Hòa');
  await hp.getByRole('button', { name: 'Thêm xã' }).click();
  const link = [await hp.getByTestId('setup-link').inputValue()];
  assert.match(link[0], /^http:\/\/an-hoa\.hai-phong\.localhost:\d+\/moi\/[A-Za-z0-9_-]+$/);
  if (shots) await hp.screenshot({ path: `${shots}/city-communes.png`, fullPage: false });
  const anHoa = `http://an-hoa.hai-phong.localhost:${server.port}`;

  // Its coordinator, in another browser profile, on An Hòa's host.
  const second = await browser.newContext({ viewport: { width: 1300, height: 900 }, locale: 'vi-VN' });
  const ah = await second.newPage();
  const errors = [];
  ah.on('pageerror', (e) => errors.push(String(e)));
  await setUpCoordinator(ah, { setupLink: link[0] });
  assert.ok(ah.url().startsWith(anHoa), ah.url());
  assert.match(await ah.content(), /An Hòa/);

  // The plan, from its text: read, check, activate.
  await ah.goto(`${anHoa}/ke-hoach/nhap`);
  const text = readFileSync(new URL('../plans/corpus/an-hoa-2027.txt', import.meta.url), 'utf8');
  await ah.getByLabel('Văn bản kế hoạch').fill(text);
  await ah.getByRole('button', { name: 'Đọc kế hoạch' }).click();
  await ah.locator('.draft-fields').waitFor();
  await ah.getByRole('button', { name: 'Kiểm tra' }).click();
  await ah.locator('.notice.ok', { hasText: 'Tệp kế hoạch hợp lệ' }).waitFor();
  ah.once('dialog', (d) => d.accept());
  await ah.getByRole('button', { name: 'Kích hoạt kế hoạch này' }).click();
  await ah.waitForURL(/\/ke-hoach\?ok=plan_activated/);
  assert.match(await ah.content(), /Ủy ban nhân dân xã An Hòa/);

  // A session of one of its lines, in one of its units.
  const plan = (await api(ah, 'GET', '/api/v1/plan')).json;
  const leaf = plan.lines.find((l) => !plan.lines.some((x) => x.parent === l.id) && l.window);
  assert.ok(leaf, JSON.stringify(plan.lines.map((l) => l.id)));
  const units = (await api(ah, 'GET', '/api/v1/units')).json;
  const unit = (units.units || units)[0];
  const session = {
    id: crypto.randomUUID(),
    line_id: leaf.id,
    unit_id: unit.id,
    kind: (leaf.session_kinds && leaf.session_kinds[0]) || 'guidance',
    status: 'planned',
    day: leaf.window.start,
    note: 'Buổi riêng của An Hòa',
  };
  const made = await api(ah, 'POST', '/api/v1/sessions', session);
  assert.ok(made.status === 201 || made.status === 200, JSON.stringify(made));
  const listed = await api(ah, 'GET', '/api/v1/sessions');
  assert.match(JSON.stringify(listed.json), new RegExp(session.id));
  await ah.goto(`${anHoa}/buoi`);
  assert.ok((await ah.content()).includes(unit.name), `${unit.name} on An Hòa's sessions page`);
  if (shots) await ah.screenshot({ path: `${shots}/commune-second.png`, fullPage: false });

  // The city's list counts An Hòa's session; Vĩnh Thịnh is not of the city.
  await hp.goto(`${city}/thanh-pho/xa`);
  const row = hp.locator('table.communes tr', { hasText: 'an-hoa.hai-phong.localhost' });
  assert.equal((await row.locator('td.num').allInnerTexts())[1], '1');
  assert.doesNotMatch(await hp.content(), /Vĩnh Thịnh/);
  // The city's board: An Hòa ranked with its plan's targets, nothing of Vĩnh Thịnh.
  await hp.goto(`${city}/thanh-pho`);
  const ranked = hp.locator('table.city-rank tr', { hasText: 'xã An Hòa' });
  assert.equal(await ranked.count(), 1);
  assert.ok(await hp.locator('table.city-grid td.cell').count() > 0);
  assert.doesNotMatch(await hp.content(), /Vĩnh Thịnh/);
  if (shots) await hp.screenshot({ path: `${shots}/city-board.png`, fullPage: true });
  // A click opens An Hòa's own targets, read only.
  await ranked.getByRole('link', { name: 'xã An Hòa' }).click();
  await hp.waitForURL(/\/thanh-pho\/xa\/an-hoa/);
  assert.ok(await hp.locator('article.target').count() > 0);
  assert.equal(await hp.locator('article.target a').count(), 0);

  // The first commune, on its own address, shows nothing of An Hòa.
  for (const path of ['/ke-hoach', '/buoi', '/theo-doi', '/don-vi', '/nguoi-dung', '/cong-khai']) {
    await vt.goto(`${server.url}${path}`);
    const html = await vt.content();
    assert.doesNotMatch(html, /An Hòa|Buổi riêng/, path);
  }
  // And An Hòa's session cookie opens nothing there.
  const cookies = await second.cookies(anHoa);
  assert.ok(cookies.length > 0);
  const stranger = await browser.newContext();
  await stranger.addCookies(cookies.map((c) => ({ ...c, domain: '127.0.0.1' })));
  const sp = await stranger.newPage();
  await sp.goto(`${server.url}/ke-hoach`);
  assert.match(sp.url(), /\/dang-nhap/);
  assert.deepEqual(errors, []);
  await stranger.close();
  await first.close();
  await second.close();
  await third.close();
});
