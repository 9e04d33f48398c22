#!/usr/bin/env node
// Calls createEngine for every URL scheme and prints one JSON line: { "<scheme>": { engine } | { error } }.
// Run it from a working directory that is not the application's (`/`, as a service manager would) to check
// that @sessions/core finds the installed adapters from its own location, whatever the layout (pnpm, npm).
//
//   node create-engine-from-anywhere.mjs <core>
//
// <core> is what to import core by: a file URL, or `@sessions/core` to resolve it from this script's folder
// (copy the script into an application to test that application's install). Exits 1 when any scheme failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [coreSpecifier = '@sessions/core'] = process.argv.slice(2);
const { createEngine } = await import(coreSpecifier);

const postgres = process.env.SESSIONS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const mysql = process.env.SESSIONS_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const redis = process.env.SESSIONS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const scratch = mkdtempSync(join(tmpdir(), 'sessions-create-engine-'));

// No setup(): building the engine is what loads the adapter and its driver; nothing is written to a server.
const urls = {
  'memory:': 'memory:',
  'sqlite:': `sqlite:${join(scratch, 'sessions.db')}`,
  'jsonl:': `jsonl:${join(scratch, 'jsonl')}`,
  'postgres:': postgres,
  'postgresql:': postgres.replace(/^postgres:/, 'postgresql:'),
  'mysql:': mysql,
  'mariadb:': mysql.replace(/^mysql:/, 'mariadb:'),
  'redis:': redis,
  'rediss:': redis.replace(/^redis:/, 'rediss:'),
};

const results = {};
for (const [scheme, url] of Object.entries(urls)) {
  try {
    const engine = await createEngine(url);
    results[scheme] = { engine: engine.constructor.name };
    await engine.close();
  } catch (error) {
    results[scheme] = { error: { name: error?.name, code: error?.code, packageName: error?.packageName, message: String(error?.message) } };
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(JSON.stringify(results));
process.exitCode = Object.values(results).some((result) => 'error' in result) ? 1 : 0;
