/** Scratch project directories for migration tests. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settingsSchema, type Settings } from '../../src/config/schema.js';

export interface ScratchProject {
  dir: string;
  settings: Settings;
  write(rel: string, text: string): void;
  remove(rel: string): void;
}

/** A temp project with `migrations/` holding the given files. */
export function scratchProject(files: Record<string, string> = {}, settings: Partial<Settings> = {}): ScratchProject {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-mig-'));
  // The local engine keeps its clusters under the project; the cluster user must traverse it.
  chmodSync(dir, 0o755);
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) write(path.join('migrations', rel), text);
  return {
    dir,
    settings: settingsSchema.parse(settings),
    write: (rel, text) => write(path.join('migrations', rel), text),
    remove: (rel) => rmSync(path.join(dir, 'migrations', rel), { recursive: true, force: true }),
  };
}
