import { PHASES, type Phase } from '../api/status.js';
import { parseLabelSelector, type LabelRequirement } from '../cli/label-selector.js';
import { messageOf } from '../errors.js';

/** Rows per page of the jobs table. */
export const PAGE_SIZE = 100;

/** The filters of the jobs table, read from the query string (so they work without JavaScript). */
export interface ListQuery {
  readonly phase?: Phase;
  /** The selector as typed (shown back in the form). */
  readonly label: string;
  readonly requirements: readonly LabelRequirement[];
  /** 1-based. */
  readonly page: number;
  /** Why a filter was ignored. */
  readonly problems: readonly string[];
}

/** Parses `?phase=Running&label=team=geo&page=2`; a bad value is reported on the page and ignored. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const problems: string[] = [];
  const rawPhase = params.get('phase') ?? '';
  const phase = (PHASES as readonly string[]).includes(rawPhase) ? (rawPhase as Phase) : undefined;
  if (rawPhase !== '' && !phase) problems.push(`phase "${rawPhase}" is not one of ${PHASES.join(', ')}`);
  const label = (params.get('label') ?? '').trim();
  let requirements: LabelRequirement[] = [];
  if (label !== '') {
    try {
      requirements = parseLabelSelector(label);
    } catch (err) {
      problems.push(messageOf(err).replace(/^-l /, 'label '));
    }
  }
  const rawPage = Number(params.get('page') ?? '1');
  const page = Number.isInteger(rawPage) && rawPage >= 1 ? rawPage : 1;
  return { ...(phase ? { phase } : {}), label, requirements, page, problems };
}

/** The query string of a page of the same filters. */
export function pageHref(q: ListQuery, page: number): string {
  const p = new URLSearchParams();
  if (q.phase) p.set('phase', q.phase);
  if (q.label) p.set('label', q.label);
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `/?${s}` : '/';
}
