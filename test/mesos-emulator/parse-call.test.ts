import { describe, expect, it } from 'vitest';
import { parseCall } from '../support/mesos-emulator/parse-call.js';
import { encodeRecord, type Json } from '../support/mesos-emulator/index.js';
import { double, stringifyWire } from '../support/mesos-emulator/wire-json.js';

describe('JSON → Call as stout converts it', () => {
  it('drops unknown fields and nulls, keeps snake_case ones', () => {
    const r = parseCall({ type: 'REVIVE', framework_id: { value: 'f' }, frameworkId: { value: 'g' }, revive: null, extra: 1 });
    expect(r).toEqual({ ok: true, call: { type: 'REVIVE', framework_id: { value: 'f' } } });
  });

  it('appends a single value given for a repeated field, refuses an array for a singular one', () => {
    expect(parseCall({ type: 'REVIVE', revive: { roles: 'spark' } })).toEqual({
      ok: true,
      call: { type: 'REVIVE', revive: { roles: ['spark'] } },
    });
    expect(parseCall({ type: ['REVIVE'] })).toEqual({ ok: false, error: "Not expecting a JSON array for field 'type'" });
  });

  it('accepts numeric and boolean strings, and Infinity for doubles', () => {
    const r = parseCall({
      type: 'DECLINE',
      decline: { offer_ids: [{ value: 'o' }], filters: { refuse_seconds: '2.5' } },
    });
    expect(r.ok && r.call.decline).toEqual({ offer_ids: [{ value: 'o' }], filters: { refuse_seconds: 2.5 } });
    const info = parseCall({
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'u', name: 'n', checkpoint: 'true', failover_timeout: 'Infinity' } },
    });
    expect(info.ok && info.call.subscribe).toEqual({
      framework_info: { user: 'u', name: 'n', checkpoint: true, failover_timeout: Infinity },
    });
  });

  it('fails on unknown names of required enums, drops those of optional ones', () => {
    const bad = parseCall({
      type: 'REQUEST',
      request: { requests: [{ resources: [{ name: 'cpus', type: 'SCALARS', scalar: { value: 1 } }] }] },
    });
    expect(bad).toEqual({ ok: false, error: "Failed to find enum for 'SCALARS'" });
    expect(parseCall({ type: 'NOPE' })).toEqual({ ok: true, call: {} });
  });

  it('checks base64 for bytes fields and lists every missing required field with its path', () => {
    expect(parseCall({ type: 'MESSAGE', message: { agent_id: { value: 'a' }, executor_id: { value: 'e' }, data: '%%%' } }).ok).toBe(false);
    expect(
      parseCall({
        type: 'ACCEPT',
        accept: { offer_ids: [{}], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ resources: [{ type: 'SCALAR' }] }] } }] },
      }),
    ).toEqual({
      ok: false,
      error:
        'Missing required fields: accept.offer_ids[0].value, accept.operations[0].launch.task_infos[0].name, ' +
        'accept.operations[0].launch.task_infos[0].task_id, accept.operations[0].launch.task_infos[0].agent_id, ' +
        'accept.operations[0].launch.task_infos[0].resources[0].name',
    });
  });

  it('takes map<string, Value.Scalar> limits only as objects of scalars (the bare /state shape is refused)', () => {
    const call = (limits: Json) =>
      parseCall({
        type: 'ACCEPT',
        accept: {
          operations: [
            { type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: { value: 't' }, agent_id: { value: 'a' }, limits }] } },
          ],
        },
      });
    const ok = call({ cpus: { value: 'Infinity' }, mem: { value: 512 } });
    expect(ok.ok).toBe(true);
    expect(call({ cpus: 'Infinity', mem: 512.0 })).toEqual({ ok: false, error: "Not expecting a JSON string for field 'limits'" });
  });

  it('refuses a message where an object is expected and a non-object body', () => {
    expect(parseCall({ type: 'KILL', kill: 'x' })).toEqual({ ok: false, error: "Not expecting a JSON string for field 'kill'" });
    expect(parseCall([1])).toEqual({ ok: false, error: 'Expecting a JSON object' });
  });
});

describe('wire output', () => {
  it('prints integral doubles with .0 like rapidjson, and frames records by UTF-8 byte length', () => {
    expect(stringifyWire({ a: double(15), b: double(0.2), c: 3 })).toBe('{"a":15.0,"b":0.2,"c":3}');
    const record = encodeRecord('{"m":"é☕"}');
    expect(record.toString('utf8')).toBe('13\n{"m":"é☕"}');
  });
});
