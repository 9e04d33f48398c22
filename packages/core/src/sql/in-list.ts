import type { FilterTarget, Operand } from '../filter/resolved.js';
import type { Bind, SqlDialect } from './dialect.js';

/** `value [NOT] IN (operand, ...)`, each operand written by the dialect. */
export function sqlInList<P>(
  dialect: SqlDialect<P>,
  value: string,
  operands: readonly Operand[],
  negated: boolean,
  target: FilterTarget,
  bind: Bind<P>,
): string {
  const list = operands.map((operand) => dialect.operand(operand, target, bind)).join(', ');
  return `${value} ${negated ? 'NOT IN' : 'IN'} (${list})`;
}
