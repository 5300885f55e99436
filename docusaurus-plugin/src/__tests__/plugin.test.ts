import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { normalizePluginOptions } from '@docusaurus/utils-validation';
import type { LoadContext, Plugin } from '@docusaurus/types';
import pluginTutorGPT from '../index';
import { SCRIPT_ONERROR } from '../htmlTags';
import { validateOptions, type Options } from '../options';
import type { TutorGlobalData } from '../content/types';
import { loadDocs } from './helpers/docs';

const opts = (options: Options = {}) => validateOptions({ validate: normalizePluginOptions as never, options: options as never });

async function runPlugin(options: Options = {}, withDocs = true) {
  const { context, docsContent } = await loadDocs();
  const plugin = pluginTutorGPT(context, opts(options)) as Plugin<void>;
  let globalData: unknown;
  const actions = {
    setGlobalData: (data: unknown) => {
      globalData = data;
    },
    addRoute: () => assert.fail('the plugin adds no routes'),
    createData: () => assert.fail('the plugin writes its files itself'),
  };
  await plugin.allContentLoaded!({
    allContent: (withDocs ? { 'docusaurus-plugin-content-docs': docsContent } : {}) as never,
    actions: actions as never,
  });
  return { plugin, context, globalData: globalData as TutorGlobalData };
}

const generatedPath = (context: LoadContext) =>
  path.join(context.generatedFilesDir, 'docusaurus-plugin-tutorgpt', 'default', 'book-index.json');

describe('plugin lifecycle', () => {
  it('publishes the page map and client config, and writes the index to the generated files', async () => {
    const { context, globalData } = await runPlugin({ backendUrl: '/tutor', ui: { starterPrompts: [{ label: 'Quiz me', prompt: 'Quiz me' }] } });
    assert.deepEqual(globalData.pageMap['/docs/foundations/agent-loop'], { d: 'foundations/agent-loop', t: 'What an agent is', c: 'foundations', l: 'agent-loop' });
    assert.equal(globalData.config.backendUrl, '/tutor');
    assert.equal(globalData.config.sessionEndpoint, '/tutor/session');
    assert.equal(globalData.config.contextHeader, 'X-TutorGPT-Context');
    assert.equal(globalData.config.locale, 'en');
    assert.equal(globalData.config.scriptSrc, 'https://cdn.platform.openai.com/deployments/chatkit/chatkit.js', 'the client watches this script');
    assert.deepEqual(globalData.config.ui.starterPrompts, [{ label: 'Quiz me', prompt: 'Quiz me' }]);
    const written = JSON.parse(await readFile(generatedPath(context), 'utf8'));
    assert.equal(written.schema_version, 1);
    assert.match(written.generator, /^docusaurus-plugin-tutorgpt@\d+\.\d+\.\d+/);
    assert.equal(written.pages.length, 7);
  });

  it('copies the index to outDir/tutorgpt/book-index.json in postBuild when publish is on', async () => {
    const { plugin, context } = await runPlugin();
    await plugin.postBuild!({ outDir: context.outDir } as never);
    const published = JSON.parse(await readFile(path.join(context.outDir, 'tutorgpt', 'book-index.json'), 'utf8'));
    const generated = JSON.parse(await readFile(generatedPath(context), 'utf8'));
    assert.deepEqual(published, generated);
  });

  it('does not publish when export.publish is off', async () => {
    const { plugin, context } = await runPlugin({ export: { publish: false } });
    await plugin.postBuild!({ outDir: context.outDir } as never);
    assert.ok(!existsSync(path.join(context.outDir, 'tutorgpt', 'book-index.json')));
    assert.ok(existsSync(generatedPath(context)), 'the generated copy still exists for `start`');
  });

  it('survives a site without the docs plugin', async () => {
    const { globalData } = await runPlugin({}, false);
    assert.deepEqual(globalData.pageMap, {});
  });

  it('fails the build naming both files on duplicate ids', async () => {
    const { context, docsContent } = await loadDocs();
    const version = (docsContent.default as { loadedVersions: { docs: { id: string; frontMatter: Record<string, unknown> }[] }[] }).loadedVersions[0]!;
    version.docs.find((d) => d.id === 'retrieval/search')!.frontMatter.tutor_lesson = 'chunking';
    const plugin = pluginTutorGPT(context, opts()) as Plugin<void>;
    await assert.rejects(
      async () => plugin.allContentLoaded!({ allContent: { 'docusaurus-plugin-content-docs': docsContent } as never, actions: { setGlobalData() {} } as never }),
      /docs\/03-retrieval\/01-chunking\.md and docs\/03-retrieval\/02-search\.md/,
    );
  });
});

describe('injectHtmlTags', () => {
  const tags = async (options: Options, nodeEnv?: string) => {
    const previous = process.env.NODE_ENV;
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    try {
      const { context } = await loadDocs();
      const plugin = pluginTutorGPT(context, opts(options)) as Plugin<void>;
      const result = plugin.injectHtmlTags!({ content: undefined }) as { headTags: { tagName: string; attributes: Record<string, unknown> }[] };
      return result.headTags;
    } finally {
      if (previous === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = previous;
    }
  };

  it('adds a preconnect and an async CDN script (marking its failure) by default', async () => {
    assert.deepEqual(await tags({}), [
      { tagName: 'link', attributes: { rel: 'preconnect', href: 'https://cdn.platform.openai.com', crossorigin: 'anonymous' } },
      { tagName: 'script', attributes: { src: 'https://cdn.platform.openai.com/deployments/chatkit/chatkit.js', async: true, onerror: SCRIPT_ONERROR } },
    ]);
  });

  it('honours load: production | never and the forced fallback', async () => {
    assert.equal((await tags({ chatkitScript: { load: 'production' } }, 'development')).length, 0);
    assert.equal((await tags({ chatkitScript: { load: 'production' } }, 'production')).length, 2);
    assert.equal((await tags({ chatkitScript: { load: 'never' } })).length, 0);
    assert.equal((await tags({ ui: 'fallback' })).length, 0);
    assert.equal((await tags({ devFallback: 'always' })).length, 0);
  });

  it('injects the script once when the plugin is configured once per docs instance', async () => {
    const { context } = await loadDocs();
    const site = { ...context, siteDir: `${context.siteDir}-two-instances` };
    const inject = (id: string) =>
      ((pluginTutorGPT(site, { ...opts(), id }) as Plugin<void>).injectHtmlTags!({ content: undefined }) as { headTags?: unknown[] }).headTags ?? [];
    assert.equal(inject('book').length, 2);
    assert.equal(inject('community').length, 0);
    assert.equal(inject('book').length, 2, 'the owner keeps injecting after a dev-server reload');
  });
});
