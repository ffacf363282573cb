/** Reads the Neon settings from the environment: NEON_API_KEY, NEON_PROJECT_ID, NEON_API_HOST. */
import { ConfigError } from '../../errors.js';

/** The default Neon API v2 base URL. */
export const DEFAULT_NEON_API_HOST = 'https://console.neon.tech/api/v2';

export interface NeonEnvConfig {
  apiKey: string;
  projectId: string;
  /** Base URL of the API v2, without a trailing slash. */
  baseURL: string;
}

/** Parse and validate the Neon settings; a malformed value is a ConfigError (exit 2). */
export function readNeonConfig(env: NodeJS.ProcessEnv): NeonEnvConfig {
  const apiKey = (env.NEON_API_KEY ?? '').trim();
  const projectId = (env.NEON_PROJECT_ID ?? '').trim();
  const problems: { file: string; key: string; message: string }[] = [];
  if (!apiKey) problems.push({ file: 'environment', key: 'NEON_API_KEY', message: 'is empty' });
  if (!/^[a-z0-9-]{1,60}$/.test(projectId)) {
    problems.push({
      file: 'environment',
      key: 'NEON_PROJECT_ID',
      message: `"${projectId}" is not a Neon project id (lowercase letters, digits and dashes, e.g. "shiny-wind-028834")`,
    });
  }
  const host = (env.NEON_API_HOST ?? '').trim();
  let baseURL = DEFAULT_NEON_API_HOST;
  if (host) {
    const problem = apiHostProblem(host);
    if (problem) problems.push({ file: 'environment', key: 'NEON_API_HOST', message: problem });
    else baseURL = host.replace(/\/+$/, '');
  }
  if (problems.length) {
    throw new ConfigError(problems, {
      hint: 'fix the variable in your shell or .env (unset NEON_API_KEY to use the local engine)',
    });
  }
  return { apiKey, projectId, baseURL };
}

/** Why a NEON_API_HOST value cannot be used, or undefined when it is fine. */
function apiHostProblem(host: string): string | undefined {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return `"${host}" is not a URL (expected e.g. https://console.neon.tech/api/v2)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${host}" must use http or https`;
  if (url.username || url.password) return 'must not contain credentials (put the key in NEON_API_KEY)';
  if (url.search || url.hash) return `"${host}" must not have a query or fragment`;
  if (!url.hostname) return `"${host}" has no host name`;
  return undefined;
}
