/**
 * Readable errors from the backend's contract error bodies
 * (`{"error", "details": [{"code", "message"}], "retry_after"?}`).
 */
export class TutorHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly retryAfter: number | null,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: unknown;
  details?: { code?: unknown; message?: unknown }[];
  retry_after?: unknown;
}

export async function errorFromResponse(response: Response): Promise<TutorHttpError> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // not JSON: fall back to the status
  }
  const detail = Array.isArray(body.details) ? body.details[0] : undefined;
  const code = typeof detail?.code === 'string' ? detail.code : null;
  const header = Number(response.headers.get('retry-after'));
  const retryAfter =
    typeof body.retry_after === 'number' ? body.retry_after : Number.isFinite(header) && header > 0 ? header : null;
  let message: string;
  if (response.status === 429) {
    message = retryAfter
      ? `You are sending messages too quickly. Try again in ${retryAfter} seconds.`
      : 'You are sending messages too quickly. Try again in a minute.';
  } else if (typeof detail?.message === 'string' && detail.message) {
    message = detail.message;
  } else if (typeof body.error === 'string' && body.error) {
    message = body.error;
  } else if (response.status === 401) {
    message = 'Your tutor session has expired. Please try again.';
  } else {
    message = `The tutor is unavailable right now (HTTP ${response.status}).`;
  }
  return new TutorHttpError(message, response.status, code, retryAfter);
}

/** A network failure (offline, CORS, refused) as a sentence a reader understands. */
export function describeError(error: unknown): string {
  if (error instanceof TutorHttpError) return error.message;
  if (error instanceof Error && error.name === 'AbortError') return 'The request was cancelled.';
  if (error instanceof TypeError) return 'Cannot reach the tutor. Check your connection and try again.';
  return error instanceof Error && error.message ? error.message : 'Something went wrong. Please try again.';
}
