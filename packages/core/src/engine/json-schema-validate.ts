/** A JSON Schema object (draft-07 subset). */
export type JsonSchema = Readonly<Record<string, unknown>>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

/**
 * Validates `value` against the commonly used subset of JSON Schema: `type` (or a list of types),
 * `enum`, `const`, `properties`, `required`, `additionalProperties`, `items`, `minItems`/`maxItems`,
 * `minLength`/`maxLength`, `minimum`/`maximum`, `anyOf`/`oneOf`/`allOf`, `nullable`. Returns issues,
 * each prefixed with the path of the offending value; an empty list means valid.
 */
export function validateJsonSchema(schema: JsonSchema, value: unknown, path = ''): string[] {
  const at = path === '' ? '' : `${path}: `;
  const issues: string[] = [];
  const actual = typeOf(value);
  if (schema.nullable === true && value === null) return issues;
  const type = schema.type as string | string[] | undefined;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    if (!types.some((expected) => matchesType(expected, actual))) {
      return [`${at}expected ${types.join(' or ')}, got ${actual}`];
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    issues.push(`${at}must be one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}`);
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) issues.push(`${at}must be ${JSON.stringify(schema.const)}`);
  if (actual === 'string') {
    const text = value as string;
    if (typeof schema.minLength === 'number' && text.length < schema.minLength) issues.push(`${at}must have at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === 'number' && text.length > schema.maxLength) issues.push(`${at}must have at most ${schema.maxLength} characters`);
  }
  if (actual === 'number' || actual === 'integer') {
    const number = value as number;
    if (typeof schema.minimum === 'number' && number < schema.minimum) issues.push(`${at}must be ≥ ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && number > schema.maximum) issues.push(`${at}must be ≤ ${schema.maximum}`);
  }
  if (actual === 'array') {
    const items = value as unknown[];
    if (typeof schema.minItems === 'number' && items.length < schema.minItems) issues.push(`${at}must have at least ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && items.length > schema.maxItems) issues.push(`${at}must have at most ${schema.maxItems} items`);
    if (typeof schema.items === 'object' && schema.items !== null && !Array.isArray(schema.items)) {
      items.forEach((item, index) => issues.push(...validateJsonSchema(schema.items as JsonSchema, item, `${path}[${index}]`)));
    }
  }
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in record)) issues.push(`${path === '' ? '' : `${path}.`}${key}: is required`);
    }
    for (const [key, child] of Object.entries(record)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (key in properties) issues.push(...validateJsonSchema(properties[key]!, child, childPath));
      else if (schema.additionalProperties === false) issues.push(`${childPath}: is not allowed`);
      else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
        issues.push(...validateJsonSchema(schema.additionalProperties as JsonSchema, child, childPath));
      }
    }
  }
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf as JsonSchema[]) issues.push(...validateJsonSchema(part, value, path));
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = schema[keyword];
    if (Array.isArray(options) && !(options as JsonSchema[]).some((option) => validateJsonSchema(option, value, path).length === 0)) {
      issues.push(`${at}does not match any allowed shape`);
    }
  }
  return issues;
}
