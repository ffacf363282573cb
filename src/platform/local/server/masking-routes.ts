/**
 * Neon's anonymized-branch endpoints served by `local serve` (issue 13): create a masked branch
 * (`branch_anonymized`), read its `anonymized_status` and its `masking_rules`. The engine masks while
 * creating, so the branch is `anonymized` when the create answers. Masking functions are limited
 * to the expressions neon-migrate itself sends (and literal values): the engine has no Anonymizer.
 */
import { fromNeonRule, type MaskingRule, type NeonMaskingRule, toNeonRule } from '../../../masking/rules.js';
import type { MaskingStatus, Platform } from '../../types.js';
import { HttpError } from './http.js';
import type { Route, RouteHelpers } from './routes.js';

const ID = '([a-z0-9-]{1,60})';
const RULE_FIELDS = ['database_name', 'schema_name', 'table_name', 'column_name'] as const;

/** The request's masking rules as typed rules, or a 400 naming every rule that is not one. */
function parseRules(value: unknown): MaskingRule[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new HttpError(400, 'masking_rules must be a non-empty array of MaskingRule objects');
  const problems: string[] = [];
  const rules: MaskingRule[] = [];
  value.forEach((raw, i) => {
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const missing = RULE_FIELDS.filter((f) => typeof r[f] !== 'string' || !r[f]);
    const optional = ['masking_function', 'masking_value'].filter(
      (f) => r[f] !== undefined && typeof r[f] !== 'string',
    );
    if (missing.length || optional.length) {
      problems.push(`masking_rules[${i}]: ${[...missing, ...optional].join(', ')} must be strings`);
      return;
    }
    const parsed = fromNeonRule(r as unknown as NeonMaskingRule);
    if (typeof parsed === 'string') problems.push(`masking_rules[${i}]: ${parsed}`);
    else rules.push(parsed);
  });
  if (problems.length) throw new HttpError(400, problems.join('; '));
  return rules;
}

/** Neon's AnonymizedBranchStatusResponse. */
function statusJson(s: MaskingStatus, projectId: string, branchId: string): Record<string, unknown> {
  return {
    project_id: projectId,
    branch_id: branchId,
    state: s.state,
    ...(s.message ? { status_message: s.message } : {}),
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    ...(s.failedAt ? { failed_at: s.failedAt } : {}),
    last_run: {
      started_at: s.createdAt,
      completed_at: s.updatedAt,
      ...(s.maskedColumns !== undefined ? { masked_columns: s.maskedColumns } : {}),
    },
  };
}

/** The branch's masking status, or 404 when it is not an anonymized branch. */
async function statusOf(platform: Platform, h: RouteHelpers, id: string): Promise<MaskingStatus> {
  const branch = await h.branchById(id);
  const status = await platform.maskingStatus?.(branch.id);
  if (!status) throw new HttpError(404, `branch ${branch.id} is not an anonymized branch`, 'BRANCH_NOT_ANONYMIZED');
  return status;
}

/** The anonymized-branch routes of one project. */
export function maskingRoutes(platform: Platform, h: RouteHelpers): Route[] {
  return [
    [
      'POST',
      new RegExp(`^/projects/${ID}/branch_anonymized$`),
      async (_p, req) => {
        const body = h.object(req.body);
        const rules = parseRules(body.masking_rules);
        if (body.start_anonymization !== true)
          throw new HttpError(
            400,
            'local serve anonymizes while creating the branch: set start_anonymization to true (it has no unmasked "initialized" state)',
          );
        if (!platform.maskingStatus) throw new HttpError(404, 'this platform has no anonymized branches');
        const create = h.object(body.branch_create);
        const annotations = body.annotation_value ?? create.annotation_value;
        return h.createBranch(create, annotations, rules);
      },
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}/anonymized_status$`),
      async ([projectId, id]) => ({ status: 200, body: statusJson(await statusOf(platform, h, id!), projectId!, id!) }),
    ],
    [
      'GET',
      new RegExp(`^/projects/${ID}/branches/${ID}/masking_rules$`),
      async ([, id]) => ({
        status: 200,
        body: { masking_rules: (await statusOf(platform, h, id!)).rules.map(toNeonRule) },
      }),
    ],
  ];
}
