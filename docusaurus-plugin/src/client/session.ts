/**
 * The tutor session: created with the contract's fields when first needed, refreshed through
 * `/session/refresh` before the secret expires, and replaced by a new one when refresh fails.
 * The secret is never logged. It is kept in the given storage (localStorage in the browser) so a
 * reload keeps the same session: the backend scopes threads to the session's student, and an
 * anonymous reader would otherwise lose the thread on every reload. It expires like any session.
 *
 * Which student a new session belongs to is proven, never claimed: a token from the site's login
 * when `identity.getToken` gives one (it wins), else the student key the backend issued to this
 * browser (kept per backend, see identity.ts). The email and name are only profile hints.
 */
import type { PageContext } from './context';
import { errorFromResponse } from './http';
import { studentEndpoint, type IdentityOptions, type StudentKeyStore } from './identity';

export type LearningLevel = 'beginner' | 'intermediate' | 'advanced';

export interface Student {
  email?: string;
  name?: string;
  level?: LearningLevel;
}

export interface SessionInfo {
  clientSecret: string;
  sessionId: string;
  /** epoch milliseconds */
  expiresAt: number;
}

export interface SessionManagerOptions {
  sessionEndpoint: string | null;
  refreshEndpoint: string | null;
  fetch: typeof fetch;
  getContext: () => PageContext;
  getStudent: () => Student | null;
  defaultLevel: LearningLevel;
  now?: () => number;
  /** Where the session survives a reload (none: memory only). */
  storage?: SessionStorage;
  /** The site's login; without a token the student key is sent. */
  identity?: IdentityOptions;
  /** Where this browser's student key lives (none: every session is a new student). */
  studentKeys?: StudentKeyStore;
}

/** Who a login code signed in, as the backend verified it (`signed_in_as` in the 201 body). */
export interface SignedInAs {
  name: string | null;
  email: string | null;
}

export interface SessionStorage {
  load(): SessionInfo | null;
  save(session: SessionInfo | null): void;
}

/** The `POST /session` body: the contract's snake_case fields plus the extra context fields. */
export function sessionBody(context: PageContext, student: Student | null, defaultLevel: LearningLevel): Record<string, string> {
  const body: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) if (typeof value === 'string' && value) body[key] = value;
  if (student?.email?.trim()) body.student_email = student.email.trim();
  if (student?.name?.trim()) body.student_name = student.name.trim();
  body.learning_level = student?.level ?? defaultLevel;
  return body;
}

function parseSession(json: unknown, now: number): SessionInfo {
  const data = json as { client_secret?: unknown; session_id?: unknown; expires_at?: unknown };
  if (typeof data?.client_secret !== 'string' || typeof data.session_id !== 'string') {
    throw new Error('The session endpoint answered without a client_secret.');
  }
  const expires = typeof data.expires_at === 'string' ? Date.parse(data.expires_at) : NaN;
  return { clientSecret: data.client_secret, sessionId: data.session_id, expiresAt: Number.isFinite(expires) ? expires : now + 30 * 60_000 };
}

/** Refresh this long before expiry: a fifth of the remaining lifetime, between 5 s and 60 s. */
/** A secret this close to expiry is refreshed before use rather than sent. */
const MIN_VALIDITY_MS = 5_000;

export function refreshMargin(lifetimeMs: number): number {
  return Math.max(5_000, Math.min(60_000, lifetimeMs / 5));
}

export class SessionManager {
  private current: SessionInfo | null = null;
  private pending: Promise<SessionInfo | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: SessionManagerOptions) {
    this.now = options.now ?? Date.now;
    const stored = options.sessionEndpoint ? options.storage?.load() : null;
    if (stored && typeof stored.clientSecret === 'string' && stored.expiresAt - this.now() > MIN_VALIDITY_MS) {
      this.current = stored;
      this.schedule(stored);
    }
  }

  get session(): SessionInfo | null {
    return this.current;
  }

  /** The secret to send, creating or refreshing the session first when needed. */
  async getSecret(): Promise<string | null> {
    if (!this.options.sessionEndpoint) return null;
    const session = this.current;
    // The timer refreshes ahead of expiry; this catches a tab that slept through it.
    if (session && session.expiresAt - this.now() > MIN_VALIDITY_MS) return session.clientSecret;
    const fresh = await this.ensure(session ? 'refresh' : 'create');
    return fresh?.clientSecret ?? null;
  }

  /** Forget the session (after a 401) so the next request starts a new one. */
  invalidate(): void {
    this.current = null;
    this.options.storage?.save(null);
    this.clearTimer();
  }

  dispose(): void {
    this.clearTimer();
  }

  private ensure(kind: 'create' | 'refresh'): Promise<SessionInfo | null> {
    if (!this.pending) {
      this.pending = (kind === 'refresh' ? this.refresh() : this.create()).finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  async create(): Promise<SessionInfo> {
    return this.adopt(parseSession(await this.open({}), this.now()));
  }

  /**
   * Start a new session with a login code (`client/login.ts`). The browser's student key goes
   * along: the backend folds this browser's anonymous history into the signed-in student.
   */
  async signIn(loginCode: string): Promise<SignedInAs> {
    this.invalidate();
    const json = (await this.open({ login_code: loginCode })) as { signed_in_as?: Partial<SignedInAs> };
    this.adopt(parseSession(json, this.now()));
    const who = json.signed_in_as ?? {};
    return { name: typeof who.name === 'string' ? who.name : null, email: typeof who.email === 'string' ? who.email : null };
  }

  /** Sign out here: forget the session and the student key (the student stays on the backend). */
  forgetStudent(): void {
    this.invalidate();
    this.options.studentKeys?.save(null);
  }

  /** `POST /session` with the reader's proof (a token, else the key) and `extra` fields. */
  private async open(extra: Record<string, string>): Promise<unknown> {
    const body = { ...sessionBody(this.options.getContext(), this.options.getStudent(), this.options.defaultLevel), ...extra };
    const token = extra.login_code ? null : ((await this.options.identity?.getToken?.()) ?? null);
    const key = token ? null : (this.options.studentKeys?.load() ?? null);
    if (token) body.identity_token = token;
    else if (key) body.student_key = key;
    let response = await this.postSession(body);
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (!key || error.code !== 'INVALID_STUDENT_KEY') throw error;
      // The key's student was erased (or the backend's data reset): continue as a new student.
      this.options.studentKeys?.save(null);
      delete body.student_key;
      response = await this.postSession(body);
      if (!response.ok) throw await errorFromResponse(response);
    }
    const json = (await response.json()) as { student_key?: unknown };
    if (typeof json?.student_key === 'string') this.options.studentKeys?.save(json.student_key);
    return json;
  }

  private postSession(body: Record<string, string>): Promise<Response> {
    return this.options.fetch(this.options.sessionEndpoint!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /**
   * "Forget me": erase this reader's student on the backend (`DELETE /student`: sessions,
   * threads, feedback, progress), then forget the session and the student key here.
   */
  async forget(): Promise<void> {
    const endpoint = this.options.sessionEndpoint;
    const known = this.current || this.options.studentKeys?.load() || this.options.identity?.getToken;
    if (endpoint && known) {
      const secret = await this.getSecret();
      const response = await this.options.fetch(studentEndpoint(endpoint), {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${secret}` },
      });
      if (!response.ok && response.status !== 401) throw await errorFromResponse(response);
    }
    this.invalidate();
    this.options.studentKeys?.save(null);
  }

  /** Refresh; when that fails for any reason, start a new session instead. */
  async refresh(): Promise<SessionInfo> {
    const session = this.current;
    if (!session || !this.options.refreshEndpoint) return this.create();
    try {
      const response = await this.options.fetch(this.options.refreshEndpoint, {
        method: 'POST',
        headers: { Authorization: `Bearer ${session.clientSecret}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      if (!response.ok) throw await errorFromResponse(response);
      return this.adopt(parseSession(await response.json(), this.now()));
    } catch {
      this.invalidate();
      return this.create();
    }
  }

  private adopt(session: SessionInfo): SessionInfo {
    this.current = session;
    this.options.storage?.save(session);
    this.schedule(session);
    return session;
  }

  private schedule(session: SessionInfo): void {
    this.clearTimer();
    if (typeof setTimeout === 'undefined') return;
    const lifetime = session.expiresAt - this.now();
    const delay = Math.min(2 ** 31 - 1, Math.max(1_000, lifetime - refreshMargin(lifetime)));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.ensure('refresh').catch(() => undefined);
    }, delay);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
