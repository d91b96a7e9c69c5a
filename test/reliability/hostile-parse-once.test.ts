import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';

/** Every text sparkctl's own code (src/) hands to a yaml parser or lexer (documents, CST or tokens); the test's own reads are left out. */
const parsed = vi.hoisted(() => {
  const texts: string[] = [];
  return {
    texts,
    record: (text: unknown) => {
      if (/\/src\//.test(new Error().stack ?? '')) texts.push(String(text));
    },
  };
});
const parsedTexts = parsed.texts;

vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  class CountingParser extends yaml.Parser {
    override *parse(source: string, incomplete?: boolean) {
      parsed.record(source);
      yield* super.parse(source, incomplete);
    }
  }
  // The bounded parse lexes a text once and hands each token to a Parser's next(): the lexing is the parse.
  class CountingLexer extends yaml.Lexer {
    override *lex(source: string, incomplete?: boolean) {
      parsed.record(source);
      yield* super.lex(source, incomplete);
    }
  }
  return {
    ...yaml,
    Parser: CountingParser,
    Lexer: CountingLexer,
    parse: (...args: Parameters<typeof yaml.parse>) => (parsed.record(args[0]), yaml.parse(...args)),
    parseDocument: (...args: Parameters<typeof yaml.parseDocument>) => (parsed.record(args[0]), yaml.parseDocument(...args)),
    parseAllDocuments: (...args: Parameters<typeof yaml.parseAllDocuments>) => (parsed.record(args[0]), yaml.parseAllDocuments(...args)),
  };
});

const timesParsed = (text: string) => parsedTexts.filter((t) => t === text).length;

describe('the controller parses each file content once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('an invalid manifest and a valid one are parsed once each per change, the status write included', async () => {
    const invalid = fakeJob('bad-cores', '  executor: {instances: many}\n');
    const valid = fakeJob('held', '  suspend: true\n');
    await h.write('bad.yaml', invalid);
    await h.write('held.yaml', valid);
    await h.start();
    const bad = await waitForStatus(join(h.jobsDir, 'bad.yaml'), phaseIs('Invalid'));
    expect(bad.message).toMatch(/spec\.executor\.instances/);
    await waitForStatus(join(h.jobsDir, 'held.yaml'), phaseIs('Suspended'));
    await h.controller.whenIdle();
    // The reconcile parses each text once; the status writer reuses that parse (and parses only its own result, to check it).
    expect(timesParsed(invalid)).toBe(1);
    expect(timesParsed(valid)).toBe(1);
    // A relist of unchanged files parses nothing.
    const before = parsedTexts.length;
    await h.controller.relist();
    await h.controller.whenIdle();
    expect(parsedTexts.length).toBe(before);
  }, 60_000);
});
