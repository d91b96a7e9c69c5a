import { describe, expect, it } from 'vitest';
import { humanizeRetryTime } from '../../src/cli/printers/retry-time.js';

describe('humanizeRetryTime', () => {
  const now = new Date('2026-01-01T10:00:00.000Z');
  it('says how long until the next attempt, keeping the time', () => {
    expect(humanizeRetryTime('driver exited with code 3; next attempt at 2026-01-01T10:00:25.000Z', now)).toBe(
      'driver exited with code 3; next attempt in 25s (at 2026-01-01T10:00:25.000Z)',
    );
    expect(humanizeRetryTime('x; next attempt at 2026-01-01T09:59:00.000Z', now)).toBe(
      'x; next attempt due now (at 2026-01-01T09:59:00.000Z)',
    );
    expect(humanizeRetryTime('Driver running (attempt 2)', now)).toBe('Driver running (attempt 2)');
  });
});
