/**
 * Links inside the chat (citations and links in answers) go through the site's router instead
 * of a full page load, so the panel and its thread stay as they are. Only a plain left click on
 * a same-origin link without a target is taken over; anything else (new tab, download, other
 * sites) is left to the browser.
 */

/** The panel is a bottom sheet below this width (the same breakpoint as styles.ts). */
export const NARROW_MAX_WIDTH = 600;
/**
 * Docusaurus's one-column layout ends here (its `996px` breakpoint): below it the article spans
 * the page, so a side panel (a tablet's 420 px of 768) sits over half of every line.
 */
export const SINGLE_COLUMN_MAX_WIDTH = 996;

export interface ClickLike {
  button: number;
  defaultPrevented: boolean;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The anchor a click landed in, if it is inside `container`. */
export function anchorOf(target: EventTarget | null, container: Element): HTMLAnchorElement | null {
  const element = target && (target as Node).nodeType === 1 ? (target as Element) : (target as Node | null)?.parentElement ?? null;
  const anchor = element?.closest('a[href]') ?? null;
  return anchor && container.contains(anchor) ? (anchor as HTMLAnchorElement) : null;
}

/** The router path (`pathname + search + hash`) for a click to take over, or null. */
export function inAppPath(anchor: HTMLAnchorElement, click: ClickLike, origin: string): string | null {
  if (click.defaultPrevented || click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return null;
  const target = anchor.getAttribute('target');
  if ((target && target !== '_self') || anchor.hasAttribute('download')) return null;
  let url: URL;
  try {
    url = new URL(anchor.getAttribute('href') ?? '', anchor.baseURI || origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  return url.pathname + url.search + url.hash;
}

/** Whether the open panel hides the article's text, so it closes after a link is followed. */
export function panelCoversArticle(win: Pick<Window, 'matchMedia'>): boolean {
  return typeof win.matchMedia === 'function' && win.matchMedia(`(max-width: ${SINGLE_COLUMN_MAX_WIDTH}px)`).matches;
}
