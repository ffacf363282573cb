/** Reading what Alembic prints (`history -v`, `current`, `heads`, its run log) and its alembic.ini. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MigrationFileError } from '../errors.js';

/** One revision as `alembic history -v` describes it. */
export interface AlembicRevision {
  revision: string;
  /** Down revisions (none for the first, two or more for a merge). */
  parents: string[];
  /** Absolute path of the revision file. */
  path: string;
  /** The first line of its message. */
  message: string;
  isHead: boolean;
}

/** Parse `alembic history -v` (newest first) into revisions, oldest first. */
export function parseHistory(text: string): AlembicRevision[] {
  const out: AlembicRevision[] = [];
  let cur: AlembicRevision | undefined;
  let wantMessage = false;
  for (const line of text.split(/\r?\n/)) {
    const rev = /^Rev:\s+(\S+)(.*)$/.exec(line);
    if (rev) {
      cur = { revision: rev[1]!, parents: [], path: '', message: '', isHead: /\(head\)/.test(rev[2]!) };
      out.push(cur);
      wantMessage = false;
      continue;
    }
    if (!cur) continue;
    const field = /^(Parent|Merges|Path|Branches into|Branch names|Also depends on):\s*(.*)$/.exec(line);
    if (field) {
      const [, key, value] = field;
      if (key === 'Parent' || key === 'Merges') {
        cur.parents = value!
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s && s !== '<base>');
      }
      if (key === 'Path') {
        cur.path = value!.trim();
        wantMessage = true;
      }
      continue;
    }
    if (wantMessage && line.trim()) {
      cur.message = line.trim();
      wantMessage = false;
    }
  }
  return out.reverse();
}

/** Revision ids in the output of `alembic current` or `alembic heads` (one per line, `abc123 (head)`). */
export function parseRevisionList(text: string): string[] {
  const revs: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9A-Za-z_]+)(?:\s+\(.*\))?\s*$/.exec(line.trim());
    if (m && !/^(INFO|WARNI|ERROR|DEBUG)/.test(line)) revs.push(m[1]!);
  }
  return revs;
}

/** A `Running upgrade a -> b, msg` / `Running downgrade b -> a, msg` log line: the revision it starts. */
export function parseRunningLine(line: string): { direction: 'up' | 'down'; revision: string } | undefined {
  const m = /Running (upgrade|downgrade)\s+(\S*)\s*->\s*([^,\s]*)/.exec(line);
  if (!m) return undefined;
  // Upgrade a -> b runs b; downgrade b -> a undoes b.
  return m[1] === 'upgrade' ? { direction: 'up', revision: m[3]! } : { direction: 'down', revision: m[2]! };
}

/** True when the downgrade() of a revision file does something (not just `pass` or a raise). */
export function hasDowngrade(source: string): boolean {
  const m = /^def downgrade\([^)]*\)[^:]*:\s*\n((?:[ \t]+.*\n?|\s*\n)*)/m.exec(source);
  if (!m) return false;
  const body = m[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const withoutDoc = body
    .join('\n')
    .replace(/^("""|''')[\s\S]*?\1\s*/, '')
    .trim();
  return withoutDoc !== '' && withoutDoc !== 'pass' && !/^raise\b/.test(withoutDoc);
}

/** Where Alembic keeps its scripts, read from alembic.ini. */
export interface AlembicLayout {
  /** The script folder (env.py, script.py.mako, versions/). */
  scriptDir: string;
  /** Folders holding revision files. */
  versionDirs: string[];
  envPy: string;
}

/** Read script_location and version_locations from alembic.ini (`%(here)s` is the ini's folder). */
export function readAlembicLayout(iniFile: string, runDir: string): AlembicLayout {
  const text = readFileSync(iniFile, 'utf8');
  const values = new Map<string, string>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+[#;].*$/, '');
    const sec = /^\s*\[([^\]]+)\]/.exec(line);
    if (sec) {
      section = sec[1]!.trim();
      continue;
    }
    const kv = /^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (section === 'alembic' && kv) values.set(kv[1]!, kv[2]!.trim());
  }
  const here = path.dirname(iniFile);
  const expand = (v: string) => v.replace(/%\(here\)s/g, here);
  const location = values.get('script_location');
  if (!location) {
    throw new MigrationFileError(`${path.basename(iniFile)}: no script_location in [alembic]`, {
      hint: 'set script_location, as `alembic init` writes it',
    });
  }
  if (/^[\w.]+:/.test(location)) {
    throw new MigrationFileError(`${path.basename(iniFile)}: script_location "${location}" is a package resource`, {
      hint: 'use a folder path for script_location',
    });
  }
  const scriptDir = path.resolve(runDir, expand(location));
  const sep = values.get('path_separator') ?? values.get('version_path_separator');
  const splitter = sep === 'os' || sep === ':' ? /:/ : sep === ';' ? /;/ : sep === 'space' ? /\s+/ : /[\s,]+/;
  const versions = values.get('version_locations');
  const versionDirs = versions
    ? expand(versions)
        .split(splitter)
        .filter(Boolean)
        .map((d) => path.resolve(runDir, d))
    : [path.join(scriptDir, 'versions')];
  return { scriptDir, versionDirs, envPy: path.join(scriptDir, 'env.py') };
}
