/**
 * A small scripted backend on a loopback port for client tests: real HTTP, real SSE framing,
 * the contract's session endpoints and the ChatKit protocol's POST endpoint.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Script {
  sessionTtlMs: number;
  refreshFails: boolean;
  /** secrets the protocol endpoint refuses with 401 */
  revoked: Set<string>;
  rateLimited: boolean;
  /** raw SSE body for streaming requests, sent in these chunk sizes */
  sse: string;
  chunkSizes: number[];
  /** student keys the session endpoint refuses (their students were erased) */
  erasedKeys: Set<string>;
}

export async function startBackend(script: Partial<Script> = {}) {
  const state: Script = { sessionTtlMs: 30 * 60_000, refreshFails: false, revoked: new Set(), rateLimited: false, sse: '', chunkSizes: [7], erasedKeys: new Set(), ...script };
  const requests: Recorded[] = [];
  let issued = 0;
  const newSession = () => {
    issued += 1;
    return { client_secret: `sk_test_${issued}`, session_id: `sess_${issued}`, expires_at: new Date(Date.now() + state.sessionTtlMs).toISOString() };
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = raw ? JSON.parse(raw) : null;
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      const secret = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const json = (status: number, data: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      if (req.url === '/api/chatkit/session') {
        if (req.method === 'DELETE') return json(secret ? 204 : 401, {});
        const proof = (body ?? {}) as { student_key?: string; identity_token?: string; login_code?: string };
        if (proof.login_code) {
          return json(201, { ...newSession(), student_key: 'sk_student_signed_in', signed_in_as: { name: 'Ada Lovelace', email: 'ada@example.com' } });
        }
        if (proof.student_key && state.erasedKeys.has(proof.student_key)) {
          return json(401, { error: 'Unauthorized', details: [{ code: 'INVALID_STUDENT_KEY', message: 'Unknown key', field: 'student_key' }] });
        }
        const isNew = !proof.student_key && !proof.identity_token;
        return json(201, { ...newSession(), ...(isNew ? { student_key: `sk_student_${issued}` } : {}) });
      }
      if (req.url === '/api/chatkit/student' && req.method === 'DELETE') {
        if (!secret || state.revoked.has(secret)) return json(401, { error: 'Unauthorized', details: [{ code: 'INVALID_CLIENT_SECRET', message: 'x' }] });
        state.revoked.add(secret);
        res.writeHead(204);
        return res.end();
      }
      if (req.url === '/api/chatkit/session/refresh') {
        if (state.refreshFails || !secret) return json(401, { error: 'Unauthorized', details: [{ code: 'SESSION_EXPIRED', message: 'expired' }] });
        return json(200, newSession());
      }
      if (req.url !== '/api/chatkit') return json(404, { error: 'Not found' });
      if (!secret || state.revoked.has(secret)) return json(401, { error: 'Unauthorized', details: [{ code: 'INVALID_SESSION', message: 'Session expired' }] });
      if (state.rateLimited) {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '42' });
        return res.end(JSON.stringify({ error: 'Rate limit exceeded', details: [{ code: 'RATE_LIMIT_EXCEEDED', message: 'Too many' }], retry_after: 42 }));
      }
      const type = (body as { type?: string })?.type;
      if (type === 'threads.get_by_id') {
        const id = (body as { params: { thread_id: string } }).params.thread_id;
        if (id === 'thr_long') {
          // Paged like the reference server: the oldest items first, the rest through items.list.
          return json(200, { id, title: 'Long', created_at: 'x', status: { type: 'active' }, metadata: {}, items: { data: [longItem(0), longItem(1)], has_more: true, after: 'msg_1' } });
        }
        if (id !== 'thr_1') return json(404, { error: 'Thread not found' });
        return json(200, { id: 'thr_1', title: 'Saved', created_at: 'x', status: { type: 'active' }, metadata: {}, items: { data: [{ id: 'msg_u', type: 'user_message', content: [{ type: 'input_text', text: 'Earlier question' }], attachments: [], inference_options: {} }, { id: 'msg_a', type: 'assistant_message', content: [{ type: 'output_text', text: 'Earlier answer', annotations: [] }] }], has_more: false } });
      }
      if (type === 'items.list') {
        const params = (body as { params: { after?: string; order?: string } }).params;
        if (params.order !== 'asc') return json(400, { error: 'expected order asc' });
        if (params.after === 'msg_1') return json(200, { data: [longItem(2), longItem(3)], has_more: true, after: 'msg_3' });
        return json(200, { data: [longItem(4)], has_more: false });
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      const bytes = Buffer.from(state.sse, 'utf8');
      let offset = 0;
      let i = 0;
      const pump = () => {
        if (offset >= bytes.length) return res.end();
        const size = state.chunkSizes[i++ % state.chunkSizes.length]!;
        res.write(bytes.subarray(offset, offset + size));
        offset += size;
        setTimeout(pump, 1);
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    state,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Item `n` of the long thread: user questions and assistant answers, alternating. */
function longItem(n: number): unknown {
  return n % 2 === 0
    ? { id: `msg_${n}`, type: 'user_message', content: [{ type: 'input_text', text: `Message ${n}` }], attachments: [], inference_options: {} }
    : { id: `msg_${n}`, type: 'assistant_message', content: [{ type: 'output_text', text: `Message ${n}`, annotations: [] }] };
}

export function sse(events: unknown[]): string {
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');
}
