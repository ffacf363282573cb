/** `--run` checks: a program that prints the branch password outside a URI must not leak it into reports. */
import { describe, expect, it } from 'vitest';
import { runUserCommands } from '../../src/verify/user-commands.js';

describe('--run command output', () => {
  it('never carries the branch password, raw or URL-decoded, even printed on its own', async () => {
    const url = 'postgresql://app_owner:S3cr%21tPass@127.0.0.1:5432/app';
    const [r] = await runUserCommands(
      [
        'node -e "const u = new URL(process.env.DATABASE_URL); console.log({ password: u.password, decoded: decodeURIComponent(u.password) }); process.exit(3)"',
      ],
      url,
      process.cwd(),
    );
    expect(r).toMatchObject({ passed: false, exitCode: 3 });
    expect(r!.outputTail).toContain('password:'); // the output itself is kept...
    expect(r!.outputTail).not.toContain('S3cr%21tPass'); // ...without the secret in either form
    expect(r!.outputTail).not.toContain('S3cr!tPass');
  });
});
