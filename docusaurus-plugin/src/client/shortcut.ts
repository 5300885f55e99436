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

export interface ShortcutLabels {
  /** For `aria-keyshortcuts` (UI Events key names, e.g. "Control+."). */
  aria: string;
  /** What the reader sees, e.g. "Ctrl+." or "⌘." on Apple platforms. */
  visible: string;
}

/** The shortcut named for assistive technology and for the launcher's visible hint. */
export function describeShortcut(shortcut: Shortcut, isApple: boolean): ShortcutLabels {
  const held: [boolean, string, string][] = [
    [shortcut.ctrl || (shortcut.mod && !isApple), 'Control', isApple ? '⌃' : 'Ctrl+'],
    [shortcut.alt, 'Alt', isApple ? '⌥' : 'Alt+'],
    [shortcut.shift, 'Shift', isApple ? '⇧' : 'Shift+'],
    [shortcut.meta || (shortcut.mod && isApple), 'Meta', isApple ? '⌘' : 'Meta+'],
  ];
  const down = held.filter(([on]) => on);
  const key = shortcut.key.length === 1 ? shortcut.key.toUpperCase() : shortcut.key.charAt(0).toUpperCase() + shortcut.key.slice(1);
  return {
    aria: [...down.map(([, name]) => name), key].join('+'),
    visible: down.map(([, , sign]) => sign).join('') + key,
  };
}
