// Who may see and act on a project (SPEC 8): not visible answers 404, visible but not allowed answers 403.
import { NcsError } from '../../core/index.js';
import type { ServerDeps } from '../deps.js';
import type { ProjectsTable } from '../db/schema.js';
import type { Viewer } from '../http/authenticate.js';

export type ProjectAction = 'view' | 'check' | 'reconnect' | 'push_token' | 'sync';

export interface ProjectRoles {
  globalAdmin: boolean;
  projectAdmin: boolean;
  /** The viewer is one of the project's ball-in-court users. */
  bic: boolean;
}

export interface ProjectAccess {
  project: ProjectsTable;
  roles: ProjectRoles;
}

const NCS_ID = /^prj_[a-z2-7]{20}$/;

/** Finds a project by NCS id or number (case-insensitive); undefined when there is none. */
export async function findProjectByRef(deps: Pick<ServerDeps, 'db'>, ref: string): Promise<ProjectsTable | undefined> {
  const query = deps.db.selectFrom('projects').selectAll();
  return NCS_ID.test(ref)
    ? query.where('id', '=', ref).executeTakeFirst()
    : query.where('number_key', '=', ref.toLowerCase()).executeTakeFirst();
}

export async function rolesOn(deps: Pick<ServerDeps, 'db'>, viewer: Viewer, projectId: string): Promise<ProjectRoles> {
  const [admin, bic] = await Promise.all([
    deps.db
      .selectFrom('project_admins')
      .select('project_id')
      .where('username_key', '=', viewer.usernameKey)
      .where('project_id', '=', projectId)
      .executeTakeFirst(),
    deps.db
      .selectFrom('bic_assignments')
      .select('project_id')
      .where('username_key', '=', viewer.usernameKey)
      .where('project_id', '=', projectId)
      .executeTakeFirst(),
  ]);
  return { globalAdmin: viewer.isGlobalAdmin, projectAdmin: admin !== undefined, bic: bic !== undefined };
}

export function isVisible(roles: ProjectRoles): boolean {
  return roles.globalAdmin || roles.projectAdmin || roles.bic;
}

export function mayDo(roles: ProjectRoles, action: ProjectAction): boolean {
  switch (action) {
    case 'view':
    case 'check':
    case 'reconnect':
      return isVisible(roles);
    case 'push_token':
      return roles.globalAdmin;
    case 'sync':
      return roles.globalAdmin || roles.projectAdmin;
  }
}

const FORBIDDEN_MESSAGES: Record<ProjectAction, string> = {
  view: 'You may not see this project.',
  check: 'You may not check this project.',
  reconnect: 'You may not reconnect this project.',
  push_token: 'Only Global Admins may push a Procore token.',
  sync: 'Only Global Admins and the project\'s Project Admins may request a sync.',
};

/** The project if the viewer may do `action` on it; else 404 (not visible) or 403 (visible, not allowed). */
export async function authorizeProjectAction(deps: Pick<ServerDeps, 'db'>, viewer: Viewer, ref: string, action: ProjectAction): Promise<ProjectAccess> {
  const project = await findProjectByRef(deps, ref);
  if (!project) throw new NcsError('project_not_found', { message: `No project "${ref}", or you may not see it.` });
  const roles = await rolesOn(deps, viewer, project.id);
  if (!isVisible(roles)) throw new NcsError('project_not_found', { message: `No project "${ref}", or you may not see it.` });
  if (!mayDo(roles, action)) throw new NcsError('forbidden', { message: FORBIDDEN_MESSAGES[action] });
  return { project, roles };
}
