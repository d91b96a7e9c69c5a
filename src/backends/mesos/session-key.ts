import { keyedDigest, type HashKey } from '../../secrets/hash-key.js';
import type { StoredConnection, StoredFramework } from './framework-store.js';

/** Hex characters kept of a credential fingerprint. */
const FINGERPRINT_LENGTH = 16;

/**
 * The key of one framework session (and of its record in mesos-frameworks.json): master URL,
 * principal, certificates folder and a fingerprint of the resolved secret. The fingerprint is an
 * HMAC under the state dir's key, never the secret, so jobs share a session only when they hold
 * the very same credential; a job whose secret differs (or cannot be resolved) never rides on
 * another job's subscription.
 */
export function sessionKey(master: string, connection: StoredConnection, secret: string | undefined, key: HashKey): string {
  const principal = connection.principal ?? '';
  const fingerprint =
    secret === undefined ? '-' : keyedDigest(key, 'mesos-credential', `${principal}\0${secret}`).slice(0, FINGERPRINT_LENGTH);
  return [master, principal, connection.certsDir ?? '', fingerprint].join('|');
}

const sameRefs = (a: StoredConnection, b: StoredConnection): boolean =>
  a.principal === b.principal && a.certsDir === b.certsDir && JSON.stringify(a.secretRef ?? null) === JSON.stringify(b.secretRef ?? null);

/**
 * A stored framework that a new session key may take over: same master and same credential
 * references (so the same secret source, whose value was rotated, or a record from before keys
 * had fingerprints), and not held by a live session. Taking it over keeps the framework id, so
 * running drivers are adopted after a secret rotation and a restart.
 */
export function movableRecord(
  all: Readonly<Record<string, StoredFramework>>,
  master: string,
  connection: StoredConnection,
  isLive: (key: string) => boolean,
): string | undefined {
  const candidates = Object.entries(all)
    .filter(([k, fw]) => fw.master === master && sameRefs(fw.connection, connection) && !isLive(k))
    .sort(
      ([, a], [, b]) => Number(b.frameworkId !== undefined) - Number(a.frameworkId !== undefined) || b.updatedAt.localeCompare(a.updatedAt),
    );
  return candidates[0]?.[0];
}
