/**
 * Validates Neon API responses against the OpenAPI spec shipped in @neondatabase/api-client, with
 * ajv (OpenAPI 3.0's `nullable` converted to JSON Schema). Used by every server test through the
 * validating proxy, so any answer of `local serve` that Neon's spec would reject fails the test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

type Json = unknown;
interface OpenApiOperation {
  responses?: Record<string, Json>;
}

const require = createRequire(import.meta.url);
const specPath = join(
  dirname(require.resolve('@neondatabase/api-client/package.json')),
  'public-v2-for-users.gen.yaml',
);

/** OpenAPI 3.0 schema → JSON Schema: `nullable`, local $refs pointing into the registered spec. */
function convert(node: Json): Json {
  if (Array.isArray(node)) return node.map(convert);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node as Record<string, Json>)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out.$ref = `spec.json${value}`;
    else out[key] = convert(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

interface SpecRoute {
  method: string;
  pattern: RegExp;
  template: string;
  operation: OpenApiOperation;
}

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly routes: SpecRoute[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly spec: Record<string, Json>;

  constructor() {
    this.spec = parse(readFileSync(specPath, 'utf8')) as Record<string, Json>;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
    addFormats(this.ajv);
    for (const f of ['int32', 'int64', 'uint32', 'uint64'])
      this.ajv.addFormat(f, { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addSchema(convert({ components: this.spec.components }) as object, 'spec.json');
    const paths = this.spec.paths as Record<string, Record<string, OpenApiOperation>>;
    for (const [template, item] of Object.entries(paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const operation = item[method];
        if (operation) this.routes.push({ method: method.toUpperCase(), pattern, template, operation });
      }
    }
    // Literal paths (e.g. /branches/count) must win over templated ones.
    this.routes.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  /** Problems with one response (empty = conforms). `path` is after /api/v2. */
  check(method: string, path: string, status: number, body: Json): string[] {
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) return [`${method} ${path}: not an operation of the Neon API spec`];
    const responses = route.operation.responses ?? {};
    let response = (responses[String(status)] ?? responses.default) as Record<string, Json> | undefined;
    if (!response) return [`${method} ${route.template}: status ${status} is not documented`];
    if (typeof response.$ref === 'string') {
      const name = response.$ref.split('/').pop()!;
      response = ((this.spec.components as Record<string, Record<string, Json>>).responses?.[name] ?? {}) as Record<
        string,
        Json
      >;
    }
    const schema = (response.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema;
    if (!schema) return body === undefined ? [] : [`${method} ${route.template} ${status}: spec documents no body`];
    const key = `${route.method} ${route.template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(convert(schema) as object);
      this.compiled.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
  }
}
