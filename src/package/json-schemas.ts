/**
 * Our JSON Schemas (draft 2020-12, in `schemas/`), compiled once on first use with ajv. Patterns follow Python
 * `re` semantics (see python-regexp.ts) because the reference validates with Python's jsonschema.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import { pythonRegExp } from './python-regexp.js';

export type SchemaName = 'manifest' | 'entity' | 'edge' | 'tag' | 'affordance';

/** The first rule the value breaks. */
export interface SchemaViolation {
  /** JSON pointer of the offending value (`/` for the root). */
  pointer: string;
  /** The JSON-Schema keyword (`pattern`, `required`, `additionalProperties`, ...). */
  rule: string;
  /** `/ruleset_version: must match pattern "^…$" (pattern)`. */
  message: string;
}

const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);
const Ajv2020 = Ajv2020Module.default;
let ajv: InstanceType<typeof Ajv2020> | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  const cached = compiled.get(name);
  if (cached) return cached;
  ajv ??= new Ajv2020({ strict: true, allowUnionTypes: true, code: { regExp: pythonRegExp } });
  const schema = JSON.parse(readFileSync(new URL(`${name}.schema.json`, SCHEMA_DIR), 'utf8')) as object;
  const validate = ajv.compile(schema);
  compiled.set(name, validate);
  return validate;
}

/** Validates plain JS values (see `toPlain`); returns the first violation, or null when the value is valid. */
export function checkSchema(name: SchemaName, value: unknown): SchemaViolation | null {
  const validate = validator(name);
  if (validate(value)) return null;
  const error = validate.errors?.[0];
  if (!error) return { pointer: '/', rule: 'unknown', message: '/: invalid' };
  return describe(error);
}

function describe(error: ErrorObject): SchemaViolation {
  const pointer = error.instancePath === '' ? '/' : error.instancePath;
  let detail = error.message ?? 'is invalid';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    detail += ` ('${params.additionalProperty}')`;
  } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    detail += `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { pointer, rule: error.keyword, message: `${pointer}: ${detail} (${error.keyword})` };
}
