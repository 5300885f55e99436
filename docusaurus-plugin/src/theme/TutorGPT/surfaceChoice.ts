/**
 * Which chat surface to show: the ChatKit web component when its CDN script defines
 * `openai-chatkit` in time, otherwise the fallback panel (or nothing, with `devFallback: 'never'`).
 *
 * An offline reader must not wait the whole timeout on every page: the script element's `error`
 * event (or the mark its inline `onerror` leaves when it failed before React mounted, see
 * htmlTags.ts) ends the wait at once. The timeout stays for a script that hangs.
 */
import type { TutorClientConfig } from '../../content/types';

export type SurfaceKind = 'pending' | 'chatkit' | 'fallback' | 'unavailable';

/** Set on the script element by its `onerror` attribute (htmlTags.ts writes both sides). */
export const SCRIPT_FAILED_ATTRIBUTE = 'data-tutorgpt-failed';

/** The injected ChatKit script element, found by its src (Docusaurus may prefix nothing else). */
export function findChatKitScript(doc: Document, src: string | null): HTMLScriptElement | null {
  if (!src) return null;
  for (const script of Array.from(doc.querySelectorAll('script[src]'))) {
    if (script.getAttribute('src') === src) return script as HTMLScriptElement;
  }
  return null;
}

export async function chooseSurface(config: TutorClientConfig, doc: Document | null = typeof document === 'undefined' ? null : document): Promise<Exclude<SurfaceKind, 'pending'>> {
  if (config.surface === 'fallback' || config.devFallback === 'always') return 'fallback';
  const missing = config.devFallback === 'never' ? 'unavailable' : 'fallback';
  if (typeof customElements === 'undefined') return missing;
  if (customElements.get('openai-chatkit')) return 'chatkit';
  // No script was injected and none is defined: waiting would only delay the fallback.
  if (!config.scriptLoaded && config.surface !== 'chatkit') return missing;
  const script = doc ? findChatKitScript(doc, config.scriptSrc) : null;
  if (script?.hasAttribute(SCRIPT_FAILED_ATTRIBUTE)) return missing;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopListening = () => {};
  const timeout = new Promise<'failed'>((resolve) => {
    timer = setTimeout(() => resolve('failed'), config.scriptTimeoutMs);
  });
  const failed = new Promise<'failed'>((resolve) => {
    if (!script) return;
    const onError = () => resolve('failed');
    script.addEventListener('error', onError, { once: true });
    stopListening = () => script.removeEventListener('error', onError);
  });
  const defined = customElements.whenDefined('openai-chatkit').then(() => 'defined' as const);
  const outcome = await Promise.race([defined, failed, timeout]);
  clearTimeout(timer);
  stopListening();
  return outcome === 'defined' ? 'chatkit' : missing;
}
