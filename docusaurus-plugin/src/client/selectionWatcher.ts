/**
 * Watches the reader's selection and reports the highlight that may be asked about (debounced,
 * article-only through readSelection). The current selection is checked once at start: a
 * reader may select before the tutor has mounted (it loads lazily after the page), and no
 * `selectionchange` will come for that selection.
 */
import type { Highlight } from './context';
import { readSelection, type SelectionLimits } from './selection';

export interface SelectionPlacement {
  top: number;
  left: number;
  bottom: number;
}

export interface WatchedSelection {
  highlight: Highlight;
  /** The selection's box in viewport coordinates (for the "Ask" button). */
  placement: SelectionPlacement;
}

export interface WatchOptions extends SelectionLimits {
  debounceMs: number;
}

/** Starts watching; `onChange(null)` hides the button. Returns the function that stops it. */
export function watchSelection(win: Window, options: WatchOptions, onChange: (found: WatchedSelection | null) => void): () => void {
  const doc = win.document;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const selection = doc.getSelection();
    const highlight = readSelection(selection, options);
    if (!highlight || !selection) {
      onChange(null);
      return;
    }
    const rect = selection.getRangeAt(0).getBoundingClientRect();
    onChange({ highlight, placement: { top: rect.top, left: rect.left + rect.width / 2, bottom: rect.bottom } });
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(check, options.debounceMs);
  };
  const hide = () => onChange(null);
  const onKeyUp = (event: KeyboardEvent) => (event.key === 'Escape' ? hide() : schedule());
  doc.addEventListener('selectionchange', schedule);
  doc.addEventListener('pointerup', schedule);
  doc.addEventListener('keyup', onKeyUp);
  win.addEventListener('scroll', hide, { passive: true });
  win.addEventListener('resize', hide);
  check();
  return () => {
    clearTimeout(timer);
    doc.removeEventListener('selectionchange', schedule);
    doc.removeEventListener('pointerup', schedule);
    doc.removeEventListener('keyup', onKeyUp);
    win.removeEventListener('scroll', hide);
    win.removeEventListener('resize', hide);
  };
}
