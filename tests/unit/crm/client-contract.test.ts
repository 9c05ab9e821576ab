import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  batchResponseSchema,
  contactEnvelopeSchema,
  contactPageSchema,
  crmErrorSchema,
  dependenciesResponseSchema,
  mailboxEnvelopeSchema,
  meResponseSchema,
  timelineResponseSchema,
} from '@/lib/crm/schemas';
import { crmContract } from '../../support/openapi';

/**
 * The CRM client's zod schemas against `lib/crm/openapi.yaml` (issue #4: the client is checked
 * against the OpenAPI document, not only against the emulator). For every answer the client
 * reads, instances are generated from the documented schema: a minimal one (required fields only,
 * null wherever null is allowed) and a full one (every field), one per `oneOf`/`enum` branch.
 * Each is first validated against the contract itself (so the generator cannot drift), then must
 * be accepted by the client: a client stricter than the contract would refuse a valid CRM.
 */

type Json = Record<string, unknown>;
const contract = crmContract();
const MAX_SAMPLES = 6;

function deref(schema: Json): Json {
  return contract.resolve(schema, '').value;
}

/** Sample instances of a JSON schema (the subset of 2020-12 the contract uses). */
function samples(raw: Json, depth = 0): unknown[] {
  const schema = deref(raw);
  if (depth > 12) throw new Error('schema nests too deep for sampling');
  if ('const' in schema) return [schema.const];
  if (Array.isArray(schema.enum)) return schema.enum;
  const branches = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (branches) return branches.flatMap((b) => samples(b, depth + 1)).slice(0, MAX_SAMPLES);
  if (Array.isArray(schema.allOf)) return samples(mergeAll(schema.allOf as Json[]), depth + 1);
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  return types.flatMap((type) => ofType(type, schema, depth)).slice(0, MAX_SAMPLES);
}

/** `allOf` as one schema: keywords combined, properties present in both merged in turn. */
function mergeAll(parts: Json[]): Json {
  return parts.map(deref).reduce<Json>((merged, part) => {
    const properties: Record<string, Json> = { ...(merged.properties as Record<string, Json>) };
    for (const [key, value] of Object.entries((part.properties ?? {}) as Record<string, Json>)) {
      properties[key] = properties[key] ? mergeAll([properties[key], value]) : value;
    }
    return {
      ...merged,
      ...part,
      required: [...new Set([...((merged.required as string[]) ?? []), ...((part.required as string[]) ?? [])])],
      properties,
    };
  }, {});
}

function ofType(type: string, schema: Json, depth: number): unknown[] {
  switch (type) {
    case 'null':
      return [null];
    case 'boolean':
      return [true, false];
    case 'integer':
    case 'number':
      return [typeof schema.minimum === 'number' ? schema.minimum : 1];
    case 'string':
      return [sampleString(schema)];
    case 'array': {
      const min = (schema.minItems as number | undefined) ?? 0;
      const items = samples(schema.items as Json, depth + 1);
      const full = Array.from({ length: Math.max(1, min) }, (_, i) => items[i % items.length]);
      return min === 0 ? [[], full] : [full];
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const build = (keys: string[], pick: (values: unknown[]) => unknown) =>
        Object.fromEntries(keys.map((key) => [key, pick(samples(properties[key]!, depth + 1))]));
      const all = Object.keys(properties);
      // Null wherever allowed in the minimal one; the first non-null value in the full one.
      const minimal = build(all.filter((k) => required.has(k)), (v) => (v.includes(null) ? null : v[0]));
      const full = build(all, (v) => v.find((x) => x !== null) ?? v[0]);
      // A map (`additionalProperties` with a schema) that must not be empty gets one entry.
      if (Object.keys(properties).length === 0 && typeof schema.additionalProperties === 'object' && ((schema.minProperties as number) ?? 0) > 0) {
        return [{ field: samples(schema.additionalProperties as Json, depth + 1)[0] }];
      }
      const variants = all.flatMap((key) => samples(properties[key]!, depth + 1).slice(1).map((value) => ({ ...full, [key]: value })));
      return [minimal, full, ...variants].slice(0, MAX_SAMPLES);
    }
    default:
      // No type: the contract allows anything there (e.g. error `details`).
      return [{}];
  }
}

function sampleString(schema: Json): string {
  switch (schema.format) {
    case 'date-time':
      return '2026-11-25T10:00:00.000Z';
    case 'email':
      return 'dana.buyer@customer.test';
    case 'uri':
      return 'https://crm.example.com/contacts/ct-1';
  }
  if (schema.pattern === '^[a-z][a-z_]*$') return 'not_found';
  const min = (schema.minLength as number | undefined) ?? 1;
  return 'x'.repeat(Math.max(min, 1));
}

const ANSWERS: [operation: string, method: string, path: string, status: number, schema: z.ZodType][] = [
  ['getMe', 'GET', '/public/v1/me', 200, meResponseSchema],
  ['listContacts', 'GET', '/public/v1/contacts', 200, contactPageSchema],
  ['getContact', 'GET', '/public/v1/contacts/{id}', 200, contactEnvelopeSchema],
  ['createContact', 'POST', '/public/v1/contacts', 201, contactEnvelopeSchema],
  ['contactTimeline', 'GET', '/public/v1/contacts/{id}/emails', 200, timelineResponseSchema],
  ['upsertEmails', 'POST', '/public/v1/emails/batch', 200, batchResponseSchema],
  ['putMailbox', 'PUT', '/public/v1/mailboxes/{address}', 200, mailboxEnvelopeSchema],
  ['mailboxDependencies', 'GET', '/public/v1/mailboxes/{address}/dependencies', 200, dependenciesResponseSchema],
  ['error', 'GET', '/public/v1/contacts/{id}', 404, crmErrorSchema],
  ['validation error', 'POST', '/public/v1/contacts', 422, crmErrorSchema],
];

describe('the CRM client reads every answer the contract allows', () => {
  it.each(ANSWERS)('%s (%s %s → %i)', (_, method, path, status, schema) => {
    const response = contract.response(method, path, status);
    const json = (response.value.content as Record<string, Json>)['application/json']!.schema as Json;
    const instances = samples(json);
    expect(instances.length).toBeGreaterThan(1);
    for (const instance of instances) {
      // A sample the contract itself refuses would prove nothing.
      contract.check(method, path, status, instance);
      const parsed = schema.safeParse(instance);
      expect(parsed.success, `${JSON.stringify(instance)}\n${parsed.error?.message}`).toBe(true);
    }
  });
});
