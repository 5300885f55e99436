/**
 * Scrolling the chat's message list by its own scrollTop. `scrollIntoView` is avoided on
 * purpose: it scrolls every ancestor too, which pushed the panel's header out of view.
 */

export interface Scroller {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** Within this many pixels of the end counts as "at the end" (rounding, a last line of padding). */
export const END_SLACK_PX = 32;

export function isNearEnd(scroller: Scroller): boolean {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= END_SLACK_PX;
}

export function scrollToEnd(scroller: Scroller): void {
  scroller.scrollTop = Math.max(0, scroller.scrollHeight - scroller.clientHeight);
}
