// Procore's JSON for companies, projects, RFIs and submittals (the fields NCS reads, plus a few for realism).
import type { ToolName } from './seed.js';
import type { EmulatorState } from './state.js';
import type { Company, Item, Project } from './world.js';

export function companyJson(company: Company) {
  return { id: company.id, name: company.name, is_active: true };
}

export function projectJson(state: EmulatorState, project: Project) {
  const company = state.world.companies.get(project.companyId);
  return {
    id: project.id,
    name: project.name,
    display_name: project.name,
    active: true,
    company: { id: project.companyId, name: company?.name ?? '' },
  };
}

export function itemJson(tool: ToolName, item: Item) {
  const times = { created_at: new Date(item.createdAt).toISOString(), updated_at: new Date(item.updatedAt).toISOString() };
  return tool === 'rfis'
    ? { id: item.id, number: item.number, subject: item.text, status: 'open', ...times }
    : { id: item.id, number: item.number, title: item.text, status: { id: 1, name: 'Open' }, ...times };
}
