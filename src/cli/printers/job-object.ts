import { API_VERSION, KIND } from '../../api/identity.js';
import type { JobView } from '../find-job.js';
import { escapeJson } from '../../escape-text.js';
import { maskSecrets } from './mask-secrets.js';

/** The kind of the list `get -o json|yaml` prints for several jobs. */
export const LIST_KIND = 'SparkJobList';

/** A job as `get -o json|yaml` prints it: the manifest as written (secret env values masked), with the journal's status. */
export function jobObject(view: JobView): Record<string, unknown> {
  const base = view.manifest ? maskSecrets(view.manifest) : { apiVersion: API_VERSION, kind: KIND, metadata: { name: view.name } };
  return { ...base, status: view.status };
}

/** The list object printed for several jobs. */
export function jobList(views: readonly JobView[]): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: LIST_KIND, items: views.map(jobObject) };
}

/** Pretty JSON with a final newline; DEL, C1 and bidi characters written as `\uXXXX` (the same strings, nothing raw on a terminal). */
export function toJson(value: unknown): string {
  return `${escapeJson(JSON.stringify(value, null, 2))}\n`;
}
