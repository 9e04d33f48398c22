import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionManager, ValidationError } from '@sessions/core';
import { SqliteEngine } from '@sessions/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedVariety } from './support/fixtures.js';
import { parseExportLine } from '../src/index.js';
import { runBin } from './support/run-bin.js';
import { removeTempDirs, tempDir } from './support/temp.js';
import { exportThreeSessions, sqliteContents } from './support/sqlite-store.js';

let dir: string;
/** Three good export lines (sessions a, b, c of alice), as `sessions export` wrote them. */
let lines: string[];

beforeAll(async () => {
  dir = await tempDir();
  lines = (await exportThreeSessions(join(dir, 'source.db'))).split('\n').filter(Boolean);
  expect(lines).toHaveLength(3);
});
afterAll(removeTempDirs);

let files = 0;
async function fileOf(content: string | Buffer): Promise<string> {
  const path = join(dir, `input-${++files}.jsonl`);
  await writeFile(path, content);
  return path;
}

/** Line 2 (session b) with its first message's metadata replaced by `metadata` (JSON text). */
function withMetadata(metadata: string): string[] {
  const copy = [...lines];
  copy[1] = copy[1]!.replace('"metadata":{},"createdAt"', `"metadata":${metadata},"createdAt"`);
  expect(copy[1]).not.toBe(lines[1]);
  return copy;
}

/** Line 2 with its first message's content replaced by `content` (JSON text). */
function withContent(content: string): string[] {
  const copy = [...lines];
  copy[1] = copy[1]!.replace('"content":"hi from b"', `"content":${content}`);
  expect(copy[1]).not.toBe(lines[1]);
  return copy;
}

describe('import stores exactly what the file says, or refuses the line with its number', () => {
  it('refuses an integer beyond 2^53 with its line and JSON path instead of rounding it; nothing is written', async () => {
    const target = join(dir, 'big-int.db');
    const file = await fileOf(`${withMetadata('{"n":9007199254740993}').join('\n')}\n`);

    const result = await runBin(['import', `sqlite:${target}`, file]);

    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^line 2: export\.messages\[0\]\.metadata\.n: the number 9007199254740993 cannot be stored exactly/m);
    expect(result.stderr).toMatch(/1 bad line of 3; nothing was written/);
    expect(existsSync(target)).toBe(false);
  });

  it("refuses 1e400 and digits beyond a double's precision, and lists each bad line", async () => {
    const bad = withMetadata('{"huge":1e400}');
    bad[2] = bad[2]!
      .replace('"content":"hi from c"', '"content":"hi from c","metadata":{"x":[0.10000000000000000001]}')
      .replace(',"metadata":{},"createdAt"', ',"createdAt"');
    const result = await runBin(['import', `sqlite:${join(dir, 'inexact.db')}`, '--json'], { input: `${bad.join('\n')}\n` });

    expect(result.code, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout) as { errors: Array<{ line: number; message: string }> };
    expect(report.errors.map((error) => [error.line, error.message.split(':')[0]])).toEqual([
      [2, 'export.messages[0].metadata.huge'],
      [3, 'export.messages[0].metadata.x[0]'],
    ]);
  });

  it('leaves a store that exists untouched when a later line is refused: all lines are checked before any is written', async () => {
    const target = join(dir, 'existing.db');
    {
      await using engine = new SqliteEngine({ path: target });
      await engine.setup();
      await new SessionManager({ engine }).create({ userId: 'bob', sessionId: 'kept', messages: [{ role: 'user', content: 'kept' }] });
    }
    const before = await sqliteContents(target);
    const bad = [...lines];
    bad[2] = withMetadata('{"n":-18446744073709551616}')[1]!.replaceAll('"sessionId":"b"', '"sessionId":"z"');

    const result = await runBin(['import', `sqlite:${target}`, await fileOf(`${bad.join('\n')}\n`)]);

    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^line 3: export\.messages\[0\]\.metadata\.n: /m);
    expect(await sqliteContents(target)).toEqual(before);
  });

  it('refuses a line with invalid UTF-8 bytes instead of importing U+FFFD, from a file and from a pipe', async () => {
    const good = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const at = good.indexOf('hi from b') + 3;
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), good.subarray(at)]);
    const target = join(dir, 'utf8.db');

    const fromFile = await runBin(['import', `sqlite:${target}`, await fileOf(bad)]);
    const fromPipe = await runBin(['import', `sqlite:${target}`], { input: bad });

    for (const result of [fromFile, fromPipe]) {
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/^line 2: is not valid UTF-8/m);
      expect(result.stderr).toMatch(/1 bad line of 3; nothing was written/);
    }
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a line that ends inside a UTF-8 character', async () => {
    const good = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const endOfLine2 = good.indexOf('\n', good.indexOf('\n') + 1);
    const bad = Buffer.concat([good.subarray(0, endOfLine2), Buffer.from([0xe2, 0x82]), good.subarray(endOfLine2)]);
    const result = await runBin(['import', `sqlite:${join(dir, 'cut.db')}`], { input: bad });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^line 2: is not valid UTF-8/m);
  });

  it('refuses a lone surrogate escape ("\\ud800"), as append refuses the string it decodes to', async () => {
    const result = await runBin(['import', `sqlite:${join(dir, 'surrogate.db')}`], { input: `${withContent('"half \\ud800 of a pair"').join('\n')}\n` });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^line 2: export\.messages\[0\]\.content: contains a lone UTF-16 surrogate/m);
  });

  it("applies append's message size limit (1 MiB by default), and --max-message-bytes raises it", async () => {
    const justOver = await fileOf(`${withContent(JSON.stringify('x'.repeat(1024 * 1024 + 1))).join('\n')}\n`);
    const farOver = await fileOf(`${withContent(JSON.stringify('y'.repeat(3 * 1024 * 1024))).join('\n')}\n`);
    const target = join(dir, 'limits.db');

    const refusedJustOver = await runBin(['import', `sqlite:${target}`, justOver]);
    const refusedFarOver = await runBin(['import', `sqlite:${target}`, farOver]);

    expect(refusedJustOver.code, refusedJustOver.stderr).toBe(3);
    expect(refusedJustOver.stderr).toMatch(/^line 2: export\.messages\[0\]: is 1048579 bytes, over the limit of 1048576/m);
    expect(refusedFarOver.code, refusedFarOver.stderr).toBe(3);
    expect(refusedFarOver.stderr).toMatch(/^line 2: export\.messages\[0\]: .*over the limit of 1048576 bytes/m);
    expect(existsSync(target)).toBe(false);

    const raised = await runBin(['import', `sqlite:${target}`, farOver, '--max-message-bytes', String(4 * 1024 * 1024)]);
    expect(raised.code, raised.stderr).toBe(0);
    const stored = (await sqliteContents(target)).find((line) => line.includes('"sessionId":"b"'))!;
    expect(stored).toContain(`"content":"${'y'.repeat(3 * 1024 * 1024)}"`);
  });

  it('refuses a line longer than --max-line-bytes without reading it whole', async () => {
    const result = await runBin(['import', `sqlite:${join(dir, 'line.db')}`, '--max-line-bytes', '100'], { input: `${lines.join('\n')}\n` });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^line 1: is longer than 100 bytes/m);
    expect(result.stderr).toMatch(/3 bad lines of 3/);
  });

  it('refuses a message of tens of MB with memory growth far below its size', async () => {
    const lineBytes = 40 * 1024 * 1024;
    const big = join(dir, 'huge-message.jsonl');
    const [head, tail] = lines[1]!.split('"hi from b"') as [string, string];
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(big);
      out.on('error', reject);
      out.write(`${lines[0]}\n${head}"`);
      const block = 'z'.repeat(1024 * 1024);
      for (let i = 0; i < lineBytes / block.length; i++) out.write(block);
      out.end(`"${tail}\n${lines[2]}\n`, resolve);
    });
    const small = await fileOf(`${withContent(JSON.stringify('w'.repeat(3 * 1024 * 1024))).join('\n')}\n`);

    const measured = await measureImport(join(dir, 'never.db'), small, big);

    expect(measured.warmUp.code, measured.warmUp.stderr).toBe(3);
    expect(measured.result.code, measured.result.stderr).toBe(3);
    expect(measured.result.stderr).toMatch(/^line 2: export\.messages\[0\]: .*over the limit of 1048576 bytes/m);
    // Reading the whole line would take at least its size (and JSON.parse as much again).
    expect(measured.growth).toBeLessThan(lineBytes / 4);
  });

  it('round-trips `export` output byte for byte through import and export on SQLite', async () => {
    const source = join(dir, 'variety.db');
    {
      await using engine = new SqliteEngine({ path: source });
      await engine.setup();
      const manager = new SessionManager({ engine });
      await seedVariety(manager, { users: 2, sessionsPerUser: 2 });
      await manager.create({
        userId: 'numbers',
        sessionId: 'exact',
        metadata: { max: Number.MAX_SAFE_INTEGER, min: Number.MIN_SAFE_INTEGER, tiny: 5e-324, big: 1.7976931348623157e308, e21: 1e21, third: 1 / 3 },
        messages: [{ role: 'user', content: 'line\nbreak\ttab \u2028 "quoted" \\ 😀 ü', metadata: { sum: 0.1 + 0.2, neg: -1.5e-7 } }],
      });
    }
    const first = await runBin(['export', `sqlite:${source}`]);
    expect(first.code, first.stderr).toBe(0);
    const target = join(dir, 'variety-copy.db');

    const imported = await runBin(['import', `sqlite:${target}`, await fileOf(first.stdout)]);
    const second = await runBin(['export', `sqlite:${target}`]);

    expect(imported.code, imported.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(Buffer.from(second.stdout).equals(Buffer.from(first.stdout))).toBe(true);
    expect(first.stdout).toContain('"max":9007199254740991');
  });
});

describe('parseExportLine, for callers that read export lines themselves', () => {
  it('refuses the same inexact numbers and oversized messages as the import command', () => {
    expect(() => parseExportLine(withMetadata('{"n":9007199254740993}')[1]!)).toThrow(ValidationError);
    expect(() => parseExportLine(withContent(JSON.stringify('x'.repeat(2000)))[1]!, { maxMessageBytes: 1000 })).toThrow(/over the limit of 1000/);
    expect(parseExportLine(lines[1]!)?.messages).toHaveLength(2);
  });
});

interface Measured {
  warmUp: { code: number; stderr: string };
  result: { code: number; stderr: string };
  /** Peak resident memory during the measured import, over what the process held before it. */
  growth: number;
}

/**
 * Runs `sessions import` in a fresh Node process: once on `warmUp` (so modules are loaded and
 * the heap is sized before measuring), then on `file`, and reports the peak RSS growth of the
 * second run (process.resourceUsage().maxRSS, with process.memoryUsage().rss sampled as well).
 */
async function measureImport(target: string, warmUp: string, file: string): Promise<Measured> {
  const cli = new URL('../dist/index.js', import.meta.url).href;
  const script = `
    import { PassThrough, Readable } from 'node:stream';
    const { runCli } = await import(${JSON.stringify(cli)});
    const run = async (file) => {
      const stderr = new PassThrough();
      let text = '';
      stderr.on('data', (chunk) => (text += chunk));
      const code = await runCli(['import', ${JSON.stringify(`sqlite:${target}`)}, file], { stdin: Readable.from([]), stdout: new PassThrough(), stderr, env: {} });
      return { code, stderr: text };
    };
    const warmUp = await run(${JSON.stringify(warmUp)});
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const result = await run(${JSON.stringify(file)});
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    process.stdout.write(JSON.stringify({ warmUp, result, growth: peak - before }));
  `;
  const path = join(dir, 'measure.mjs');
  await writeFile(path, script);
  return await new Promise<Measured>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the measuring process exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as Measured);
    });
  });
}
