import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a tiny third-party package into `dir` (in a temp folder, never in the repository) that depends on
 * @sessions/core and @sessions/conformance by registry ranges and tests with vitest, as an example adapter does: it
 * proves the examples loop while examples/ is empty. It checks only what an install must give, not the suite's API.
 */
export function writePlaceholderExample(dir, vitestRange) {
  mkdirSync(join(dir, 'test'), { recursive: true });
  const manifest = {
    name: 'placeholder-adapter',
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: { test: 'vitest run' },
    dependencies: { '@sessions/core': '^0.1.0' },
    devDependencies: { '@sessions/conformance': '^0.1.0', vitest: vitestRange },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(dir, 'test', 'installed.test.ts'),
    `import { MemoryEngine } from '@sessions/core';
import * as conformance from '@sessions/conformance';
import { expect, it } from 'vitest';

it('uses @sessions/core and @sessions/conformance from the packed tarballs', async () => {
  expect(typeof conformance.runConformance).toBe('function');
  await using engine = new MemoryEngine();
  await engine.setup();
  expect(engine).toBeInstanceOf(MemoryEngine);
});
`,
  );
}
