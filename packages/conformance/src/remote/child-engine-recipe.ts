/**
 * How a child process builds an engine on the same store as the suite's engine: it imports
 * `module`, takes its export `exportName`, and calls it with `args` (with `new` when it is a
 * class), then calls `setup()`. Everything here crosses a process boundary, so `args` must be
 * structured-cloneable (strings, numbers, plain objects, arrays, Dates): a file path, a URL, a
 * schema name, a key prefix.
 *
 * @example
 * // the engine's own class, from the built package
 * openInAnotherProcess: (engine) => ({
 *   module: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
 *   exportName: 'JsonFileEngine',
 *   args: [{ dir: (engine as JsonFileEngine).dir }],
 * })
 */
export interface ChildEngineRecipe {
  /**
   * What the child imports: an absolute file path or a `file:` URL (of built JavaScript, since the
   * child is a plain Node.js process), or a package name that resolves from `@sessions/conformance`
   * (such as `@sessions/core`).
   */
  readonly module: string;
  /** The export to call: a factory function returning an engine (or a promise of one), or an engine class. */
  readonly exportName: string;
  /** Its arguments. Default none. */
  readonly args?: readonly unknown[] | undefined;
  /** Node.js flags for the child, e.g. `['--import', 'tsx']` to load TypeScript directly. Default none. */
  readonly execArgv?: readonly string[] | undefined;
}
