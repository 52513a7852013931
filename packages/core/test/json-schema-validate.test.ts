import { describe, expect, it } from 'vitest';
import { ConfigurationError, checkSchema, toJsonSchema, validateJsonSchema } from '../src/index.js';

/** The ten cases the hand-written validator accepted (issue 21, point 5): each value is invalid. */
const INVALID_CASES: Array<[string, Record<string, unknown>, unknown, RegExp]> = [
  [
    '$ref to $defs',
    { $defs: { point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } }, $ref: '#/$defs/point' },
    12345,
    /expected object, got integer/,
  ],
  ['$ref inside properties', { $defs: { id: { type: 'string' } }, type: 'object', properties: { id: { $ref: '#/$defs/id' } } }, { id: 7 }, /^id: expected string, got integer$/],
  ['pattern', { type: 'string', pattern: '^[a-z]+$' }, 'ABC', /must match the pattern \^\[a-z\]\+\$/],
  ['format email', { type: 'string', format: 'email' }, 'not an email', /must be a valid email/],
  ['format date', { type: 'object', properties: { on: { type: 'string', format: 'date' } } }, { on: '2024-13-45' }, /^on: must be a valid date/],
  ['uniqueItems', { type: 'array', uniqueItems: true }, [1, 2, 1], /must not contain duplicates \(items 0 and 2 are equal\)/],
  ['exclusiveMinimum', { type: 'number', exclusiveMinimum: 0 }, 0, /less than/],
  ['multipleOf', { type: 'integer', multipleOf: 5 }, 12, /not a multiple of 5/],
  ['not', { not: { type: 'string' } }, 'text', /must not match the excluded shape/],
  ['if/then', { if: { properties: { kind: { const: 'a' } } }, then: { required: ['a'] } }, { kind: 'a' }, /^a: is required$/],
];

describe('validateJsonSchema (@cfworker/json-schema)', () => {
  it.each(INVALID_CASES)('rejects what the earlier validator let through: %s', (_name, schema, value, issue) => {
    const issues = validateJsonSchema(schema, value);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.join('\n')).toMatch(issue);
  });

  it('accepts valid values for $ref/$defs (recursive too), pattern, format, uniqueItems', () => {
    const tree = {
      $defs: { node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['name'] } },
      $ref: '#/$defs/node',
    };
    expect(validateJsonSchema(tree, { name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] })).toEqual([]);
    expect(validateJsonSchema(tree, { name: 'a', children: [{ children: [] }] })).toEqual(['children[0].name: is required']);
    expect(validateJsonSchema({ type: 'string', pattern: '^[a-z]+$' }, 'abc')).toEqual([]);
    expect(validateJsonSchema({ type: 'string', format: 'date-time' }, '2024-05-06T07:08:09Z')).toEqual([]);
    expect(validateJsonSchema({ type: 'array', uniqueItems: true }, [1, '1', { a: 1 }, { a: 2 }])).toEqual([]);
    // draft-07 `definitions` and OpenAPI's `nullable`, which callers already use.
    expect(validateJsonSchema({ definitions: { n: { type: 'integer' } }, $ref: '#/definitions/n' }, 3)).toEqual([]);
    expect(validateJsonSchema({ type: 'string', nullable: true }, null)).toEqual([]);
  });

  it('reports every issue with its path and what failed, prefixed by `path`', () => {
    const schema = {
      type: 'object',
      properties: {
        items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } },
        status: { enum: ['open', 'closed'] },
      },
      required: ['items', 'total'],
      additionalProperties: false,
    };
    const issues = validateJsonSchema(schema, { items: [{ n: 1 }, { n: 'two' }, {}], status: 'gone', extra: true }, 'answer');
    expect(issues).toEqual(
      expect.arrayContaining([
        'answer.total: is required',
        'answer.items[1].n: expected integer, got string',
        'answer.items[2].n: is required',
        'answer.status: must be one of "open", "closed"',
        'answer.extra: is not allowed (the schema lists the allowed properties)',
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('refuses schemas over the size, depth and subschema limits with a ConfigurationError naming the limit', () => {
    const wide = { anyOf: Array.from({ length: 10_001 }, (_, index) => ({ const: `v${index}` })) };
    let deep: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 70; level++) deep = { type: 'array', items: deep };
    const large = { type: 'string', description: 'x'.repeat(2 * 1024 * 1024) };
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [wide, 'json-schema-too-complex', /more than 10,000 subschemas \(limit maxSubschemas/],
      [deep, 'json-schema-too-deep', /more than 64 levels of subschemas \(limit maxDepth\)/],
      [large, 'json-schema-too-large', /more than 1,048,576 bytes \(limit maxBytes\)/],
    ];
    for (const [schema, code, message] of cases) {
      const error = (() => {
        try {
          validateJsonSchema(schema, 'x');
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(ConfigurationError.isInstance(error), code).toBe(true);
      expect((error as ConfigurationError).code).toBe(code);
      expect((error as Error).message).toMatch(message);
      // The prompt builder calls toJsonSchema first: the run fails before any model call.
      expect(() => toJsonSchema(schema)).toThrow(message);
    }
    expect(() => validateJsonSchema({ type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } }, [], '', { limits: { maxSubschemas: 3 } })).toThrow(
      /more than 3 subschemas/,
    );
  });

  it('refuses a $ref to nothing and a pattern that is not a regular expression', () => {
    expect(() => validateJsonSchema({ $ref: '#/$defs/missing' }, 1)).toThrow(/points at nothing/);
    expect(() => validateJsonSchema({ $ref: 'https://example.com/schema.json' }, 1)).toThrow(/only references inside the schema/);
    expect(() => validateJsonSchema({ type: 'string', pattern: '([a-z' }, 'a')).toThrow(/not a valid regular expression/);
  });

  it('bounds the work of one validation whatever the schema shape (anyOf fan-out, $ref graphs, uniqueItems)', () => {
    // 1,000 anyOf options against 5,000 items would be 5 million evaluations (the budget is 1 million).
    const fanOut = { type: 'array', items: { anyOf: Array.from({ length: 1_000 }, (_, index) => ({ const: index })) } };
    const items = Array.from({ length: 5_000 }, () => 999);
    expect(validateJsonSchema(fanOut, items)).toEqual([expect.stringMatching(/too large to check against the schema \(more than 1,000,000 checks\); return a smaller value/)]);
    expect(validateJsonSchema(fanOut, items.slice(0, 100))).toEqual([]);
    // A $ref graph that doubles at each level: 2^30 evaluations for one small value.
    const defs: Record<string, unknown> = { d30: { type: 'integer' } };
    for (let level = 29; level >= 0; level--) defs[`d${level}`] = { allOf: [{ $ref: `#/$defs/d${level + 1}` }, { $ref: `#/$defs/d${level + 1}` }] };
    expect(validateJsonSchema({ $defs: defs, $ref: '#/$defs/d0' }, 1, '', { limits: { maxEvaluations: 100_000 } })).toEqual([
      expect.stringMatching(/too large to check against the schema \(more than 100,000 checks\)/),
    ]);
    // uniqueItems compares every pair: long arrays are refused before the check.
    expect(validateJsonSchema({ type: 'array', uniqueItems: true }, Array.from({ length: 20_000 }, (_, index) => index))[0]).toMatch(
      /array of 20,000 items, too long to check for unique items \(at most 10,000\)/,
    );
    // format "url": the validator's own regex backtracks exponentially; checked in linear time instead.
    const hostile = `http://${'a'.repeat(5_000)} x`;
    expect(validateJsonSchema({ type: 'string', format: 'url' }, hostile)).toEqual([expect.stringMatching(/must be a valid uri/)]);
    expect(validateJsonSchema({ type: 'string', format: 'url' }, 'https://example.com/a?b=1')).toEqual([]);
    expect(validateJsonSchema({ type: 'string', format: 'url' }, 'mailto:someone@example.com')[0]).toMatch(/pattern/);
  });

  it('checkSchema keeps its contract for JSON Schemas', async () => {
    const schema = { $defs: { p: { type: 'object', required: ['x'] } }, $ref: '#/$defs/p' };
    expect(await checkSchema(schema, { x: 1 })).toEqual({ ok: true, value: { x: 1 } });
    expect(await checkSchema(schema, 12345)).toEqual({ ok: false, issues: ['expected object, got integer'] });
  });
});
