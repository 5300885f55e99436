/**
 * Plugin options: types, defaults and the Joi schema.
 *
 * Every value here must be JSON-serialisable because a subset is published to the browser through
 * global data; callbacks belong in a swizzled client component, never in options.
 */
import { Joi } from '@docusaurus/utils-validation';
import type { OptionValidationContext } from '@docusaurus/types';

export const CHATKIT_CDN_URL = 'https://cdn.platform.openai.com/deployments/chatkit/chatkit.js';

export type ScriptLoad = 'always' | 'production' | 'never';
export type ChapterMode = 'sidebar-category' | 'directory';
export type Surface = 'auto' | 'chatkit' | 'fallback';

export interface StarterPrompt {
  label: string;
  prompt: string;
}

export interface PluginOptions {
  id: string;
  backendUrl: string;
  /** `null` after normalisation means "no session endpoint" (the option accepts `false`). */
  sessionEndpoint: string | null;
  refreshEndpoint: string | null;
  domainKey: string;
  chatkitScript: { src: string; load: ScriptLoad; timeoutMs: number };
  /** docs plugin instances to read: ids, or `['all']` (the default: every instance) */
  docsPluginId: string[];
  include: string[];
  exclude: string[];
  ids: {
    chapter: ChapterMode;
    frontMatterKeys: { chapter: string; lesson: string; exclude: string };
    onDuplicate: 'throw' | 'warn';
  };
  highlight: {
    enabled: boolean;
    minChars: number;
    maxChars: number;
    contextChars: number;
    autoSend: boolean;
    debounceMs: number;
  };
  ui: {
    surface: Surface;
    position: 'bottom-right' | 'bottom-left';
    label: string;
    title: string;
    greeting: string;
    starterPrompts: StarterPrompt[];
    placeholder: string;
    disclaimer: string;
    shortcut: string;
    defaultOpen: boolean;
    panelWidth: number;
  };
  student: { askIdentity: 'optional' | 'required' | 'never'; defaultLevel: LearningLevel };
  /**
   * "Sign in with …" through the backend's OpenID Connect provider (`null`: no sign-in button).
   * `loginUrl` defaults to `<backendUrl>/auth/login`; `provider` picks one of several providers.
   */
  login: { providerName: string; provider: string | null; loginUrl: string } | null;
  contextTransport: { header: string; encoding: 'base64url-json' };
  export: {
    enabled: boolean;
    path: string;
    publish: boolean;
    includeText: boolean;
    /** version names, or `current`, `last` (the released default), `all` */
    versions: string[];
    /** export `unlisted: true` pages too (drafts are never exported) */
    includeUnlisted: boolean;
    frontMatterAllowlist: string[];
  };
  globalData: 'inline';
  devFallback: 'auto' | 'always' | 'never';
}

export type LearningLevel = 'beginner' | 'intermediate' | 'advanced';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** What a site writes in `docusaurus.config`: everything optional, `ui` may be a surface name. */
export type Options = Omit<DeepPartial<PluginOptions>, 'sessionEndpoint' | 'refreshEndpoint' | 'ui' | 'docsPluginId' | 'export'> & {
  docsPluginId?: string | string[];
  export?: Omit<DeepPartial<PluginOptions['export']>, 'versions'> & { versions?: string | string[] };
  sessionEndpoint?: string | false;
  refreshEndpoint?: string | false;
  ui?: Surface | DeepPartial<PluginOptions['ui']>;
};

export const MAX_HIGHLIGHT_CHARS = 1000;
export const MAX_CONTEXT_CHARS = 2000;

export const DEFAULT_OPTIONS: Omit<PluginOptions, 'id'> = {
  backendUrl: '/api/chatkit',
  sessionEndpoint: null,
  refreshEndpoint: null,
  domainKey: 'local-dev',
  chatkitScript: { src: CHATKIT_CDN_URL, load: 'always', timeoutMs: 8000 },
  docsPluginId: ['all'],
  include: [],
  exclude: [],
  ids: {
    chapter: 'sidebar-category',
    frontMatterKeys: { chapter: 'tutor_chapter', lesson: 'tutor_lesson', exclude: 'tutor_exclude' },
    onDuplicate: 'throw',
  },
  highlight: { enabled: true, minChars: 3, maxChars: 1000, contextChars: 400, autoSend: false, debounceMs: 250 },
  ui: {
    surface: 'auto',
    position: 'bottom-right',
    label: 'Ask TutorGPT',
    title: 'TutorGPT',
    greeting: 'Ask me anything about this book.',
    starterPrompts: [],
    placeholder: 'Ask a question about this lesson…',
    disclaimer: 'Nothing leaves your browser until you send a message.',
    shortcut: 'mod+.',
    defaultOpen: false,
    panelWidth: 420,
  },
  student: { askIdentity: 'optional', defaultLevel: 'beginner' },
  login: null,
  contextTransport: { header: 'X-TutorGPT-Context', encoding: 'base64url-json' },
  export: {
    enabled: true,
    path: 'tutorgpt/book-index.json',
    publish: true,
    includeText: true,
    versions: ['current', 'last'],
    includeUnlisted: false,
    frontMatterAllowlist: ['title', 'description', 'tags', 'keywords', 'difficulty'],
  },
  globalData: 'inline',
  devFallback: 'auto',
};

const D = DEFAULT_OPTIONS;
const LEVELS: LearningLevel[] = ['beginner', 'intermediate', 'advanced'];
const SHORTCUT = /^((mod|ctrl|alt|shift|meta)\+)*[^+\s]+$|^((mod|ctrl|alt|shift|meta)\+)+\+$/i;
const RELATIVE_OR_HTTP = Joi.string().trim().pattern(/^(\/|https?:\/\/)/, 'a site-relative path or http(s) URL');

const endpoint = Joi.alternatives()
  .try(Joi.valid(false), RELATIVE_OR_HTTP)
  .default(null);

export const OPTIONS_SCHEMA = Joi.object<PluginOptions>({
  id: Joi.string(),
  backendUrl: RELATIVE_OR_HTTP.default(D.backendUrl).messages({
    'string.pattern.name': '"backendUrl" must be a site-relative path ("/api/chatkit") or an http(s) URL',
  }),
  sessionEndpoint: endpoint,
  refreshEndpoint: endpoint,
  domainKey: Joi.string().trim().min(1).default(D.domainKey),
  chatkitScript: Joi.object({
    src: Joi.string().uri({ scheme: ['https', 'http'] }).default(D.chatkitScript.src),
    load: Joi.string().valid('always', 'production', 'never').default(D.chatkitScript.load),
    timeoutMs: Joi.number().integer().min(0).max(60000).default(D.chatkitScript.timeoutMs),
  }).default(D.chatkitScript),
  docsPluginId: Joi.array().items(Joi.string().min(1)).min(1).single().default(D.docsPluginId),
  include: Joi.array().items(Joi.string()).default(D.include),
  exclude: Joi.array().items(Joi.string()).default(D.exclude),
  ids: Joi.object({
    chapter: Joi.string().valid('sidebar-category', 'directory').default(D.ids.chapter),
    frontMatterKeys: Joi.object({
      chapter: Joi.string().default(D.ids.frontMatterKeys.chapter),
      lesson: Joi.string().default(D.ids.frontMatterKeys.lesson),
      exclude: Joi.string().default(D.ids.frontMatterKeys.exclude),
    }).default(D.ids.frontMatterKeys),
    onDuplicate: Joi.string().valid('throw', 'warn').default(D.ids.onDuplicate),
  }).default(D.ids),
  highlight: Joi.object({
    enabled: Joi.boolean().default(D.highlight.enabled),
    minChars: Joi.number().integer().min(1).default(D.highlight.minChars),
    // Clamped rather than refused: the backend caps highlighted_text at 1000 characters.
    maxChars: Joi.number().integer().min(1).default(D.highlight.maxChars),
    contextChars: Joi.number().integer().min(0).default(D.highlight.contextChars),
    autoSend: Joi.boolean().default(D.highlight.autoSend),
    debounceMs: Joi.number().integer().min(0).max(5000).default(D.highlight.debounceMs),
  }).default(D.highlight),
  ui: Joi.alternatives()
    .try(
      Joi.string().valid('auto', 'chatkit', 'fallback'),
      Joi.object({
        surface: Joi.string().valid('auto', 'chatkit', 'fallback').default(D.ui.surface),
        position: Joi.string().valid('bottom-right', 'bottom-left').default(D.ui.position),
        label: Joi.string().default(D.ui.label),
        title: Joi.string().default(D.ui.title),
        greeting: Joi.string().allow('').default(D.ui.greeting),
        starterPrompts: Joi.array()
          .items(Joi.object({ label: Joi.string().required(), prompt: Joi.string().required() }))
          .default(D.ui.starterPrompts),
        placeholder: Joi.string().allow('').default(D.ui.placeholder),
        disclaimer: Joi.string().allow('').default(D.ui.disclaimer),
        shortcut: Joi.string().pattern(SHORTCUT).allow('').default(D.ui.shortcut).messages({
          'string.pattern.base': '"ui.shortcut" must look like "mod+." or "ctrl+shift+k"',
        }),
        defaultOpen: Joi.boolean().default(D.ui.defaultOpen),
        panelWidth: Joi.number().integer().min(280).max(1200).default(D.ui.panelWidth),
      }),
    )
    .default(D.ui),
  student: Joi.object({
    askIdentity: Joi.string().valid('optional', 'required', 'never').default(D.student.askIdentity),
    defaultLevel: Joi.string().valid(...LEVELS).default(D.student.defaultLevel),
  }).default(D.student),
  login: Joi.object({
    providerName: Joi.string().trim().min(1).max(60).required(),
    provider: Joi.string().pattern(/^[a-z0-9][a-z0-9_-]{0,31}$/).allow(null).default(null),
    loginUrl: RELATIVE_OR_HTTP.allow(null).default(null),
  })
    .allow(null)
    .default(D.login),
  contextTransport: Joi.object({
    header: Joi.string().pattern(/^[A-Za-z0-9-]+$/).default(D.contextTransport.header),
    encoding: Joi.string().valid('base64url-json').default(D.contextTransport.encoding),
  }).default(D.contextTransport),
  export: Joi.object({
    enabled: Joi.boolean().default(D.export.enabled),
    path: Joi.string()
      .pattern(/^(?!\/)(?!.*\.\.).+\.json$/)
      .default(D.export.path)
      .messages({ 'string.pattern.base': '"export.path" must be a relative path ending in .json' }),
    publish: Joi.boolean().default(D.export.publish),
    includeText: Joi.boolean().default(D.export.includeText),
    versions: Joi.array().items(Joi.string().min(1)).min(1).single().default(D.export.versions),
    includeUnlisted: Joi.boolean().default(D.export.includeUnlisted),
    frontMatterAllowlist: Joi.array().items(Joi.string()).default(D.export.frontMatterAllowlist),
  }).default(D.export),
  globalData: Joi.string().valid('inline').default(D.globalData),
  devFallback: Joi.string().valid('auto', 'always', 'never').default(D.devFallback),
});

/** Fill the derived values that depend on other options (endpoints, clamps, `ui` shorthand). */
export function finaliseOptions(raw: PluginOptions & { ui: PluginOptions['ui'] | Surface }): PluginOptions {
  const ui = typeof raw.ui === 'string' ? { ...D.ui, surface: raw.ui } : raw.ui;
  // The protocol URL is used as written (a host may route only "/api/chatkit/"); the session
  // endpoints are joined onto it without doubling the slash.
  const base = raw.backendUrl.replace(/\/+$/, '') || '/';
  const join = (suffix: string) => (base === '/' ? `/${suffix}` : `${base}/${suffix}`);
  const sessionEndpoint =
    (raw.sessionEndpoint as unknown) === false ? null : raw.sessionEndpoint ?? join('session');
  const refreshEndpoint =
    (raw.refreshEndpoint as unknown) === false
      ? null
      : raw.refreshEndpoint ?? (sessionEndpoint ? `${sessionEndpoint.replace(/\/+$/, '')}/refresh` : null);
  const maxChars = Math.min(raw.highlight.maxChars, MAX_HIGHLIGHT_CHARS);
  const login = raw.login && { ...raw.login, loginUrl: raw.login.loginUrl ?? join('auth/login') };
  return {
    ...raw,
    sessionEndpoint,
    refreshEndpoint,
    login,
    highlight: {
      ...raw.highlight,
      maxChars,
      minChars: Math.min(raw.highlight.minChars, maxChars),
      contextChars: Math.min(raw.highlight.contextChars, MAX_CONTEXT_CHARS),
    },
    ui,
  };
}

/** Docusaurus's static hook: returns the normalised options (it must return them). */
export function validateOptions({ validate, options }: OptionValidationContext<Options, PluginOptions>): PluginOptions {
  const validated = validate(OPTIONS_SCHEMA as never, options) as PluginOptions & { ui: PluginOptions['ui'] | Surface };
  return finaliseOptions(validated);
}
