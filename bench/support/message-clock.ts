import { performance } from 'node:perf_hooks';
import { Recorder } from '../../test/support/mesos-emulator/recorder.js';

/**
 * Stamps every call and event the Mesos emulator records with performance.now(), in the same
 * order as its message list: `times[i]` is when `master.messages()[i]` was received or sent.
 * The emulator keeps no times itself; this wraps its recorder for the benchmark process only.
 */
export function clockEmulatorMessages(): { times: number[]; restore: () => void } {
  const times: number[] = [];
  const call = Recorder.prototype.call;
  const event = Recorder.prototype.event;
  Recorder.prototype.call = function (this: Recorder, body: unknown, port: number) {
    times.push(performance.now());
    call.call(this, body, port);
  };
  Recorder.prototype.event = function (this: Recorder, json: string, port: number) {
    times.push(performance.now());
    event.call(this, json, port);
  };
  return {
    times,
    restore: () => {
      Recorder.prototype.call = call;
      Recorder.prototype.event = event;
    },
  };
}
