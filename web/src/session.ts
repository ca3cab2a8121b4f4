/** Who is signed in on this browser: kept in localStorage so a reload keeps the session. */
export interface Session {
  readonly userId: string;
  readonly token: string;
  readonly displayName: string;
}

const KEY = 'live-auction.session';
const listeners = new Set<(s: Session | null) => void>();

export function currentSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: (s: Session | null) => void): void {
  listeners.add(listener);
}
