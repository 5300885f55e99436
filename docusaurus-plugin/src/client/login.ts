/**
 * "Sign in with …": the page's side of the backend's OpenID Connect sign-in.
 *
 * The backend is the relying party, so a static book needs no server of its own. The page opens
 * `<backend>/auth/login?return_origin=<page origin>` in a popup; after the provider, the backend's
 * callback page posts `{type: "tutorgpt:login", login_code}` to this page, for this origin only.
 * The message is accepted only from the backend's origin and from the popup we opened, so no
 * other window or frame can slip a code in. The code (single use, 60 s) then starts a session.
 */

import type { SessionManager, SignedInAs } from './session';

export const LOGIN_MESSAGE_TYPE = 'tutorgpt:login';
const POPUP_FEATURES = 'popup=yes,width=520,height=680';
/** How often to notice that the reader closed the popup without signing in. */
const CLOSED_POLL_MS = 400;
/**
 * The callback page posts, then closes itself: in another process its message can arrive after
 * `closed` turns true, so a closed popup is given this long before the sign-in counts as cancelled.
 */
const CLOSED_GRACE_MS = 1_500;
/** The backend's sign-in attempt lives 10 minutes; waiting longer cannot succeed. */
const LOGIN_TIMEOUT_MS = 10 * 60_000;

/** What the panel needs to offer sign-in (from the plugin's `login` option). */
export interface LoginConfig {
  providerName: string;
  /** `<backendUrl>/auth/login`, maybe site-relative. */
  loginUrl: string;
  /** The backend's provider id, when it offers more than one. */
  provider: string | null;
}

export class LoginCancelled extends Error {
  constructor() {
    super('Sign-in was cancelled.');
    this.name = 'LoginCancelled';
  }
}

/** The popup's URL: the login route with this page's origin as the only place the code may go. */
export function loginPopupUrl(login: LoginConfig, pageHref: string): URL {
  const url = new URL(login.loginUrl, pageHref);
  url.searchParams.set('return_origin', new URL(pageHref).origin);
  if (login.provider) url.searchParams.set('provider', login.provider);
  return url;
}

interface LoginMessage {
  origin: string;
  source: unknown;
  data: unknown;
}

/** The login code in `event`, or `null` unless it comes from `backendOrigin` through `popup`. */
export function loginCodeFrom(event: LoginMessage, backendOrigin: string, popup: unknown): string | null {
  if (event.origin !== backendOrigin || event.source !== popup) return null;
  const data = event.data as { type?: unknown; login_code?: unknown } | null;
  if (!data || data.type !== LOGIN_MESSAGE_TYPE || typeof data.login_code !== 'string') return null;
  return /^lc_[A-Za-z0-9_-]{16,200}$/.test(data.login_code) ? data.login_code : null;
}

/** The parts of `window` the popup flow uses (so it can be exercised outside a browser). */
export interface PopupHost {
  location: { href: string };
  open(url: string, target: string, features: string): { closed: boolean; close(): void } | null;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * Open the sign-in popup and resolve with the login code it posts back. Call it straight from a
 * click handler: browsers allow popups only then. Rejects with {@link LoginCancelled} when the
 * reader closes the popup first, and with a readable error when the popup is blocked.
 */
export function loginWithPopup(host: PopupHost, login: LoginConfig, timeoutMs = LOGIN_TIMEOUT_MS): Promise<string> {
  const url = loginPopupUrl(login, host.location.href);
  const popup = host.open(url.toString(), 'tutorgpt-login', POPUP_FEATURES);
  if (!popup) return Promise.reject(new Error('The sign-in window was blocked. Allow pop-ups for this site and try again.'));
  return new Promise<string>((resolve, reject) => {
    const started = Date.now();
    let closedAt: number | null = null;
    const finish = (outcome: () => void) => {
      clearInterval(timer);
      host.removeEventListener('message', onMessage);
      outcome();
    };
    const onMessage = (event: MessageEvent) => {
      const code = loginCodeFrom(event, url.origin, popup);
      if (code) finish(() => resolve(code));
    };
    const timer = setInterval(() => {
      if (popup.closed) {
        closedAt ??= Date.now();
        if (Date.now() - closedAt >= CLOSED_GRACE_MS) finish(() => reject(new LoginCancelled()));
      } else if (Date.now() - started > timeoutMs) finish(() => (popup.close(), reject(new LoginCancelled())));
    }, CLOSED_POLL_MS);
    host.addEventListener('message', onMessage);
  });
}

export interface SignInSteps {
  host: PopupHost;
  login: LoginConfig;
  session: Pick<SessionManager, 'signIn'>;
  /** The thread on screen, kept as is: sign-in moves it to the signed-in student. */
  currentThreadId: string | null;
  /** The signed-in student's newest thread (`threads.list`), for a browser showing none. */
  newestThreadId(): Promise<string | null>;
}

/**
 * The whole sign-in: popup, login code, a new session with it, and the thread to show. Must be
 * called from a click handler (the popup). Rejects with {@link LoginCancelled} or a readable error.
 */
export async function signInWithPopup(steps: SignInSteps): Promise<{ who: SignedInAs; threadId: string | null }> {
  const code = await loginWithPopup(steps.host, steps.login);
  const who = await steps.session.signIn(code);
  const threadId = steps.currentThreadId ?? (await steps.newestThreadId().catch(() => null));
  return { who, threadId };
}

/** Does the backend offer sign-in (`GET <backend>/auth/providers`), and with this provider? */
export async function signInAvailable(login: LoginConfig, fetchFn: typeof fetch, pageHref: string): Promise<boolean> {
  const url = new URL(login.loginUrl.replace(/\/login$/, '/providers'), pageHref);
  const response = await fetchFn(url.toString(), { headers: { Accept: 'application/json' } });
  if (!response.ok) return false;
  const body = (await response.json()) as { providers?: { id?: unknown }[] };
  const ids = (body.providers ?? []).map((provider) => provider.id);
  return login.provider ? ids.includes(login.provider) : ids.length > 0;
}

/**
 * Sign out on this browser: end the session at the backend (best effort: it expires anyway),
 * then forget the session and the student key, so nothing here can reopen the student's history.
 */
export async function signOut(session: Pick<SessionManager, 'session' | 'forgetStudent'>, sessionEndpoint: string | null, fetchFn: typeof fetch): Promise<void> {
  const secret = session.session?.clientSecret;
  session.forgetStudent();
  if (!secret || !sessionEndpoint) return;
  await fetchFn(sessionEndpoint, { method: 'DELETE', headers: { Authorization: `Bearer ${secret}` } }).catch(() => undefined);
}
