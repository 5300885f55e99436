/**
 * Who is reading (all optional unless the site requires it): email, name and learning level,
 * kept in localStorage and sent when a session is created.
 */
import React, { useState, type FormEvent, type ReactNode } from 'react';
import type { LearningLevel, Student } from '../../client/session';

const LEVELS: LearningLevel[] = ['beginner', 'intermediate', 'advanced'];

interface Props {
  student: Student | null;
  defaultLevel: LearningLevel;
  required: boolean;
  onSave(student: Student): void;
  onCancel?(): void;
  /** "Forget me": erase everything the tutor stored about this reader. */
  onForget?(): void;
}

export default function StudentForm({ student, defaultLevel, required, onSave, onCancel, onForget }: Props): ReactNode {
  const [email, setEmail] = useState(student?.email ?? '');
  const [name, setName] = useState(student?.name ?? '');
  const [level, setLevel] = useState<LearningLevel>(student?.level ?? defaultLevel);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave({ email: email.trim() || undefined, name: name.trim() || undefined, level });
  };
  return (
    <form className="tutorgpt-student" data-tutorgpt="student-form" onSubmit={submit} aria-label="About you">
      <p className="tutorgpt-muted">
        {required ? 'Tell the tutor who you are to start.' : 'Optional: helps the tutor pitch its answers and remember your progress.'}
      </p>
      <label>
        Email
        <input type="email" name="email" autoComplete="email" value={email} required={required} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Name
        <input type="text" name="name" autoComplete="name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Level
        <select name="learning_level" value={level} onChange={(e) => setLevel(e.target.value as LearningLevel)}>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l.charAt(0).toUpperCase() + l.slice(1)}
            </option>
          ))}
        </select>
      </label>
      <div className="tutorgpt-student-actions">
        <button type="submit" className="tutorgpt-send">
          Save
        </button>
        {onCancel && (
          <button type="button" className="tutorgpt-link-button" onClick={onCancel}>
            Cancel
          </button>
        )}
        {onForget && (
          <button type="button" className="tutorgpt-link-button" data-tutorgpt="forget-me"
            onClick={() => window.confirm('Erase your tutor history and progress?') && onForget()}>
            Forget me
          </button>
        )}
      </div>
    </form>
  );
}
