/**
 * localStorage that never throws: private modes and blocked storage must not break the tutor.
 */
export const STORAGE_KEYS = {
  student: 'tutorgpt.student',
  thread: 'tutorgpt.thread',
  session: 'tutorgpt.session',
  /** Who is signed in (name, email), for the panel; `:<backendUrl>` is appended. */
  signedIn: 'tutorgpt.signedIn',
} as const;

function store(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readJson<T>(key: string): T | null {
  try {
    const raw = store()?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function writeJson(key: string, value: unknown): void {
  try {
    if (value === null || value === undefined) store()?.removeItem(key);
    else store()?.setItem(key, JSON.stringify(value));
  } catch {
    // quota or disabled storage: the value simply is not remembered
  }
}
