/**
 * Shapes shared by the build side and the browser side. Kept free of runtime imports so the
 * browser bundle can import the types without pulling Node modules in.
 */

export type PageRole = 'lesson' | 'chapter-intro' | 'page';

/** The ids worked out once per doc at build time (spec §5.4). */
export interface PageIds {
  docId: string;
  permalink: string;
  title: string;
  description: string;
  chapterId: string | null;
  chapterTitle: string | null;
  /** the outermost category above the chapter (parts › chapters › lessons), or null */
  partId: string | null;
  partTitle: string | null;
  lessonId: string;
  role: PageRole;
  /** 1-based order of the page in the book (sidebar order, then unlisted-in-sidebar docs). */
  position: number;
  sourcePath: string;
}

export interface ChapterInfo {
  id: string;
  title: string;
  position: number;
  permalink: string | null;
  partId: string | null;
  partTitle: string | null;
  lessonIds: string[];
}

/** One entry of the browser's page map: deliberately small (global data ships on every page). */
export interface PageMapEntry {
  /** doc id */
  d: string;
  /** page title (also the lesson title) */
  t: string;
  /** chapter id or null */
  c: string | null;
  /** lesson id */
  l: string;
  /** part id (the category above the chapter), absent when there is none */
  p?: string;
  /** docs plugin instance id; absent for `default` (global data ships on every page) */
  i?: string;
  /** version name; absent for `current` (the unreleased docs, or a site without versions) */
  v?: string;
}

export const DEFAULT_INSTANCE = 'default';
export const CURRENT_VERSION = 'current';

/** Key of a chapter or part title in global data: ids are only unique within one instance and version. */
export function chapterKey(instance: string, version: string, id: string): string {
  return `${instance}|${version}|${id}`;
}

export interface TutorClientConfig {
  backendUrl: string;
  sessionEndpoint: string | null;
  refreshEndpoint: string | null;
  domainKey: string;
  scriptTimeoutMs: number;
  scriptLoaded: boolean;
  /** The injected ChatKit script's src (null when none is injected), to watch its error event. */
  scriptSrc: string | null;
  surface: 'auto' | 'chatkit' | 'fallback';
  devFallback: 'auto' | 'always' | 'never';
  contextHeader: string;
  locale: string;
  highlight: {
    enabled: boolean;
    minChars: number;
    maxChars: number;
    contextChars: number;
    autoSend: boolean;
    debounceMs: number;
  };
  ui: {
    position: 'bottom-right' | 'bottom-left';
    label: string;
    title: string;
    greeting: string;
    starterPrompts: { label: string; prompt: string }[];
    placeholder: string;
    disclaimer: string;
    shortcut: string;
    defaultOpen: boolean;
    panelWidth: number;
  };
  student: { askIdentity: 'optional' | 'required' | 'never'; defaultLevel: 'beginner' | 'intermediate' | 'advanced' };
  /** "Sign in with …" (see `client/login.ts`); `null` when the site offers no sign-in. */
  login: { providerName: string; provider: string | null; loginUrl: string } | null;
}

/** What `setGlobalData` publishes. */
export interface TutorGlobalData {
  pageMap: Record<string, PageMapEntry>;
  /** chapterKey(instance, version, chapter id) → chapter title */
  chapters: Record<string, string>;
  /** chapterKey(instance, version, part id) → part title */
  parts: Record<string, string>;
  config: TutorClientConfig;
}
