// index.html in a real browser: Debian's chromium driven by playwright-core, offline, from file://.
// Without /usr/bin/chromium this test fails (install it: apt-get install -y chromium) unless
// FTCHECK_SKIP_BROWSER=1 says to skip it on purpose.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { instance } from '@viz-js/viz';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../src/report/write-reports.ts';
import { HOSTILE, hostileFixture } from './report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The few browser globals the page functions use (tsconfig has no DOM lib on purpose). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { borderTopColor: string; color: string };
  DOMParser: new () => {
    parseFromString(
      text: string,
      type: string,
    ): { getElementsByTagName(name: string): ArrayLike<{ getAttribute(name: string): string | null }> };
  };
}

const skip = process.env.FTCHECK_SKIP_BROWSER === '1';

const AGENT_DOT = `digraph agent { rankdir=LR; node [shape=box, style=rounded];
  secondary -> disengaged [label="PEER_SILENT"]; disengaged -> live [label="LOCK_GRANTED"];
  disengaged -> halted [label="LOCK_DENIED"]; live -> live [label="OUTPUT"]; }`;
const FAILOVER_DOT = `digraph failover { primary -> storage [label="test-and-set"];
  storage -> primary [label="granted"]; primary -> client [label="go live"]; }`;

describe.skipIf(skip)('index.html in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let htmlUrl: string;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) or set FTCHECK_SKIP_BROWSER=1 to skip this test on purpose`,
      );
    }
    dir = await mkdtemp(join(tmpdir(), 'ftcheck-chromium-'));
    const reports = join(dir, 'reports');
    const viz = await instance();
    await mkdir(join(reports, 'diagrams'), { recursive: true });
    await writeFile(join(reports, 'diagrams', 'agent.svg'), viz.renderString(AGENT_DOT, { format: 'svg' }));
    await writeFile(
      join(reports, 'diagrams', 'failover.svg'),
      viz.renderString(FAILOVER_DOT, { format: 'svg' }),
    );
    await writeReports(hostileFixture(), reports);
    htmlUrl = pathToFileURL(join(reports, 'index.html')).href;

    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.on('request', (request) => {
      if (request.url() !== htmlUrl) requests.push(request.url());
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    await page.goto(htmlUrl, { waitUntil: 'load' });
    if (process.env.FTCHECK_SCREENSHOT)
      await page.screenshot({ path: process.env.FTCHECK_SCREENSHOT, fullPage: true });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders the verdict with no console errors, no network and no script run', async () => {
    expect(await page.locator('header#verdict h1').textContent()).toContain('FAIL');
    expect(await page.title()).toBe('ftcheck: fail');
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
  });

  it('shows the protocol diagrams as visible inline SVG of non-zero size', async () => {
    const diagrams = page.locator('figure.diagram > svg');
    expect(await diagrams.count()).toBe(2);
    for (const diagram of await diagrams.all()) {
      expect(await diagram.isVisible()).toBe(true);
      const box = await diagram.boundingBox();
      expect(box!.width).toBeGreaterThan(50);
      expect(box!.height).toBeGreaterThan(20);
    }
    expect(await page.locator('figure.diagram svg text', { hasText: 'LOCK_GRANTED' }).count()).toBe(1);
  });

  it('lays out each counterexample as a space-time diagram with hosts as lanes and the violation highlighted', async () => {
    const diagrams = page.locator('.st');
    expect(await diagrams.count()).toBe(2);
    const firstLanes = await diagrams.nth(0).locator('.st-lane').allInnerTexts();
    expect(firstLanes.slice(0, 2)).toEqual(['h1', 'h2']);
    const h1Box = await diagrams.nth(0).locator('.st-lane').nth(0).boundingBox();
    const h2Box = await diagrams.nth(0).locator('.st-lane').nth(1).boundingBox();
    expect(h2Box!.x).toBeGreaterThan(h1Box!.x + h1Box!.width - 1); // lanes side by side
    const violation = diagrams.nth(0).locator('.k-violation .st-x');
    expect(await violation.isVisible()).toBe(true);
    const colour = await violation.evaluate(
      (element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).color,
    );
    expect(colour).toBe('rgb(207, 34, 46)');
  });

  it('walks one counterexample with the keyboard, showing the state at every event', async () => {
    const diagram = page.locator('.st').nth(0);
    const rows = diagram.locator('.st-row');
    const count = await rows.count();
    expect(await page.locator('.st-panel:visible').count()).toBe(0);
    await rows.nth(0).click();
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0) await page.keyboard.press('ArrowDown');
      const panels = page.locator('.st-panel:visible');
      expect(await panels.count()).toBe(1);
      const at = (await panels.locator('.st-at').textContent()) ?? '';
      expect(at).toContain(((await rows.nth(i).locator('.st-t').textContent()) ?? '').trim());
      seen.push(at);
    }
    expect(seen.some((at) => /violation/.test(at))).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await page.locator('.st-panel:visible .st-at').textContent()).toBe(seen.at(-2));
    expect(consoleErrors).toEqual([]);
  });

  it('shows hostile trace text as text', async () => {
    expect(await page.locator('.k-note .st-x', { hasText: HOSTILE }).count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('writes a junit.xml that a real XML parser accepts', async () => {
    const xml = await readFile(join(dir, 'reports', 'junit.xml'), 'utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new (globalThis as unknown as BrowserGlobals).DOMParser().parseFromString(
        text,
        'application/xml',
      );
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        cases: Array.from(doc.getElementsByTagName('testcase')).map((c) => c.getAttribute('name')),
        failures: doc.getElementsByTagName('failure').length,
      };
    }, xml);
    expect(parsed.errors).toBe(0);
    expect(parsed.cases).toContain('I3 no split-brain');
    expect(parsed.cases).toContain(`bug ${HOSTILE}]]> is caught`);
    expect(parsed.failures).toBe(2);
  });
});
