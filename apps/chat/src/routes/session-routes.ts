import { and, ilike, newSessionId, or, parseExport, ValidationError, type Session, type SessionManager } from '@sessions/core';
import { loadUIMessages } from '@sessions/ai';
import { readJson, readText } from '../http/body.js';
import { HttpError } from '../http/http-error.js';
import { sendJson, type Router } from '../http/router.js';
import { sessionKey, userFrom } from '../user.js';

export interface SessionRoutesOptions {
  readonly sessions: SessionManager;
  readonly maxImportBytes: number;
}

/** What the page shows for a session in the list. */
export function sessionSummary(session: Session) {
  return {
    sessionId: session.sessionId,
    title: session.title ?? 'New chat',
    preview: typeof session.metadata['preview'] === 'string' ? session.metadata['preview'] : '',
    updatedAt: session.updatedAt.toISOString(),
    status: session.status,
    messageCount: session.messageCount,
    parentSessionId: session.parentSessionId,
    parentSeq: session.parentSeq,
  };
}

/** `%` and `_` typed by a person are literal characters, not wildcards. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function optionalTitle(body: unknown): string | undefined {
  const title = (body as { title?: unknown }).title;
  if (title === undefined) return undefined;
  if (typeof title !== 'string' || title.trim().length === 0 || title.length > 200) {
    throw new HttpError(400, 'BAD_TITLE', 'A title is 1 to 200 characters.');
  }
  return title.trim();
}

export function sessionRoutes(router: Router, { sessions, maxImportBytes }: SessionRoutesOptions): void {
  router.on('GET', '/api/sessions', async ({ request, response, url }) => {
    const userId = userFrom(request);
    const q = (url.searchParams.get('q') ?? '').trim().slice(0, 200);
    const where = q ? or(ilike('title', containsPattern(q)), ilike('metadata.preview', containsPattern(q))) : and();
    const page = await sessions.list({
      userId,
      where,
      limit: Math.min(Number(url.searchParams.get('limit') ?? 20) || 20, 100),
      cursor: url.searchParams.get('cursor'),
      includeArchived: url.searchParams.get('archived') === '1',
    });
    sendJson(response, 200, { sessions: page.sessions.map(sessionSummary), nextCursor: page.nextCursor });
  });

  router.on('POST', '/api/sessions', async ({ request, response }) => {
    const userId = userFrom(request);
    const body = await readJson(request, 16 * 1024);
    const session = await sessions.create({ userId, title: optionalTitle(body) ?? null });
    sendJson(response, 201, { session: sessionSummary(session) });
  });

  router.on('GET', '/api/sessions/:id', async ({ request, response, params, url }) => {
    const key = sessionKey(request, params);
    const session = await sessions.get(key);
    if (!session) throw new HttpError(404, 'SESSION_NOT_FOUND', 'That conversation does not exist for this user.');
    // The conversation as useChat holds it: the same message ids as while it streamed.
    // `?messages=0`: only the summary, for a header that shows a new title.
    const messages = url.searchParams.get('messages') === '0' ? [] : await loadUIMessages(sessions, key);
    sendJson(response, 200, { session: sessionSummary(session), messages });
  });

  router.on('PATCH', '/api/sessions/:id', async ({ request, response, params }) => {
    const key = sessionKey(request, params);
    const title = optionalTitle(await readJson(request, 16 * 1024));
    if (title === undefined) throw new HttpError(400, 'BAD_TITLE', 'Give the new title.');
    sendJson(response, 200, { session: sessionSummary(await sessions.update(key, { title })) });
  });

  router.on('POST', '/api/sessions/:id/archive', async ({ request, response, params }) => {
    sendJson(response, 200, { session: sessionSummary(await sessions.archive(sessionKey(request, params))) });
  });

  router.on('POST', '/api/sessions/:id/unarchive', async ({ request, response, params }) => {
    sendJson(response, 200, { session: sessionSummary(await sessions.unarchive(sessionKey(request, params))) });
  });

  router.on('DELETE', '/api/sessions/:id', async ({ request, response, params }) => {
    const deleted = await sessions.delete(sessionKey(request, params));
    if (!deleted) throw new HttpError(404, 'SESSION_NOT_FOUND', 'That conversation does not exist for this user.');
    sendJson(response, 200, { deleted: true });
  });

  router.on('POST', '/api/sessions/:id/fork', async ({ request, response, params }) => {
    const key = sessionKey(request, params);
    const body = (await readJson(request, 16 * 1024)) as { messageId?: unknown };
    const source = await sessions.get(key);
    if (!source) throw new HttpError(404, 'SESSION_NOT_FOUND', 'That conversation does not exist for this user.');
    let upToSeq = source.lastSeq;
    if (body.messageId !== undefined) {
      // The page knows its messages by id; every message this app stores is one UI message.
      const found = (await sessions.messages(key)).find((message) => message.id === body.messageId);
      if (!found) throw new HttpError(400, 'BAD_MESSAGE', 'Fork from a message of this conversation.');
      upToSeq = found.seq;
    }
    const fork = await sessions.fork(key, { upToSeq, title: `${source.title ?? 'New chat'} (fork)` });
    sendJson(response, 201, { session: sessionSummary(fork) });
  });

  router.on('GET', '/api/sessions/:id/export', async ({ request, response, params }) => {
    const exported = await sessions.export(sessionKey(request, params));
    // Compact: indentation would make a long conversation's file several times larger than its text.
    const text = JSON.stringify(exported);
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="session-${params['id']!.replace(/[^A-Za-z0-9_-]/g, '_')}.json"`,
      'cache-control': 'no-store',
    });
    response.end(text);
  });

  router.on('POST', '/api/import', async ({ request, response }) => {
    const userId = userFrom(request);
    const text = await readText(request, maxImportBytes).catch((error: unknown) => {
      if (error instanceof HttpError && error.code === 'BAD_ENCODING') {
        throw new HttpError(400, 'BAD_IMPORT', 'That file cannot be imported: it is not valid UTF-8 text, so it is not a conversation exported from this app.');
      }
      throw error;
    });
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'BAD_IMPORT', 'That file cannot be imported: it is not JSON, so it is not a conversation exported from this app.');
    }
    try {
      // Validate the whole file first, from its text so a number no double holds is refused rather than rounded;
      // an import always lands in the importing user's own list.
      const { session } = parseExport(text);
      const exported = data as { session: Record<string, unknown> };
      const exists = await sessions.get({ userId, sessionId: session.sessionId });
      const sessionId = exists ? newSessionId() : session.sessionId;
      // The manager also refuses a message over its limits.maxMessageBytes (ValidationError).
      const imported = await sessions.import({ ...exported, session: { ...exported.session, userId, sessionId } });
      sendJson(response, 201, { session: sessionSummary(imported) });
    } catch (error) {
      if (error instanceof ValidationError) {
        throw new HttpError(400, 'BAD_IMPORT', `That file cannot be imported: ${error.message.replace(/^\[sessions\]\s*/, '')}`);
      }
      throw error;
    }
  });
}
