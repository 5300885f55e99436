import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { buildPageContext } from '../client/context';
import { configureTutorGPT, forgetReader, registeredIdentity, studentEndpoint, studentKeyStore, type StudentKeyStore } from '../client/identity';
import { SessionManager, type Student } from '../client/session';
import { STORAGE_KEYS } from '../client/storage';
import { startBackend } from './helpers/backend';

const context = buildPageContext({
  pageMap: {}, chapters: {}, pathname: '/docs/a', href: null, documentTitle: null, locale: null, highlight: null,
});
const claimed: Student = { email: 'alice@example.com', name: 'Alice', level: 'beginner' };

function memoryKeys(): StudentKeyStore & { key: string | null } {
  const store = { key: null as string | null, load: () => store.key, save: (key: string | null) => { store.key = key; } };
  return store;
}

type Backend = Awaited<ReturnType<typeof startBackend>>;

function manager(backend: Backend, studentKeys: StudentKeyStore, getToken?: () => Promise<string | null>) {
  return new SessionManager({
    sessionEndpoint: `${backend.origin}/api/chatkit/session`,
    refreshEndpoint: null,
    fetch,
    getContext: () => context,
    getStudent: () => claimed,
    defaultLevel: 'beginner',
    studentKeys,
    identity: getToken ? { getToken } : undefined,
  });
}

const sessionBodies = (backend: Backend) =>
  backend.requests.filter((r) => r.path === '/api/chatkit/session').map((r) => r.body as Record<string, string>);

describe('student identity in the browser', () => {
  let backend: Backend;
  before(async () => {
    backend = await startBackend();
  });
  after(() => backend.close());
  beforeEach(() => {
    backend.requests.length = 0;
    backend.state.erasedKeys.clear();
  });

  it('keeps the key a new student receives and sends it back on the next page load', async () => {
    const keys = memoryKeys();
    await manager(backend, keys).getSecret();
    assert.match(keys.key ?? '', /^sk_student_/);
    await manager(backend, keys).getSecret(); // a reload: a new manager, the same browser
    const [first, second] = sessionBodies(backend);
    assert.ok(!('student_key' in first!));
    assert.equal(second!.student_key, keys.key);
    assert.equal(second!.student_email, 'alice@example.com'); // still sent, as a profile hint
  });

  it('sends the login token instead of the key when getToken gives one', async () => {
    const keys = memoryKeys();
    keys.key = 'sk_student_old';
    await manager(backend, keys, async () => 'header.payload.signature').getSecret();
    await manager(backend, keys, async () => null).getSecret();
    const [signedIn, signedOut] = sessionBodies(backend);
    assert.equal(signedIn!.identity_token, 'header.payload.signature');
    assert.ok(!('student_key' in signedIn!));
    assert.equal(signedOut!.student_key, 'sk_student_old');
    assert.ok(!('identity_token' in signedOut!));
  });

  it('starts over as a new student when the backend no longer knows the key', async () => {
    const keys = memoryKeys();
    keys.key = 'sk_student_erased';
    backend.state.erasedKeys.add('sk_student_erased');
    assert.ok(await manager(backend, keys).getSecret());
    const [refused, fresh] = sessionBodies(backend);
    assert.equal(refused!.student_key, 'sk_student_erased');
    assert.ok(!('student_key' in fresh!));
    assert.match(keys.key ?? '', /^sk_student_\d+$/);
  });

  it('"Forget me" erases the student with DELETE /student, then forgets the session and the key', async () => {
    const keys = memoryKeys();
    const session = manager(backend, keys);
    const secret = await session.getSecret();
    await session.forget();
    const erase = backend.requests.find((r) => r.path === '/api/chatkit/student');
    assert.equal(erase?.headers.authorization, `Bearer ${secret}`);
    assert.equal(keys.key, null);
    assert.equal(session.session, null);
    await session.getSecret();
    assert.ok(!('student_key' in sessionBodies(backend).at(-1)!)); // a new student
  });
});

describe('browser storage of the key', () => {
  const window = new Window({ url: 'https://book.example/docs/a' });
  before(() => {
    (globalThis as { localStorage?: unknown }).localStorage = window.localStorage;
  });
  after(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('keeps one key per backend URL and "Forget me" clears what the browser kept', async () => {
    const one = studentKeyStore('https://tutor-one.example/api/chatkit/session');
    const two = studentKeyStore('/api/chatkit/session');
    one.save('sk_student_one');
    assert.equal(two.load(), null);
    two.save('sk_student_two');
    assert.equal(one.load(), 'sk_student_one');
    window.localStorage.setItem(STORAGE_KEYS.student, JSON.stringify(claimed));
    window.localStorage.setItem(STORAGE_KEYS.thread, '"thr_1"');
    let forgotten = false;
    await forgetReader({ forget: async () => { forgotten = true; } });
    assert.ok(forgotten);
    assert.equal(window.localStorage.getItem(STORAGE_KEYS.student), null);
    assert.equal(window.localStorage.getItem(STORAGE_KEYS.thread), null);
    assert.equal(studentEndpoint('/api/chatkit/session'), '/api/chatkit/student');
  });

  it('reads getToken registered with configureTutorGPT at call time', async () => {
    const unregistered = registeredIdentity.getToken;
    assert.equal(unregistered, undefined);
    configureTutorGPT({ identity: { getToken: async () => 'jwt' } });
    assert.equal(await registeredIdentity.getToken?.(), 'jwt');
  });
});
