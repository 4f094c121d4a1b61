// The small pages the loopback listener answers the browser with: self-contained, every value escaped, never a code or token.

export type PageTone = 'success' | 'failure' | 'neutral';

export interface LoopbackPage {
  title: string;
  /** Paragraphs of plain text (escaped here). */
  paragraphs: string[];
  tone: PageTone;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const TONE_COLOR: Record<PageTone, string> = { success: '#1b7f3b', failure: '#b00020', neutral: '#333' };

/**
 * The headers of every answer: nothing cached (the request URL carried the code), no Referer to
 * anything, nothing loaded from anywhere (the CSP allows only the inline style), no framing.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});

export function renderPage(page: LoopbackPage): string {
  const body = page.paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · ncs</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5}h1{font-size:1.4rem;color:${TONE_COLOR[page.tone]}}</style>
</head>
<body>
<main>
<h1 id="verdict" data-tone="${page.tone}">${escapeHtml(page.title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export const PAGES = {
  stateMismatch: {
    title: 'Not the sign-in ncs is waiting for',
    paragraphs: [
      'This answer from Procore does not belong to the `ncs reconnect` that is waiting on this machine (its state does not match), so it was ignored.',
      'If you started `ncs reconnect` again, finish the sign-in in the browser tab it opened.',
    ],
    tone: 'failure',
  },
  incomplete: {
    title: 'Incomplete answer',
    paragraphs: ['This address carries neither an authorization code nor an error, so it was ignored.'],
    tone: 'failure',
  },
  alreadyReceived: {
    title: 'Already received',
    paragraphs: ['ncs already has the answer to this sign-in. See the terminal.'],
    tone: 'neutral',
  },
  notReady: {
    title: 'Not ready',
    paragraphs: ['ncs is not waiting for a sign-in yet. See the terminal.'],
    tone: 'neutral',
  },
  wrongHost: {
    title: 'Wrong address',
    paragraphs: ['This listener answers only on the address ncs gave to Procore.'],
    tone: 'failure',
  },
  notFound: { title: 'Not found', paragraphs: ['There is nothing here.'], tone: 'neutral' },
  methodNotAllowed: { title: 'Not allowed', paragraphs: ['Only the browser\'s return from Procore (a GET) is accepted here.'], tone: 'neutral' },
  stillChecking: {
    title: 'Still checking',
    paragraphs: [
      'NCS is still checking this sign-in with Procore; it is taking longer than usual.',
      'The result will appear in the terminal where `ncs reconnect` runs. You can close this tab.',
    ],
    tone: 'neutral',
  },
  cancelled: {
    title: 'Reconnect stopped',
    paragraphs: ['The `ncs reconnect` command stopped before it could finish. Nothing was changed. See the terminal.'],
    tone: 'failure',
  },
} as const satisfies Record<string, LoopbackPage>;
