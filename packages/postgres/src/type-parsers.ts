import type { PgTypeParsers } from './pg-client.js';

const NUMBER_OIDS = new Set([
  20, // int8
  21, // int2
  23, // int4
  700, // float4
  701, // float8
  1700, // numeric
]);
const BOOLEAN_OID = 16;

const asText = (value: string): string => value;
const asNumber = (value: string): number => Number(value);
const asBoolean = (value: string): boolean => value === 't';

/**
 * The parsers every query of the engine uses, passed per query so that type parsers an
 * application installed globally on `pg` cannot change what the engine reads. JSON comes
 * back as text (parsed by the row decoders) and timestamps as epoch milliseconds.
 */
export const TYPE_PARSERS: PgTypeParsers = Object.freeze({
  getTypeParser(oid: number): (value: string) => unknown {
    if (NUMBER_OIDS.has(oid)) return asNumber;
    if (oid === BOOLEAN_OID) return asBoolean;
    return asText;
  },
});
