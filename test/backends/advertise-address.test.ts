import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkAdvertiseAddress, detectAdvertiseAddress } from '../../src/backends/advertise-address.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  internal,
  family: 'IPv4',
  netmask: '255.255.255.0',
  mac: '00:00:00:00:00:00',
  cidr: `${address}/24`,
});
const v6 = (address: string): NetworkInterfaceInfo => ({
  address,
  internal: false,
  family: 'IPv6',
  netmask: 'ffff::',
  mac: '00:00:00:00:00:00',
  cidr: `${address}/64`,
  scopeid: 0,
});

describe('detectAdvertiseAddress', () => {
  it('prefers a non-loopback, non-link-local IPv4 address', () => {
    expect(detectAdvertiseAddress({ lo: [v4('127.0.0.1', true)], eth0: [v6('2001:db8::1'), v4('169.254.1.2'), v4('10.1.2.3')] })).toBe(
      '10.1.2.3',
    );
  });

  it('falls back to loopback when that is all the host has (a single-host setup, as in these tests)', () => {
    expect(detectAdvertiseAddress({ lo: [v4('127.0.0.1', true)], eth0: [v6('2001:db8::1')] })).toBe('127.0.0.1');
  });
});

describe('checkAdvertiseAddress', () => {
  it.each([
    ['10.0.0.1', undefined],
    ['host.example', /IPv4/],
    ['::1', /IPv4/],
    ['0.0.0.0', /not 0\.0\.0\.0/],
  ])('%s', (value, problem) => {
    const got = checkAdvertiseAddress(value);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(problem);
  });
});
