/**
 * Statements of a SQL file with their line ranges and their `-- neon-migrate:allow` comments,
 * located with the real Postgres parser (libpg-query), so a finding reported at a line (squawk) or
 * a parse node (destructive changes) maps to exactly one statement.
 */
import { parseSync } from 'libpg-query';
import { lineColumn, loadParser, skipTrivia } from '../migrations/sql.js';

/** A parse-tree node as libpg-query returns it (JSON). */
export type Node = Record<string, unknown>;

/** A `-- neon-migrate:allow <rule> because <reason>` comment. */
export interface AllowComment {
  rule: string;
  /** Empty when the comment has no `because <reason>`; such a comment allows nothing. */
  reason: string;
  /** 1-based line of the comment. */
  line: number;
}

/** One statement with the lines it spans and the allow comments that apply to it. */
export interface LocatedStatement {
  /** 0-based position in the file. */
  index: number;
  /** The statement text, trimmed, without leading comments and the terminating `;`. */
  sql: string;
  /** Top-level parse node type, e.g. `AlterTableStmt`. */
  kind: string;
  /** The statement's parse node (the value under `kind`). */
  node: Node;
  /** 1-based first and last line of the statement itself. */
  line: number;
  endLine: number;
  allows: AllowComment[];
}

const ALLOW_RE = /--\s*neon-migrate:allow\s+([a-z0-9-]+)(?:\s+because\s+(.*\S))?/gi;

/** The allow comments in a stretch of text, with 1-based lines counted from `firstLine`. */
function allowsIn(chunk: string, firstLine: number): AllowComment[] {
  const out: AllowComment[] = [];
  for (const m of chunk.matchAll(ALLOW_RE)) {
    const line = firstLine + chunk.slice(0, m.index).split('\n').length - 1;
    out.push({ rule: m[1]!.toLowerCase(), reason: (m[2] ?? '').trim(), line });
  }
  return out;
}

interface RawStmt {
  stmt: Node;
  stmt_location?: number;
  stmt_len?: number;
}

/**
 * Parse `text` into located statements. An allow comment applies to the statement it precedes or
 * sits inside; a comment on the line where a statement ends (`...; -- neon-migrate:allow ...`)
 * applies to that statement. Throws the parser's error on invalid SQL (callers parse first).
 */
export async function locateStatements(text: string): Promise<LocatedStatement[]> {
  await loadParser();
  if (text.trim() === '') return [];
  const raw = ((parseSync(text) as { stmts?: RawStmt[] }).stmts ?? []) as RawStmt[];
  const bytes = Buffer.from(text, 'utf8');
  const charAt = (byteOffset: number) => bytes.subarray(0, byteOffset).toString('utf8').length;
  const out: LocatedStatement[] = raw.map((s, index) => {
    const startByte = s.stmt_location ?? 0;
    const endByte = s.stmt_len ? startByte + s.stmt_len : bytes.length;
    const chunkStart = charAt(startByte);
    const chunkEnd = charAt(endByte);
    const first = skipTrivia(text, chunkStart);
    const body = text.slice(first, chunkEnd).trimEnd();
    const line = lineColumn(text, first).line;
    const endLine = line + body.split('\n').length - 1;
    const kind = Object.keys(s.stmt)[0] ?? 'Unknown';
    const chunk = text.slice(chunkStart, chunkEnd);
    return {
      index,
      sql: body,
      kind,
      node: (s.stmt[kind] ?? {}) as Node,
      line,
      endLine,
      allows: allowsIn(chunk, lineColumn(text, chunkStart).line),
    };
  });
  // A trailing comment on a statement's last line was parsed into the next statement's chunk.
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1]!;
    const moved = out[i]!.allows.filter((a) => a.line === prev.endLine);
    if (moved.length === 0) continue;
    prev.allows.push(...moved);
    out[i]!.allows = out[i]!.allows.filter((a) => a.line !== prev.endLine);
  }
  // After the last statement: a comment on its final line belongs to it.
  const last = out[out.length - 1];
  if (last) {
    const before = text
      .split('\n')
      .slice(0, last.endLine - 1)
      .join('\n');
    const tailStart = last.endLine > 1 ? before.length + 1 : 0;
    const tail = allowsIn(text.slice(tailStart), last.endLine).filter((a) => a.line === last.endLine);
    for (const a of tail) if (!last.allows.some((b) => b.line === a.line && b.rule === a.rule)) last.allows.push(a);
  }
  return out;
}

/** The statement that contains 1-based `line`, or the nearest one before it. */
export function statementAtLine(statements: LocatedStatement[], line: number): LocatedStatement | undefined {
  let best: LocatedStatement | undefined;
  for (const s of statements) {
    if (s.line <= line) best = s;
    if (s.line <= line && line <= s.endLine) return s;
  }
  return best;
}
