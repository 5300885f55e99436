/**
 * The custom `fetch` given to ChatKit (and used by the fallback panel): every request carries the
 * session's bearer secret and the current page context, read at send time from a getter so it is
 * fresh after SPA navigation without re-setting ChatKit's options.
 */
import { fitContextHeader, type PageContext } from './context';
import type { SessionManager } from './session';

export interface TutorFetchOptions {
  session: Pick<SessionManager, 'getSecret' | 'invalidate'>;
  getContext: () => PageContext;
  header: string;
  baseFetch?: typeof fetch;
  /** Called with the answer once a request has gone out (the highlight is cleared after one message is sent). */
  onSent?: (context: PageContext, init: RequestInit | undefined, response: Response) => void;
}

export function createTutorFetch(options: TutorFetchOptions): typeof fetch {
  const base = options.baseFetch ?? ((input, init) => fetch(input, init));
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const context = options.getContext();
    const send = async (): Promise<{ response: Response; secret: string | null }> => {
      const secret = await options.session.getSecret();
      // Keep the widget's own headers (the ChatKit docs require it) and add ours on top.
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (secret) headers.set('Authorization', `Bearer ${secret}`);
      headers.set(options.header, fitContextHeader(context));
      return { response: await base(input, { ...init, headers }), secret };
    };
    let { response, secret } = await send();
    const replayable = init?.body === undefined || typeof init.body === 'string';
    if (response.status === 401 && secret && replayable) {
      // The backend forgot or expired the session (restart, idle timeout): one new session, one retry.
      options.session.invalidate();
      ({ response } = await send());
    }
    options.onSent?.(context, init, response);
    return response;
  };
}

/** Whether a ChatKit request body sends a user message (as opposed to loading or listing). */
export function isMessageSend(init: RequestInit | undefined): boolean {
  return typeof init?.body === 'string' && /"type"\s*:\s*"threads\.(create|add_user_message)"/.test(init.body);
}
