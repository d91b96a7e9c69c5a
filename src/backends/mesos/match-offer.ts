import type { Attribute, Offer } from './mesos-types.js';

/** One Spark-style attribute constraint: `attr` (present) or `attr:v1,v2` (any of the values). */
export interface AttributeConstraint {
  readonly attribute: string;
  readonly values: readonly string[];
}

/** What a driver needs from an offer. */
export interface OfferWant {
  readonly cpus: number;
  readonly memMiB: number;
  readonly role: string;
  readonly constraints: readonly AttributeConstraint[];
}

/** The verdict on one offer; `reasons` say why it does not fit. */
export type OfferMatch = { readonly fits: true } | { readonly fits: false; readonly reasons: readonly string[] };

/** Parses `spark.mesos.constraints` syntax: `attr:value;attr2:v1,v2;attr3` (attr3: must exist). */
export function parseConstraints(text: string | undefined): AttributeConstraint[] {
  if (text === undefined || text.trim() === '') return [];
  return text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const colon = part.indexOf(':');
      if (colon < 0) return { attribute: part, values: [] };
      const values = part
        .slice(colon + 1)
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { attribute: part.slice(0, colon).trim(), values };
    });
}

/** The role an offer was allocated to (multi-role frameworks get it in allocation_info). */
export function offerRole(offer: Offer): string {
  return (
    offer.allocation_info?.role ??
    offer.resources?.find((r) => r.allocation_info)?.allocation_info?.role ??
    offer.resources?.[0]?.role ??
    '*'
  );
}

/** Sum of a scalar resource in an offer (unreserved and reserved alike, revocable excluded). */
export function offeredScalar(offer: Offer, name: string): number {
  let total = 0;
  for (const r of offer.resources ?? [])
    if (r.name === name && r.type === 'SCALAR' && r.revocable === undefined) total += r.scalar?.value ?? 0;
  return Math.round(total * 1000) / 1000;
}

/** Whether one attribute satisfies one constraint, with Spark's rules per attribute type. */
export function attributeMatches(attr: Attribute, c: AttributeConstraint): boolean {
  if (c.values.length === 0) return true;
  switch (attr.type) {
    case 'SCALAR':
      return c.values.some((v) => Number.isFinite(Number(v)) && Number(v) <= (attr.scalar?.value ?? Number.NEGATIVE_INFINITY));
    case 'RANGES':
      return c.values.some((v) => (attr.ranges?.range ?? []).some((r) => Number(v) >= r.begin && Number(v) <= r.end));
    case 'SET': {
      const items = new Set(attr.set?.item ?? []);
      return c.values.every((v) => items.has(v));
    }
    case 'TEXT':
      return c.values.includes(attr.text?.value ?? '');
    default:
      return false;
  }
}

/** What earlier drivers already took of an offer. */
export interface OfferTaken {
  readonly cpus: number;
  readonly memMiB: number;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Checks an offer, less what other drivers took of it, against a driver's needs: cpus, mem (MiB), allocation role and attribute
 * constraints.
 */
export function matchOffer(offer: Offer, want: OfferWant, taken: OfferTaken = { cpus: 0, memMiB: 0 }): OfferMatch {
  const reasons: string[] = [];
  const role = offerRole(offer);
  if (role !== want.role) reasons.push(`role ${role} is not ${want.role}`);
  const cpus = round3(offeredScalar(offer, 'cpus') - taken.cpus);
  if (cpus < want.cpus) reasons.push(`cpus ${cpus} < ${want.cpus}`);
  const mem = round3(offeredScalar(offer, 'mem') - taken.memMiB);
  if (mem < want.memMiB) reasons.push(`mem ${mem} MiB < ${want.memMiB} MiB`);
  for (const c of want.constraints) {
    const attr = (offer.attributes ?? []).find((a) => a.name === c.attribute);
    if (!attr) reasons.push(`attribute ${c.attribute} missing`);
    else if (!attributeMatches(attr, c))
      reasons.push(`attribute ${c.attribute}=${describeAttribute(attr)} does not match ${c.values.join(',')}`);
  }
  return reasons.length === 0 ? { fits: true } : { fits: false, reasons };
}

/** A one-line summary of an offer for progress messages: host, role, cpus, mem, attributes. */
export function describeOffer(offer: Offer): string {
  const attrs = (offer.attributes ?? []).map((a) => `${a.name}:${describeAttribute(a)}`).join(';');
  return `${offer.hostname} (role ${offerRole(offer)}, cpus ${offeredScalar(offer, 'cpus')}, mem ${offeredScalar(offer, 'mem')} MiB${attrs ? `, ${attrs}` : ''})`;
}

/** A readable rendering of an attribute value. */
export function describeAttribute(attr: Attribute): string {
  if (attr.text) return attr.text.value;
  if (attr.scalar) return String(attr.scalar.value);
  if (attr.set) return `{${attr.set.item.join(',')}}`;
  if (attr.ranges) return attr.ranges.range.map((r) => `[${r.begin}-${r.end}]`).join(',');
  return '?';
}

/** A one-line summary of what a driver asks for. */
export function describeWant(want: OfferWant): string {
  const cons = want.constraints.map((c) => (c.values.length ? `${c.attribute}:${c.values.join(',')}` : c.attribute)).join(';');
  return `cpus ${want.cpus}, mem ${want.memMiB} MiB, role ${want.role}${cons ? `, constraints ${cons}` : ''}`;
}
