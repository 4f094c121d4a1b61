import { describe, expect, it } from 'vitest';
import { matchAssignment } from '../../../src/server/projects/account-matching.js';

const jsmith = { procoreLogin: 'jsmith@demo.example', procoreUserId: null as string | null };
const mlee = { procoreLogin: 'mlee@demo.example', procoreUserId: '4294967301' as string | null };

describe('matchAssignment', () => {
  it('matches an assignment by login ignoring case while no id is recorded, and asks to record the id', () => {
    expect(matchAssignment([mlee, jsmith], { id: '4294967300', login: 'JSmith@Demo.Example' })).toEqual({ matched: true, assignment: jsmith, recordId: true });
  });

  it('matches by Procore user id once recorded, even after the login was renamed', () => {
    expect(matchAssignment([jsmith, mlee], { id: '4294967301', login: 'mary.lee@demo.example' })).toEqual({ matched: true, assignment: mlee, recordId: false });
  });

  it('refuses a login match whose recorded id differs as account_mismatch', () => {
    expect(matchAssignment([mlee], { id: '999', login: 'mlee@demo.example' })).toEqual({
      matched: false,
      verdict: 'account_mismatch',
      because: 'id_differs',
      assignment: mlee,
    });
  });

  it('refuses an account that is no assignment as account_mismatch', () => {
    expect(matchAssignment([jsmith, mlee], { id: '5', login: 'intruder@demo.example' })).toEqual({ matched: false, verdict: 'account_mismatch', because: 'not_assigned' });
  });

  it('prefers an id match over a login match of another assignment', () => {
    const renamed = { procoreLogin: 'old@demo.example', procoreUserId: '77' };
    const loginOnly = { procoreLogin: 'new@demo.example', procoreUserId: null };
    expect(matchAssignment([loginOnly, renamed], { id: '77', login: 'new@demo.example' })).toEqual({ matched: true, assignment: renamed, recordId: false });
  });
});
