// The demo's Procore world (SPEC 8): company 4242, projects 5001–5005, the BIC accounts and an intruder.
import { OOB_REDIRECT_URI } from '../core/index.js';
import type { RegisteredApp } from './app-registration.js';
import type { EmulatorSeed } from './seed.js';

/** The demo Procore app; the demo adds the portal's callback, which depends on NCS_PUBLIC_URL. */
export const DEMO_APP: Readonly<RegisteredApp> = Object.freeze({
  clientId: 'ncs-demo',
  clientSecret: 'ncs-demo-secret',
  redirectUris: Object.freeze([
    'http://localhost:5599/callback',
    'http://localhost:5600/callback',
    'http://localhost:5601/callback',
    OOB_REDIRECT_URI,
  ]) as string[],
});

const PROJECTS: { id: number; name: string; rfis: string[]; submittals: string[] }[] = [
  {
    id: 5001,
    name: 'Harbor Tower',
    rfis: ['Curtain wall anchor spacing at level 12', 'Pile cap reinforcement conflict', 'Lobby ceiling height'],
    submittals: ['Structural steel shop drawings', 'Curtain wall mock-up'],
  },
  {
    id: 5002,
    name: 'Civic Library',
    rfis: ['Reading room skylight flashing', 'Book return chute fire rating'],
    submittals: ['Acoustic ceiling panels', 'Shelving anchorage', 'Roofing membrane'],
  },
  {
    id: 5003,
    name: 'Riverside Clinic',
    rfis: ['Medical gas outlet locations', 'Flood barrier at loading dock', 'Lead lining in X-ray room'],
    submittals: ['Nurse call system', 'Sheet vinyl flooring'],
  },
  {
    id: 5004,
    name: 'North Campus Lab',
    rfis: ['Fume hood exhaust routing', 'Vibration isolation for imaging suite'],
    submittals: ['Laboratory casework', 'Emergency eyewash stations'],
  },
  {
    id: 5005,
    name: 'Depot Renovation',
    rfis: ['Existing timber truss condition', 'Platform canopy drainage'],
    submittals: ['Heritage brick repointing mortar', 'Canopy glazing'],
  },
];

const ACCOUNTS = [
  { id: 101, login: 'mlee@demo.example', name: 'Morgan Lee', projects: [5001] },
  { id: 102, login: 'jsmith@demo.example', name: 'Jordan Smith', projects: [5002, 5003] },
  { id: 103, login: 'rkim@demo.example', name: 'Riley Kim', projects: [5004] },
  // The demo takes this access away through the control endpoint, so that the breakage is the engine's finding.
  { id: 104, login: 'dchan@demo.example', name: 'Dana Chan', projects: [5005] },
  { id: 105, login: 'intruder@demo.example', name: 'Ira Intruder', projects: [] },
];

/** A fresh copy of the demo seed (short ids for readability; tests use ids above 2^32). */
export function demoSeed(): EmulatorSeed {
  return {
    companies: [{ id: 4242, name: 'Demo Builders' }],
    projects: PROJECTS.map((p) => ({ id: p.id, companyId: 4242, name: p.name })),
    accounts: ACCOUNTS.map((a) => ({ id: a.id, login: a.login, name: a.name, password: 'demo' })),
    access: ACCOUNTS.flatMap((a) => a.projects.map((projectId) => ({ projectId, login: a.login, tools: { rfis: true, submittals: true } }))),
    items: {
      rfis: PROJECTS.flatMap((p) => p.rfis.map((subject) => ({ projectId: p.id, subject }))),
      submittals: PROJECTS.flatMap((p) => p.submittals.map((title) => ({ projectId: p.id, title }))),
    },
  };
}

export const DEMO_SEED: Readonly<EmulatorSeed> = Object.freeze(demoSeed());
