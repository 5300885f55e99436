import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOGIN_MESSAGE_TYPE, LoginCancelled, loginCodeFrom, loginPopupUrl, loginWithPopup, type LoginConfig, type PopupHost } from '../client/login';
import { finaliseOptions, OPTIONS_SCHEMA, type PluginOptions } from '../options';

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
