import { double, isObject, type JsonObject } from './wire-json.js';

/** Port ranges, inclusive at both ends, as Mesos `Value.Range`. */
export type Ranges = Array<[number, number]>;

/** The resources the emulator knows by name: scalars (cpus, mem, disk, gpus) and the `ports` ranges. */
export interface Quantities {
  scalars: Record<string, number>;
  ports: Ranges;
}

const SCALARS = ['cpus', 'gpus', 'mem', 'disk'] as const;

/** Rounds like Mesos' fixed-point scalars (three decimal places). */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** No resources at all. */
export function emptyQuantities(): Quantities {
  return { scalars: {}, ports: [] };
}

function normalise(ranges: Ranges): Ranges {
  const sorted = ranges
    .filter(([b, e]) => e >= b)
    .map(([b, e]): [number, number] => [b, e])
    .sort((a, z) => a[0] - z[0]);
  const out: Ranges = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

function subtractRanges(from: Ranges, minus: Ranges): Ranges {
  let out = normalise(from);
  for (const [b, e] of minus) {
    out = out.flatMap(([x, y]): Ranges => {
      if (e < x || b > y) return [[x, y]];
      const parts: Ranges = [];
      if (b > x) parts.push([x, b - 1]);
      if (e < y) parts.push([e + 1, y]);
      return parts;
    });
  }
  return out;
}

/** a + b. */
export function add(a: Quantities, b: Quantities): Quantities {
  const scalars = { ...a.scalars };
  for (const [k, v] of Object.entries(b.scalars)) scalars[k] = round3((scalars[k] ?? 0) + v);
  return { scalars, ports: normalise([...a.ports, ...b.ports]) };
}

/** a - b (never below zero). */
export function subtract(a: Quantities, b: Quantities): Quantities {
  const scalars = { ...a.scalars };
  for (const [k, v] of Object.entries(b.scalars)) scalars[k] = Math.max(0, round3((scalars[k] ?? 0) - v));
  return { scalars, ports: subtractRanges(a.ports, b.ports) };
}

/** Whether `big` holds all of `small`. */
export function contains(big: Quantities, small: Quantities): boolean {
  for (const [k, v] of Object.entries(small.scalars)) if (round3(big.scalars[k] ?? 0) < round3(v)) return false;
  return subtractRanges(small.ports, big.ports).length === 0;
}

/** Whether anything is worth offering (Mesos' minimum allocatable: 0.01 cpus or 32 MB mem). */
export function isAllocatable(q: Quantities): boolean {
  return (q.scalars.cpus ?? 0) >= 0.01 || (q.scalars.mem ?? 0) >= 32;
}

/** Sums resource JSON objects; names the emulator cannot hold come back in `unknown`. */
export function fromResources(resources: readonly JsonObject[]): Quantities & { unknown: string[] } {
  const q: Quantities & { unknown: string[] } = { scalars: {}, ports: [], unknown: [] };
  for (const r of resources) {
    const name = String(r.name);
    const scalar = isObject(r.scalar) ? Number(r.scalar.value) : undefined;
    if ((SCALARS as readonly string[]).includes(name) && r.type === 'SCALAR' && scalar !== undefined) {
      q.scalars[name] = round3((q.scalars[name] ?? 0) + scalar);
    } else if (name === 'ports' && r.type === 'RANGES' && isObject(r.ranges) && Array.isArray(r.ranges.range)) {
      const ranges = r.ranges.range.filter(isObject).map((x): [number, number] => [Number(x.begin), Number(x.end)]);
      q.ports = normalise([...q.ports, ...ranges]);
    } else {
      q.unknown.push(name);
    }
  }
  return q;
}

/** The reservation role a resource carries, in either format (pre- or post-RESERVATION_REFINEMENT). */
export function reservationRole(r: JsonObject): string {
  if (Array.isArray(r.reservations) && r.reservations.length > 0) {
    const last = r.reservations[r.reservations.length - 1];
    return isObject(last) && typeof last.role === 'string' ? last.role : '*';
  }
  return typeof r.role === 'string' ? r.role : '*';
}

/** Renders quantities as offer resources, in the format the framework's capabilities ask for. */
export function toResources(q: Quantities, opts: { reservedRole: string; allocationRole: string; refinement: boolean }): JsonObject[] {
  const tag = (): JsonObject => {
    const reservation: JsonObject = opts.refinement
      ? opts.reservedRole === '*'
        ? {}
        : { reservations: [{ type: 'STATIC', role: opts.reservedRole }] }
      : { role: opts.reservedRole };
    return { ...reservation, allocation_info: { role: opts.allocationRole } };
  };
  const out: JsonObject[] = [];
  for (const name of SCALARS) {
    const v = q.scalars[name];
    if (v !== undefined && v > 0) out.push({ name, type: 'SCALAR', scalar: { value: double(v) }, ...tag() });
  }
  if (q.ports.length > 0) {
    out.push({ name: 'ports', type: 'RANGES', ranges: { range: q.ports.map(([begin, end]) => ({ begin, end })) }, ...tag() });
  }
  return out;
}

/** `cpus:1;mem:512;ports:[31000-31001]` — how Mesos prints resources in messages. */
export function describe(q: Quantities): string {
  const parts = Object.entries(q.scalars)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k}:${v}`);
  if (q.ports.length > 0) parts.push(`ports:[${q.ports.map(([b, e]) => `${b}-${e}`).join(', ')}]`);
  return parts.join('; ');
}
