/** Classifying parsed statements: which cannot run in a transaction, and other run-time hazards. */

type Node = Record<string, unknown>;

function obj(value: unknown): Node | undefined {
  return value && typeof value === 'object' ? (value as Node) : undefined;
}

function hasDefElem(params: unknown, name: string): boolean {
  return Array.isArray(params) && params.some((p) => obj(obj(p)?.DefElem)?.defname === name);
}

/** Why Postgres refuses this statement inside a transaction block, or undefined when it doesn't. */
export function nonTransactionalReason(stmt: Node): string | undefined {
  const [kind, body] = Object.entries(stmt)[0] ?? [];
  const n = obj(body) ?? {};
  switch (kind) {
    case 'IndexStmt':
      return n.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return n.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt':
      return hasDefElem(n.params, 'concurrently') ? 'REINDEX CONCURRENTLY' : undefined;
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'VacuumStmt':
      return n.is_vacuumcmd ? 'VACUUM' : undefined;
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'ClusterStmt':
      return n.relation ? undefined : 'CLUSTER without a table';
    case 'AlterTableStmt': {
      const cmds = Array.isArray(n.cmds) ? n.cmds : [];
      const detach = cmds.some((c) => {
        const cmd = obj(obj(c)?.AlterTableCmd);
        return cmd?.subtype === 'AT_DetachPartition' && obj(obj(cmd.def)?.PartitionCmd)?.concurrent;
      });
      return detach ? 'ALTER TABLE ... DETACH PARTITION CONCURRENTLY' : undefined;
    }
    default:
      return undefined;
  }
}

/** True for BEGIN/COMMIT/ROLLBACK/SAVEPOINT-style statements. */
export function transactionControl(stmt: Node): boolean {
  const t = obj(stmt.TransactionStmt);
  if (!t) return false;
  // Savepoints are fine inside the runner's transaction.
  return !['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO'].includes(String(t.kind));
}

/**
 * `ALTER TYPE ... ADD VALUE` runs in a transaction since PG 12, but the new value cannot be used
 * until that transaction commits; warn when a later statement of the same file mentions it.
 */
export function unsafeNewEnumValue(stmt: Node, later: { sql: string }[]): string | undefined {
  const e = obj(stmt.AlterEnumStmt);
  if (!e || typeof e.newVal !== 'string') return undefined;
  const literal = `'${e.newVal.replace(/'/g, "''")}'`;
  if (!later.some((s) => s.sql.includes(literal))) return undefined;
  return `enum value ${literal} is added and used in the same transaction (Postgres refuses that: "unsafe use of new value"); use it in a later migration`;
}
