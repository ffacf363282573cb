/** The tables a set of migrations touches, for the "untouched tables are identical" check. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSqlScript, type Migration } from '../migrations/types.js';
import { addTablesFromSql, type TouchedTables } from '../verify/touched.js';

/**
 * SQL migrations are parsed; a TypeScript migration declares its tables with
 * `export const touches = ['tasks', ...]` — without it, every table counts as touched.
 */
export async function tablesTouchedBy(projectDir: string, migrations: Migration[]): Promise<TouchedTables> {
  const touched: TouchedTables = { names: new Set() };
  for (const m of migrations) {
    if (isSqlScript(m.up)) {
      await addTablesFromSql(touched, m.name, m.up.text);
      continue;
    }
    const { tsImport } = await import('tsx/esm/api');
    const mod = (await tsImport(pathToFileURL(path.join(projectDir, m.upFile)).href, import.meta.url)) as {
      touches?: unknown;
    };
    if (Array.isArray(mod.touches) && mod.touches.every((t) => typeof t === 'string')) {
      for (const t of mod.touches as string[]) touched.names.add(t);
    } else if (!touched.opaqueReason) {
      touched.opaqueReason = `${m.name} is a TypeScript migration without a \`touches\` export`;
    }
  }
  return touched;
}
