/**
 * The tutor in the browser: launcher, panel, highlight-to-ask and the page context. Mounted once
 * by Root (which never unmounts), so the panel and its thread survive SPA navigation.
 */
import React, { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useHistory, useLocation } from '@docusaurus/router';
import { usePluginData } from '@docusaurus/useGlobalData';
import type { TutorGlobalData } from '../../content/types';
import { buildPageContext, type Highlight } from '../../client/context';
import { describeError } from '../../client/http';
import { forgetReader, registeredIdentity, studentKeyStore } from '../../client/identity';
import { isNarrowViewport } from '../../client/links';
import { defaultPrompt, readSelection } from '../../client/selection';
import { watchSelection } from '../../client/selectionWatcher';
import { SessionManager, type SessionInfo, type Student } from '../../client/session';
import { isEditable, matchesShortcut, parseShortcut } from '../../client/shortcut';
import { readJson, STORAGE_KEYS, writeJson } from '../../client/storage';
import { createTutorFetch, isMessageSend } from '../../client/transport';
import FallbackChat from './FallbackChat';
import SelectionButton, { type Placement } from './SelectionButton';
import StudentForm from './StudentForm';
import { STYLE_ELEMENT_ID, tutorCss } from './styles';
import type { SurfaceAction } from './surface';
import { chooseSurface, type SurfaceKind } from './surfaceChoice';

const ChatKitSurface = lazy(() => import('./ChatKitSurface'));

export const PLUGIN_NAME = 'docusaurus-plugin-tutorgpt';

/** About half the "Ask TutorGPT" button's width, to centre it over the selection. */
const ASK_BUTTON_HALF_WIDTH = 70;

function useColorScheme(): 'light' | 'dark' {
  const read = () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
  const [scheme, setScheme] = useState<'light' | 'dark'>(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setScheme(read()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return scheme;
}

function useStyles(panelWidth: number): void {
  useEffect(() => {
    if (document.getElementById(STYLE_ELEMENT_ID)) return;
    const style = document.createElement('style');
    style.id = STYLE_ELEMENT_ID;
    style.textContent = tutorCss(panelWidth);
    document.head.appendChild(style);
  }, [panelWidth]);
}

export default function TutorGPT(): ReactNode {
  const data = usePluginData(PLUGIN_NAME) as TutorGlobalData | undefined;
  return data?.config ? <Tutor data={data} /> : null;
}

function Tutor({ data }: { data: TutorGlobalData }): ReactNode {
  const { config } = data;
  const location = useLocation();
  const history = useHistory();
  const colorScheme = useColorScheme();
  useStyles(config.ui.panelWidth);

  const [open, setOpen] = useState(config.ui.defaultOpen);
  const [opened, setOpened] = useState(config.ui.defaultOpen);
  const [surface, setSurface] = useState<SurfaceKind>('pending');
  const [student, setStudent] = useState<Student | null>(() => readJson<Student>(STORAGE_KEYS.student));
  const [formOpen, setFormOpen] = useState(false);
  const [pending, setPending] = useState<{ highlight: Highlight; placement: Placement } | null>(null);
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const [action, setAction] = useState<SurfaceAction | null>(null);
  const [sessionError, setSessionError] = useState<string | null>(null);
  const [sessionEpoch, setSessionEpoch] = useState(0);
  const [forgotten, setForgotten] = useState(0);
  const launcherRef = useRef<HTMLButtonElement>(null);

  const context = useMemo(
    () =>
      buildPageContext({
        pageMap: data.pageMap,
        chapters: data.chapters,
        pathname: location.pathname,
        href: window.location.origin + location.pathname + location.search,
        documentTitle: document.title || null,
        locale: config.locale,
        highlight,
      }),
    [data, location.pathname, location.search, config.locale, highlight],
  );
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
        storage: {
          load: () => readJson<SessionInfo>(STORAGE_KEYS.session),
          save: (info) => writeJson(STORAGE_KEYS.session, info),
        },
        identity: registeredIdentity,
        studentKeys: config.sessionEndpoint ? studentKeyStore(config.sessionEndpoint) : undefined,
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
        // The highlight belongs to one question: clear it once that question has gone out.
        onSent: (sent, init) => {
          if (isMessageSend(init) && sent.highlighted_text) setHighlight(null);
        },
      }),
    [session, config.contextHeader],
  );

  const identityMissing = config.student.askIdentity === 'required' && !student?.email;

  useEffect(() => {
    let live = true;
    void chooseSurface(config).then((kind) => live && setSurface(kind));
    return () => {
      live = false;
    };
  }, [config]);

  // The session is created when the panel first opens (and again after the student changes).
  useEffect(() => {
    if (!opened || identityMissing || !config.sessionEndpoint) return;
    session
      .getSecret()
      .then(() => setSessionError(null))
      .catch((error: unknown) => setSessionError(describeError(error)));
  }, [opened, identityMissing, session, sessionEpoch, config.sessionEndpoint]);

  // A highlight never follows the reader to another page.
  useEffect(() => {
    setHighlight(null);
    setPending(null);
  }, [location.pathname]);

  const openPanel = useCallback(() => {
    setOpen(true);
    setOpened(true);
  }, []);

  const closePanel = useCallback(() => {
    setOpen(false);
    launcherRef.current?.focus();
  }, []);

  // A citation changes the page through the router, so the thread stays. On desktop the panel
  // stays open beside the cited section; on a phone it would cover it, so it closes.
  const followLink = useCallback(
    (path: string) => {
      history.push(path);
      if (isNarrowViewport(window)) setOpen(false);
    },
    [history],
  );

  const askAbout = useCallback(
    (selected: Highlight) => {
      setHighlight(selected);
      setPending(null);
      openPanel();
      setAction((previous) => ({
        id: (previous?.id ?? 0) + 1,
        kind: config.highlight.autoSend ? 'send' : 'prefill',
        text: defaultPrompt(selected.text),
        quote: selected.text,
      }));
    },
    [config.highlight.autoSend, openPanel],
  );

  // Selection watcher: debounced, article-only, and checks a selection made before mounting.
  useEffect(() => {
    if (!config.highlight.enabled) return;
    return watchSelection(window, config.highlight, (found) =>
      setPending(found && { highlight: found.highlight, placement: { ...found.placement, left: found.placement.left - ASK_BUTTON_HALF_WIDTH } }),
    );
  }, [config.highlight]);

  // Keyboard shortcut (default mod+.): ask about the selection, or toggle the panel.
  useEffect(() => {
    const shortcut = parseShortcut(config.ui.shortcut);
    if (!shortcut) return;
    const isApple = /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (!matchesShortcut(event, shortcut, isApple) || isEditable(event.target)) return;
      event.preventDefault();
      const selected = config.highlight.enabled ? readSelection(document.getSelection(), config.highlight) : null;
      if (selected) askAbout(selected);
      else if (open) closePanel();
      else openPanel();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [config.ui.shortcut, config.highlight, askAbout, open, openPanel, closePanel]);

  const saveStudent = (next: Student) => {
    setStudent(next);
    writeJson(STORAGE_KEYS.student, next);
    setFormOpen(false);
    // The session carries the student: start a new one so the backend sees who is asking.
    session.invalidate();
    setSessionEpoch((n) => n + 1);
  };

  const forgetMe = () =>
    forgetReader(session)
      .then(() => {
        setStudent(null);
        setFormOpen(false);
        setSessionEpoch((n) => n + 1);
        setForgotten((n) => n + 1); // a fresh chat: the old thread is gone
      })
      .catch((error: unknown) => setSessionError(describeError(error)));

  const onPanelKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      closePanel();
    }
  };

  const side = config.ui.position;
  const showForm = config.student.askIdentity !== 'never' && (formOpen || identityMissing);
  return (
    <>
      {pending && <SelectionButton label={config.ui.label} placement={pending.placement} onAsk={() => askAbout(pending.highlight)} />}
      <button
        ref={launcherRef}
        type="button"
        className={`tutorgpt-launcher tutorgpt-launcher--${side}`}
        data-tutorgpt="launcher"
        aria-expanded={open}
        aria-controls="tutorgpt-panel"
        onClick={() => (open ? closePanel() : openPanel())}
      >
        {config.ui.label}
      </button>
      <div
        id="tutorgpt-panel"
        className={`tutorgpt-panel tutorgpt-panel--${side}`}
        data-tutorgpt="panel"
        data-surface={surface}
        role="dialog"
        aria-labelledby="tutorgpt-title"
        hidden={!open}
        onKeyDown={onPanelKey}
      >
        <div className="tutorgpt-header">
          <h2 id="tutorgpt-title">{config.ui.title}</h2>
          {config.student.askIdentity !== 'never' && (
            <button type="button" className="tutorgpt-link-button" aria-expanded={showForm} onClick={() => setFormOpen((v) => !v)}>
              {student?.name ? student.name : 'About you'}
            </button>
          )}
          <button type="button" className="tutorgpt-icon-button" aria-label="Close the tutor" onClick={closePanel}>
            ×
          </button>
        </div>
        {showForm && (
          <StudentForm
            student={student}
            defaultLevel={config.student.defaultLevel}
            required={identityMissing}
            onSave={saveStudent}
            onCancel={identityMissing ? undefined : () => setFormOpen(false)}
            onForget={forgetMe}
          />
        )}
        {sessionError && (
          <div className="tutorgpt-banner tutorgpt-banner--error" data-tutorgpt="error" role="alert">
            {sessionError}
          </div>
        )}
        <details className="tutorgpt-context" data-tutorgpt="context">
          <summary>Page context sent with your questions</summary>
          <pre>{JSON.stringify(context, null, 2)}</pre>
        </details>
        <div className="tutorgpt-body">
          {opened && !identityMissing && (
            <Surface key={forgotten} kind={surface} config={config} fetch={tutorFetch} colorScheme={colorScheme} action={action} visible={open} onNavigate={followLink} />
          )}
        </div>
      </div>
    </>
  );
}

function Surface(props: { kind: SurfaceKind } & React.ComponentProps<typeof FallbackChat>): ReactNode {
  const { kind, ...surface } = props;
  if (kind === 'pending') return <p className="tutorgpt-muted tutorgpt-context">Connecting to the tutor…</p>;
  if (kind === 'unavailable') {
    return (
      <div className="tutorgpt-banner tutorgpt-banner--error" data-tutorgpt="error" role="alert">
        The chat could not load (the ChatKit script is blocked or offline).
      </div>
    );
  }
  if (kind === 'chatkit') {
    return (
      <Suspense fallback={<p className="tutorgpt-muted tutorgpt-context">Loading the chat…</p>}>
        <ChatKitSurface {...surface} />
      </Suspense>
    );
  }
  return <FallbackChat {...surface} />;
}
