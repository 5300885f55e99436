/**
 * The floating "Ask TutorGPT" button. It names its keyboard shortcut for assistive technology
 * (`aria-keyshortcuts`) and shows it as a hint on devices with a hovering pointer.
 */
import React, { forwardRef, type ReactNode } from 'react';
import type { ShortcutLabels } from '../../client/shortcut';

interface Props {
  label: string;
  side: string;
  open: boolean;
  shortcut: ShortcutLabels | null;
  onToggle(): void;
}

const Launcher = forwardRef<HTMLButtonElement, Props>(function Launcher({ label, side, open, shortcut, onToggle }, ref): ReactNode {
  return (
    <button
      ref={ref}
      type="button"
      className={`tutorgpt-launcher tutorgpt-launcher--${side}`}
      data-tutorgpt="launcher"
      aria-expanded={open}
      aria-controls="tutorgpt-panel"
      aria-keyshortcuts={shortcut?.aria}
      onClick={onToggle}
    >
      {label}
      {shortcut && (
        <kbd className="tutorgpt-kbd" data-tutorgpt="shortcut-hint" aria-hidden="true">
          {shortcut.visible}
        </kbd>
      )}
    </button>
  );
});

export default Launcher;
