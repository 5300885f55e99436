/**
 * Which selections may be asked about, and what is sent with them (spec §5.6): only text inside
 * the doc article, never the navbar, sidebar, code copy buttons or the tutor's own panel;
 * whitespace collapsed, capped at `maxChars`, plus the enclosing block and the nearest heading id.
 */
import type { Highlight } from './context';

export const ARTICLE_SELECTOR = 'article .markdown, .theme-doc-markdown';
export const BLOCKED_SELECTOR =
  '[data-tutorgpt], nav, .navbar, .menu, .theme-doc-sidebar-container, .table-of-contents, ' +
  'button, input, textarea, select, [contenteditable], .clean-btn';
const BLOCK_SELECTOR = 'p, li, blockquote, td, th, dd, dt, pre, figcaption, h1, h2, h3, h4, h5, h6';
const HEADING_SELECTOR = 'h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]';
const LONG_SELECTION_WORDS = 200;

export interface SelectionLike {
  isCollapsed: boolean;
  rangeCount: number;
  getRangeAt(index: number): Range;
  toString(): string;
}

export interface SelectionLimits {
  minChars: number;
  maxChars: number;
  contextChars: number;
}

export function normaliseText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Cut at `max` characters, preferring the last word boundary in the final 10%. Characters are
 * Unicode code points, as the backend counts them (Python's `len`), so an emoji is one character
 * and a surrogate pair is never split (a lone surrogate makes the JSON body invalid).
 */
export function truncate(text: string, max: number): { text: string; truncated: boolean } {
  if (codePointLength(text) <= max) return { text, truncated: false };
  const hard = codePointSlice(text, max);
  const space = hard.lastIndexOf(' ');
  const cut = space >= max * 0.9 ? hard.slice(0, space) : hard;
  return { text: cut.trimEnd(), truncated: true };
}

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The first `max` code points of `text` (never half a surrogate pair). */
export function codePointSlice(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join('');
}

function elementOf(node: Node | null): Element | null {
  if (!node) return null;
  return node.nodeType === 1 ? (node as Element) : node.parentElement;
}

/** The id of the last heading at or before `node` inside `root` (for `permalink#anchor`). */
export function nearestHeadingAnchor(root: Element, node: Node): string | null {
  let anchor: string | null = null;
  for (const heading of Array.from(root.querySelectorAll(HEADING_SELECTOR))) {
    const position = heading.compareDocumentPosition(node);
    // FOLLOWING (4): node comes after the heading; CONTAINED_BY (16): node is inside it.
    if (heading === node || position & 4 || position & 16) anchor = heading.id;
    else break;
  }
  return anchor;
}

/** The highlight to ask about, or null when the selection is not an article passage. */
export function readSelection(selection: SelectionLike | null, limits: SelectionLimits): Highlight | null {
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const common = elementOf(range.commonAncestorContainer);
  const start = elementOf(range.startContainer);
  const end = elementOf(range.endContainer);
  if (!common || !start || !end) return null;
  const article = common.closest(ARTICLE_SELECTOR);
  if (!article || !article.contains(start) || !article.contains(end)) return null;
  if ([common, start, end].some((el) => el.closest(BLOCKED_SELECTOR))) return null;

  const normalised = normaliseText(selection.toString());
  if (normalised.length < limits.minChars) return null;
  const { text, truncated } = truncate(normalised, limits.maxChars);
  const block = start.closest(BLOCK_SELECTOR);
  const blockText = block && article.contains(block) ? normaliseText(block.textContent ?? '') : '';
  const context = limits.contextChars > 0 && blockText ? truncate(blockText, limits.contextChars).text : null;
  return { text, truncated, context, anchor: nearestHeadingAnchor(article, range.startContainer) };
}

/** The prefilled request: long passages ask the reader to narrow it down (Panaversity spec). */
export function defaultPrompt(text: string): string {
  const words = text.split(/\s+/).filter(Boolean).length;
  return words > LONG_SELECTION_WORDS ? 'Which part of this is unclear?' : 'Explain this in simpler terms.';
}
