/**
 * "Sign in with …" and "Signed in as … · Sign out" (the plugin's `login` option). The flow lives
 * in `client/login.ts`; this is the button, the signed-in line, and the state they share.
 */
import React, { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ChatClient } from '../../client/chatClient';
import { describeError } from '../../client/http';
import { LoginCancelled, signInAvailable, signInWithPopup, signOut, type LoginConfig } from '../../client/login';
import type { SessionManager, SignedInAs } from '../../client/session';
import { readJson, STORAGE_KEYS, writeJson } from '../../client/storage';
import type { TutorClientConfig } from '../../content/types';
import { THREAD_STORAGE_KEY } from './surface';

export interface SignInState {
  available: boolean;
  signedIn: SignedInAs | null;
  busy: boolean;
  error: string | null;
  /** Changes after a sign-in or sign-out: the chat surface remounts for the new student. */
  epoch: number;
  signIn(): void;
  signOut(): void;
  /** The reader erased themselves ("Forget me"): nobody is signed in any more. */
  forgotten(): void;
}

/** The sign-in state for the panel; `active` once the panel has been opened. */
export function useSignIn(config: TutorClientConfig, session: SessionManager, tutorFetch: typeof fetch, active: boolean): SignInState {
  const login: LoginConfig | null = config.login;
  const whoKey = `${STORAGE_KEYS.signedIn}:${config.backendUrl}`;
  const [available, setAvailable] = useState(false);
  const [signedIn, setSignedIn] = useState<SignedInAs | null>(() => readJson<SignedInAs>(whoKey));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);

  useEffect(() => {
    if (!login || !active) return;
    let live = true;
    signInAvailable(login, (input, init) => window.fetch(input, init), window.location.href)
      .then((yes) => live && setAvailable(yes))
      .catch(() => live && setAvailable(false));
    return () => {
      live = false;
    };
  }, [login, active]);

  const changed = useCallback(
    (who: SignedInAs | null, threadId: string | null) => {
      writeJson(whoKey, who);
      writeJson(THREAD_STORAGE_KEY, threadId);
      setSignedIn(who);
      setEpoch((n) => n + 1);
    },
    [whoKey],
  );

  const start = useCallback(() => {
    if (!login) return;
    setBusy(true);
    setError(null);
    signInWithPopup({
      host: window,
      login,
      session,
      currentThreadId: readJson<string>(THREAD_STORAGE_KEY),
      newestThreadId: () => new ChatClient(config.backendUrl, tutorFetch).newestThreadId(),
    })
      .then(({ who, threadId }) => changed(who, threadId))
      .catch((failure: unknown) => failure instanceof LoginCancelled || setError(describeError(failure)))
      .finally(() => setBusy(false));
  }, [login, session, config.backendUrl, tutorFetch, changed]);

  const stop = useCallback(() => {
    void signOut(session, config.sessionEndpoint, (input, init) => window.fetch(input, init)).then(() => changed(null, null));
  }, [session, config.sessionEndpoint, changed]);

  const forgotten = useCallback(() => {
    writeJson(whoKey, null);
    setSignedIn(null);
  }, [whoKey]);

  return { available: available || signedIn !== null, signedIn, busy, error, epoch, signIn: start, signOut: stop, forgotten };
}

export default function SignIn({ state, providerName }: { state: SignInState; providerName: string }): ReactNode {
  if (!state.available) return null;
  const who = state.signedIn;
  return (
    <div className="tutorgpt-signin" data-tutorgpt="signin">
      {who ? (
        <>
          <span data-tutorgpt="signed-in">
            Signed in as <strong>{who.name ?? who.email ?? 'you'}</strong>
            {who.name && who.email ? <span className="tutorgpt-muted"> ({who.email})</span> : null}
          </span>
          <button type="button" className="tutorgpt-link-button" data-tutorgpt="sign-out" onClick={state.signOut}>
            Sign out
          </button>
        </>
      ) : (
        <button type="button" className="tutorgpt-signin-button" data-tutorgpt="sign-in" disabled={state.busy} onClick={state.signIn}>
          {state.busy ? 'Signing in…' : `Sign in with ${providerName}`}
        </button>
      )}
      {state.error && (
        <p className="tutorgpt-muted" role="alert" data-tutorgpt="signin-error">
          {state.error}
        </p>
      )}
    </div>
  );
}
