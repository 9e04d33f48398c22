import { describe, expect, it } from 'vitest';
import * as root from '../src/index.js';
import * as engine from '../src/engine/index.js';

// The runtime names of each entry: a change here is a change of the public API, to be made on
// purpose (with a changeset), never as a side effect of an `export *`.
describe('the public entries', () => {
  it('@sessions/core holds the application API only', () => {
    expect(Object.keys(root).sort()).toEqual(
      [
        'AdapterNotInstalledError',
        'ConcurrentUpdateError',
        'DEFAULT_MAX_MESSAGE_BYTES',
        'EXPORT_FORMAT',
        'EXPORT_VERSION',
        'EngineClosedError',
        'FILTER_LIMITS',
        'ID_MAX_LENGTH',
        'LIST_ORDER_FIELDS',
        'LockExpiredError',
        'LockHeldError',
        'MAX_JSON_DEPTH',
        'MESSAGE_ROLES',
        'MemoryEngine',
        'MessageExistsError',
        'NotSetUpError',
        'SESSION_STATUSES',
        'STORAGE_ERROR_KINDS',
        'SchemaVersionError',
        'SessionExistsError',
        'SessionManager',
        'SessionNotFoundError',
        'SessionsError',
        'StorageError',
        'TITLE_MAX_LENGTH',
        'ValidationError',
        'and',
        'asc',
        'createEngine',
        'createMemoryStore',
        'desc',
        'eq',
        'gt',
        'gte',
        'ilike',
        'inArray',
        'isNotNull',
        'isNull',
        'like',
        'lt',
        'lte',
        'ne',
        'newMessageId',
        'newSessionId',
        'not',
        'notInArray',
        'or',
        'parseExport',
        'parseFilter',
        'redactUrl',
        'registerAdapter',
      ].sort(),
    );
  });

  it('@sessions/core/engine holds the adapter helpers, and shares no name with the root', () => {
    const helpers = ['BaseEngine', 'resolveFilter', 'matchesFilter', 'assertId', 'encodeCursor', 'setOwn', 'copyMessage', 'isExpiredAt'];
    const serverHelpers = ['abortable', 'parseConnectionUrl', 'urlSecrets', 'withDeadline', 'SocketTracker', 'ServerTimeoutError', 'systemErrorKind'];
    for (const name of [...helpers, ...serverHelpers]) {
      expect(engine, name).toHaveProperty(name);
    }
    expect(Object.keys(engine).filter((name) => name in root)).toEqual([]);
  });
});
