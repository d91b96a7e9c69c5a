import { MESSAGES, type FieldSpec } from './call-schema.js';
import { isObject, type Json, type JsonObject } from './wire-json.js';

/** A Call body converted the way stout's `protobuf::parse` does it, or the reason it failed. */
export type ParseResult = { ok: true; call: JsonObject } | { ok: false; error: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes a protobuf `bytes` value from its standard base64 JSON form; undefined when not base64. */
export function decodeBytes(text: string): Buffer | undefined {
  if (!BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64');
}

class ConvertError extends Error {}

function kindOf(value: Json): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function convertScalar(spec: FieldSpec, name: string, value: Json): Json | undefined {
  const type = spec.type;
  const wrong = (): never => {
    throw new ConvertError(`Not expecting a JSON ${kindOf(value)} for field '${name}'`);
  };
  if (typeof type === 'object' && 'enum' in type) {
    if (typeof value !== 'string') return wrong();
    if (type.enum.includes(value)) return value;
    if (spec.required) throw new ConvertError(`Failed to find enum for '${value}'`);
    return undefined;
  }
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : wrong();
    case 'bytes':
      if (typeof value !== 'string') return wrong();
      if (!decodeBytes(value)) throw new ConvertError(`Failed to base64 decode bytes field '${name}'`);
      return value;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return wrong();
    case 'double':
    case 'int': {
      if (typeof value === 'number') return value;
      if (typeof value !== 'string') return wrong();
      const n = type === 'double' && /^-?Infinity$/.test(value) ? Number(value) : Number(value.trim());
      if (value.trim() === '' || Number.isNaN(n)) throw new ConvertError(`Failed to convert '${value}' to number for field '${name}'`);
      return n;
    }
    default:
      return wrong();
  }
}

function convertValue(spec: FieldSpec, name: string, value: Json): Json | undefined {
  if (spec.type === 'opaque') {
    if (spec.map || !spec.repeated) return isObject(value) ? value : wrongKind(name, value);
    return value;
  }
  if (typeof spec.type === 'object' && 'message' in spec.type) {
    if (!isObject(value)) return wrongKind(name, value);
    if (!spec.map) return convertMessage(spec.type.message, value);
    const message = spec.type.message;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isObject(v) ? convertMessage(message, v) : wrongKind(name, v)]));
  }
  return convertScalar(spec, name, value);
}

function wrongKind(name: string, value: Json): never {
  throw new ConvertError(`Not expecting a JSON ${kindOf(value)} for field '${name}'`);
}

function convertMessage(messageName: string, object: JsonObject): JsonObject {
  const fields = MESSAGES[messageName];
  if (!fields) throw new Error(`mesos-emulator: no schema for ${messageName}`);
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(object)) {
    const spec = fields[name];
    if (!spec || value === null) continue;
    if (spec.repeated) {
      const items = Array.isArray(value) ? value : [value];
      const converted: Json[] = [];
      for (const item of items) {
        const v = convertValue(spec, name, item);
        if (v !== undefined) converted.push(v);
      }
      if (converted.length > 0) out[name] = converted;
      continue;
    }
    if (Array.isArray(value) && !spec.map) wrongKind(name, value);
    const v = convertValue(spec, name, value);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function missingFields(messageName: string, object: JsonObject, prefix: string, out: string[]): void {
  const fields = MESSAGES[messageName] ?? {};
  for (const [name, spec] of Object.entries(fields)) {
    const value = object[name];
    if (value === undefined) {
      if (spec.required) out.push(prefix + name);
      continue;
    }
    if (typeof spec.type !== 'object' || !('message' in spec.type)) continue;
    const nested = spec.type.message;
    if (spec.map && isObject(value)) {
      for (const [k, v] of Object.entries(value)) if (isObject(v)) missingFields(nested, v, `${prefix}${name}[${k}].`, out);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => isObject(item) && missingFields(nested, item, `${prefix}${name}[${i}].`, out));
    } else if (isObject(value)) {
      missingFields(nested, value, `${prefix}${name}.`, out);
    }
  }
}

/** Converts a parsed JSON body into a Call: snake_case names only, unknown fields dropped, required fields checked. */
export function parseCall(body: Json): ParseResult {
  if (!isObject(body)) return { ok: false, error: 'Expecting a JSON object' };
  try {
    const call = convertMessage('Call', body);
    const missing: string[] = [];
    missingFields('Call', call, '', missing);
    if (missing.length > 0) return { ok: false, error: `Missing required fields: ${missing.join(', ')}` };
    return { ok: true, call };
  } catch (e) {
    if (e instanceof ConvertError) return { ok: false, error: e.message };
    throw e;
  }
}
