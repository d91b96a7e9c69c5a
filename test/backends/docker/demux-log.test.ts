import { describe, expect, it } from 'vitest';
import { LogDemuxer, demuxLog } from '../../../src/backends/docker/demux-log.js';

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

describe('LogDemuxer', () => {
  it('interleaves stdout and stderr frames in order', () => {
    expect(demuxLog(Buffer.concat([frame(2, 'INFO start\n'), frame(1, 'Pi is roughly 3.14\n'), frame(2, 'INFO done\n')]))).toBe(
      'INFO start\nPi is roughly 3.14\nINFO done\n',
    );
  });

  it('keeps frames and UTF-8 characters split across chunks for the next chunk', () => {
    const all = Buffer.concat([frame(1, 'héllo '), frame(2, Buffer.from('wörld ✓\n'))]);
    for (let cut = 1; cut < all.length; cut++) {
      const d = new LogDemuxer();
      const text = d.push(all.subarray(0, cut)) + d.push(all.subarray(cut)) + d.end();
      expect(text).toBe('héllo wörld ✓\n');
    }
    const d = new LogDemuxer();
    let byByte = '';
    for (const b of all) byByte += d.push(Buffer.from([b]));
    expect(byByte + d.end()).toBe('héllo wörld ✓\n');
  });
});
