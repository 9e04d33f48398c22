import { ValidationError } from '../errors.js';
import { assertStorableString, describeType, isPlainObject } from '../json.js';
import type { FieldDefinition, ModelDefinition } from '../models/model.js';
import { modelDefinition, type ModelName } from '../models/records.js';
import { SessionModel } from '../models/session-model.js';
import { parseLikePattern } from './like.js';
import type { FilterTarget, Operand, ResolvedFilter, ResolvedOrderTerm } from './resolved.js';
import type { Filter } from './types.js';

/** The largest filter accepted (nesting depth, nodes, list sizes): a bigger one is a `ValidationError`. */
export const FILTER_LIMITS = Object.freeze({
  maxDepth: 16,
  maxNodes: 1_000,
  maxListLength: 1_000,
  maxStringLength: 65_536,
  maxPathDepth: 8,
});

const PATH_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']);
const ORDERING = new Set(['gt', 'gte', 'lt', 'lte']);
const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'inArray', 'notInArray', 'isNull', 'isNotNull', 'and', 'or', 'not'];

interface Walk {
  nodes: number;
}

/**
 * Checks a filter (built with the builders or parsed JSON) against a model and returns the
 * form adapters compile. Unknown fields or operators, wrong value types and over-deep
 * nesting throw a `ValidationError` before anything reaches a store.
 */
export function resolveFilter(filter: unknown, model: ModelDefinition, path = 'where'): ResolvedFilter {
  return resolveNode(filter, model, path, 0, { nodes: 0 });
}

function resolveNode(node: unknown, model: ModelDefinition, path: string, depth: number, walk: Walk): ResolvedFilter {
  if (depth > FILTER_LIMITS.maxDepth) throw new ValidationError(`filters nest deeper than ${FILTER_LIMITS.maxDepth} levels`, { path });
  if (++walk.nodes > FILTER_LIMITS.maxNodes) throw new ValidationError(`a filter has more than ${FILTER_LIMITS.maxNodes} nodes`, { path });
  if (!isPlainObject(node)) throw new ValidationError(`expected a filter object like { op: 'eq', field, value }, got ${describeType(node)}`, { path });
  const op = node['op'];
  if (typeof op !== 'string' || !OPERATORS.includes(op)) {
    throw new ValidationError(`unknown filter operator ${JSON.stringify(op)}; use one of ${OPERATORS.join(', ')}`, { path: `${path}.op` });
  }
  assertNodeKeys(node, op, path);
  switch (op) {
    case 'and':
    case 'or': {
      const filters = node['filters'];
      if (!Array.isArray(filters)) throw new ValidationError(`${op} needs "filters": an array of filters`, { path: `${path}.filters` });
      if (filters.length === 0) return { kind: 'constant', value: op === 'and' };
      return { kind: op, filters: filters.map((child, i) => resolveNode(child, model, `${path}.filters[${i}]`, depth + 1, walk)) };
    }
    case 'not':
      return { kind: 'not', filter: resolveNode(node['filter'], model, `${path}.filter`, depth + 1, walk) };
    case 'isNull':
    case 'isNotNull':
      return { kind: 'null', negated: op === 'isNotNull', target: resolveTarget(node['field'], model, `${path}.field`) };
    case 'like':
    case 'ilike': {
      const target = resolveTarget(node['field'], model, `${path}.field`);
      if (target.kind === 'column' && target.type !== 'string') {
        throw new ValidationError(`${op} works on text; ${target.field} is ${target.type === 'integer' ? 'a number' : 'a timestamp'}`, { path });
      }
      const pattern = node['value'];
      if (typeof pattern !== 'string') throw new ValidationError(`${op} needs a string pattern, got ${describeType(pattern)}`, { path: `${path}.value` });
      checkString(pattern, `${path}.value`);
      return { kind: 'like', caseInsensitive: op === 'ilike', target, pattern, tokens: parseLikePattern(pattern) };
    }
    case 'inArray':
    case 'notInArray': {
      const target = resolveTarget(node['field'], model, `${path}.field`);
      const values = node['values'];
      if (!Array.isArray(values)) throw new ValidationError(`${op} needs "values": an array`, { path: `${path}.values` });
      if (values.length > FILTER_LIMITS.maxListLength) {
        throw new ValidationError(`${op} takes at most ${FILTER_LIMITS.maxListLength} values`, { path: `${path}.values` });
      }
      const operands = values.map((value, i) => resolveOperand(value, target, model, `${path}.values[${i}]`, op));
      const firstType = operands[0]?.type;
      if (operands.some((operand) => operand.type !== firstType)) {
        throw new ValidationError(`${op} values must all have one type`, { path: `${path}.values` });
      }
      if (operands.length === 0) return op === 'inArray' ? { kind: 'constant', value: false } : { kind: 'null', negated: true, target };
      return { kind: 'in', negated: op === 'notInArray', target, operands };
    }
    default: {
      if (!COMPARISONS.has(op)) throw new ValidationError(`unknown filter operator ${JSON.stringify(op)}`, { path });
      const target = resolveTarget(node['field'], model, `${path}.field`);
      const operand = resolveOperand(node['value'], target, model, `${path}.value`, op);
      if (ORDERING.has(op) && operand.type === 'boolean') {
        throw new ValidationError(`${op} cannot order booleans; use eq or ne`, { path: `${path}.value` });
      }
      return { kind: 'compare', op: op as 'eq', target, operand };
    }
  }
}

/** The keys each kind of node has besides `op`: a stray key (a `value` on `isNull`) is a mistake worth naming. */
function nodeKeys(op: string): readonly string[] {
  switch (op) {
    case 'and':
    case 'or':
      return ['filters'];
    case 'not':
      return ['filter'];
    case 'isNull':
    case 'isNotNull':
      return ['field'];
    case 'inArray':
    case 'notInArray':
      return ['field', 'values'];
    default:
      return ['field', 'value'];
  }
}

function assertNodeKeys(node: Record<string, unknown>, op: string, path: string): void {
  const allowed = nodeKeys(op);
  for (const key of Object.keys(node)) {
    if (key !== 'op' && !allowed.includes(key)) {
      throw new ValidationError(`${op} takes ${allowed.map((name) => `"${name}"`).join(' and ')}, not ${JSON.stringify(key)}`, { path });
    }
  }
}

function resolveTarget(field: unknown, model: ModelDefinition, path: string): FilterTarget {
  if (typeof field !== 'string') throw new ValidationError(`expected a field name, got ${describeType(field)}`, { path });
  const definition = Object.hasOwn(model.fields, field) ? model.fields[field] : undefined;
  if (definition) {
    if (definition.type === 'json') {
      throw new ValidationError(
        model.filterableJsonField === field ? `filter on a path inside ${field}, e.g. "${field}.channel"` : `${field} is not filterable`,
        { path },
      );
    }
    return { kind: 'column', field, column: definition.column, type: definition.type };
  }
  const jsonField = model.filterableJsonField;
  if (jsonField && field.startsWith(`${jsonField}.`)) {
    const segments = field.slice(jsonField.length + 1).split('.');
    if (segments.length > FILTER_LIMITS.maxPathDepth) throw new ValidationError(`paths are at most ${FILTER_LIMITS.maxPathDepth} levels deep`, { path });
    for (const segment of segments) {
      if (!PATH_SEGMENT.test(segment)) {
        throw new ValidationError(`path segment ${JSON.stringify(segment)} must be 1-128 letters, digits, "_" or "-"`, { path });
      }
    }
    const column = (model.fields[jsonField] as FieldDefinition).column;
    return { kind: 'jsonPath', field: jsonField, column, path: segments };
  }
  const known = Object.keys(model.fields).filter((name) => model.fields[name]!.type !== 'json');
  throw new ValidationError(
    `unknown field ${JSON.stringify(field)} on ${model.name}; use one of ${known.join(', ')}${jsonField ? ` or ${jsonField}.<path>` : ''}`,
    { path },
  );
}

function resolveOperand(value: unknown, target: FilterTarget, model: ModelDefinition, path: string, op: string): Operand {
  if (value === null || value === undefined) {
    throw new ValidationError(`${op} cannot compare with ${value}: use isNull or isNotNull`, { path });
  }
  if (target.kind === 'jsonPath') {
    if (typeof value === 'string') {
      checkString(value, path);
      return { type: 'string', value };
    }
    if (typeof value === 'number') return { type: 'number', value: finite(value, path) };
    if (typeof value === 'boolean') return { type: 'boolean', value };
    throw new ValidationError(`${target.field} paths compare with strings, numbers or booleans, got ${describeType(value)}`, { path });
  }
  switch (target.type) {
    case 'string': {
      if (typeof value !== 'string') throw new ValidationError(`${target.field} is text; got ${describeType(value)}`, { path });
      checkString(value, path);
      const allowed = (model.fields[target.field] as FieldDefinition).values;
      if (allowed && !allowed.includes(value)) {
        throw new ValidationError(`${target.field} is one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(value)}`, { path });
      }
      return { type: 'string', value };
    }
    case 'integer':
      if (typeof value !== 'number') throw new ValidationError(`${target.field} is a number; got ${describeType(value)}`, { path });
      return { type: 'number', value: finite(value, path) };
    case 'timestamp':
      return { type: 'timestamp', value: toDate(value, target.field, path) };
  }
}

function toDate(value: unknown, field: string, path: string): Date {
  const date = value instanceof Date ? value : typeof value === 'string' && isCalendarInstant(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new ValidationError(`${field} is a timestamp; give a Date or an ISO 8601 string with a time zone, got ${describeType(value)}`, { path });
  }
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) throw new ValidationError(`timestamps are between the years 1 and 9999, got ${date.toISOString()}`, { path });
  return new Date(date.getTime());
}

/** An ISO instant whose date exists: `2026-02-30T00:00Z` would silently become March 2. */
function isCalendarInstant(value: string): boolean {
  if (!ISO_INSTANT.test(value)) return false;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  return calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function finite(value: number, path: string): number {
  if (!Number.isFinite(value)) throw new ValidationError(`${value} is not a finite number`, { path });
  return value;
}

function checkString(value: string, path: string): void {
  if (value.length > FILTER_LIMITS.maxStringLength) {
    throw new ValidationError(`filter strings are at most ${FILTER_LIMITS.maxStringLength} characters`, { path });
  }
  assertStorableString(value, path);
}

/**
 * Checks an `orderBy` against the model and appends the primary key (ascending) so ties
 * are broken the same way on every backend. Nulls sort first ascending, last descending.
 */
export function resolveOrderBy(orderBy: unknown, model: ModelDefinition, path = 'orderBy'): ResolvedOrderTerm[] {
  const terms = orderBy === undefined ? [] : orderBy;
  if (!Array.isArray(terms)) throw new ValidationError(`expected an array of { field, direction }, got ${describeType(terms)}`, { path });
  const resolved: ResolvedOrderTerm[] = [];
  terms.forEach((term: unknown, i) => {
    const termPath = `${path}[${i}]`;
    if (!isPlainObject(term)) throw new ValidationError(`expected { field, direction }, got ${describeType(term)}`, { path: termPath });
    const { field, direction = 'asc' } = term as { field?: unknown; direction?: unknown };
    if (direction !== 'asc' && direction !== 'desc') throw new ValidationError(`direction is "asc" or "desc"`, { path: `${termPath}.direction` });
    const definition = typeof field === 'string' && Object.hasOwn(model.fields, field) ? model.fields[field] : undefined;
    if (!definition || definition.type === 'json') {
      throw new ValidationError(`cannot order ${model.name} by ${JSON.stringify(field)}: use a model field that is not JSON`, { path: `${termPath}.field` });
    }
    if (resolved.some((existing) => existing.field === field)) return;
    resolved.push({ field: field as string, column: definition.column, type: definition.type, direction });
  });
  for (const key of model.primaryKey) {
    if (resolved.some((existing) => existing.field === key)) continue;
    const definition = model.fields[key]!;
    resolved.push({ field: key, column: definition.column, type: definition.type as 'string', direction: 'asc' });
  }
  return resolved;
}

/**
 * Validates untrusted JSON (an object, or its text) as a filter on `model` (sessions by default).
 *
 * @example
 * const where = parseFilter(request.query.where) // throws ValidationError on anything unexpected
 */
export function parseFilter(json: unknown, model: ModelDefinition | ModelName = SessionModel): Filter {
  const definition = isModelDefinition(model) ? model : modelDefinition(model);
  const value = typeof json === 'string' ? parseJsonText(json) : json;
  resolveFilter(value, definition);
  return value as Filter;
}

function isModelDefinition(model: unknown): model is ModelDefinition {
  return isPlainObject(model) && typeof model['name'] === 'string' && isPlainObject(model['fields']);
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(`the filter is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}
