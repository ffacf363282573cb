/**
 * The bad-input table of the chaos suite (issue 14): each case is one CLI invocation that must end
 * with the given exit code and a one-line error naming the problem and its fix, changing nothing.
 */

/** Files a case writes into the project before it runs (removed afterwards); `null` removes. */
export type CaseFiles = Record<string, string | Buffer | null>;

export interface BadInput {
  name: string;
  args: string[];
  /** Exit code: 2 usage/config/file, 4 platform (e.g. branch not found, as Neon answers 404). */
  exit: number;
  /** What the one error line must say. */
  message: RegExp;
  files?: CaseFiles;
  env?: Record<string, string>;
}

const MIG = 'migrations';
const V = '20990101T000000';
const up = (body: string | Buffer): CaseFiles => ({ [`${MIG}/${V}_chaos.up.sql`]: body });
const latin1 = Buffer.from("INSERT INTO users (email) VALUES ('caf\xe9@example.com');\n", 'latin1');

/** A fake key: the secrets scan checks it never appears in any output. */
export const FAKE_API_KEY = 'napi_chaosSuiteSecretKey0123456789abcdef';
/** Neon credentials pointing at a port nothing listens on: any network call would fail with exit 4. */
export const NEON = {
  NEON_API_KEY: FAKE_API_KEY,
  NEON_PROJECT_ID: 'chaos-project-123456',
  NEON_API_HOST: 'http://127.0.0.1:9/api/v2',
};

const SETTINGS = 'neon-migrate.json';
const settings = (extra: Record<string, unknown>): string =>
  JSON.stringify({
    migrationsDir: 'migrations',
    environmentsDir: 'environments',
    scriptsDir: 'scripts',
    defaultBranch: 'main',
    local: { seed: 'scripts/seed/demo-data.sql' },
    ...extra,
  });

export const BAD_INPUTS: BadInput[] = [
  // migration files: encoding
  {
    name: 'invalid UTF-8 in an up (plan)',
    args: ['plan', '--branch', 'dev'],
    files: up(latin1),
    exit: 2,
    message: /_chaos\.up\.sql:1:\d+: not valid UTF-8/,
  },
  {
    name: 'invalid UTF-8 in an up (up)',
    args: ['up', '--branch', 'dev', '--yes'],
    files: up(latin1),
    exit: 2,
    message: /_chaos\.up\.sql:1:\d+: not valid UTF-8/,
  },
  {
    name: 'invalid UTF-8 in an up (test)',
    args: ['test', '--branch', 'dev', '--yes'],
    files: up(latin1),
    exit: 2,
    message: /not valid UTF-8/,
  },
  {
    name: 'invalid UTF-8 on line 3',
    args: ['plan', '--branch', 'dev'],
    files: up(Buffer.concat([Buffer.from("SELECT 1;\n\nSELECT '"), Buffer.from([0xc3, 0x28]), Buffer.from("';\n")])),
    exit: 2,
    message: /:3:9: not valid UTF-8 \(byte 0xc3\)/,
  },
  {
    name: 'truncated UTF-8 sequence at the end',
    args: ['plan', '--branch', 'dev'],
    files: up(Buffer.concat([Buffer.from('SELECT 1; -- '), Buffer.from([0xe2, 0x82])])),
    exit: 2,
    message: /not valid UTF-8/,
  },
  {
    name: 'invalid UTF-8 in a down',
    args: ['plan', '--branch', 'dev'],
    files: { ...up('SELECT 1;\n'), [`${MIG}/${V}_chaos.down.sql`]: latin1 },
    exit: 2,
    message: /_chaos\.down\.sql:1:\d+: not valid UTF-8/,
  },
  {
    name: 'invalid UTF-8 in a .ts migration',
    args: ['plan', '--branch', 'dev'],
    files: {
      [`${MIG}/${V}_chaos.ts`]: Buffer.concat([
        Buffer.from('// caf'),
        Buffer.from([0xe9]),
        Buffer.from('\nexport async function up() {}\n'),
      ]),
    },
    exit: 2,
    message: /_chaos\.ts:1:7: not valid UTF-8/,
  },
  // migration files: empty
  {
    name: 'empty up (plan)',
    args: ['plan', '--branch', 'dev'],
    files: up(''),
    exit: 2,
    message: /_chaos\.up\.sql: has no SQL statements \(empty file\)/,
  },
  {
    name: 'empty up (up)',
    args: ['up', '--branch', 'dev', '--yes'],
    files: up(''),
    exit: 2,
    message: /_chaos\.up\.sql: has no SQL statements \(empty file\)/,
  },
  {
    name: 'empty up (status)',
    args: ['status', '--branch', 'dev'],
    files: up(''),
    exit: 2,
    message: /has no SQL statements/,
  },
  {
    name: 'whitespace-only up',
    args: ['plan', '--branch', 'dev'],
    files: up('\n  \n\t\n'),
    exit: 2,
    message: /has no SQL statements \(empty file\)/,
  },
  {
    name: 'comment-only up',
    args: ['up', '--branch', 'dev', '--yes'],
    files: up('-- add the column later\n/* nothing */\n'),
    exit: 2,
    message: /_chaos\.up\.sql: has no SQL statements \(comments only\)/,
  },
  {
    name: 'comment-only down',
    args: ['plan', '--branch', 'dev'],
    files: { ...up('SELECT 1;\n'), [`${MIG}/${V}_chaos.down.sql`]: '-- undo\n' },
    exit: 2,
    message: /_chaos\.down\.sql: has no SQL statements/,
  },
  {
    name: 'a scaffolded migration left unwritten',
    args: ['up', '--branch', 'dev', '--yes'],
    files: { ...up('-- chaos: the change\n'), [`${MIG}/${V}_chaos.down.sql`]: '-- chaos: undo the change\n' },
    exit: 2,
    message: /has no SQL statements \(comments only\); .*down\.sql: has no SQL statements/,
  },
  // migration files: syntax and shape
  {
    name: '.ts syntax error',
    args: ['plan', '--branch', 'dev'],
    files: {
      [`${MIG}/${V}_chaos.ts`]: 'export async function up(ctx) {\n  await ctx.client.query("SELECT 1")\n  let = ;\n}\n',
    },
    exit: 2,
    message: /_chaos\.ts:3:9: syntax error: Unexpected ";"/,
  },
  {
    name: '.ts unterminated string',
    args: ['up', '--branch', 'dev', '--yes'],
    files: { [`${MIG}/${V}_chaos.ts`]: 'export async function up() {\n  const s = "open;\n}\n' },
    exit: 2,
    message: /_chaos\.ts:2:\d+: syntax error: Unterminated string literal/,
  },
  {
    name: '.ts without an up export',
    args: ['plan', '--branch', 'dev'],
    files: { [`${MIG}/${V}_chaos.ts`]: 'export async function down() {}\n' },
    exit: 2,
    message: /_chaos\.ts: does not export an up\(ctx\) function/,
  },
  {
    name: '.ts throwing while loading',
    args: ['plan', '--branch', 'dev'],
    files: { [`${MIG}/${V}_chaos.ts`]: "throw new Error('boom at load');\nexport function up() {}\n" },
    exit: 2,
    message: /_chaos\.ts: cannot be loaded: boom at load/,
  },
  {
    name: 'SQL syntax error',
    args: ['up', '--branch', 'dev', '--yes'],
    files: up('CREATE TABLE chaos (id int;\n'),
    exit: 2,
    message: /_chaos\.up\.sql:1:\d+: syntax error/,
  },
  {
    name: 'not a migration name',
    args: ['plan', '--branch', 'dev'],
    files: { [`${MIG}/add_things.up.sql`]: 'SELECT 1;\n' },
    exit: 2,
    message: /add_things\.up\.sql: not a migration name/,
  },
  {
    name: 'duplicate version',
    args: ['plan', '--branch', 'dev'],
    files: { ...up('SELECT 1;\n'), [`${MIG}/${V}_other.up.sql`]: 'SELECT 2;\n' },
    exit: 2,
    message: /duplicate version/,
  },
  {
    name: 'a down without an up',
    args: ['plan', '--branch', 'dev'],
    files: { [`${MIG}/${V}_chaos.down.sql`]: 'SELECT 1;\n' },
    exit: 2,
    message: /a down without an up/,
  },
  {
    name: 'a stray file in migrations/',
    args: ['plan', '--branch', 'dev'],
    files: { [`${MIG}/notes.txt`]: 'todo\n' },
    exit: 2,
    message: /notes\.txt: not a migration file/,
  },
  {
    name: 'CONCURRENTLY inside a transaction',
    args: ['up', '--branch', 'dev', '--yes'],
    files: up('CREATE INDEX CONCURRENTLY chaos_idx ON users (email);\n'),
    exit: 2,
    message: /CONCURRENTLY|transaction/,
  },
  {
    name: 'one migration in two forms',
    args: ['plan', '--branch', 'dev'],
    files: { ...up('SELECT 1;\n'), [`${MIG}/${V}_chaos.ts`]: 'export async function up() {}\n' },
    exit: 2,
    message: /defined in more than one form/,
  },
  {
    name: 'a migration folder without up.sql',
    args: ['plan', '--branch', 'dev'],
    files: { [`${MIG}/${V}_chaos/down.sql`]: 'SELECT 1;\n' },
    exit: 2,
    message: /no up\.sql in the migration folder/,
  },
  // configuration
  {
    name: 'migrationsDir is a file',
    args: ['plan', '--branch', 'dev'],
    files: { [SETTINGS]: settings({ migrationsDir: 'README.chaos' }), 'README.chaos': 'not a folder\n' },
    exit: 2,
    message: /migrationsDir: "README\.chaos" is a file, not a folder/,
  },
  {
    name: 'migrationsDir is missing (plan)',
    args: ['plan', '--branch', 'dev'],
    files: { [SETTINGS]: settings({ migrationsDir: 'db/nowhere' }) },
    exit: 2,
    message: /migrations folder "db\/nowhere" not found/,
  },
  {
    name: 'migrationsDir is missing (up)',
    args: ['up', '--branch', 'dev', '--yes'],
    files: { [SETTINGS]: settings({ migrationsDir: 'db/nowhere' }) },
    exit: 2,
    message: /migrations folder "db\/nowhere" not found/,
  },
  {
    name: 'migrationsDir is missing (status)',
    args: ['status', '--branch', 'dev'],
    files: { [SETTINGS]: settings({ migrationsDir: 'db/nowhere' }) },
    exit: 2,
    message: /migrations folder "db\/nowhere" not found/,
  },
  {
    name: 'neon-migrate.json is not JSON',
    args: ['status'],
    files: { [SETTINGS]: '{ "migrationsDir": ' },
    exit: 2,
    message: /neon-migrate\.json/,
  },
  {
    name: 'neon-migrate.json has a wrong type',
    args: ['status'],
    files: { [SETTINGS]: settings({ checkpoints: { keepLast: 'many' } }) },
    exit: 2,
    message: /keepLast/,
  },
  {
    name: 'an environment file is not JSON',
    args: ['test', '--branch', 'dev', '--yes'],
    files: { 'environments/dev.json': '{ "branch": ' },
    exit: 2,
    message: /dev\.json/,
  },
  { name: 'an unknown environment', args: ['test', '--branch', 'nosuchenv', '--yes'], exit: 2, message: /nosuchenv/ },
  {
    name: '--dotenv file missing',
    args: ['--dotenv', 'nope.env', 'status'],
    exit: 2,
    message: /nope\.env: env file not found/,
  },
  { name: '--dotenv is a folder', args: ['--dotenv', 'migrations', 'status'], exit: 2, message: /is not a file/ },
  // Node 20 reads --env-file itself when the file is not in the current folder (exit 9); when it is, the alias reaches us
  {
    name: '--env-file (alias) is read by neon-migrate',
    args: ['--env-file', '.env.half', 'status'],
    files: { '.env.half': `NEON_PROJECT_ID=${'chaos-project-123456'}\n` },
    exit: 2,
    message: /NEON_API_KEY: is not set while NEON_PROJECT_ID is/,
  },
  // Neon credentials: all or nothing, and well-formed
  {
    name: 'NEON_API_KEY without NEON_PROJECT_ID',
    args: ['branches', 'list'],
    env: { NEON_API_KEY: FAKE_API_KEY },
    exit: 2,
    message: /NEON_PROJECT_ID: is not set while NEON_API_KEY is/,
  },
  {
    name: 'NEON_PROJECT_ID without NEON_API_KEY',
    args: ['status'],
    env: { NEON_PROJECT_ID: NEON.NEON_PROJECT_ID },
    exit: 2,
    message: /NEON_API_KEY: is not set while NEON_PROJECT_ID is/,
  },
  {
    name: 'half credentials from a dotenv file',
    args: ['--dotenv', '.env.chaos', 'branches', 'list'],
    files: { '.env.chaos': `NEON_API_KEY=${FAKE_API_KEY}\n` },
    exit: 2,
    message: /NEON_PROJECT_ID: is not set/,
  },
  {
    name: 'half credentials: local commands refuse too',
    args: ['local', 'status'],
    env: { NEON_API_KEY: FAKE_API_KEY },
    exit: 2,
    message: /NEON_PROJECT_ID: is not set/,
  },
  {
    name: 'a malformed NEON_PROJECT_ID',
    args: ['branches', 'list'],
    env: { ...NEON, NEON_PROJECT_ID: 'Not A Project!' },
    exit: 2,
    message: /NEON_PROJECT_ID/,
  },
  {
    name: 'NEON_API_HOST with the key in it',
    args: ['branches', 'list'],
    env: { ...NEON, NEON_API_HOST: `https://user:${FAKE_API_KEY}@console.neon.tech/api/v2` },
    exit: 2,
    message: /NEON_API_HOST: must not contain credentials/,
  },
  {
    name: 'NEON_API_HOST not a URL',
    args: ['branches', 'list'],
    env: { ...NEON, NEON_API_HOST: 'console dot neon' },
    exit: 2,
    message: /NEON_API_HOST: "console dot neon" is not a URL/,
  },
  // input checked before any API call (the Neon host above is unreachable: a call would be exit 4)
  {
    name: 'Neon: restore --timestamp malformed',
    args: ['restore', '--branch', 'main', '--from-branch', 'dev', '--timestamp', 'yesterday', '--yes'],
    env: NEON,
    exit: 2,
    message: /--timestamp "yesterday" is not an RFC 3339 timestamp/,
  },
  {
    name: 'Neon: restore --timestamp month 13',
    args: ['restore', '--branch', 'main', '--timestamp', '2026-13-01T00:00:00Z', '--yes'],
    env: NEON,
    exit: 2,
    message: /is not an RFC 3339 timestamp/,
  },
  {
    name: 'Neon: restore --timestamp without zone',
    args: ['restore', '--branch', 'main', '--timestamp', '2026-11-20T10:15:00', '--yes'],
    env: NEON,
    exit: 2,
    message: /is not an RFC 3339 timestamp/,
  },
  {
    name: 'Neon: restore --lsn malformed',
    args: ['restore', '--branch', 'main', '--lsn', 'xyz', '--yes'],
    env: NEON,
    exit: 2,
    message: /--lsn "xyz" is not an LSN/,
  },
  {
    name: 'Neon: restore --timestamp and --lsn',
    args: ['restore', '--branch', 'main', '--timestamp', '2026-11-20T10:15:00Z', '--lsn', '0/1'],
    env: NEON,
    exit: 2,
    message: /mutually exclusive/,
  },
  {
    name: 'Neon: restore without a source',
    args: ['restore', '--branch', 'main', '--yes'],
    env: NEON,
    exit: 2,
    message: /restore needs a source/,
  },
  {
    name: 'Neon: restore --preserve-under-name with spaces',
    args: ['restore', '--branch', 'main', '--from-branch', 'dev', '--preserve-under-name', 'old main', '--yes'],
    env: NEON,
    exit: 2,
    message: /invalid --preserve-under-name "old main": contains whitespace/,
  },
  {
    name: 'Neon: branches create ../x y',
    args: ['branches', 'create', '../x y'],
    env: NEON,
    exit: 2,
    message: /invalid branch name "\.\.\/x y"/,
  },
  {
    name: 'Neon: branches create --timestamp malformed',
    args: ['branches', 'create', 'feature/x', '--timestamp', 'now'],
    env: NEON,
    exit: 2,
    message: /--timestamp "now" is not an RFC 3339 timestamp/,
  },
  {
    name: 'Neon: unknown command flag',
    args: ['branches', 'list', '--bogus'],
    env: NEON,
    exit: 2,
    message: /unknown option '--bogus'/,
  },
  // branch names (local engine)
  {
    name: 'branch name ../x y',
    args: ['branches', 'create', '../x y'],
    exit: 2,
    message: /invalid branch name "\.\.\/x y": contains whitespace/,
  },
  {
    name: 'branch name with a .. segment',
    args: ['branches', 'create', 'feature/../main'],
    exit: 2,
    message: /"\." or "\.\." path segment/,
  },
  {
    name: 'branch name ending in /',
    args: ['branches', 'create', 'feature/'],
    exit: 2,
    message: /starts or ends with "\/"/,
  },
  { name: 'branch name with a semicolon', args: ['branches', 'create', 'x;rm'], exit: 2, message: /contains ";"/ },
  { name: 'branch name with a quote', args: ['branches', 'create', "it's"], exit: 2, message: /contains "'"/ },
  { name: 'branch name with a tab', args: ['branches', 'create', 'a\tb'], exit: 2, message: /contains whitespace/ },
  {
    name: 'branch name of 300 characters',
    args: ['branches', 'create', 'b'.repeat(300)],
    exit: 2,
    message: /is 300 characters long \(at most 256\)/,
  },
  { name: 'branch name empty', args: ['branches', 'create', ''], exit: 2, message: /invalid branch name "": is empty/ },
  { name: 'branch name taken', args: ['branches', 'create', 'dev'], exit: 4, message: /branch "dev" already exists/ },
  {
    name: 'branches create --lsn malformed',
    args: ['branches', 'create', 'feature/lsn', '--lsn', '12345'],
    exit: 2,
    message: /--lsn "12345" is not an LSN/,
  },
  {
    name: 'branches create --timestamp and --lsn',
    args: ['branches', 'create', 'feature/both', '--timestamp', '2026-11-20T10:15:00Z', '--lsn', '0/1'],
    exit: 2,
    message: /mutually exclusive/,
  },
  {
    name: 'branches create --parent unknown',
    args: ['branches', 'create', 'feature/p', '--parent', 'mian'],
    exit: 4,
    message: /branch "mian" not found \(nearest existing: main/,
  },
  // unknown branches: at most 5 nearest names
  {
    name: 'status on an unknown branch',
    args: ['status', '--branch', 'mian'],
    exit: 4,
    message: /branch "mian" not found \(nearest existing: main/,
  },
  {
    name: 'plan on an unknown branch',
    args: ['plan', '--branch', 'nosuch'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'up on an unknown branch',
    args: ['up', '--branch', 'nosuch', '--yes'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'checkpoints prune --branch unknown',
    args: ['checkpoints', 'prune', '--branch', 'nosuch', '--yes'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'checkpoints list --branch unknown',
    args: ['checkpoints', 'list', '--branch', 'deev'],
    exit: 4,
    message: /branch "deev" not found \(nearest existing: dev/,
  },
  {
    name: 'connection-string of an unknown branch',
    args: ['connection-string', 'nosuch'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'diff against an unknown branch',
    args: ['diff', '--from', 'main', '--to', 'nosuch'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'delete an unknown branch',
    args: ['branches', 'delete', 'nosuch', '--yes'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'rollback an unknown branch',
    args: ['rollback', '--branch', 'nosuch', '--yes'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'restore an unknown branch',
    args: ['restore', '--branch', 'nosuch', '--from-branch', 'main', '--yes'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'restore from an unknown branch',
    args: ['restore', '--branch', 'dev', '--from-branch', 'nosuch', '--yes'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  {
    name: 'local start of an unknown branch',
    args: ['local', 'start', 'nosuch'],
    exit: 4,
    message: /branch "nosuch" not found/,
  },
  // flags
  {
    name: 'up --steps not a number',
    args: ['up', '--branch', 'dev', '--steps', 'abc', '--yes'],
    exit: 2,
    message: /--steps/,
  },
  {
    name: 'up --steps negative',
    args: ['up', '--branch', 'dev', '--steps', '-1', '--yes'],
    exit: 2,
    message: /--steps/,
  },
  {
    name: 'restore --from-checkpoint with --from-branch',
    args: ['restore', '--branch', 'dev', '--from-checkpoint', 'latest', '--from-branch', 'main'],
    exit: 2,
    message: /cannot be combined/,
  },
  { name: 'an unknown command', args: ['migrate'], exit: 2, message: /unknown command 'migrate'/ },
  { name: 'an unknown option', args: ['status', '--verbose'], exit: 2, message: /unknown option '--verbose'/ },
  {
    name: 'a missing required option',
    args: ['rollback'],
    exit: 2,
    message: /required option '-b, --branch <branch>' not specified/,
  },
  {
    name: 'delete without --yes off a TTY',
    args: ['branches', 'delete', 'dev'],
    exit: 2,
    message: /confirmation needed: .*pass --yes/,
  },
  {
    name: 'local destroy without --yes off a TTY',
    args: ['local', 'destroy'],
    exit: 2,
    message: /confirmation needed: delete the local engine/,
  },
  {
    name: '-C to a missing folder',
    args: ['-C', '/nonexistent/chaos-project', 'status'],
    exit: 2,
    message: /nonexistent\/chaos-project/,
  },
];
