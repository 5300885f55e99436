/**
 * Keyboard shortcut parsing ("mod+." = Cmd on Apple platforms, Ctrl elsewhere). Events from
 * editable fields are ignored so typing never opens the tutor.
 */
export interface Shortcut {
  key: string;
  mod: boolean;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
}

export function parseShortcut(spec: string): Shortcut | null {
  const trimmed = spec.trim().toLowerCase();
  if (!trimmed) return null;
  const parts = trimmed.endsWith('++') ? [...trimmed.slice(0, -2).split('+'), '+'] : trimmed.split('+');
  const key = parts.pop();
  if (!key) return null;
  const shortcut: Shortcut = { key, mod: false, ctrl: false, alt: false, shift: false, meta: false };
  for (const part of parts) {
    if (part === 'mod' || part === 'ctrl' || part === 'alt' || part === 'shift' || part === 'meta') shortcut[part] = true;
    else return null;
  }
  return shortcut;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

export function matchesShortcut(event: KeyLike, shortcut: Shortcut, isApple: boolean): boolean {
  const wantMeta = shortcut.meta || (shortcut.mod && isApple);
  const wantCtrl = shortcut.ctrl || (shortcut.mod && !isApple);
  return (
    event.key.toLowerCase() === shortcut.key &&
    event.metaKey === wantMeta &&
    event.ctrlKey === wantCtrl &&
    event.altKey === shortcut.alt &&
    (shortcut.shift ? event.shiftKey : true)
  );
}

export function isEditable(target: unknown): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; closest?: (s: string) => unknown } | null;
  if (!el || typeof el !== 'object') return false;
  if (el.isContentEditable) return true;
  const tag = (el.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return true;
  return Boolean(el.closest?.('[contenteditable=""], [contenteditable="true"]'));
}
