// JSON schemas of the project payloads (item, detail, list, summary) and the serializer compiled from the item schema,
// so the stored read model (`projects.item_json`) and the documented response are one shape, byte for byte.
import fastJson from 'fast-json-stringify';
import { PROJECT_STATUSES, REASON_CODES, type ProjectItem } from '../../core/index.js';

const nullableString = { type: ['string', 'null'] } as const;
const reasonCode = { type: 'string', enum: [...REASON_CODES] } as const;

/** One project in `GET /projects` (SPEC 4.2); key order here is the key order of every stored item. */
export const projectItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'number', 'name', 'status', 'reason', 'accounts', 'ballInCourt', 'procore', 'lastSyncAt'],
  properties: {
    id: { type: 'string', description: 'NCS id: prj_ and 20 base32 characters' },
    number: { type: 'string', description: 'NPC project number' },
    name: { type: 'string' },
    status: { type: 'string', enum: [...PROJECT_STATUSES] },
    reason: { type: ['string', 'null'], enum: [...REASON_CODES, null], description: 'null when connected' },
    accounts: {
      type: 'array',
      description: 'Every ball-in-court account that needs a person to act',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['login', 'procoreUserId', 'reason'],
        properties: { login: { type: 'string' }, procoreUserId: nullableString, reason: reasonCode },
      },
    },
    ballInCourt: {
      type: 'array',
      description: 'Ball-in-court assignments in failover order',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'displayName', 'procoreLogin', 'procoreUserId'],
        properties: {
          username: { type: 'string' },
          displayName: nullableString,
          procoreLogin: { type: 'string' },
          procoreUserId: nullableString,
        },
      },
    },
    procore: {
      type: 'object',
      additionalProperties: false,
      required: ['companyId', 'projectId'],
      properties: { companyId: { type: 'string' }, projectId: { type: 'string' } },
    },
    lastSyncAt: { ...nullableString, format: 'date-time' },
  },
} as const;

const warningSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'account', 'message'],
  properties: { code: reasonCode, account: { type: 'string' }, message: { type: 'string' } },
} as const;

/** `GET /projects/{ref}`: the item plus what explains it. */
export const projectDetailSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...projectItemSchema.required, 'summary', 'description', 'remedy', 'since', 'warnings', 'sync'],
  properties: {
    ...projectItemSchema.properties,
    summary: nullableString,
    description: nullableString,
    remedy: { type: 'array', items: { type: 'string' } },
    since: { ...nullableString, format: 'date-time' },
    warnings: { type: 'array', items: warningSchema },
    sync: {
      type: 'object',
      additionalProperties: false,
      required: ['lastSyncAt', 'lastError', 'rfis', 'submittals'],
      properties: {
        lastSyncAt: { ...nullableString, format: 'date-time' },
        lastError: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['code', 'message', 'at'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
        },
        rfis: { type: 'integer' },
        submittals: { type: 'integer' },
      },
    },
  },
} as const;

export const projectListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: projectItemSchema },
    nextCursor: { ...nullableString, description: 'Pass as `cursor` for the next page; null on the last page' },
  },
} as const;

export const projectSummarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connected', 'lost', 'degraded'],
  properties: { connected: { type: 'integer' }, lost: { type: 'integer' }, degraded: { type: 'integer' } },
} as const;

/** How every stored item starts (`id` is the schema's first key); the list query relies on it to split items. */
export const ITEM_JSON_PREFIX = '{"id":"';

const stringifyItem = fastJson(projectItemSchema as unknown as fastJson.AnySchema);

/** The exact JSON of one API item: what `item_json` stores and the list route concatenates. */
export function serializeProjectItem(item: ProjectItem): string {
  return stringifyItem(item);
}
