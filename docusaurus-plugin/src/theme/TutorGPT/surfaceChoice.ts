/**
 * Which chat surface to show: the ChatKit web component when its CDN script defines
 * `openai-chatkit` in time, otherwise the fallback panel (or nothing, with `devFallback: 'never'`).
 */
import type { TutorClientConfig } from '../../content/types';

export type SurfaceKind = 'pending' | 'chatkit' | 'fallback' | 'unavailable';

export async function chooseSurface(config: TutorClientConfig): Promise<Exclude<SurfaceKind, 'pending'>> {
  if (config.surface === 'fallback' || config.devFallback === 'always') return 'fallback';
  const missing = config.devFallback === 'never' ? 'unavailable' : 'fallback';
  if (typeof customElements === 'undefined') return missing;
  if (customElements.get('openai-chatkit')) return 'chatkit';
  // No script was injected and none is defined: waiting would only delay the fallback.
  if (!config.scriptLoaded && config.surface !== 'chatkit') return missing;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), config.scriptTimeoutMs);
  });
  const defined = customElements.whenDefined('openai-chatkit').then(() => 'defined' as const);
  const outcome = await Promise.race([defined, timeout]);
  clearTimeout(timer);
  return outcome === 'defined' ? 'chatkit' : missing;
}
