/**
 * Headless Chromium on the admin page, driven by test_admin_browser.py:
 * node admin_browser.mjs <admin URL> <token> <screenshot folder>
 *
 * Signs in through the login form as a person would (the cookie is HttpOnly, so the page's
 * scripts could not read it even if it had any), then measures what the browser rendered: the
 * three charts with their marks, the tables, the computed colours in light and dark mode, and
 * any request the page made to another origin. Prints one JSON object; screenshots go to the
 * folder. Launch flags as the e2e helper's (example-site/e2e/support.mjs).
 */
import path from 'node:path';
import {chromium} from 'playwright-core';

const [adminUrl, token, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: 30_000,
});

/** What one colour scheme shows, after signing in on the form. */
async function visit(colorScheme) {
  const context = await browser.newContext({colorScheme, viewport: {width: 1100, height: 900}});
  const page = await context.newPage();
  const foreign = [];
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== new URL(adminUrl).origin) foreign.push(request.url());
  });
  const first = await page.goto(adminUrl);
  const loginStatus = first.status();
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(adminUrl), page.click('button[type=submit]')]);
  const cookies = await context.cookies();
  const result = await page.evaluate(() => {
    const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
      title: svg.querySelector('title')?.textContent,
      lines: svg.querySelectorAll('polyline').length,
      dots: svg.querySelectorAll('circle').length,
      bars: svg.querySelectorAll('rect').length,
      width: svg.getBoundingClientRect().width,
      height: svg.getBoundingClientRect().height,
    }));
    const style = getComputedStyle(document.body);
    const bar = document.querySelector('svg.chart rect');
    return {
      charts,
      lessonRows: document.querySelectorAll('main table tbody tr').length,
      lessonLinks: [...document.querySelectorAll('main table a')].map((a) => a.href),
      passageLinks: [...document.querySelectorAll('main h3 + ul a')].map((a) => a.href),
      background: style.backgroundColor,
      color: style.color,
      barFill: bar ? getComputedStyle(bar).fill : null,
      cookieVisibleToScripts: document.cookie.includes('tutorgpt_admin'),
    };
  });
  await page.screenshot({path: path.join(outDir, `admin-${colorScheme}.png`), fullPage: true});
  await context.close();
  return {...result, loginStatus, foreign, cookie: cookies.find((c) => c.name === 'tutorgpt_admin') ?? null};
}

try {
  const light = await visit('light');
  const dark = await visit('dark');
  process.stdout.write(JSON.stringify({light, dark}));
} finally {
  await browser.close();
}
