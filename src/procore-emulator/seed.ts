// The seed format (POST /__emulator/seed, --seed FILE): its types and its validation into a normalized seed.
import type { ProcoreId } from './ids.js';
import {
  BadRequestError,
  asArray,
  asObject,
  onlyKeys,
  optionalBoolean,
  optionalId,
  optionalTimestamp,
  requiredId,
  requiredString,
  type JsonObject,
} from './validation.js';

/** An id as a seed may give it: a JSON number or a decimal string (for ids a JSON tool might round). */
export type SeedId = number | string;

/** The seed as JSON carries it. */
export interface EmulatorSeed {
  companies: { id: SeedId; name: string }[];
  projects: { id: SeedId; companyId: SeedId; name: string }[];
  accounts: { id: SeedId; login: string; name: string; password: string }[];
  /** Tools default to allowed; an account absent from a project has no access to it at all. */
  access: { projectId: SeedId; login: string; tools?: { rfis?: boolean; submittals?: boolean } }[];
  items?: {
    rfis?: { projectId: SeedId; id?: SeedId; subject: string; updatedAt?: string }[];
    submittals?: { projectId: SeedId; id?: SeedId; title: string; updatedAt?: string }[];
  };
}

export type ToolName = 'rfis' | 'submittals';
export const TOOL_NAMES: readonly ToolName[] = ['rfis', 'submittals'];
export type ToolAccess = Record<ToolName, boolean>;

export interface SeedItem {
  projectId: ProcoreId;
  id?: ProcoreId;
  /** The RFI's subject or the submittal's title. */
  text: string;
  updatedAt?: number;
}

/** A validated seed: ids are numbers, tools are explicit, references resolve. */
export interface NormalizedSeed {
  companies: { id: ProcoreId; name: string }[];
  projects: { id: ProcoreId; companyId: ProcoreId; name: string }[];
  accounts: { id: ProcoreId; login: string; name: string; password: string }[];
  access: { projectId: ProcoreId; login: string; tools: ToolAccess }[];
  items: Record<ToolName, SeedItem[]>;
}

/** Validates a seed; throws BadRequestError naming the first problem (field path and value). */
export function parseSeed(input: unknown): NormalizedSeed {
  const body = asObject(input, 'seed');
  onlyKeys(body, ['companies', 'projects', 'accounts', 'access', 'items'], 'seed');

  const companies = asArray(body.companies ?? [], 'seed.companies').map((entry, i) => {
    const where = `companies[${i}]`;
    const company = asObject(entry, where);
    onlyKeys(company, ['id', 'name'], where);
    return { id: requiredId(company, 'id', where), name: requiredString(company, 'name', where) };
  });
  refuseDuplicates(companies.map((c) => String(c.id)), 'companies', 'company id');
  const companyIds = new Set(companies.map((c) => c.id));

  const projects = asArray(body.projects ?? [], 'seed.projects').map((entry, i) => {
    const where = `projects[${i}]`;
    const project = asObject(entry, where);
    onlyKeys(project, ['id', 'companyId', 'name'], where);
    const companyId = requiredId(project, 'companyId', where);
    if (!companyIds.has(companyId)) throw new BadRequestError(`${where}.companyId: company ${companyId} is not in companies`);
    return { id: requiredId(project, 'id', where), companyId, name: requiredString(project, 'name', where) };
  });
  refuseDuplicates(projects.map((p) => String(p.id)), 'projects', 'project id');
  const projectIds = new Set(projects.map((p) => p.id));

  const accounts = asArray(body.accounts ?? [], 'seed.accounts').map((entry, i) => {
    const where = `accounts[${i}]`;
    const account = asObject(entry, where);
    onlyKeys(account, ['id', 'login', 'name', 'password'], where);
    return {
      id: requiredId(account, 'id', where),
      login: requiredString(account, 'login', where),
      name: requiredString(account, 'name', where),
      password: requiredString(account, 'password', where),
    };
  });
  refuseDuplicates(accounts.map((a) => String(a.id)), 'accounts', 'account id');
  // Procore logins are e-mail addresses: two that differ only in case are the same person.
  refuseDuplicates(accounts.map((a) => a.login.toLowerCase()), 'accounts', 'login');
  const logins = new Set(accounts.map((a) => a.login.toLowerCase()));

  const access = asArray(body.access ?? [], 'seed.access').map((entry, i) => {
    const where = `access[${i}]`;
    const grant = asObject(entry, where);
    onlyKeys(grant, ['projectId', 'login', 'tools'], where);
    const projectId = requiredId(grant, 'projectId', where);
    if (!projectIds.has(projectId)) throw new BadRequestError(`${where}.projectId: project ${projectId} is not in projects`);
    const login = requiredString(grant, 'login', where);
    if (!logins.has(login.toLowerCase())) throw new BadRequestError(`${where}.login: ${login} is not in accounts`);
    return { projectId, login, tools: parseTools(grant.tools, `${where}.tools`) };
  });
  refuseDuplicates(access.map((a) => `${a.projectId} ${a.login.toLowerCase()}`), 'access', 'project and login pair');

  const items = body.items === undefined ? {} : asObject(body.items, 'seed.items');
  onlyKeys(items, ['rfis', 'submittals'], 'items');
  return {
    companies,
    projects,
    accounts,
    access,
    items: {
      rfis: parseItems(items, 'rfis', 'subject', projectIds),
      submittals: parseItems(items, 'submittals', 'title', projectIds),
    },
  };
}

/** `tools` of an access grant; a tool not named is allowed, as a project member has every tool by default. */
export function parseTools(value: unknown, where: string, base: ToolAccess = { rfis: true, submittals: true }): ToolAccess {
  if (value === undefined) return { ...base };
  const tools = asObject(value, where);
  onlyKeys(tools, TOOL_NAMES, where);
  return {
    rfis: optionalBoolean(tools, 'rfis', where) ?? base.rfis,
    submittals: optionalBoolean(tools, 'submittals', where) ?? base.submittals,
  };
}

function parseItems(items: JsonObject, tool: ToolName, textField: 'subject' | 'title', projectIds: Set<ProcoreId>): SeedItem[] {
  const parsed = asArray(items[tool] ?? [], `items.${tool}`).map((entry, i) => {
    const where = `items.${tool}[${i}]`;
    const item = asObject(entry, where);
    onlyKeys(item, ['projectId', 'id', textField, 'updatedAt'], where);
    const projectId = requiredId(item, 'projectId', where);
    if (!projectIds.has(projectId)) throw new BadRequestError(`${where}.projectId: project ${projectId} is not in projects`);
    return {
      projectId,
      id: optionalId(item, 'id', where),
      text: requiredString(item, textField, where),
      updatedAt: optionalTimestamp(item, 'updatedAt', where),
    };
  });
  refuseDuplicates(parsed.flatMap((item) => (item.id === undefined ? [] : [String(item.id)])), `items.${tool}`, 'id');
  return parsed;
}

function refuseDuplicates(keys: string[], where: string, what: string): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new BadRequestError(`${where}: ${what} ${key} appears twice`);
    seen.add(key);
  }
}
