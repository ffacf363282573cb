/** Child process for the crash test: restores a branch of a local project (the test kills it midway). */
import { settingsSchema } from '../../../src/config/schema.js';
import { openLocalPlatform } from '../../../src/platform/local/index.js';

const [dir, target, source] = process.argv.slice(2);
const settings = settingsSchema.parse({ local: { historyRetentionSeconds: 3600 } });
const platform = await openLocalPlatform({ projectDir: dir, env: process.env, settings });
await platform.restoreBranch(target, { source });
process.stdout.write('restored\n');
