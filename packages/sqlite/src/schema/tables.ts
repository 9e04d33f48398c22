import { LeaseModel, MessageModel, SessionModel, type ModelDefinition } from '@sessions/core/engine';

/** Unquoted table names for one engine, after its `tablePrefix`. */
export interface TableNames {
  readonly sessions: string;
  readonly messages: string;
  readonly leases: string;
  /** One row per applied schema version. */
  readonly schemaVersion: string;
}

export function tableNames(prefix: string): TableNames {
  return Object.freeze({
    sessions: prefix + SessionModel.name,
    messages: prefix + MessageModel.name,
    leases: prefix + LeaseModel.name,
    schemaVersion: `${prefix}sessions_schema_version`,
  });
}

/** The models this engine stores, each with its table. */
export function storedModels(tables: TableNames): ReadonlyArray<readonly [ModelDefinition, string]> {
  return [
    [SessionModel, tables.sessions],
    [MessageModel, tables.messages],
    [LeaseModel, tables.leases],
  ];
}
