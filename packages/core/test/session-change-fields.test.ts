import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index.js';
import { SESSION_CHANGE_FIELDS, UPDATABLE_FIELDS } from '../src/engine/index.js';
import { assertSessionChanges } from '../src/validate.js';

describe('SESSION_CHANGE_FIELDS', () => {
  it('is the one list updateSession validation and the generic update accept', () => {
    expect(UPDATABLE_FIELDS.sessions).toBe(SESSION_CHANGE_FIELDS);
    const everything = { title: 't', metadata: {}, state: {}, status: 'archived', expiresAt: null, updatedAt: new Date() };
    expect(Object.keys(everything).sort()).toEqual([...SESSION_CHANGE_FIELDS].sort());
    expect(() => assertSessionChanges(everything)).not.toThrow();
    expect(() => assertSessionChanges({ updatedAt: new Date(), version: 2 })).toThrow(ValidationError);
    expect(() => assertSessionChanges({ updatedAt: new Date(), version: 2 })).toThrow(`changeable: ${SESSION_CHANGE_FIELDS.join(', ')}`);
  });
});
