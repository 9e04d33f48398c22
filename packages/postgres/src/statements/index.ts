import { MessageModel, SessionModel } from '@sessions/core/engine';
import { modelCodec, type ModelCodec } from '../sql/columns.js';
import type { TableNames } from '../sql/tables.js';
import { appendStatement } from './append.js';
import { acquireLeaseStatement, releaseLeaseStatement, renewLeaseStatement } from './leases.js';
import { listLeasesStatement, type ListLeasesShape } from './list-leases.js';
import { clearMessagesStatement, findMessageIdsStatement, lockSessionStatement, readMessagesStatement, truncateMessagesStatement } from './messages.js';
import type { NamedStatement } from './placeholders.js';
import {
  createSessionStatement,
  deleteExpiredStatement,
  deleteSessionStatement,
  getSessionStatement,
  updateSessionStatement,
  type UpdateShape,
} from './sessions.js';

/** Every fixed statement of one engine, rendered once for its schema and table prefix. */
export class Statements {
  readonly sessions: ModelCodec = modelCodec(SessionModel);
  readonly messages: ModelCodec = modelCodec(MessageModel);
  readonly getSession: NamedStatement;
  readonly createSession: NamedStatement;
  readonly append: Readonly<Record<'fenced' | 'unfenced', NamedStatement>>;
  /** Reads of a range: `live` returns nothing once the session expired by `liveAt`, `any` checks no expiry. */
  readonly readAscending: Readonly<Record<'live' | 'any', NamedStatement>>;
  readonly readDescending: Readonly<Record<'live' | 'any', NamedStatement>>;
  readonly lockSession: Readonly<Record<'fenced' | 'unfenced', NamedStatement>>;
  readonly clearMessages: NamedStatement;
  readonly truncateMessages: NamedStatement;
  readonly findMessageIds: NamedStatement;
  readonly deleteSession: Readonly<Record<'fenced' | 'unfenced', NamedStatement>>;
  readonly deleteExpired: NamedStatement;
  readonly acquireLease: NamedStatement;
  readonly renewLease: NamedStatement;
  readonly releaseLease: NamedStatement;
  readonly #names: TableNames;
  readonly #updates = new Map<string, NamedStatement>();
  readonly #leaseLists = new Map<string, NamedStatement>();

  constructor(names: TableNames) {
    this.#names = names;
    this.getSession = getSessionStatement(names, this.sessions);
    this.createSession = createSessionStatement(names, this.sessions, this.messages);
    this.append = { fenced: appendStatement(names, this.messages, true), unfenced: appendStatement(names, this.messages, false) };
    this.readAscending = { live: readMessagesStatement(names, this.messages, 'ASC', true), any: readMessagesStatement(names, this.messages, 'ASC', false) };
    this.readDescending = { live: readMessagesStatement(names, this.messages, 'DESC', true), any: readMessagesStatement(names, this.messages, 'DESC', false) };
    this.lockSession = { fenced: lockSessionStatement(names, true), unfenced: lockSessionStatement(names, false) };
    this.clearMessages = clearMessagesStatement(names);
    this.truncateMessages = truncateMessagesStatement(names);
    this.findMessageIds = findMessageIdsStatement(names);
    this.deleteSession = { fenced: deleteSessionStatement(names, true), unfenced: deleteSessionStatement(names, false) };
    this.deleteExpired = deleteExpiredStatement(names);
    this.acquireLease = acquireLeaseStatement(names);
    this.renewLease = renewLeaseStatement(names);
    this.releaseLease = releaseLeaseStatement(names);
  }

  /** The `updateSession` statement for a set of fields; at most 2^6 x 4 shapes, so memoised. */
  updateSession(shape: UpdateShape): NamedStatement {
    const key = `${shape.fields.join(',')}|${shape.fenced}|${shape.versioned}`;
    let statement = this.#updates.get(key);
    if (!statement) {
      statement = updateSessionStatement(this.#names, this.sessions, shape);
      this.#updates.set(key, statement);
    }
    return statement;
  }

  /** The `listLeases` statement for a set of optional conditions; at most 2^3 shapes, so memoised. */
  listLeases(shape: ListLeasesShape): NamedStatement {
    const key = `${shape.byUser}|${shape.byHeld}|${shape.after}`;
    let statement = this.#leaseLists.get(key);
    if (!statement) {
      statement = listLeasesStatement(this.#names, shape);
      this.#leaseLists.set(key, statement);
    }
    return statement;
  }
}
