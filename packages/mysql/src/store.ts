import { type Message, type Session } from '@sessions/core';
import { MessageModel, SessionModel } from '@sessions/core/engine';
import type { Dialect } from './dialect.js';
import type { MysqlPool } from './driver.js';
import { rowCodec, type RowCodec } from './rows.js';
import type { Tables } from './tables.js';

/** Everything an operation needs once the engine is set up: the pool, the tables, the server's dialect. */
export interface Store {
  readonly pool: MysqlPool;
  readonly tables: Tables;
  readonly dialect: Dialect;
  readonly sessions: RowCodec<Session>;
  readonly messages: RowCodec<Message>;
  /** Whether appends may use the one-round-trip routine; turned off if it disappears. */
  readonly appendRoutine: { available: boolean };
}

export function createStore(pool: MysqlPool, tables: Tables, dialect: Dialect, appendRoutine: boolean): Store {
  return Object.freeze({
    pool,
    tables,
    dialect,
    appendRoutine: { available: appendRoutine },
    sessions: rowCodec<Session>(SessionModel),
    messages: rowCodec<Message>(MessageModel),
  });
}

/** `user_id = ? AND session_id = ?`: the session key, bound as two parameters. */
export const KEY_CONDITION = 'user_id = ? AND session_id = ?';
