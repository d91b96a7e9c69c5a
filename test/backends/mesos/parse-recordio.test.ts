import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, RecordIoDecoder } from '../../../src/backends/mesos/parse-recordio.js';

const decodeAll = (chunks: Uint8Array[]): unknown[] => {
  const d = new RecordIoDecoder();
  const out = chunks.flatMap((c) => d.push(c).map((r) => JSON.parse(r.toString('utf8')) as unknown));
  d.end();
  return out;
};

describe('RecordIoDecoder', () => {
  it('decodes back-to-back records with no separator after the data', () => {
    const stream = Buffer.from('20\n{"type":"HEARTBEAT"}20\n{"type":"HEARTBEAT"}', 'utf8');
    expect(decodeAll([stream])).toEqual([{ type: 'HEARTBEAT' }, { type: 'HEARTBEAT' }]);
  });

  it('counts bytes, not characters, for multi-byte UTF-8', () => {
    const event = { type: 'UPDATE', update: { status: { message: 'Zürich → 東京 🚀' } } };
    const record = encodeRecord(event);
    const json = JSON.stringify(event);
    expect(record.toString('latin1').split('\n')[0]).toBe(String(Buffer.byteLength(json)));
    expect(Buffer.byteLength(json)).toBeGreaterThan(json.length);
    expect(decodeAll([record, record])).toEqual([event, event]);
  });

  it('decodes the same records whatever the chunk boundaries (split inside digits, newline and a multi-byte character)', () => {
    const events = [{ type: 'SUBSCRIBED', m: 'é' }, { type: 'OFFERS', m: '🚀🚀' }, { type: 'HEARTBEAT' }];
    const stream = Buffer.concat(events.map(encodeRecord));
    for (let i = 0; i <= stream.length; i++) {
      for (const j of [i, Math.min(stream.length, i + 1), Math.min(stream.length, i + 7)]) {
        expect(decodeAll([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)])).toEqual(events);
      }
    }
  });

  it('keeps any list of events intact under random chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ type: fc.constantFrom('UPDATE', 'HEARTBEAT'), text: fc.string({ unit: 'grapheme' }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (events, cuts) => {
          const stream = Buffer.concat(events.map(encodeRecord));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(stream.subarray(prev, p));
            prev = p;
          }
          chunks.push(stream.subarray(prev));
          expect(decodeAll(chunks)).toEqual(events);
        },
      ),
    );
  });

  it('tracks bytes received and records decoded', () => {
    const d = new RecordIoDecoder();
    const r = encodeRecord({ type: 'HEARTBEAT' });
    d.push(r.subarray(0, 5));
    expect(d.pendingBytes).toBe(5);
    d.push(r.subarray(5));
    expect(d.bytesReceived).toBe(r.length);
    expect(d.recordsDecoded).toBe(1);
    expect(d.pendingBytes).toBe(0);
  });

  it('rejects a length prefix that is not a decimal number', () => {
    expect(() => new RecordIoDecoder().push(Buffer.from('2x\n{}'))).toThrow(/not a decimal number/);
  });

  it('rejects a zero length and an absurd length', () => {
    expect(() => new RecordIoDecoder().push(Buffer.from('0\n'))).toThrow(/outside/);
    expect(() => new RecordIoDecoder().push(Buffer.from('999999999999\n'))).toThrow(/outside/);
  });

  it('rejects a prefix that never ends', () => {
    expect(() => new RecordIoDecoder().push(Buffer.from('1'.repeat(25)))).toThrow(/longer than/);
  });

  it('reports a stream that ends inside a record', () => {
    const d = new RecordIoDecoder();
    d.push(Buffer.from('20\n{"type":'));
    expect(() => d.end()).toThrow(/ended inside a record/);
  });

  it('errors carry a stable code', () => {
    try {
      new RecordIoDecoder().push(Buffer.from('a\n'));
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('SPARKCTL_MESOS_RECORDIO');
    }
  });
});
