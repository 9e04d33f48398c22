import { describe, expect, it } from 'vitest';
import { MemoryEngine, parseExport, SessionManager, ValidationError, type SessionExport } from '../src/index.js';
import { ExportTextScanner } from '../src/engine/index.js';

function exportText(metadataJson: string, content = '"hi"'): string {
  return (
    '{"format":"sessions.export","version":1,"session":{"userId":"u1","sessionId":"s1","title":null,"metadata":{},"state":{},' +
    '"status":"active","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z","expiresAt":null,' +
    '"parentSessionId":null,"parentSeq":null,"lastSeq":1},"messages":[{"seq":1,"id":"m1","role":"user","content":' +
    content +
    ',"name":null,"toolCalls":null,"toolCallId":null,"agentId":null,"runId":null,"metadata":' +
    metadataJson +
    ',"createdAt":"2026-01-01T00:00:00.000Z"}]}'
  );
}

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('parseExport on JSON text: stores exactly what the text says, or refuses it', () => {
  it.each([
    ['an integer beyond 2^53', '{"n":9007199254740993}', 'export.messages[0].metadata.n'],
    ['a negative integer beyond -2^53', '{"a":[1,-9007199254740993]}', 'export.messages[0].metadata.a[1]'],
    ['a number too large for a double', '{"n":1e400}', 'export.messages[0].metadata.n'],
    ['a number that underflows to zero', '{"n":1e-400}', 'export.messages[0].metadata.n'],
    ['a decimal with more precision than a double', '{"deep":{"x":0.10000000000000000001}}', 'export.messages[0].metadata.deep.x'],
    ['a number under a key that is not an identifier', '{"a b":123456789012345678901}', 'export.messages[0].metadata["a b"]'],
  ])('refuses %s, naming its JSON path', (_, metadata, path) => {
    const error = refusal(() => parseExport(exportText(metadata)));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(/cannot be stored exactly/);
  });

  it('refuses a big integer in the session part too', () => {
    const text = exportText('{}').replace('"state":{}', '"state":{"counter":18446744073709551615}');
    expect(refusal(() => parseExport(text)).path).toBe('export.session.state.counter');
  });

  it.each([
    ['0.1', 0.1],
    ['1.0', 1],
    ['1e2', 100],
    ['1E+2', 100],
    ['2.50', 2.5],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['9007199254740992', 9007199254740992],
    ['1.7976931348623157e308', Number.MAX_VALUE],
    ['5e-324', 5e-324],
    ['0.000', 0],
  ])('accepts %s, a literal whose value a double holds exactly as written', (literal, value) => {
    const { messages } = parseExport(exportText(`{"n":${literal}}`));
    expect(messages[0]!.metadata['n']).toBe(value);
  });

  it('accepts -0 and stores 0, as append does: JSON text has no negative zero to keep', async () => {
    const sessions = new SessionManager({ engine: new MemoryEngine() });
    await sessions.engine.setup();
    await sessions.import(exportText('{"n":-0,"m":-0.0e5}'));
    const [message] = await sessions.messages({ userId: 'u1', sessionId: 's1' });
    expect(message!.metadata).toEqual({ n: 0, m: 0 });
    expect(Object.is(message!.metadata['n'], 0)).toBe(true);
  });

  it('leaves digits inside strings alone, escaped quotes included', () => {
    const { messages } = parseExport(exportText('{"big":"9007199254740993","q":"say \\"1e400\\"","k\\"ey":1}'));
    expect(messages[0]!.metadata).toEqual({ big: '9007199254740993', q: 'say "1e400"', 'k"ey': 1 });
  });

  it('refuses a lone surrogate escape, as append does', () => {
    expect(refusal(() => parseExport(exportText('{}', '"\\ud800"'))).path).toBe('export.messages[0].content');
    expect(refusal(() => parseExport(exportText('{"x":"\\udfff"}'))).path).toBe('export.messages[0].metadata.x');
  });

  it('accepts a surrogate pair written as two escapes: it is one valid character', () => {
    expect(parseExport(exportText('{}', '"\\ud83d\\ude00"')).messages[0]!.content).toBe('😀');
  });

  it('SessionManager.import of the text refuses a big integer and writes nothing', async () => {
    const sessions = new SessionManager({ engine: new MemoryEngine() });
    await sessions.engine.setup();
    await expect(sessions.import(exportText('{"n":9007199254740993}'))).rejects.toThrow(/export\.messages\[0\]\.metadata\.n/);
    expect(await sessions.get({ userId: 'u1', sessionId: 's1' })).toBeNull();
  });

  it('an export object round-trips through its JSON text unchanged', async () => {
    const sessions = new SessionManager({ engine: new MemoryEngine() });
    await sessions.engine.setup();
    const key = { userId: 'u1', sessionId: 's1' };
    await sessions.create({ ...key, metadata: { pi: Math.PI, tiny: 5e-324, big: Number.MAX_SAFE_INTEGER, neg: -1.5e-7 } });
    await sessions.append(key, [{ role: 'user', content: 'ü 😀 "q" \\ \n', metadata: { e: 1e21, list: [0.1, 0.2, 0.30000000000000004] } }]);
    const exported: SessionExport = await sessions.export(key);
    const text = JSON.stringify(exported);
    const other = new SessionManager({ engine: new MemoryEngine() });
    await other.engine.setup();
    await other.import(text);
    expect(JSON.stringify(await other.export(key))).toBe(text);
  });
});

describe('ExportTextScanner: the same checks on text that arrives in pieces', () => {
  it('finds a big integer split across chunks', () => {
    const text = exportText('{"n":9007199254740993}');
    const at = text.indexOf('90071992547') + 5;
    const scanner = new ExportTextScanner();
    scanner.push(text.slice(0, at));
    expect(
      refusal(() => {
        scanner.push(text.slice(at));
        scanner.end();
      }).path,
    ).toBe('export.messages[0].metadata.n');
  });

  it('finds a number that ends the text', () => {
    const scanner = new ExportTextScanner();
    scanner.push('{"messages":[{"metadata":{"n":1');
    expect(
      refusal(() => {
        scanner.push('e999');
        scanner.end();
      }).path,
    ).toBe('export.messages[0].metadata.n');
  });

  it('scans one character at a time exactly as in one piece', () => {
    const good = exportText('{"a":[0.5,{"b":"x\\"y"}],"c\\\\":12}');
    const scanner = new ExportTextScanner();
    for (const char of good) scanner.push(char);
    scanner.end();
    const bad = exportText('{"a":[0.5,{"b":"x\\"y"}],"c\\\\":12345678901234567890}');
    const again = new ExportTextScanner();
    expect(
      refusal(() => {
        for (const char of bad) again.push(char);
        again.end();
      }).path,
    ).toBe('export.messages[0].metadata["c\\\\"]');
  });

  it('refuses a message over maxMessageBytes as soon as its text is too long, before the rest arrives', () => {
    const scanner = new ExportTextScanner({ maxMessageBytes: 1024 });
    scanner.push(exportText('{}').replace(/\]\}$/, ','));
    scanner.push('{"seq":2,"id":"m2","role":"user","content":"');
    const chunk = 'x'.repeat(16 * 1024);
    let pushed = 0;
    const error = refusal(() => {
      for (;;) {
        scanner.push(chunk);
        pushed += chunk.length;
        if (pushed > 10 * 1024 * 1024) return;
      }
    });
    expect(error.path).toBe('export.messages[1]');
    expect(error.message).toMatch(/over the limit of 1024 bytes/);
    // Refused within the allowance for the message's other fields, not at the end of its text.
    expect(pushed).toBeLessThan(1024 + 80 * 1024);
  });

  it('refuses nesting deeper than any backend stores without keeping a frame per bracket', () => {
    const scanner = new ExportTextScanner();
    scanner.push('{"format":"sessions.export","messages":[{"metadata":{"a":');
    const error = refusal(() => scanner.push('['.repeat(1_000_000)));
    expect(error.path).toMatch(/^export\.messages\[0\]\.metadata\.a(\[0\])+$/);
    expect(error.message).toMatch(/nested deeper than 31 levels/);
    // As deep as validation accepts still passes the scanner: messages[0].metadata holds 31 levels.
    const deep = new ExportTextScanner();
    deep.push(`{"messages":[{"metadata":${'{"a":'.repeat(30)}1${'}'.repeat(30)}}]}`);
    deep.end();
  });

  it('counts each message on its own: many messages under the limit pass', () => {
    const scanner = new ExportTextScanner({ maxMessageBytes: 1024 });
    scanner.push('{"format":"sessions.export","messages":[');
    for (let i = 0; i < 200; i++) scanner.push(`${i === 0 ? '' : ','}{"seq":${i + 1},"content":"${'y'.repeat(900)}"}`);
    scanner.push(']}');
    scanner.end();
  });
});
