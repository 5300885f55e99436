/**
 * axe-core (WCAG 2.1 A and AA) inside the open panel, with an answer holding a fenced code block
 * from the project's scripted OpenAI-compatible server (the real openai SDK and agent loop, a
 * fixed answer). Phone and desktop, light and dark; the phone screenshots go to docs/images/.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {test} from 'node:test';

import {GENEROUS_LIMITS, READERS, demoAndBrowser, openPanel, readerPage, screenshotPath} from './support.mjs';

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ANSWER = [
  'The loop keeps **history** and calls the model until it answers:',
  '',
  '```python',
  'async def run_agent(question: str, tools: list[Tool], budget: int = 6) -> str:',
  '    history = [{"role": "user", "content": question}]  # a long line that must scroll sideways in the panel',
  '    for _ in range(budget):',
  '        reply = await model.complete(history, tools=tools)',
  '        if reply.final:',
  '            return reply.text',
  '```',
  '',
  'Each pass is one `turn` of the loop.',
].join('\n');
const assistantDone = '[data-tutorgpt="message"][data-role="assistant"][data-done="true"]';

const live = demoAndBrowser({answer: ANSWER, chunks: 8, delay: 0.05, env: GENEROUS_LIMITS});

for (const reader of READERS) {
  test(`${reader.label}: axe finds nothing in the open panel with a code answer, and the code scrolls by keyboard`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, reader);
    await page.goto(`${live.demo.baseUrl}/docs/foundations/agent-loop`);
    await openPanel(page);
    await page.locator('[data-tutorgpt="composer"]').fill('Show me the agent loop in Python');
    await page.locator('[data-tutorgpt="send"]').click();
    await page.locator(assistantDone).waitFor({state: 'visible', timeout: 30_000});
    await page.locator('[data-tutorgpt="send"]').waitFor({state: 'attached', timeout: 30_000});

    if (reader.name === 'phone') {
      await page.screenshot({path: await screenshotPath(`panel-phone-${reader.colorScheme}.png`)});
    }

    const code = page.locator(`${assistantDone} pre`);
    assert.equal(await code.count(), 1, 'the answer has no code block');
    assert.equal(await code.getAttribute('tabindex'), '0', 'the code block cannot take focus');
    assert.ok(await code.getAttribute('aria-label'), 'the code block has no name');
    const scrolled = await code.evaluate((el) => el.scrollWidth > el.clientWidth);
    if (scrolled) {
      await code.focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      // Smooth scrolling moves the code over several frames, later still on a busy machine: wait
      // for it rather than read scrollLeft at once (that failed about half the runs at load 9).
      const moved = await page
        .waitForFunction((el) => el.scrollLeft > 0, await code.elementHandle(), {timeout: 5000})
        .then(() => true, () => false);
      assert.ok(moved, 'the arrow keys do not scroll the code');
    }

    await page.addScriptTag({content: AXE_SOURCE});
    const result = await page.evaluate(() =>
      window.axe.run({include: [['#tutorgpt-panel']]}, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}),
    );
    const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(found, [], `axe violations:\n${found.join('\n')}`);

    await context.close();
  });
}

/**
 * How often the page's markdown parser ran since the last call, read from V8's precise coverage
 * (call counts per function, reset by every take). The parser is found in the bundle by its
 * first line, `replace(/\r\n?/g, …)`, which minifiers keep.
 */
async function parserCalls(cdp, sources) {
  const {result} = await cdp.send('Profiler.takePreciseCoverage');
  let best = null;
  for (const script of result) {
    const source = sources.get(script.scriptId);
    const marker = source?.indexOf('.replace(/\\r\\n?/g,');
    if (marker === undefined || marker < 0) continue;
    for (const fn of script.functions) {
      const [range] = fn.ranges;
      if (range.startOffset <= marker && marker < range.endOffset && (!best || range.endOffset - range.startOffset < best.size)) {
        best = {size: range.endOffset - range.startOffset, count: range.count};
      }
    }
  }
  assert.ok(best, 'the markdown parser was not found in the page');
  return best.count;
}

test('desktop light: while an answer streams, finished answers are not parsed again', {timeout: 120_000}, async () => {
  const {context, page} = await readerPage(live.browser, {...READERS[2]});
  const cdp = await context.newCDPSession(page);
  const sources = new Map();
  cdp.on('Debugger.scriptParsed', async ({scriptId, url}) => {
    if (url.includes('/assets/js/')) sources.set(scriptId, (await cdp.send('Debugger.getScriptSource', {scriptId})).scriptSource);
  });
  await cdp.send('Debugger.enable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.startPreciseCoverage', {callCount: true, detailed: false});
  await page.goto(`${live.demo.baseUrl}/docs/foundations/agent-loop`);
  await openPanel(page);
  for (const [n, question] of ['Show me the loop', 'And once more', 'One last time'].entries()) {
    await page.locator('[data-tutorgpt="composer"]').fill(question);
    await page.locator('[data-tutorgpt="send"]').click();
    await page.locator(assistantDone).nth(n).waitFor({state: 'visible', timeout: 30_000});
    await page.locator('[data-tutorgpt="send"]').waitFor({state: 'attached', timeout: 30_000});
    if (n === 1) await parserCalls(cdp, sources); // start counting with two answers finished
  }
  const calls = await parserCalls(cdp, sources);
  // The third answer arrives in 8 deltas (plus its final text); re-parsing the two finished
  // answers on each delta, as before, takes three times that.
  assert.ok(calls > 0 && calls <= 8 + 4, `the parser ran ${calls} times for one streamed answer`);
  await context.close();
});
