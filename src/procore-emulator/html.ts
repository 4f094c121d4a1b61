// The sign-in pages Procore's login host shows, as small self-contained HTML with every echoed value escaped.

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Procore (emulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.4rem 0}input{width:100%;padding:.4rem}.error{color:#b00020}button{padding:.5rem 1rem}</style>
</head>
<body>
<main>
<p><strong>Procore</strong> <small>(local emulator)</small></p>
${body}
</main>
</body>
</html>
`;
}

export interface AuthorizeRequestFields {
  clientId: string;
  redirectUri: string;
  state?: string;
  responseType: string;
}

export function authorizePage(input: {
  request: AuthorizeRequestFields;
  signedInLogin?: string;
  signOutHref: string;
  error?: string;
  login?: string;
}): string {
  const { request } = input;
  const hidden = [
    hiddenInput('client_id', request.clientId),
    hiddenInput('redirect_uri', request.redirectUri),
    request.state === undefined ? '' : hiddenInput('state', request.state),
    hiddenInput('response_type', request.responseType),
  ].join('');
  const alert = input.error === undefined ? '' : `<p role="alert" class="error">${escapeHtml(input.error)}</p>\n`;
  const who =
    input.signedInLogin === undefined
      ? `<label for="login">Email</label>
<input id="login" name="login" type="text" autocomplete="username" required value="${escapeHtml(input.login ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
`
      : `<p>Signed in as <strong id="signed-in-login">${escapeHtml(input.signedInLogin)}</strong></p>
`;
  const signOut =
    input.signedInLogin === undefined ? '' : `<p><a href="${escapeHtml(input.signOutHref)}">Not you? Sign out</a></p>\n`;
  return page(
    'Sign in',
    `<h1>Authorize ${escapeHtml(request.clientId)}</h1>
<p>The application <code>${escapeHtml(request.clientId)}</code> asks for access to your Procore account.</p>
${alert}<form method="post" action="/oauth/authorize">
${hidden}
${who}<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>
${signOut}`,
  );
}

export function oobCodePage(code: string): string {
  return page(
    'Authorization code',
    `<h1>Authorization code</h1>
<p>Copy this code and paste it into the application:</p>
<p><code id="authorization-code">${escapeHtml(code)}</code></p>
`,
  );
}

export function oobErrorPage(error: string): string {
  return page('Authorization refused', `<h1>Authorization refused</h1>\n<p>Error: <code id="authorization-error">${escapeHtml(error)}</code></p>\n`);
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert" class="error">${escapeHtml(message)}</p>\n`);
}

export function signedOutPage(): string {
  return page('Signed out', '<h1>Signed out</h1>\n<p>You are signed out of Procore.</p>\n');
}

function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">\n`;
}
