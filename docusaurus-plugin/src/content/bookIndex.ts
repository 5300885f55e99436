/**
 * `allContent` → the book export (`book-index.json`, schema_version 1) and the browser page map.
 *
 * Both come from one call to {@link computeIds}, so the ids in the reader's context always match
 * the ids the backend indexed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedContent, LoadedVersion } from '@docusaurus/plugin-content-docs';
import type { PluginOptions } from '../options';
import { computeIds, isExcludedByFrontMatter } from './ids';
import { matchesAny } from './glob';
import { extractDoc, wordCount, type Heading, type Section } from './mdxToText';
import type { PageMapEntry } from './types';

export const SCHEMA_VERSION = 1;
export const DOCS_PLUGIN_NAME = 'docusaurus-plugin-content-docs';

export interface BookIndexPage {
  doc_id: string;
  permalink: string;
  title: string;
  description: string;
  chapter_id: string | null;
  lesson_id: string;
  role: 'lesson' | 'chapter-intro' | 'page';
  position: number;
  source_path: string;
  tags: string[];
  front_matter: Record<string, unknown>;
  headings: Heading[];
  sections: Section[];
  text: string;
  word_count: number;
  content_hash: string;
}

export interface BookIndex {
  schema_version: 1;
  generated_at: string;
  generator: string;
  site: { url: string; base_url: string; title: string; locale: string; docs_plugin_id: string; version: string | null };
  chapters: { id: string; title: string; position: number; permalink: string | null; lesson_ids: string[] }[];
  pages: BookIndexPage[];
}

export interface BuildInput {
  siteDir: string;
  siteConfig: { url: string; baseUrl: string; title: string };
  locale: string;
  generator: string;
  /** `allContent['docusaurus-plugin-content-docs']` (may be missing). */
  docsContent: Record<string, unknown> | undefined;
  options: Pick<PluginOptions, 'docsPluginId' | 'ids' | 'include' | 'exclude' | 'export'>;
  now?: () => Date;
}

export interface BuildResult {
  index: BookIndex;
  pageMap: Record<string, PageMapEntry>;
  chapters: Record<string, string>;
  warnings: string[];
}

function pickVersion(content: LoadedContent, which: 'last' | 'current'): LoadedVersion | undefined {
  const versions = content.loadedVersions ?? [];
  if (which === 'current') return versions.find((v) => v.versionName === 'current') ?? versions[0];
  return versions.find((v) => v.isLast) ?? versions[0];
}

function allowlisted(frontMatter: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (frontMatter[key] !== undefined) out[key] = frontMatter[key];
  return out;
}

export async function buildBookIndex(input: BuildInput): Promise<BuildResult> {
  const { options } = input;
  const warnings: string[] = [];
  const content = input.docsContent?.[options.docsPluginId] as LoadedContent | undefined;
  const version = content ? pickVersion(content, options.export.versions) : undefined;
  const site = {
    url: input.siteConfig.url,
    base_url: input.siteConfig.baseUrl,
    title: input.siteConfig.title,
    locale: input.locale,
    docs_plugin_id: options.docsPluginId,
    version: version?.versionName ?? null,
  };
  const index: BookIndex = {
    schema_version: SCHEMA_VERSION,
    generated_at: (input.now ?? (() => new Date()))().toISOString(),
    generator: input.generator,
    site,
    chapters: [],
    pages: [],
  };
  if (!version) {
    warnings.push(
      `TutorGPT: no docs found for docs plugin id "${options.docsPluginId}"; the book export is empty.`,
    );
    return { index, pageMap: {}, chapters: {}, warnings };
  }

  const excludeKey = options.ids.frontMatterKeys.exclude;
  const docs = version.docs.filter((doc) => {
    if (doc.draft || isExcludedByFrontMatter(doc, excludeKey)) return false;
    const keys = [doc.permalink, doc.id];
    if (options.include.length && !matchesAny(keys, options.include)) return false;
    return !matchesAny(keys, options.exclude);
  });
  const ids = computeIds(version, docs, options);
  warnings.push(...ids.warnings);
  const byId = new Map(docs.map((doc) => [doc.id, doc]));

  const pages = await Promise.all(
    ids.pages.map(async (page): Promise<BookIndexPage> => {
      const doc = byId.get(page.docId)!;
      const source = await readFile(path.join(input.siteDir, page.sourcePath), 'utf8');
      const extracted = extractDoc(source, page.title);
      const frontMatter = doc.frontMatter as Record<string, unknown>;
      return {
        doc_id: page.docId,
        permalink: page.permalink,
        title: page.title,
        description: page.description,
        chapter_id: page.chapterId,
        lesson_id: page.lessonId,
        role: page.role,
        position: page.position,
        source_path: page.sourcePath,
        tags: (doc.tags ?? []).map((tag) => tag.label),
        front_matter: allowlisted(frontMatter, options.export.frontMatterAllowlist),
        headings: extracted.headings,
        sections: options.export.includeText
          ? extracted.sections
          : extracted.sections.map((s) => ({ ...s, text: '', code_blocks: [] })),
        text: options.export.includeText ? extracted.text : '',
        word_count: wordCount(extracted.text),
        content_hash: `sha256:${createHash('sha256').update(extracted.text, 'utf8').digest('hex')}`,
      };
    }),
  );
  index.pages = pages;
  index.chapters = ids.chapters.map((c) => ({
    id: c.id,
    title: c.title,
    position: c.position,
    permalink: c.permalink,
    lesson_ids: c.lessonIds,
  }));

  const pageMap: Record<string, PageMapEntry> = {};
  for (const page of ids.pages) {
    pageMap[page.permalink] = { d: page.docId, t: page.title, c: page.chapterId, l: page.lessonId };
  }
  const chapters = Object.fromEntries(ids.chapters.map((c) => [c.id, c.title]));
  return { index, pageMap, chapters, warnings };
}
