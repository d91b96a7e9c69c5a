import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files of a throwaway CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface TestCerts {
  readonly dir: string;
  /** trustedroot.crt */
  readonly ca: Buffer;
  /** master.crt / master.key: the emulated master's (CN and SAN 127.0.0.1, localhost). */
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  /** mesos.crt / mesos.key: the framework's client certificate, in the lcmap-spark certsDir layout. */
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

function issue(dir: string, name: string, subject: string, ext: string): void {
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.csr`),
    '-subj',
    subject,
  ]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl([
    'x509',
    '-req',
    '-in',
    join(dir, `${name}.csr`),
    '-CA',
    join(dir, 'trustedroot.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    join(dir, `${name}.crt`),
    '-extfile',
    join(dir, `${name}.ext`),
  ]);
}

/** Writes a CA (trustedroot.crt), master.crt/key and mesos.crt/key into `dir` with openssl. */
export function createTestCerts(dir: string): TestCerts {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'trustedroot.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=sparkctl test CA',
  ]);
  issue(dir, 'master', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue(dir, 'mesos', '/CN=spark', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string): Buffer => readFileSync(join(dir, f));
  return {
    dir,
    ca: read('trustedroot.crt'),
    serverCert: read('master.crt'),
    serverKey: read('master.key'),
    clientCert: read('mesos.crt'),
    clientKey: read('mesos.key'),
  };
}
