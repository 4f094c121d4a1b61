// The portal's pages (SPEC 7): sign-in, Connected Projects, one project's Edit page, and the error page.
import { REASON_TEXTS, STATUS_LABELS, type ProjectDetail, type ProjectItem } from '../../core/index.js';
import { html, page, type Html } from './html.js';
import type { FlashMessage } from './tokens.js';

export const BASE = '/connectorweb';

export interface SignedInView {
  displayName: string;
  username: string;
  csrfToken: string;
}

function headerFor(viewer: SignedInView | undefined): Html {
  return html`<header><h1>Newforma Connector Service</h1>${
    viewer
      ? html`<form method="post" action="${BASE}/sign-out"><span>Signed in as ${viewer.displayName} (${viewer.username})</span>
<input type="hidden" name="csrf" value="${viewer.csrfToken}"> <button type="submit" class="link">Sign out</button></form>`
      : ''
  }</header>`;
}

export interface SignInPageInput {
  csrfToken: string;
  username?: string;
  error?: { title: string; lines: string[] };
}

export function signInPage(input: SignInPageInput): string {
  const body = html`<section class="card" aria-labelledby="sign-in-title">
<h2 id="sign-in-title">Sign in</h2>
<p>Sign in with your domain username, without the domain, and your password.</p>
${input.error ? alertBox(input.error) : ''}
<form method="post" action="${BASE}/sign-in">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${input.username ?? ''}" aria-describedby="username-hint">
<p class="hint" id="username-hint">For example jsmith, not DEMO\\jsmith or jsmith@demo.</p>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form>
</section>`;
  return page('Sign in', headerFor(undefined), body);
}

function alertBox(message: { title: string; lines: string[] }): Html {
  return html`<div class="alert" role="alert"><p><strong>${message.title}</strong></p>${message.lines.map((line) => html`<p>${line}</p>`)}</div>`;
}

function flashBox(flash: FlashMessage): Html {
  if (flash.kind === 'error') return alertBox(flash);
  return html`<div class="notice" role="status"><p><strong>${flash.title}</strong></p>${flash.lines.map((line) => html`<p>${line}</p>`)}</div>`;
}

function formatTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'Never';
}

function ballInCourt(item: ProjectItem): Html {
  if (item.ballInCourt.length === 0) return html`<em>None</em>`;
  return html`${item.ballInCourt.map(
    (entry, i) => html`${i > 0 ? html`<br>` : ''}${entry.displayName ?? entry.username} (${entry.procoreLogin})`,
  )}`;
}

/** The status details of the tooltip: what broke and which account must sign in to Procore again. */
export function statusDetails(item: ProjectItem): string[] {
  const lines: string[] = [];
  if (item.reason) lines.push(`${REASON_TEXTS[item.reason].summary}.`);
  for (const account of item.accounts) {
    lines.push(
      account.reason === item.reason
        ? `${account.login} must reauthenticate: sign in to Procore as this account.`
        : `${account.login} must reauthenticate: ${REASON_TEXTS[account.reason].summary}.`,
    );
  }
  return lines;
}

function statusCell(item: ProjectItem): Html {
  const label = STATUS_LABELS[item.status];
  const details = statusDetails(item);
  const cssClass = item.status === 'connection_lost' ? 'status-lost' : item.status === 'degraded' ? 'status-degraded' : '';
  if (details.length === 0) return html`<span class="${cssClass}">${label}</span>`;
  const tipId = `status-tip-${item.id}`;
  return html`<span class="${cssClass}">${label}</span><span class="status-icon" tabindex="0" role="img" aria-label="${label}: details" aria-describedby="${tipId}">!</span><span role="tooltip" id="${tipId}">${details.map((line, i) => html`${i > 0 ? html`<br>` : ''}${line}`)}</span>`;
}

export interface ProjectsPageInput {
  viewer: SignedInView;
  items: ProjectItem[];
  hasAnyRole: boolean;
  flash?: FlashMessage;
}

export function projectsPage(input: ProjectsPageInput): string {
  const rows = input.items.map(
    (item) => html`<tr>
<th scope="row" data-label="Project">${item.number} ${item.name}</th>
<td data-label="Procore Project">${item.procore.projectId} <span class="hint">(company ${item.procore.companyId})</span></td>
<td data-label="Ball-in-Court">${ballInCourt(item)}</td>
<td data-label="Connection Status" class="status">${statusCell(item)}</td>
<td data-label="Last Sync">${formatTime(item.lastSyncAt)}</td>
<td data-label="Edit"><a href="${BASE}/Projects/${item.id}/Edit" aria-label="Edit ${item.number} ${item.name}"><span aria-hidden="true">✏️</span> Edit</a></td>
</tr>`,
  );
  const empty = input.items.length === 0
    ? html`<p id="no-projects">${
        input.hasAnyRole
          ? 'None of your projects is connected to Procore yet.'
          : 'You see no projects because you are not a Global Admin, a Project Admin or a ball-in-court user of any project. Ask a Global Admin to assign you to the projects you work on.'
      }</p>`
    : '';
  const body = html`${input.flash ? flashBox(input.flash) : ''}
<h2 id="projects-title">Connected Projects</h2>
${empty}
<table aria-labelledby="projects-title">
<thead><tr><th scope="col">Project</th><th scope="col">Procore Project</th><th scope="col">Ball-in-Court</th><th scope="col">Connection Status</th><th scope="col">Last Sync</th><th scope="col">Edit</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
  return page('Connected Projects', headerFor(input.viewer), body);
}

export function editPage(viewer: SignedInView, detail: ProjectDetail, mayReconnect: boolean): string {
  const details = statusDetails(detail);
  const body = html`<p><a href="${BASE}/Projects">← Connected Projects</a></p>
<section class="card" aria-labelledby="project-title">
<h2 id="project-title">${detail.number} ${detail.name}</h2>
<dl>
<dt>Connection Status</dt><dd id="connection-status">${STATUS_LABELS[detail.status]}</dd>
<dt>Procore Project</dt><dd>${detail.procore.projectId} (company ${detail.procore.companyId})</dd>
<dt>Ball-in-Court</dt><dd>${ballInCourt(detail)}</dd>
<dt>Since</dt><dd>${formatTime(detail.since)}</dd>
<dt>Last Sync</dt><dd>${formatTime(detail.lastSyncAt)}</dd>
</dl>
</section>
${detail.description ? html`<section class="card" aria-labelledby="problem-title">
<h3 id="problem-title">What is wrong</h3>
${detail.summary ? html`<p><strong>${detail.summary}</strong></p>` : ''}
<p>${detail.description}</p>
${details.length > 0 ? html`<ul>${details.map((line) => html`<li>${line}</li>`)}</ul>` : ''}
</section>` : ''}
${detail.remedy.length > 0 ? html`<section class="card" aria-labelledby="remedy-title">
<h3 id="remedy-title">How to fix it</h3>
<ol>${detail.remedy.map((step) => html`<li>${step}</li>`)}</ol>
</section>` : ''}
${detail.warnings.length > 0 ? html`<section class="card" aria-labelledby="warnings-title"><h3 id="warnings-title">Warnings</h3>
<ul>${detail.warnings.map((warning) => html`<li>${warning.account}: ${warning.message}</li>`)}</ul></section>` : ''}
${mayReconnect ? html`<form method="post" action="${BASE}/Projects/${detail.id}/Reconnect">
<input type="hidden" name="csrf" value="${viewer.csrfToken}">
<p>Reconnect signs you in to Procore; sign in as the ball-in-court account.</p>
<button type="submit">Reconnect</button>
</form>` : ''}`;
  return page(`${detail.number} ${detail.name}`, headerFor(viewer), body);
}

export function errorPage(title: string, lines: string[], viewer?: SignedInView): string {
  const body = html`${alertBox({ title, lines })}<p><a href="${BASE}/Projects">Back to Connected Projects</a></p>`;
  return page(title, headerFor(viewer), body);
}
