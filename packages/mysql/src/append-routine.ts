import { MessageModel, type FieldDefinition } from '@sessions/core/engine';
import { NOW_MS, type Dialect } from './dialect.js';
import { select, type MysqlQueryable } from './driver.js';
import { quoteIdentifier, type Tables } from './tables.js';

/** Messages one call of the routine takes; bigger batches use the transaction of statements. */
export const ROUTINE_SLOTS = 4;

/** SQLSTATE and message the routine signals when the session is missing or expired, or the lease is not held. */
export const REJECTED_STATE = '45000';
export const REJECTED_MESSAGE = 'sessions: append rejected';

/** Message fields the routine takes per slot: all but the key and seq, which it fills in. */
export const SLOT_FIELDS: readonly string[] = Object.keys(MessageModel.fields).filter((field) => !['userId', 'sessionId', 'seq'].includes(field));

export function messageField(name: string): FieldDefinition {
  const field = MessageModel.fields[name];
  if (!field) throw new TypeError(`messages have no field ${name}`);
  return field;
}

function parameterType(field: FieldDefinition): string {
  switch (field.type) {
    case 'string':
      return `VARCHAR(${field.maxLength}) CHARACTER SET utf8mb4`;
    case 'json':
      return 'LONGTEXT CHARACTER SET utf8mb4';
    case 'integer':
    case 'timestamp':
      return 'BIGINT';
  }
}

/**
 * A stored procedure that appends up to ROUTINE_SLOTS messages in one round trip, doing inside
 * the server what the statement path does from the client: lock the session row and check the
 * lease and expiry (p_live_at, the caller's clock) in one SELECT ... FOR UPDATE, reserve seq, insert, commit. Any error rolls the whole
 * transaction back before it reaches the client. SQL SECURITY INVOKER: it runs with the caller's
 * privileges, whoever created it.
 */
export function createRoutineSql(tables: Tables, dialect: Dialect): string {
  const c = dialect.collation;
  const column = (field: string) => quoteIdentifier(messageField(field).column);
  const slotParameter = (slot: number, field: string) => `m${slot}_${messageField(field).column}`;
  const parameters = [
    'IN p_user_id VARCHAR(255) CHARACTER SET utf8mb4',
    'IN p_session_id VARCHAR(255) CHARACTER SET utf8mb4',
    'IN p_owner VARCHAR(255) CHARACTER SET utf8mb4',
    'IN p_token BIGINT',
    'IN p_count INT',
    'IN p_latest BIGINT',
    'IN p_live_at BIGINT',
  ];
  for (let slot = 1; slot <= ROUTINE_SLOTS; slot++) {
    for (const field of SLOT_FIELDS) parameters.push(`IN ${slotParameter(slot, field)} ${parameterType(messageField(field))}`);
  }
  const key = `user_id = p_user_id COLLATE ${c} AND session_id = p_session_id COLLATE ${c}`;
  const insertColumns = ['user_id', 'session_id', 'seq', ...SLOT_FIELDS.map(column)].join(', ');
  const inserts: string[] = [];
  for (let slot = 1; slot <= ROUTINE_SLOTS; slot++) {
    const values = ['p_user_id', 'p_session_id', `v_last_seq + ${slot}`, ...SLOT_FIELDS.map((field) => slotParameter(slot, field))].join(', ');
    const insert = `INSERT INTO ${tables.messages} (${insertColumns}) VALUES (${values});`;
    inserts.push(slot === 1 ? `  ${insert}` : `  IF p_count >= ${slot} THEN ${insert} END IF;`);
  }
  return `CREATE PROCEDURE ${tables.appendRoutine}(
  ${parameters.join(',\n  ')}
)
SQL SECURITY INVOKER
MODIFIES SQL DATA
BEGIN
  DECLARE v_last_seq BIGINT DEFAULT NULL;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  START TRANSACTION;
  SELECT last_seq INTO v_last_seq FROM ${tables.sessions}
    WHERE ${key} AND (p_live_at IS NULL OR expires_at IS NULL OR expires_at > p_live_at) AND (p_owner IS NULL OR EXISTS (
      SELECT 1 FROM ${tables.leases} WHERE ${key} AND owner = p_owner COLLATE ${c} AND token = p_token AND expires_at > ${NOW_MS} LOCK IN SHARE MODE))
    FOR UPDATE;
  IF v_last_seq IS NULL THEN
    SIGNAL SQLSTATE '${REJECTED_STATE}' SET MESSAGE_TEXT = '${REJECTED_MESSAGE}';
  END IF;
  UPDATE ${tables.sessions} SET last_seq = v_last_seq + p_count, message_count = message_count + p_count, updated_at = GREATEST(updated_at, p_latest) WHERE ${key};
${inserts.join('\n')}
  COMMIT;
  SELECT v_last_seq + p_count;
END`;
}

/** Privilege errors that mean "this user may not create routines": the engine then appends without one. */
const NOT_ALLOWED = new Set([1044, 1142, 1227, 1370, 1419]);
const ER_SP_ALREADY_EXISTS = 1304;

/**
 * Makes sure the append routine exists, creating it if needed. Returns false when the database
 * user may not create it; appends then use the transaction of statements, which needs no routine.
 */
export async function ensureAppendRoutine(connection: MysqlQueryable, tables: Tables, dialect: Dialect): Promise<boolean> {
  const name = tables.names.appendRoutine;
  const [found] = await select(
    connection,
    `SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = ? AND ROUTINE_TYPE = 'PROCEDURE'`,
    [name],
  );
  if (Number(found?.[0]) > 0) return true;
  try {
    await connection.query(createRoutineSql(tables, dialect));
    return true;
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    if (errno === ER_SP_ALREADY_EXISTS) return true;
    if (errno !== undefined && NOT_ALLOWED.has(errno)) return false;
    throw error;
  }
}

/** `CALL <routine>(?, ?, ...)` with one placeholder per parameter. */
export function callRoutineSql(tables: Tables): string {
  const count = 7 + ROUTINE_SLOTS * SLOT_FIELDS.length;
  return `CALL ${tables.appendRoutine}(${Array.from({ length: count }, () => '?').join(', ')})`;
}

export function isRejectedByRoutine(error: unknown): boolean {
  const { sqlState, sqlMessage } = (error ?? {}) as { sqlState?: string; sqlMessage?: string };
  return sqlState === REJECTED_STATE && sqlMessage === REJECTED_MESSAGE;
}

/** The routine is gone (dropped by someone) or the user may no longer run it. */
export function isRoutineUnavailable(error: unknown): boolean {
  const errno = (error as { errno?: number } | null)?.errno;
  return errno === 1305 || errno === 1370;
}
