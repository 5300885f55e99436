import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPageContext } from '../client/context';
import {
  LOGIN_MESSAGE_TYPE,
  LoginCancelled,
  loginCodeFrom,
  loginPopupUrl,
  loginWithPopup,
  signInAvailable,
  signOut,
  type LoginConfig,
  type PopupHost,
} from '../client/login';
import { SessionManager } from '../client/session';
import { finaliseOptions, OPTIONS_SCHEMA, type PluginOptions } from '../options';
import { startBackend } from './helpers/backend';

const LOGIN: LoginConfig = { providerName: 'Google', loginUrl: 'https://tutor.example/api/chatkit/auth/login', provider: null };
const CODE = 'lc_' + 'a'.repeat(43);

/** A window with the popup flow's surface: real EventTarget dispatch, a popup we can close. */
class Host implements PopupHost {
  private readonly target = new EventTarget();
  location = { href: 'https://book.example/docs/intro/' };
  opened: string[] = [];
  popup = { closed: false, close: () => (this.popup.closed = true) };
  blocked = false;
  open(url: string): { closed: boolean; close(): void } | null {
    this.opened.push(url);
    return this.blocked ? null : this.popup;
  }
  post(data: unknown, origin = 'https://tutor.example', source: unknown = this.popup): void {
    const event = new MessageEvent('message', { data, origin });
    Object.defineProperty(event, 'source', { value: source });
    this.target.dispatchEvent(event);
  }
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void {
    this.target.addEventListener(type, listener as EventListener);
  }
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void {
    this.target.removeEventListener(type, listener as EventListener);
  }
}

describe('the login popup URL', () => {
  it('names this page origin as the only return origin', () => {
    const url = loginPopupUrl(LOGIN, 'https://book.example/docs/intro/?q=1#x');
    assert.equal(url.origin + url.pathname, 'https://tutor.example/api/chatkit/auth/login');
    assert.equal(url.searchParams.get('return_origin'), 'https://book.example');
    assert.equal(url.searchParams.get('provider'), null);
  });

  it('resolves a site-relative backend and passes a chosen provider', () => {
    const url = loginPopupUrl({ ...LOGIN, loginUrl: '/api/chatkit/auth/login', provider: 'google' }, 'http://127.0.0.1:3000/docs/');
    assert.equal(url.toString(), 'http://127.0.0.1:3000/api/chatkit/auth/login?return_origin=http%3A%2F%2F127.0.0.1%3A3000&provider=google');
  });
});

describe('accepting the login message', () => {
  const popup = {};
  const ok = { origin: 'https://tutor.example', source: popup, data: { type: LOGIN_MESSAGE_TYPE, login_code: CODE } };

  it('takes the code from the backend origin through our popup', () => {
    assert.equal(loginCodeFrom(ok, 'https://tutor.example', popup), CODE);
  });

  it('ignores other origins, other windows, other types and malformed codes', () => {
    assert.equal(loginCodeFrom({ ...ok, origin: 'https://evil.example' }, 'https://tutor.example', popup), null);
    assert.equal(loginCodeFrom({ ...ok, source: {} }, 'https://tutor.example', popup), null);
    assert.equal(loginCodeFrom({ ...ok, data: { type: 'other', login_code: CODE } }, 'https://tutor.example', popup), null);
    assert.equal(loginCodeFrom({ ...ok, data: { type: LOGIN_MESSAGE_TYPE, login_code: 42 } }, 'https://tutor.example', popup), null);
    assert.equal(loginCodeFrom({ ...ok, data: { type: LOGIN_MESSAGE_TYPE, login_code: 'lc_<img>' } }, 'https://tutor.example', popup), null);
    assert.equal(loginCodeFrom({ ...ok, data: null }, 'https://tutor.example', popup), null);
  });
});

describe('the popup flow', () => {
  it('resolves with the first genuine code and ignores forgeries before it', async () => {
    const host = new Host();
    const code = loginWithPopup(host, LOGIN);
    host.post({ type: LOGIN_MESSAGE_TYPE, login_code: 'lc_' + 'f'.repeat(43) }, 'https://evil.example');
    host.post({ type: LOGIN_MESSAGE_TYPE, login_code: 'lc_' + 'g'.repeat(43) }, 'https://tutor.example', {});
    host.post({ type: LOGIN_MESSAGE_TYPE, login_code: CODE });
    assert.equal(await code, CODE);
    assert.match(host.opened[0]!, /return_origin=https%3A%2F%2Fbook.example/);
  });

  it('counts a popup closed without a code as cancelled', async () => {
    const host = new Host();
    const code = loginWithPopup(host, LOGIN);
    host.popup.close();
    await assert.rejects(code, LoginCancelled);
  });

  it('explains a blocked popup', async () => {
    const host = new Host();
    host.blocked = true;
    await assert.rejects(loginWithPopup(host, LOGIN), /blocked/);
  });
});

describe('the login option', () => {
  const finalise = (login: unknown, backendUrl = '/api/chatkit') => {
    const { value, error } = OPTIONS_SCHEMA.validate({ backendUrl, login });
    assert.equal(error, undefined);
    return finaliseOptions(value as PluginOptions).login;
  };

  it('is off by default and points at the backend when set', () => {
    assert.equal(finalise(undefined), null);
    assert.deepEqual(finalise({ providerName: 'Google' }), { providerName: 'Google', provider: null, loginUrl: '/api/chatkit/auth/login' });
    assert.equal(finalise({ providerName: 'Keycloak' }, 'https://tutor.example/api/chatkit/')?.loginUrl, 'https://tutor.example/api/chatkit/auth/login');
  });

  it('refuses a login without a provider name', () => {
    assert.notEqual(OPTIONS_SCHEMA.validate({ login: {} }).error, undefined);
    assert.notEqual(OPTIONS_SCHEMA.validate({ login: { providerName: 'X', provider: 'Bad Id' } }).error, undefined);
  });
});

describe('signing in and out against a backend', () => {
  const context = buildPageContext({ pageMap: {}, chapters: {}, pathname: '/docs/a', href: 'https://book.example/docs/a', documentTitle: null, locale: 'en', highlight: null });
  const manager = (origin: string, key: { value: string | null }) =>
    new SessionManager({
      sessionEndpoint: `${origin}/api/chatkit/session`,
      refreshEndpoint: null,
      fetch,
      getContext: () => context,
      getStudent: () => null,
      defaultLevel: 'beginner',
      studentKeys: { load: () => key.value, save: (value) => (key.value = value) },
    });

  it('sends the device key with the login code, keeps the new key and reports who signed in', async () => {
    const backend = await startBackend();
    try {
      const key = { value: null as string | null };
      const session = manager(backend.origin, key);
      await session.getSecret();
      assert.equal(key.value, 'sk_student_1', 'a new student keeps the key the backend shows once');
      const who = await session.signIn(CODE);
      assert.deepEqual(who, { name: 'Ada Lovelace', email: 'ada@example.com' });
      const sent = backend.requests.at(-1)!.body as Record<string, string>;
      assert.equal(sent.login_code, CODE);
      assert.equal(sent.student_key, 'sk_student_1', 'the device key is the proof that links its history');
      assert.equal(key.value, 'sk_student_signed_in');
      assert.equal(session.session?.sessionId, 'sess_2');

      await signOut(session, `${backend.origin}/api/chatkit/session`, fetch);
      const ended = backend.requests.at(-1)!;
      assert.equal(ended.headers.authorization, 'Bearer sk_test_2');
      assert.equal(key.value, null);
      assert.equal(session.session, null);
    } finally {
      await backend.close();
    }
  });

  it('drops a key the backend no longer knows and starts a new student', async () => {
    const backend = await startBackend({ erasedKeys: new Set(['sk_student_erased']) });
    try {
      const key = { value: 'sk_student_erased' as string | null };
      await manager(backend.origin, key).getSecret();
      assert.equal(key.value, 'sk_student_1');
      assert.equal(backend.requests.length, 2, 'one refused request, one without the key');
      assert.equal((backend.requests.at(-1)!.body as Record<string, string>).student_key, undefined);
    } finally {
      await backend.close();
    }
  });

  it('offers sign-in only when the backend lists the provider', async () => {
    const listing = (ids: string[]) => (async () => new Response(JSON.stringify({ providers: ids.map((id) => ({ id })) }), { status: 200 })) as typeof fetch;
    assert.equal(await signInAvailable(LOGIN, listing(['oidc']), 'https://book.example/'), true);
    assert.equal(await signInAvailable(LOGIN, listing([]), 'https://book.example/'), false);
    assert.equal(await signInAvailable({ ...LOGIN, provider: 'google' }, listing(['oidc']), 'https://book.example/'), false);
  });
});
