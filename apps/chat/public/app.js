// The chat page: plain browser JavaScript, no build step. State lives on the server;
// the page keeps only the chosen user name (localStorage) and the open session (URL hash).

const $ = (selector) => document.querySelector(selector);
const state = { user: localStorage.getItem('chat-user') ?? '', sessionId: null, cursor: null, sending: false, maxImportBytes: 32 * 1024 * 1024 };

function setStatus(text, { error = false } = {}) {
  const status = $('#status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

async function api(path, { method = 'GET', body, raw = false } = {}) {
  const response = await fetch(path, {
    method,
    headers: { 'x-chat-user': encodeURIComponent(state.user), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (raw) return response;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.message ?? `The server answered ${response.status}.`), { code: data.code, status: response.status });
  return data;
}

function showError(error) {
  setStatus(error.message, { error: true });
}

function timeAgo(iso) {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

// ---- user ------------------------------------------------------------------------------

$('#user-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('#user-name').value.trim();
  if (!name) return setStatus('Type a user name first.', { error: true });
  // Ask the server before keeping the name, so a refused one is never stored or shown as signed in.
  const previous = state.user;
  state.user = name;
  try {
    await api('/api/sessions?limit=1');
  } catch (error) {
    state.user = previous;
    $('#user-name').focus();
    return showError(error);
  }
  setStatus('');
  localStorage.setItem('chat-user', name);
  if (name !== previous) {
    // The open conversation belongs to the previous name.
    history.replaceState(null, '', location.pathname + location.search);
    await openSession(null);
  }
  await start();
  $('#new-chat').focus();
});

// ---- session list ----------------------------------------------------------------------

let listRequest = 0;

async function loadSessions({ append = false } = {}) {
  // Typing in the search box, toggling "Show archived" and finishing a turn can all refresh the
  // list at once, and their answers may arrive out of order: only the latest may render.
  const request = ++listRequest;
  const params = new URLSearchParams();
  const q = $('#search').value.trim();
  if (q) params.set('q', q);
  if ($('#show-archived').checked) params.set('archived', '1');
  if (append && state.cursor) params.set('cursor', state.cursor);
  const { sessions, nextCursor } = await api(`/api/sessions?${params}`);
  if (request !== listRequest) return;
  state.cursor = nextCursor;
  const list = $('#session-list');
  if (!append) list.replaceChildren();
  for (const session of sessions) list.append(sessionItem(session));
  $('#load-more').hidden = !nextCursor;
  if (!append && sessions.length === 0) {
    const empty = document.createElement('li');
    empty.textContent = q ? 'No conversation matches.' : 'No conversations yet.';
    list.append(empty);
  }
}

function sessionItem(session) {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.sessionId = session.sessionId;
  if (session.sessionId === state.sessionId) button.setAttribute('aria-current', 'true');
  const title = document.createElement('span');
  title.className = 'session-title';
  title.textContent = session.title + (session.status === 'archived' ? ' (archived)' : '');
  const preview = document.createElement('span');
  preview.className = 'session-preview';
  preview.textContent = session.preview || 'No messages yet';
  const time = document.createElement('span');
  time.className = 'session-time';
  time.textContent = timeAgo(session.updatedAt);
  button.append(title, preview, time);
  button.addEventListener('click', () => {
    setStatus('');
    go(session.sessionId);
  });
  item.append(button);
  return item;
}

let searchTimer;
$('#search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => loadSessions().catch(showError), 200);
});
$('#search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadSessions().catch(showError);
});
$('#show-archived').addEventListener('change', () => loadSessions().catch(showError));
$('#load-more').addEventListener('click', () => loadSessions({ append: true }).catch(showError));

let creating = false;
$('#new-chat').addEventListener('click', async () => {
  // A second Enter or Space before the first chat is shown would start another one.
  if (creating) return;
  creating = true;
  setStatus('');
  try {
    const { session } = await api('/api/sessions', { method: 'POST', body: {} });
    // The composer must be shown before it can take focus, or keys typed right away land elsewhere.
    await Promise.all([go(session.sessionId), loadSessions()]);
    $('#composer-input').focus();
  } catch (error) {
    showError(error);
  } finally {
    creating = false;
  }
});

$('#import-file').addEventListener('change', async (event) => {
  const file = event.target.files?.[0];
  event.target.value = '';
  if (!file) return;
  try {
    if (file.size > state.maxImportBytes) throw new Error(`That file is larger than ${Math.round(state.maxImportBytes / 1024 / 1024)} MB.`);
    const { session } = await api('/api/import', { method: 'POST', body: await file.text() });
    setStatus(`Imported "${session.title}".`);
    await Promise.all([go(session.sessionId), loadSessions()]);
  } catch (error) {
    showError(error);
  }
});

// ---- conversation ----------------------------------------------------------------------

function messageItem(message) {
  const item = document.createElement('li');
  item.className = `message ${message.role}`;
  item.dataset.seq = String(message.seq ?? '');
  const meta = document.createElement('div');
  meta.className = 'meta';
  const who = document.createElement('span');
  who.textContent = message.role === 'user' ? 'You' : message.role === 'assistant' ? 'Assistant' : message.role;
  meta.append(who);
  if (message.seq) {
    const fork = document.createElement('button');
    fork.type = 'button';
    fork.textContent = 'Fork from here';
    fork.setAttribute('aria-label', `Fork the conversation from message ${message.seq}`);
    fork.addEventListener('click', () => forkFrom(message.seq));
    meta.append(fork);
  }
  const text = document.createElement('div');
  text.className = 'text';
  text.textContent = typeof message.content === 'string' ? message.content : message.content.map((part) => part.text ?? '').join('');
  item.append(meta, text);
  return item;
}

let openRequest = 0;

/** Opens a conversation and puts it in the address, so a reload or a shared link shows it again. */
function go(sessionId) {
  location.hash = `#/s/${encodeURIComponent(sessionId)}`;
  return openSession(sessionId);
}

async function openSession(sessionId) {
  // Several opens can overlap (start-up, hash changes, refreshes): only the latest may render.
  const request = ++openRequest;
  state.sessionId = sessionId;
  const list = $('#messages');
  if (!sessionId) {
    list.replaceChildren();
    $('#conversation-actions').hidden = true;
    $('#composer').hidden = true;
    $('#conversation-title').textContent = 'Pick or start a conversation';
    return;
  }
  try {
    const { session, messages } = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
    if (request !== openRequest) return;
    list.replaceChildren();
    $('#conversation-title').textContent = session.title;
    $('#archive').textContent = session.status === 'archived' ? 'Unarchive' : 'Archive';
    $('#archive').dataset.archived = session.status === 'archived' ? '1' : '';
    $('#conversation-actions').hidden = false;
    $('#composer').hidden = false;
    for (const message of messages) list.append(messageItem(message));
    list.scrollTop = list.scrollHeight;
    for (const button of document.querySelectorAll('#session-list button')) {
      button.toggleAttribute('aria-current', button.dataset.sessionId === sessionId);
    }
  } catch (error) {
    if (request !== openRequest) return;
    state.sessionId = null;
    list.replaceChildren();
    $('#conversation-actions').hidden = true;
    $('#composer').hidden = true;
    $('#conversation-title').textContent = 'Conversation not available';
    showError(error);
  }
}

async function forkFrom(seq) {
  try {
    const { session } = await api(`/api/sessions/${encodeURIComponent(state.sessionId)}/fork`, { method: 'POST', body: { upToSeq: seq } });
    setStatus(`Forked into "${session.title}".`);
    await Promise.all([go(session.sessionId), loadSessions()]);
    $('#composer-input').focus();
  } catch (error) {
    showError(error);
  }
}

$('#fork').addEventListener('click', () => {
  const last = [...document.querySelectorAll('#messages li')].at(-1);
  forkFrom(Number(last?.dataset.seq || 0));
});
$('#export').addEventListener('click', async () => {
  try {
    const response = await api(`/api/sessions/${encodeURIComponent(state.sessionId)}/export`, { raw: true });
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).message ?? 'The export failed.');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = `session-${state.sessionId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    showError(error);
  }
});
$('#rename').addEventListener('click', async () => {
  const title = prompt('New title', $('#conversation-title').textContent ?? '');
  if (title === null) return;
  try {
    await api(`/api/sessions/${encodeURIComponent(state.sessionId)}`, { method: 'PATCH', body: { title } });
    await Promise.all([openSession(state.sessionId), loadSessions()]);
  } catch (error) {
    showError(error);
  }
});
$('#archive').addEventListener('click', async () => {
  const action = $('#archive').dataset.archived ? 'unarchive' : 'archive';
  try {
    await api(`/api/sessions/${encodeURIComponent(state.sessionId)}/${action}`, { method: 'POST' });
    setStatus(action === 'archive' ? 'Archived.' : 'Back in your list.');
    await Promise.all([openSession(state.sessionId), loadSessions()]);
  } catch (error) {
    showError(error);
  }
});
$('#delete').addEventListener('click', async () => {
  if (!confirm('Delete this conversation and all its messages?')) return;
  try {
    await api(`/api/sessions/${encodeURIComponent(state.sessionId)}`, { method: 'DELETE' });
    setStatus('Deleted.');
    location.hash = '';
    await Promise.all([openSession(null), loadSessions()]);
    $('#new-chat').focus();
  } catch (error) {
    showError(error);
  }
});

// ---- sending and streaming ----------------------------------------------------------------

async function send(text) {
  const sessionId = state.sessionId;
  const list = $('#messages');
  const mine = messageItem({ role: 'user', content: text });
  const reply = messageItem({ role: 'assistant', content: '' });
  let waiting = false;
  for (;;) {
    const response = await api(`/api/sessions/${encodeURIComponent(sessionId)}/messages${waiting ? '?wait=1' : ''}`, { method: 'POST', body: { content: text }, raw: true });
    if (response.status === 409) {
      const data = await response.json().catch(() => ({}));
      if (data.code === 'LOCK_HELD' && !waiting) {
        // Another tab holds this conversation: say so, then wait our turn on the server.
        setStatus('This conversation is busy: another tab is getting a reply. Waiting for it to finish…');
        // Show the message where it will go, marked as waiting, so the person sees it was not lost.
        mine.classList.add('pending');
        reply.querySelector('.text').textContent = 'Waiting for the other tab’s reply to finish…';
        list.append(mine, reply);
        list.scrollTop = list.scrollHeight;
        waiting = true;
        continue;
      }
      throw Object.assign(new Error(data.message ?? 'This conversation is busy.'), { code: data.code });
    }
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw Object.assign(new Error(data.message ?? `The server answered ${response.status}.`), { code: data.code });
    }
    if (waiting) {
      setStatus('');
      mine.classList.remove('pending');
      reply.querySelector('.text').textContent = '';
    }
    list.append(mine, reply);
    const target = reply.querySelector('.text');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let finished = false;
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ done: true }));
      if (done) break;
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (event.type === 'delta') {
          target.textContent += event.text;
          list.scrollTop = list.scrollHeight;
        } else if (event.type === 'done') {
          finished = true;
        } else if (event.type === 'error') {
          throw Object.assign(new Error(event.message), { code: event.code });
        }
      }
    }
    if (!finished) {
      // The connection dropped (the server stopped, the network went away). The server finishes a
      // turn it accepted unless it is shutting down, so what was stored shows after the reopen.
      throw new Error('The connection dropped before the reply finished. Showing what was stored.');
    }
    return;
  }
}

$('#composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('#composer-input');
  const text = input.value.trim();
  // Say why nothing happens rather than drop an Enter pressed while the last reply is still being stored.
  if (state.sending) return setStatus('Wait for the reply to finish, then send this one.');
  setStatus('');
  if (!text) return setStatus('Type a message first.', { error: true });
  if (text.length > 8000) return setStatus('That message is longer than 8,000 characters.', { error: true });
  state.sending = true;
  $('#send').disabled = true;
  input.value = '';
  try {
    await send(text);
    await Promise.all([openSession(state.sessionId), loadSessions()]);
  } catch (error) {
    input.value = text;
    showError(error);
    await openSession(state.sessionId);
  } finally {
    state.sending = false;
    $('#send').disabled = false;
    input.focus();
  }
});
$('#composer-input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('#composer').requestSubmit();
  }
});

// ---- catching up with other tabs ------------------------------------------------------------

/**
 * Another tab or device may have added to the open conversation: when this page is looked at
 * again, show what was stored. Only a conversation that changed is drawn again, so a focused
 * control keeps its focus otherwise.
 */
async function catchUp() {
  if (state.sending || !state.user || !state.sessionId) return;
  const sessionId = state.sessionId;
  const shown = [...$('#messages').children].map((item) => item.dataset.seq).join(',');
  try {
    const { messages } = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
    if (state.sending || state.sessionId !== sessionId) return;
    if (messages.map((message) => String(message.seq)).join(',') !== shown) await Promise.all([openSession(sessionId), loadSessions()]);
  } catch {
    // Gone or unreachable: opening it again says which.
    await openSession(sessionId);
  }
}
window.addEventListener('focus', catchUp);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') catchUp();
});

// ---- start -------------------------------------------------------------------------------

function sessionFromHash() {
  const match = /^#\/s\/(.+)$/.exec(location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    // A hand-typed or truncated link such as #/s/%ZZ: say so instead of failing silently.
    setStatus('That link does not name a conversation: its address has a broken % code. Pick one from the list.', { error: true });
    return null;
  }
}
window.addEventListener('hashchange', () => {
  // go() has already opened what it put in the address; only links, Back and Forward are left.
  const sessionId = sessionFromHash();
  if (sessionId !== state.sessionId) openSession(sessionId);
});

async function start() {
  const { model, maxImportBytes } = await fetch('/api/info').then((response) => response.json());
  $('#model-label').textContent = model;
  if (maxImportBytes) state.maxImportBytes = maxImportBytes;
  $('#user-name').value = state.user;
  if (!state.user) {
    $('#user-name').focus();
    return;
  }
  try {
    await loadSessions();
  } catch (error) {
    if (error.code === 'BAD_USER') {
      // A name saved by an older version of the page that the server now refuses: ask again.
      state.user = '';
      localStorage.removeItem('chat-user');
      $('#layout').hidden = true;
      $('#user-name').focus();
    }
    return showError(error);
  }
  $('#layout').hidden = false;
  document.title = `sessions chat: ${state.user}`;
  await openSession(sessionFromHash());
}

start().catch(showError);
