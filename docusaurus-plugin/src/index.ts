/**
 * The Docusaurus plugin: ids and the book export at build time, the CDN script tag, and the
 * theme (`Root`) that mounts the tutor in the browser.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import logger from '@docusaurus/logger';
import type { LoadContext, Plugin } from '@docusaurus/types';
import { buildBookIndex, DOCS_PLUGIN_NAME, type BookIndex } from './content/bookIndex';
import type { TutorClientConfig, TutorGlobalData } from './content/types';
import { chatkitHeadTags, shouldLoadScript } from './htmlTags';
import type { PluginOptions } from './options';

export { validateOptions, DEFAULT_OPTIONS } from './options';
export type { Options, PluginOptions } from './options';
export type { BookIndex, BookIndexPage } from './content/bookIndex';
export type { TutorGlobalData, PageMapEntry } from './content/types';

export const PLUGIN_NAME = 'docusaurus-plugin-tutorgpt';

const PACKAGE_VERSION: string = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version;

export function clientConfig(options: PluginOptions, locale: string, nodeEnv: string | undefined): TutorClientConfig {
  return {
    backendUrl: options.backendUrl,
    sessionEndpoint: options.sessionEndpoint,
    refreshEndpoint: options.refreshEndpoint,
    domainKey: options.domainKey,
    scriptTimeoutMs: options.chatkitScript.timeoutMs,
    scriptLoaded: shouldLoadScript(options, nodeEnv),
    scriptSrc: shouldLoadScript(options, nodeEnv) ? options.chatkitScript.src : null,
    surface: options.ui.surface,
    devFallback: options.devFallback,
    contextHeader: options.contextTransport.header,
    locale,
    highlight: options.highlight,
    ui: {
      position: options.ui.position,
      label: options.ui.label,
      title: options.ui.title,
      greeting: options.ui.greeting,
      starterPrompts: options.ui.starterPrompts,
      placeholder: options.ui.placeholder,
      disclaimer: options.ui.disclaimer,
      shortcut: options.ui.shortcut,
      defaultOpen: options.ui.defaultOpen,
      panelWidth: options.ui.panelWidth,
    },
    student: options.student,
    login: options.login,
  };
}

/**
 * Which instance of this plugin injects the ChatKit script for a site and locale: the first one
 * that asks. The same instance asking again (a dev-server reload) keeps it, so a site that
 * configures the plugin once per docs instance still gets exactly one script tag.
 */
const SCRIPT_OWNERS = new Map<string, string>();

export function ownsScript(siteDir: string, locale: string, instanceId: string): boolean {
  const key = `${siteDir}\u0000${locale}`;
  const owner = SCRIPT_OWNERS.get(key) ?? instanceId;
  SCRIPT_OWNERS.set(key, owner);
  return owner === instanceId;
}

async function writeJson(file: string, data: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
}

export default function pluginTutorGPT(context: LoadContext, options: PluginOptions): Plugin<void> {
  const nodeEnv = process.env.NODE_ENV;
  const locale = context.i18n?.currentLocale ?? 'en';
  const instanceId = options.id ?? 'default';
  const generatedFile = path.join(context.generatedFilesDir, PLUGIN_NAME, instanceId, 'book-index.json');
  let lastIndex: BookIndex | null = null;

  if (nodeEnv === 'production' && options.domainKey === 'local-dev' && shouldLoadScript(options, nodeEnv)) {
    logger.warn`TutorGPT: name=${'domainKey'} is still "local-dev"; the ChatKit widget refuses to render on a public host without a registered domain key (the fallback panel still works).`;
  }

  return {
    name: PLUGIN_NAME,

    getThemePath() {
      return path.resolve(__dirname, './theme');
    },

    getTypeScriptThemePath() {
      return path.resolve(__dirname, '../src/theme');
    },

    async allContentLoaded({ allContent, actions }) {
      const result = await buildBookIndex({
        siteDir: context.siteDir,
        siteConfig: context.siteConfig,
        locale,
        generator: `${PLUGIN_NAME}@${PACKAGE_VERSION}`,
        docsContent: allContent[DOCS_PLUGIN_NAME] as Record<string, unknown> | undefined,
        options,
      });
      for (const warning of result.warnings) logger.warn(warning);
      lastIndex = result.index;
      const data: TutorGlobalData = {
        pageMap: result.pageMap,
        chapters: result.chapters,
        parts: result.parts,
        config: clientConfig(options, locale, nodeEnv),
      };
      actions.setGlobalData(data);
      if (options.export.enabled) await writeJson(generatedFile, result.index);
    },

    async postBuild({ outDir }) {
      if (!options.export.enabled || !options.export.publish || !lastIndex) return;
      await writeJson(path.join(outDir, options.export.path), lastIndex);
    },

    injectHtmlTags() {
      if (!ownsScript(context.siteDir, locale, instanceId)) return {};
      return { headTags: chatkitHeadTags(options, nodeEnv) };
    },
  };
}
