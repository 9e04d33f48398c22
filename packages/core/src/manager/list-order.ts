import { ValidationError } from '../errors.js';
import { isPlainObject } from '../json.js';
import { LIST_ORDER_FIELDS, type ListOrder } from './cursor.js';
import type { Check } from '../input/shape.js';

/** `orderBy` of `list`: one `{ field, direction }`, or the engine's array form with one term (`[desc('updatedAt')]`). */
export const listOrder: Check<ListOrder> = (value, path) => {
  const order: unknown = Array.isArray(value) && value.length === 1 ? value[0] : value;
  const known = isPlainObject(order) && LIST_ORDER_FIELDS.includes(order['field'] as ListOrder['field']);
  if (!known || (order['direction'] !== 'asc' && order['direction'] !== 'desc')) {
    throw new ValidationError(`orderBy is { field: ${LIST_ORDER_FIELDS.map((f) => `'${f}'`).join(' | ')}, direction: 'asc' | 'desc' }`, { path });
  }
  return order as unknown as ListOrder;
};
