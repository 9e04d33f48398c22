import type { ModelDefinition } from '@sessions/core/engine';
import { prepared, type Statement } from '../executor.js';
import { column } from '../sql/identifiers.js';

/** Hands out `$n` placeholders by name; the same name always gets the same number. */
export class Placeholders {
  readonly names: string[] = [];

  /** The placeholder for `name`, cast to `type` when given. */
  at(name: string, type?: string): string {
    let index = this.names.indexOf(name);
    if (index === -1) index = this.names.push(name) - 1;
    return type ? `$${index + 1}::${type}` : `$${index + 1}`;
  }
}

/** A prepared statement whose parameters are given by name. */
export interface NamedStatement {
  readonly statement: Statement;
  readonly names: readonly string[];
}

export function build(render: (p: Placeholders) => string): NamedStatement {
  const placeholders = new Placeholders();
  const text = render(placeholders).replace(/\n\s*/g, ' ').trim();
  return Object.freeze({ statement: prepared(text), names: Object.freeze(placeholders.names) });
}

export function bind(named: NamedStatement, values: object): unknown[] {
  const byName = values as Readonly<Record<string, unknown>>;
  return named.names.map((name) => {
    if (!(name in byName)) throw new TypeError(`no value for the statement parameter ${name}`);
    return byName[name];
  });
}

/** `"user_id" = $a AND "session_id" = $b`: the session key of any of the models, of the table `alias` when given. */
export function keyCondition(model: ModelDefinition, p: Placeholders, alias?: string): string {
  const of = alias ? `${alias}.` : '';
  return `${of}${column(model, 'userId')} = ${p.at('userId', 'text')} AND ${of}${column(model, 'sessionId')} = ${p.at('sessionId', 'text')}`;
}
