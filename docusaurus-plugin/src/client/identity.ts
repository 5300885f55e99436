/**
 * Who the reader is, as the backend can prove it: a token from the site's own login
 * (`identity.getToken`), or else the student key the backend issued to this browser.
 *
 * Plugin options must be JSON (they are published as global data), so `getToken` is registered
 * from the browser instead, e.g. in a client module listed in `docusaurus.config`'s
 * `clientModules`:
 *
 *   import { configureTutorGPT } from 'docusaurus-plugin-tutorgpt/client';
 *   configureTutorGPT({ identity: { getToken: async () => auth.currentUser?.getIdToken() ?? null } });
 *
 * The student key is a secret: it lives in localStorage under a name per backend, and is sent
 * back only to that backend.
 */
import { readJson, STORAGE_KEYS, writeJson } from './storage';

export interface IdentityOptions {
  /** A JWT from the site's login for the signed-in reader, or null when nobody is signed in. */
  getToken?: () => Promise<string | null>;
}

export interface TutorClientOptions {
  identity?: IdentityOptions;
}

let configured: TutorClientOptions = {};

/** Register browser-side options (callbacks cannot be plugin options). Call it before the panel opens. */
export function configureTutorGPT(options: TutorClientOptions): void {
  configured = { ...configured, ...options };
}

export function tutorClientOptions(): TutorClientOptions {
  return configured;
}

/** Where this browser keeps its student key for one backend. */
export interface StudentKeyStore {
  load(): string | null;
  save(key: string | null): void;
}

const KEY_PREFIX = 'tutorgpt.studentKey:';

/** The localStorage entry for the backend behind `sessionEndpoint` (one key per backend URL). */
export function studentKeyStore(sessionEndpoint: string): StudentKeyStore {
  const name = KEY_PREFIX + sessionEndpoint.replace(/\/session\/?$/, '');
  return {
    load: () => {
      const key = readJson<unknown>(name);
      return typeof key === 'string' && key ? key : null;
    },
    save: (key) => writeJson(name, key),
  };
}

/** `DELETE /student` next to `POST /session`. */
export function studentEndpoint(sessionEndpoint: string): string {
  return sessionEndpoint.replace(/\/session\/?$/, '/student');
}

/** "Forget me": erase the student on the backend, then everything this browser kept about them. */
export async function forgetReader(session: { forget(): Promise<void> }): Promise<void> {
  await session.forget();
  writeJson(STORAGE_KEYS.student, null);
  writeJson(STORAGE_KEYS.thread, null);
}

/** The registered `identity` options, read at call time so registering late still works. */
export const registeredIdentity: IdentityOptions = {
  get getToken() {
    return configured.identity?.getToken;
  },
};
