/**
 * The anchor rules (mdxToText) against a real `docusaurus build` of tests/fixtures/realbook-site:
 * for every built doc, the h2–h6 anchors extracted from its source must be exactly the heading
 * ids Docusaurus put in its HTML, in order. The doc list, sources and permalinks come from
 * Docusaurus's own metadata in `.docusaurus`, never from the code under test.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { extractDoc } from '../../content/mdxToText';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
/** A cold build takes minutes on a shared 2-core machine; build.mjs caches it by content. */
const BUILD_TIMEOUT_MS = 900_000;

function buildSite(): string {
  const out = execFileSync(process.execPath, [path.join(REPO, 'tests', 'fixtures', 'realbook-site', 'build.mjs')], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  return path.join(out.trim().split('\n').at(-1)!, 'site');
}

function metadataFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return metadataFiles(full);
    return /^site-.*\.json$/.test(name) ? [full] : [];
  });
}

function headingIds(html: string): string[] {
  return Array.from(html.matchAll(/<h[2-6]\b[^>]*?\sid="([^"]+)"/g), (match) => match[1]!);
}

describe('anchors against the real build', () => {
  it('extracts exactly the heading ids Docusaurus rendered, for every doc of every instance and version', { timeout: BUILD_TIMEOUT_MS + 60_000 }, () => {
    const site = buildSite();
    const docs = metadataFiles(path.join(site, '.docusaurus', 'docusaurus-plugin-content-docs')).map(
      (file) => JSON.parse(readFileSync(file, 'utf8')) as { id: string; permalink: string; source: string; title: string },
    );
    assert.ok(docs.length >= 20, `only ${docs.length} docs in the metadata`);
    const mismatches: string[] = [];
    for (const doc of docs) {
      const htmlFile = path.join(site, 'build', doc.permalink, 'index.html');
      assert.ok(existsSync(htmlFile), `${doc.permalink} was not built`);
      const sourceFile = path.join(site, doc.source.replace(/^@site\//, ''));
      const extracted = extractDoc(readFileSync(sourceFile, 'utf8'), doc.title, { file: sourceFile });
      const expected = headingIds(readFileSync(htmlFile, 'utf8'));
      const actual = extracted.headings.map((heading) => heading.anchor);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${doc.permalink}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
    }
    assert.deepEqual(mismatches, []);
  });
});
