import { describe, expect, it } from 'vitest';
import { readApplyText, type ApplyInput } from '../../src/cli/read-apply-input.js';
import { maskSecrets, restoreSecrets, SECRET_MASK } from '../../src/cli/printers/mask-secrets.js';

const job = (name: string, extra = '') => `# ${name}
apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: ${name}
spec:
  image: img
  mainApplicationFile: local:///app.jar
  mainClass: Main
${extra}`;

const read = (text: string): ApplyInput => {
  const out: ApplyInput = { items: [], errors: [] };
  readApplyText(text, 'in.yaml', out);
  return out;
};

describe('readApplyText', () => {
  it('keeps a single manifest byte for byte, minus its status block', () => {
    const r = read(`${job('a')}status:\n  phase: Running\n`);
    expect(r.errors).toEqual([]);
    expect(r.items.map((i) => i.text)).toEqual([job('a')]);
    expect(r.items[0]!.raw).not.toHaveProperty('status');
  });

  it('reports errors of the second document at their line in the whole stream', () => {
    const r = read(`${job('a')}---\n${job('b', '  driver: {cores: -1}\n')}`);
    expect(r.items.map((i) => i.name)).toEqual(['a']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^in\.yaml:20:19: spec\.driver\.cores: /);
  });

  it('expands a SparkJobList, naming items by index, and renders JSON items as block YAML', () => {
    const list = JSON.stringify({
      kind: 'SparkJobList',
      items: [
        {
          apiVersion: 'sparkctl.io/v1alpha1',
          kind: 'SparkJob',
          metadata: { name: 'x' },
          spec: { image: 'i', mainApplicationFile: 'local:///a.jar', mainClass: 'M' },
        },
        { kind: 'SparkJob' },
      ],
    });
    const r = read(list);
    expect(r.items.map((i) => i.text)).toEqual([
      'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: x\nspec:\n  image: i\n  mainApplicationFile: local:///a.jar\n  mainClass: M\n',
    ]);
    expect(r.errors.every((e) => e.startsWith('in.yaml#items.1:'))).toBe(true);
    expect(r.errors.length).toBeGreaterThan(0);
  });

  it('refuses YAML errors with their position', () => {
    const r = read('apiVersion: [\n');
    expect(r.items).toEqual([]);
    expect(r.errors[0]).toMatch(/^in\.yaml:\d+:\d+: invalid YAML/);
  });
});

describe('secret masking', () => {
  const manifest = {
    spec: {
      driver: {
        env: [
          { name: 'T', value: 'hunter2', secret: true },
          { name: 'M', value: 'open' },
        ],
      },
    },
  };

  it('masks secret values only, without touching the original', () => {
    const masked = maskSecrets(manifest) as typeof manifest;
    expect(masked.spec.driver.env.map((e) => e.value)).toEqual([SECRET_MASK, 'open']);
    expect(manifest.spec.driver.env[0]!.value).toBe('hunter2');
  });

  it('puts stored values back and names the masked secrets it has no value for', () => {
    const incoming = maskSecrets(manifest) as typeof manifest;
    expect(restoreSecrets(incoming, manifest)).toEqual([]);
    expect(incoming.spec.driver.env[0]!.value).toBe('hunter2');
    expect(restoreSecrets(maskSecrets(manifest), undefined)).toEqual(['T']);
  });
});
