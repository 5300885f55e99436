/**
 * The tutor in the browser: launcher, panel, highlight-to-ask and the page context. Mounted once
 * by Root (which never unmounts), so the panel and its thread survive SPA navigation.
 */
import React, { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useHistory, useLocation } from '@docusaurus/router';
import { usePluginData } from '@docusaurus/useGlobalData';
import type { TutorGlobalData } from '../../content/types';
import { buildPageContext, type Highlight } from '../../client/context';
import { panelCoversArticle } from '../../client/links';
import { readSelection } from '../../client/selection';
import type { Student } from '../../client/session';
import { describeShortcut, isEditable, matchesShortcut, parseShortcut } from '../../client/shortcut';
import { readJson, STORAGE_KEYS, writeJson } from '../../client/storage';
import ChosenSurface from './ChosenSurface';
import { useColorScheme, useNavbarMenu, useStyles, useViewportFit } from './hooks';
import Launcher from './Launcher';
import PanelHeader from './PanelHeader';
import SelectionButton from './SelectionButton';
import SignIn, { useSignIn } from './SignIn';
import StudentForm from './StudentForm';
import { chooseSurface, type SurfaceKind } from './surfaceChoice';
import { useConnection } from './useConnection';
import { useHighlightAsk } from './useHighlightAsk';

export const PLUGIN_NAME = 'docusaurus-plugin-tutorgpt';

const isApple = () => /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);

export default function TutorGPT(): ReactNode {
  const data = usePluginData(PLUGIN_NAME) as TutorGlobalData | undefined;
  return data?.config ? <Tutor data={data} /> : null;
}

function useSurfaceKind(config: TutorGlobalData['config']): SurfaceKind {
  const [surface, setSurface] = useState<SurfaceKind>('pending');
  useEffect(() => {
    let live = true;
    void chooseSurface(config).then((kind) => live && setSurface(kind));
    return () => {
      live = false;
    };
  }, [config]);
  return surface;
}

/** Keyboard shortcut (default mod+.): ask about the selection, or toggle the panel. */
function useShortcut(config: TutorGlobalData['config'], run: (selected: Highlight | null) => void) {
  const shortcut = useMemo(() => parseShortcut(config.ui.shortcut), [config.ui.shortcut]);
  useEffect(() => {
    if (!shortcut) return;
    const apple = isApple();
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (!matchesShortcut(event, shortcut, apple) || isEditable(event.target)) return;
      event.preventDefault();
      run(config.highlight.enabled ? readSelection(document.getSelection(), config.highlight) : null);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [shortcut, config.highlight, run]);
  return useMemo(() => (shortcut ? describeShortcut(shortcut, isApple()) : null), [shortcut]);
}

function Tutor({ data }: { data: TutorGlobalData }): ReactNode {
  const { config } = data;
  const location = useLocation();
  const history = useHistory();
  const colorScheme = useColorScheme();
  useStyles(config.ui.panelWidth);

  const [open, setOpen] = useState(config.ui.defaultOpen);
  const [opened, setOpened] = useState(config.ui.defaultOpen);
  const surface = useSurfaceKind(config);
  const [student, setStudent] = useState<Student | null>(() => readJson<Student>(STORAGE_KEYS.student));
  const [formOpen, setFormOpen] = useState(false);
  /** Bumped by "Forget me": the chat surface remounts, empty (the old thread is gone). */
  const [forgotten, setForgotten] = useState(0);
  const launcherRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  useViewportFit(panelRef, open);
  const openPanel = useCallback(() => {
    setOpen(true);
    setOpened(true);
  }, []);
  const { pending, highlight, setHighlight, action, askAbout } = useHighlightAsk(config, location.pathname, openPanel);

  const context = useMemo(
    () =>
      buildPageContext({
        pageMap: data.pageMap,
        chapters: data.chapters,
        parts: data.parts,
        pathname: location.pathname,
        href: window.location.origin + location.pathname + location.search,
        documentTitle: document.title || null,
        locale: config.locale,
        highlight,
      }),
    [data, location.pathname, location.search, config.locale, highlight],
  );
  // Sign-in (the `login` option) needs the connection's session; a signed-in reader counts as
  // identified for the panel, and the tutor fetch creates the session on first use.
  const askedIdentityMissing = config.student.askIdentity === 'required' && !student?.email;
  const connection = useConnection({ config, context, student, opened, identityMissing: askedIdentityMissing, setHighlight });
  const signIn = useSignIn(config, connection.session, connection.tutorFetch, opened);
  const identityMissing = askedIdentityMissing && !signIn.signedIn;

  const closePanel = useCallback(() => {
    setOpen(false);
    launcherRef.current?.focus();
  }, []);
  // The site's mobile menu must never open behind the panel.
  useNavbarMenu(useCallback(() => setOpen(false), []), open);

  // A citation changes the page through the router, so the thread stays. Where the panel would
  // cover the cited text (phones, tablets: the one-column layout) it closes, and focus goes
  // back to the launcher instead of falling to <body>.
  const followLink = useCallback(
    (path: string) => {
      history.push(path);
      if (panelCoversArticle(window)) closePanel();
    },
    [history, closePanel],
  );

  const shortcut = useShortcut(
    config,
    useCallback((selected: Highlight | null) => (selected ? askAbout(selected) : open ? closePanel() : openPanel()), [askAbout, open, closePanel, openPanel]),
  );

  const saveStudent = (next: Student) => {
    setStudent(next);
    writeJson(STORAGE_KEYS.student, next);
    setFormOpen(false);
    // The session carries the student: start a new one so the backend sees who is asking.
    connection.restart();
  };

  const forgetMe = () =>
    void connection.forget().then((forgot) => {
      if (!forgot) return;
      setStudent(null);
      setFormOpen(false);
      setForgotten((n) => n + 1);
      signIn.forgotten();
    });

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
      <Launcher ref={launcherRef} label={config.ui.label} side={side} open={open} shortcut={shortcut} onToggle={() => (open ? closePanel() : openPanel())} />
      <div
        id="tutorgpt-panel"
        ref={panelRef}
        className={`tutorgpt-panel tutorgpt-panel--${side}`}
        data-tutorgpt="panel"
        data-surface={surface}
        role="dialog"
        aria-labelledby="tutorgpt-title"
        hidden={!open}
        onKeyDown={onPanelKey}
      >
        <PanelHeader
          title={config.ui.title}
          studentLabel={config.student.askIdentity === 'never' ? null : student?.name || 'About you'}
          formShown={showForm}
          onToggleForm={() => setFormOpen((v) => !v)}
          onClose={closePanel}
        />
        {config.login && <SignIn state={signIn} providerName={config.login.providerName} />}
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
        {connection.sessionError && (
          <div className="tutorgpt-banner tutorgpt-banner--error tutorgpt-session-error" data-tutorgpt="error" role="alert">
            {connection.sessionError}
          </div>
        )}
        <details className="tutorgpt-context" data-tutorgpt="context">
          <summary>Page context sent with your questions</summary>
          <pre tabIndex={0}>{JSON.stringify(context, null, 2)}</pre>
        </details>
        <div className="tutorgpt-body">
          {opened && !identityMissing && (
            <ChosenSurface key={`${forgotten}:${signIn.epoch}`} kind={surface} config={config} fetch={connection.tutorFetch} colorScheme={colorScheme} action={action} visible={open} onNavigate={followLink} />
          )}
        </div>
      </div>
    </>
  );
}
