/**
 * `allContent` → the book export (`book-index.json`, schema_version 1) and the browser page map.
 *
 * Both come from one call to {@link computeIds}, so the ids in the reader's context always match
 * the ids the backend indexed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DocMetadata, LoadedContent, LoadedVersion } from '@docusaurus/plugin-content-docs';
import type { PluginOptions } from '../options';
import { computeIds, isExcludedByFrontMatter } from './ids';
import { matchesAny } from './glob';
import { extractDoc, wordCount, type Heading, type Section } from './mdxToText';
import { chapterKey, CURRENT_VERSION, DEFAULT_INSTANCE, type PageMapEntry } from './types';

export const SCHEMA_VERSION = 1;
export const DOCS_PLUGIN_NAME = 'docusaurus-plugin-content-docs';

export interface BookIndexPage {
  /** the docs plugin instance (`default`, `community`, ...) and the version name (`current`, `1.0`) */
  docs_instance: string;
  version: string;
  doc_id: string;
  permalink: string;
  title: string;
  description: string;
  part_id: string | null;
  part_title: string | null;
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

export interface BookIndexChapter {
  docs_instance: string;
  version: string;
  id: string;
  title: string;
  position: number;
  permalink: string | null;
  part_id: string | null;
  part_title: string | null;
  lesson_ids: string[];
}

export interface BookIndexVersion {
  docs_instance: string;
  name: string;
  label: string;
  path: string;
  /** the version the instance serves at its root (Docusaurus's `lastVersion`): search's default */
  is_default: boolean;
}

export interface BookIndex {
  schema_version: 1;
  generated_at: string;
  generator: string;
  site: { url: string; base_url: string; title: string; locale: string; docs_plugin_id: string; version: string | null };
  versions: BookIndexVersion[];
  chapters: BookIndexChapter[];
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
  /** chapterKey(instance, version, chapter id) → title; parts are keyed the same way */
  chapters: Record<string, string>;
  parts: Record<string, string>;
  warnings: string[];
}

/** The versions `export.versions` selects: names, or `current`, `last` (the released default), `all`. */
export function selectVersions(content: LoadedContent, wanted: string[]): LoadedVersion[] {
  const versions = content.loadedVersions ?? [];
  return versions.filter(
    (v) => wanted.includes('all') || wanted.includes(v.versionName) || (wanted.includes('last') && v.isLast),
  );
}

/** The docs instances `docsPluginId` selects (`'all'` by default), in Docusaurus's order. */
export function selectInstances(docsContent: Record<string, unknown> | undefined, wanted: string[]): [string, LoadedContent][] {
  return Object.entries(docsContent ?? {})
    .filter(([id]) => wanted.includes('all') || wanted.includes(id))
    .map(([id, content]) => [id, content as LoadedContent]);
}

function allowlisted(frontMatter: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (frontMatter[key] !== undefined) out[key] = frontMatter[key];
  return out;
}

/** Drafts, unlisted pages (unless `export.includeUnlisted`), `tutor_exclude` and the include/exclude globs. */
function exportedDocs(version: LoadedVersion, options: BuildInput['options']): DocMetadata[] {
  const excludeKey = options.ids.frontMatterKeys.exclude;
  return version.docs.filter((doc) => {
    if (doc.draft || isExcludedByFrontMatter(doc, excludeKey)) return false;
    if (doc.unlisted && !options.export.includeUnlisted) return false;
    const keys = [doc.permalink, doc.id];
    if (options.include.length && !matchesAny(keys, options.include)) return false;
    return !matchesAny(keys, options.exclude);
  });
}

export async function buildBookIndex(input: BuildInput): Promise<BuildResult> {
  const { options } = input;
  const instances = selectInstances(input.docsContent, options.docsPluginId);
  const firstVersions = instances[0] ? selectVersions(instances[0][1], options.export.versions) : [];
  const index: BookIndex = {
    schema_version: SCHEMA_VERSION,
    generated_at: (input.now ?? (() => new Date()))().toISOString(),
    generator: input.generator,
    site: {
      url: input.siteConfig.url,
      base_url: input.siteConfig.baseUrl,
      title: input.siteConfig.title,
      locale: input.locale,
      docs_plugin_id: instances[0]?.[0] ?? options.docsPluginId[0] ?? 'default',
      version: (firstVersions.find((v) => v.isLast) ?? firstVersions[0])?.versionName ?? null,
    },
    versions: [],
    chapters: [],
    pages: [],
  };
  const result: BuildResult = { index, pageMap: {}, chapters: {}, parts: {}, warnings: [] };
  for (const [instance, content] of instances) {
    for (const version of selectVersions(content, options.export.versions)) {
      await addVersion(result, input, instance, version);
    }
  }
  if (!index.pages.length) {
    result.warnings.push(
      `TutorGPT: no docs found for docs plugin id ${JSON.stringify(options.docsPluginId)} and versions ${JSON.stringify(options.export.versions)}; the book export is empty.`,
    );
  }
  return result;
}

async function addVersion(result: BuildResult, input: BuildInput, instance: string, version: LoadedVersion): Promise<void> {
  const { options } = input;
  const name = version.versionName;
  const docs = exportedDocs(version, options);
  const ids = computeIds(version, docs, options);
  result.warnings.push(...ids.warnings);
  const byId = new Map(docs.map((doc) => [doc.id, doc]));
  result.index.versions.push({ docs_instance: instance, name, label: version.label, path: version.path, is_default: version.isLast });

  const pages = await Promise.all(
    ids.pages.map(async (page): Promise<BookIndexPage> => {
      const doc = byId.get(page.docId)!;
      const sourceFile = path.join(input.siteDir, page.sourcePath);
      const extracted = extractDoc(await readFile(sourceFile, 'utf8'), page.title, { file: sourceFile });
      const frontMatter = doc.frontMatter as Record<string, unknown>;
      return {
        docs_instance: instance,
        version: name,
        doc_id: page.docId,
        permalink: page.permalink,
        title: page.title,
        description: page.description,
        part_id: page.partId,
        part_title: page.partTitle,
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
  result.index.pages.push(...pages);
  for (const c of ids.chapters) {
    result.index.chapters.push({
      docs_instance: instance,
      version: name,
      id: c.id,
      title: c.title,
      position: c.position,
      permalink: c.permalink,
      part_id: c.partId,
      part_title: c.partTitle,
      lesson_ids: c.lessonIds,
    });
    result.chapters[chapterKey(instance, name, c.id)] = c.title;
    if (c.partId) result.parts[chapterKey(instance, name, c.partId)] = c.partTitle ?? c.partId;
  }
  for (const page of ids.pages) {
    const entry: PageMapEntry = { d: page.docId, t: page.title, c: page.chapterId, l: page.lessonId };
    if (page.partId) entry.p = page.partId;
    if (instance !== DEFAULT_INSTANCE) entry.i = instance;
    if (name !== CURRENT_VERSION) entry.v = name;
    result.pageMap[page.permalink] = entry;
  }
}
