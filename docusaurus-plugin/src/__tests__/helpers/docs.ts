/**
 * Test helpers: run the REAL `@docusaurus/plugin-content-docs` over a fixture docs tree (about a
 * second), so id and export tests see exactly the content shape Docusaurus 3.10 produces.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as docsModule from '@docusaurus/plugin-content-docs';
import type { LoadedContent, LoadedVersion } from '@docusaurus/plugin-content-docs';
import { validateConfig } from '@docusaurus/core/lib/server/configValidation.js';
import { normalizePluginOptions } from '@docusaurus/utils-validation';
import type { LoadContext } from '@docusaurus/types';

export const FIXTURE_SITE = path.resolve(__dirname, '..', 'fixtures', 'book');

export async function fakeLoadContext(siteDir: string, locale = 'en'): Promise<LoadContext> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'tutorgpt-test-'));
  const siteConfig = validateConfig({ title: 'Fixture Book', url: 'https://book.example', baseUrl: '/' } as never, 'docusaurus.config.js');
  return {
    siteDir,
    siteConfig,
    siteConfigPath: path.join(siteDir, 'docusaurus.config.js'),
    generatedFilesDir: path.join(out, '.docusaurus'),
    outDir: path.join(out, 'build'),
    baseUrl: '/',
    localizationDir: path.join(siteDir, 'i18n', locale),
    i18n: {
      defaultLocale: 'en',
      locales: [locale],
      currentLocale: locale,
      path: 'i18n',
      localeConfigs: {
        [locale]: { label: locale, direction: 'ltr', htmlLang: locale, calendar: 'gregory', path: locale, translate: false, url: 'https://book.example', baseUrl: '/' },
      },
    },
    codeTranslations: {},
  } as unknown as LoadContext;
}

/** Load the fixture's docs with the real docs plugin: `allContent['docusaurus-plugin-content-docs']`. */
export async function loadDocs(siteDir = FIXTURE_SITE, docsOptions: Record<string, unknown> = {}): Promise<{ context: LoadContext; docsContent: Record<string, LoadedContent> }> {
  const context = await fakeLoadContext(siteDir);
  const mod = docsModule as unknown as { default: unknown; validateOptions: (a: unknown) => unknown };
  const factory = mod.default as (ctx: LoadContext, opts: unknown) => Promise<{ loadContent(): Promise<LoadedContent> }>;
  const options = mod.validateOptions({ validate: normalizePluginOptions, options: { id: 'default', ...docsOptions } });
  const plugin = await factory(context, options);
  return { context, docsContent: { default: await plugin.loadContent() } };
}

type Item = LoadedVersion['sidebars'][string][number];

/** A minimal hand-made LoadedVersion for rule-by-rule id tests. */
export function fakeVersion(docIds: (string | { id: string; frontMatter?: Record<string, unknown>; source?: string })[], sidebar: Item[]): LoadedVersion {
  const docs = docIds.map((entry) => {
    const spec = typeof entry === 'string' ? { id: entry } : entry;
    return {
      id: spec.id,
      title: spec.id,
      description: '',
      source: spec.source ?? `@site/docs/${spec.id}.md`,
      sourceDirName: path.dirname(spec.id),
      slug: `/${spec.id}`,
      permalink: `/docs/${spec.id}`,
      draft: false,
      unlisted: false,
      tags: [],
      frontMatter: spec.frontMatter ?? {},
      version: 'current',
    };
  });
  return { versionName: 'current', isLast: true, docs, drafts: [], sidebars: { main: sidebar } } as unknown as LoadedVersion;
}

export const doc = (id: string): Item => ({ type: 'doc', id }) as Item;
export const category = (label: string, items: Item[], extra: Record<string, unknown> = {}): Item =>
  ({ type: 'category', label, items, collapsed: true, collapsible: true, ...extra }) as Item;
