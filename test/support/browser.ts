import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * The browser tier's Chromium: Debian's (package `chromium`, installed by .ci/run), driven by
 * playwright-core, which downloads no browser. `CHROMIUM_PATH` points elsewhere if needed.
 */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const REPORTS = resolve(__dirname, '../../reports/browser');

export function shopUrl(): string {
  const url = process.env.SHOP_URL;
  if (!url)
    throw new Error('SHOP_URL is not set: run through the jest browser project (it starts the local stack)');
  return url;
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** One Chromium for a test file, with a fresh profile folder of its own (removed at close). */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'browser-tier-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ARGS,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A buyer's tab whose steps are photographed; the photos are written to reports/ only if the journey fails. */
export interface Journey {
  readonly page: Page;
  /** Another tab (the buyer coming back later). */
  newPage(): Promise<Page>;
  /** Records what the newest open tab shows now, named after the step just taken. */
  step(name: string): Promise<void>;
}

/**
 * Runs a buyer's journey in a new tab. On failure, every step's screenshot (and one of the page as
 * it was when it failed) goes to `reports/browser/<journey>/`, then the failure is rethrown.
 */
export async function journey(
  browser: Browser,
  name: string,
  walk: (journey: Journey) => Promise<void>,
): Promise<void> {
  const shots: { name: string; png: Buffer }[] = [];
  const pages: Page[] = [];
  const open = async () => {
    const page = await browser.context.newPage();
    pages.push(page);
    return page;
  };
  const page = await open();
  const step = async (stepName: string) => {
    const current = pages.filter((p) => !p.isClosed()).at(-1);
    if (current) shots.push({ name: stepName, png: await current.screenshot({ fullPage: true }) });
  };
  try {
    await walk({ page, newPage: open, step });
  } catch (error) {
    await step('at-failure').catch(() => undefined);
    const folder = join(REPORTS, name.replace(/[^A-Za-z0-9_-]+/g, '-'));
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    shots.forEach((shot, i) => {
      writeFileSync(join(folder, `${String(i + 1).padStart(2, '0')}-${shot.name}.png`), shot.png);
    });
    throw error;
  } finally {
    for (const p of pages) if (!p.isClosed()) await p.close();
  }
}

/**
 * Holds the answers to requests matching `pattern` for `ms` (the request itself reaches the server at
 * once), as a slow network would: long enough for a buyer's second click to land on the same page.
 */
export async function slowAnswers(page: Page, pattern: string, ms = 700): Promise<void> {
  await page.route(pattern, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    await new Promise((resolve) => setTimeout(resolve, ms));
    // A navigation the second click replaced has nobody left to answer.
    await route.fulfill({ response }).catch(() => undefined);
  });
}

/** A person's double click (two clicks 100 ms apart, at the element's place, whatever the page does meanwhile). */
export async function doubleClick(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.click(x, y);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await page.mouse.click(x, y);
}

/** Waits until the tab shows a URL matching `pattern`, through navigations a second click aborted. */
export async function arriveAt(page: Page, pattern: RegExp): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.waitForURL(pattern);
      return;
    } catch (error) {
      if (attempt === 3 || !String(error).includes('ERR_ABORTED')) throw error;
    }
  }
}
