/**
 * Chapter and lesson ids, worked out once at build time (spec §5.4).
 *
 * The same result feeds the browser's page map and `book-index.json`, so the ids the reader's
 * context carries and the ids the backend indexed are equal by construction (the Panaversity
 * prototype guessed them from URLs and never matched).
 */
import type { DocMetadata, LoadedVersion } from '@docusaurus/plugin-content-docs';
import type { ChapterInfo, PageIds, PageRole } from './types';
import type { PluginOptions } from '../options';

type SidebarItem = LoadedVersion['sidebars'][string][number];
type Category = Extract<SidebarItem, { type: 'category' }>;

export class DuplicateIdError extends Error {
  readonly code = 'TUTORGPT_DUPLICATE_ID';
}

export class InvalidIdError extends Error {
  readonly code = 'TUTORGPT_INVALID_ID';
}

interface CategoryChapter {
  id: string;
  title: string;
  permalink: string | null;
  linkDocId: string | null;
}

const INTRO_NAMES = new Set(['index', 'readme']);

/** Lower-case, ASCII-ish slug used only as a last resort (labels are translatable). */
export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'chapter'
  );
}

function lastSegment(docId: string): string {
  const parts = docId.split('/');
  return parts[parts.length - 1] ?? docId;
}

function directoryOf(docId: string): string | null {
  const cut = docId.lastIndexOf('/');
  return cut > 0 ? docId.slice(0, cut) : null;
}

function firstSegment(docId: string): string | null {
  const cut = docId.indexOf('/');
  return cut > 0 ? docId.slice(0, cut) : null;
}

function docIdsIn(items: SidebarItem[], out: string[] = []): string[] {
  for (const item of items) {
    if (item.type === 'doc' || item.type === 'ref') out.push(item.id);
    else if (item.type === 'category') {
      if (item.link?.type === 'doc') out.push(item.link.id);
      docIdsIn(item.items, out);
    }
  }
  return out;
}

function categoryChapterId(category: Category): string {
  const custom = category.customProps?.chapterId;
  if (typeof custom === 'string' && custom.trim()) return custom.trim();
  if (category.link?.type === 'doc') {
    const dir = directoryOf(category.link.id);
    if (dir) return dir;
  }
  const firsts = new Set(docIdsIn(category.items).map(firstSegment));
  if (firsts.size === 1) {
    const [only] = firsts;
    if (only) return only;
  }
  return slugify(category.label);
}

interface SidebarWalk {
  /** doc ids in sidebar order (first appearance wins) */
  order: string[];
  /** doc id → the top-level category that holds it */
  chapterOf: Map<string, CategoryChapter>;
  /** chapters in sidebar order */
  chapters: CategoryChapter[];
}

function walkSidebars(version: LoadedVersion, permalinkOf: Map<string, string>): SidebarWalk {
  const walk: SidebarWalk = { order: [], chapterOf: new Map(), chapters: [] };
  const seen = new Set<string>();
  const visit = (items: SidebarItem[], chapter: CategoryChapter | null) => {
    for (const item of items) {
      if (item.type === 'doc' || item.type === 'ref') {
        if (!seen.has(item.id)) {
          seen.add(item.id);
          walk.order.push(item.id);
          if (chapter) walk.chapterOf.set(item.id, chapter);
        }
      } else if (item.type === 'category') {
        let current = chapter;
        if (!chapter) {
          const linkDocId = item.link?.type === 'doc' ? item.link.id : null;
          const permalink =
            item.link?.type === 'doc'
              ? permalinkOf.get(item.link.id) ?? null
              : item.link?.type === 'generated-index'
                ? item.link.permalink
                : null;
          current = { id: categoryChapterId(item), title: item.label, permalink, linkDocId };
          walk.chapters.push(current);
        }
        if (item.link?.type === 'doc' && !seen.has(item.link.id)) {
          seen.add(item.link.id);
          walk.order.push(item.link.id);
          if (current) walk.chapterOf.set(item.link.id, current);
        }
        visit(item.items, current);
      }
    }
  };
  for (const sidebar of Object.values(version.sidebars ?? {})) visit(sidebar, null);
  return walk;
}

function frontMatterString(doc: DocMetadata, key: string): string | null {
  const value = (doc.frontMatter as Record<string, unknown>)[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidIdError(`Front matter "${key}" in ${sourcePathOf(doc)} must be a string (got ${typeof value}).`);
  }
  const text = String(value).trim();
  if (!text || text.length > 200) {
    throw new InvalidIdError(`Front matter "${key}" in ${sourcePathOf(doc)} must be 1 to 200 characters.`);
  }
  return text;
}

export function isExcludedByFrontMatter(doc: DocMetadata, key: string): boolean {
  const value = (doc.frontMatter as Record<string, unknown>)[key];
  return value === true || value === 'true';
}

export function sourcePathOf(doc: Pick<DocMetadata, 'source'>): string {
  return doc.source.replace(/^@site\//, '');
}

export interface IdsResult {
  pages: PageIds[];
  chapters: ChapterInfo[];
  warnings: string[];
}

/**
 * Work out the ids of every doc in `docs` (already filtered: no drafts, no excluded pages),
 * ordered by the sidebar. Throws {@link DuplicateIdError} naming both files on a clash unless
 * `ids.onDuplicate` is `'warn'`.
 */
export function computeIds(version: LoadedVersion, docs: DocMetadata[], options: Pick<PluginOptions, 'ids'>): IdsResult {
  const { chapter: mode, frontMatterKeys: keys, onDuplicate } = options.ids;
  const byId = new Map(docs.map((doc) => [doc.id, doc]));
  const permalinkOf = new Map(version.docs.map((doc) => [doc.id, doc.permalink]));
  const walk = walkSidebars(version, permalinkOf);
  const ordered = [
    ...walk.order.filter((id) => byId.has(id)),
    ...docs.map((doc) => doc.id).filter((id) => !walk.order.includes(id)),
  ];

  const chapters = new Map<string, ChapterInfo>();
  const addChapter = (id: string, title: string, permalink: string | null) => {
    let info = chapters.get(id);
    if (!info) {
      info = { id, title, position: chapters.size + 1, permalink, lessonIds: [] };
      chapters.set(id, info);
    }
    return info;
  };
  if (mode === 'sidebar-category') {
    for (const chapter of walk.chapters) addChapter(chapter.id, chapter.title, chapter.permalink);
  }

  const pages: PageIds[] = [];
  const warnings: string[] = [];
  const claimed = new Map<string, PageIds>();
  for (const docId of ordered) {
    const doc = byId.get(docId)!;
    const category = walk.chapterOf.get(docId) ?? null;
    const isLinkDoc = category?.linkDocId === docId;
    const last = lastSegment(docId);
    const isIntro = INTRO_NAMES.has(last.toLowerCase()) || isLinkDoc;

    let chapterId: string | null;
    let chapterTitle: string | null;
    if (mode === 'directory') {
      chapterId = firstSegment(docId);
      const linkDoc = chapterId ? byId.get(`${chapterId}/index`) ?? byId.get(`${chapterId}/README`) : undefined;
      chapterTitle = chapterId ? category?.title ?? linkDoc?.title ?? chapterId : null;
      if (chapterId) addChapter(chapterId, chapterTitle!, linkDoc?.permalink ?? category?.permalink ?? null);
    } else {
      chapterId = category?.id ?? null;
      chapterTitle = category?.title ?? null;
    }
    const chapterOverride = frontMatterString(doc, keys.chapter);
    if (chapterOverride) {
      chapterId = chapterOverride;
      chapterTitle = chapters.get(chapterOverride)?.title ?? category?.title ?? chapterOverride;
      addChapter(chapterId, chapterTitle, null);
    }
    const lessonOverride = frontMatterString(doc, keys.lesson);
    const lessonId = lessonOverride ?? (isIntro ? 'overview' : last);
    const role: PageRole = isIntro && chapterId ? 'chapter-intro' : chapterId ? 'lesson' : 'page';

    const page: PageIds = {
      docId,
      permalink: doc.permalink,
      title: doc.title,
      description: doc.description ?? '',
      chapterId,
      chapterTitle,
      lessonId,
      role,
      position: pages.length + 1,
      sourcePath: sourcePathOf(doc),
    };
    const key = `${chapterId ?? ''}\u0000${lessonId}`;
    const other = claimed.get(key);
    if (other) {
      const message =
        `TutorGPT: two docs have the same chapter/lesson id "${chapterId ?? '(no chapter)'}/${lessonId}": ` +
        `${other.sourcePath} and ${page.sourcePath}. Set "${keys.lesson}" (or "${keys.chapter}") in the front matter of one of them.`;
      if (onDuplicate === 'throw') throw new DuplicateIdError(message);
      warnings.push(message);
      continue;
    }
    claimed.set(key, page);
    pages.push(page);
    if (chapterId) chapters.get(chapterId)?.lessonIds.push(lessonId);
  }
  // A chapter whose every page was excluded or clashed has nothing to search: leave it out.
  const used = [...chapters.values()]
    .filter((chapter) => chapter.lessonIds.length > 0)
    .map((chapter, index) => ({ ...chapter, position: index + 1 }));
  return { pages, chapters: used, warnings };
}
