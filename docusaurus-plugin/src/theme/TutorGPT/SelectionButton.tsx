/**
 * The "Ask TutorGPT" button placed next to a selection in the article: above it with a mouse,
 * below it on touch screens (where the OS selection menu sits above).
 */
import React, { type ReactNode } from 'react';

export interface Placement {
  top: number;
  left: number;
  bottom: number;
}

interface Props {
  label: string;
  placement: Placement;
  onAsk(): void;
}

const BUTTON_HEIGHT = 36;
const GAP = 8;

export default function SelectionButton({ label, placement, onAsk }: Props): ReactNode {
  const coarse = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
  const top = coarse || placement.top < BUTTON_HEIGHT + GAP ? placement.bottom + GAP : placement.top - BUTTON_HEIGHT - GAP;
  const left = Math.max(8, Math.min(placement.left, window.innerWidth - 180));
  return (
    <button
      type="button"
      className="tutorgpt-ask"
      data-tutorgpt="ask-selection"
      aria-label={`${label} about the selected text`}
      style={{ top, left }}
      // Keep the selection: a mousedown on a button would otherwise collapse it.
      onMouseDown={(event) => event.preventDefault()}
      onClick={onAsk}
    >
      {label}
    </button>
  );
}
