import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (installed by scripts/test-env.sh); no browser download. */
export const CHROMIUM = process.env.SPARKCTL_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless chromium with a fresh profile (playwright makes a new temporary user-data-dir per launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that it must not: dialogs opened (a script ran), console errors (e.g. CSP violations), uncaught errors. */
export interface PageProblems {
  readonly dialogs: string[];
  readonly errors: string[];
}

/** Records dialogs (dismissing them), console errors and page errors of a page. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.errors.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(e.message));
  return problems;
}
