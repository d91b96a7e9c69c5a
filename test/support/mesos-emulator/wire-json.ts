/** A JSON value as Mesos reads and writes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object as Mesos reads and writes it. */
export type JsonObject = { [key: string]: Json };

const DOUBLE_MARK = '\u0000double:';

/** Marks a number as a protobuf double so it is written like rapidjson does (`15.0`, not `15`). */
export function double(n: number): string {
  return `${DOUBLE_MARK}${n}`;
}

/** Serialises an event or state object; doubles marked with `double()` keep a `.0` when integral. */
export function stringifyWire(value: unknown): string {
  const text = JSON.stringify(value);
  return text.replace(/"\\u0000double:([^"]+)"/g, (_m, n: string) => {
    const num = Number(n);
    if (!Number.isFinite(num)) return JSON.stringify(n);
    return Number.isInteger(num) ? `${num}.0` : String(num);
  });
}

/** Whether a JSON value is a plain object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
