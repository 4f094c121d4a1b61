// The emulated Procore data: companies, projects, accounts, per-tool access and items, built from a seed.
import type { ProcoreId } from './ids.js';
import { TOOL_NAMES, type NormalizedSeed, type ToolAccess, type ToolName } from './seed.js';

export interface Company {
  id: ProcoreId;
  name: string;
}

export interface Project {
  id: ProcoreId;
  companyId: ProcoreId;
  name: string;
}

export interface Account {
  id: ProcoreId;
  login: string;
  name: string;
  password: string;
}

export interface Item {
  id: ProcoreId;
  projectId: ProcoreId;
  /** Per project and tool, as Procore numbers RFIs and submittals. */
  number: string;
  /** The RFI's subject or the submittal's title. */
  text: string;
  createdAt: number;
  updatedAt: number;
}

export class World {
  readonly companies = new Map<ProcoreId, Company>();
  readonly projects = new Map<ProcoreId, Project>();
  readonly accounts = new Map<ProcoreId, Account>();
  /** projectId → accountId → tools; keyed by account id so that a renamed login keeps its access. */
  private readonly access = new Map<ProcoreId, Map<ProcoreId, ToolAccess>>();
  private readonly itemsByProject: Record<ToolName, Map<ProcoreId, Item[]>> = { rfis: new Map(), submittals: new Map() };
  private readonly itemIds: Record<ToolName, Set<ProcoreId>> = { rfis: new Set(), submittals: new Set() };
  private readonly nextItemId: Record<ToolName, ProcoreId> = { rfis: 1, submittals: 1 };

  constructor(seed: NormalizedSeed, now: number) {
    for (const company of seed.companies) this.companies.set(company.id, { ...company });
    for (const project of seed.projects) this.projects.set(project.id, { ...project });
    for (const account of seed.accounts) this.accounts.set(account.id, { ...account });
    for (const grant of seed.access) {
      const account = this.accountByLogin(grant.login);
      if (account) this.setAccess(grant.projectId, account.id, grant.tools);
    }
    for (const tool of TOOL_NAMES) {
      // Given ids first, so that generated ids never take one a later seed entry names.
      for (const item of seed.items[tool]) if (item.id !== undefined) this.reserveItemId(tool, item.id);
      for (const item of seed.items[tool]) {
        this.addItem(tool, item.projectId, item.text, item.updatedAt ?? now, item.id);
      }
    }
  }

  /** Logins match case-insensitively, as e-mail addresses do at Procore's sign-in. */
  accountByLogin(login: string): Account | undefined {
    const wanted = login.toLowerCase();
    for (const account of this.accounts.values()) if (account.login.toLowerCase() === wanted) return account;
    return undefined;
  }

  toolAccess(projectId: ProcoreId, accountId: ProcoreId): ToolAccess | undefined {
    return this.access.get(projectId)?.get(accountId);
  }

  setAccess(projectId: ProcoreId, accountId: ProcoreId, tools: ToolAccess | undefined): void {
    let members = this.access.get(projectId);
    if (!members) this.access.set(projectId, (members = new Map()));
    if (tools) members.set(accountId, { ...tools });
    else members.delete(accountId);
  }

  /** The company's projects the account was added to, in id order. */
  projectsOf(companyId: ProcoreId, accountId: ProcoreId): Project[] {
    return [...this.projects.values()]
      .filter((p) => p.companyId === companyId && this.toolAccess(p.id, accountId) !== undefined)
      .sort((a, b) => a.id - b.id);
  }

  /** Companies where the account can see at least one project. */
  companiesOf(accountId: ProcoreId): Company[] {
    const ids = new Set<ProcoreId>();
    for (const project of this.projects.values()) {
      if (this.toolAccess(project.id, accountId) !== undefined) ids.add(project.companyId);
    }
    return [...ids].sort((a, b) => a - b).flatMap((id) => this.companies.get(id) ?? []);
  }

  items(tool: ToolName, projectId: ProcoreId): readonly Item[] {
    return this.itemsByProject[tool].get(projectId) ?? [];
  }

  addItem(tool: ToolName, projectId: ProcoreId, text: string, now: number, id?: ProcoreId): Item {
    const itemId = id ?? this.generateItemId(tool);
    this.reserveItemId(tool, itemId);
    let list = this.itemsByProject[tool].get(projectId);
    if (!list) this.itemsByProject[tool].set(projectId, (list = []));
    const item: Item = { id: itemId, projectId, number: String(list.length + 1), text, createdAt: now, updatedAt: now };
    list.push(item);
    return item;
  }

  findItem(tool: ToolName, projectId: ProcoreId, itemId: ProcoreId): Item | undefined {
    return this.items(tool, projectId).find((item) => item.id === itemId);
  }

  hasItemId(tool: ToolName, itemId: ProcoreId): boolean {
    return this.itemIds[tool].has(itemId);
  }

  private reserveItemId(tool: ToolName, id: ProcoreId): void {
    this.itemIds[tool].add(id);
    if (id >= this.nextItemId[tool]) this.nextItemId[tool] = id + 1;
  }

  private generateItemId(tool: ToolName): ProcoreId {
    let id = this.nextItemId[tool];
    while (this.itemIds[tool].has(id)) id += 1;
    return id;
  }
}
