import { describe, expect, it } from 'vitest';
import { splitDomain, usernameKey, usernameProblem } from '../../../src/server/directory/usernames.js';

describe('usernames', () => {
  it.each([
    ['DEMO\\jsmith', { domain: 'DEMO', bare: 'jsmith' }],
    ['jsmith@demo', { domain: 'demo', bare: 'jsmith' }],
    ['jsmith@demo.example.com', { domain: 'demo.example.com', bare: 'jsmith' }],
    ['corp\\sub\\jsmith', { domain: 'corp\\sub', bare: 'jsmith' }],
    [' DEMO\\jsmith ', { domain: 'DEMO', bare: 'jsmith' }],
    ['DEMO\\', { domain: 'DEMO', bare: '' }],
  ])('finds the domain in %j', (username, expected) => {
    expect(splitDomain(username)).toEqual(expected);
  });

  it.each(['jsmith', 'j.smith', 'j_smith-2', 'JSmith'])('finds no domain in %j', (username) => {
    expect(splitDomain(username)).toBeUndefined();
    expect(usernameProblem(username)).toBeUndefined();
  });

  it('refuses a new username with a domain, suggesting the bare one and naming the allowed characters', () => {
    expect(usernameProblem('DEMO\\jsmith')).toMatch(/includes a domain \(use "jsmith"\).*letters, digits/);
    expect(usernameProblem('jsmith@demo')).toMatch(/use "jsmith"/);
  });

  it.each(['', ' jsmith', 'j smith', '-jsmith', 'jsmith!', 'ü', 'a'.repeat(65)])('refuses the new username %j and names the allowed characters', (username) => {
    expect(usernameProblem(username)).toMatch(/letters, digits, "\.", "_" and "-"/);
  });

  it('keys usernames case-insensitively, ignoring surrounding spaces, with ASCII lower-casing only', () => {
    expect(usernameKey(' JSmith ')).toBe('jsmith');
    expect(usernameKey('İ')).toBe('İ');
  });
});
