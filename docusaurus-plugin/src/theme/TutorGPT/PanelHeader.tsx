/**
 * The panel's title row: the title the dialog is named by, "About you" and a 44×44 close button.
 */
import React, { type ReactNode } from 'react';

interface Props {
  title: string;
  /** The "About you" button's text, or null when the site never asks who is reading. */
  studentLabel: string | null;
  formShown: boolean;
  onToggleForm(): void;
  onClose(): void;
}

export default function PanelHeader({ title, studentLabel, formShown, onToggleForm, onClose }: Props): ReactNode {
  return (
    <div className="tutorgpt-header">
      <h2 id="tutorgpt-title">{title}</h2>
      {studentLabel !== null && (
        <button type="button" className="tutorgpt-link-button" aria-expanded={formShown} onClick={onToggleForm}>
          {studentLabel}
        </button>
      )}
      <button type="button" className="tutorgpt-icon-button tutorgpt-close" data-tutorgpt="close" aria-label="Close the tutor" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
