/**
 * The one interface both chat surfaces (the ChatKit web component and the fallback panel)
 * implement, so the rest of the tutor never knows which one is on screen.
 */
import { STORAGE_KEYS } from '../../client/storage';
import type { TutorClientConfig } from '../../content/types';

export interface SurfaceAction {
  /** Increases with every action so the same text can be sent twice. */
  id: number;
  kind: 'prefill' | 'send';
  text: string;
  quote: string | null;
}

export interface SurfaceProps {
  config: TutorClientConfig;
  /** The tutor fetch: adds the bearer secret and the page context header. */
  fetch: typeof fetch;
  colorScheme: 'light' | 'dark';
  action: SurfaceAction | null;
  /** The panel is shown (surfaces focus their composer when it opens). */
  visible: boolean;
  /**
   * Follows a same-site link from the chat (a citation) through the site's router, so the page
   * changes without a reload and the thread stays. Without it links load pages normally.
   */
  onNavigate?: (path: string) => void;
}

export const THREAD_STORAGE_KEY = STORAGE_KEYS.thread;
