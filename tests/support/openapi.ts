import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Checks HTTP answers against `lib/crm/openapi.yaml`: the status must be documented for the
 * operation (exactly, or by a `4XX`/`5XX` range), the body must match the documented JSON schema
 * (or be empty when none is documented), and required response headers must be present and
 * valid. Used by the CRM emulator tests and, through `contractFetch`, by any CRM client test.
 */

export const CRM_OPENAPI_FILE = fileURLToPath(new URL('../../lib/crm/openapi.yaml', import.meta.url));

type Json = Record<string, unknown>;
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The parsed OpenAPI document. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Json>>;
  components: Record<string, Record<string, Json>>;
  [key: string]: unknown;
}

/** A thrown error that says which operation and status broke the contract, and how. */
export class ContractError extends Error {
  override name = 'ContractError';
}

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');
const ROOT_ID = 'crm-openapi';

/** One loaded contract: the document, its compiled validators, and path matching. */
export class Contract {
  readonly doc: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp; params: number }[];

  constructor(file = CRM_OPENAPI_FILE) {
    this.doc = parse(readFileSync(file, 'utf8')) as OpenApiDocument;
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(this.ajv);
    // The document's own fields are not schema keywords; schemas are reached by JSON pointer.
    for (const keyword of ['openapi', 'info', 'servers', 'tags', 'security', 'paths', 'components']) this.ajv.addKeyword(keyword);
    this.ajv.addSchema(this.doc, ROOT_ID);
    this.templates = Object.keys(this.doc.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal segment wins over a parameter (`/emails/batch` before `/emails/{id}`).
      .sort((a, b) => a.params - b.params);
  }

  /** The documented path template for a template, absolute URL or path (query ignored). */
  pathTemplate(pathTemplateOrUrl: string): string {
    if (this.doc.paths[pathTemplateOrUrl]) return pathTemplateOrUrl;
    const pathname = new URL(pathTemplateOrUrl, 'http://contract.invalid').pathname;
    const found = this.templates.find((t) => t.pattern.test(pathname));
    if (!found) throw new ContractError(`No documented path matches ${pathname}`);
    return found.template;
  }

  /** Follows a local `$ref` (`#/components/…`), returning the object and its JSON pointer. */
  resolve(value: Json, pointer: string): { value: Json; pointer: string } {
    const ref = value.$ref;
    if (typeof ref !== 'string') return { value, pointer };
    if (!ref.startsWith('#/')) throw new ContractError(`Only local references are supported: ${ref}`);
    let target: unknown = this.doc;
    for (const segment of ref.slice(2).split('/')) target = (target as Json | undefined)?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (!target || typeof target !== 'object') throw new ContractError(`Unresolved reference ${ref}`);
    return this.resolve(target as Json, ref.slice(1));
  }

  /** The documented response of an operation for a status, with its JSON pointer. */
  response(method: string, pathTemplateOrUrl: string, status: number): { value: Json; pointer: string; label: string } {
    const template = this.pathTemplate(pathTemplateOrUrl);
    const verb = method.toLowerCase();
    const operation = this.doc.paths[template]?.[verb] as Json | undefined;
    const label = `${method.toUpperCase()} ${template}`;
    if (!operation) throw new ContractError(`${label} is not documented`);
    const responses = operation.responses as Record<string, Json>;
    const key = [String(status), `${String(status)[0]}XX`].find((k) => responses[k]);
    if (!key) throw new ContractError(`${label} answered ${status}, which is not documented (documented: ${Object.keys(responses).join(', ')})`);
    const pointer = `/paths/${escapePointer(template)}/${verb}/responses/${escapePointer(key)}`;
    return { ...this.resolve(responses[key]!, pointer), label: `${label} → ${status}` };
  }

  /** The compiled validator of the schema at a JSON pointer into the document (`/components/schemas/Contact`). */
  validatorAt(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${ROOT_ID}#${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /**
   * Throws a ContractError unless `body` (parsed JSON, or undefined for an empty body) and the
   * headers, when given, are what the contract documents for this operation and status.
   */
  check(method: string, pathTemplateOrUrl: string, status: number, body: unknown, headers?: Headers): void {
    const response = this.response(method, pathTemplateOrUrl, status);
    const content = response.value.content as Record<string, Json> | undefined;
    if (!content) {
      if (body !== undefined && body !== null && body !== '') throw new ContractError(`${response.label}: documented without a body, got ${JSON.stringify(body).slice(0, 200)}`);
    } else {
      if (!content['application/json']) throw new ContractError(`${response.label}: only JSON bodies can be checked`);
      const validate = this.validatorAt(`${response.pointer}/content/application~1json/schema`);
      if (!validate(body)) {
        const errors = this.ajv.errorsText(validate.errors, { dataVar: 'body', separator: '\n  ' });
        throw new ContractError(`${response.label}: the body does not match the contract:\n  ${errors}\nbody: ${JSON.stringify(body).slice(0, 1000)}`);
      }
    }
    if (headers) this.checkHeaders(response, headers);
  }

  private checkHeaders(response: { value: Json; pointer: string; label: string }, headers: Headers): void {
    for (const [name, raw] of Object.entries((response.value.headers ?? {}) as Record<string, Json>)) {
      const header = this.resolve(raw, `${response.pointer}/headers/${escapePointer(name)}`);
      const value = headers.get(name);
      if (value === null) {
        if (header.value.required === true) throw new ContractError(`${response.label}: required header ${name} is missing`);
        continue;
      }
      const validate = this.validatorAt(`${header.pointer}/schema`);
      if (!validate(value)) throw new ContractError(`${response.label}: header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(validate.errors)}`);
    }
  }
}

let shared: Contract | undefined;

/** The CRM contract, loaded once per test file. */
export function crmContract(): Contract {
  shared ??= new Contract();
  return shared;
}

/** Asserts that an answer matches the CRM contract; see `Contract.check`. */
export function expectMatchesContract(method: string, pathTemplateOrUrl: string, status: number, body: unknown, headers?: Headers): void {
  crmContract().check(method, pathTemplateOrUrl, status, body, headers);
}

/**
 * A `fetch` that checks every answer against the CRM contract before handing it on (with its
 * body intact), so no response in a test escapes validation. Give it to a CRM client under test.
 */
export function contractFetch(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const url = input instanceof Request ? input.url : String(input);
    const text = await response.text();
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ContractError(`${method} ${url} → ${response.status}: the body is not JSON: ${text.slice(0, 200)}`);
      }
    }
    crmContract().check(method, url, response.status, body, response.headers);
    return new Response(text === '' ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
