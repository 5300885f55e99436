import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePluginOptions } from '@docusaurus/utils-validation';
import { DEFAULT_OPTIONS, validateOptions, type Options, type PluginOptions } from '../options';

function validate(options: Options): PluginOptions {
  return validateOptions({ validate: normalizePluginOptions as never, options: options as never });
}

describe('validateOptions', () => {
  it('fills every default and derives the session endpoints from backendUrl', () => {
    const options = validate({});
    assert.equal(options.id, 'default');
    assert.equal(options.backendUrl, '/api/chatkit');
    assert.equal(options.sessionEndpoint, '/api/chatkit/session');
    assert.equal(options.refreshEndpoint, '/api/chatkit/session/refresh');
    assert.deepEqual(options.highlight, DEFAULT_OPTIONS.highlight);
    assert.deepEqual(options.ui, DEFAULT_OPTIONS.ui);
    assert.equal(options.chatkitScript.src, 'https://cdn.platform.openai.com/deployments/chatkit/chatkit.js');
    assert.equal(options.chatkitScript.load, 'always');
    assert.equal(options.export.path, 'tutorgpt/book-index.json');
    assert.deepEqual(options.ids.frontMatterKeys, { chapter: 'tutor_chapter', lesson: 'tutor_lesson', exclude: 'tutor_exclude' });
  });

  it('keeps nested defaults when only some nested keys are given', () => {
    const options = validate({ highlight: { autoSend: true }, ui: { label: 'Ask' } });
    assert.equal(options.highlight.autoSend, true);
    assert.equal(options.highlight.maxChars, 1000);
    assert.equal(options.ui.label, 'Ask');
    assert.equal(options.ui.shortcut, 'mod+.');
  });

  it('accepts ui as a surface name', () => {
    const options = validate({ ui: 'fallback' });
    assert.equal(options.ui.surface, 'fallback');
    assert.equal(options.ui.label, 'Ask TutorGPT');
  });

  it('keeps backendUrl as written, joins endpoints without a double slash, honours explicit ones', () => {
    const slashed = validate({ backendUrl: 'https://api.example/api/chatkit/' });
    assert.equal(slashed.backendUrl, 'https://api.example/api/chatkit/');
    assert.equal(slashed.sessionEndpoint, 'https://api.example/api/chatkit/session');
    const options = validate({ backendUrl: 'https://api.example/api/chatkit', sessionEndpoint: '/custom/session' });
    assert.equal(options.backendUrl, 'https://api.example/api/chatkit');
    assert.equal(options.sessionEndpoint, '/custom/session');
    assert.equal(options.refreshEndpoint, '/custom/session/refresh');
  });

  it('turns the session endpoint off with false', () => {
    const options = validate({ sessionEndpoint: false });
    assert.equal(options.sessionEndpoint, null);
    assert.equal(options.refreshEndpoint, null);
  });

  it('clamps highlight.maxChars to the backend cap of 1000', () => {
    const options = validate({ highlight: { maxChars: 5000, contextChars: 9000 } });
    assert.equal(options.highlight.maxChars, 1000);
    assert.equal(options.highlight.contextChars, 2000);
  });

  const invalid: [string, Options, RegExp][] = [
    ['backendUrl', { backendUrl: 'api/chatkit' }, /"backendUrl" must be a site-relative path/],
    ['chatkitScript.load', { chatkitScript: { load: 'sometimes' as never } }, /"chatkitScript\.load" must be one of \[always, production, never\]/],
    ['ids.chapter', { ids: { chapter: 'folder' as never } }, /"ids\.chapter" must be one of \[sidebar-category, directory\]/],
    ['ui', { ui: 'popup' as never }, /"ui"/],
    ['shortcut', { ui: { shortcut: 'mod + .' } }, /"ui\.shortcut" must look like "mod\+\."/],
    ['learning level', { student: { defaultLevel: 'expert' as never } }, /"student\.defaultLevel" must be one of \[beginner, intermediate, advanced\]/],
    ['export path', { export: { path: '/abs/index.json' } }, /"export\.path" must be a relative path ending in \.json/],
    ['minChars', { highlight: { minChars: 0 } }, /"highlight\.minChars" must be greater than or equal to 1/],
    ['unknown key', { colour: 'red' } as never, /"colour" is not allowed/],
  ];
  for (const [name, options, message] of invalid) {
    it(`rejects an invalid ${name} with a clear message`, () => {
      assert.throws(() => validate(options), message);
    });
  }
});
