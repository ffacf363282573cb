/** Content hashes of a tool's migration files ("what was tested"), and a small glob matcher for them. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** SHA-256 hex of a text or buffer. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Folders never part of a fingerprint (caches, installs, our own state). */
const SKIPPED_DIRS = new Set(['__pycache__', 'node_modules', '.git', '.venv', 'venv', '.neon-migrate']);

/** Every file under `dir` (recursively), as paths relative to `root`, sorted; [] when `dir` is absent. */
export function listFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = path.join(abs, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(child);
      } else if (entry.isFile() && !entry.name.endsWith('.pyc')) {
        out.push(path.relative(root, child).split(path.sep).join('/'));
      }
    }
  };
  const abs = path.resolve(root, dir);
  if (existsSync(abs) && statSync(abs).isDirectory()) walk(abs);
  return out.sort();
}

/** A regular expression for a glob: `**` any folders, `*` and `?` within one name. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  const g = glob.replace(/^\.\//, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` matches everything below.
      if (g[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The project files matching any of the globs, relative and sorted. */
export function matchFiles(projectDir: string, globs: string[]): string[] {
  if (!globs.length) return [];
  const patterns = globs.map(globToRegExp);
  return listFiles(projectDir, '.').filter((f) => patterns.some((p) => p.test(f)));
}

/** One hash over files (path and content) plus extra labelled values, stable across machines. */
export function hashFiles(projectDir: string, files: string[], extra: Record<string, string | null> = {}): string {
  const h = createHash('sha256');
  for (const rel of [...new Set(files)].sort()) {
    h.update(`file ${rel} ${sha256Hex(readFileSync(path.resolve(projectDir, rel)))}\n`);
  }
  for (const key of Object.keys(extra).sort()) h.update(`${key} ${extra[key] ?? ''}\n`);
  return h.digest('hex');
}
