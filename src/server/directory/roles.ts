// A user's roles for `GET /me`: Global Admin, and the project numbers they administer or are ball-in-court of.
import type { MeResponse } from '../../core/index.js';
import type { DbOrTrx } from '../db/transaction.js';
import { byteOrder } from './users.js';

export async function rolesOf(db: DbOrTrx, user: { usernameKey: string; isGlobalAdmin: boolean }): Promise<MeResponse['roles']> {
  const [adminOf, bicOf] = await Promise.all([
    db
      .selectFrom('project_admins')
      .innerJoin('projects', 'projects.id', 'project_admins.project_id')
      .select('projects.number')
      .where('project_admins.username_key', '=', user.usernameKey)
      .execute(),
    db
      .selectFrom('bic_assignments')
      .innerJoin('projects', 'projects.id', 'bic_assignments.project_id')
      .select('projects.number')
      .distinct()
      .where('bic_assignments.username_key', '=', user.usernameKey)
      .execute(),
  ]);
  return {
    globalAdmin: user.isGlobalAdmin,
    projectAdminOf: adminOf.map((row) => row.number).sort(byteOrder),
    bicOf: bicOf.map((row) => row.number).sort(byteOrder),
  };
}
