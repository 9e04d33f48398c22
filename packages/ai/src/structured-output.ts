import { ValidationError } from '@sessions/core';
import { isPlainObject } from '@sessions/core/engine';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { jsonSchema, type FlexibleSchema, type JSONSchema7 } from 'ai';

const SCHEMA_MARK = Symbol.for('vercel.ai.schema');

/** What `json()` accepts: a zod (or other Standard Schema) schema, an AI SDK schema, or a plain JSON Schema object. */
export type OutputSchema<OBJECT> = FlexibleSchema<OBJECT> | JSONSchema7;

/**
 * The SDK's schema for `schema`. Zod, Standard Schema and `jsonSchema()` values pass through
 * (the SDK validates with them); a plain JSON Schema object is compiled with Ajv, so the
 * model's answer is validated against it too (the SDK's own `jsonSchema()` does not validate).
 */
export function toFlexibleSchema<OBJECT>(schema: OutputSchema<OBJECT>): FlexibleSchema<OBJECT> {
  if (typeof schema === 'function') return schema as FlexibleSchema<OBJECT>;
  if (typeof schema !== 'object' || schema === null)
    throw new ValidationError('schema must be a zod schema, an AI SDK schema or a JSON Schema object', { path: 'options.schema' });
  if (SCHEMA_MARK in schema || '~standard' in schema || '_def' in schema || '_zod' in schema) return schema as FlexibleSchema<OBJECT>;
  if (!isPlainObject(schema)) throw new ValidationError('schema must be a zod schema, an AI SDK schema or a JSON Schema object', { path: 'options.schema' });
  const validate = compile(schema as JSONSchema7);
  return jsonSchema<OBJECT>(schema as JSONSchema7, {
    validate: (value) =>
      validate(value) ? { success: true, value: value as OBJECT } : { success: false, error: new Error(`does not match the schema: ${ajvErrors(validate)}`) },
  });
}

function compile(schema: JSONSchema7): ValidateFunction {
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = draft2020 ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  try {
    return ajv.compile(schema);
  } catch (cause) {
    throw new ValidationError(`is not a valid JSON Schema: ${(cause as Error).message}`, { path: 'options.schema', cause });
  }
}

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`).join('; ');
}
