/**
 * The reader's page context: built from the build-time page map (looked up by pathname, never
 * guessed from the URL) and sent base64url-encoded in a header on every ChatKit request.
 */
import { chapterKey, CURRENT_VERSION, DEFAULT_INSTANCE, type PageMapEntry } from '../content/types';
import { codePointSlice } from './selection';

/** The snake_case context the backend validates (tutorgpt_asgi/sessions/context.py). */
export interface PageContext {
  page_path: string;
  page_title: string | null;
  page_url: string | null;
  doc_id: string | null;
  current_chapter: string | null;
  chapter_title: string | null;
  current_lesson: string | null;
  lesson_title: string | null;
  highlighted_text: string | null;
  highlight_context: string | null;
  highlight_anchor: string | null;
  locale: string | null;
  /** docs plugin instance and version name of the page (`current` = unreleased docs) */
  docs_instance: string | null;
  version: string | null;
  part_id: string | null;
  part_title: string | null;
}

export interface Highlight {
  text: string;
  context: string | null;
  anchor: string | null;
  truncated: boolean;
}

/**
 * The backend's per-field caps (its `PageContext` struct; tests/web/test_context_schema.py checks
 * them against it), in code points as the backend counts them: trimming here keeps one long title
 * from failing a request.
 */
export const CONTEXT_CAPS: Readonly<Record<keyof PageContext, number>> = {
  page_path: 2048,
  page_title: 500,
  page_url: 2048,
  doc_id: 300,
  current_chapter: 200,
  chapter_title: 500,
  current_lesson: 200,
  lesson_title: 500,
  highlighted_text: 1000,
  highlight_context: 2000,
  highlight_anchor: 300,
  locale: 35,
  docs_instance: 100,
  version: 100,
  part_id: 200,
  part_title: 500,
};

function candidates(pathname: string): string[] {
  let decoded = pathname;
  try {
    decoded = decodeURI(pathname);
  } catch {
    // keep the raw path
  }
  const out = new Set<string>();
  for (const p of [pathname, decoded]) {
    out.add(p);
    out.add(p.endsWith('/') ? p.replace(/\/+$/, '') || '/' : `${p}/`);
    if (p.endsWith('/index.html')) out.add(p.slice(0, -'index.html'.length));
    if (p.endsWith('.html')) out.add(p.slice(0, -'.html'.length));
  }
  // Array.from, not spread: Docusaurus's loose Babel turns `[...set]` into `[set]`.
  return Array.from(out);
}

export function lookupPage(pageMap: Record<string, PageMapEntry>, pathname: string): PageMapEntry | null {
  for (const candidate of candidates(pathname)) {
    const entry = pageMap[candidate];
    if (entry) return entry;
  }
  return null;
}

export interface ContextInput {
  pageMap: Record<string, PageMapEntry>;
  /** chapterKey(instance, version, id) → title, for chapters and for parts */
  chapters: Record<string, string>;
  parts?: Record<string, string>;
  pathname: string;
  href: string | null;
  documentTitle: string | null;
  locale: string | null;
  highlight: Highlight | null;
}

function cap(field: keyof PageContext, value: string | null): string | null {
  if (value === null) return null;
  return codePointSlice(value, CONTEXT_CAPS[field]);
}

export function buildPageContext(input: ContextInput): PageContext {
  const entry = lookupPage(input.pageMap, input.pathname);
  const instance = entry ? entry.i ?? DEFAULT_INSTANCE : null;
  const version = entry ? entry.v ?? CURRENT_VERSION : null;
  const key = (id: string) => chapterKey(instance!, version!, id);
  const context: PageContext = {
    page_path: input.pathname.startsWith('/') ? input.pathname : `/${input.pathname}`,
    page_title: entry?.t ?? input.documentTitle ?? null,
    page_url: input.href,
    doc_id: entry?.d ?? null,
    current_chapter: entry?.c ?? null,
    chapter_title: entry?.c ? input.chapters[key(entry.c)] ?? null : null,
    current_lesson: entry?.l ?? null,
    lesson_title: entry?.t ?? null,
    highlighted_text: input.highlight?.text ?? null,
    highlight_context: input.highlight?.context ?? null,
    highlight_anchor: input.highlight?.anchor ?? null,
    locale: input.locale,
    docs_instance: instance,
    version,
    part_id: entry?.p ?? null,
    part_title: entry?.p ? input.parts?.[key(entry.p)] ?? null : null,
  };
  for (const key of Object.keys(context) as (keyof PageContext)[]) {
    if (key !== 'page_path') context[key] = cap(key, context[key]);
  }
  context.page_path = cap('page_path', context.page_path)!;
  return context;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** base64url (RFC 4648 §5) of the UTF-8 JSON, without padding: safe in any header value. */
export function encodeContextHeader(context: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify(context));
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeContextHeader(value: string): unknown {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * Longest context header sent, in characters (= bytes: base64url is ASCII). Common proxies
 * refuse a request whose headers pass 8 KB in total; the bearer, cookies and the browser's own
 * headers need the rest. The full highlight still travels in the request body (`quoted_text`).
 */
export const CONTEXT_HEADER_MAX_CHARS = 4096;

/** Characters dropped per step while trimming: coarse steps keep this to a few encodes. */
const TRIM_STEP = 0.75;

/**
 * The encoded header, trimmed to fit {@link CONTEXT_HEADER_MAX_CHARS}: first the text around
 * the highlight, then the highlight itself (non-Latin text takes up to 4 bytes a character and
 * base64 adds a third, so 1 000 characters can encode to 5 KB).
 */
export function fitContextHeader(context: PageContext, maxChars: number = CONTEXT_HEADER_MAX_CHARS): string {
  let fitted: PageContext = context;
  let encoded = encodeContextHeader(fitted);
  for (const field of ['highlight_context', 'highlighted_text'] as const) {
    while (encoded.length > maxChars && fitted[field]) {
      const value = Array.from(fitted[field]!); // by code point: never split a surrogate pair
      const kept = value.length < 16 ? '' : value.slice(0, Math.floor(value.length * TRIM_STEP)).join('');
      fitted = { ...fitted, [field]: kept || null };
      encoded = encodeContextHeader(fitted);
    }
  }
  return encoded;
}
