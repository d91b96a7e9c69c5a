import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
};
const buildConfig = JSON.parse(await readFile(new URL('../../tsconfig.build.json', import.meta.url), 'utf8')) as {
  compilerOptions: { outDir: string };
};
const bin = await readFile(new URL(`../../${pkg.bin.sparkctl}`, import.meta.url), 'utf8');

describe('npm ci alone leaves a working sparkctl', () => {
  it('the prepare script compiles src/ into the dist/ that bin/sparkctl.js loads, and needs no engine', () => {
    // prepare is the build itself: tsc, then the dashboard's static files copied into dist/.
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.build).toContain('tsc -p tsconfig.build.json');
    expect(pkg.scripts.build).toContain('dist/web/static');
    expect(buildConfig.compilerOptions.outDir).toBe('dist');
    expect(bin).toContain("'../dist/cli/main.js'");
    // npm ci runs prepare in CI too, before the engine is prepared: no test-env, docker or build of images.
    expect(`${pkg.scripts.prepare} ${pkg.scripts.build}`).not.toMatch(/docker|test-env|\.sh\b/);
  });
});
