/**
 * No-transaction markers: ours (`-- neon-migrate:no-transaction`) and the equivalents other tools
 * put in real histories, so a copied history keeps its meaning:
 * - sqlx: `-- no-transaction` as the first line;
 * - dbmate: `-- migrate:up transaction:false` (the section header, per direction);
 * - goose: `-- +goose NO TRANSACTION` (anywhere in the file's comment lines, for both directions);
 * - diesel: `run_in_transaction = false` in the migration folder's `metadata.toml`.
 * golang-migrate has no marker: it sends each file as written, without a transaction of its own.
 */

/** The first-line directive that runs a file outside a transaction. */
export const NO_TRANSACTION_DIRECTIVE = '-- neon-migrate:no-transaction';

/** The comment lines before the first statement (where every tool puts its directives). */
function leadingCommentLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    lines.push(line);
  }
  return lines;
}

const DIRECTIVES: { tool: string; test: (line: string) => boolean }[] = [
  { tool: 'neon-migrate', test: (l) => l.toLowerCase() === NO_TRANSACTION_DIRECTIVE },
  { tool: 'sqlx', test: (l) => /^--\s*no-transaction$/i.test(l) },
  { tool: 'dbmate', test: (l) => /^--\s*migrate:(up|down)\b.*\btransaction:false\b/i.test(l) },
  { tool: 'goose', test: (l) => /^--\s*\+goose\s+no\s+transaction\b/i.test(l) },
];

/** The tool whose no-transaction directive the file's leading comment lines carry, or undefined. */
export function noTransactionDirective(text: string): string | undefined {
  for (const line of leadingCommentLines(text)) {
    const hit = DIRECTIVES.find((d) => d.test(line));
    if (hit) return hit.tool;
  }
  return undefined;
}

/** True when the file's leading comments carry a no-transaction directive (ours or another tool's). */
export function hasNoTransactionDirective(text: string): boolean {
  return noTransactionDirective(text) !== undefined;
}

/**
 * diesel's `metadata.toml`: true when it sets `run_in_transaction = false`. Only that key matters
 * here, so a line-level read is enough (comments and other keys are ignored).
 */
export function dieselRunsOutsideTransaction(toml: string): boolean {
  return toml.split(/\r?\n/).some((line) => /^\s*run_in_transaction\s*=\s*false\s*(#.*)?$/.test(line));
}

/** One direction's part of a single-file migration (dbmate / goose sections), and its marker. */
export interface FileSection {
  /** The file's text with every line outside this section blanked, so parser positions stay file positions. */
  text: string;
  /** The section's own text (what its checksum covers). */
  own: string;
  noTransaction: boolean;
}

const SECTION = /^--\s*(?:migrate:(up|down)\b|\+goose\s+(up|down)\b)/i;

/**
 * Split a single `V_name.sql` file into its up and down sections (dbmate `-- migrate:up` /
 * `-- migrate:down`, goose `-- +goose Up` / `-- +goose Down`). A file without sections is all up
 * (sqlx's form). Returns undefined for down when the file has no down section.
 */
export function splitSections(text: string): { up: FileSection; down?: FileSection } {
  const lines = text.split('\n');
  const owner: ('up' | 'down' | undefined)[] = [];
  let current: 'up' | 'down' | undefined;
  let sectioned = false;
  for (const line of lines) {
    const m = SECTION.exec(line.trim());
    if (m) {
      current = (m[1] ?? m[2])!.toLowerCase() as 'up' | 'down';
      sectioned = true;
    }
    owner.push(current);
  }
  const gooseWide = lines.some((l) => /^--\s*\+goose\s+no\s+transaction\b/i.test(l.trim()));
  if (!sectioned) return { up: { text, own: text, noTransaction: hasNoTransactionDirective(text) } };
  const section = (dir: 'up' | 'down'): FileSection | undefined => {
    if (!owner.includes(dir)) return undefined;
    const kept = lines.map((l, i) => (owner[i] === dir ? l : ''));
    const own = lines.filter((_, i) => owner[i] === dir).join('\n');
    const header = lines.find((_, i) => owner[i] === dir) ?? '';
    const dbmateOff = /\btransaction:false\b/i.test(header);
    return { text: kept.join('\n'), own, noTransaction: gooseWide || dbmateOff || hasNoTransactionDirective(own) };
  };
  return { up: section('up') ?? { text: '', own: '', noTransaction: false }, down: section('down') };
}
