// Calls the Procore emulator's control endpoints (SPEC 5) from a test: JSON in, JSON out, a non-2xx answer thrown.

export type EmulatorControl = (method: string, path: string, body?: unknown) => Promise<any>;

export function emulatorControl(emulatorUrl: string): EmulatorControl {
  return async (method, path, body) => {
    const response = await fetch(`${emulatorUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}
