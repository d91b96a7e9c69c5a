import { readFile } from 'node:fs/promises';

/** The dashboard's assets, shipped in the package (src/web/static, copied to dist/web/static by `npm run build`). */
const ASSETS: Readonly<Record<string, string>> = {
  '/static/app.js': 'text/javascript; charset=utf-8',
  '/static/app.css': 'text/css; charset=utf-8',
  '/static/favicon.svg': 'image/svg+xml',
};

const cache = new Map<string, Buffer>();

/** The asset at a URL path with its content type, or undefined for any other path. */
export async function readAsset(path: string): Promise<{ body: Buffer; type: string } | undefined> {
  const type = ASSETS[path];
  if (!type) return undefined;
  let body = cache.get(path);
  if (!body) {
    body = await readFile(new URL(`.${path}`, import.meta.url));
    cache.set(path, body);
  }
  return { body, type };
}
