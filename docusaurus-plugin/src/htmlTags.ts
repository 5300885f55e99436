/**
 * The ChatKit CDN script and its preconnect, added through `injectHtmlTags` (the gtag plugin's
 * pattern) so the site needs no `scripts` entry. Whether to add it at all is decided here once,
 * and the browser is told through global data so it never waits for a script that is not coming.
 */
import type { HtmlTagObject } from '@docusaurus/types';
import type { PluginOptions } from './options';

/**
 * The script is async and often fails (offline, blocked CDN) before React mounts, when nobody is
 * listening for its `error` event any more. This inline handler leaves a mark the client reads
 * (surfaceChoice.ts, SCRIPT_FAILED_ATTRIBUTE) so it falls back at once instead of timing out.
 * Under a CSP without 'unsafe-inline' the mark is missing and the client waits for the timeout.
 */
export const SCRIPT_ONERROR = "this.setAttribute('data-tutorgpt-failed','')";

export function shouldLoadScript(options: PluginOptions, nodeEnv: string | undefined): boolean {
  if (options.ui.surface === 'fallback' || options.devFallback === 'always') return false;
  const { load } = options.chatkitScript;
  if (load === 'never') return false;
  if (load === 'production') return nodeEnv === 'production';
  return true;
}

export function chatkitHeadTags(options: PluginOptions, nodeEnv: string | undefined): HtmlTagObject[] {
  if (!shouldLoadScript(options, nodeEnv)) return [];
  const src = options.chatkitScript.src;
  return [
    { tagName: 'link', attributes: { rel: 'preconnect', href: new URL(src).origin, crossorigin: 'anonymous' } },
    { tagName: 'script', attributes: { src, async: true, onerror: SCRIPT_ONERROR } },
  ];
}
