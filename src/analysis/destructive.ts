/**
 * Destructive changes found with the Postgres parser: DROP TABLE / SCHEMA / COLUMN, TRUNCATE,
 * DELETE or UPDATE without WHERE, and ALTER COLUMN TYPE (a narrowing one loses data; whether it
 * narrows is decided against the branch's current type by `classifyTypeChanges`).
 */
import type { Queryable } from '../verify/queryable.js';
import { quoteIdent } from '../verify/queryable.js';
import { type LocatedStatement, locateStatements, type Node } from './statements.js';
import {
  type ColumnType,
  formatColumnType,
  typeChangeLoss,
  typeFromFormatType,
  typeFromTypeName,
} from './type-narrowing.js';

export type DestructiveKind =
  | 'drop-table'
  | 'drop-schema'
  | 'drop-column'
  | 'truncate'
  | 'delete-without-where'
  | 'update-without-where'
  | 'alter-column-type';

/** One destructive change, placed on its statement. */
export interface DestructiveChange {
  version?: string;
  file: string;
  /** 1-based line of the statement. */
  line: number;
  statementIndex: number;
  kind: DestructiveKind;
  /** The object: `schema.table`/`table`, `schema.table.column`, or a schema name. */
  target: string;
  table?: string;
  column?: string;
  /** Human wording of what is lost. */
  detail: string;
  /** DROP ... CASCADE / TRUNCATE ... CASCADE also removes dependent objects or rows. */
  cascade?: boolean;
  /** ALTER COLUMN TYPE: the target type, and after classification the current type and verdict. */
  toType?: string;
  fromType?: string;
  /** ALTER COLUMN TYPE judged lossless against the branch's current type: not destructive. */
  lossless?: boolean;
}

/** Input: a SQL migration. */
export interface DestructiveInput {
  file: string;
  text: string;
  version?: string;
}

function rangeVarName(rv: Node | undefined): string {
  if (!rv) return '?';
  return typeof rv.schemaname === 'string' ? `${rv.schemaname}.${String(rv.relname)}` : String(rv.relname);
}

function stringList(node: Node): string[] {
  const items = ((node.List as Node | undefined)?.items as Node[] | undefined) ?? [node];
  return items.map((i) => (i.String as Node | undefined)?.sval).filter((s): s is string => typeof s === 'string');
}

type Change = Omit<DestructiveChange, 'file' | 'line' | 'statementIndex' | 'version'>;

/** The destructive changes of one parsed statement. */
export function destructiveChangesOf(statement: Pick<LocatedStatement, 'kind' | 'node'>): Change[] {
  const n = statement.node;
  const cascade = n.behavior === 'DROP_CASCADE';
  switch (statement.kind) {
    case 'DropStmt': {
      const objects = (n.objects as Node[]) ?? [];
      if (n.removeType === 'OBJECT_TABLE') {
        return objects.map((o) => {
          const table = stringList(o).slice(-2).join('.');
          return {
            kind: 'drop-table',
            target: table,
            table,
            detail: `drops table ${table} and its rows`,
            ...(cascade ? { cascade } : {}),
          };
        });
      }
      if (n.removeType === 'OBJECT_SCHEMA') {
        return objects.flatMap(stringList).map((schema) => ({
          kind: 'drop-schema' as const,
          target: schema,
          detail: `drops schema ${schema}${cascade ? ' and every table in it' : ''}`,
          ...(cascade ? { cascade } : {}),
        }));
      }
      return [];
    }
    case 'TruncateStmt':
      return ((n.relations as Node[]) ?? []).map((r) => {
        const table = rangeVarName(r.RangeVar as Node);
        return {
          kind: 'truncate',
          target: table,
          table,
          detail: `removes every row of ${table}`,
          ...(cascade ? { cascade } : {}),
        };
      });
    case 'DeleteStmt':
    case 'UpdateStmt': {
      if (n.whereClause) return [];
      const table = rangeVarName(n.relation as Node);
      if (statement.kind === 'DeleteStmt') {
        return [
          {
            kind: 'delete-without-where',
            target: table,
            table,
            detail: `DELETE without WHERE removes every row of ${table}`,
          },
        ];
      }
      return [
        {
          kind: 'update-without-where',
          target: table,
          table,
          detail: `UPDATE without WHERE overwrites every row of ${table}`,
        },
      ];
    }
    case 'AlterTableStmt':
      return alterTableChanges(n);
    default:
      return [];
  }
}

function alterTableChanges(n: Node): Change[] {
  if (n.objtype !== 'OBJECT_TABLE') return [];
  const table = rangeVarName(n.relation as Node);
  const out: Change[] = [];
  for (const c of (n.cmds as Node[]) ?? []) {
    const cmd = c.AlterTableCmd as Node | undefined;
    if (!cmd || typeof cmd.name !== 'string') continue;
    const column = cmd.name;
    if (cmd.subtype === 'AT_DropColumn') {
      out.push({
        kind: 'drop-column',
        target: `${table}.${column}`,
        table,
        column,
        detail: `drops column ${table}.${column} and its values`,
      });
    } else if (cmd.subtype === 'AT_AlterColumnType') {
      const def = (cmd.def as Node | undefined)?.ColumnDef as Node | undefined;
      const to = typeFromTypeName((def?.typeName as Node) ?? {});
      out.push({
        kind: 'alter-column-type',
        target: `${table}.${column}`,
        table,
        column,
        toType: formatColumnType(to),
        detail: `changes ${table}.${column} to ${formatColumnType(to)}${def?.raw_default ? ' with USING' : ''}`,
      });
    }
  }
  return out;
}

/** Find the destructive changes of SQL migrations (static: no database needed). */
export async function findDestructiveChanges(files: DestructiveInput[]): Promise<DestructiveChange[]> {
  const out: DestructiveChange[] = [];
  for (const f of files) {
    for (const st of await locateStatements(f.text)) {
      for (const change of destructiveChangesOf(st)) {
        out.push({
          ...(f.version === undefined ? {} : { version: f.version }),
          file: f.file,
          line: st.line,
          statementIndex: st.index,
          ...change,
        });
      }
    }
  }
  return out;
}

/** `"schema"."table"` or `"table"` from a dotted name as the parser gave it. */
export function quoteDotted(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

/**
 * Decide each ALTER COLUMN TYPE against the column's current type on `db` (before the migration
 * runs): lossless ones get `lossless: true` and drop out of the verdict; the others say what is lost.
 */
export async function classifyTypeChanges(db: Queryable, changes: DestructiveChange[]): Promise<DestructiveChange[]> {
  const out: DestructiveChange[] = [];
  for (const c of changes) {
    if (c.kind !== 'alter-column-type' || !c.table || !c.column || !c.toType) {
      out.push(c);
      continue;
    }
    const { rows } = await db.query(
      `SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`,
      [quoteDotted(c.table), c.column],
    );
    const current = rows[0]?.t;
    if (typeof current !== 'string') {
      out.push(c); // The column does not exist yet (created earlier in the run): judged when it runs.
      continue;
    }
    const from: ColumnType = typeFromFormatType(current);
    const loss = typeChangeLoss(from, typeFromFormatType(c.toType));
    out.push({ ...c, fromType: formatColumnType(from), ...(loss ? { detail: loss } : { lossless: true }) });
  }
  return out;
}
