/**
 * The tutor's connection: the session manager, the fetch both surfaces use (bearer secret and
 * page context on every request) and the session error shown as a banner. A later successful
 * request clears that banner, so a panel first opened during an outage recovers by itself.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Highlight, PageContext } from '../../client/context';
import { describeError } from '../../client/http';
import { forgetReader, registeredIdentity, studentKeyStore } from '../../client/identity';
import { SessionManager, type SessionInfo, type Student } from '../../client/session';
import { readJson, STORAGE_KEYS, writeJson } from '../../client/storage';
import { createTutorFetch, isMessageSend } from '../../client/transport';
import type { TutorClientConfig } from '../../content/types';

interface Options {
  config: TutorClientConfig;
  context: PageContext;
  student: Student | null;
  /** The panel has been opened once (the session is created then, not on page load). */
  opened: boolean;
  identityMissing: boolean;
  setHighlight(highlight: Highlight | null): void;
}

export interface Connection {
  session: SessionManager;
  tutorFetch: typeof fetch;
  sessionError: string | null;
  /** Start a new session (the student changed). */
  restart(): void;
  /** "Forget me": erase the student on the server and here; false (with the banner) if it failed. */
  forget(): Promise<boolean>;
}

export function useConnection({ config, context, student, opened, identityMissing, setHighlight }: Options): Connection {
  const [sessionError, setSessionError] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  const contextRef = useRef(context);
  contextRef.current = context;
  const studentRef = useRef(student);
  studentRef.current = student;

  const session = useMemo(
    () =>
      new SessionManager({
        sessionEndpoint: config.sessionEndpoint,
        refreshEndpoint: config.refreshEndpoint,
        fetch: (input, init) => window.fetch(input, init),
        getContext: () => contextRef.current,
        getStudent: () => studentRef.current,
        defaultLevel: config.student.defaultLevel,
        identity: registeredIdentity,
        studentKeys: config.sessionEndpoint ? studentKeyStore(config.sessionEndpoint) : undefined,
        storage: {
          load: () => readJson<SessionInfo>(STORAGE_KEYS.session),
          save: (info) => writeJson(STORAGE_KEYS.session, info),
        },
      }),
    [config],
  );
  useEffect(() => () => session.dispose(), [session]);

  const tutorFetch = useMemo(
    () =>
      createTutorFetch({
        session,
        getContext: () => contextRef.current,
        header: config.contextHeader,
        onSent: (sent, init, response) => {
          if (!response.ok) return;
          setSessionError(null);
          // The highlight belongs to one question: clear it once that question has gone through
          // (a failed send keeps it, so a retry asks about the same passage).
          if (isMessageSend(init) && sent.highlighted_text) setHighlight(null);
        },
      }),
    [session, config.contextHeader, setHighlight],
  );

  // The session is created when the panel first opens (and again after the student changes).
  useEffect(() => {
    if (!opened || identityMissing || !config.sessionEndpoint) return;
    session
      .getSecret()
      .then(() => setSessionError(null))
      .catch((error: unknown) => setSessionError(describeError(error)));
  }, [opened, identityMissing, session, epoch, config.sessionEndpoint]);

  return {
    session,
    tutorFetch,
    sessionError,
    restart: () => {
      session.invalidate();
      setEpoch((n) => n + 1);
    },
    forget: () =>
      forgetReader(session).then(
        () => {
          setEpoch((n) => n + 1);
          return true;
        },
        (error: unknown) => {
          setSessionError(describeError(error));
          return false;
        },
      ),
  };
}
