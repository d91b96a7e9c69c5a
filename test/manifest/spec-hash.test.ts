import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { parseManifestText } from '../../src/manifest/parse-manifest.js';
import { canonicalJson, SPEC_HASH_LENGTH, specHash } from '../../src/manifest/spec-hash.js';
import { VALID } from './fixtures.js';

const hashOf = (text: string): string => {
  const result = parseManifestText(text, 'job.yaml');
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.specHash;
};

describe('specHash', () => {
  it('is a short hex digest', () => {
    expect(hashOf(VALID)).toMatch(new RegExp(`^[0-9a-f]{${SPEC_HASH_LENGTH}}$`));
  });

  it('ignores comments, key order, quoting, flow style, status and metadata', () => {
    const reordered = `# a comment
kind: SparkJob
spec:
  mainClass: "org.apache.spark.examples.SparkPi"   # quoted now
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar'

  image: apache/spark:3.5.3
metadata: {name: other-name, labels: {team: geo}}
apiVersion: sparkctl.io/v1alpha1
status: {phase: Running}
`;
    expect(hashOf(reordered)).toBe(hashOf(VALID));
  });

  it('treats a default written out the same as one left out', () => {
    const explicit = `${VALID}  master: local[*]\n  driver: {memory: 1024m, cores: 1}\n  imagePullPolicy: IfNotPresent\n  suspend: false\n`;
    expect(hashOf(explicit)).toBe(hashOf(VALID));
  });

  it('changes when the spec changes', () => {
    expect(hashOf(`${VALID}  arguments: ["100"]\n`)).not.toBe(hashOf(VALID));
    expect(hashOf(`${VALID}  arguments: ["100"]\n`)).not.toBe(hashOf(`${VALID}  arguments: ["10"]\n`));
  });

  it('equals the hash of the parsed spec object', () => {
    const spec = SparkJobSpecSchema.parse({ image: 'apache/spark:3.5.3', mainApplicationFile: 'local:///a.jar', mainClass: 'A' });
    expect(specHash(spec)).toBe(
      specHash(
        SparkJobSpecSchema.parse({ mainClass: 'A', mainApplicationFile: 'local:///a.jar', image: 'apache/spark:3.5.3', type: 'Scala' }),
      ),
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"f":1}]},"b":1}');
  });
});
